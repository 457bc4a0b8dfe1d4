//! The plan of a local run, pure: a manifest's shape → one process per pod its operator would
//! start, each with its argv, working folder and the variables the operator injects
//! (reference: run-locally.md §1). Ports, the run's folders and the inherited environment
//! come from the caller, so the same inputs always give the same plan (and tests need no
//! machine).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Serialize;

use super::shape::{Pod, Shape, Types};

/// How the project's Python environment is entered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum EnvMode {
    /// `uv run --locked -- ARGV`: the environment `uv.lock` describes, synced first (what the
    /// image installs).
    Uv { uv: PathBuf },
    /// The active virtual environment (`VIRTUAL_ENV`), its `bin` first on PATH.
    Active { venv: PathBuf },
    /// No project to sync: the command runs as it is, the project's `.venv/bin` (if any)
    /// first on PATH, as in the image.
    Plain { venv: Option<PathBuf> },
}

impl EnvMode {
    /// One line for the user: which environment the processes get.
    pub fn describe(&self) -> String {
        match self {
            EnvMode::Uv { .. } => "`uv run --locked` (the environment uv.lock describes)".into(),
            EnvMode::Active { venv } => {
                format!("the active virtual environment `{}`", venv.display())
            }
            EnvMode::Plain { venv: Some(v) } => format!("`{}` first on PATH", v.display()),
            EnvMode::Plain { venv: None } => "PATH as it is (no uv project, no .venv)".into(),
        }
    }
}

/// The folders of one run (`.aichor/runs/<id>/`), and where Ray keeps its sockets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunDirs {
    pub id: String,
    pub root: PathBuf,
    /// Short (Ray's socket paths must stay under 108 bytes): `/tmp/aichor-ray-<id>`.
    pub ray_tmp: PathBuf,
}

impl RunDirs {
    pub fn outputs(&self) -> PathBuf {
        self.root.join("outputs")
    }
    pub fn tensorboard(&self) -> PathBuf {
        self.root.join("tensorboard")
    }
    pub fn inputs(&self) -> PathBuf {
        self.root.join("inputs")
    }
    pub fn logs(&self) -> PathBuf {
        self.root.join("logs")
    }
    pub fn ray_token(&self) -> PathBuf {
        self.root.join("ray-auth-token")
    }
}

/// Everything a plan depends on besides the manifest.
pub struct Request<'a> {
    pub manifest: &'a Shape,
    /// The manifest as the user named it (for the experiment message).
    pub manifest_name: &'a str,
    /// `--workers`: containers (pytorch, xgboost, jax), Jobs per group (jobset), nodes per
    /// worker group (kuberay).
    pub workers: Option<u32>,
    pub dirs: &'a RunDirs,
    /// The processes' working folder (the build context, as the image's WORKDIR has it).
    pub cwd: &'a Path,
    pub env_mode: &'a EnvMode,
    /// Names of the variables the processes would inherit.
    pub inherited: &'a [String],
    /// The inherited PATH.
    pub path: Option<&'a str>,
    /// Logical CPUs of this machine.
    pub cores: usize,
    /// Words after `--`, appended to `spec.command`.
    pub extra_args: &'a [String],
}

/// One process to start.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Process {
    /// `worker-0`, `<group>-<job>-<completion>`, `head`, `<group>-<i>`, `driver`.
    pub name: String,
    pub argv: Vec<String>,
    pub cwd: PathBuf,
    /// The variables set (on top of the inherited ones, less `unset`).
    pub env: BTreeMap<String, String>,
    /// Inherited variables removed (platform variables a pod would not have).
    pub unset: Vec<String>,
    /// A Ray node: kept running while the driver works, stopped when it is done.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub service: bool,
    /// Started once every process of the earlier waves is ready.
    pub wave: u32,
    /// The line that says the process is ready (for services); none: ready once started.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ready_marker: Option<String>,
    /// jobset: the Job it belongs to and how many of its pods run at once.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub job: Option<(String, u32)>,
}

