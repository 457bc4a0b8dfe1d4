//! The only module that prints. Data (reports, lists, scripts) goes to stdout; status,
//! warnings and errors go to stderr, coloured only on a terminal and never with `NO_COLOR`.

use std::io::Write;

use console::style;

use crate::error::{Error, Result};

/// How results are printed on stdout.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Format {
    /// For people: aligned text.
    #[default]
    Text,
    /// For programs: one JSON document.
    Json,
}

/// Writes to the two streams.
pub struct Printer {
    color: bool,
    quiet: bool,
}

impl Default for Printer {
    fn default() -> Self {
        Printer::new()
    }
}

impl Printer {
    pub fn new() -> Printer {
        // console honours NO_COLOR / CLICOLOR and checks stderr is a terminal.
        Printer {
            color: console::colors_enabled_stderr() && std::env::var_os("NO_COLOR").is_none(),
            quiet: false,
        }
    }

    /// A printer that drops status lines (for work done on the user's behalf inside
    /// another command); warnings and errors still show.
    pub fn quiet() -> Printer {
        Printer {
            quiet: true,
            ..Printer::new()
        }
    }

    fn paint(&self, s: console::StyledObject<&str>) -> String {
        s.force_styling(self.color).to_string()
    }

    /// A status line: `   Created demo/`.
    pub fn status(&self, verb: &str, message: &str) {
        if self.quiet {
            return;
        }
        let verb = format!("{verb:>10}");
        eprintln!(
            "{} {message}",
            self.paint(style(verb.as_str()).green().bold())
        );
    }

    /// A step that takes seconds (`   Locking dependencies`): a spinner with the elapsed time
    /// while the returned value lives, where one can be drawn (`progress`); otherwise the
    /// status line, printed once. Nothing at all from a quiet printer.
    pub fn step(&self, verb: &str, message: &str) -> Option<crate::progress::Spinner> {
        if self.quiet {
            return None;
        }
        let spinner = crate::progress::Spinner::start(verb, message);
        if spinner.is_none() {
            self.status(verb, message);
        }
        spinner
    }

    /// A plain line on stderr.
    pub fn note(&self, message: &str) {
        if !self.quiet {
            eprintln!("{message}");
        }
    }

    pub fn warn(&self, message: &str) {
        eprintln!(
            "{} {message}",
            self.paint(style("warning:").yellow().bold())
        );
    }

    /// `error: ...`, one `caused by: ...` per underlying error, then `help: ...`.
    pub fn error(&self, err: &Error) {
        eprintln!("{} {err}", self.paint(style("error:").red().bold()));
        for cause in err.causes() {
            // A multi-line cause (a parser's snippet) stays aligned under its label.
            let cause = cause
                .trim_end()
                .lines()
                .map(str::trim_end)
                .collect::<Vec<_>>()
                .join("\n              ")
                .replace("              \n", "\n");
            eprintln!("  {} {cause}", self.paint(style("caused by:").dim()));
        }
        if let Some(help) = err.help() {
            eprintln!("  {} {help}", self.paint(style("help:").cyan().bold()));
        }
    }

    /// Data for stdout. A closed pipe (`| head`) is not an error worth reporting.
    pub fn data(&self, text: &str) {
        let mut out = std::io::stdout().lock();
        let _ = out.write_all(text.as_bytes());
        if !text.ends_with('\n') {
            let _ = out.write_all(b"\n");
        }
        let _ = out.flush();
    }

    /// `value` as pretty JSON on stdout.
    pub fn json(&self, value: &impl serde::Serialize) -> Result<()> {
        let text = serde_json::to_string_pretty(value)
            .map_err(|e| Error::internal("the report cannot be written as JSON", e))?;
        self.data(&text);
        Ok(())
    }
}
