//! `aichor templates list | show | new | test` and the pack snapshot format.

use std::path::{Path, PathBuf};

use include_dir::{Dir, include_dir};
use serde_json::{Value, json};

use super::format::{PackToml, QuestionType};
use super::{Pack, source};
use crate::cli::Format;
use crate::error::{Error, Result};
use crate::init::answers::{self, ProvidedAnswers};
use crate::init::questions::{QUESTIONS, Questions};
use crate::init::render::{Plan, PlannedFile};
use crate::init::{self, ANSWERS_FILE, write};
use crate::operator::Operator;
use crate::printer::Printer;

/// The pack `templates new` writes (a working example of every pack feature).
static NEW_PACK: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/templates/new-pack");

/// `templates list`: the built-in pack and every pack found by name.
pub fn list(format: Format, printer: &Printer) -> Result<()> {
    let builtin = Pack::builtin()?;
    let mut rows = vec![json!({
        "name": builtin.info.name, "version": builtin.info.version,
        "description": builtin.info.description, "location": "(embedded)",
    })];
    for dir in source::search_dirs() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        let mut found: Vec<PathBuf> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.join("pack.toml").is_file())
            .collect();
        found.sort();
        for path in found {
            let row = match std::fs::read_to_string(path.join("pack.toml"))
                .ok()
                .and_then(|t| toml::from_str::<PackToml>(&t).ok())
            {
                Some(t) => json!({
                    "name": path.file_name().map(|n| n.to_string_lossy().into_owned()),
                    "version": t.pack.version, "description": t.pack.description,
                    "location": path.display().to_string(),
                }),
                None => json!({
                    "name": path.file_name().map(|n| n.to_string_lossy().into_owned()),
                    "version": null, "description": "(invalid pack.toml: see `aichor templates show`)",
                    "location": path.display().to_string(),
                }),
            };
            rows.push(row);
        }
    }
    match format {
        Format::Json => printer.data(&serde_json::to_string_pretty(&rows).unwrap_or_default()),
        Format::Text => {
            let mut out = String::from("NAME                VERSION   DESCRIPTION\n");
            for r in &rows {
                out.push_str(&format!(
                    "{:<19} {:<9} {}\n    {}\n",
                    r["name"].as_str().unwrap_or("?"),
                    r["version"].as_str().unwrap_or("-"),
                    r["description"].as_str().unwrap_or(""),
                    r["location"].as_str().unwrap_or(""),
                ));
            }
            printer.data(&out);
        }
    }
    Ok(())
}