/// A plan, or why the run is refused before anything starts.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Plan {
    pub operator: String,
    pub processes: Vec<Process>,
    /// The ports handed out (so a summary can say them).
    pub ports: Vec<u16>,
    /// Said before the run starts (oversubscription, ports that collide locally).
    pub warnings: Vec<String>,
}

/// A refusal: what is wrong and how to fix it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refused {
    pub what: String,
    pub help: String,
}

fn refuse(what: impl Into<String>, help: impl Into<String>) -> Refused {
    Refused {
        what: what.into(),
        help: help.into(),
    }
}

/// Prefixes (and names) of inherited variables that would tell a process it is a rank of a
/// distributed run: a pod starts without them, so must a local process.
const STRIPPED: &[&str] = &[
    "RANK",
    "WORLD_SIZE",
    "LOCAL_",
    "MASTER_",
    "PET_",
    "TORCHELASTIC_",
    "JAXOPERATOR_",
    "JOB_",
    "RAY_",
    "WORKER_PORT",
    "WORKER_ADDRS",
    "GLOBAL_REPLICAS",
    "REPLICATED_JOB_",
    "JOBSET_NAME",
    "GROUP_RANK",
    "ROLE_",
    "VIRTUAL_ENV",
];

/// Ray's own default ports, which two local clusters (or a user's) would share.
const RAY_RESERVED: std::ops::RangeInclusive<u16> = 10002..=19999;

/// Build the plan. `port` hands out a free port (never one already handed out).
// One arm per operator, read together: splitting it would scatter the table of §1.
#[allow(clippy::too_many_lines)]
pub fn plan(req: &Request, port: &mut dyn FnMut() -> Result<u16, String>) -> Result<Plan, Refused> {
    let m = req.manifest;
    let mut plan = Plan {
        operator: m.operator.clone(),
        processes: Vec::new(),
        ports: Vec::new(),
        warnings: Vec::new(),
    };
    let mut take_port = || -> Result<u16, Refused> {
        port().map_err(|why| {
            refuse(
                format!("no free TCP port for the run: {why}"),
                "free a port (or stop another run) and try again",
            )
        })
    };
    let command = command_argv(&m.command, req.extra_args);
    match &m.types {
        Types::Workers { count, pod } => {
            let n = req.workers.unwrap_or(*count);
            if n == 0 {
                return Err(refuse(
                    "`spec.types.worker.count` is 0: there is nothing to run",
                    "pass `--workers 1` (or set `count` in the manifest)",
                ));
            }
            let master = take_port()?;
            plan.ports.push(master);
            let worker_port = if m.operator == "xgboost" && n > 1 {
                let p = take_port()?;
                plan.ports.push(p);
                Some(p)
            } else {
                None
            };
            for rank in 0..n {
                let mut env = BTreeMap::new();
                if m.operator == "jax" {
                    {
                        env.insert("JAXOPERATOR_COORDINATOR_HOST".into(), LOCALHOST.into());
                        env.insert(
                            "JAXOPERATOR_COORDINATOR_ADDRESS".into(),
                            format!("{LOCALHOST}:{master}"),
                        );
                        env.insert("JAXOPERATOR_NUM_PROCESSES".into(), n.to_string());
                        env.insert("JAXOPERATOR_PROCESS_ID".into(), rank.to_string());
                        if pod.gpus == 0 {
                            // CPU profile: collectives go over gloo (Kubeflow's JAXJob docs).
                            env.insert("JAX_PLATFORMS".into(), "cpu".into());
                        }
                    }
                } else {
                    {
                        env.insert("MASTER_ADDR".into(), LOCALHOST.into());
                        env.insert("MASTER_PORT".into(), master.to_string());
                        env.insert("WORLD_SIZE".into(), n.to_string());
                        env.insert("RANK".into(), rank.to_string());
                        if let Some(p) = worker_port {
                            env.insert("WORKER_PORT".into(), p.to_string());
                            let others = vec![LOCALHOST; n.saturating_sub(1) as usize];
                            env.insert("WORKER_ADDRS".into(), others.join(","));
                        }
                    }
                }
                plan.processes.push(process(
                    req,
                    format!("worker-{rank}"),
                    command.clone(),
                    env,
                    pod,
                    n,
                    rank,
                ));
            }
            if m.operator == "xgboost" && n > 1 {
                plan.warnings.push(format!(
                    "xgboost: WORKER_PORT ({}) is one port for {n} workers here (each pod has its own on AIchor); code that binds it on every worker collides locally",
                    worker_port.unwrap_or_default()
                ));
            }
        }
        Types::Jobset(groups) => {
            let groups: Vec<_> = groups
                .iter()
                .map(|g| {
                    let mut g = g.clone();
                    if let Some(w) = req.workers {
                        g.count = w;
                    }
                    g
                })
                .collect();
            let total_jobs: u32 = groups.iter().map(|g| g.count).sum();
            let pods: u32 = groups.iter().map(|g| g.count * g.completions).sum();
            if pods == 0 {
                return Err(refuse(
                    "the jobset has no pods (every group has `count` or `completions` 0)",
                    "pass `--workers 1` (or set `count` and `completions` in the manifest)",
                ));
            }
            let jobset = format!("local-{}", req.dirs.id);
            let mut offset = 0;
            for g in &groups {
                for job in 0..g.count {
                    for completion in 0..g.completions {
                        let mut env = BTreeMap::new();
                        env.insert("JOB_COMPLETION_INDEX".into(), completion.to_string());
                        env.insert("JOB_INDEX".into(), job.to_string());
                        env.insert("JOB_GLOBAL_INDEX".into(), (offset + job).to_string());
                        env.insert("GLOBAL_REPLICAS".into(), total_jobs.to_string());
                        env.insert("REPLICATED_JOB_NAME".into(), g.name.clone());
                        env.insert("REPLICATED_JOB_REPLICAS".into(), g.count.to_string());
                        env.insert("JOBSET_NAME".into(), jobset.clone());
                        let index = offset * g.completions + job * g.completions + completion;
                        let mut p = process(
                            req,
                            format!("{}-{job}-{completion}", g.name),
                            command.clone(),
                            env,
                            &g.pod,
                            pods,
                            index,
                        );
                        if g.parallelism < g.completions {
                            p.job = Some((format!("{}-{job}", g.name), g.parallelism));
                        }
                        plan.processes.push(p);
                    }
                }
                offset += g.count;
            }
        }
        Types::Ray {
            head_params,
            head,
            groups,
        } => ray(
            req,
            &mut plan,
            &command,
            head_params,
            head,
            groups,
            &mut take_port,
        )?,
    }
    limits(req, &mut plan)?;
    Ok(plan)
}

