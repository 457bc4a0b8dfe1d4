//! `aichor local-repo init`: the pipeline answers → context → plan → disk, one stage per
//! module. Only `answers` asks, only `write` touches the destination; `run` strings the
//! steps together (collect, plan, confirm, write with lock, report) and prints nothing but
//! progress: the binary's presenter prints the report.

pub mod settings;
pub mod snapshot;

use crate::layout::UV_LOCK;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::error::{Error, Result};
use crate::generate::context::Context;
use crate::generate::lock;
pub use crate::generate::lock::Outcome as LockOutcome;
use crate::generate::questions::{Answers, FlagStyle, Questions};
use crate::generate::render::Engine;
use crate::generate::{Project, answers, build, merge};
use crate::git::{has_remote, repository as git_repository};
use crate::layout::{ANSWERS_FILE, PYPROJECT};
use crate::pack::{Pack, PackInfo};
use crate::printer::Printer;
use crate::prompt::Prompter;
use crate::shell::shell_quote;
use crate::txn::fs::Fs;
use crate::txn::write;
pub use crate::txn::{Action, Consent, FileReport, inspect, write_changes, write_plan};
use settings::{InitSettings, LockPolicy, WritePolicy};

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
    /// Existing files the project's content was merged into (the user's values kept).
    #[serde(skip)]
    pub merged: Vec<String>,
    /// Existing files that were (or, in a dry run, would be) replaced.
    #[serde(skip)]
    pub overwritten: Vec<String>,
    /// What happened to `uv.lock`.
    #[serde(skip)]
    pub lock: LockOutcome,
    /// The user asked for the lock (`--lock`): a skipped lock is worth a warning.
    #[serde(skip)]
    pub lock_required: bool,
}

/// The project as it will land in its destination: existing files merged, each file's
/// action known.
struct Staged {
    project: Project,
    dest: PathBuf,
    inspection: write::Inspection,
}

/// Run `init`. `prompter` is `Some` only when a user can answer; `progress` shows the long
/// steps (`uv lock`) while they run.
pub fn run(
    settings: &InitSettings,
    prompter: Option<&mut dyn Prompter>,
    progress: &Printer,
) -> Result<Report> {
    run_with(settings, prompter, progress, &crate::txn::fs::RealFs)
}

/// `run`, with every change to the filesystem made through `fs` (tests inject failures).
pub fn run_with(
    settings: &InitSettings,
    mut prompter: Option<&mut dyn Prompter>,
    progress: &Printer,
    fs: &dyn Fs,
) -> Result<Report> {
    // Asked for explicitly, a lock that cannot happen fails before any question or write.
    if settings.lock == LockPolicy::Required && !settings.dry_run {
        lock::find_uv(&settings.env).map_err(|why| Error::UvMissing { why })?;
    }
    if settings.refresh
        && let Some(spec) = settings.pack_spec()
    {
        crate::pack::source::refresh(spec, &settings.env)?;
    }
    let pack = match (
        &settings.pack,
        &settings.answers.template,
        &settings.answers.commit,
    ) {
        // Replaying a record of a git pack: the recorded commit, not wherever the ref moved.
        (None, Some(spec), Some(commit)) if crate::pack::source::is_git(spec) => {
            if let Some(now) = crate::pack::source::ref_moved(spec, commit) {
                progress.warn(&format!(
                    "`{spec}` now points at {now}; using the recorded commit {commit} (pass `--template {spec}` for what it points at now)"
                ));
            }
            Pack::load_at(spec, commit, &settings.env)?
        }
        _ => Pack::load(settings.pack_spec(), &settings.env)?,
    };
    progress.verbose(&format!(
        "pack {} {} ({}{})",
        pack.info.name,
        pack.info.version,
        pack.source,
        pack.commit
            .as_deref()
            .map(|c| format!(" at {c}"))
            .unwrap_or_default()
    ));
    let questions = Questions {
        pack: &pack,
        flags: FlagStyle::Init,
    };
    let provided = settings.answers_with_defaults(&questions.keys());
    let answers = answers::collect_for(
        &questions,
        &provided,
        prompter.as_deref_mut(),
        settings.no_prompt,
        progress,
    )?;
    let project = build(&pack, &answers)?;
    let dest = settings
        .destination
        .clone()
        .unwrap_or_else(|| PathBuf::from(&project.ctx.names.name));
    let staged = stage(project, dest)?;
    same_project_name(&staged)?;
    confirm_destination(&staged, settings.write, prompter.as_deref_mut())?;
    let mut report = report(&staged, &pack, &answers, settings);
    plan_lock_file(&mut report, &staged.dest, settings.lock);
    if let Some(p) = prompter
        && !settings.dry_run
    {
        confirm_files(&report, &staged.project.ctx, p)?;
    }
    // Everything is rendered before the first write, next steps included (both variants:
    // whether uv locks is only known once it ran), so a broken template fails with nothing
    // written.
    let Project { ctx, engine, .. } = &staged.project;
    let [unlocked, locked] =
        [false, true].map(|locked| next_steps(&pack, engine, ctx, &staged.dest, locked));
    let (unlocked, locked) = (unlocked?, locked?);
    if !settings.dry_run {
        report.lock = write(&staged, settings, progress, fs)?;
        if report.lock == LockOutcome::Locked {
            add_lock_file(&mut report, &staged.dest);
        }
    }
    report.next_steps = if report.locked { locked } else { unlocked };
    Ok(report)
}

