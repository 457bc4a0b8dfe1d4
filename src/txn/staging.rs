//! Staging folders: where a project is written before it is moved into its destination,
//! the journal that makes that move undoable, and the recovery of staging folders a crash
//! (`kill -9`, a power cut) left behind.
//!
//! A staging folder `.aichor-staging-*` sits beside its destination (same filesystem, so
//! moves are renames) and holds `project/` (the new files), `replaced/` (the destination's
//! files set aside while the commit runs) and `journal` (JSON, written and synced before the
//! first change to the destination). Its writer holds a lock on it: one that is not locked
//! was abandoned, and the next `aichor` run puts things back:
//! - no journal, or a `journal.done`: the destination was not touched, or is complete; the
//!   staging folder is removed;
//! - a `journal`: the commit was cut short; every move it lists is undone (files set aside
//!   go back, new files and folders go), leaving the destination exactly as it was.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::txn::fs::{DirLock, Fs};

/// Name prefix of staging folders (and of `migrate --write`'s temporary files).
pub const PREFIX: &str = ".aichor-staging-";

/// What a commit will do to its destination, written before it starts.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Journal {
    /// The destination, absolute.
    pub dest: PathBuf,
    /// The destination did not exist: the commit is one rename of `project/`.
    pub new: bool,
    /// Files moved in, in order, and whether each replaced one.
    pub moves: Vec<(String, bool)>,
    /// Folders the commit creates in the destination, outermost first.
    pub dirs: Vec<String>,
    /// Files the commit removes (set aside in `replaced/`, after the moves).
    #[serde(default)]
    pub removed: Vec<String>,
}

/// A staging folder, removed when dropped unless kept.
pub struct Staging<'f> {
    fs: &'f dyn Fs,
    path: PathBuf,
    /// Held for the staging folder's life: recovery leaves locked (live) ones alone.
    lock: Option<DirLock>,
    kept: bool,
}

