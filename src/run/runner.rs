//! Where a planned process runs. `Runner` starts one and hands back a handle the supervisor
//! polls and signals; `Local` runs it on this machine, in a process group of its own, so a
//! signal reaches everything it started. A container runner (the manifest's image built,
//! one container per pod on one network) would implement the same two traits: `start` as
//! `docker run --init --network <run>`, `signal` as `docker kill --signal`.

use std::io::PipeWriter;
use std::process::{Command, Stdio};

use super::plan::Process;

/// How a process ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Exit {
    pub code: Option<i32>,
    pub signal: Option<i32>,
}

impl Exit {
    /// The exit status a shell would report: the code, or 128 + the signal.
    pub fn status(self) -> i32 {
        match (self.code, self.signal) {
            (Some(c), _) => c,
            (None, Some(s)) => 128 + s,
            (None, None) => 1,
        }
    }

    pub fn success(self) -> bool {
        self.code == Some(0)
    }
}

/// Which signal to send a process's group.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stop {
    /// Ask it to stop (SIGTERM): the grace period starts.
    Term,
    /// SIGTERM to the process alone (`ray start --block` stops its node's daemons itself,
    /// in order; signalled all at once they hang in a drain).
    TermLeader,
    /// End it (SIGKILL), the grace being over.
    Kill,
}

/// Starts processes.
pub trait Runner {
    /// Start `process` with its stdout and stderr both written to `output` (one pipe keeps
    /// their order). `Err` says why it could not start.
    fn start(&self, process: &Process, output: PipeWriter) -> Result<Box<dyn Running>, String>;
}

/// A started process.
pub trait Running {
    fn pid(&self) -> u32;
    /// Its exit, once it has ended (reaped); `None` while it runs.
    fn try_wait(&mut self) -> Option<Exit>;
    /// Signal the process and everything it started (its group); a group already gone is
    /// no error.
    fn signal(&mut self, stop: Stop);
}

/// Processes on this machine.
pub struct Local;

impl Runner for Local {
    fn start(&self, process: &Process, output: PipeWriter) -> Result<Box<dyn Running>, String> {
        let (program, args) = process
            .argv
            .split_first()
            .ok_or_else(|| "empty command".to_string())?;
        let err = output.try_clone().map_err(|e| e.to_string())?;
        let mut cmd = Command::new(program);
        cmd.args(args)
            .current_dir(&process.cwd)
            .envs(&process.env)
            // A background group reading the terminal would be stopped (SIGTTIN).
            .stdin(Stdio::null())
            .stdout(output)
            .stderr(err);
        for name in &process.unset {
            cmd.env_remove(name);
        }
        #[cfg(unix)]
        {
            use std::os::unix::process::CommandExt;
            // Its own group: Ctrl-C at the terminal reaches aichor only, which stops the
            // groups itself; a signal to the group reaches the process's children too.
            cmd.process_group(0);
        }
        let child = cmd
            .spawn()
            .map_err(|e| format!("cannot start `{program}`: {e}"))?;
        Ok(Box::new(LocalChild { child, done: None }))
    }
}

struct LocalChild {
    child: std::process::Child,
    done: Option<Exit>,
}

impl Running for LocalChild {
    fn pid(&self) -> u32 {
        self.child.id()
    }

    fn try_wait(&mut self) -> Option<Exit> {
        if self.done.is_some() {
            return self.done;
        }
        let status = match self.child.try_wait() {
            Ok(Some(status)) => status,
            Ok(None) => return None,
            // Cannot be waited for (not our child any more): count it as gone.
            Err(_) => {
                self.done = Some(Exit {
                    code: None,
                    signal: None,
                });
                return self.done;
            }
        };
        #[cfg(unix)]
        let signal = std::os::unix::process::ExitStatusExt::signal(&status);
        #[cfg(not(unix))]
        let signal = None;
        // What the leader left in its group (a daemon, a grandchild holding the pipe): a
        // pod's processes end with its container, so do these.
        group_signal(self.child.id(), Stop::Kill);
        self.done = Some(Exit {
            code: status.code(),
            signal,
        });
        self.done
    }

    fn signal(&mut self, stop: Stop) {
        if self.done.is_none() {
            group_signal(self.child.id(), stop);
        }
    }
}

#[cfg(unix)]
fn group_signal(pid: u32, stop: Stop) {
    use rustix::process::{Pid, Signal, kill_process_group};
    let Some(pid) = i32::try_from(pid).ok().and_then(Pid::from_raw) else {
        return;
    };
    // ESRCH: the process or group is gone already, which is what was wanted.
    let _ = match stop {
        Stop::Term => kill_process_group(pid, Signal::TERM),
        Stop::TermLeader => rustix::process::kill_process(pid, Signal::TERM),
        Stop::Kill => kill_process_group(pid, Signal::KILL),
    };
}

#[cfg(not(unix))]
fn group_signal(_pid: u32, _stop: Stop) {}
