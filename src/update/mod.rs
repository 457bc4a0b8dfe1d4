//! `aichor local-repo update`: move a generated project to a newer pack version or to new
//! answers, keeping the user's edits. Three renders meet per file: the base (the recorded
//! pack version with the recorded answers, reproduced from `.aichor-answers.yaml`), theirs
//! (the new version with the new answers) and ours (the disk); `decide` picks each file's
//! outcome, and everything lands through init's transactional writer, all or nothing.

pub mod base;
pub mod decide;
pub mod record;

mod toml;
mod yaml;

use crate::environment::Environment;
use crate::layout::{PYPROJECT, UV_LOCK};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::error::{Error, NoPrompt, Origin, Result};
use crate::generate::answers::{self, ProvidedAnswers};
use crate::generate::lock::Outcome as LockOutcome;
use crate::generate::questions::{Answers, FlagStyle, Questions};
use crate::generate::recorded::{self, RecordedManifests};
use crate::generate::render::{Plan, PlannedFile};
use crate::generate::{Project, build, lock, text};
use crate::layout::{ANSWERS_FILE, MANIFESTS_DIR};
use crate::pack::Pack;
use crate::printer::{Format, Printer};
use crate::prompt::Prompter;
use crate::txn::fs::Fs;
use crate::txn::guard::{OnDisk, keep_modes, on_disk, read_ours, unchanged_since_read};
use crate::txn::{Consent, write_changes};
pub use decide::{ConflictStyle, Status};
use record::Record;

/// The command, as errors name it.
const UPDATE: &str = "local-repo update";

/// What `update` was asked to do, resolved from the command line by the binary.
#[derive(Debug, Default)]
pub struct UpdateSettings {
    /// The project folder.
    pub project: PathBuf,
    /// `--template`: the pack to move to; `None` means the recorded one (its new version).
    pub pack: Option<String>,
    /// `--answers` and `--set`: answers that replace the recorded ones.
    pub answers: ProvidedAnswers,
    pub dry_run: bool,
    /// `--refresh`: fetch a git pack's ref again instead of reusing its cached clone.
    pub refresh: bool,
    /// `--force`: run on a dirty git tree, merge into files that still have markers.
    pub force: bool,
    pub conflict: ConflictStyle,
    pub format: Format,
    /// When no one can be asked: why (for the error naming a missing answer). Whether
    /// someone can is the caller's to say, by passing a prompter or not.
    pub no_prompt: NoPrompt,
    /// The environment, read once by the binary (packs by name, the cache, uv,
    /// `AICHOR_<KEY>` defaults).
    pub env: Environment,
    /// The user's config file: its `[defaults]` answer questions the record does not (a
    /// pack version's new question), as they would in `init`.
    pub config: crate::config::Config,
}

/// What `update` did (or would do, with `--dry-run`): the `--format json` report.
#[derive(Debug, Serialize)]
pub struct Report {
    pub project: String,
    pub dry_run: bool,
    /// `name@version` before and after.
    pub from: String,
    pub to: String,
    /// Answers whose value changed, as `key`, old and new values.
    pub answers_changed: Vec<AnswerChange>,
    /// Recorded answers the new version refused (dropped, then asked or defaulted).
    pub answers_dropped: Vec<String>,
    /// Every file of either version, and the user's files they collide with.
    pub files: Vec<FileReport>,
    /// Files left with conflicts.
    pub conflicts: Vec<String>,
    /// Nothing to change: nothing was (or would be) written.
    pub up_to_date: bool,
    /// Packages whose locked version changed in `uv.lock` (`name old -> new`).
    pub lock_changes: Vec<String>,
    #[serde(skip)]
    pub lock: LockOutcome,
    /// Unified diffs of every change, for `--dry-run`'s text report.
    #[serde(skip)]
    pub diffs: Vec<String>,
}

/// One answer that changed.
#[derive(Debug, Serialize)]
pub struct AnswerChange {
    pub key: String,
    pub from: Option<String>,
    pub to: Option<String>,
}