impl<'f> Staging<'f> {
    /// A new, private staging folder in `parent`, made and locked while holding `parent`'s
    /// lock: `recover` takes that lock too, so it never sees a staging folder between its
    /// creation and its lock and takes it for abandoned (two inits racing for one folder
    /// did: one removed the other's new staging folder).
    pub fn create(fs: &'f dyn Fs, parent: &Path) -> Result<Staging<'f>> {
        static N: AtomicU64 = AtomicU64::new(0);
        let _creating = DirLock::acquire(parent)?;
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        let name = format!(
            "{PREFIX}{}-{}-{nanos:x}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        );
        let path = parent.join(name);
        fs.create_dir(&path)
            .map_err(|e| Error::io(parent, "cannot hold a staging directory", e))?;
        let mut staging = Staging {
            fs,
            path,
            lock: None,
            kept: false,
        };
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            fs.set_permissions(&staging.path, std::fs::Permissions::from_mode(0o700))
                .map_err(|e| Error::io(&staging.path, "cannot be made private", e))?;
        }
        staging.lock = DirLock::try_acquire(&staging.path)?;
        crate::interrupt::register(staging.path.clone());
        Ok(staging)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Keep the folder (it holds files the user needs back) and return its path.
    pub fn keep(mut self) -> PathBuf {
        self.kept = true;
        self.path.clone()
    }

    /// Write the journal durably; the destination may be changed only after this returns.
    pub fn write_journal(&self, journal: &Journal) -> Result<()> {
        let text = serde_json::to_vec_pretty(journal)
            .map_err(|e| Error::internal("the commit journal cannot be written", e))?;
        let tmp = self.path.join("journal.tmp");
        let at = self.path.join("journal");
        let io = |e| Error::io(&at, "cannot be written", e);
        self.fs.write(&tmp, &text).map_err(io)?;
        self.fs.sync(&tmp).map_err(io)?;
        self.fs.rename(&tmp, &at).map_err(io)?;
        self.fs.sync(&self.path).map_err(io)
    }

    /// The commit is whole: recovery must not undo it.
    pub fn mark_done(&self) -> Result<()> {
        let at = self.path.join("journal");
        self.fs
            .rename(&at, &self.path.join("journal.done"))
            .map_err(|e| Error::io(&at, "cannot be written", e))
    }
}

impl Drop for Staging<'_> {
    fn drop(&mut self) {
        if !self.kept {
            let _ = self.fs.remove_dir_all(&self.path);
        }
    }
}

/// Undo a commit that `journal` describes, from the staging folder `staging`. `Err` lists
/// the files that could not be put back (they are still in `staging/replaced`).
pub fn roll_back(
    fs: &dyn Fs,
    staging: &Path,
    journal: &Journal,
) -> std::result::Result<(), Vec<String>> {
    let (dest, project, replaced) = (
        &journal.dest,
        staging.join("project"),
        staging.join("replaced"),
    );
    if journal.new {
        // One rename: undone by the reverse one, if it happened.
        if dest.exists() && !project.exists() && fs.rename(dest, &project).is_err() {
            return Err(vec![dest.display().to_string()]);
        }
        return Ok(());
    }
    let mut left = Vec::new();
    for rel in journal.removed.iter().rev() {
        let (at, backup) = (dest.join(rel), replaced.join(rel));
        if backup.exists() && !at.exists() && fs.rename(&backup, &at).is_err() {
            left.push(rel.clone());
        }
    }
    for (rel, existed) in journal.moves.iter().rev() {
        let (at, staged, backup) = (dest.join(rel), project.join(rel), replaced.join(rel));
        let ours_in_place = if *existed {
            backup.exists() && at.exists()
        } else {
            !staged.exists() && at.exists()
        };
        if ours_in_place {
            if let Some(dir) = staged.parent() {
                let _ = crate::txn::fs::create_dirs(fs, dir);
            }
            let _ = fs.rename(&at, &staged).or_else(|_| fs.remove_file(&at));
        }
        if *existed && backup.exists() && fs.rename(&backup, &at).is_err() {
            left.push(rel.clone());
        }
    }
    for dir in journal.dirs.iter().rev() {
        let _ = fs.remove_dir(&dest.join(dir));
    }
    if left.is_empty() { Ok(()) } else { Err(left) }
}

/// Put back what abandoned staging folders in `dir` were doing; one line per folder, saying
/// what was done, for the user.
pub fn recover(fs: &dyn Fs, dir: &Path) -> Vec<String> {
    // A writer is creating a staging folder or committing here: look again next run.
    let Ok(Some(_scanning)) = DirLock::try_acquire(dir) else {
        return Vec::new();
    };
    let Ok(entries) = fs_err::read_dir(dir) else {
        return Vec::new();
    };
    let mut found: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with(PREFIX))
        })
        .collect();
    found.sort();
    let mut said = Vec::new();
    for path in found {
        if path.is_file() {
            // `migrate --write`'s temporary file: the rename is atomic, so the manifest is
            // whole either way.
            if fs.remove_file(&path).is_ok() {
                said.push(format!(
                    "removed `{}`, left by an interrupted write",
                    path.display()
                ));
            }
            continue;
        }
        // Locked: a live writer owns it.
        if !matches!(DirLock::try_acquire(&path), Ok(Some(_))) {
            continue;
        }
        let journal = fs_err::read(path.join("journal"))
            .ok()
            .and_then(|t| serde_json::from_slice::<Journal>(&t).ok());
        let done = path.join("journal.done").exists();
        match journal {
            Some(journal) => match roll_back(fs, &path, &journal) {
                Ok(()) => {
                    let _ = fs.remove_dir_all(&path);
                    said.push(format!(
                        "`{}` is back as it was before an interrupted write",
                        journal.dest.display()
                    ));
                }
                Err(left) => said.push(format!(
                    "could not put back {} in `{}`: the originals are in `{}`",
                    left.join(", "),
                    journal.dest.display(),
                    path.join("replaced").display()
                )),
            },
            None => {
                if fs.remove_dir_all(&path).is_ok() {
                    said.push(format!(
                        "removed `{}`, left by an interrupted write ({})",
                        path.display(),
                        if done {
                            "the write had completed"
                        } else {
                            "nothing of it had been moved in"
                        }
                    ));
                }
            }
        }
    }
    said
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::txn::fs::RealFs;

    /// A staging folder between its creation and its own lock looks abandoned; recovery must
    /// wait while the folder holding it is locked (as `create` locks it meanwhile).
    #[test]
    fn recovery_leaves_a_folder_alone_while_a_writer_holds_it() {
        let tmp = tempfile::tempdir().unwrap();
        let fresh = tmp.path().join(format!("{PREFIX}1-0-0"));
        fs_err::create_dir(&fresh).unwrap();
        let held = DirLock::acquire(tmp.path()).unwrap();
        assert!(recover(&RealFs, tmp.path()).is_empty());
        assert!(fresh.is_dir(), "removed while its folder was locked");
        drop(held);
        let said = recover(&RealFs, tmp.path());
        assert_eq!(said.len(), 1, "{said:?}");
        assert!(!fresh.exists());
    }

    /// `create` returns a locked folder: recovery, run meanwhile, leaves it alone.
    #[test]
    fn a_new_staging_folder_is_locked_at_once() {
        let tmp = tempfile::tempdir().unwrap();
        let staging = Staging::create(&RealFs, tmp.path()).unwrap();
        assert!(recover(&RealFs, tmp.path()).is_empty());
        assert!(staging.path().is_dir());
    }
}
