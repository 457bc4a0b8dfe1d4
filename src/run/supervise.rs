//! Supervising a run's processes, like `torchrun` or `docker compose up`: start them (in
//! waves: a Ray head, its nodes, then the driver; at most `parallelisms` pods of a Job at
//! once), show their output line by line under a `[name]` prefix while keeping each one's
//! log, and stop them all at the first failure, at the timeout or at a signal: SIGTERM to
//! every group, a grace period, SIGKILL. Nothing is left running when it returns.

use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use serde::Serialize;

use super::plan::Process;
use super::runner::{Exit, Runner, Running, Stop};
use crate::printer::Printer;

/// How the supervisor is told to behave.
pub struct Limits {
    /// `--timeout`: the whole run.
    pub timeout: Option<Duration>,
    /// Between SIGTERM and SIGKILL.
    pub grace: Duration,
}

/// Why the run ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Ok,
    Failed,
    Timeout,
    Interrupted,
}

/// One process at the end of the run.
#[derive(Debug, Clone, Serialize)]
pub struct Ended {
    pub name: String,
    pub argv: Vec<String>,
    /// The variables the run set (on top of the inherited environment).
    pub env: std::collections::BTreeMap<String, String>,
    /// `ok`, `failed`, `stopped` (by the run: a peer failed, the timeout, a signal, or a Ray
    /// node once the driver was done), `not_started`.
    pub state: &'static str,
    pub exit_code: Option<i32>,
    pub signal: Option<i32>,
    pub seconds: f64,
    pub log: PathBuf,
    pub pid: Option<u32>,
}

/// The run's result.
#[derive(Debug, Clone, Serialize)]
pub struct Supervised {
    pub outcome: Outcome,
    /// The exit status of the run: the first failure's, 124 on timeout, 128 + signal.
    pub exit_code: i32,
    /// The first process that failed.
    pub first_failure: Option<String>,
    /// The signal that stopped the run.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signal: Option<i32>,
    pub seconds: f64,
    pub processes: Vec<Ended>,
}

enum Event {
    Line(usize, String),
    Eof(usize),
}

enum State {
    Pending,
    Running {
        child: Box<dyn Running>,
        started: Instant,
        termed: bool,
    },
    Done {
        exit: Option<Exit>,
        seconds: f64,
        pid: Option<u32>,
        state: &'static str,
    },
}

/// Why the run is stopping.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Stopping {
    /// The work is done: only the Ray nodes are left to stop.
    Finished,
    Failed,
    Timeout,
    Signal(i32),
}

/// Where lines go: the printer, prefixed (stdout for text, stderr when stdout carries JSON).
pub struct Output<'a> {
    pub printer: &'a Printer,
    pub to_stderr: bool,
}