/// One file of the report.
#[derive(Debug, Serialize)]
pub struct FileReport {
    pub path: String,
    pub status: Status,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

/// Run `update`. `prompter` is `Some` only when a user can answer.
pub fn run(
    settings: &UpdateSettings,
    prompter: Option<&mut dyn Prompter>,
    progress: &Printer,
) -> Result<Report> {
    run_with(settings, prompter, progress, &crate::txn::fs::RealFs)
}

/// `run`, with every change to the filesystem made through `fs` (tests inject failures).
pub fn run_with(
    settings: &UpdateSettings,
    prompter: Option<&mut dyn Prompter>,
    progress: &Printer,
    fs: &dyn Fs,
) -> Result<Report> {
    let project = &settings.project;
    let record = Record::read(project)?;
    // Before any prompt: a refusal after questions wastes the user's answers.
    if !settings.dry_run && !settings.force {
        crate::git::refuse_dirty(project, "update")?;
    }
    let old_pack = base::old(&record, &settings.env)?;
    let old_answers = answers::collect(
        &Questions {
            pack: &old_pack,
            flags: FlagStyle::SetOnly,
        },
        &record.answers,
        None,
    )?;
    if settings.refresh
        && let Some(spec) = settings.pack.as_deref().or(record.template.as_deref())
    {
        crate::pack::source::refresh(spec, &settings.env)?;
    }
    let new_pack = base::new(settings.pack.as_deref(), &record, &settings.env)?;
    let (new_answers, dropped) = new_answers(&new_pack, &record, settings, prompter, progress)?;
    let mut old = build(&old_pack, &old_answers)?;
    let mut new = build(&new_pack, &new_answers)?;
    // The manifests `manifest new` made are the project's too: rendered again on both sides.
    let manifests = Manifests {
        record: &record,
        old: (&old_pack, &old_answers),
        new: (&new_pack, &new_answers),
    };
    let (kept_manifests, recorded) = manifests.render(project, &mut old.plan, &mut new.plan);
    let labels = labels(&old_pack, &new_pack);
    let labels = text::Labels {
        base: &labels.0,
        new: &labels.1,
    };

    let mut changes = changes(
        project,
        &old,
        &new,
        &decide::Context {
            path: "",
            labels,
            style: settings.conflict,
            force: settings.force,
            project,
        },
    )?;
    changes.files.extend(kept_manifests);
    changes.add_record(&record, new_record(&new.plan, &recorded)?);
    let Changes {
        mut files,
        writes,
        removed,
        diffs,
        seen,
        modes,
    } = changes;
    files.sort_by(|a, b| a.path.cmp(&b.path));
    let conflicts = files
        .iter()
        .filter(|f| f.status == Status::Conflict)
        .map(|f| f.path.clone())
        .collect();
    let mut report = Report {
        project: project.display().to_string(),
        dry_run: settings.dry_run,
        from: record.pack_id(),
        to: new_pack.id(),
        answers_changed: answer_changes(&old_answers, &new_answers),
        answers_dropped: dropped,
        files,
        conflicts,
        up_to_date: writes.is_empty() && removed.is_empty(),
        lock_changes: Vec::new(),
        lock: LockOutcome::Skipped("dry run".into()),
        diffs,
    };
    if settings.dry_run || report.up_to_date {
        return Ok(report);
    }
    (report.lock, report.lock_changes) = write(
        fs,
        project,
        &Plan { files: writes },
        &removed,
        &Guards {
            seen: &seen,
            modes: &modes,
            env: &settings.env,
        },
        progress,
    )?;
    Ok(report)
}

/// Commit the changes, all or none; when `pyproject.toml` changes in a project with a
/// `uv.lock`, `uv lock` re-resolves it in the same commit.
fn write(
    fs: &dyn Fs,
    project: &Path,
    plan: &Plan,
    removed: &[String],
    guards: &Guards<'_>,
    progress: &Printer,
) -> Result<(LockOutcome, Vec<String>)> {
    let seen = guards.seen;
    let relock = plan.files.iter().any(|f| f.path == PYPROJECT) && project.join(UV_LOCK).is_file();
    let mut lock_outcome = LockOutcome::Skipped(String::new());
    let mut lock_changes = Vec::new();
    let mut finish = |root: &Path| -> Result<Vec<String>> {
        keep_modes(fs, project, root, plan, guards.modes)?;
        if !relock {
            unchanged_since_read(project, seen, UPDATE)?;
            return Ok(Vec::new());
        }
        let lock_before = on_disk(project, UV_LOCK)?;
        let (outcome, changes) = relock_in(fs, project, root, progress, guards.env)?;
        lock_outcome = outcome;
        lock_changes = changes;
        // uv can take minutes: whatever changed meanwhile is not overwritten.
        let mut seen = seen.clone();
        seen.insert(UV_LOCK.into(), lock_before);
        unchanged_since_read(project, &seen, UPDATE)?;
        Ok(if lock_outcome == LockOutcome::Locked {
            vec![UV_LOCK.to_string()]
        } else {
            Vec::new()
        })
    };
    write_changes(fs, plan, removed, project, Consent::NonEmpty, &mut finish)?;
    Ok((lock_outcome, lock_changes))
}

/// The new `.aichor-answers.yaml`: the new render's, with the manifests still recorded.
fn new_record(plan: &Plan, manifests: &RecordedManifests) -> Result<Vec<u8>> {
    let text = plan
        .files
        .iter()
        .find(|f| f.path == ANSWERS_FILE)
        .map(|f| String::from_utf8_lossy(&f.contents).into_owned())
        .unwrap_or_default();
    let text = recorded::with_manifests(&text, manifests);
    // Serialised, not merged; still, nothing `update` writes may fail to parse.
    yaml_serde::from_str::<yaml_serde::Value>(&text)
        .map_err(|e| Error::internal(format!("the new `{ANSWERS_FILE}` does not parse"), e))?;
    Ok(text.into_bytes())
}

/// The manifests `manifest new` recorded, and the two sides they are rendered for.
struct Manifests<'a> {
    record: &'a Record,
    old: (&'a Pack, &'a Answers),
    new: (&'a Pack, &'a Answers),
}

