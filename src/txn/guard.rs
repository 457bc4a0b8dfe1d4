//! What a transaction keeps of the user's: the permissions of the files it replaces, and
//! files changed while the command ran (never overwritten with what was computed from their
//! old contents).

use std::collections::BTreeMap;
use std::path::Path;

use super::fs::Fs;
use super::plan::Plan;
use crate::error::{Error, Result};

/// Give each staged file written over one of the user's that file's permissions (a script
/// made executable, a private file), plus the executable bits the pack asks for.
#[cfg(unix)]
pub fn keep_modes(
    fs: &dyn Fs,
    project: &Path,
    root: &Path,
    plan: &Plan,
    modes: &BTreeMap<String, String>,
) -> Result<()> {
    use std::os::unix::fs::PermissionsExt;
    for f in &plan.files {
        let Some(from) = modes.get(&f.path) else {
            continue;
        };
        let Ok(meta) = fs_err::symlink_metadata(project.join(from)) else {
            continue;
        };
        let mut mode = meta.permissions().mode() & 0o7777;
        if f.executable {
            mode |= (mode & 0o444) >> 2;
        }
        let at = root.join(&f.path);
        fs.set_permissions(&at, std::fs::Permissions::from_mode(mode))
            .map_err(|e| Error::io(&at, "cannot be given the original's permissions", e))?;
    }
    Ok(())
}

#[cfg(not(unix))]
pub fn keep_modes(
    _: &dyn Fs,
    _: &Path,
    _: &Path,
    _: &Plan,
    _: &BTreeMap<String, String>,
) -> Result<()> {
    Ok(())
}

/// A path's bytes on disk (`None`: nothing, or not a plain file).
pub fn on_disk(project: &Path, path: &str) -> Result<Option<Vec<u8>>> {
    Ok(match read_ours(project, path)? {
        OnDisk::File(bytes) => Some(bytes),
        OnDisk::Absent | OnDisk::Other => None,
    })
}

/// Refuse to commit over a file that changed since `command` read it (the user saved it
/// while `uv lock` ran, or a second aichor got there first): what was computed from its
/// old contents would silently replace the new ones.
pub fn unchanged_since_read(
    project: &Path,
    seen: &BTreeMap<String, Option<Vec<u8>>>,
    command: &'static str,
) -> Result<()> {
    for (path, before) in seen {
        let changed = match read_ours(project, path)? {
            OnDisk::File(bytes) => before.as_ref() != Some(&bytes),
            OnDisk::Absent => before.is_some(),
            OnDisk::Other => true,
        };
        if changed {
            return Err(Error::ChangedMeanwhile {
                path: project.join(path),
                command,
            });
        }
    }
    Ok(())
}

/// What stands at a path of the project.
pub enum OnDisk {
    Absent,
    File(Vec<u8>),
    /// A symlink or a folder, or a path inside a linked folder: not ours to touch.
    Other,
}

/// What stands at `path` (relative, `/`-separated) in `project`. A folder on the way that is
/// a symlink (`src/<package>` linked to code kept elsewhere) makes it `Other`: reading or
/// writing through the link would reach outside the project.
pub fn read_ours(project: &Path, path: &str) -> Result<OnDisk> {
    let mut dir = project.to_path_buf();
    let parents = path.split('/').filter(|c| !c.is_empty());
    for component in parents.clone().take(parents.count().saturating_sub(1)) {
        dir.push(component);
        match fs_err::symlink_metadata(&dir) {
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::NotFound | std::io::ErrorKind::NotADirectory
                ) =>
            {
                return Ok(OnDisk::Absent);
            }
            Err(e) => return Err(Error::io(&dir, "cannot be read", e)),
            Ok(m) if m.is_symlink() => return Ok(OnDisk::Other),
            // A file where a folder would be: nothing at the path.
            Ok(m) if !m.is_dir() => return Ok(OnDisk::Absent),
            Ok(_) => {}
        }
    }
    let at = project.join(path);
    match fs_err::symlink_metadata(&at) {
        // Nothing there (or a file where a folder on the way was): absent. Anything else
        // (a folder that cannot be read) is not taken for a deletion.
        Err(e)
            if matches!(
                e.kind(),
                std::io::ErrorKind::NotFound | std::io::ErrorKind::NotADirectory
            ) =>
        {
            Ok(OnDisk::Absent)
        }
        Err(e) => Err(Error::io(&at, "cannot be read", e)),
        Ok(m) if m.is_file() => fs_err::read(&at)
            .map(OnDisk::File)
            .map_err(|e| Error::io(&at, "cannot be read", e)),
        Ok(_) => Ok(OnDisk::Other),
    }
}
