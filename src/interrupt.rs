//! Ctrl-C: whatever is being staged is removed and the process exits with 130; while files
//! are being moved into place (a few renames) the signal waits, so the destination is never
//! left half-written. Also restores the cursor a prompt may have hidden.

use std::path::PathBuf;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

/// Paths to remove if interrupted (the staging directory, parents we created).
static CLEANUP: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());
/// Set while files are renamed into the destination.
static COMMITTING: AtomicBool = AtomicBool::new(false);
/// Set when Ctrl-C arrived during the commit; honoured once it is done.
static PENDING: AtomicBool = AtomicBool::new(false);

/// Install the handler once; failure to install only loses the cleanup, so it is not fatal.
pub fn install() {
    let _ = ctrlc::set_handler(|| {
        if COMMITTING.load(Ordering::SeqCst) {
            PENDING.store(true, Ordering::SeqCst);
            return;
        }
        exit_now();
    });
}

fn exit_now() -> ! {
    cleanup();
    let _ = console::Term::stderr().show_cursor();
    eprintln!();
    std::process::exit(130);
}

/// Remove every registered path (deepest first).
pub fn cleanup() {
    let paths = match CLEANUP.lock() {
        Ok(mut guard) => std::mem::take(&mut *guard),
        Err(_) => return,
    };
    for p in paths.iter().rev() {
        if p.is_dir() {
            let _ = fs_err::remove_dir_all(p);
        } else {
            let _ = fs_err::remove_file(p);
        }
    }
}

/// Remember `path` for removal on Ctrl-C.
pub fn register(path: PathBuf) {
    if let Ok(mut guard) = CLEANUP.lock() {
        guard.push(path);
    }
}

/// Forget every registered path (the work they belonged to finished or was cleaned up).
pub fn clear() {
    if let Ok(mut guard) = CLEANUP.lock() {
        guard.clear();
    }
}

/// Run `f` with Ctrl-C deferred until it returns.
pub fn while_committing<T>(f: impl FnOnce() -> T) -> T {
    COMMITTING.store(true, Ordering::SeqCst);
    let out = f();
    COMMITTING.store(false, Ordering::SeqCst);
    if PENDING.load(Ordering::SeqCst) {
        // The commit finished: what is on disk is whole; stop as the user asked.
        clear();
        let _ = console::Term::stderr().show_cursor();
        std::process::exit(130);
    }
    out
}