const LOCALHOST: &str = "127.0.0.1";

/// A CPU count as a whole number, at least 1 (`cpus: 0.5` still gets a thread).
#[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
fn whole(cpus: f64) -> u64 {
    // Clamped to a range u64 holds exactly, so the cast cannot wrap.
    cpus.floor().clamp(1.0, 1e9) as u64
}

/// `spec.command` as argv: its words, or `sh -c` when it needs a shell (only then is the
/// shell, not Python, the child); `extra` appended (quoted into a shell line).
pub fn command_argv(command: &str, extra: &[String]) -> Vec<String> {
    if needs_shell(command) {
        let mut line = command.to_string();
        for word in extra {
            line.push(' ');
            line.push_str(&crate::shell::shell_quote(word));
        }
        vec!["sh".into(), "-c".into(), line]
    } else {
        let mut argv = crate::check::command::split(command);
        argv.extend(extra.iter().cloned());
        argv
    }
}

/// Whether a command line uses shell syntax outside quotes (`&&`, `|`, `;`, `$VAR`,
/// redirections, globs, subshells); `$` inside double quotes counts (the shell expands it).
fn needs_shell(command: &str) -> bool {
    let mut quote: Option<char> = None;
    let mut chars = command.chars();
    while let Some(c) = chars.next() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some('"'), '$' | '`') => return true,
            (None, '\\') => {
                chars.next();
            }
            (None, '"' | '\'') => quote = Some(c),
            (
                None,
                '|' | '&' | ';' | '<' | '>' | '$' | '`' | '*' | '?' | '(' | ')' | '~' | '\n',
            ) => {
                return true;
            }
            (Some(_) | None, _) => {}
        }
    }
    false
}