impl Manifests<'_> {
    /// Lay each recorded manifest's files (the manifest, its Dockerfile and starters, its
    /// dependency group in `pyproject.toml`) over both renders, so each is decided as the
    /// project's own files are. One that cannot be rendered on both sides (its answers no
    /// longer fit: a profile the new operator does not offer) is left as it is and said;
    /// one the user deleted is forgotten. The other manifests under `aichor_manifests/`
    /// (by hand, or from before manifests were recorded) are said too: update does not
    /// know what made them, so neither they nor their Dockerfiles are updated. Returns
    /// those reports and the manifests to keep recorded.
    fn render(
        &self,
        project: &Path,
        old: &mut Plan,
        new: &mut Plan,
    ) -> (Vec<FileReport>, RecordedManifests) {
        let mut reports = Vec::new();
        let mut kept = RecordedManifests::new();
        for (selector, manifest) in &self.record.manifests {
            let path = format!("{MANIFESTS_DIR}/{selector}");
            if matches!(read_ours(project, &path), Ok(OnDisk::Absent)) {
                continue;
            }
            kept.insert(selector.clone(), manifest.clone());
            let side = |(pack, answers): (&Pack, &Answers), plan: &Plan| {
                let files = plan
                    .files
                    .iter()
                    .map(|f| (f.path.clone(), f.contents.clone()))
                    .collect();
                crate::manifest_new::render_recorded(
                    pack, answers, &files, selector, manifest, project,
                )
            };
            match (side(self.old, old), side(self.new, new)) {
                (Ok(base), Ok(theirs)) => {
                    overlay(old, base);
                    overlay(new, theirs);
                }
                (Err(e), _) | (_, Err(e)) => reports.push(FileReport {
                    path,
                    status: Status::Kept,
                    detail: Some(format!(
                        "made by `manifest new`; left as it is, with its files, because it cannot be rendered for these answers: {e}"
                    )),
                }),
            }
        }
        for path in other_manifests(project, old, new, &self.record.manifests) {
            let dockerfile = fs_err::read_to_string(project.join(&path))
                .ok()
                .and_then(|text| yaml_serde::from_str::<yaml_serde::Value>(&text).ok())
                .and_then(|doc| {
                    doc.get("builder")?
                        .get("dockerfile")?
                        .as_str()
                        .map(|d| d.trim_start_matches("./").to_string())
                })
                .filter(|d| !new.files.iter().any(|f| &f.path == d) && project.join(d).is_file());
            reports.push(FileReport {
                path,
                status: Status::Kept,
                detail: Some(match dockerfile {
                    Some(d) => format!(
                        "not made by `init` or a recorded `manifest new`: neither it nor its `{d}` is updated"
                    ),
                    None => "not made by `init` or a recorded `manifest new`: not updated".into(),
                }),
            });
        }
        (reports, kept)
    }
}

