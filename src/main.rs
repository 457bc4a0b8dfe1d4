//! The `aichor` command: parse the command line, run the command, turn the result into an
//! exit code. Everything else lives in the library (`src/lib.rs`).

// `pub(crate)`: src/bin/aichor-kit.rs loads this file as a module and re-exports these two
// at its root, where the code below expects them (`crate::cli`).
pub(crate) mod cli;
pub(crate) mod commands;

use std::process::ExitCode;

use aichor::error::Error;
use aichor::printer::Printer;
use clap::FromArgMatches;

// The same program is built as `aichor` and `aichor-kit` (src/bin/aichor-kit.rs includes this
// file), so `main` is reachable from there.
pub(crate) fn main() -> ExitCode {
    let cli = match cli::Cli::from_arg_matches(&cli::command().get_matches()) {
        Ok(cli) => cli,
        Err(e) => e.exit(),
    };
    let printer = Printer::new();
    match commands::run(cli, &printer) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            if matches!(err, Error::Interrupted { .. }) {
                // A prompt may have hidden the cursor; the shell prints on a fresh line.
                let _ = console::Term::stderr().show_cursor();
                eprintln!();
            } else {
                printer.error(&err);
            }
            ExitCode::from(err.exit_code())
        }
    }
}