/// One process with everything every pod gets: `spec.env`, the run's paths, the experiment
/// variables, thread limits, the environment's PATH, and no inherited rank variables.
fn process(
    req: &Request,
    name: String,
    argv: Vec<String>,
    operator_env: BTreeMap<String, String>,
    pod: &Pod,
    processes: u32,
    index: u32,
) -> Process {
    let dirs = req.dirs;
    let mut env: BTreeMap<String, String> = req.manifest.env.clone();
    let slash = |p: PathBuf| format!("{}/", p.display());
    env.insert("AICHOR_OUTPUT_PATH".into(), slash(dirs.outputs()));
    env.insert("AICHOR_TENSORBOARD_PATH".into(), slash(dirs.tensorboard()));
    // The older name some code still reads for the same folder.
    env.insert("AICHOR_LOGS_PATH".into(), slash(dirs.tensorboard()));
    env.insert("AICHOR_INPUT_PATH".into(), slash(dirs.inputs()));
    env.insert("AICHOR_EXPERIMENT_ID".into(), format!("local-{}", dirs.id));
    env.insert(
        "AICHOR_EXPERIMENT_MESSAGE".into(),
        format!("local run of {}", req.manifest_name),
    );
    // Python block-buffers into a pipe: lines would arrive late and out of order.
    env.insert("PYTHONUNBUFFERED".into(), "1".into());
    // N processes × every core each thrashes: share the cores, as a pod's CPU limit would.
    let share = (req.cores / processes.max(1) as usize).max(1);
    let threads = share
        .min(usize::try_from(whole(pod.cpus)).unwrap_or(1))
        .max(1);
    for var in ["OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"] {
        if !req.inherited.iter().any(|v| v == var) {
            env.insert(var.into(), threads.to_string());
        }
    }
    if pod.gpus == 0 {
        // A CPU pod sees no GPU; neither does its local stand-in.
        env.insert("CUDA_VISIBLE_DEVICES".into(), String::new());
    } else {
        let first = u64::from(index) * pod.gpus;
        let ids: Vec<String> = (first..first + pod.gpus).map(|i| i.to_string()).collect();
        env.insert("CUDA_VISIBLE_DEVICES".into(), ids.join(","));
    }
    let venv_bin = match req.env_mode {
        EnvMode::Active { venv } => Some(venv.join("bin")),
        EnvMode::Plain { venv } => venv.as_ref().map(|v| v.join("bin")),
        EnvMode::Uv { .. } => None,
    };
    if let Some(bin) = venv_bin {
        let path = match req.path {
            Some(p) if !p.is_empty() => format!("{}:{p}", bin.display()),
            _ => bin.display().to_string(),
        };
        env.insert("PATH".into(), path);
    }
    if let EnvMode::Active { venv } = req.env_mode {
        env.insert("VIRTUAL_ENV".into(), venv.display().to_string());
    }
    env.extend(operator_env);
    let argv = match req.env_mode {
        EnvMode::Uv { uv } => {
            let mut a = vec![
                uv.display().to_string(),
                "run".into(),
                "--locked".into(),
                "--".into(),
            ];
            a.extend(argv);
            a
        }
        _ => argv,
    };
    let unset = req
        .inherited
        .iter()
        .filter(|v| STRIPPED.iter().any(|s| v.starts_with(s)) && !env.contains_key(*v))
        .cloned()
        .collect();
    Process {
        name,
        argv,
        cwd: req.cwd.to_path_buf(),
        env,
        unset,
        service: false,
        wave: 0,
        ready_marker: None,
        job: None,
    }
}

/// Flags the run sets itself; a manifest setting them would break the private cluster.
const RAY_OWN_FLAGS: &[&str] = &["port", "address", "block", "temp-dir", "head"];

