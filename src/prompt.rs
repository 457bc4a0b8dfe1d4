//! Asking the user. `Prompter` is the small trait the rest of the code sees; `Terminal` is
//! the only code that knows about dialoguer, and it is only built when stdin and stderr are
//! terminals, so non-interactive runs never touch the prompt machinery.

use std::io;

/// A validator shown to the prompt: `Err` holds the message printed under it.
pub type Validator<'a> = &'a dyn Fn(&str) -> Result<(), String>;

/// Esc at a menu or a yes/no question: the user wants the previous question again (or, at
/// the first, to stop). Carried as an I/O error so every prompt keeps one return type.
#[derive(Debug)]
struct Back;

impl std::fmt::Display for Back {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("back to the previous question")
    }
}

impl std::error::Error for Back {}

/// The error a prompt returns when the user pressed Esc.
pub fn back() -> io::Error {
    io::Error::other(Back)
}

/// Whether `e` is Esc (see `back`).
pub fn is_back(e: &io::Error) -> bool {
    e.get_ref()
        .is_some_and(<dyn std::error::Error + Send + Sync>::is::<Back>)
}

/// What a chosen menu item is echoed as: its first column (items are aligned tables whose
/// columns are separated by two or more spaces), so the line after the prompt reads
/// `Operator · jax`, not the whole padded row.
pub fn echo_of(label: &str) -> &str {
    label.split("  ").next().unwrap_or(label).trim()
}

/// `label` cut to `width` characters at a word boundary, with `…` (never mid-word).
pub fn fit(label: &str, width: usize) -> String {
    if label.chars().count() <= width {
        return label.to_string();
    }
    let cut: String = label.chars().take(width.saturating_sub(1)).collect();
    // A table row keeps at least its first column (the id) whole.
    let keep = if label.contains("  ") {
        echo_of(label).len()
    } else {
        1
    };
    let at_word = match cut.rfind(' ') {
        Some(i) if i >= keep => cut[..i].trim_end().to_string(),
        _ => cut,
    };
    format!("{at_word}…")
}

/// A menu item that does not fit `width` as two lines: the row up to its last column, then
/// that column (the description) indented under it, itself cut at a word. dialoguer
/// counts the lines of an item, so the menu redraws cleanly; `prefix` is the width of the
/// theme's `❯ ` before the first line.
pub fn wrap_item(label: &str, width: usize, prefix: usize) -> String {
    if label.chars().count() <= width {
        return label.to_string();
    }
    // Columns are separated by runs of two or more spaces; the description is the last.
    let Some(split) = label.trim_end().rfind("  ").filter(|&i| i > 0) else {
        return fit(label, width);
    };
    let (row, rest) = (label[..split].trim_end(), label[split..].trim_start());
    // A small indent under the id: the description keeps most of the width.
    let indent = prefix + 2;
    format!(
        "{}\n{}{}",
        fit(row, width),
        " ".repeat(indent),
        fit(rest, (width + prefix).saturating_sub(indent))
    )
}