/// `files` in `plan`, replacing the files at the same paths.
fn overlay(plan: &mut Plan, files: Vec<PlannedFile>) {
    for f in files {
        match plan.files.iter_mut().find(|p| p.path == f.path) {
            Some(p) => *p = f,
            None => plan.files.push(f),
        }
    }
}

/// The manifests under `aichor_manifests/` that neither render has and no record names.
fn other_manifests(
    project: &Path,
    old: &Plan,
    new: &Plan,
    recorded: &RecordedManifests,
) -> Vec<String> {
    let rendered = |path: &str| old.files.iter().chain(&new.files).any(|f| f.path == path);
    crate::layout::manifest_files(project)
        .into_iter()
        .filter_map(|(_, selector)| {
            let path = format!("{MANIFESTS_DIR}/{selector}");
            (!rendered(&path) && !recorded.contains_key(&selector)).then_some(path)
        })
        .collect()
}

/// What `write` checks and keeps of the user's files.
struct Guards<'a> {
    /// What each path written or removed held when it was read.
    seen: &'a BTreeMap<String, Option<Vec<u8>>>,
    /// Written path → the user's file whose permissions it keeps.
    modes: &'a BTreeMap<String, String>,
    /// Which uv re-locks (from the environment the command was given).
    env: &'a Environment,
}

/// Two answers records that differ at most in the aichor version that wrote them: a newer
/// binary alone is no reason to write anything.
fn same_record(a: &[u8], b: &[u8]) -> bool {
    // An editor's BOM and CRLF line endings (`lines` drops the `\r`) change nothing either.
    let strip = |t: &[u8]| {
        String::from_utf8_lossy(t.strip_prefix("\u{feff}".as_bytes()).unwrap_or(t))
            .lines()
            .filter(|l| !l.starts_with("aichor-version:"))
            .map(str::to_string)
            .collect::<Vec<_>>()
    };
    strip(a) == strip(b)
}

/// Every file's decision, and what carrying them out writes and removes.
struct Changes {
    files: Vec<FileReport>,
    writes: Vec<PlannedFile>,
    removed: Vec<String>,
    diffs: Vec<String>,
    /// What each path written or removed held when it was read (`None`: nothing): checked
    /// again just before the commit, so a file changed meanwhile is never overwritten.
    seen: BTreeMap<String, Option<Vec<u8>>>,
    /// Files written over (or moved from) one of the user's: written path → the user's
    /// path, whose permissions the new file keeps.
    modes: BTreeMap<String, String>,
}

impl Changes {
    /// The record goes with every change (and alone when only it differs, beyond the aichor
    /// version that wrote it): replaying it with `init` gives the pristine new version, which
    /// is the next update's base.
    fn add_record(&mut self, record: &Record, record_text: Vec<u8>) {
        let files_unchanged = self.writes.is_empty() && self.removed.is_empty();
        if files_unchanged && same_record(&record_text, record.text.as_bytes()) {
            return;
        }
        self.files.push(FileReport {
            path: ANSWERS_FILE.into(),
            status: Status::Updated,
            detail: None,
        });
        self.diffs
            .push(diff(ANSWERS_FILE, record.text.as_bytes(), &record_text));
        self.seen
            .insert(ANSWERS_FILE.into(), Some(record.text.clone().into_bytes()));
        self.modes.insert(ANSWERS_FILE.into(), ANSWERS_FILE.into());
        self.writes.push(PlannedFile {
            path: ANSWERS_FILE.into(),
            executable: false,
            contents: record_text,
        });
    }

