//! `uv lock` on the staged project, so `uv.lock` (which the Dockerfile installs from) is part
//! of the atomic write. Optional: without uv, or if it fails (offline, say), init still
//! succeeds and the next steps say to run it.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use crate::error::Result;

/// What happened to the lock file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// `uv.lock` was written.
    Locked,
    /// Not attempted (why).
    Skipped(String),
    /// uv did not run, or ran and failed.
    Failed {
        /// Why, in a line: uv's last error line, or why it could not start.
        reason: String,
        /// Everything uv printed (captured while it ran, so shown only now that it failed).
        output: String,
    },
    /// The destination has a `uv.lock`: kept as it is (`--lock` updates it).
    Kept,
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

/// Run `uv` (from `find_uv`) as `uv lock` in `root`. A signal stops uv (it is never left
/// running on its own) and ends the run with `Error::Interrupted`.
pub(super) fn run(uv: &Path, root: &Path) -> Result<Outcome> {
    let child = Command::new(uv)
        .arg("lock")
        .arg("--quiet")
        .current_dir(root)
        // Output is captured, so no progress bars; a closed stdin means uv can never sit
        // waiting for an answer (a credential prompt) the user cannot see.
        .env("UV_NO_PROGRESS", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn();
    let mut child = match child {
        Ok(c) => c,
        Err(e) => return Ok(Outcome::failed(e.to_string())),
    };
    // Read stderr on the side, so a chatty uv never blocks on a full pipe while we poll.
    let stderr = child.stderr.take().map(|mut pipe| {
        std::thread::spawn(move || {
            let mut text = String::new();
            let _ = std::io::Read::read_to_string(&mut pipe, &mut text);
            text
        })
    });
    let status = loop {
        if let Err(stop) = crate::interrupt::check() {
            let _ = child.kill();
            let _ = child.wait();
            return Err(stop);
        }
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) => std::thread::sleep(Duration::from_millis(20)),
            Err(e) => return Ok(Outcome::failed(e.to_string())),
        }
    };
    let stderr = stderr.and_then(|t| t.join().ok()).unwrap_or_default();
    if status.success() && root.join("uv.lock").is_file() {
        return Ok(Outcome::Locked);
    }
    let last = stderr
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("no output");
    Ok(Outcome::Failed {
        reason: last.trim().to_string(),
        output: stderr.trim_end().to_string(),
    })
}

impl Outcome {
    /// uv could not be started or watched: `reason` is all there is to say.
    fn failed(reason: String) -> Outcome {
        Outcome::Failed {
            reason,
            output: String::new(),
        }
    }
}
