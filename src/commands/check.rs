//! `aichor local-repo check` and `local-repo hooks install|uninstall`: the library's
//! repository checks and git hook, presented.

use std::io::Read;
use std::path::{Path, PathBuf};

use aichor::check::{self, CheckSettings};
use aichor::error::{Error, Result};
use aichor::hooks::{self, Outcome};
use aichor::printer::{Format, Printer};

use crate::cli::{CheckArgs, HooksCommand};

pub(super) fn run(
    args: &CheckArgs,
    printer: &Printer,
    env: &aichor::environment::Environment,
) -> Result<()> {
    let path = args.path.clone().unwrap_or_else(|| PathBuf::from("."));
    let report = match &args.commit_msg {
        Some(file) => {
            let (source, text) = read_message(file)?;
            check::check_commit_message(&path, &source, &text, env)?
        }
        None => check::check_repository(&CheckSettings {
            path,
            // 0 turns the check off (it would otherwise flag every file, uv.lock included,
            // and tell the user to leave it out of the build).
            max_file_size: match args.max_context_file_size {
                0 => u64::MAX,
                mb => mb.saturating_mul(1_000_000),
            },
            env: env.clone(),
        })?,
    };
    match Format::from(args.format) {
        Format::Json => printer.json(&report)?,
        Format::Text => printer.data(&report.to_text(printer.is_verbose())),
    }
    if report.passed() {
        Ok(())
    } else {
        Err(Error::CheckFailed {
            root: PathBuf::from(&report.root),
            errors: report.summary.errors,
            commit_msg: args.commit_msg.is_some(),
        })
    }
}

/// The message from a file or (`-`) stdin, with the name findings show for it.
fn read_message(file: &Path) -> Result<(String, String)> {
    if file == Path::new("-") {
        // Bytes, as from a file: a message need not be UTF-8 (`i18n.commitEncoding`).
        let mut bytes = Vec::new();
        std::io::stdin()
            .read_to_end(&mut bytes)
            .map_err(|e| Error::io("<stdin>", "cannot be read", e))?;
        return Ok((
            "<stdin>".into(),
            String::from_utf8_lossy(&bytes).into_owned(),
        ));
    }
    let bytes = fs_err::read(file).map_err(|e| Error::io(file, "cannot be read", e))?;
    Ok((
        file.display().to_string(),
        String::from_utf8_lossy(&bytes).into_owned(),
    ))
}

pub(super) fn hooks(cmd: HooksCommand, printer: &Printer) -> Result<()> {
    let here = |p: Option<PathBuf>| p.unwrap_or_else(|| PathBuf::from("."));
    let outcome = match cmd {
        HooksCommand::Install { path, force } => {
            hooks::install(&here(path), &current_exe()?, force)?
        }
        HooksCommand::Uninstall { path, force } => {
            hooks::uninstall(&here(path), &current_exe()?, force)?
        }
    };
    present(&outcome, printer);
    Ok(())
}

/// This binary's absolute path, for the hook to call.
pub(super) fn current_exe() -> Result<PathBuf> {
    std::env::current_exe().map_err(|e| Error::io("aichor", "cannot find its own path", e))
}

pub(super) fn present(outcome: &Outcome, printer: &Printer) {
    match outcome {
        Outcome::Installed { hook, legacy } => {
            if let Some(kept) = legacy {
                printer.status(
                    "Kept",
                    &format!("the previous hook as `{}` (it runs first)", kept.display()),
                );
            }
            printer.status(
                "Installed",
                &format!(
                    "`{}`: commit messages are checked the way AIchor reads them",
                    hook.display()
                ),
            );
        }
        Outcome::Updated { hook } => printer.status("Updated", &format!("`{}`", hook.display())),
        Outcome::Replaced { hook } => printer.status(
            "Replaced",
            &format!(
                "`{}` (your edits to it are gone, as --force asked)",
                hook.display()
            ),
        ),
        Outcome::AlreadyInstalled { hook } => {
            printer.status(
                "Unchanged",
                &format!("`{}` is already installed", hook.display()),
            );
        }
        Outcome::Removed { hook, restored } => {
            printer.status("Removed", &format!("`{}`", hook.display()));
            if let Some(r) = restored {
                printer.status(
                    "Restored",
                    &format!("the previous hook to `{}`", r.display()),
                );
            }
        }
        Outcome::NotInstalled { hook } => {
            printer.status("Unchanged", &format!("no hook at `{}`", hook.display()));
        }
    }
}