    /// Carry out `decision` for the file at `path` (on disk: `ours`), which lands at `to`
    /// (another path when its package was renamed).
    fn add(
        &mut self,
        path: &str,
        to: &str,
        ours: Option<&[u8]>,
        executable: bool,
        decision: decide::Decision,
    ) {
        let is_move = to != path;
        // A moved file the decision leaves alone still moves, as the user has it.
        let contents = match (&decision.write, ours) {
            (Some(c), _) => Some(c.clone()),
            (None, Some(o)) if is_move && !decision.remove => Some(o.to_vec()),
            _ => None,
        };
        if let Some(contents) = contents {
            let before = if is_move {
                &[][..]
            } else {
                ours.unwrap_or_default()
            };
            self.diffs.push(diff(to, before, &contents));
            self.seen.insert(
                to.to_string(),
                (!is_move).then(|| ours.map(<[u8]>::to_vec)).flatten(),
            );
            if ours.is_some() {
                self.modes.insert(to.to_string(), path.to_string());
            }
            self.writes.push(PlannedFile {
                path: to.to_string(),
                executable,
                contents,
            });
        }
        if let Some(rej) = decision.rej {
            let rej_path = format!("{to}.rej");
            self.diffs.push(diff(&rej_path, &[], &rej));
            self.writes.push(PlannedFile {
                path: rej_path,
                executable: false,
                contents: rej,
            });
        }
        if decision.remove || (is_move && ours.is_some()) {
            self.diffs.push(diff(path, ours.unwrap_or_default(), &[]));
            self.seen.insert(path.to_string(), ours.map(<[u8]>::to_vec));
            self.removed.push(path.to_string());
        }
        if is_move && ours.is_some() {
            self.files.push(FileReport {
                path: path.to_string(),
                status: Status::Removed,
                detail: Some(format!("moved to {to}")),
            });
        }
        self.files.push(FileReport {
            path: to.to_string(),
            status: decision.status,
            detail: match (is_move, decision.detail) {
                (true, _) if ours.is_none() => Some(format!("you deleted {path}; not recreated")),
                (true, Some(d)) => Some(format!("moved from {path}; {d}")),
                (true, None) => Some(format!("moved from {path}")),
                (false, d) => d,
            },
        });
    }
}

/// Decide each path of either render against the disk (`cx` gives everything but the
/// path). A changed package name moves the files generated under `src/<package>/`: each is
/// decided against its old self (base and ours at the old path, theirs at the new one) and
/// lands at the new path, so the user's edits move with it instead of staying behind in a
/// leftover folder beside a fresh copy.
fn changes(
    project: &Path,
    old: &Project,
    new: &Project,
    cx: &decide::Context<'_>,
) -> Result<Changes> {
    let by_path = |plan: &Plan| {
        plan.files
            .iter()
            .filter(|f| f.path != ANSWERS_FILE)
            .map(|f| (f.path.clone(), f.clone()))
            .collect::<BTreeMap<_, _>>()
    };
    let (old_files, new_files) = (by_path(&old.plan), by_path(&new.plan));
    let moves = moves(project, old, new, &old_files, &new_files);
    let paths: BTreeSet<&String> = old_files.keys().chain(new_files.keys()).collect();
    let mut out = Changes {
        files: Vec::new(),
        writes: Vec::new(),
        removed: Vec::new(),
        diffs: Vec::new(),
        seen: BTreeMap::new(),
        modes: BTreeMap::new(),
    };
    for path in paths {
        if moves.values().any(|to| to == path) {
            continue; // decided with the path it moves from
        }
        let to = moves.get(path).unwrap_or(path);
        let ours = match read_ours(project, path)? {
            OnDisk::Absent => None,
            OnDisk::File(bytes) => Some(bytes),
            OnDisk::Other => {
                // Never written through; said when the new version differs there.
                let contents = |files: &BTreeMap<String, PlannedFile>, p: &str| {
                    files.get(p).map(|f| f.contents.clone())
                };
                if contents(&old_files, path) != contents(&new_files, to) {
                    let what = match linked_parent(project, path) {
                        Some(link) => format!("inside {link}, a symlink"),
                        None => "a symlink or a folder".into(),
                    };
                    out.files.push(FileReport {
                        path: path.clone(),
                        status: Status::Kept,
                        detail: Some(format!(
                            "{what}: not touched; the new version is not applied there"
                        )),
                    });
                }
                continue;
            }
        };
        let theirs = new_files.get(to);
        let decision = decide::decide(
            &decide::Sides {
                base: old_files.get(path).map(|f| f.contents.as_slice()),
                theirs: theirs.map(|f| f.contents.as_slice()),
                ours: ours.as_deref(),
            },
            &decide::Context {
                path: to,
                labels: text::Labels { ..cx.labels },
                ..*cx
            },
        )?;
        let rej_seen = match &decision.rej {
            Some(rej) => Some(refuse_existing_rej(project, to, rej)?),
            None => None,
        };
        let executable = theirs.is_some_and(|f| f.executable);
        out.add(path, to, ours.as_deref(), executable, decision);
        if let Some(seen) = rej_seen {
            out.seen.insert(format!("{to}.rej"), seen);
        }
    }
    // The user's own files in the old package folder are not ours to move: say so.
    if let Some((from, to)) = moves.iter().next() {
        let (old_dir, new_dir) = (parent_dir(from), parent_dir(to));
        for path in user_files(project, &old_dir, &old_files) {
            out.files.push(FileReport {
                detail: Some(format!(
                    "yours, left in the old package folder: move it to {new_dir}/"
                )),
                path,
                status: Status::Kept,
            });
        }
    }
    Ok(out)
}

