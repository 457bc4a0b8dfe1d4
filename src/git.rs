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

/// Refuse a git working tree with uncommitted changes to tracked files: the user reviews
/// what `what` (`update`, `adopt`) did with `git diff`, which only works from a clean tree. Untracked files pass;
/// a project outside git (or without git installed) is not checked.
pub(crate) fn refuse_dirty(project: &Path, what: &'static str) -> crate::error::Result<()> {
    let out = command()
        .arg("-C")
        .arg(project)
        .args(["status", "--porcelain", "--untracked-files=no", "--", "."])
        .stderr(std::process::Stdio::null())
        .output();
    let Ok(out) = out else { return Ok(()) };
    if !out.status.success() {
        return Ok(());
    }
    let files: Vec<String> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| l.get(3..).map(str::to_string))
        .collect();
    if files.is_empty() {
        Ok(())
    } else {
        Err(crate::error::Error::DirtyTree {
            path: project.to_path_buf(),
            files,
            command: what,
        })
    }
}
