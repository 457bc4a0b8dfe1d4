//! The only module that prints. Data (reports, lists, scripts) goes to stdout; status,
//! warnings and errors go to stderr, coloured only on a terminal and never with `NO_COLOR`.

use std::io::Write;

use console::style;

use crate::error::{Error, Result};

/// `eprintln!` that never panics: a closed stderr (`aichor ... 2>&1 | head`) loses the
/// status lines, not the run.
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr(), $($arg)*);
    }};
}

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
    verbose: bool,
    /// The name the user typed (`aichor` or `aichor-kit`), for the commands messages
    /// suggest.
    program: &'static str,
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
            verbose: false,
            program: "aichor",
        }
    }

    /// Messages spell the commands they suggest `` `aichor ...` ``; started as another name
    /// (`aichor-kit`, beside the platform's own `aichor`), they say that name, so a command
    /// copied from a message runs this tool.
    #[must_use]
    pub fn with_program(mut self, program: &'static str) -> Printer {
        self.program = program;
        self
    }

    /// `text` with suggested commands under the invoked name.
    fn named<'a>(&self, text: &'a str) -> std::borrow::Cow<'a, str> {
        if self.program == "aichor" || !text.contains("`aichor ") {
            std::borrow::Cow::Borrowed(text)
        } else {
            std::borrow::Cow::Owned(text.replace("`aichor ", &format!("`{} ", self.program)))
        }
    }

    /// The printer `-q/--quiet` and `-v/--verbose` ask for: quiet drops status lines and
    /// notes (data, warnings and errors stay), verbose adds `verbose` lines. Quiet wins.
    pub fn with_verbosity(quiet: bool, verbose: bool) -> Printer {
        Printer {
            quiet,
            verbose: verbose && !quiet,
            ..Printer::new()
        }
    }

    /// Colour as the user's config says: `never` turns it off, `always` on even when
    /// stderr is not a terminal; `NO_COLOR` (the environment) wins over both.
    #[must_use]
    pub fn with_color(mut self, choice: crate::config::Color) -> Printer {
        use crate::config::Color;
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        self.color = match choice {
            Color::Auto => self.color,
            Color::Always => !no_color,
            Color::Never => false,
        };
        self
    }

    /// Whether `-v/--verbose` was given (for callers that compute what they would print).
    pub fn is_verbose(&self) -> bool {
        self.verbose
    }

    /// Whether `-q/--quiet` was given (progress spinners stay hidden too).
    pub fn is_quiet(&self) -> bool {
        self.quiet
    }

    /// A detail shown only with `-v/--verbose`: where a value came from, what was run.
    pub fn verbose(&self, message: &str) {
        if self.verbose {
            say!("{} {message}", self.paint(style("  verbose:").dim()));
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
        say!(
            "{} {}",
            self.paint(style(verb.as_str()).green().bold()),
            self.named(message)
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

    /// One line of a process that `local-repo run` supervises, under its `[name]` prefix
    /// (padded to `width`, coloured by `index` where colour is on): on stdout, or on stderr
    /// when stdout carries a JSON report. A closed stream loses the line, not the run.
    pub fn child_line(&self, name: &str, width: usize, index: usize, line: &str, stderr: bool) {
        const COLOURS: [console::Color; 6] = [
            console::Color::Cyan,
            console::Color::Magenta,
            console::Color::Blue,
            console::Color::Green,
            console::Color::Yellow,
            console::Color::Red,
        ];
        let prefix = format!(
            "[{name}]{:pad$}",
            "",
            pad = width.saturating_sub(name.len())
        );
        let colour = if stderr {
            self.color
        } else {
            self.color && console::Term::stdout().is_term()
        };
        let prefix = style(prefix.as_str())
            .fg(COLOURS[index % COLOURS.len()])
            .force_styling(colour)
            .to_string();
        if stderr {
            let _ = writeln!(std::io::stderr().lock(), "{prefix} {line}");
        } else {
            let _ = writeln!(std::io::stdout().lock(), "{prefix} {line}");
        }
    }

    /// A plain line on stderr.
    pub fn note(&self, message: &str) {
        if !self.quiet {
            say!("{}", self.named(message));
        }
    }

    pub fn warn(&self, message: &str) {
        say!(
            "{} {}",
            self.paint(style("warning:").yellow().bold()),
            self.named(message)
        );
    }

    /// The failure as one JSON document on stdout, for `--format json` (the same text as
    /// `error`, which still goes to stderr for whoever watches the log).
    pub fn json_error(&self, err: &Error) {
        self.json_failure(
            err.kind(),
            &self.named(&err.to_string()),
            &err.causes(),
            err.help().map(|h| self.named(&h).into_owned()).as_deref(),
            i32::from(err.exit_code()),
        );
    }

    /// A command-line (usage) error as the JSON document of `json_error`.
    pub fn json_usage_error(&self, message: &str, exit_code: i32) {
        self.json_failure("usage", message, &[], None, exit_code);
    }

    /// The one shape of a failure on stdout (documented with the success reports).
    fn json_failure(
        &self,
        kind: &str,
        message: &str,
        causes: &[String],
        help: Option<&str>,
        exit_code: i32,
    ) {
        let doc = serde_json::json!({
            "schema_version": 1,
            "ok": false,
            "error": {
                "kind": kind,
                "message": message,
                "causes": causes,
                "help": help,
                "exit_code": exit_code,
            },
        });
        // Serialising a `Value` built from strings and numbers cannot fail.
        self.data(&serde_json::to_string_pretty(&doc).unwrap_or_default());
    }

    /// `error: ...`, one `caused by: ...` per underlying error, then `help: ...`.
    pub fn error(&self, err: &Error) {
        say!(
            "{} {}",
            self.paint(style("error:").red().bold()),
            self.named(&err.to_string())
        );
        for cause in err.causes() {
            // A multi-line cause (a parser's snippet) stays aligned under its label.
            let cause = cause
                .trim_end()
                .lines()
                .map(str::trim_end)
                .collect::<Vec<_>>()
                .join("\n              ")
                .replace("              \n", "\n");
            say!("  {} {cause}", self.paint(style("caused by:").dim()));
        }
        if let Some(help) = err.help() {
            say!(
                "  {} {}",
                self.paint(style("help:").cyan().bold()),
                self.named(&help)
            );
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
    /// A script reads this document: a write that fails (a full disk) is an error, not an
    /// exit 0 with nothing written. A closed pipe (`| head`) is not: the reader left.
    pub fn json(&self, value: &impl serde::Serialize) -> Result<()> {
        let mut text = serde_json::to_string_pretty(value)
            .map_err(|e| Error::internal("the report cannot be written as JSON", e))?;
        text.push('\n');
        let mut out = std::io::stdout().lock();
        match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
            Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
                Err(Error::io("<stdout>", "cannot be written", e))
            }
            _ => Ok(()),
        }
    }
}
