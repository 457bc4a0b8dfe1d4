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
}

impl Action {
    /// The word reports use (the JSON report's value).
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Create => "create",
            Action::Overwrite => "overwrite",
            Action::Merge => "merge",
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

/// Write `plan` into `dest`. The caller has already obtained consent for a non-empty
/// destination (`--force` or a confirmation).
///
/// `finish` runs on the staged project before it is moved into place (e.g. `uv lock`) and
/// returns the relative paths of any files it added, which are moved in with the rest.
pub fn apply(plan: &Plan, dest: &Path, finish: &mut dyn FnMut(&Path) -> Vec<String>) -> Result<()> {
    let created_parents = create_parents(dest)?;
    let result = stage_and_commit(plan, dest, finish);
    if result.is_err() {
        crate::fs::remove_created(&created_parents);
    }
    interrupt::clear();
    result
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
    finish: &mut dyn FnMut(&Path) -> Vec<String>,
) -> Result<()> {
    let parent = match dest.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    // A sibling of the destination, so the final moves are renames on one filesystem.
    let staging = tempfile::Builder::new()
        .prefix(".aichor-staging-")
        .tempdir_in(&parent)
        .map_err(|e| Error::io(&parent, "cannot hold a staging directory", e))?;
    interrupt::register(staging.path().to_path_buf());
    // The project folder is created inside the (private, 0700) temp dir so it gets the
    // user's normal permissions when moved into place.
    let root = staging.path().join("project");
    fs_err::create_dir(&root).map_err(|e| Error::io(&root, "cannot be created", e))?;
    for f in &plan.files {
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
    let added = finish(&root);
    let paths: Vec<&str> = plan
        .files
        .iter()
        .map(|f| f.path.as_str())
        .chain(added.iter().map(String::as_str))
        .collect();
    interrupt::while_committing(|| commit(&paths, &root, dest))
}

/// Move the staged project into place: one rename for a new or empty destination, one rename
/// per file when writing into an existing project.
fn commit(paths: &[&str], root: &Path, dest: &Path) -> Result<()> {
    let dest_exists = dest.exists();
    if dest_exists && fs_err::read_dir(dest).is_ok_and(|mut d| d.next().is_none()) {
        fs_err::remove_dir(dest).map_err(|e| Error::io(dest, "cannot be replaced", e))?;
    }
    if !dest.exists() {
        return fs_err::rename(root, dest).map_err(|e| Error::io(dest, "cannot be created", e));
    }
    for path in paths {
        let from = root.join(path);
        let to = dest.join(path);
        if let Some(dir) = to.parent() {
            fs_err::create_dir_all(dir).map_err(|e| Error::io(dir, "cannot be created", e))?;
        }
        fs_err::rename(&from, &to).map_err(|e| Error::io(&to, "cannot be written", e))?;
    }
    Ok(())
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
        apply(&plan, &dest, &mut |_| Vec::new()).unwrap();
        let mode = |p: &str| fs_err::metadata(dest.join(p)).unwrap().permissions().mode();
        assert_eq!(mode("run.sh") & 0o111, 0o111 & (mode("run.sh") >> 2));
        assert_ne!(mode("run.sh") & 0o100, 0, "owner can run it");
        assert_eq!(mode("notes.txt") & 0o111, 0);
    }
}
