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
pub fn supervise(
    runner: &dyn Runner,
    processes: &[Process],
    logs: &std::path::Path,
    limits: &Limits,
    out: &Output,
) -> Supervised {
    let (tx, rx) = mpsc::channel::<Event>();
    let mut run = Run {
        runner,
        processes,
        logs,
        limits,
        out,
        width: processes.iter().map(|p| p.name.len()).max().unwrap_or(0),
        start: Instant::now(),
        tx,
        states: processes.iter().map(|_| State::Pending).collect(),
        ready: vec![false; processes.len()],
        eof: vec![true; processes.len()],
        stopping: None,
        first_failure: None,
    };
    loop {
        if run.stopping.is_none() {
            run.start_what_may();
        }
        run.show_output(&rx);
        run.reap();
        run.watch();
        if run.stopping.is_some() && !run.stop_latest_wave() {
            break;
        }
    }
    run.show_last_lines(&rx);
    run.result()
}

/// One supervised run's state, between the phases of its loop.
struct Run<'a> {
    runner: &'a dyn Runner,
    processes: &'a [Process],
    logs: &'a std::path::Path,
    limits: &'a Limits,
    out: &'a Output<'a>,
    /// The longest process name: prefixes line up.
    width: usize,
    start: Instant,
    tx: mpsc::Sender<Event>,
    states: Vec<State>,
    /// Whether each process is ready for the next wave (started, and its ready marker seen).
    ready: Vec<bool>,
    /// Whether each process's output is over (true until it starts).
    eof: Vec<bool>,
    stopping: Option<(Stopping, Instant)>,
    /// The first process that failed, with the run's exit code.
    first_failure: Option<(usize, i32)>,
}

