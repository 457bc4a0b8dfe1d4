//! Finding the repository a path is in, the way git finds `.git`: the nearest folder, from
//! the path upward, that has `aichor_manifests/`, `.git` or `.aichor-answers.yaml`.

use crate::layout::ANSWERS_FILE;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::manifest::repo::MANIFESTS_DIR;

/// The repository root at or above `path`.
pub fn find_root(path: &Path) -> Result<PathBuf> {
    let absolute =
        std::path::absolute(path).map_err(|e| Error::io(path, "cannot be resolved", e))?;
    if !absolute.exists() {
        return Err(Error::NotARepository { path: path.into() });
    }
    absolute
        .ancestors()
        .find(|dir| is_root(dir))
        .map(Path::to_path_buf)
        .ok_or_else(|| Error::NotARepository { path: path.into() })
}

fn is_root(dir: &Path) -> bool {
    dir.join(MANIFESTS_DIR).is_dir()
        || dir.join(".git").exists()
        || dir.join(ANSWERS_FILE).is_file()
}

/// The git root above `root` when `root` itself is not one: AIchor reads `aichor_manifests/`
/// at the root of the repository it clones, so a project in a subfolder is not seen.
pub(super) fn enclosing_git_root(root: &Path) -> Option<PathBuf> {
    if root.join(".git").exists() {
        return None;
    }
    root.ancestors()
        .skip(1)
        .find(|d| d.join(".git").exists())
        .map(Path::to_path_buf)
}
