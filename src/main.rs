//! The `aichor` command: parse the command line, run the command, turn the result into an
//! exit code. Everything else lives in the library (`src/lib.rs`).

mod cli;
mod commands;

use std::process::ExitCode;

use aichor::error::Error;
use aichor::printer::Printer;
use clap::Parser;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
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
