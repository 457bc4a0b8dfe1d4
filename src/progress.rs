//! Spinners for the steps that take seconds and print nothing while they run (`uv lock`,
//! cloning a template pack): what is happening and for how long, on stderr.
//!
//! A spinner is drawn only where a person watches it: the binary turned spinners on (it does
//! unless `--format json`, `--no-progress` or `AICHOR_NO_PROGRESS`; the library alone, as in
//! tests, draws none), and stderr is a terminal (indicatif's own check, which also refuses
//! `TERM=dumb` or unset). Everywhere else `Spinner::start`
//! returns `None`, and the caller prints a status line instead if it wants one. The child
//! process's output is captured by the caller, so it never mixes with the spinner; it is shown
//! only when the step fails.
//!
//! The setting and the spinner on screen are process-wide: the step that clones a pack sits
//! deep in the library, and the signal handler (`interrupt`) must clear whatever spinner is
//! drawn before it exits, or the shell's prompt would land after a half-drawn line.

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// Whether spinners may be drawn at all (the binary turns them on once, before any step).
static ENABLED: AtomicBool = AtomicBool::new(false);

/// The spinner on screen, for `clear` (a clone: indicatif's bars share their state).
static ACTIVE: Mutex<Option<ProgressBar>> = Mutex::new(None);

/// How often the spinner redraws on its own thread: it moves while we wait on a child.
const TICK: Duration = Duration::from_millis(100);

/// Draw spinners in this run, where stderr is a terminal.
pub fn enable() {
    ENABLED.store(true, Ordering::Relaxed);
}

fn active() -> std::sync::MutexGuard<'static, Option<ProgressBar>> {
    // The guarded value is a plain handle; a panic elsewhere cannot leave it half-updated.
    ACTIVE
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// A spinner on stderr for as long as the value lives; dropping it erases the line.
#[derive(Debug)]
pub struct Spinner {
    bar: ProgressBar,
}

impl Spinner {
    /// Draw `   <verb> <message> ⠋ 3s` (the verb aligned like the printer's status lines),
    /// or return `None` where no spinner may be drawn.
    pub fn start(verb: &str, message: &str) -> Option<Spinner> {
        if !ENABLED.load(Ordering::Relaxed) {
            return None;
        }
        // The template is a constant: a parse error is a bug that every spinner test catches.
        let style = ProgressStyle::with_template("{prefix} {msg} {spinner} {elapsed}")
            .unwrap_or_else(|_| ProgressStyle::default_spinner());
        // Hidden until complete: the `with_*` builders do not draw, so no frame shows half
        // the line.
        let bar = ProgressBar::hidden()
            .with_style(style)
            .with_prefix(paint_verb(verb))
            .with_message(message.to_string());
        bar.set_draw_target(ProgressDrawTarget::stderr());
        if bar.is_hidden() {
            return None;
        }
        bar.enable_steady_tick(TICK);
        *active() = Some(bar.clone());
        Some(Spinner { bar })
    }
}

impl Drop for Spinner {
    fn drop(&mut self) {
        self.bar.finish_and_clear();
        *active() = None;
    }
}

/// Erase the spinner on screen, if any: the signal handler calls this before it exits.
pub fn clear() {
    if let Some(bar) = active().take() {
        bar.finish_and_clear();
    }
}

/// The verb as `Printer::status` shows it: right-aligned in 10 columns, green and bold where
/// stderr takes colours (a spinner is only ever drawn on a terminal, so the check is
/// stderr's).
fn paint_verb(verb: &str) -> String {
    let color = console::colors_enabled_stderr() && std::env::var_os("NO_COLOR").is_none();
    console::style(format!("{verb:>10}"))
        .green()
        .bold()
        .force_styling(color)
        .to_string()
}