impl Run<'_> {
    fn log_path(&self, i: usize) -> PathBuf {
        self.logs.join(format!("{}.log", self.processes[i].name))
    }

    fn print(&self, i: usize, line: &str) {
        self.out.printer.child_line(
            &self.processes[i].name,
            self.width,
            i,
            line,
            self.out.to_stderr,
        );
    }

    /// Start every pending process that may start; one that cannot be started fails the run.
    fn start_what_may(&mut self) {
        for i in 0..self.processes.len() {
            if !matches!(self.states[i], State::Pending)
                || !may_start(i, self.processes, &self.states, &self.ready)
            {
                continue;
            }
            let p = &self.processes[i];
            match start_one(self.runner, p, i, &self.log_path(i), &self.tx) {
                Ok(child) => {
                    self.eof[i] = false;
                    if p.ready_marker.is_none() {
                        self.ready[i] = true;
                    }
                    self.states[i] = State::Running {
                        child,
                        started: Instant::now(),
                        termed: false,
                    };
                }
                Err(why) => {
                    self.print(i, &format!("aichor: {why}"));
                    self.states[i] = State::Done {
                        exit: Some(Exit {
                            code: Some(127),
                            signal: None,
                        }),
                        seconds: 0.0,
                        pid: None,
                        state: "failed",
                    };
                    self.first_failure.get_or_insert((i, 127));
                    self.stopping = Some((Stopping::Failed, Instant::now()));
                    break;
                }
            }
        }
    }

    /// The lines that arrive within 50 ms, shown; a ready marker makes its process ready.
    fn show_output(&mut self, rx: &mpsc::Receiver<Event>) {
        let deadline = Instant::now() + Duration::from_millis(50);
        while let Ok(ev) = rx.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
            match ev {
                Event::Line(i, line) => {
                    if let Some(marker) = &self.processes[i].ready_marker
                        && line.contains(marker.as_str())
                    {
                        self.ready[i] = true;
                    }
                    self.print(i, &line);
                }
                Event::Eof(i) => self.eof[i] = true,
            }
        }
    }

    /// The processes that exited: done, and the first unexpected exit stops the run.
    fn reap(&mut self) {
        for i in 0..self.processes.len() {
            let State::Running {
                child,
                started,
                termed,
            } = &mut self.states[i]
            else {
                continue;
            };
            let Some(exit) = child.try_wait() else {
                continue;
            };
            let by_us = *termed || self.stopping.is_some();
            let state = if exit.success() && !self.processes[i].service {
                "ok"
            } else if by_us {
                "stopped"
            } else {
                "failed"
            };
            self.states[i] = State::Done {
                exit: Some(exit),
                seconds: started.elapsed().as_secs_f64(),
                pid: Some(child.pid()),
                state,
            };
            if state == "failed" && self.first_failure.is_none() {
                // A Ray node that ends on its own (even with 0) leaves the driver without
                // its cluster: a failure.
                let code = if exit.success() { 1 } else { exit.status() };
                self.first_failure = Some((i, code));
                self.print(
                    i,
                    &format!(
                        "aichor: exited with {}; stopping the others",
                        describe(exit)
                    ),
                );
                self.stopping = Some((Stopping::Failed, Instant::now()));
            }
        }
    }

    /// Signals, the timeout, the work done: each a reason to stop.
    fn watch(&mut self) {
        let (signal, count) = crate::interrupt::received();
        if let Some(sig) = signal {
            if matches!(self.stopping, None | Some((Stopping::Finished, _))) {
                self.stopping = Some((Stopping::Signal(sig), Instant::now()));
            }
            if count > 1 {
                // A second Ctrl-C: no more grace.
                kill_all(&mut self.states);
            }
        }
        if self.stopping.is_none()
            && let Some(t) = self.limits.timeout
            && self.start.elapsed() >= t
        {
            self.out.printer.warn(&format!(
                "the run reached --timeout {}s: stopping every process",
                t.as_secs()
            ));
            self.stopping = Some((Stopping::Timeout, Instant::now()));
        }
        let work_left = self
            .processes
            .iter()
            .zip(&self.states)
            .any(|(p, s)| !p.service && !matches!(s, State::Done { .. }));
        if self.stopping.is_none() && !work_left {
            self.stopping = Some((Stopping::Finished, Instant::now()));
        }
    }

    /// While stopping: the latest wave still running is asked to stop first (a Ray driver,
    /// its nodes, then the head), what never started never will, and SIGKILL follows once
    /// the grace is over. Whether anything is still running.
    fn stop_latest_wave(&mut self) -> bool {
        let Some((_, since)) = self.stopping else {
            return true;
        };
        let top = self
            .processes
            .iter()
            .zip(&self.states)
            .filter(|(_, s)| matches!(s, State::Running { .. }))
            .map(|(p, _)| p.wave)
            .max();
        for (p, s) in self.processes.iter().zip(self.states.iter_mut()) {
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
        if since.elapsed() >= self.limits.grace {
            kill_all(&mut self.states);
        }
        top.is_some()
    }

    /// The last lines of every process (written before it exited); a daemon that inherited
    /// the pipe must not hold the run, hence the bound.
    fn show_last_lines(&mut self, rx: &mpsc::Receiver<Event>) {
        let deadline = Instant::now() + Duration::from_millis(500);
        while self.eof.iter().any(|e| !e) {
            match rx.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
                Ok(Event::Line(i, line)) => self.print(i, &line),
                Ok(Event::Eof(i)) => self.eof[i] = true,
                Err(_) => break,
            }
        }
    }

    fn result(self) -> Supervised {
        let (outcome, exit_code, signal) = match (self.stopping.map(|s| s.0), self.first_failure) {
            (Some(Stopping::Signal(sig)), _) => (Outcome::Interrupted, 128 + sig, Some(sig)),
            (_, Some((_, code))) => (Outcome::Failed, code, None),
            (Some(Stopping::Timeout), None) => (Outcome::Timeout, 124, None),
            _ => (Outcome::Ok, 0, None),
        };
        let logs: Vec<PathBuf> = (0..self.processes.len())
            .map(|i| self.log_path(i))
            .collect();
        let ended: Vec<Ended> = self
            .processes
            .iter()
            .zip(self.states)
            .zip(logs)
            .map(|((p, s), log)| {
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
                    log,
                    pid,
                }
            })
            .collect();
        Supervised {
            outcome,
            exit_code,
            first_failure: self.first_failure.map(|(i, _)| ended[i].name.clone()),
            signal,
            seconds: self.start.elapsed().as_secs_f64(),
            processes: ended,
        }
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
