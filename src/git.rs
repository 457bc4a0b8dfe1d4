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

/// A path git ignores: the path, and the file, line and pattern that ignore it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Ignored {
    pub path: String,
    pub source: String,
    pub line: usize,
    pub pattern: String,
}

/// Which of `paths` (relative to the work tree `root`) git ignores and does not track: files
/// `git add .` leaves out, and so never pushed. Tracked files are not ignored (git's own
/// rule). Empty outside git, or when git cannot be run.
pub(crate) fn ignored(root: &Path, paths: &[String]) -> Vec<Ignored> {
    use std::io::Write;
    if paths.is_empty() {
        return Vec::new();
    }
    let child = command()
        .arg("-C")
        .arg(root)
        .args(["check-ignore", "-v", "-z", "--stdin"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn();
    let Ok(mut child) = child else {
        return Vec::new();
    };
    if let Some(mut stdin) = child.stdin.take() {
        let input: Vec<u8> = paths
            .iter()
            .flat_map(|p| p.bytes().chain(std::iter::once(0)))
            .collect();
        // A git that stops reading early answers with what it read.
        let _ = stdin.write_all(&input);
    }
    let Ok(out) = child.wait_with_output() else {
        return Vec::new();
    };
    // 0: some are ignored; 1: none; anything else: not a repository, or git failed.
    if out.status.code() != Some(0) {
        return Vec::new();
    }
    // `-v -z`: source, line, pattern, path, each followed by a NUL.
    let text = String::from_utf8_lossy(&out.stdout);
    let fields: Vec<&str> = text.split('\0').collect();
    fields
        .chunks_exact(4)
        // `-v` also names a `!pattern` that matched last: that path is not ignored.
        .filter(|f| !f[0].is_empty() && !f[2].starts_with('!'))
        .map(|f| Ignored {
            source: f[0].to_string(),
            line: f[1].parse().unwrap_or(0),
            pattern: f[2].to_string(),
            path: f[3].to_string(),
        })
        .collect()
}