/// Run `processes` to the end. `logs` is the folder of their logs.
#[allow(clippy::too_many_lines)]
pub fn supervise(
    runner: &dyn Runner,
    processes: &[Process],
    logs: &std::path::Path,
    limits: &Limits,
    out: &Output,
) -> Supervised {
    let start = Instant::now();
    let width = processes.iter().map(|p| p.name.len()).max().unwrap_or(0);
    let (tx, rx) = mpsc::channel::<Event>();
    let mut states: Vec<State> = processes.iter().map(|_| State::Pending).collect();
    let mut ready = vec![false; processes.len()];
    let mut eof = vec![true; processes.len()];
    let mut stopping: Option<(Stopping, Instant)> = None;
    let mut first_failure: Option<(usize, i32)> = None;
    let log_path = |i: usize| logs.join(format!("{}.log", processes[i].name));
    let print = |i: usize, line: &str| {
        out.printer
            .child_line(&processes[i].name, width, i, line, out.to_stderr);
    };
    loop {
        // Start what may start.
        if stopping.is_none() {
            for i in 0..processes.len() {
                if !matches!(states[i], State::Pending) || !may_start(i, processes, &states, &ready)
                {
                    continue;
                }
                let p = &processes[i];
                match start_one(runner, p, i, &log_path(i), &tx) {
                    Ok(child) => {
                        eof[i] = false;
                        if p.ready_marker.is_none() {
                            ready[i] = true;
                        }
                        states[i] = State::Running {
                            child,
                            started: Instant::now(),
                            termed: false,
                        };
                    }
                    Err(why) => {
                        print(i, &format!("aichor: {why}"));
                        states[i] = State::Done {
                            exit: Some(Exit {
                                code: Some(127),
                                signal: None,
                            }),
                            seconds: 0.0,
                            pid: None,
                            state: "failed",
                        };
                        first_failure.get_or_insert((i, 127));
                        stopping = Some((Stopping::Failed, Instant::now()));
                        break;
                    }
                }
            }
        }
        // Output.
        let deadline = Instant::now() + Duration::from_millis(50);
        while let Ok(ev) = rx.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
            match ev {
                Event::Line(i, line) => {
                    if let Some(marker) = &processes[i].ready_marker
                        && line.contains(marker.as_str())
                    {
                        ready[i] = true;
                    }
                    print(i, &line);
                }
                Event::Eof(i) => eof[i] = true,
            }
        }
        // Exits.
        for i in 0..processes.len() {
            let State::Running {
                child,
                started,
                termed,
            } = &mut states[i]
            else {
                continue;
            };
            let Some(exit) = child.try_wait() else {
                continue;
            };
            let by_us = *termed || stopping.is_some();
            let service = processes[i].service;
            let state = if exit.success() && !service {
                "ok"
            } else if by_us {
                "stopped"
            } else {
                "failed"
            };
            if state == "failed" && first_failure.is_none() {
                // A Ray node that ends on its own (even with 0) leaves the driver without
                // its cluster: a failure.
                let code = if exit.success() { 1 } else { exit.status() };
                first_failure = Some((i, code));
                print(
                    i,
                    &format!(
                        "aichor: exited with {}; stopping the others",
                        describe(exit)
                    ),
                );
                stopping = Some((Stopping::Failed, Instant::now()));
            }
            states[i] = State::Done {
                exit: Some(exit),
                seconds: started.elapsed().as_secs_f64(),
                pid: Some(child.pid()),
                state,
            };
        }
        // Signals, timeout, the work done.
        let (signal, count) = crate::interrupt::received();
        if let Some(sig) = signal {
            match stopping {
                None | Some((Stopping::Finished, _)) => {
                    stopping = Some((Stopping::Signal(sig), Instant::now()));
                }
                _ => {}
            }
            if count > 1 {
                // A second Ctrl-C: no more grace.
                kill_all(&mut states);
            }
        }
        if stopping.is_none()
            && let Some(t) = limits.timeout
            && start.elapsed() >= t
        {
            out.printer.warn(&format!(
                "the run reached --timeout {}s: stopping every process",
                t.as_secs()
            ));
            stopping = Some((Stopping::Timeout, Instant::now()));
        }
        let work_left = processes
            .iter()
            .zip(&states)
            .any(|(p, s)| !p.service && !matches!(s, State::Done { .. }));
        if stopping.is_none() && !work_left {
            stopping = Some((Stopping::Finished, Instant::now()));
        }
        // Stopping: the latest wave first (a Ray driver, its nodes, then the head), SIGKILL
        // once the grace is over.
        if let Some((_, since)) = stopping {
            let top = processes
                .iter()
                .zip(&states)
                .filter(|(_, s)| matches!(s, State::Running { .. }))
                .map(|(p, _)| p.wave)
                .max();
            for (p, s) in processes.iter().zip(states.iter_mut()) {
                match s {
                    State::Running { child, termed, .. } if Some(p.wave) == top && !*termed => {
                        child.signal(if p.service {
                            Stop::TermLeader
                        } else {
                            Stop::Term
                        });
                        *termed = true;
                    }
                    State::Pending => {
                        *s = State::Done {
                            exit: None,
                            seconds: 0.0,
                            pid: None,
                            state: "not_started",
                        };
                    }
                    _ => {}
                }
            }
            if since.elapsed() >= limits.grace {
                kill_all(&mut states);
            }
            if top.is_none() {
                break;
            }
        }
    }
    // The last lines of every process (written before it exited); a daemon that inherited
    // the pipe must not hold the run, hence the bound.
    let deadline = Instant::now() + Duration::from_millis(500);
    while eof.iter().any(|e| !e) {
        match rx.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
            Ok(Event::Line(i, line)) => print(i, &line),
            Ok(Event::Eof(i)) => eof[i] = true,
            Err(_) => break,
        }
    }
    let (outcome, exit_code, signal) = match (stopping.map(|s| s.0), first_failure) {
        (Some(Stopping::Signal(sig)), _) => (Outcome::Interrupted, 128 + sig, Some(sig)),
        (_, Some((_, code))) => (Outcome::Failed, code, None),
        (Some(Stopping::Timeout), None) => (Outcome::Timeout, 124, None),
        _ => (Outcome::Ok, 0, None),
    };
    let ended: Vec<Ended> = processes
        .iter()
        .zip(states)
        .enumerate()
        .map(|(i, (p, s))| {
            let (exit, seconds, pid, state) = match s {
                State::Done {
                    exit,
                    seconds,
                    pid,
                    state,
                } => (exit, seconds, pid, state),
                // Not reached: the loop ends when nothing runs.
                State::Pending | State::Running { .. } => (None, 0.0, None, "not_started"),
            };
            Ended {
                name: p.name.clone(),
                argv: p.argv.clone(),
                env: p.env.clone(),
                state,
                exit_code: exit.and_then(|e| e.code),
                signal: exit.and_then(|e| e.signal),
                seconds,
                log: log_path(i),
                pid,
            }
        })
        .collect();
    Supervised {
        outcome,
        exit_code,
        first_failure: first_failure.map(|(i, _)| ended[i].name.clone()),
        signal,
        seconds: start.elapsed().as_secs_f64(),
        processes: ended,
    }
}

