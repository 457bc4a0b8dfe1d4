//! Running uv: which program (`AICHOR_UV`, else `uv` on PATH) and one run of it in a folder,
//! stoppable by a signal. `local-repo init` runs `uv lock`, `local-repo check` runs
//! `uv lock --check`.

use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::time::Duration;

use crate::environment::Environment;
use crate::error::Result;

/// The uv program: `AICHOR_UV` if set (a pinned uv, or a test's stand-in), else `uv` from
/// PATH. `Err` names what was looked for.
pub fn find(env: &Environment) -> Result<PathBuf, String> {
    if let Some(uv) = env.var_os(crate::environment::UV) {
        let path = PathBuf::from(&uv);
        return if path.is_file() {
            Ok(path)
        } else {
            Err(format!("`{}` (AICHOR_UV) does not exist", path.display()))
        };
    }
    env.program("uv")
        .ok_or_else(|| "`uv` is not on PATH".to_string())
}

/// How long `uv --version` may take: a real uv answers in milliseconds, and a report must
/// never hang on a program that does not (a wrapper waiting for input, a stuck network disk).
pub const VERSION_TIMEOUT: Duration = Duration::from_secs(5);

/// What `uv --version` says (`uv 0.13.9 (...)`), or why it said nothing: failed, or no
/// answer within `VERSION_TIMEOUT` (then it is killed).
pub fn version(uv: &Path) -> Result<String, String> {
    let mut child = Command::new(uv)
        .arg("--version")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| e.to_string())?;
    // Read on the side: a process it started may keep the pipe open after it exits.
    let (sent, answer) = std::sync::mpsc::channel();
    if let Some(mut pipe) = child.stdout.take() {
        std::thread::spawn(move || {
            let mut text = String::new();
            let _ = std::io::Read::read_to_string(&mut pipe, &mut text);
            let _ = sent.send(text);
        });
    }
    let deadline = std::time::Instant::now() + VERSION_TIMEOUT;
    let late = || format!("did not answer within {} s", VERSION_TIMEOUT.as_secs());
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if std::time::Instant::now() < deadline => {
                std::thread::sleep(Duration::from_millis(20));
            }
            Ok(None) => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(late());
            }
            Err(e) => return Err(e.to_string()),
        }
    };
    let left = deadline.saturating_duration_since(std::time::Instant::now());
    let text = answer.recv_timeout(left).map_err(|_| late())?;
    let text = text.trim().to_string();
    if status.success() && !text.is_empty() {
        Ok(text)
    } else {
        Err(format!("`--version` failed ({status})"))
    }
}

/// How a run of uv ended: its status and what it wrote on stderr.
#[derive(Debug)]
pub struct Ran {
    pub status: ExitStatus,
    pub stderr: String,
}

impl Ran {
    /// The last non-blank line of stderr (uv's error), or `no output`.
    pub fn last_line(&self) -> String {
        self.stderr
            .lines()
            .rev()
            .find(|l| !l.trim().is_empty())
            .unwrap_or("no output")
            .trim()
            .to_string()
    }
}

/// Run `uv ARGS` in `root`. `Ok(Err(why))` when it could not be started or waited for. A
/// signal stops uv (it is never left running on its own) and ends the run with
/// `Error::Interrupted`.
pub fn run(uv: &Path, root: &Path, args: &[&str]) -> Result<Result<Ran, String>> {
    let child = Command::new(uv)
        .args(args)
        .current_dir(root)
        // Output is captured, so no progress bars; a closed stdin means uv can never sit
        // waiting for an answer (a credential prompt) the user cannot see.
        .env("UV_NO_PROGRESS", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn();
    let mut child = match child {
        Ok(c) => c,
        Err(e) => return Ok(Err(e.to_string())),
    };
    // Read stderr on the side, so a chatty uv never blocks on a full pipe while we poll.
    let stderr = child.stderr.take().map(|mut pipe| {
        std::thread::spawn(move || {
            let mut text = String::new();
            let _ = std::io::Read::read_to_string(&mut pipe, &mut text);
            text
        })
    });
    let status = loop {
        if let Err(stop) = crate::interrupt::check() {
            let _ = child.kill();
            let _ = child.wait();
            return Err(stop);
        }
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) => std::thread::sleep(Duration::from_millis(20)),
            Err(e) => return Ok(Err(e.to_string())),
        }
    };
    let stderr = stderr.and_then(|t| t.join().ok()).unwrap_or_default();
    Ok(Ok(Ran { status, stderr }))
}