/// A `FILE.rej` already in the project (the user's, or an earlier update's not yet looked
/// at) is never replaced: the update stops before writing anything. One that already holds
/// exactly the new version is fine. Returns what is there.
fn refuse_existing_rej(project: &Path, to: &str, rej: &[u8]) -> Result<Option<Vec<u8>>> {
    let rej_path = format!("{to}.rej");
    match read_ours(project, &rej_path)? {
        OnDisk::Absent => Ok(None),
        OnDisk::File(bytes) if bytes == rej => Ok(Some(bytes)),
        OnDisk::File(_) | OnDisk::Other => Err(Error::RejExists {
            path: project.join(rej_path),
            file: to.to_string(),
        }),
    }
}

/// The first folder on the way to `path` that is a symlink (`src/<package>` linked to code
/// kept elsewhere), relative to the project.
fn linked_parent(project: &Path, path: &str) -> Option<String> {
    let mut at = String::new();
    let (parents, _) = path.rsplit_once('/')?;
    for component in parents.split('/') {
        if !at.is_empty() {
            at.push('/');
        }
        at.push_str(component);
        if fs_err::symlink_metadata(project.join(&at)).is_ok_and(|m| m.is_symlink()) {
            return Some(at);
        }
    }
    None
}

fn parent_dir(path: &str) -> String {
    path.rsplit_once('/').map_or("", |(d, _)| d).to_string()
}

/// Files under `dir` (relative to the project) that no render generated.
fn user_files(project: &Path, dir: &str, generated: &BTreeMap<String, PlannedFile>) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_string()];
    while let Some(rel) = stack.pop() {
        let Ok(entries) = fs_err::read_dir(project.join(&rel)) else {
            continue;
        };
        for entry in entries.flatten() {
            let child = format!("{rel}/{}", entry.file_name().to_string_lossy());
            match entry.file_type() {
                Ok(t) if t.is_dir() && entry.file_name() != "__pycache__" => stack.push(child),
                Ok(t) if t.is_dir() => {}
                Ok(_) if !generated.contains_key(&child) => out.push(child),
                _ => {}
            }
        }
    }
    out.sort();
    out
}

/// Old path → new path for the files under `src/<package>/` when the package name changed
/// (only where the new path is new and the old one gone). A file the user deleted moves
/// too, so it is decided against its old self and stays deleted; one that is now a symlink
/// or a folder does not (it is never looked through).
fn moves(
    project: &Path,
    old: &Project,
    new: &Project,
    old_files: &BTreeMap<String, PlannedFile>,
    new_files: &BTreeMap<String, PlannedFile>,
) -> BTreeMap<String, String> {
    let (from, to) = (
        format!("src/{}/", old.ctx.names.package),
        format!("src/{}/", new.ctx.names.package),
    );
    if from == to {
        return BTreeMap::new();
    }
    old_files
        .keys()
        .filter_map(|p| {
            let q = format!("{to}{}", p.strip_prefix(&from)?);
            (new_files.contains_key(&q)
                && !old_files.contains_key(&q)
                && !new_files.contains_key(p)
                && matches!(read_ours(project, p), Ok(OnDisk::Absent | OnDisk::File(_)))
                && !project.join(&q).exists())
            .then(|| (p.clone(), q))
        })
        .collect()
}