// The head, the nodes and the driver read best in the order they start.
#[allow(clippy::too_many_lines)]
/// kuberay: a head, one node per worker pod, the driver once all are up (§4).
fn ray(
    req: &Request,
    plan: &mut Plan,
    command: &[String],
    head_params: &[(String, String)],
    head: &Pod,
    groups: &[super::shape::RayGroup],
    take_port: &mut dyn FnMut() -> Result<u16, Refused>,
) -> Result<(), Refused> {
    for (key, _) in head_params
        .iter()
        .chain(groups.iter().flat_map(|g| g.params.iter()))
    {
        if RAY_OWN_FLAGS.contains(&key.as_str()) {
            return Err(refuse(
                format!("`rayStartParams` sets `{key}`, which a local cluster must choose itself"),
                format!(
                    "remove `{key}` from the manifest's rayStartParams for a local run (KubeRay sets it on AIchor too)"
                ),
            ));
        }
    }
    let nodes: u32 = groups.iter().map(|g| req.workers.unwrap_or(g.count)).sum();
    let total = nodes + 2;
    let gcs = take_port()?;
    plan.ports.push(gcs);
    let address = format!("{LOCALHOST}:{gcs}");
    let temp = req.dirs.ray_tmp.display().to_string();
    let cluster = format!("local-{}", req.dirs.id);
    let ray_env = |extra: &[(&str, String)]| {
        let mut env: BTreeMap<String, String> = BTreeMap::new();
        env.insert("RAY_TMPDIR".into(), temp.clone());
        env.insert("RAY_CLUSTER_NAME".into(), cluster.clone());
        // A token of this run's own: `~/.ray/auth_token` stays untouched.
        env.insert("RAY_AUTH_MODE".into(), "token".into());
        env.insert(
            "RAY_AUTH_TOKEN_PATH".into(),
            req.dirs.ray_token().display().to_string(),
        );
        // Ray ≥ 2.47 would start its workers again through `uv run`.
        env.insert("RAY_ENABLE_UV_RUN_RUNTIME_ENV".into(), "0".into());
        env.insert("RAY_USAGE_STATS_ENABLED".into(), "0".into());
        if nodes > 0 {
            // Several nodes on one machine (Ray refuses it on macOS/Windows without this).
            env.insert("RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER".into(), "1".into());
        }
        for (k, v) in extra {
            env.insert((*k).into(), v.clone());
        }
        env
    };
    let mut node_ports = |argv: &mut Vec<String>, head: bool| -> Result<(), Refused> {
        let mut flags = vec![
            "node-manager-port",
            "object-manager-port",
            "runtime-env-agent-port",
            "dashboard-agent-listen-port",
            "dashboard-agent-grpc-port",
            "metrics-export-port",
        ];
        if head {
            flags.push("ray-client-server-port");
            flags.push("dashboard-port");
        }
        for flag in flags {
            let p = take_port()?;
            plan.ports.push(p);
            argv.push(format!("--{flag}={p}"));
        }
        // Worker processes keep Ray's default range (10002-19999, never handed out above):
        // they bind what is free there, so clusters side by side do not clash.
        Ok(())
    };
    let params = |argv: &mut Vec<String>, params: &[(String, String)]| {
        for (k, v) in params {
            if v == "true" {
                argv.push(format!("--{k}"));
            } else {
                argv.push(format!("--{k}={v}"));
            }
        }
    };
    let cpus = |pod: &Pod| format!("{}", whole(pod.cpus.ceil()));
    let mut argv: Vec<String> = ["ray", "start", "--head", "--block"]
        .map(String::from)
        .to_vec();
    argv.push(format!("--port={gcs}"));
    argv.push(format!("--temp-dir={temp}"));
    argv.push(format!("--node-ip-address={LOCALHOST}"));
    argv.push("--include-dashboard=false".into());
    argv.push("--disable-usage-stats".into());
    node_ports(&mut argv, true)?;
    if !head_params.iter().any(|(k, _)| k == "num-cpus") {
        argv.push(format!("--num-cpus={}", cpus(head)));
    }
    params(&mut argv, head_params);
    let mut p = process(req, "head".into(), argv, ray_env(&[]), head, total, 0);
    p.service = true;
    p.ready_marker = Some(RAY_READY.into());
    plan.processes.push(p);
    let mut index = 1;
    for g in groups {
        for i in 0..req.workers.unwrap_or(g.count) {
            let mut argv: Vec<String> = ["ray", "start", "--block"].map(String::from).to_vec();
            argv.push(format!("--address={address}"));
            argv.push(format!("--node-ip-address={LOCALHOST}"));
            argv.push("--disable-usage-stats".into());
            node_ports(&mut argv, false)?;
            if !g.params.iter().any(|(k, _)| k == "num-cpus") {
                argv.push(format!("--num-cpus={}", cpus(&g.pod)));
            }
            params(&mut argv, &g.params);
            let env = ray_env(&[
                ("RAY_NODE_TYPE_NAME", g.name.clone()),
                ("RAY_ADDRESS", address.clone()),
                ("RAY_PORT", gcs.to_string()),
            ]);
            let mut p = process(
                req,
                format!("{}-{i}", g.name),
                argv,
                env,
                &g.pod,
                total,
                index,
            );
            p.service = true;
            // One node at a time, as `ray start` (without --block) would: nodes joining
            // together on a small machine time out against a busy GCS.
            p.wave = index;
            p.ready_marker = Some(RAY_READY.into());
            plan.processes.push(p);
            index += 1;
        }
    }
    let env = ray_env(&[("RAY_ADDRESS", address.clone())]);
    let mut p = process(
        req,
        "driver".into(),
        command.to_vec(),
        env,
        head,
        total,
        index,
    );
    // The submitter pod has no GPU of its own.
    p.env.insert("CUDA_VISIBLE_DEVICES".into(), String::new());
    p.wave = index;
    plan.processes.push(p);
    Ok(())
}

