//! `uv lock` on the staged project, so `uv.lock` (which the Dockerfile installs from) is part
//! of the atomic write. Optional: without uv, or if it fails (offline, say), init still
//! succeeds and the next steps say to run it.

use std::path::{Path, PathBuf};
use std::process::Command;

/// What happened to the lock file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// `uv.lock` was written.
    Locked,
    /// Not attempted (why).
    Skipped(String),
    /// uv ran and failed (its last error line).
    Failed(String),
}

/// The uv program: `AICHOR_UV` if set (a pinned uv, or a test's stand-in), else `uv` from
/// PATH. `Err` names what was looked for.
pub(super) fn find_uv() -> Result<PathBuf, String> {
    if let Some(uv) = std::env::var_os("AICHOR_UV") {
        let path = PathBuf::from(&uv);
        return if path.is_file() {
            Ok(path)
        } else {
            Err(format!("`{}` (AICHOR_UV) does not exist", path.display()))
        };
    }
    which::which("uv").map_err(|_| "`uv` is not on PATH".to_string())
}

/// Run `uv` (from `find_uv`) as `uv lock` in `root`.
pub(super) fn run(uv: &Path, root: &Path) -> Outcome {
    let output = Command::new(uv)
        .arg("lock")
        .arg("--quiet")
        .current_dir(root)
        // Output is captured, so no progress bars; a closed stdin means uv can never sit
        // waiting for an answer (a credential prompt) the user cannot see.
        .env("UV_NO_PROGRESS", "1")
        .stdin(std::process::Stdio::null())
        .output();
    match output {
        Err(e) => Outcome::Failed(e.to_string()),
        Ok(out) if out.status.success() && root.join("uv.lock").is_file() => Outcome::Locked,
        Ok(out) => {
            let stderr = String::from_utf8_lossy(&out.stderr);
            let last = stderr
                .lines()
                .rev()
                .find(|l| !l.trim().is_empty())
                .unwrap_or("no output");
            Outcome::Failed(last.trim().to_string())
        }
    }
}
