//! `aichor local-repo init`: the pipeline answers → context → plan → disk, one stage per
//! module. Only `answers` asks, only `write` touches the destination.

pub mod answers;
pub mod context;
pub mod lock;
pub mod merge;
pub mod questions;
pub mod render;
pub mod write;

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::cli::InitArgs;
use crate::error::{Error, Origin, Result};
use crate::pack::{Pack, PackInfo};
use crate::printer::Printer;
use crate::prompt::Prompter;
use answers::ProvidedAnswers;
use context::Context;
use questions::{Answers, Questions};
use render::{Engine, PlannedFile};
use write::Action;

/// Where the answers that produced a project are recorded, inside it.
pub const ANSWERS_FILE: &str = ".aichor-answers.yaml";

/// What `init` did (or would do, with `--dry-run`): the `--format json` report.
#[derive(Debug, Serialize)]
pub struct Report {
    pub destination: String,
    pub dry_run: bool,
    pub pack: PackInfo,
    pub files: Vec<FileReport>,
    pub answers: yaml_serde::Mapping,
    pub answers_file: String,
    /// Whether `uv lock` wrote `uv.lock`.
    pub locked: bool,
    pub next_steps: Vec<String>,
}

/// One file of the report.
#[derive(Debug, Serialize)]
pub struct FileReport {
    pub path: String,
    pub action: Action,
    pub bytes: usize,
}

/// A rendered project, before anything touches the disk.
pub struct Project {
    pub ctx: Context,
    pub engine: Engine,
    pub plan: render::Plan,
}

/// Answers → context → plan (with the answers record), checked; pure.
pub fn build(pack: &Pack, answers: &Answers) -> Result<Project> {
    let ctx = Context::resolve(answers, pack)?;
    let engine = Engine::new(pack)?;
    let mut plan = render::plan(&ctx, pack, &engine)?;
    plan.files.push(PlannedFile {
        path: ANSWERS_FILE.into(),
        mode: 0o644,
        contents: record(answers, pack)?.into_bytes(),
    });
    plan.files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(Project { ctx, engine, plan })
}

