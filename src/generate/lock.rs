//! `uv lock` on the staged project, so `uv.lock` (which the Dockerfile installs from) is part
//! of the atomic write. Optional: without uv, or if it fails (offline, say), init still
//! succeeds and the next steps say to run it.

use crate::layout::UV_LOCK;
use std::path::{Path, PathBuf};

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

/// The uv program: see `crate::uv::find`.
pub(crate) fn find_uv(env: &crate::environment::Environment) -> Result<PathBuf, String> {
    crate::uv::find(env)
}

/// Run `uv lock` in `root` (`uv` from `find_uv`). A signal stops uv and ends the run with
/// `Error::Interrupted`.
pub(crate) fn run(uv: &Path, root: &Path) -> Result<Outcome> {
    let ran = match crate::uv::run(uv, root, &["lock", "--quiet"])? {
        Ok(ran) => ran,
        Err(why) => return Ok(Outcome::failed(why)),
    };
    if ran.status.success() && root.join(UV_LOCK).is_file() {
        return Ok(Outcome::Locked);
    }
    Ok(Outcome::Failed {
        reason: ran.last_line(),
        output: ran.stderr.trim_end().to_string(),
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

/// Whether `uv lock` runs on the staged project.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LockPolicy {
    /// When uv is found; silently skipped otherwise.
    #[default]
    Auto,
    /// `--lock`: uv must lock the project; without uv the run fails before writing.
    Required,
    /// `--no-lock`.
    Skip,
}
