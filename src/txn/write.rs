//! Write stage, the only code that touches the destination: conflict policy, then every file
//! is written into a staging directory beside the destination and moved into place, so an
//! error or Ctrl-C leaves either the whole project or nothing.

use std::path::{Path, PathBuf};

use serde::Serialize;

use super::plan::Plan;
use crate::error::{Error, Result};
use crate::interrupt;
use crate::txn::fs::Fs;
use crate::txn::staging::{Journal, Staging};

/// What writing a file does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    Create,
    Overwrite,
    /// Merged into the existing file (see `merge`).
    Merge,
    /// An existing file left as it is (the user's `uv.lock`, unless `--lock`).
    Keep,
}

impl Action {
    /// The word reports use (the JSON report's value).
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Create => "create",
            Action::Overwrite => "overwrite",
            Action::Merge => "merge",
            Action::Keep => "keep",
        }
    }
}

/// The state of the destination before writing.
#[derive(Debug, Clone)]
pub struct Inspection {
    /// The destination exists and holds something.
    pub non_empty: bool,
    /// Action per planned file, in plan order.
    pub actions: Vec<Action>,
    /// Current text of existing files that are merged rather than replaced.
    pub existing: std::collections::BTreeMap<String, String>,
}

impl Inspection {
    pub fn overwritten(&self, plan: &Plan) -> Vec<String> {
        plan.files
            .iter()
            .zip(&self.actions)
            .filter(|(_, a)| **a == Action::Overwrite)
            .map(|(f, _)| f.path.clone())
            .collect()
    }
}

/// Whether the folder holds anything besides `.git`: a freshly cloned empty repository
/// (`git clone <url> && cd repo && aichor local-repo init .`) is as good as an empty folder.
fn has_content(dir: &Path) -> std::io::Result<bool> {
    for entry in fs_err::read_dir(dir)? {
        if entry?.file_name() != ".git" {
            return Ok(true);
        }
    }
    Ok(false)
}

/// Look at the destination without changing it.
pub fn inspect(plan: &Plan, dest: &Path) -> Result<Inspection> {
    let non_empty = match fs_err::metadata(dest) {
        Ok(m) if !m.is_dir() => return Err(Error::DestinationNotDir { path: dest.into() }),
        Ok(_) => has_content(dest).map_err(|e| Error::io(dest, "cannot be read", e))?,
        Err(_) => false,
    };
    let mut actions = Vec::with_capacity(plan.files.len());
    let mut existing = std::collections::BTreeMap::new();
    for f in &plan.files {
        if !probe(dest, &f.path)?.exists {
            actions.push(Action::Create);
        } else if crate::layout::merged_not_replaced(&f.path) {
            let target = dest.join(&f.path);
            let text = fs_err::read_to_string(&target)
                .map_err(|e| Error::io(&target, "cannot be read", e))?;
            existing.insert(f.path.clone(), text);
            actions.push(Action::Merge);
        } else {
            actions.push(Action::Overwrite);
        }
    }
    Ok(Inspection {
        non_empty,
        actions,
        existing,
    })
}

/// What stands at one planned path of the destination.
struct Probe {
    /// A file is there (it will be merged or replaced).
    exists: bool,
    /// Folders on the way that do not exist yet, outermost first (`a`, `a/b`).
    missing_dirs: Vec<String>,
}

/// Walk `rel` inside `dest`, refusing what writing it would trip over: a symlink (it could
/// lead outside the destination), a file where a folder is needed, a folder where the file
/// goes. Used when inspecting, and again under the lock just before committing.
fn probe(dest: &Path, rel: &str) -> Result<Probe> {
    let components: Vec<&str> = rel.split('/').collect();
    let mut cur = dest.to_path_buf();
    let mut found = Probe {
        exists: false,
        missing_dirs: Vec::new(),
    };
    for (i, c) in components.iter().enumerate() {
        cur.push(c);
        let last = i + 1 == components.len();
        match fs_err::symlink_metadata(&cur) {
            Err(_) => {
                if !last {
                    found.missing_dirs.push(components[..=i].join("/"));
                }
            }
            Ok(m) if m.file_type().is_symlink() => {
                return Err(Error::UnsafePath {
                    path: cur.display().to_string(),
                    reason: "it is a symlink in the destination; writing through it could leave the destination".into(),
                });
            }
            Ok(m) if last && m.is_dir() => return Err(Error::FolderInTheWay { path: cur }),
            Ok(m) if !last && !m.is_dir() => return Err(Error::PathBlocked { path: cur }),
            Ok(_) => found.exists = last,
        }
    }
    Ok(found)
}

/// What `apply` may find at the destination when it commits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Consent {
    /// Only a new or empty folder (what the inspection saw; anything else means another
    /// process got there first).
    EmptyOnly,
    /// A non-empty folder too (`--force`, or the user said yes).
    NonEmpty,
}