/// Marker labels naming both pack versions; the same version twice (an answers-only
/// update) says which answers.
fn labels(old: &Pack, new: &Pack) -> (String, String) {
    let (old, new) = (old.id(), new.id());
    if old == new {
        (
            format!("pack {old} (old answers)"),
            format!("pack {new} (new answers)"),
        )
    } else {
        (format!("pack {old}"), format!("pack {new}"))
    }
}

/// The new answers: the recorded ones overridden by `--answers`/`--set`, through the same
/// validators as `init`. A recorded answer the new version refuses (a profile an operator
/// change ruled out, a question it dropped) is forgotten, then asked or defaulted; in a
/// terminal only those and the version's new questions are asked.
fn new_answers(
    pack: &Pack,
    record: &Record,
    settings: &UpdateSettings,
    prompter: Option<&mut dyn Prompter>,
    progress: &Printer,
) -> Result<(Answers, Vec<String>)> {
    let mut provided = record.answers.clone();
    for (key, p) in settings.answers.iter() {
        provided.insert(key, p.raw.clone(), p.origin.clone());
    }
    let recorded = |origin: &Origin| matches!(origin, Origin::AnswersFile(p) if *p == record.path);
    let questions = Questions {
        pack,
        flags: FlagStyle::SetOnly,
    };
    // A question the record does not answer (new in this pack version) takes the user's
    // default, as it would in `init`.
    let mut provided = answers::with_user_defaults(
        &provided,
        &questions.keys(),
        &settings.config,
        &settings.env,
    );
    // First, without asking anything, forget the recorded answers the new ones rule out: a
    // prompt in this loop would be asked again on every pass.
    // `check_up_front` walks past questions with no answer yet (new ones); `collect` also
    // refuses keys the new version dropped.
    let mut dropped = Vec::new();
    loop {
        let refusal = match answers::check_up_front(&questions, &provided) {
            Err(e) => e,
            Ok(()) => match answers::collect(&questions, &provided, None) {
                Err(e @ (Error::InvalidAnswer { .. } | Error::UnknownKey { .. })) => e,
                _ => break,
            },
        };
        match refusal {
            Error::InvalidAnswer { key, origin, .. } | Error::UnknownKey { key, origin, .. }
                if recorded(&origin) =>
            {
                provided.remove(&key);
                dropped.push(key);
            }
            other => return Err(other),
        }
    }
    for key in &dropped {
        progress.note(&format!(
            "note: the recorded `{key}` does not fit the new answers; {}",
            if prompter.is_some() {
                "asking again"
            } else {
                "taking its default"
            }
        ));
    }
    match answers::collect(&questions, &provided, prompter) {
        Err(Error::MissingAnswer { key, flag, .. }) => Err(Error::MissingAnswer {
            flag,
            key,
            why: settings.no_prompt,
        }),
        other => other.map(|a| (a, dropped)),
    }
}

fn answer_changes(old: &Answers, new: &Answers) -> Vec<AnswerChange> {
    let mut keys: Vec<&String> = Vec::new();
    for (k, _) in old.entries().iter().chain(new.entries()) {
        if !keys.contains(&k) {
            keys.push(k);
        }
    }
    keys.into_iter()
        .filter_map(|k| {
            let (from, to) = (
                old.get(k).map(crate::generate::questions::Value::display),
                new.get(k).map(crate::generate::questions::Value::display),
            );
            (from != to).then(|| AnswerChange {
                key: k.clone(),
                from,
                to,
            })
        })
        .collect()
}

