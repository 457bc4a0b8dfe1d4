//! `uv lock` on the staged project, so `uv.lock` (which the Dockerfile installs from) is part
//! of the atomic write. One step for `init`, `update` and `manifest new` (`relock`): what
//! is copied from the project, how it shows, how it fails. Optional: without uv, or if it
//! fails (offline, say), the command still succeeds and its next steps say to run it.

use std::path::{Component, Path, PathBuf};

use crate::environment::Environment;
use crate::error::{Error, Result};
use crate::layout::{PYPROJECT, PYTHON_VERSION, UV_LOCK};
use crate::printer::Printer;
use crate::txn::fs::Fs;

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

/// `uv lock` in the staged tree `staged` (which holds the new `pyproject.toml`), with a
/// spinner while uv runs. When the staged files replace a project's (`project`), uv starts
/// from it as `uv lock` run in it would: its `uv.lock` (the user's pins stay preferences),
/// `.python-version` and the readme the metadata names are copied in where the plan did not
/// stage them, and the local folders `pyproject.toml` names (workspace members, path
/// sources) are linked where uv looks for them. Without uv: `Skipped`, saying why.
pub(crate) fn relock(
    fs: &dyn Fs,
    env: &Environment,
    progress: &Printer,
    project: Option<&Path>,
    staged: &Path,
) -> Result<Outcome> {
    let uv = match find_uv(env) {
        Ok(uv) => uv,
        Err(why) => return Ok(Outcome::Skipped(why)),
    };
    if let Some(project) = project {
        let pyproject = fs_err::read_to_string(staged.join(PYPROJECT)).unwrap_or_default();
        let doc = pyproject.parse::<toml_edit::DocumentMut>().ok();
        let readme = doc.as_ref().and_then(readme).unwrap_or("README.md".into());
        for name in [UV_LOCK, PYTHON_VERSION, readme.as_str()] {
            let (from, to) = (project.join(name), staged.join(name));
            if from.is_file() && !to.exists() && is_inside(name) {
                if let Some(dir) = to.parent() {
                    crate::txn::fs::create_dirs(fs, dir)?;
                }
                fs.copy(&from, &to)
                    .map_err(|e| Error::io(&from, "cannot be read", e))?;
            }
        }
        for local in doc.as_ref().map(local_folders).unwrap_or_default() {
            link_local(project, staged, &local)?;
        }
    }
    let _spinner = progress.step("Locking", "dependencies with `uv lock`");
    run(&uv, staged)
}

/// The readme `[project]` names (`readme = "..."` or `readme = { file = "..." }`).
fn readme(doc: &toml_edit::DocumentMut) -> Option<String> {
    let item = doc.get("project")?.get("readme")?;
    item.as_str()
        .or_else(|| item.get("file").and_then(toml_edit::Item::as_str))
        .map(str::to_string)
}

/// The folders `pyproject.toml` names relative to the project: workspace members (the part
/// of each pattern before its first wildcard) and `path` sources.
fn local_folders(doc: &toml_edit::DocumentMut) -> Vec<String> {
    let uv = doc.get("tool").and_then(|t| t.get("uv"));
    let mut out = Vec::new();
    if let Some(members) = uv
        .and_then(|u| u.get("workspace"))
        .and_then(|w| w.get("members"))
        .and_then(toml_edit::Item::as_array)
    {
        for member in members.iter().filter_map(|m| m.as_str()) {
            let fixed: String = member
                .split('/')
                .take_while(|part| !part.contains(['*', '?', '[']))
                .collect::<Vec<_>>()
                .join("/");
            out.push(fixed);
        }
    }
    if let Some(sources) = uv
        .and_then(|u| u.get("sources"))
        .and_then(toml_edit::Item::as_table_like)
    {
        for (_, source) in sources.iter() {
            // `{ path = ... }`, or a list of them (one per marker).
            let listed = source.as_array().into_iter().flatten();
            let paths = std::iter::once(source.get("path").and_then(toml_edit::Item::as_str))
                .chain(listed.map(|v| v.as_inline_table()?.get("path")?.as_str()));
            out.extend(paths.flatten().map(str::to_string));
        }
    }
    out.retain(|p| !p.is_empty() && !Path::new(p).is_absolute());
    out
}

/// Whether a relative path stays inside the folder it is relative to.
fn is_inside(rel: &str) -> bool {
    Path::new(rel)
        .components()
        .all(|c| matches!(c, Component::Normal(_) | Component::CurDir))
}

/// Make `rel` (relative to `project`) reachable from `staged` the same way: its first
/// component linked into the staged tree, or, for `../x`, beside it in the staging folder
/// (ours, removed with it). Deeper `../../x` cannot be mirrored: uv then fails and says so.
fn link_local(project: &Path, staged: &Path, rel: &str) -> Result<()> {
    let mut ups = 0;
    let mut first = None;
    for c in Path::new(rel).components() {
        match c {
            Component::ParentDir if first.is_none() => ups += 1,
            Component::CurDir => {}
            Component::Normal(name) => {
                first = Some(name.to_os_string());
                break;
            }
            _ => return Ok(()),
        }
    }
    let Some(first) = first else { return Ok(()) };
    // `.` has no parent to go up to: resolve both first.
    let project = std::path::absolute(project).unwrap_or_else(|_| project.to_path_buf());
    let staged = std::path::absolute(staged).unwrap_or_else(|_| staged.to_path_buf());
    let (from_base, to_base) = match ups {
        0 => (project.clone(), staged.clone()),
        1 => match (project.parent(), staged.parent()) {
            (Some(p), Some(s)) => (p.to_path_buf(), s.to_path_buf()),
            _ => return Ok(()),
        },
        _ => return Ok(()),
    };
    let (target, link) = (from_base.join(&first), to_base.join(&first));
    if !target.exists() || fs_err::symlink_metadata(&link).is_ok() {
        return Ok(());
    }
    symlink(&target, &link).map_err(|e| Error::io(&link, "cannot be linked for `uv lock`", e))
}

#[cfg(unix)]
fn symlink(target: &Path, link: &Path) -> std::io::Result<()> {
    fs_err::os::unix::fs::symlink(target, link)
}

#[cfg(windows)]
fn symlink(target: &Path, link: &Path) -> std::io::Result<()> {
    if target.is_dir() {
        fs_err::os::windows::fs::symlink_dir(target, link)
    } else {
        fs_err::os::windows::fs::symlink_file(target, link)
    }
}

/// The uv program: see `crate::uv::find`.
pub(crate) fn find_uv(env: &Environment) -> Result<PathBuf, String> {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_folders_are_members_before_their_wildcards_and_path_sources() {
        let doc: toml_edit::DocumentMut = r#"
[project]
readme = { file = "docs/README.md" }

[tool.uv.workspace]
members = ["packages/*", "tools/cli", "*"]

[tool.uv.sources]
shared = { path = "../shared" }
torch = [{ index = "cpu", marker = "sys_platform == 'darwin'" }, { path = "wheels/torch.whl" }]
abs = { path = "/opt/x" }
numpy = { index = "pypi" }
"#
        .parse()
        .unwrap();
        assert_eq!(
            local_folders(&doc),
            ["packages", "tools/cli", "../shared", "wheels/torch.whl"]
        );
        assert_eq!(readme(&doc).as_deref(), Some("docs/README.md"));
    }

    #[test]
    fn only_paths_inside_the_project_are_copied() {
        assert!(is_inside("README.md"));
        assert!(is_inside("./docs/README.md"));
        assert!(!is_inside("../README.md"));
        assert!(!is_inside("/etc/passwd"));
    }
}