/// What `ray start --block` prints once its node is up.
pub const RAY_READY: &str = "Ray runtime started";

/// Refusals and warnings about the machine: GPUs, TPUs, how many processes it can hold.
fn limits(req: &Request, plan: &mut Plan) -> Result<(), Refused> {
    let n = plan.processes.len();
    let max = (req.cores * 4).max(8);
    if n > max {
        return Err(refuse(
            format!(
                "{n} processes on {} CPU core(s): more than this machine can hold (at most {max})",
                req.cores
            ),
            "pass `--workers N` to run fewer (an 8-node manifest runs as `--workers 2`)",
        ));
    }
    let cpus: f64 = match &req.manifest.types {
        Types::Workers { pod, .. } => pod.cpus * f64::from(u32::try_from(n).unwrap_or(u32::MAX)),
        Types::Jobset(groups) => groups
            .iter()
            .map(|g| g.pod.cpus * f64::from(req.workers.unwrap_or(g.count) * g.completions))
            .sum(),
        Types::Ray { head, groups, .. } => {
            head.cpus
                + groups
                    .iter()
                    .map(|g| g.pod.cpus * f64::from(req.workers.unwrap_or(g.count)))
                    .sum::<f64>()
        }
    };
    if cpus > f64::from(u32::try_from(req.cores).unwrap_or(u32::MAX)) {
        plan.warnings.push(format!(
            "the manifest asks for {cpus} CPU(s) in all, this machine has {} core(s): the processes share them (thread pools limited to match)",
            req.cores
        ));
    }
    Ok(())
}

/// Whether a port may be handed out: not in Ray's worker range, where a local cluster's
/// workers (this run's or the user's) pick theirs.
pub fn port_allowed(port: u16) -> bool {
    !RAY_RESERVED.contains(&port)
}