/// Ways of asking one question.
pub trait Prompter {
    /// Free text, re-asked until `validate` accepts it.
    fn text(
        &mut self,
        prompt: &str,
        default: Option<&str>,
        validate: Validator<'_>,
    ) -> io::Result<String>;
    /// One of `items`; returns its index. Esc returns `back()`.
    fn select(&mut self, prompt: &str, items: &[String], default: usize) -> io::Result<usize>;
    /// Yes or no. Esc returns `back()`.
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

impl Terminal {
    /// The line dialoguer leaves after a prompt (`format` draws it), with the value the
    /// caller chose to echo: text trimmed, a menu item's id.
    fn echo(
        &self,
        format: impl FnOnce(&dialoguer::theme::ColorfulTheme, &mut String) -> std::fmt::Result,
    ) {
        let mut line = String::new();
        if format(&self.theme, &mut line).is_ok() {
            let _ = console::Term::stderr().write_line(&line);
        }
    }
}

impl Prompter for Terminal {
    fn text(
        &mut self,
        prompt: &str,
        default: Option<&str>,
        validate: Validator<'_>,
    ) -> io::Result<String> {
        // dialoguer asks again without a word when Enter is pressed on an empty line with
        // no default: let the validator say why (`the project name is empty`), and refuse
        // an empty answer it would take, as before.
        let mut input = dialoguer::Input::<String>::with_theme(&self.theme)
            .with_prompt(prompt)
            .report(false)
            .allow_empty(true)
            .validate_with(|s: &String| match validate(s) {
                Ok(()) if s.is_empty() => Err("an answer is required".to_string()),
                other => other,
            });
        if let Some(d) = default {
            input = input.default(d.to_string());
        }
        let typed = input.interact_text().map_err(io_err)?;
        // Echoed as it is used: trimmed.
        self.echo(|theme, line| {
            dialoguer::theme::Theme::format_input_prompt_selection(
                theme,
                line,
                prompt,
                typed.trim(),
            )
        });
        Ok(typed)
    }

    fn select(&mut self, prompt: &str, items: &[String], default: usize) -> io::Result<usize> {
        // An item the terminal wraps breaks dialoguer's redraw: a long item becomes two
        // lines (its description under it), each cut at a word to fit.
        let width = usize::from(console::Term::stderr().size().1)
            .saturating_sub(4)
            .max(20);
        let shown: Vec<String> = items.iter().map(|i| wrap_item(i, width, 2)).collect();
        let picked = dialoguer::Select::with_theme(&self.theme)
            .with_prompt(prompt)
            .items(&shown)
            .default(default)
            .report(false)
            .interact_opt()
            .map_err(io_err)?
            .ok_or_else(back)?;
        let chosen = items.get(picked).map_or("", |i| echo_of(i));
        self.echo(|theme, line| {
            dialoguer::theme::Theme::format_select_prompt_selection(theme, line, prompt, chosen)
        });
        Ok(picked)
    }

    fn confirm(&mut self, prompt: &str, default: bool) -> io::Result<bool> {
        dialoguer::Confirm::with_theme(&self.theme)
            .with_prompt(prompt)
            .default(default)
            .interact_opt()
            .map_err(io_err)?
            .ok_or_else(back)
    }

    fn show(&mut self, text: &str) {
        let _ = console::Term::stderr().write_line(text);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn items_fit_at_word_boundaries_and_echo_their_first_column() {
        let row = "cpu-small      2 CPU, 4 GB RAM  small CPU containers for trying things out";
        assert_eq!(echo_of(row), "cpu-small");
        assert_eq!(echo_of("3.11"), "3.11");
        assert_eq!(echo_of("jax       jax.distributed"), "jax");
        let cut = fit(row, 40);
        assert!(cut.chars().count() <= 40, "{cut}");
        assert!(cut.ends_with('…') && !cut.ends_with(" …"), "{cut}");
        assert!(row.starts_with(cut.trim_end_matches('…')));
        // The character after the cut is a space: no word was cut in half.
        let kept = cut.trim_end_matches('…').len();
        assert_eq!(&row[kept..=kept], " ", "{cut}");
        assert_eq!(fit("short", 40), "short");
        let two = wrap_item(row, 40, 2);
        let lines: Vec<&str> = two.lines().collect();
        assert_eq!(lines.len(), 2, "{two}");
        assert_eq!(lines[0], "cpu-small      2 CPU, 4 GB RAM");
        assert_eq!(
            lines[1].trim_start(),
            "small CPU containers for trying…",
            "{two}"
        );
        assert!(lines[1].chars().count() <= 42, "{two}");
        assert_eq!(wrap_item("3.11", 40, 2), "3.11");
        assert!(is_back(&back()));
        assert!(!is_back(&io::Error::other("x")));
    }
}
