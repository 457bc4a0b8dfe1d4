//! `aichor local-repo hooks install|uninstall`: a git `commit-msg` hook that runs
//! `aichor local-repo check --commit-msg`. The hooks folder is git's own answer
//! (`git rev-parse --git-path hooks`, so `core.hooksPath` and worktrees are respected). Our
//! hook is recognised by its marker line; a hook we did not write is never overwritten
//! without `--force`, and then kept as `commit-msg.legacy`, which ours runs first. Ours, once
//! edited, is replaced or removed only with `--force` (`written`: the texts aichor wrote).

mod written;

use std::path::{Path, PathBuf};

use crate::error::{Error, ProgramOutput, Result};

/// What `aichor --version` says only when it is this tool (the platform's CLI, `aichor-cli`,
/// installs a command of the same name that refuses every `local-repo` command).
pub const NOT_THE_PLATFORM_CLI: &str = "not the AIchor platform CLI";

/// The line that marks the hook as ours.
pub const MARKER: &str = "# aichor-commit-msg-hook: written by `aichor local-repo hooks install`";

/// What `install`/`uninstall` did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Installed {
        hook: PathBuf,
        legacy: Option<PathBuf>,
    },
    Updated {
        hook: PathBuf,
    },
    /// `--force` replaced our hook the user had edited.
    Replaced {
        hook: PathBuf,
    },
    AlreadyInstalled {
        hook: PathBuf,
    },
    Removed {
        hook: PathBuf,
        restored: Option<PathBuf>,
    },
    NotInstalled {
        hook: PathBuf,
    },
}

/// The `commit-msg` hook path of the repository `path` is in.
pub fn hook_path(path: &Path) -> Result<PathBuf> {
    let out = crate::git::command()
        .arg("-C")
        .arg(path)
        .args(["rev-parse", "--path-format=absolute", "--git-path", "hooks"])
        .output()
        .map_err(Error::GitMissing)?;
    if !out.status.success() {
        return Err(Error::NotGitRepo {
            path: path.into(),
            source: ProgramOutput(String::from_utf8_lossy(&out.stderr).trim().to_string()),
        });
    }
    let dir = String::from_utf8_lossy(&out.stdout).trim().to_string();
    Ok(PathBuf::from(dir).join("commit-msg"))
}

/// Whether `path` is inside a git repository.
pub fn in_git_repository(path: &Path) -> bool {
    hook_path(path).is_ok()
}

/// The hook's text for the `aichor` at `exe`. POSIX `sh`, LF line endings. The absolute path
/// of the binary that installed it comes first (it works where PATH differs: GUI clients,
/// IDEs; and never picks up another program called `aichor`). When that binary has moved:
/// `aichor-kit` on PATH (the wheel's name for this tool), else an `aichor` on PATH whose
/// `--version` says it is this tool (the AIchor platform's CLI is also `aichor`, and refuses
/// every commit); with none, the check is skipped with a message naming the path that was
/// recorded, rather than blocking every commit.
pub fn script(exe: &Path) -> String {
    let exe = written::quote(exe);
    format!(
        r#"#!/bin/sh
{MARKER}
# Checks the commit message the way AIchor reads it (`aichor[<manifest>]: ...`).
# Remove with `aichor local-repo hooks uninstall`; skip once with `git commit --no-verify`.
legacy="$(dirname "$0")/commit-msg.legacy"
if [ -x "$legacy" ]; then
    "$legacy" "$@" || exit $?
fi
installed='{exe}'
aichor=$installed
if [ ! -x "$aichor" ]; then
    aichor=
    if found=$(command -v aichor-kit); then
        aichor=$found
    elif found=$(command -v aichor); then
        case $("$found" --version 2>/dev/null) in
            *'{NOT_THE_PLATFORM_CLI}'*) aichor=$found ;;
        esac
    fi
    if [ -z "$aichor" ]; then
        echo "aichor commit-msg hook: $installed not found, and no aichor-kit on PATH (nor an aichor that is this tool rather than the AIchor platform CLI); message not checked" >&2
        exit 0
    fi
fi
exec "$aichor" local-repo check --commit-msg "$1"
"#
    )
}

fn is_ours(text: &str) -> bool {
    text.lines().any(|l| l == MARKER)
}

/// What is at the hook's path.
enum OnDisk {
    Nothing,
    /// Never ours to move, even with `--force`.
    Folder,
    /// Exactly what this aichor writes.
    Current,
    /// Exactly what an aichor wrote (an earlier version, or one elsewhere): ours to replace.
    Written,
    /// Ours, changed since: replaced or removed only with `--force`.
    Edited,
    /// A hook we did not write, or a link (never written through, even to ours).
    Foreign,
}

