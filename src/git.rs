//! The `git` program: the one place aichor runs it, never prompting for credentials, and
//! what it asks of a repository (where its work tree is, whether it has a remote).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::error::ProgramOutput;

/// `git` that never prompts (no terminal prompt for credentials, stdin closed) and takes no
/// optional locks (a status must not block the user's own git).
pub(crate) fn command() -> Command {
    let mut cmd = Command::new("git");
    cmd.env("GIT_TERMINAL_PROMPT", "0")
        .env("GIT_OPTIONAL_LOCKS", "0")
        .stdin(Stdio::null());
    cmd
}

/// Run git; its stdout, or everything it said on stderr.
pub(crate) fn run(cmd: &mut Command) -> std::result::Result<String, ProgramOutput> {
    let out = cmd.output().map_err(|e| {
        ProgramOutput(match e.kind() {
            std::io::ErrorKind::NotFound => "the `git` program is not installed".to_string(),
            _ => e.to_string(),
        })
    })?;
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    } else {
        let err = String::from_utf8_lossy(&out.stderr).trim().to_string();
        Err(ProgramOutput(if err.is_empty() {
            format!("git exited with {}", out.status)
        } else {
            err
        }))
    }
}

/// The git work tree `dest` is in (it may not exist yet: its nearest existing folder
/// counts), found as git finds it: a `.git` folder or file upward.
pub(crate) fn repository(dest: &Path) -> Option<PathBuf> {
    crate::layout::find_root(dest, crate::layout::RootMarks::GIT)
}

/// Whether the repository at `root` has a remote to push to (`git remote` lists one). No
/// git program means no answer, and the step to add one stays.
pub(crate) fn has_remote(root: &Path) -> bool {
    command()
        .arg("-C")
        .arg(root)
        .arg("remote")
        .stderr(Stdio::null())
        .output()
        .is_ok_and(|out| out.status.success() && !out.stdout.trim_ascii().is_empty())
}
