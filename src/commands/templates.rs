//! `aichor templates list | show | new | test`: packs found, described, created and tested.

use aichor::environment::Environment;
use std::path::{Path, PathBuf};

use aichor::error::{Error, Result};
use aichor::generate::questions::{FlagStyle, Questions};
use aichor::generate::render::{Plan, PlannedFile};
use aichor::init::snapshot;
use aichor::init::{Consent, inspect, write_plan};
use aichor::pack::{self, Pack, PackToml, source};
use aichor::printer::{Format, Printer};
use aichor::txn::fs::RealFs;
use include_dir::{Dir, include_dir};
use serde_json::json;

/// The pack `templates new` writes (a working example of every pack feature).
static NEW_PACK: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/templates/new-pack");

/// `templates list`: the built-in pack and every pack found by name.
pub(super) fn list(format: Format, printer: &Printer, env: &Environment) -> Result<()> {
    let builtin = Pack::builtin()?;
    let mut rows = vec![json!({
        "name": builtin.info.name, "version": builtin.info.version,
        "description": builtin.info.description, "location": "(embedded)",
    })];
    for dir in source::search_dirs(env) {
        let Ok(entries) = fs_err::read_dir(&dir) else {
            continue;
        };
        let mut found: Vec<PathBuf> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.join("pack.toml").is_file())
            .collect();
        found.sort();
        for path in found {
            let name = path.file_name().map(|n| n.to_string_lossy().into_owned());
            let row = match fs_err::read_to_string(path.join("pack.toml"))
                .ok()
                .and_then(|t| toml_edit::de::from_str::<PackToml>(&t).ok())
            {
                Some(t) => json!({
                    "name": name, "version": t.pack.version, "description": t.pack.description,
                    "location": path.display().to_string(),
                }),
                None => json!({
                    "name": name, "version": null,
                    "description": "(invalid pack.toml: see `aichor templates show`)",
                    "location": path.display().to_string(),
                }),
            };
            rows.push(row);
        }
    }
    // Git packs as fetched: a branch's clone stays at its commit until `--refresh`, so its
    // age says how stale it may be.
    let now = std::time::SystemTime::now();
    for c in source::cached(env) {
        let age = now.duration_since(c.fetched).unwrap_or_default();
        let name = fs_err::read_to_string(c.dir.join("pack.toml"))
            .ok()
            .and_then(|t| toml_edit::de::from_str::<PackToml>(&t).ok());
        rows.push(json!({
            "name": name.as_ref().map(|t| t.pack.name.clone()),
            "version": name.as_ref().map(|t| t.pack.version.clone()),
            "description": format!("{} (fetched {} ago{})", c.spec, human_age(age), c.commit.as_deref().map(|h| format!(", at {}", &h[..h.len().min(12)])).unwrap_or_default()),
            "location": c.dir.display().to_string(),
            "source": c.spec,
            "fetched_seconds_ago": age.as_secs(),
            "commit": c.commit,
        }));
    }
    match format {
        Format::Json => printer.json(&rows)?,
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

/// `3 days`, `5 hours`, `2 minutes`, `40 seconds`: the largest whole unit.
fn human_age(age: std::time::Duration) -> String {
    let secs = age.as_secs();
    let (n, unit) = match secs {
        0..60 => (secs, "second"),
        60..3_600 => (secs / 60, "minute"),
        3_600..86_400 => (secs / 3_600, "hour"),
        _ => (secs / 86_400, "day"),
    };
    format!("{n} {unit}{}", if n == 1 { "" } else { "s" })
}

/// `templates show`: a pack's identity, profiles and questions (JSON: a JSON Schema of the
/// answers, so other programs can fill them).
pub(super) fn show(spec: &str, format: Format, printer: &Printer, env: &Environment) -> Result<()> {
    let pack = Pack::load(Some(spec), env)?;
    let schema = Questions {
        pack: &pack,
        flags: FlagStyle::Init,
    }
    .answers_schema();
    if format == Format::Json {
        return printer.json(&schema);
    }
    let mut out = format!(
        "{} {}: {}\n",
        pack.info.name, pack.info.version, pack.info.description
    );
    out.push_str(&format!("source: {}\n", pack.source));
    if let Some(e) = &pack.info.extends {
        out.push_str(&format!("extends: {e}\n"));
    }
    let ids: Vec<&str> = pack.profiles.iter().map(|p| p.id.as_str()).collect();
    out.push_str(&format!("profiles: {}\n", ids.join(", ")));
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
    Ok(())
}

/// `templates new DIR`: a working pack extending the built-in one, with its snapshots.
pub(super) fn new(dir: &Path, printer: &Printer) -> Result<()> {
    let name = dir
        .file_name()
        .map(|n| {
            n.to_string_lossy()
                .to_ascii_lowercase()
                .replace(|c: char| !c.is_ascii_alphanumeric(), "-")
        })
        .filter(|n| n.starts_with(|c: char| c.is_ascii_lowercase()))
        .unwrap_or_else(|| "my-pack".into());
    let mut files = Vec::new();
    pack::collect_embedded(&NEW_PACK, &mut files);
    let mut plan = Plan {
        files: files
            .into_iter()
            .map(|f| PlannedFile {
                contents: if f.path == "pack.toml" {
                    String::from_utf8_lossy(&f.contents)
                        .replace("@PACK_NAME@", &name)
                        // The version that wrote the pack: it uses no newer feature.
                        .replace("@AICHOR_VERSION@", env!("CARGO_PKG_VERSION"))
                        .into_bytes()
                } else {
                    f.contents.into_owned()
                },
                path: f.path,
                executable: false,
            })
            .collect(),
    };
    plan.files.sort_by(|a, b| a.path.cmp(&b.path));
    if inspect(&plan, dir)?.non_empty {
        return Err(Error::DestinationNotEmpty {
            path: dir.to_path_buf(),
        });
    }
    // Snapshot the example answer sets in the staged pack, so `templates test` passes from
    // the start; if they fail, nothing is written.
    let mut finish = |root: &Path| test_sets(root, true, &Printer::quiet());
    write_plan(&RealFs, &plan, dir, Consent::EmptyOnly, &mut finish)?;
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

/// The built-in pack's answer sets: this repository's `template-tests/<variant>/answers.yaml`
/// (their snapshots, whole generated trees, are checked by its own test suite).
static BUILTIN_SETS: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/template-tests");

/// `templates test DIR [--update]`.
pub(super) fn test(spec: &str, update: bool, printer: &Printer, env: &Environment) -> Result<()> {
    if spec == pack::BUILTIN_NAME {
        return test_builtin(update, printer);
    }
    let resolved = aichor::pack::source::resolve(spec, env)?;
    // A git pack is a cached clone: snapshots written there would be lost on the next fetch.
    if update && resolved.commit.is_some() {
        return Err(Error::UpdateFetchedPack {
            spec: spec.to_string(),
        });
    }
    test_sets(&resolved.dir, update, printer).map(|_| ())
}

/// `templates test builtin`: the pack compiled into this binary, rendered and checked (the
/// manifest against the model, the next steps) with each of its answer sets. It has no
/// snapshots to compare with or update: it is frozen in the binary.
fn test_builtin(update: bool, printer: &Printer) -> Result<()> {
    if update {
        return Err(Error::UpdateBuiltinSnapshots);
    }
    let pack = Pack::builtin()?;
    let mut sets: Vec<(&str, &str)> = BUILTIN_SETS
        .dirs()
        .filter_map(|d| {
            let name = d.path().file_name()?.to_str()?;
            let text = d.get_file(d.path().join("answers.yaml"))?.contents_utf8()?;
            Some((name, text))
        })
        .collect();
    sets.sort_unstable();
    let mut failed = Vec::new();
    for (name, text) in &sets {
        let origin = Path::new("template-tests").join(name).join("answers.yaml");
        match snapshot::render_text(&pack, &origin, text) {
            Ok(_) => printer.status("ok", name),
            Err(e) => {
                printer.error(&e);
                failed.push((*name).to_string());
            }
        }
    }
    if failed.is_empty() {
        printer.note(&format!(
            "{} answer set(s) of the built-in pack {} rendered and checked",
            sets.len(),
            pack.id()
        ));
        Ok(())
    } else {
        Err(Error::PackTests {
            failed,
            total: sets.len(),
        })
    }
}

/// Render each answer set in `dir/tests/` and compare with (or, with `update`, write)
/// `tests/snapshots/<set>.snap`. Returns the snapshot files written, relative to `dir`.
fn test_sets(dir: &Path, update: bool, printer: &Printer) -> Result<Vec<String>> {
    let pack = Pack::from_dir(dir, pack::PackSource::Spec(dir.display().to_string()))?;
    let sets = snapshot::answer_sets(dir)?;
    let mut written = Vec::new();
    let mut failed = Vec::new();
    for set in &sets {
        let stem = snapshot::set_name(set);
        let rendered = match snapshot::render_set(&pack, set) {
            Ok(text) => text,
            Err(e) => {
                printer.error(&e);
                failed.push(stem);
                continue;
            }
        };
        let snap_rel = format!("tests/snapshots/{stem}.snap");
        let snap_path = dir.join(&snap_rel);
        let old = fs_err::read_to_string(&snap_path).ok();
        match (old, update) {
            (Some(old), _) if old == rendered => printer.status("ok", &stem),
            (old, true) => {
                write_snapshot(&snap_path, &rendered)?;
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
                let diff = similar::TextDiff::from_lines(&old, &rendered);
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

fn write_snapshot(path: &Path, text: &str) -> Result<()> {
    if let Some(parent) = path.parent() {
        fs_err::create_dir_all(parent).map_err(|e| Error::io(parent, "cannot be created", e))?;
    }
    fs_err::write(path, text).map_err(|e| Error::io(path, "cannot be written", e))
}