/// Look at the destination and merge the project into the files the user already has there.
fn stage(mut project: Project, dest: PathBuf) -> Result<Staged> {
    let inspection = write::inspect(&project.plan, &dest)?;
    for f in &mut project.plan.files {
        if let Some(theirs) = inspection.existing.get(&f.path) {
            let ours = String::from_utf8_lossy(&f.contents);
            let merged = merge::merge(&f.path, theirs, &ours).map_err(|source| Error::Merge {
                path: dest.join(&f.path),
                source,
            })?;
            f.contents = merged.into_bytes();
        }
    }
    Ok(Staged {
        project,
        dest,
        inspection,
    })
}

/// A non-empty destination needs `--force` or, in a terminal, the user's yes.
fn confirm_destination(
    staged: &Staged,
    policy: WritePolicy,
    prompter: Option<&mut (dyn Prompter + '_)>,
) -> Result<()> {
    if !staged.inspection.non_empty || policy != WritePolicy::Ask {
        return Ok(());
    }
    let dest = &staged.dest;
    let Some(p) = prompter else {
        return Err(Error::DestinationNotEmpty { path: dest.clone() });
    };
    let overwritten = staged.inspection.overwritten(&staged.project.plan);
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
    if p.confirm(&question, false).map_err(Error::from_prompt)? {
        Ok(())
    } else {
        Err(Error::Aborted)
    }
}

/// In a terminal: show what will be written and ask before writing it.
fn confirm_files(report: &Report, ctx: &Context, p: &mut (dyn Prompter + '_)) -> Result<()> {
    p.show(&summary(report, ctx));
    let n = report
        .files
        .iter()
        .filter(|f| f.action != Action::Keep)
        .count();
    if p.confirm(&format!("Write these {n} files?"), true)
        .map_err(Error::from_prompt)?
    {
        Ok(())
    } else {
        Err(Error::Aborted)
    }
}

/// Write the staged project, running `uv lock` on it first as the policy says.
fn write(
    staged: &Staged,
    settings: &InitSettings,
    progress: &Printer,
    fs: &dyn Fs,
) -> Result<LockOutcome> {
    let existing = existing_lock(&staged.dest);
    let mut outcome = match (settings.lock, &existing) {
        (LockPolicy::Skip, _) => LockOutcome::Skipped("--no-lock".into()),
        (LockPolicy::Auto, Some(_)) => LockOutcome::Kept,
        _ => LockOutcome::Skipped(String::new()),
    };
    let mut finish = |root: &Path| -> Result<Vec<String>> {
        if matches!(outcome, LockOutcome::Kept) || settings.lock == LockPolicy::Skip {
            return Ok(Vec::new());
        }
        // Into an existing folder (`--lock` over an existing lock, `--force`): uv starts
        // from the user's pins, as `uv lock` in the project would.
        let project = staged.dest.is_dir().then_some(staged.dest.as_path());
        outcome = lock::relock(fs, &settings.env, progress, project, root)?;
        Ok(if outcome == LockOutcome::Locked {
            vec![UV_LOCK.to_string()]
        } else {
            Vec::new()
        })
    };
    // The user agreed to a non-empty destination (`--force`, or a yes at the prompt) only
    // if it was non-empty when inspected, or said so up front.
    let consent = if settings.write == WritePolicy::Force || staged.inspection.non_empty {
        write::Consent::NonEmpty
    } else {
        write::Consent::EmptyOnly
    };
    write::apply(fs, &staged.project.plan, &staged.dest, consent, &mut finish)?;
    Ok(outcome)
}

/// Into an existing project (`--force`), the project's own `[project].name` must be the one
/// answered: the merged `pyproject.toml` keeps the user's name, so a package rendered under
/// another name (`src/hf/` beside `name = "my-app"`) is one `uv build` cannot find.
fn same_project_name(staged: &Staged) -> Result<()> {
    let path = staged.dest.join(PYPROJECT);
    let Ok(text) = fs_err::read_to_string(&path) else {
        return Ok(());
    };
    let Ok(doc) = text.parse::<toml_edit::DocumentMut>() else {
        // A broken file is reported by the merge, with its position.
        return Ok(());
    };
    let Some(theirs) = doc
        .get("project")
        .and_then(|p| p.get("name"))
        .and_then(toml_edit::Item::as_str)
    else {
        return Ok(());
    };
    let ours = &staged.project.ctx.names;
    let suggested = crate::names::normalize(theirs);
    if suggested == ours.distribution {
        return Ok(());
    }
    Err(Error::ProjectNameMismatch {
        path,
        suggested,
        theirs: theirs.to_string(),
        ours: ours.name.clone(),
        package: ours.package.clone(),
    })
}

/// The report before anything is written.
fn report(staged: &Staged, pack: &Pack, answers: &Answers, settings: &InitSettings) -> Report {
    let plan = &staged.project.plan;
    let inspection = &staged.inspection;
    Report {
        destination: staged.dest.display().to_string(),
        dry_run: settings.dry_run,
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
        answers: answers.to_mapping(),
        answers_file: ANSWERS_FILE.into(),
        locked: false,
        next_steps: Vec::new(),
        merged: inspection.existing.keys().cloned().collect(),
        overwritten: inspection.overwritten(plan),
        lock: LockOutcome::Skipped("dry run".into()),
        lock_required: settings.lock == LockPolicy::Required,
    }
}

/// The destination's `uv.lock`, if it has one.
fn existing_lock(dest: &Path) -> Option<PathBuf> {
    let lock = dest.join(UV_LOCK);
    lock.is_file().then_some(lock)
}

fn file_size(path: &Path) -> usize {
    fs_err::metadata(path).map_or(0, |m| usize::try_from(m.len()).unwrap_or(usize::MAX))
}

/// `uv.lock` in the report before writing: what happens to the user's lock, if there is one
/// (kept, or updated with `--lock`).
fn plan_lock_file(report: &mut Report, dest: &Path, policy: LockPolicy) {
    if let Some(lock) = existing_lock(dest) {
        report.files.push(FileReport {
            path: UV_LOCK.into(),
            action: if policy == LockPolicy::Required {
                Action::Overwrite
            } else {
                Action::Keep
            },
            bytes: file_size(&lock),
        });
        report.files.sort_by(|a, b| a.path.cmp(&b.path));
    }
}

/// Once uv wrote `uv.lock`: the report says so, with its size (replacing the entry that said
/// an existing lock would be updated).
fn add_lock_file(report: &mut Report, dest: &Path) {
    report.locked = true;
    let bytes = file_size(&dest.join(UV_LOCK));
    if let Some(f) = report.files.iter_mut().find(|f| f.path == UV_LOCK) {
        f.bytes = bytes;
        return;
    }
    report.files.push(FileReport {
        path: UV_LOCK.into(),
        action: Action::Create,
        bytes,
    });
    report.files.sort_by(|a, b| a.path.cmp(&b.path));
}

/// The pack's next steps, rendered; empty lines (steps whose condition is false) dropped.
pub(crate) fn next_steps(
    pack: &Pack,
    engine: &Engine,
    ctx: &Context,
    dest: &Path,
    locked: bool,
) -> Result<Vec<String>> {
    let mut tctx = ctx.tera_context()?;
    let cd = if dest == Path::new(".") {
        String::new()
    } else {
        shell_quote(&dest.display().to_string())
    };
    tctx.insert("cd", &cd);
    tctx.insert("locked", &locked);
    // AIchor reads `aichor_manifests/` at the root of the repository it clones: a project
    // inside another repository (not at its root) needs its own, so only a repository
    // rooted at the destination counts.
    let enclosing = git_repository(dest);
    let own = enclosing.as_deref().filter(|_| dest.join(".git").exists());
    tctx.insert("git_repo", &own.is_some());
    tctx.insert("git_remote", &own.is_some_and(has_remote));
    let parent = match (&enclosing, own) {
        (Some(root), None) => root.display().to_string(),
        _ => String::new(),
    };
    tctx.insert("git_parent", &parent);
    let mut out = Vec::new();
    for step in &pack.next_steps {
        let line = engine.render_str("next-steps in pack.toml", step, &tctx)?;
        if !line.trim().is_empty() {
            out.push(line.trim().to_string());
        }
    }
    Ok(out)
}

/// What the interactive run shows before asking to write.
fn summary(report: &Report, ctx: &Context) -> String {
    use crate::operator::Operator;
    let size = match (ctx.operator, ctx.accelerator) {
        (Operator::Kuberay, "tpu") => format!("{} TPU slice(s)", ctx.workers),
        (Operator::Kuberay, _) => format!("{} Ray worker pod(s)", ctx.workers),
        (Operator::Jobset, _) => format!(
            "{} job(s) × {} pod(s)",
            ctx.workers,
            ctx.extra
                .get("completions")
                .and_then(serde_json::Value::as_u64)
                .unwrap_or(1)
        ),
        _ => format!("{} container(s)", ctx.workers),
    };
    let mut s = format!(
        "\n{} `{}` · {} · {size} · Python {} · TensorBoard {}\n  {}\n\nWill write into `{}`:\n",
        ctx.operator,
        ctx.profile,
        ctx.resources.summary(),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_quoted_only_when_needed() {
        assert_eq!(shell_quote("a/b-c_d.e"), "a/b-c_d.e");
        assert_eq!(shell_quote("my dir"), "'my dir'");
        assert_eq!(shell_quote("it's"), r"'it'\''s'");
    }
}