/// Write `plan` into `dest`: staged beside it, then committed so that an error, a signal
/// or a concurrent `aichor` leaves either the whole project or the destination exactly as
/// it was (and a crash, a staging folder the next run puts back: see `staging`).
///
/// `finish` runs on the staged project before it is moved into place (e.g. `uv lock`) and
/// returns the relative paths of any files it added, which are moved in with the rest.
pub fn apply(
    fs: &dyn Fs,
    plan: &Plan,
    dest: &Path,
    consent: Consent,
    finish: &mut dyn FnMut(&Path) -> Result<Vec<String>>,
) -> Result<()> {
    apply_changes(fs, plan, &[], dest, consent, finish)
}

/// `apply`, also removing the files `removed` (relative paths) from `dest` in the same
/// commit: `update` drops files the new pack version no longer has, all or nothing with the
/// rest.
pub fn apply_changes(
    fs: &dyn Fs,
    plan: &Plan,
    removed: &[String],
    dest: &Path,
    consent: Consent,
    finish: &mut dyn FnMut(&Path) -> Result<Vec<String>>,
) -> Result<()> {
    interrupt::writing(|| {
        let created_parents = create_parents(fs, dest)?;
        let result = stage_and_commit(fs, plan, removed, dest, consent, finish);
        if result.is_err() {
            crate::txn::fs::remove_created(fs, &created_parents);
        }
        interrupt::clear();
        result
    })
}

/// Create missing ancestors of `dest` (like `mkdir -p`), returning those we created so a
/// failure can remove them again.
fn create_parents(fs: &dyn Fs, dest: &Path) -> Result<Vec<PathBuf>> {
    match dest.parent() {
        Some(parent) => crate::txn::fs::create_dirs(fs, parent),
        None => Ok(Vec::new()),
    }
}

fn stage_and_commit(
    fs: &dyn Fs,
    plan: &Plan,
    removed: &[String],
    dest: &Path,
    consent: Consent,
    finish: &mut dyn FnMut(&Path) -> Result<Vec<String>>,
) -> Result<()> {
    // The real parent (for `.`, the folder above it): staging inside the destination would
    // be part of what is written.
    let absolute =
        std::path::absolute(dest).map_err(|e| Error::io(dest, "cannot be resolved", e))?;
    let parent = absolute
        .parent()
        .ok_or_else(|| Error::DestinationNotDir {
            path: dest.to_path_buf(),
        })?
        .to_path_buf();
    // A sibling of the destination, so the final moves are renames on one filesystem.
    let staging = Staging::create(fs, &parent)?;
    // The project folder is created inside the private staging folder so it gets the
    // user's normal permissions when moved into place.
    let root = staging.path().join("project");
    fs.create_dir(&root)
        .map_err(|e| Error::io(&root, "cannot be created", e))?;
    for f in &plan.files {
        interrupt::check()?;
        let target = root.join(&f.path);
        if let Some(dir) = target.parent() {
            crate::txn::fs::create_dirs(fs, dir)?;
        }
        fs.write(&target, &f.contents)
            .map_err(|e| Error::io(&target, "cannot be written", e))?;
        if f.executable {
            make_executable(fs, &target)?;
        }
    }
    let added = finish(&root)?;
    interrupt::check()?;
    let paths: Vec<&str> = plan
        .files
        .iter()
        .map(|f| f.path.as_str())
        .chain(added.iter().map(String::as_str))
        .collect();
    // One writer per folder at a time: two inits into the same new folder must not both
    // succeed, each replacing the other's files.
    let _lock = crate::txn::fs::DirLock::acquire(&parent)?;
    let dest_state = has_content(dest);
    let journal = match dest_state {
        Err(_) => Journal {
            dest: absolute.clone(),
            new: true,
            moves: Vec::new(),
            dirs: Vec::new(),
            removed: Vec::new(),
        },
        Ok(true) if consent == Consent::EmptyOnly => {
            return Err(Error::DestinationChanged {
                path: dest.to_path_buf(),
            });
        }
        Ok(_) => {
            let mut journal = plan_moves(&absolute, &paths)?;
            for rel in removed {
                if probe(&absolute, rel)?.exists {
                    journal.removed.push(rel.clone());
                }
            }
            journal
        }
    };
    staging.write_journal(&journal)?;
    // Until the journal is marked done, a failure (marking it included) undoes the commit.
    match commit(fs, &staging, &journal).and_then(|()| staging.mark_done()) {
        Ok(()) => Ok(()),
        Err(e) => match crate::txn::staging::roll_back(fs, staging.path(), &journal) {
            Ok(()) => Err(e),
            Err(left) => {
                // The originals are in the staging folder: keep it, and say where.
                let kept = staging.keep();
                Err(Error::RollbackFailed {
                    path: dest.to_path_buf(),
                    backup: kept.join("replaced"),
                    left,
                    cause: Box::new(e),
                })
            }
        },
    }
}