/// The GPUs a plan needs (per pod × pods) and whether any pod asks for a TPU.
pub fn accelerators(shape: &Shape, plan: &Plan) -> (u64, bool) {
    let (per_pod, tpu): (u64, bool) = match &shape.types {
        Types::Workers { pod, .. } => (pod.gpus, pod.tpu),
        Types::Jobset(groups) => (
            groups.iter().map(|g| g.pod.gpus).max().unwrap_or(0),
            groups.iter().any(|g| g.pod.tpu),
        ),
        Types::Ray { head, groups, .. } => (
            groups
                .iter()
                .map(|g| g.pod.gpus)
                .chain([head.gpus])
                .max()
                .unwrap_or(0),
            head.tpu || groups.iter().any(|g| g.pod.tpu),
        ),
    };
    let pods = plan.processes.iter().filter(|p| p.name != "driver").count() as u64;
    (per_pod * pods, tpu)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shape(yaml: &str) -> Shape {
        Shape::parse(yaml).unwrap()
    }

    fn request<'a>(m: &'a Shape, dirs: &'a RunDirs, inherited: &'a [String]) -> Request<'a> {
        Request {
            manifest: m,
            manifest_name: "manifest.yaml",
            workers: None,
            dirs,
            cwd: Path::new("/p"),
            env_mode: &EnvMode::Plain { venv: None },
            inherited,
            path: Some("/usr/bin"),
            cores: 8,
            extra_args: &[],
        }
    }

    fn dirs() -> RunDirs {
        RunDirs {
            id: "r1".into(),
            root: PathBuf::from("/p/.aichor/runs/r1"),
            ray_tmp: PathBuf::from("/tmp/aichor-ray-r1"),
        }
    }

    fn ports() -> impl FnMut() -> Result<u16, String> {
        let mut next = 30000;
        move || {
            next += 1;
            Ok(next)
        }
    }

    const PYTORCH: &str = "spec:\n  operator: pytorch\n  command: python -m demo.main\n  env:\n    FOO: bar\n  types:\n    worker:\n      count: 2\n      resources: {cpus: 2}\n";

    #[test]
    fn pytorch_ranks_get_the_operators_variables_and_no_inherited_rank() {
        let m = shape(PYTORCH);
        let d = dirs();
        let inherited = vec!["RANK".to_string(), "HOME".to_string()];
        let plan = plan(&request(&m, &d, &inherited), &mut ports()).unwrap();
        assert_eq!(plan.processes.len(), 2);
        let p = &plan.processes[1];
        assert_eq!(p.name, "worker-1");
        assert_eq!(p.argv, ["python", "-m", "demo.main"]);
        assert_eq!(p.env["RANK"], "1");
        assert_eq!(p.env["WORLD_SIZE"], "2");
        assert_eq!(p.env["MASTER_ADDR"], "127.0.0.1");
        assert_eq!(p.env["MASTER_PORT"], "30001");
        assert_eq!(p.env["FOO"], "bar");
        assert_eq!(p.env["AICHOR_OUTPUT_PATH"], "/p/.aichor/runs/r1/outputs/");
        assert_eq!(p.env["AICHOR_EXPERIMENT_ID"], "local-r1");
        assert_eq!(p.env["OMP_NUM_THREADS"], "2");
        // RANK is set, so not unset; nothing else platform-like was inherited.
        assert!(p.unset.is_empty());
    }

    #[test]
    fn workers_flag_scales_down_and_xgboost_adds_worker_addrs() {
        let m = shape(
            &PYTORCH
                .replace("pytorch", "xgboost")
                .replace("count: 2", "count: 8"),
        );
        let d = dirs();
        let mut req = request(&m, &d, &[]);
        req.workers = Some(3);
        let plan = plan(&req, &mut ports()).unwrap();
        assert_eq!(plan.processes.len(), 3);
        assert_eq!(plan.processes[0].env["WORKER_ADDRS"], "127.0.0.1,127.0.0.1");
        assert_eq!(plan.processes[0].env["WORKER_PORT"], "30002");
    }

    #[test]
    fn jax_gets_jaxoperator_variables_and_cpu_platform() {
        let m = shape(&PYTORCH.replace("pytorch", "jax"));
        let d = dirs();
        let inherited = vec![
            "JAXOPERATOR_PROCESS_ID".to_string(),
            "RAY_ADDRESS".to_string(),
        ];
        let plan = plan(&request(&m, &d, &inherited), &mut ports()).unwrap();
        let p = &plan.processes[1];
        assert_eq!(p.env["JAXOPERATOR_COORDINATOR_ADDRESS"], "127.0.0.1:30001");
        assert_eq!(p.env["JAXOPERATOR_PROCESS_ID"], "1");
        assert_eq!(p.env["JAXOPERATOR_NUM_PROCESSES"], "2");
        assert_eq!(p.env["JAX_PLATFORMS"], "cpu");
        assert_eq!(p.unset, ["RAY_ADDRESS"]);
        assert!(!p.env.contains_key("RANK"));
    }

    #[test]
    fn jobset_jobs_times_completions_with_indices() {
        let m = shape(
            "spec:\n  operator: jobset\n  command: python -m x\n  env: {JOBSET_COMPLETIONS: '2'}\n  types:\n    worker:\n      count: 2\n      completions: 2\n      parallelisms: 1\n      resources: {cpus: 1}\n",
        );
        let d = dirs();
        let plan = plan(&request(&m, &d, &[]), &mut ports()).unwrap();
        let got: Vec<_> = plan
            .processes
            .iter()
            .map(|p| {
                (
                    p.name.as_str(),
                    p.env["JOB_INDEX"].as_str(),
                    p.env["JOB_COMPLETION_INDEX"].as_str(),
                    p.env["JOB_GLOBAL_INDEX"].as_str(),
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                ("worker-0-0", "0", "0", "0"),
                ("worker-0-1", "0", "1", "0"),
                ("worker-1-0", "1", "0", "1"),
                ("worker-1-1", "1", "1", "1"),
            ]
        );
        let p = &plan.processes[3];
        assert_eq!(p.env["GLOBAL_REPLICAS"], "2");
        assert_eq!(p.env["JOBSET_COMPLETIONS"], "2");
        assert_eq!(p.job, Some(("worker-1".into(), 1)));
    }

    #[test]
    fn kuberay_head_nodes_and_driver() {
        let m = shape(
            "spec:\n  operator: kuberay\n  command: python -m x\n  types:\n    Head:\n      resources: {cpus: 2}\n      rayStartParams: {num-cpus: '0'}\n    Workers:\n      - name: cpu\n        count: 2\n        resources: {cpus: 1}\n",
        );
        let d = dirs();
        let plan = plan(&request(&m, &d, &[]), &mut ports()).unwrap();
        let names: Vec<_> = plan.processes.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, ["head", "cpu-0", "cpu-1", "driver"]);
        let head = &plan.processes[0];
        assert!(head.argv.contains(&"--num-cpus=0".to_string()));
        assert!(head.argv.contains(&"--port=30001".to_string()));
        assert!(
            head.argv
                .contains(&"--temp-dir=/tmp/aichor-ray-r1".to_string())
        );
        let driver = &plan.processes[3];
        assert_eq!(driver.env["RAY_ADDRESS"], "127.0.0.1:30001");
        // Head, then each node once the one before is up, then the driver.
        let waves: Vec<u32> = plan.processes.iter().map(|p| p.wave).collect();
        assert_eq!(waves, [0, 1, 2, 3]);
        assert!(!driver.service);
        assert_eq!(plan.processes[1].env["RAY_NODE_TYPE_NAME"], "cpu");
    }

    #[test]
    fn kuberay_refuses_a_port_in_ray_start_params() {
        let m = shape(
            "spec:\n  operator: kuberay\n  command: python -m x\n  types:\n    Head:\n      resources: {cpus: 2}\n      rayStartParams: {port: '6379'}\n",
        );
        let d = dirs();
        let err = plan(&request(&m, &d, &[]), &mut ports()).unwrap_err();
        assert!(err.what.contains("`port`"), "{err:?}");
    }

    #[test]
    fn shell_syntax_gets_a_shell_and_extra_args_are_appended() {
        assert_eq!(
            command_argv("python -m x", &["--lr".into(), "0.1".into()]),
            ["python", "-m", "x", "--lr", "0.1"]
        );
        assert_eq!(
            command_argv("python -c 'print(1)'", &[]),
            ["python", "-c", "print(1)"]
        );
        assert_eq!(
            command_argv("cd src && python x.py", &["a b".into()]),
            ["sh", "-c", "cd src && python x.py 'a b'"]
        );
    }

    #[test]
    fn too_many_processes_are_refused_with_the_flag() {
        let m = shape(&PYTORCH.replace("count: 2", "count: 64"));
        let d = dirs();
        let err = plan(&request(&m, &d, &[]), &mut ports()).unwrap_err();
        assert!(err.help.contains("--workers"), "{err:?}");
    }
}
