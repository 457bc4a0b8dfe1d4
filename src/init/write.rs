//! Write stage, the only code that touches the destination: conflict policy, then every file
//! is written into a staging directory beside the destination and moved into place, so an
//! error or Ctrl-C leaves either the whole project or nothing.

use std::path::{Path, PathBuf};

use serde::Serialize;

use super::render::Plan;
use crate::error::{Error, Result};
use crate::interrupt;

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

/// Look at the destination without changing it.
pub fn inspect(plan: &Plan, dest: &Path) -> Result<Inspection> {
    let non_empty = match fs_err::metadata(dest) {
        Ok(m) if !m.is_dir() => return Err(Error::DestinationNotDir { path: dest.into() }),
        Ok(_) => fs_err::read_dir(dest)
            .map_err(|e| Error::io(dest, "cannot be read", e))?
            .next()
            .is_some(),
        Err(_) => false,
    };
    let mut actions = Vec::with_capacity(plan.files.len());
    let mut existing = std::collections::BTreeMap::new();
    for f in &plan.files {
        refuse_symlinks(dest, &f.path)?;
        let target = dest.join(&f.path);
        match fs_err::symlink_metadata(&target) {
            Ok(m) if m.is_dir() => {
                return Err(Error::DestinationNotDir { path: target });
            }
            Ok(_) if super::merge::mergeable(&f.path) => {
                let text = fs_err::read_to_string(&target)
                    .map_err(|e| Error::io(&target, "cannot be read", e))?;
                existing.insert(f.path.clone(), text);
                actions.push(Action::Merge);
            }
            Ok(_) => actions.push(Action::Overwrite),
            Err(_) => actions.push(Action::Create),
        }
    }
    Ok(Inspection {
        non_empty,
        actions,
        existing,
    })
}