fn on_disk(hook: &Path, text: &str) -> Result<OnDisk> {
    let Ok(meta) = fs_err::symlink_metadata(hook) else {
        return Ok(OnDisk::Nothing);
    };
    if meta.is_dir() {
        return Ok(OnDisk::Folder);
    }
    if !meta.is_file() {
        return Ok(OnDisk::Foreign);
    }
    let bytes = fs_err::read(hook).map_err(|e| Error::io(hook, "cannot be read", e))?;
    if bytes == text.as_bytes() {
        return Ok(OnDisk::Current);
    }
    let Ok(existing) = std::str::from_utf8(&bytes) else {
        // Not text aichor wrote; ours (edited) when it still carries the marker.
        let ours = is_ours(&String::from_utf8_lossy(&bytes));
        return Ok(if ours {
            OnDisk::Edited
        } else {
            OnDisk::Foreign
        });
    };
    if !is_ours(existing) {
        return Ok(OnDisk::Foreign);
    }
    let written = written::recorded_exe(existing).is_some_and(|exe| {
        let exe = Path::new(&exe);
        script(exe) == existing || written::is_earlier(existing, exe)
    });
    Ok(if written {
        OnDisk::Written
    } else {
        OnDisk::Edited
    })
}

/// Install the hook for the repository `path` is in, calling the binary `exe`.
pub fn install(path: &Path, exe: &Path, force: bool) -> Result<Outcome> {
    let hook = hook_path(path)?;
    let text = script(exe);
    let mut legacy = None;
    let found = on_disk(&hook, &text)?;
    match found {
        OnDisk::Folder => {
            return Err(Error::ForeignHook {
                path: hook,
                installing: false,
            });
        }
        OnDisk::Current => return Ok(Outcome::AlreadyInstalled { hook }),
        OnDisk::Edited if !force => {
            return Err(Error::EditedHook {
                path: hook,
                installing: true,
            });
        }
        OnDisk::Foreign if !force => {
            return Err(Error::ForeignHook {
                path: hook,
                installing: true,
            });
        }
        // A file, or a link (to a shared hook, or dangling): the link itself is moved aside.
        OnDisk::Foreign => {
            let kept = hook.with_file_name("commit-msg.legacy");
            if fs_err::symlink_metadata(&kept).is_ok() {
                // Never lose a hook: an earlier one is already kept there.
                return Err(Error::LegacyHookKept { path: kept });
            }
            fs_err::rename(&hook, &kept)
                .map_err(|e| Error::io(&hook, "cannot be moved aside", e))?;
            legacy = Some(kept);
        }
        // `--force` is the consent to lose the edits: kept as `commit-msg.legacy`, the
        // edited hook would run itself (it runs its own `commit-msg.legacy`) without end.
        OnDisk::Nothing | OnDisk::Written | OnDisk::Edited => {}
    }
    if let Some(dir) = hook.parent() {
        fs_err::create_dir_all(dir).map_err(|e| Error::io(dir, "cannot be created", e))?;
    }
    fs_err::write(&hook, text).map_err(|e| Error::io(&hook, "cannot be written", e))?;
    make_executable(&hook)?;
    Ok(match found {
        OnDisk::Written => Outcome::Updated { hook },
        OnDisk::Edited => Outcome::Replaced { hook },
        _ => Outcome::Installed { hook, legacy },
    })
}

/// Remove our hook (a foreign one is left alone, an error; an edited one of ours only with
/// `force`), putting back a hook `install --force` kept aside. `exe`: this aichor, whose
/// hook text counts as ours too.
pub fn uninstall(path: &Path, exe: &Path, force: bool) -> Result<Outcome> {
    let hook = hook_path(path)?;
    match on_disk(&hook, &script(exe))? {
        OnDisk::Nothing => return Ok(Outcome::NotInstalled { hook }),
        OnDisk::Folder | OnDisk::Foreign => {
            return Err(Error::ForeignHook {
                path: hook,
                installing: false,
            });
        }
        OnDisk::Edited if !force => {
            return Err(Error::EditedHook {
                path: hook,
                installing: false,
            });
        }
        OnDisk::Current | OnDisk::Written | OnDisk::Edited => {}
    }
    fs_err::remove_file(&hook).map_err(|e| Error::io(&hook, "cannot be removed", e))?;
    let kept = hook.with_file_name("commit-msg.legacy");
    // The kept hook may be a link (`install --force` moved a link aside), even a dangling one.
    let restored = if fs_err::symlink_metadata(&kept).is_ok() {
        fs_err::rename(&kept, &hook).map_err(|e| Error::io(&kept, "cannot be put back", e))?;
        Some(hook.clone())
    } else {
        None
    };
    Ok(Outcome::Removed { hook, restored })
}

#[cfg(unix)]
fn make_executable(hook: &Path) -> Result<()> {
    use std::os::unix::fs::PermissionsExt;
    fs_err::set_permissions(hook, std::fs::Permissions::from_mode(0o755))
        .map_err(|e| Error::io(hook, "cannot be made executable", e))
}

#[cfg(not(unix))]
#[allow(clippy::unnecessary_wraps)] // the Unix version's signature: it can fail
fn make_executable(_hook: &Path) -> Result<()> {
    // Git for Windows runs hooks through its `sh` whatever the mode.
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_script_is_marked_and_quotes_the_path() {
        let s = super::script(std::path::Path::new("/opt/it's/aichor"));
        assert!(s.starts_with("#!/bin/sh\n"));
        assert!(super::is_ours(&s));
        assert!(s.contains(r"installed='/opt/it'\''s/aichor'"));
        assert!(!s.contains('\r'));
    }
}
