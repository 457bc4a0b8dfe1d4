//! Signals: SIGINT (Ctrl-C), SIGTERM and SIGHUP stop `aichor` with nothing half-written,
//! exit status 128 + the signal (130, 143, 129), and the cursor a prompt may have hidden
//! restored. On Windows, Ctrl-C, Ctrl-Break and closing the console do the same as SIGINT.
//!
//! A signal handler that deletes files while the main thread writes them races it (the
//! staging folder removed under a running commit, half a project left behind). So the
//! handler only decides *who* stops the run:
//! - while nothing is being written (`Phase::Idle`: prompting, rendering, fetching a pack), it
//!   removes what `register` named and exits at once;
//! - while the project is staged, locked or committed (`Phase::Writing`), it records the
//!   signal; the writing code polls `check()` between steps (and while `uv` runs, which it
//!   stops), undoes what it did, and returns `Error::Interrupted`;
//! - once the write is whole (`Phase::Done`), it is ignored: the run ends normally.
//!
//! The phase and the pending signal live under one lock, so the handler and the main thread
//! never act at the same time.

use std::path::PathBuf;
use std::sync::Mutex;

use crate::error::{Error, Result};

/// What the main thread is doing, as far as a signal is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// Nothing on disk that a signal could leave half-done: exit at once.
    Idle,
    /// Writing: the main thread undoes its work and stops.
    Writing,
    /// The write is whole; only the report is left to print. A signal now is too late to
    /// undo anything: the run ends normally (exit 0), as if it had come a moment later.
    Done,
}

struct State {
    phase: Phase,
    /// The first signal received, if any.
    pending: Option<i32>,
    /// How many signals arrived (`local-repo run`: a second Ctrl-C skips the grace).
    count: u32,
    /// Paths to remove on an immediate exit (a pack clone in progress).
    cleanup: Vec<PathBuf>,
}

static STATE: Mutex<State> = Mutex::new(State {
    phase: Phase::Idle,
    pending: None,
    count: 0,
    cleanup: Vec::new(),
});

fn state() -> std::sync::MutexGuard<'static, State> {
    // A panic while holding the lock cannot leave the state inconsistent (plain fields).
    STATE
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Install the handler once; failure to install only loses the cleanup, so it is not fatal.
#[cfg(unix)]
pub fn install() {
    use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
    let Ok(mut signals) = signal_hook::iterator::Signals::new([SIGINT, SIGTERM, SIGHUP]) else {
        return;
    };
    std::thread::spawn(move || {
        for signal in signals.forever() {
            handle(signal);
        }
    });
}

/// Windows has no signals but console events: Ctrl-C, Ctrl-Break and the console window
/// closing (the `ctrlc` crate's `termination` feature) all take SIGINT's path, exit 130.
#[cfg(not(unix))]
pub fn install() {
    let _ = ctrlc::set_handler(|| handle(SIGINT));
}

/// SIGINT's number, the one Ctrl-C is reported as on every platform (exit 128 + 2).
#[cfg(not(unix))]
const SIGINT: i32 = 2;

fn handle(signal: i32) {
    let mut st = state();
    if st.pending.is_none() {
        st.pending = Some(signal);
    }
    st.count = st.count.saturating_add(1);
    if st.phase == Phase::Idle {
        for p in std::mem::take(&mut st.cleanup).iter().rev() {
            let _ = if p.is_dir() {
                fs_err::remove_dir_all(p)
            } else {
                fs_err::remove_file(p)
            };
        }
        // A spinner's half-drawn line would otherwise stay under the shell's prompt.
        crate::progress::clear();
        // Only a terminal understands the escape code; a pipe or a log would keep it.
        let term = console::Term::stderr();
        if term.is_term() {
            let _ = term.show_cursor();
        }
        eprintln!();
        // Exit while holding the lock: the main thread cannot start writing meanwhile.
        std::process::exit(128 + signal);
    }
}

/// The signal received while writing, as an error (`Ok` when none).
pub fn check() -> Result<()> {
    match state().pending {
        Some(signal) => Err(Error::Interrupted { signal }),
        None => Ok(()),
    }
}

/// The first signal received and how many arrived, for work that stops its own children
/// (`local-repo run` inside `writing`, where signals are deferred to it).
pub fn received() -> (Option<i32>, u32) {
    let st = state();
    (st.pending, st.count)
}

/// Run `f`, the writing part of a command, with signals deferred to its `check()` calls.
/// Refused at once if a signal already arrived.
pub fn writing<T>(f: impl FnOnce() -> Result<T>) -> Result<T> {
    {
        let mut st = state();
        if let Some(signal) = st.pending {
            return Err(Error::Interrupted { signal });
        }
        st.phase = Phase::Writing;
    }
    let out = f();
    let mut st = state();
    st.phase = if out.is_ok() {
        Phase::Done
    } else {
        Phase::Idle
    };
    match (out, st.pending) {
        // The work checked for signals up to its last step and then completed: a signal
        // after that came too late to stop it, and the whole result stands (exit 0).
        (Ok(v), _) => Ok(v),
        // Whatever failed, a signal received meanwhile is why the run stops.
        (Err(_), Some(signal)) => Err(Error::Interrupted { signal }),
        (Err(e), None) => Err(e),
    }
}

/// Remember `path` for removal if a signal ends the run while idle.
pub fn register(path: PathBuf) {
    state().cleanup.push(path);
}

/// Forget every registered path (the work they belonged to finished or was cleaned up).
pub fn clear() {
    state().cleanup.clear();
}
