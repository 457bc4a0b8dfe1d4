//! Asking the user. `Prompter` is the small trait the rest of the code sees; `Terminal` is
//! the only code that knows about dialoguer, and it is only built when stdin and stderr are
//! terminals, so non-interactive runs never touch the prompt machinery.

use std::io;

/// A validator shown to the prompt: `Err` holds the message printed under it.
pub type Validator<'a> = &'a dyn Fn(&str) -> Result<(), String>;

/// Ways of asking one question.
pub trait Prompter {
    /// Free text, re-asked until `validate` accepts it.
    fn text(
        &mut self,
        prompt: &str,
        default: Option<&str>,
        validate: Validator<'_>,
    ) -> io::Result<String>;
    /// One of `items`; returns its index.
    fn select(&mut self, prompt: &str, items: &[String], default: usize) -> io::Result<usize>;
    /// Yes or no.
    fn confirm(&mut self, prompt: &str, default: bool) -> io::Result<bool>;
    /// Show a block of text (the summary) before a confirmation.
    fn show(&mut self, text: &str);
}

/// Prompts drawn on stderr with dialoguer.
pub struct Terminal {
    theme: dialoguer::theme::ColorfulTheme,
}

impl Default for Terminal {
    fn default() -> Self {
        Self::new()
    }
}

impl Terminal {
    pub fn new() -> Terminal {
        Terminal {
            theme: dialoguer::theme::ColorfulTheme::default(),
        }
    }
}

/// dialoguer reports Ctrl-C in raw mode as an `Interrupted` I/O error; keep its kind so the
/// caller can exit with 130.
fn io_err(e: dialoguer::Error) -> io::Error {
    match e {
        dialoguer::Error::IO(e) => e,
    }
}

impl Prompter for Terminal {
    fn text(
        &mut self,
        prompt: &str,
        default: Option<&str>,
        validate: Validator<'_>,
    ) -> io::Result<String> {
        let mut input = dialoguer::Input::<String>::with_theme(&self.theme)
            .with_prompt(prompt)
            .validate_with(|s: &String| validate(s));
        if let Some(d) = default {
            input = input.default(d.to_string());
        }
        input.interact_text().map_err(io_err)
    }

    fn select(&mut self, prompt: &str, items: &[String], default: usize) -> io::Result<usize> {
        // A wrapped item breaks dialoguer's redraw, and the chosen item is echoed after the
        // prompt: cut items so both fit the terminal's width.
        let width = usize::from(console::Term::stderr().size().1)
            .saturating_sub(prompt.chars().count() + 8)
            .max(20);
        let items: Vec<String> = items
            .iter()
            .map(|i| console::truncate_str(i, width, "…").into_owned())
            .collect();
        dialoguer::Select::with_theme(&self.theme)
            .with_prompt(prompt)
            .items(&items)
            .default(default)
            .interact()
            .map_err(io_err)
    }

    fn confirm(&mut self, prompt: &str, default: bool) -> io::Result<bool> {
        dialoguer::Confirm::with_theme(&self.theme)
            .with_prompt(prompt)
            .default(default)
            .interact()
            .map_err(io_err)
    }

    fn show(&mut self, text: &str) {
        let _ = console::Term::stderr().write_line(text);
    }
}
