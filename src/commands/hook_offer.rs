//! The commit-msg hook offered after a command that leaves a repository ready to commit
//! (`init`, `adopt`): asked at a terminal, or chosen by `--hooks`/`--no-hooks`.

use std::path::Path;

use aichor::error::{Error, Result};
use aichor::printer::Printer;
use aichor::prompt::{Prompter, Terminal};

/// Ask whether to install the commit-msg hook. Esc is a no (what the command wrote stays
/// either way); Ctrl-C still stops.
pub(super) fn ask(terminal: &mut Terminal) -> Result<bool> {
    match terminal.confirm(
        "Install the commit-msg hook (checks `aichor[...]:` messages)?",
        true,
    ) {
        Ok(yes) => Ok(yes),
        Err(e) if aichor::prompt::is_back(&e) => Ok(false),
        Err(e) => Err(Error::from_prompt(e)),
    }
}

/// Install the hook in the repository of `destination`; otherwise say how to add it later.
/// What the command wrote stays either way, so a hook that cannot be installed is a warning
/// (`flag` names what asked for it: `--hooks`, or the answer at the prompt).
pub(super) fn install(destination: &Path, flag: &str, printer: &Printer) {
    if !aichor::hooks::in_git_repository(destination) {
        printer.warn(&format!(
            "`{flag}`: `{}` is not in a git repository yet; after `git init`, run `aichor local-repo hooks install` there",
            destination.display()
        ));
        return;
    }
    let result = super::check::current_exe()
        .and_then(|exe| aichor::hooks::install(destination, &exe, false));
    match result {
        Ok(outcome) => super::check::present(&outcome, printer),
        Err(e) => printer.warn(&format!(
            "`{flag}`: {e}{}",
            e.help().map_or(String::new(), |h| format!(" ({h})"))
        )),
    }
}