fn describe(exit: Exit) -> String {
    match (exit.code, exit.signal) {
        (Some(c), _) => format!("code {c}"),
        (None, Some(s)) => format!("signal {s}"),
        _ => "an unknown status".into(),
    }
}

fn kill_all(states: &mut [State]) {
    for s in states {
        if let State::Running { child, .. } = s {
            child.signal(Stop::Kill);
        }
    }
}

/// Whether process `i` may start now: every earlier wave ready, and (jobset) fewer than
/// `parallelisms` pods of its Job running, the earlier indices first.
fn may_start(i: usize, processes: &[Process], states: &[State], ready: &[bool]) -> bool {
    let p = &processes[i];
    let earlier_ready = processes
        .iter()
        .zip(ready)
        .all(|(q, r)| q.wave >= p.wave || *r);
    if !earlier_ready {
        return false;
    }
    let Some((job, parallel)) = &p.job else {
        return true;
    };
    let running = processes
        .iter()
        .zip(states)
        .filter(|(q, s)| {
            q.job.as_ref().is_some_and(|(j, _)| j == job) && matches!(s, State::Running { .. })
        })
        .count();
    running < *parallel as usize
}

fn start_one(
    runner: &dyn Runner,
    p: &Process,
    i: usize,
    log: &std::path::Path,
    tx: &mpsc::Sender<Event>,
) -> Result<Box<dyn Running>, String> {
    let mut log_file = fs_err::File::create(log).map_err(|e| e.to_string())?;
    let (reader, writer) = std::io::pipe().map_err(|e| e.to_string())?;
    // `writer` moves into the child's command and is dropped with it: the reader sees EOF
    // once the child (and whatever inherited the pipe) is gone.
    let child = runner.start(p, writer)?;
    let tx = tx.clone();
    std::thread::spawn(move || {
        let mut reader = BufReader::new(reader);
        let mut buf = Vec::new();
        loop {
            buf.clear();
            match reader.read_until(b'\n', &mut buf) {
                Ok(0) | Err(_) => break,
                Ok(_) => {
                    let _ = log_file.write_all(&buf);
                    // Bad UTF-8 shown, not fatal; `\r` (progress bars) ends a line too.
                    let text = String::from_utf8_lossy(&buf);
                    let text = text.trim_end_matches(['\n', '\r']);
                    for part in text.split('\r') {
                        if tx.send(Event::Line(i, part.to_string())).is_err() {
                            return;
                        }
                    }
                }
            }
        }
        let _ = log_file.flush();
        let _ = tx.send(Event::Eof(i));
    });
    Ok(child)
}
