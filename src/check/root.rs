//! Finding the repository a path is in, the way git finds `.git`: the nearest folder, from
//! the path upward, that has `aichor_manifests/`, `.git` or `.aichor-answers.yaml`.

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::layout::{self, RootMarks};

/// The repository root at or above `path`.
pub fn find_root(path: &Path) -> Result<PathBuf> {
    let absolute =
        std::path::absolute(path).map_err(|e| Error::io(path, "cannot be resolved", e))?;
    if !absolute.exists() {
        return Err(Error::NotARepository { path: path.into() });
    }
    layout::find_root(&absolute, RootMarks::ANY)
        .ok_or_else(|| Error::NotARepository { path: path.into() })
}

/// The git root above `root` when `root` itself is not one: AIchor reads `aichor_manifests/`
/// at the root of the repository it clones, so a project in a subfolder is not seen.
pub(super) fn enclosing_git_root(root: &Path) -> Option<PathBuf> {
    if root.join(".git").exists() {
        return None;
    }
    layout::find_root(root.parent()?, RootMarks::GIT)
}
