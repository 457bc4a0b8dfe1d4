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
    let cli = match cli::command()
        .try_get_matches()
        .and_then(|m| cli::Cli::from_arg_matches(&m))
    {
        Ok(cli) => cli,
        Err(e) => return usage_error(&e),
    };
    // Read once; the colour is taken leniently here: a broken config file is reported by
    // the commands that use it (init, `manifest new`, `config show`), not by every command.
    let env = aichor::environment::Environment::from_process();
    let config = aichor::config::Config::load(&env);
    let color = config
        .as_ref()
        .ok()
        .and_then(|c| c.color.as_ref())
        .map(|c| c.value)
        .unwrap_or_default();
    let printer = Printer::with_verbosity(cli.quiet, cli.verbose)
        .with_color(color)
        .with_program(cli::invoked_name());
    let json = cli.format() == cli::Format::Json;
    match commands::run(cli, &printer, &env, config) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            if json && !err.in_report() {
                printer.json_error(&err);
            }
            match err {
                Error::Interrupted { .. } => {
                    // A prompt may have hidden the cursor; the shell prints on a fresh line.
                    let term = console::Term::stderr();
                    if term.is_term() {
                        let _ = term.show_cursor();
                    }
                    let _ = std::io::Write::write_all(&mut std::io::stderr(), b"\n");
                }
                // The user said no: not a failure worth a red `error:`.
                Error::Aborted | Error::Back => printer.note("Nothing written."),
                _ => printer.error(&err),
            }
            ExitCode::from(err.exit_code())
        }
    }
}

/// A command line clap refused (or `--help`/`--version`, which clap prints itself). With
/// `--format json` among the arguments, stdout also gets the JSON error, so `| jq` never
/// reads an empty document.
fn usage_error(e: &clap::Error) -> ExitCode {
    let code = e.exit_code();
    if code == 2 && json_requested(std::env::args_os().skip(1)) {
        let plain = e.render().to_string();
        let message = plain.trim_end();
        Printer::new().json_usage_error(message.strip_prefix("error: ").unwrap_or(message), code);
    }
    let _ = e.print();
    ExitCode::from(u8::try_from(code).unwrap_or(2))
}

/// Whether the raw arguments ask for JSON (`--format json` or `--format=json`), read
/// without clap because clap could not parse them.
fn json_requested(args: impl Iterator<Item = std::ffi::OsString>) -> bool {
    let args: Vec<String> = args.map(|a| a.to_string_lossy().into_owned()).collect();
    args.iter().any(|a| a == "--format=json")
        || args
            .windows(2)
            .any(|w| w[0] == "--format" && w[1] == "json")
}