/// `templates show`: a pack's identity, profiles and questions (JSON: a JSON Schema of the
/// answers, so other programs can fill them).
pub fn show(spec: &str, format: Format, printer: &Printer) -> Result<()> {
    let pack = Pack::load(Some(spec))?;
    let schema = answers_schema(&pack);
    match format {
        Format::Json => printer.data(&serde_json::to_string_pretty(&schema).unwrap_or_default()),
        Format::Text => {
            let mut out = format!(
                "{} {}: {}\n",
                pack.info.name, pack.info.version, pack.info.description
            );
            out.push_str(&format!("source: {}\n", pack.source));
            if let Some(e) = &pack.info.extends {
                out.push_str(&format!("extends: {e}\n"));
            }
            out.push_str(&format!(
                "profiles: {}\n",
                pack.profiles
                    .iter()
                    .map(|p| p.id.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
            out.push_str(&format!(
                "files: {}\n\nquestions (answer with the flag or `--set key=value`):\n",
                pack.files.len()
            ));
            let props = schema["properties"]
                .as_object()
                .cloned()
                .unwrap_or_default();
            for (key, p) in props {
                let mut line = format!("  {key:<16} {}", p["title"].as_str().unwrap_or(""));
                if let Some(t) = p["type"].as_str() {
                    line.push_str(&format!(" [{t}]"));
                }
                if let Some(e) = p["enum"].as_array() {
                    let vals: Vec<String> = e
                        .iter()
                        .map(|v| v.as_str().map_or(v.to_string(), str::to_string))
                        .collect();
                    line.push_str(&format!(" one of {}", vals.join("|")));
                }
                if !p["default"].is_null() {
                    line.push_str(&format!(" default {}", p["default"]));
                }
                if let Some(w) = p["x-aichor-when"].as_str() {
                    line.push_str(&format!(" (when {w})"));
                }
                out.push_str(&line);
                out.push('\n');
            }
            printer.data(&out);
        }
    }
    Ok(())
}

/// The answers a pack takes, as a JSON Schema (draft 2020-12). Conditions (`when`) and
/// templated defaults are Tera, which JSON Schema cannot express: they are kept in
/// `x-aichor-when` / `x-aichor-default-template`.
pub fn answers_schema(pack: &Pack) -> Value {
    let questions = Questions { pack };
    let empty = crate::init::questions::Answers::default();
    let mut props = serde_json::Map::new();
    for q in QUESTIONS {
        let mut p = match q.key {
            "name" => {
                json!({"type": "string", "pattern": "^[a-z][a-z0-9]*([-_][a-z0-9]+)*$", "maxLength": crate::names::MAX_LEN})
            }
            "operator" => json!({"type": "string", "enum": Operator::ALL.map(Operator::id)}),
            "profile" => {
                json!({"type": "string", "enum": pack.profiles.iter().map(|p| p.id.clone()).collect::<Vec<_>>()})
            }
            "workers" => json!({"type": "integer", "minimum": 0, "maximum": 1024}),
            "python" => {
                json!({"type": "string", "enum": questions.choices("python", &empty).into_iter().map(|c| c.id).collect::<Vec<_>>()})
            }
            _ => json!({"type": "boolean"}),
        };
        p["title"] = json!(q.prompt);
        p["x-aichor-flag"] = json!(q.flag);
        if let Ok(Some(d)) = questions.default(q.key, &empty) {
            p["default"] = d.to_json();
        }
        props.insert(q.key.into(), p);
    }
    for q in &pack.questions {
        let mut p = match q.kind {
            QuestionType::String => json!({"type": "string"}),
            QuestionType::Bool => json!({"type": "boolean"}),
            QuestionType::Int => json!({"type": "integer"}),
            QuestionType::Choice => json!({"type": "string", "enum": q.choices}),
        };
        p["title"] = json!(q.prompt);
        if let Some(h) = &q.help {
            p["description"] = json!(h);
        }
        if let Some(pattern) = &q.pattern {
            p["pattern"] = json!(pattern);
        }
        match &q.default {
            Some(toml::Value::String(s)) if s.contains("{{") || s.contains("{%") => {
                p["x-aichor-default-template"] = json!(s)
            }
            Some(v) => p["default"] = serde_json::to_value(v).unwrap_or(Value::Null),
            None => {}
        }
        if let Some(w) = &q.when {
            p["x-aichor-when"] = json!(w);
        }
        props.insert(q.key.clone(), p);
    }
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": format!("answers for template pack {}", pack.id()),
        "type": "object",
        "properties": props,
        "required": ["name", "operator"],
        "additionalProperties": false,
    })
}

/// `templates new DIR`: a working pack extending the built-in one, with its snapshots.
pub fn new(dir: &Path, printer: &Printer) -> Result<()> {
    let name = dir
        .file_name()
        .map(|n| {
            n.to_string_lossy()
                .to_ascii_lowercase()
                .replace(|c: char| !c.is_ascii_alphanumeric(), "-")
        })
        .filter(|n| n.starts_with(|c: char| c.is_ascii_lowercase()))
        .unwrap_or_else(|| "my-pack".into());
    let mut plan = Plan::default();
    let mut files = Vec::new();
    super::collect_embedded(&NEW_PACK, &mut files);
    plan.files = files
        .into_iter()
        .map(|f| PlannedFile {
            contents: if f.path == "pack.toml" {
                String::from_utf8_lossy(&f.contents)
                    .replace("@PACK_NAME@", &name)
                    .into_bytes()
            } else {
                f.contents.into_owned()
            },
            path: f.path,
            mode: 0o644,
        })
        .collect();
    plan.files.sort_by(|a, b| a.path.cmp(&b.path));
    let inspection = write::inspect(&plan, dir)?;
    if inspection.non_empty {
        return Err(Error::DestinationNotEmpty {
            path: dir.to_path_buf(),
        });
    }
    let mut outcome = Ok(Vec::new());
    let mut finish = |root: &Path| {
        // Snapshot the example answer sets so `templates test` passes from the start.
        outcome = test_sets(root, true, &Printer::quiet());
        match &outcome {
            Ok(written) => written.clone(),
            Err(_) => Vec::new(),
        }
    };
    write::apply(&plan, dir, &mut finish)?;
    outcome?;
    printer.status(
        "Created",
        &format!("template pack `{name}` in `{}`", dir.display()),
    );
    printer.note(&format!(
        "\nTry it:\n  aichor templates test {0}\n  aichor local-repo init demo --template {0}",
        dir.display()
    ));
    Ok(())
}

/// `templates test DIR [--update]`.
pub fn test(dir: &Path, update: bool, printer: &Printer) -> Result<()> {
    test_sets(dir, update, printer).map(|_| ())
}

/// Render each answer set in `dir/tests/` and compare with (or, with `update`, write)
/// `tests/snapshots/<set>.snap`. Returns the snapshot files written, relative to `dir`.
fn test_sets(dir: &Path, update: bool, printer: &Printer) -> Result<Vec<String>> {
    let pack = Pack::from_dir(dir, dir.display().to_string())?;
    let tests = dir.join("tests");
    let mut sets: Vec<PathBuf> = std::fs::read_dir(&tests)
        .map_err(|e| {
            Error::io(
                &tests,
                "cannot be read (a pack's answer sets live there)",
                e,
            )
        })?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "yaml" || e == "yml"))
        .collect();
    sets.sort();
    if sets.is_empty() {
        return Err(Error::NoManifests { dir: tests });
    }
    let mut written = Vec::new();
    let mut failed = Vec::new();
    for set in &sets {
        let stem = set
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let text = std::fs::read_to_string(set).map_err(|e| Error::io(set, "cannot be read", e))?;
        let mut provided = ProvidedAnswers::default();
        provided.add_file(set, &text)?;
        let questions = Questions { pack: &pack };
        let result =
            answers::collect(&questions, &provided, None).and_then(|a| init::build(&pack, &a));
        let project = match result {
            Ok(p) => p,
            Err(e) => {
                printer.error(&e);
                failed.push(stem);
                continue;
            }
        };
        let snapshot = snapshot_text(&stem, &project.plan);
        let snap_rel = format!("tests/snapshots/{stem}.snap");
        let snap_path = dir.join(&snap_rel);
        let old = std::fs::read_to_string(&snap_path).ok();
        match (old, update) {
            (Some(old), _) if old == snapshot => printer.status("ok", &stem),
            (old, true) => {
                let parent = snap_path.parent().unwrap_or(dir);
                std::fs::create_dir_all(parent)
                    .map_err(|e| Error::io(parent, "cannot be created", e))?;
                std::fs::write(&snap_path, &snapshot)
                    .map_err(|e| Error::io(&snap_path, "cannot be written", e))?;
                printer.status(if old.is_some() { "updated" } else { "created" }, &snap_rel);
                written.push(snap_rel);
            }
            (None, false) => {
                printer.warn(&format!(
                    "{stem}: no snapshot `{snap_rel}` yet (run with --update to create it)"
                ));
                failed.push(stem);
            }
            (Some(old), false) => {
                let diff = similar::TextDiff::from_lines(&old, &snapshot);
                printer.warn(&format!(
                    "{stem}: the rendered project differs from `{snap_rel}`:"
                ));
                printer.note(
                    &diff
                        .unified_diff()
                        .context_radius(2)
                        .header(&snap_rel, "rendered")
                        .to_string(),
                );
                failed.push(stem);
            }
        }
    }
    if failed.is_empty() {
        Ok(written)
    } else {
        Err(Error::PackTests {
            failed,
            total: sets.len(),
        })
    }
}

/// The whole rendered tree as one reviewable text (the answers record is left out: it only
/// repeats the answer set, plus the tool version).
fn snapshot_text(stem: &str, plan: &Plan) -> String {
    let mut out = format!("# aichor templates test: rendered from tests/{stem}.yaml\n");
    for f in plan.files.iter().filter(|f| f.path != ANSWERS_FILE) {
        out.push_str(&format!(
            "─── {} ───\n{}\n",
            f.path,
            String::from_utf8_lossy(&f.contents)
        ));
    }
    out
}
