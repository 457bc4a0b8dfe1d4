//! `aichor`: create and check repositories ready to submit to AIchor.

// Errors are built once per run on the way out: their size costs nothing worth boxing for.
#![allow(clippy::result_large_err)]

mod app;
mod cli;
mod error;
mod init;
mod interrupt;
mod manifest;
mod names;
mod operator;
mod pack;
mod printer;
mod profile;
mod prompt;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    let printer = printer::Printer::new();
    match app::run(cli, &printer) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            if !matches!(err, error::Error::Interrupted) {
                printer.error(&err);
            }
            ExitCode::from(err.exit_code())
        }
    }
}