/// Refuse to write through a symlink inside the destination: it could lead outside it.
fn refuse_symlinks(dest: &Path, rel: &str) -> Result<()> {
    let mut cur = dest.to_path_buf();
    for component in rel.split('/') {
        cur.push(component);
        match fs_err::symlink_metadata(&cur) {
            Ok(m) if m.file_type().is_symlink() => {
                return Err(Error::UnsafePath {
                    path: cur.display().to_string(),
                    reason: "it is a symlink in the destination; writing through it could leave the destination".into(),
                });
            }
            Ok(_) => {}
            Err(_) => break,
        }
    }
    Ok(())
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
/// it was.
///
/// `finish` runs on the staged project before it is moved into place (e.g. `uv lock`) and
/// returns the relative paths of any files it added, which are moved in with the rest.
pub fn apply(
    plan: &Plan,
    dest: &Path,
    consent: Consent,
    finish: &mut dyn FnMut(&Path) -> Result<Vec<String>>,
) -> Result<()> {
    interrupt::writing(|| {
        let created_parents = create_parents(dest)?;
        let result = stage_and_commit(plan, dest, consent, finish);
        if result.is_err() {
            crate::fs::remove_created(&created_parents);
        }
        result
    })
}

/// Create missing ancestors of `dest` (like `mkdir -p`), returning those we created so a
/// failure can remove them again.
fn create_parents(dest: &Path) -> Result<Vec<PathBuf>> {
    match dest.parent() {
        Some(parent) => crate::fs::create_dirs(parent),
        None => Ok(Vec::new()),
    }
}

fn stage_and_commit(
    plan: &Plan,
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
    let staging = tempfile::Builder::new()
        .prefix(".aichor-staging-")
        .tempdir_in(&parent)
        .map_err(|e| Error::io(&parent, "cannot hold a staging directory", e))?;
    // The project folder is created inside the (private, 0700) temp dir so it gets the
    // user's normal permissions when moved into place.
    let root = staging.path().join("project");
    fs_err::create_dir(&root).map_err(|e| Error::io(&root, "cannot be created", e))?;
    for f in &plan.files {
        interrupt::check()?;
        let target = root.join(&f.path);
        if let Some(dir) = target.parent() {
            fs_err::create_dir_all(dir).map_err(|e| Error::io(dir, "cannot be created", e))?;
        }
        fs_err::write(&target, &f.contents)
            .map_err(|e| Error::io(&target, "cannot be written", e))?;
        if f.executable {
            make_executable(&target)?;
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
    let _lock = crate::fs::DirLock::acquire(&parent)?;
    let dest_state = fs_err::read_dir(dest).map(|mut d| d.next().is_some());
    match dest_state {
        Err(_) => commit_new(&root, dest),
        Ok(true) if consent == Consent::EmptyOnly => Err(Error::DestinationChanged {
            path: dest.to_path_buf(),
        }),
        Ok(_) => {
            let backup = staging.path().join("replaced");
            let mut tx = Commit::new(&root, dest, &backup);
            match tx.run(&paths) {
                Ok(()) => Ok(()),
                Err(e) => match tx.roll_back() {
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
    }
}

/// A new destination: one rename of the whole staged project. A signal that arrived while
/// it ran undoes it.
fn commit_new(root: &Path, dest: &Path) -> Result<()> {
    interrupt::check()?;
    fs_err::rename(root, dest).map_err(|e| Error::io(dest, "cannot be created", e))?;
    if let Err(e) = interrupt::check() {
        let _ = fs_err::rename(dest, root);
        return Err(e);
    }
    Ok(())
}

/// Moving staged files into an existing folder, one by one, keeping what each replaces so
/// the whole commit can be undone.
struct Commit<'a> {
    root: &'a Path,
    dest: &'a Path,
    backup: &'a Path,
    /// Folders created in the destination, in creation order.
    created_dirs: Vec<PathBuf>,
    /// Files moved in, in order, and whether each replaced one (now under `backup`).
    moved: Vec<(String, bool)>,
}

impl<'a> Commit<'a> {
    fn new(root: &'a Path, dest: &'a Path, backup: &'a Path) -> Commit<'a> {
        Commit {
            root,
            dest,
            backup,
            created_dirs: Vec::new(),
            moved: Vec::new(),
        }
    }

    fn run(&mut self, paths: &[&str]) -> Result<()> {
        // Every path is checked before the first change: a file where a folder is needed
        // (or the reverse) fails here, with nothing touched.
        for path in paths {
            self.check_path(path)?;
        }
        for path in paths {
            interrupt::check()?;
            self.move_in(path)?;
        }
        // A signal during the last move still wins: everything is undone.
        interrupt::check()
    }

    fn check_path(&self, rel: &str) -> Result<()> {
        let mut cur = self.dest.to_path_buf();
        let components: Vec<&str> = rel.split('/').collect();
        for (i, c) in components.iter().enumerate() {
            cur.push(c);
            let last = i + 1 == components.len();
            match fs_err::symlink_metadata(&cur) {
                Err(_) => return Ok(()),
                Ok(m) if m.file_type().is_symlink() => {
                    return Err(Error::UnsafePath {
                        path: cur.display().to_string(),
                        reason: "it is a symlink in the destination; writing through it could leave the destination".into(),
                    });
                }
                Ok(m) if last && m.is_dir() => {
                    return Err(Error::DestinationNotDir { path: cur });
                }
                Ok(m) if !last && !m.is_dir() => {
                    return Err(Error::PathBlocked { path: cur });
                }
                Ok(_) => {}
            }
        }
        Ok(())
    }

    fn move_in(&mut self, rel: &str) -> Result<()> {
        let to = self.dest.join(rel);
        if let Some(dir) = to.parent() {
            for created in crate::fs::create_dirs(dir)? {
                self.created_dirs.push(created);
            }
        }
        let replaces = to.exists();
        if replaces {
            let keep = self.backup.join(rel);
            if let Some(dir) = keep.parent() {
                fs_err::create_dir_all(dir).map_err(|e| Error::io(dir, "cannot be created", e))?;
            }
            fs_err::rename(&to, &keep).map_err(|e| Error::io(&to, "cannot be set aside", e))?;
        }
        // Recorded before the move: a failed move is undone like a done one.
        self.moved.push((rel.to_string(), replaces));
        fs_err::rename(self.root.join(rel), &to).map_err(|e| Error::io(&to, "cannot be written", e))
    }

    /// Undo every move, newest first; `Err` lists what could not be put back.
    fn roll_back(&mut self) -> std::result::Result<(), Vec<String>> {
        let mut left = Vec::new();
        for (rel, replaced) in self.moved.drain(..).rev() {
            let at = self.dest.join(&rel);
            if at.exists() {
                // Ours: back to the staging folder (deleted with it).
                let _ = fs_err::rename(&at, self.root.join(&rel));
            }
            if replaced && fs_err::rename(self.backup.join(&rel), &at).is_err() {
                left.push(rel);
            }
        }
        crate::fs::remove_created(&self.created_dirs);
        if left.is_empty() { Ok(()) } else { Err(left) }
    }
}

/// Add the executable bits wherever the file is readable (`chmod +x` under the umask's
/// choice of the rest).
#[cfg(unix)]
fn make_executable(path: &Path) -> Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let mode = fs_err::metadata(path)
        .map_err(|e| Error::io(path, "cannot be read", e))?
        .permissions()
        .mode();
    let perms = std::fs::Permissions::from_mode(mode | ((mode & 0o444) >> 2));
    fs_err::set_permissions(path, perms)
        .map_err(|e| Error::io(path, "cannot be made executable", e))
}

#[cfg(not(unix))]
fn make_executable(_: &Path) -> Result<()> {
    Ok(())
}

#[cfg(all(test, unix))]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    use super::*;
    use crate::init::render::PlannedFile;

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
        apply(&plan, &dest, Consent::EmptyOnly, &mut |_| Ok(Vec::new())).unwrap();
        let mode = |p: &str| fs_err::metadata(dest.join(p)).unwrap().permissions().mode();
        assert_eq!(mode("run.sh") & 0o111, 0o111 & (mode("run.sh") >> 2));
        assert_ne!(mode("run.sh") & 0o100, 0, "owner can run it");
        assert_eq!(mode("notes.txt") & 0o111, 0);
    }
}

#[cfg(all(test, unix))]
mod commit_tests {
    use super::*;

    /// A move that fails halfway undoes the ones before it: replaced files come back
    /// byte for byte, new files and folders go.
    #[test]
    fn a_failed_move_rolls_every_earlier_move_back() {
        let tmp = tempfile::tempdir().unwrap();
        let (root, dest, backup) = (
            tmp.path().join("root"),
            tmp.path().join("dest"),
            tmp.path().join("backup"),
        );
        for (dir, file, text) in [
            (&root, "README.md", "new"),
            (&root, "a/new.txt", "new"),
            (&dest, "README.md", "mine"),
            (&dest, "notes.txt", "mine"),
        ] {
            let p = dir.join(file);
            fs_err::create_dir_all(p.parent().unwrap()).unwrap();
            fs_err::write(p, text).unwrap();
        }
        let mut tx = Commit::new(&root, &dest, &backup);
        // `z/missing.txt` is not staged: its move fails after the two others were made.
        let err = tx
            .run(&["README.md", "a/new.txt", "z/missing.txt"])
            .unwrap_err();
        assert!(matches!(err, Error::Io { .. }), "{err}");
        tx.roll_back().unwrap();
        let mut names: Vec<_> = fs_err::read_dir(&dest)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        names.sort();
        assert_eq!(names, ["README.md", "notes.txt"]);
        assert_eq!(
            fs_err::read_to_string(dest.join("README.md")).unwrap(),
            "mine"
        );
    }

    #[test]
    fn a_file_where_a_folder_is_needed_fails_before_any_change() {
        let tmp = tempfile::tempdir().unwrap();
        let (root, dest) = (tmp.path().join("root"), tmp.path().join("dest"));
        fs_err::create_dir_all(root.join("src")).unwrap();
        fs_err::write(root.join("README.md"), "new").unwrap();
        fs_err::write(root.join("src/x.py"), "new").unwrap();
        fs_err::create_dir_all(&dest).unwrap();
        fs_err::write(dest.join("README.md"), "mine").unwrap();
        fs_err::write(dest.join("src"), "a file").unwrap();
        let backup = tmp.path().join("backup");
        let mut tx = Commit::new(&root, &dest, &backup);
        let err = tx.run(&["README.md", "src/x.py"]).unwrap_err();
        assert!(matches!(err, Error::PathBlocked { .. }), "{err}");
        assert_eq!(
            fs_err::read_to_string(dest.join("README.md")).unwrap(),
            "mine"
        );
        assert!(!backup.exists(), "nothing was set aside");
    }
}