/// The moves into an existing folder, after checking every path: a file where a folder is
/// needed (or the reverse), or a symlink, fails here, before any change.
fn plan_moves(dest: &Path, paths: &[&str]) -> Result<Journal> {
    let mut moves = Vec::new();
    let mut dirs: Vec<String> = Vec::new();
    for rel in paths {
        let found = probe(dest, rel)?;
        for dir in found.missing_dirs {
            if !dirs.contains(&dir) {
                dirs.push(dir);
            }
        }
        moves.push(((*rel).to_string(), found.exists));
    }
    Ok(Journal {
        dest: dest.to_path_buf(),
        new: false,
        moves,
        dirs,
        removed: Vec::new(),
    })
}

/// Carry out the journal's moves. A signal during the commit still wins: the caller rolls
/// everything back.
fn commit(fs: &dyn Fs, staging: &Staging<'_>, journal: &Journal) -> Result<()> {
    let (root, backup) = (
        staging.path().join("project"),
        staging.path().join("replaced"),
    );
    let dest = &journal.dest;
    if journal.new {
        interrupt::check()?;
        fs.rename(&root, dest)
            .map_err(|e| Error::io(dest, "cannot be created", e))?;
        return interrupt::check();
    }
    for dir in &journal.dirs {
        interrupt::check()?;
        let at = dest.join(dir);
        fs.create_dir(&at)
            .map_err(|e| Error::io(&at, "cannot be created", e))?;
    }
    for (rel, existed) in &journal.moves {
        interrupt::check()?;
        let to = dest.join(rel);
        if *existed {
            let keep = backup.join(rel);
            if let Some(dir) = keep.parent() {
                crate::txn::fs::create_dirs(fs, dir)?;
            }
            fs.rename(&to, &keep)
                .map_err(|e| Error::io(&to, "cannot be set aside", e))?;
        }
        fs.rename(&root.join(rel), &to)
            .map_err(|e| Error::io(&to, "cannot be written", e))?;
    }
    // Removed files are set aside like replaced ones, so a rollback puts them back.
    for rel in &journal.removed {
        interrupt::check()?;
        let (at, keep) = (dest.join(rel), backup.join(rel));
        if let Some(dir) = keep.parent() {
            crate::txn::fs::create_dirs(fs, dir)?;
        }
        fs.rename(&at, &keep)
            .map_err(|e| Error::io(&at, "cannot be removed", e))?;
    }
    interrupt::check()
}

/// Add the executable bits wherever the file is readable (`chmod +x` under the umask's
/// choice of the rest).
#[cfg(unix)]
fn make_executable(fs: &dyn Fs, path: &Path) -> Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let mode = fs_err::metadata(path)
        .map_err(|e| Error::io(path, "cannot be read", e))?
        .permissions()
        .mode();
    let perms = std::fs::Permissions::from_mode(mode | ((mode & 0o444) >> 2));
    fs.set_permissions(path, perms)
        .map_err(|e| Error::io(path, "cannot be made executable", e))
}

#[cfg(not(unix))]
#[allow(clippy::unnecessary_wraps)] // the Unix version's signature: it can fail
fn make_executable(_: &dyn Fs, _: &Path) -> Result<()> {
    Ok(())
}

#[cfg(all(test, unix))]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    use super::*;
    use crate::txn::plan::PlannedFile;

    #[test]
    fn executable_files_get_the_executable_bits_and_others_do_not() {
        let tmp = tempfile::tempdir().unwrap();
        let dest = tmp.path().join("proj");
        let file = |path: &str, executable| PlannedFile {
            path: path.into(),
            executable,
            contents: b"#!/bin/sh\n".to_vec(),
        };
        let plan = Plan {
            files: vec![file("run.sh", true), file("notes.txt", false)],
        };
        apply(
            &crate::txn::fs::RealFs,
            &plan,
            &dest,
            Consent::EmptyOnly,
            &mut |_| Ok(Vec::new()),
        )
        .unwrap();
        let mode = |p: &str| fs_err::metadata(dest.join(p)).unwrap().permissions().mode();
        assert_eq!(mode("run.sh") & 0o111, 0o111 & (mode("run.sh") >> 2));
        assert_ne!(mode("run.sh") & 0o100, 0, "owner can run it");
        assert_eq!(mode("notes.txt") & 0o111, 0);
    }
}

/// What may happen to the destination.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum WritePolicy {
    /// Write into a new or empty folder; a non-empty one needs the user's confirmation.
    #[default]
    Ask,
    /// `--force`: write into a non-empty folder (mergeable files merged, others replaced).
    Force,
}
/// One file of the report.
#[derive(Debug, Serialize)]
pub struct FileReport {
    pub path: String,
    pub action: Action,
    pub bytes: usize,
}