/// Run `init`. `prompter` is `Some` only when a user can answer.
pub fn run(
    args: &InitArgs,
    mut prompter: Option<&mut dyn Prompter>,
    printer: &Printer,
) -> Result<Report> {
    let provided = provided_answers(args)?;
    // `--template`, else the pack an answers file was recorded with, else the built-in one.
    let pack = Pack::load(args.template.as_deref().or(provided.template.as_deref()))?;
    let questions = Questions { pack: &pack };
    let answers = answers::collect(&questions, &provided, prompter.as_deref_mut())?;
    let Project {
        ctx,
        engine,
        mut plan,
    } = build(&pack, &answers)?;

    let dest = args
        .path
        .clone()
        .unwrap_or_else(|| PathBuf::from(&ctx.names.name));
    let inspection = write::inspect(&plan, &dest)?;
    let overwritten = inspection.overwritten(&plan);
    // Files the user already has and that we know how to merge keep their content.
    for f in &mut plan.files {
        if let Some(theirs) = inspection.existing.get(&f.path) {
            let ours = String::from_utf8_lossy(&f.contents);
            let merged = merge::merge(&f.path, theirs, &ours).map_err(|message| Error::Merge {
                path: dest.join(&f.path),
                message,
            })?;
            f.contents = merged.into_bytes();
        }
    }
    if inspection.non_empty && !args.force && !args.dry_run {
        let Some(p) = prompter.as_deref_mut() else {
            return Err(Error::DestinationNotEmpty { path: dest });
        };
        let question = if overwritten.is_empty() {
            format!(
                "`{}` is not empty. Add the project's files to it?",
                dest.display()
            )
        } else {
            format!(
                "`{}` is not empty and these files would be replaced: {}. Replace them?",
                dest.display(),
                overwritten.join(", ")
            )
        };
        if !p.confirm(&question, false).map_err(Error::from_prompt)? {
            return Err(Error::Aborted);
        }
    }

    let mut report = Report {
        destination: dest.display().to_string(),
        dry_run: args.dry_run,
        pack: pack.info.clone(),
        files: plan
            .files
            .iter()
            .zip(&inspection.actions)
            .map(|(f, a)| FileReport {
                path: f.path.clone(),
                action: *a,
                bytes: f.contents.len(),
            })
            .collect(),
        answers: answers_mapping(&answers),
        answers_file: ANSWERS_FILE.into(),
        locked: false,
        next_steps: Vec::new(),
    };

    if let Some(p) = prompter
        && !args.dry_run
    {
        p.show(&summary(&report, &ctx));
        let n = report.files.len();
        if !p
            .confirm(&format!("Write these {n} files?"), true)
            .map_err(Error::from_prompt)?
        {
            return Err(Error::Aborted);
        }
    }
    let mut lock_outcome = lock::Outcome::Skipped("dry run".into());
    if !args.dry_run {
        let mut finish = |root: &Path| {
            if args.no_lock {
                lock_outcome = lock::Outcome::Skipped("--no-lock".into());
                return Vec::new();
            }
            match lock::find_uv() {
                Ok(uv) => {
                    printer.status("Locking", "dependencies with `uv lock`");
                    lock_outcome = lock::run(&uv, root);
                }
                Err(why) => lock_outcome = lock::Outcome::Skipped(why),
            }
            if lock_outcome == lock::Outcome::Locked {
                vec!["uv.lock".to_string()]
            } else {
                Vec::new()
            }
        };
        write::apply(&plan, &dest, &mut finish)?;
    }
    match &lock_outcome {
        lock::Outcome::Locked => {
            let existed = dest.join("uv.lock").exists() && inspection.non_empty;
            report.locked = true;
            report.files.push(FileReport {
                path: "uv.lock".into(),
                action: if existed && args.force {
                    Action::Overwrite
                } else {
                    Action::Create
                },
                bytes: std::fs::metadata(dest.join("uv.lock")).map_or(0, |m| m.len() as usize),
            });
            report.files.sort_by(|a, b| a.path.cmp(&b.path));
        }
        lock::Outcome::Failed(why) => printer.warn(&format!(
            "`uv lock` failed ({why}); run it in the project before building"
        )),
        lock::Outcome::Skipped(why) if args.lock => {
            printer.warn(&format!("`uv lock` skipped: {why}"))
        }
        lock::Outcome::Skipped(_) => {}
    }
    report.next_steps = next_steps(&pack, &engine, &ctx, &dest, report.locked)?;
    for path in inspection.existing.keys() {
        let verb = if args.dry_run {
            "Would merge"
        } else {
            "Merged"
        };
        printer.status(verb, &format!("into your `{path}` (your values kept)"));
    }
    for path in &overwritten {
        printer.warn(&format!(
            "{} `{}`",
            if args.dry_run {
                "would overwrite"
            } else {
                "overwrote"
            },
            path
        ));
    }
    Ok(report)
}

/// Gather flags, `--set` and the answers file; a dedicated flag beats `--set`, which beats
/// the file; the destination's name is used only when nothing else names the project.
fn provided_answers(args: &InitArgs) -> Result<ProvidedAnswers> {
    let mut provided = ProvidedAnswers::default();
    if let Some(path) = &args.answers {
        let text = std::fs::read_to_string(path).map_err(|e| Error::AnswersFile {
            path: path.clone(),
            message: e.to_string(),
        })?;
        provided.add_file(path, &text)?;
    }
    provided.add_sets(&args.set)?;
    let flags = [
        ("name", "--name", args.name.clone()),
        ("operator", "--operator", args.operator.clone()),
        ("profile", "--profile", args.profile.clone()),
        ("workers", "--workers", args.workers.clone()),
        ("python", "--python", args.python.clone()),
        (
            "tensorboard",
            "--tensorboard",
            args.tensorboard.then(|| "true".into()),
        ),
        (
            "tensorboard",
            "--no-tensorboard",
            args.no_tensorboard.then(|| "false".into()),
        ),
    ];
    for (key, flag, value) in flags {
        if let Some(v) = value {
            provided.insert(key, v, Origin::Flag(flag.into()));
        }
    }
    if provided.get("name").is_none()
        && let Some(path) = &args.path
        && let Some(name) = name_from_path(path)
    {
        provided.insert("name", name, Origin::Path);
    }
    Ok(provided)
}

