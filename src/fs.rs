//! Filesystem steps shared by the commands that write, kept undoable: what a run creates it
//! can remove again when it fails or is interrupted.

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::interrupt;

/// `mkdir -p dir`, returning the folders it created (outermost first) so a failure can
/// remove them again; each is registered for removal on Ctrl-C.
pub fn create_dirs(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut missing = Vec::new();
    let mut cur = Some(dir);
    while let Some(p) = cur {
        if p.as_os_str().is_empty() || p.exists() {
            break;
        }
        missing.push(p.to_path_buf());
        cur = p.parent();
    }
    missing.reverse();
    for (i, dir) in missing.iter().enumerate() {
        interrupt::register(dir.clone());
        if let Err(e) = fs_err::create_dir(dir) {
            remove_created(&missing[..i]);
            return Err(Error::io(dir, "cannot be created", e));
        }
    }
    Ok(missing)
}

/// Remove folders `create_dirs` made (innermost first); a folder that is no longer empty
/// stays, since something else now lives in it.
pub fn remove_created(dirs: &[PathBuf]) {
    for d in dirs.iter().rev() {
        let _ = fs_err::remove_dir(d);
    }
}

/// An exclusive advisory lock on a folder, held until dropped: one `aichor` writes into a
/// folder at a time. Waits (a commit takes milliseconds) but gives up on a signal.
pub struct DirLock {
    #[cfg(unix)]
    _file: std::fs::File,
}

impl DirLock {
    #[cfg(unix)]
    pub fn acquire(dir: &Path) -> Result<DirLock> {
        // Opening a folder read-only is allowed on Unix, and flock works on it.
        let file = fs_err::File::open(dir)
            .map_err(|e| Error::io(dir, "cannot be locked", e))?
            .into_parts()
            .0;
        loop {
            match file.try_lock() {
                Ok(()) => return Ok(DirLock { _file: file }),
                Err(std::fs::TryLockError::WouldBlock) => {
                    interrupt::check()?;
                    std::thread::sleep(std::time::Duration::from_millis(10));
                }
                Err(std::fs::TryLockError::Error(e)) => {
                    return Err(Error::io(dir, "cannot be locked", e));
                }
            }
        }
    }

    /// Elsewhere, no lock: the re-inspection under `apply` still refuses most races.
    #[cfg(not(unix))]
    pub fn acquire(_: &Path) -> Result<DirLock> {
        Ok(DirLock {})
    }
}