/// A unified diff from `old` to `new`, headed by the path.
fn diff(path: &str, old: &[u8], new: &[u8]) -> String {
    let (old, new) = (String::from_utf8_lossy(old), String::from_utf8_lossy(new));
    let text = similar::TextDiff::from_lines(old.as_ref(), new.as_ref());
    text.unified_diff()
        .context_radius(3)
        .header(&format!("a/{path}"), &format!("b/{path}"))
        .to_string()
}

/// `uv lock` on the updated `pyproject.toml`, starting from the project's `uv.lock` so the
/// user's pins stay as preferences; returns what happened and the packages that changed.
fn relock_in(
    fs: &dyn Fs,
    project: &Path,
    root: &Path,
    progress: &Printer,
    env: &Environment,
) -> Result<(LockOutcome, Vec<String>)> {
    let lock = project.join(UV_LOCK);
    let outcome = lock::relock(fs, env, progress, Some(project), root)?;
    let changes = if outcome == LockOutcome::Locked {
        let before = fs_err::read_to_string(&lock).unwrap_or_default();
        let after = fs_err::read_to_string(root.join(UV_LOCK)).unwrap_or_default();
        lock_changes(&before, &after)
    } else {
        Vec::new()
    };
    Ok((outcome, changes))
}

/// Packages added, removed or moved to another version between two `uv.lock` texts.
fn lock_changes(before: &str, after: &str) -> Vec<String> {
    let versions = |text: &str| -> std::collections::BTreeMap<String, String> {
        let Ok(doc) = text.parse::<toml_edit::DocumentMut>() else {
            return std::collections::BTreeMap::new();
        };
        doc.get("package")
            .and_then(toml_edit::Item::as_array_of_tables)
            .map(|packages| {
                packages
                    .iter()
                    .filter_map(|p| {
                        Some((
                            p.get("name")?.as_str()?.to_string(),
                            p.get("version")
                                .and_then(toml_edit::Item::as_str)
                                .unwrap_or("")
                                .to_string(),
                        ))
                    })
                    .collect()
            })
            .unwrap_or_default()
    };
    let (old, new) = (versions(before), versions(after));
    let mut out = Vec::new();
    for (name, v) in &new {
        match old.get(name) {
            None => out.push(format!("{name} {v} (added)")),
            Some(o) if o != v => out.push(format!("{name} {o} -> {v}")),
            Some(_) => {}
        }
    }
    for (name, v) in &old {
        if !new.contains_key(name) {
            out.push(format!("{name} {v} (removed)"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    #[test]
    fn a_path_that_cannot_be_looked_at_is_not_taken_for_a_deleted_file() {
        let tmp = tempfile::tempdir().unwrap();
        // A link on the way is not looked through (a loop included).
        std::os::unix::fs::symlink("loop", tmp.path().join("loop")).unwrap();
        assert!(matches!(
            read_ours(tmp.path(), "loop/main.py"),
            Ok(OnDisk::Other)
        ));
        fs_err::create_dir(tmp.path().join("real")).unwrap();
        fs_err::write(tmp.path().join("real/main.py"), "x").unwrap();
        std::os::unix::fs::symlink("real", tmp.path().join("linked")).unwrap();
        assert!(matches!(
            read_ours(tmp.path(), "linked/main.py"),
            Ok(OnDisk::Other)
        ));
        assert!(matches!(
            read_ours(tmp.path(), "real/main.py"),
            Ok(OnDisk::File(_))
        ));
        assert!(matches!(
            read_ours(tmp.path(), "absent/main.py"),
            Ok(OnDisk::Absent)
        ));
        fs_err::write(tmp.path().join("file"), "x").unwrap();
        assert!(matches!(
            read_ours(tmp.path(), "file/main.py"),
            Ok(OnDisk::Absent)
        ));
    }

    #[test]
    fn lock_changes_name_each_package() {
        let before = "version = 1\n[[package]]\nname = \"a\"\nversion = \"1.0\"\n\n[[package]]\nname = \"b\"\nversion = \"2.0\"\n";
        let after = "version = 1\n[[package]]\nname = \"a\"\nversion = \"1.1\"\n\n[[package]]\nname = \"c\"\nversion = \"3.0\"\n";
        assert_eq!(
            lock_changes(before, after),
            ["a 1.0 -> 1.1", "c 3.0 (added)", "b 2.0 (removed)"]
        );
    }
}