/// The last component of `path`, resolving `.` and `..` against the current directory.
fn name_from_path(path: &Path) -> Option<String> {
    let absolute = std::path::absolute(path).ok()?;
    let mut normal = PathBuf::new();
    for c in absolute.components() {
        match c {
            std::path::Component::ParentDir => {
                normal.pop();
            }
            std::path::Component::CurDir => {}
            other => normal.push(other),
        }
    }
    normal.file_name().map(|n| n.to_string_lossy().into_owned())
}

fn answers_mapping(answers: &Answers) -> yaml_serde::Mapping {
    let mut map = yaml_serde::Mapping::new();
    for (k, v) in &answers.0 {
        let value = match v {
            questions::Value::Str(s) => yaml_serde::Value::String(s.clone()),
            questions::Value::Int(i) => yaml_serde::Value::Number((*i).into()),
            questions::Value::Bool(b) => yaml_serde::Value::Bool(*b),
        };
        map.insert(yaml_serde::Value::String(k.clone()), value);
    }
    map
}

/// The `.aichor-answers.yaml` text: enough to replay the run with `--answers`.
fn record(answers: &Answers, pack: &Pack) -> Result<String> {
    #[derive(Serialize)]
    #[serde(rename_all = "kebab-case")]
    struct Record<'a> {
        aichor_version: &'a str,
        pack: String,
        /// Where the pack came from, so a replay finds it (absent for the built-in pack).
        #[serde(skip_serializing_if = "Option::is_none")]
        template: Option<&'a str>,
        #[serde(skip_serializing_if = "Option::is_none")]
        commit: Option<&'a str>,
        answers: yaml_serde::Mapping,
    }
    let body = yaml_serde::to_string(&Record {
        aichor_version: env!("CARGO_PKG_VERSION"),
        pack: pack.id(),
        template: (pack.source != "builtin").then_some(pack.source.as_str()),
        commit: pack.commit.as_deref(),
        answers: answers_mapping(answers),
    })
    .map_err(|e| Error::Render {
        template: ANSWERS_FILE.into(),
        message: e.to_string(),
    })?;
    Ok(format!(
        "# Answers that generated this project. Replay them with:\n#   aichor local-repo init <dir> --answers {ANSWERS_FILE} --no-input\n{body}"
    ))
}

/// The pack's next steps, rendered; empty lines (steps whose condition is false) dropped.
fn next_steps(
    pack: &Pack,
    engine: &Engine,
    ctx: &Context,
    dest: &Path,
    locked: bool,
) -> Result<Vec<String>> {
    let mut tctx = tera::Context::from_serialize(ctx).map_err(|e| Error::Render {
        template: "next-steps".into(),
        message: e.to_string(),
    })?;
    let cd = if dest == Path::new(".") {
        String::new()
    } else {
        shell_quote(&dest.display().to_string())
    };
    tctx.insert("cd", &cd);
    tctx.insert("locked", &locked);
    let mut out = Vec::new();
    for step in &pack.next_steps {
        let line = engine.render_str("next-steps in pack.toml", step, &tctx)?;
        if !line.trim().is_empty() {
            out.push(line.trim().to_string());
        }
    }
    Ok(out)
}

/// Quote a path for a POSIX shell when it needs it.
fn shell_quote(s: &str) -> String {
    if s.chars()
        .all(|c| c.is_ascii_alphanumeric() || "-_./".contains(c))
    {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

/// What the interactive run shows before asking to write.
fn summary(report: &Report, ctx: &Context) -> String {
    let mut s = format!(
        "\n{} `{}` · {} · {} container(s) · Python {} · TensorBoard {}\n  {}\n\nWill write into `{}`:\n",
        ctx.operator,
        ctx.profile,
        ctx.resources.summary(),
        ctx.workers,
        ctx.python,
        if ctx.tensorboard { "on" } else { "off" },
        ctx.operator_description,
        report.destination,
    );
    for f in &report.files {
        // Replacing a file the user has is the one action to shout about.
        let action = match f.action {
            Action::Overwrite => "OVERWRITE",
            other => other.as_str(),
        };
        s.push_str(&format!("  {action:<9} {}\n", f.path));
    }
    s
}
