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
