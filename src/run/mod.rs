//! `aichor local-repo run`: a manifest run on this machine the way its operator would run
//! it, before paying for a push, a build and a wait for GPUs. `shape` reads the manifest,
//! `plan` turns it into one process per pod with the operator's variables (pure), `runner`
//! starts processes (here: local ones, each in its own process group), `supervise` shows
//! their output and stops them all at the first failure. Each run has a folder of its own,
//! `.aichor/runs/<id>/`: logs, outputs, TensorBoard, `summary.json`.

pub mod plan;
pub mod runner;
pub mod shape;
pub mod supervise;

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Serialize;

use crate::environment::Environment;
use crate::error::{Error, Result};
use crate::layout::{MANIFESTS_DIR, PYPROJECT, RootMarks, UV_LOCK};
use crate::printer::Printer;
use plan::{EnvMode, Plan, Process, RunDirs};
use shape::Shape;
use supervise::{Limits, Output, Supervised};

/// Where runs keep their folders, under the repository root.
pub const RUNS_DIR: &str = ".aichor/runs";

/// The request, resolved by the command line.
pub struct RunSettings {
    /// MANIFEST: a path under `aichor_manifests/`, or a file path.
    pub manifest: Option<PathBuf>,
    pub workers: Option<u32>,
    pub dry_run: bool,
    /// Child output goes to stderr, the report to stdout as JSON.
    pub json: bool,
    pub timeout: Option<Duration>,
    pub grace: Duration,
    /// Keep the Ray temp folder (its session logs) after the run.
    pub keep: bool,
    /// Words after `--`.
    pub args: Vec<String>,
    /// Where the command was run.
    pub cwd: PathBuf,
    pub env: Environment,
    /// The names of the variables the processes would inherit.
    pub inherited: Vec<String>,
    /// The inherited `PATH` and `VIRTUAL_ENV`.
    pub path: Option<String>,
    pub virtual_env: Option<PathBuf>,
}

/// What a dry run prints: the plan, per process.
#[derive(Debug, Serialize)]
pub struct DryRun {
    pub schema_version: u32,
    pub manifest: PathBuf,
    pub operator: String,
    pub environment: String,
    pub run_folder: PathBuf,
    pub warnings: Vec<String>,
    pub processes: Vec<Process>,
}

/// What a run wrote to `summary.json` (and `--format json` prints).
#[derive(Debug, Serialize)]
pub struct Summary {
    pub schema_version: u32,
    pub manifest: PathBuf,
    pub operator: String,
    pub environment: String,
    pub run_folder: PathBuf,
    pub ports: Vec<u16>,
    #[serde(flatten)]
    pub run: Supervised,
    /// Files written under the outputs and TensorBoard folders, relative to them.
    pub outputs: Vec<String>,
    pub tensorboard: Vec<String>,
}

/// A run's result.
pub enum Report {
    Dry(DryRun),
    Ran(Summary),
}

/// The manifest and the folder everything runs from.
struct Target {
    file: PathBuf,
    /// As the user named it (for the experiment message).
    name: String,
    root: PathBuf,
}

fn find_target(settings: &RunSettings) -> Result<Target> {
    let root = crate::layout::find_root(&settings.cwd, RootMarks::ANY)
        .unwrap_or_else(|| settings.cwd.clone());
    let requested = settings
        .manifest
        .clone()
        .unwrap_or_else(|| PathBuf::from("manifest.yaml"));
    let under = root.join(MANIFESTS_DIR).join(&requested);
    let candidates = [
        under.clone(),
        settings.cwd.join(&requested),
        // `exp`-style repositories: the root manifest.
        root.join(&requested),
    ];
    let found = candidates.iter().find(|c| c.is_file());
    // A folder where the manifest was looked for: say so, rather than "no such manifest".
    if found.is_none()
        && let Some(folder) = candidates.iter().find(|c| c.is_dir())
    {
        return Err(refused(
            &requested,
            format!("`{}` is a folder, not a manifest file", folder.display()),
            "name the manifest file itself (`aichor local-repo run gpu.yaml` runs `aichor_manifests/gpu.yaml`)",
        ));
    }
    let Some(file) = found.cloned() else {
        return Err(Error::RunRefused {
            manifest: requested.clone(),
            what: format!(
                "no such manifest (looked for `{}` and `{}`)",
                under.display(),
                settings.cwd.join(&requested).display()
            ),
            help: "name a manifest under aichor_manifests/ as in the commit message (`aichor local-repo run gpu.yaml`), or a file path".into(),
        });
    };
    let file = std::path::absolute(&file).unwrap_or(file);
    Ok(Target {
        name: requested.display().to_string(),
        file,
        root,
    })
}

fn refused(manifest: &Path, what: impl Into<String>, help: impl Into<String>) -> Error {
    Error::RunRefused {
        manifest: manifest.to_path_buf(),
        what: what.into(),
        help: help.into(),
    }
}

/// Run (or, with `dry_run`, plan) a manifest.
// The steps in order, each a call: find, validate, plan, refuse, run, summarize.
#[allow(clippy::too_many_lines)]
pub fn run(settings: &RunSettings, printer: &Printer) -> Result<Report> {
    let target = find_target(settings)?;
    let validation = crate::manifest::files::read_and_validate(&target.file)?;
    if let Some(d) = validation
        .diagnostics
        .iter()
        .find(|d| d.severity == crate::manifest::validate::Severity::Error)
    {
        // `file:line:column` (what editors open), and the key only when there is one: a
        // file that is empty, not UTF-8 or not YAML has none.
        let key = if d.path.is_empty() {
            String::new()
        } else {
            format!(" (`{}`)", d.path)
        };
        let validate = format!(
            "`aichor manifest validate {}` lists every problem",
            target.file.display()
        );
        return Err(refused(
            &target.file,
            format!(
                "the manifest is invalid at `{}:{}:{}`{key}: {}",
                target.file.display(),
                d.line,
                d.column,
                d.message
            ),
            match &d.help {
                Some(help) => format!("{help}; {validate}"),
                None => format!("fix it first ({validate})"),
            },
        ));
    }
    let text = fs_err::read_to_string(&target.file)
        .map_err(|e| Error::io(&target.file, "cannot be read", e))?;
    let shape = Shape::parse(&text).map_err(|why| {
        refused(
            &target.file,
            why,
            "run a manifest of operator pytorch, xgboost, jax, jobset or kuberay",
        )
    })?;
    let cwd = {
        let context = shape.context.trim_start_matches("./").trim_end_matches('/');
        let c = target.root.join(context);
        if context.is_empty() || context == "." || !c.is_dir() {
            target.root.clone()
        } else {
            c
        }
    };
    let env_mode = env_mode(settings, &target.root);
    let dirs = run_dirs(&target.root);
    let mut used = HashSet::new();
    let mut port = || free_port(&mut used);
    let cores = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
    let plan = plan::plan(
        &plan::Request {
            manifest: &shape,
            manifest_name: &target.name,
            workers: settings.workers,
            dirs: &dirs,
            cwd: &cwd,
            env_mode: &env_mode,
            inherited: &settings.inherited,
            path: settings.path.as_deref(),
            cores,
            extra_args: &settings.args,
        },
        &mut port,
    )
    .map_err(|r| refused(&target.file, r.what, r.help))?;
    accelerators(&target.file, &shape, &plan)?;
    if settings.dry_run {
        return Ok(Report::Dry(DryRun {
            schema_version: 1,
            manifest: target.file,
            operator: plan.operator,
            environment: env_mode.describe(),
            run_folder: dirs.root,
            warnings: plan.warnings,
            processes: plan.processes,
        }));
    }
    for w in &plan.warnings {
        printer.warn(w);
    }
    dockerignore_note(&target.root, printer);
    create_dirs(&target.root, &dirs, &shape)?;
    printer.status(
        "Running",
        &format!(
            "{} ({}, {} process(es)) in {}; environment: {}",
            target.name,
            plan.operator,
            plan.processes.len(),
            dirs.root.display(),
            env_mode.describe()
        ),
    );
    let run = crate::interrupt::writing(|| {
        Ok(supervise::supervise(
            &runner::Local,
            &plan.processes,
            &dirs.logs(),
            &Limits {
                timeout: settings.timeout,
                grace: settings.grace,
            },
            &Output {
                printer,
                to_stderr: settings.json,
            },
        ))
    })?;
    if shape.operator == "kuberay" && !settings.keep {
        let _ = fs_err::remove_dir_all(&dirs.ray_tmp);
    }
    let summary = Summary {
        schema_version: 1,
        manifest: target.file,
        operator: plan.operator,
        environment: env_mode.describe(),
        ports: plan.ports,
        outputs: files_under(&dirs.outputs()),
        tensorboard: files_under(&dirs.tensorboard()),
        run_folder: dirs.root.clone(),
        run,
    };
    let json = serde_json::to_string_pretty(&summary).map_err(|e| Error::Internal {
        what: "the run's summary cannot be serialized".into(),
        source: Some(Box::new(e)),
    })?;
    let file = dirs.root.join("summary.json");
    fs_err::write(&file, json + "\n").map_err(|e| Error::io(&file, "cannot be written", e))?;
    Ok(Report::Ran(summary))
}

/// `uv run --locked` for a uv project, the active virtual environment if one is active
/// (the user chose it), else the command as it is with `.venv/bin` first on PATH.
fn env_mode(settings: &RunSettings, root: &Path) -> EnvMode {
    if let Some(venv) = &settings.virtual_env {
        return EnvMode::Active { venv: venv.clone() };
    }
    if root.join(PYPROJECT).is_file()
        && root.join(UV_LOCK).is_file()
        && let Ok(uv) = crate::uv::find(&settings.env)
    {
        return EnvMode::Uv { uv };
    }
    let venv = root.join(".venv");
    EnvMode::Plain {
        venv: venv.join("bin").is_dir().then_some(venv),
    }
}

/// A run folder's name: the UTC time, then random hex (two runs in the same second differ).
fn run_dirs(root: &Path) -> RunDirs {
    let id = format!("{}-{}", utc_stamp(), random_hex());
    let ray_tmp = PathBuf::from("/tmp").join(format!("aichor-ray-{}", &id[id.len() - 8..]));
    RunDirs {
        root: root.join(RUNS_DIR).join(&id),
        id,
        ray_tmp,
    }
}

/// `YYYYMMDD-HHMMSS` in UTC.
fn utc_stamp() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let days = i64::try_from(secs / 86_400).unwrap_or(0);
    let rem = secs % 86_400;
    // Howard Hinnant's days-to-civil.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}{m:02}{d:02}-{:02}{:02}{:02}",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// Eight hex digits from the system's random source (the time and pid where it has none).
fn random_hex() -> String {
    let mut bytes = [0u8; 4];
    let read = fs_err::File::open("/dev/urandom")
        .and_then(|mut f| std::io::Read::read_exact(&mut f, &mut bytes));
    if read.is_err() {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        bytes = (nanos ^ std::process::id().rotate_left(16)).to_le_bytes();
    }
    bytes.iter().fold(String::new(), |mut s, b| {
        s.push_str(&format!("{b:02x}"));
        s
    })
}

/// A free TCP port: bound on every interface (servers bind the wildcard), then released;
/// never one handed out already in this run, never in Ray's worker range.
fn free_port(used: &mut HashSet<u16>) -> std::result::Result<u16, String> {
    for _ in 0..64 {
        let listener = std::net::TcpListener::bind(("0.0.0.0", 0)).map_err(|e| e.to_string())?;
        let port = listener.local_addr().map_err(|e| e.to_string())?.port();
        if plan::port_allowed(port) && used.insert(port) {
            return Ok(port);
        }
    }
    Err("64 ports tried, none usable".into())
}

/// GPUs on this machine: `/dev/nvidia<N>` (Linux).
fn visible_gpus() -> u64 {
    fs_err::read_dir("/dev").map_or(0, |entries| {
        entries
            .filter_map(std::result::Result::ok)
            .filter(|e| {
                e.file_name().to_str().is_some_and(|n| {
                    n.strip_prefix("nvidia")
                        .is_some_and(|d| !d.is_empty() && d.chars().all(|c| c.is_ascii_digit()))
                })
            })
            .count() as u64
    })
}

/// A GPU or TPU profile is refused where the machine has none (or too few) rather than
/// starting processes that fall back to the CPU or hang.
fn accelerators(file: &Path, shape: &Shape, plan: &Plan) -> Result<()> {
    let (gpus, tpu) = plan::accelerators(shape, plan);
    if tpu {
        return Err(refused(
            file,
            "the manifest asks for a TPU slice, which a local run cannot provide",
            "run a CPU variant of the manifest (`aichor manifest new cpu.yaml --profile cpu-small`)",
        ));
    }
    if gpus > 0 {
        let have = visible_gpus();
        if have == 0 {
            return Err(refused(
                file,
                format!("the manifest asks for {gpus} GPU(s) and this machine has none"),
                "run a CPU variant of the manifest (`aichor manifest new cpu.yaml --profile cpu-small`), or run on a machine with GPUs",
            ));
        }
        if gpus > have {
            return Err(refused(
                file,
                format!("the manifest asks for {gpus} GPU(s) in all, this machine has {have}"),
                "pass `--workers N` to run fewer processes",
            ));
        }
    }
    Ok(())
}

/// The run's folders, and an ignore file so git never sees them (the templates' own
/// `.gitignore` predates `local-repo run`).
fn create_dirs(root: &Path, dirs: &RunDirs, shape: &Shape) -> Result<()> {
    let base = root.join(".aichor");
    fs_err::create_dir_all(root.join(RUNS_DIR))
        .map_err(|e| Error::io(&base, "cannot be created", e))?;
    let ignore = base.join(".gitignore");
    if !ignore.exists() {
        fs_err::write(
            &ignore,
            "# Written by `aichor local-repo run`: run folders are local.\n*\n",
        )
        .map_err(|e| Error::io(&ignore, "cannot be written", e))?;
    }
    // `create_dir`, not `_all`: two runs never share a folder.
    fs_err::create_dir(&dirs.root).map_err(|e| Error::io(&dirs.root, "cannot be created", e))?;
    for d in [
        dirs.outputs(),
        dirs.tensorboard(),
        dirs.inputs(),
        dirs.logs(),
    ] {
        fs_err::create_dir(&d).map_err(|e| Error::io(&d, "cannot be created", e))?;
    }
    if shape.operator == "kuberay" {
        fs_err::create_dir_all(&dirs.ray_tmp)
            .map_err(|e| Error::io(&dirs.ray_tmp, "cannot be created", e))?;
        let token = dirs.ray_token();
        let hex: String = (0..8).map(|_| random_hex()).collect();
        write_private(&token, &hex).map_err(|e| Error::io(&token, "cannot be written", e))?;
    }
    Ok(())
}

#[cfg(unix)]
fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    f.write_all(text.as_bytes())
}

#[cfg(not(unix))]
fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    fs_err::write(path, text)
}

/// A `.dockerignore` that would send the run folders with every image build.
fn dockerignore_note(root: &Path, printer: &Printer) {
    let Ok(text) = fs_err::read_to_string(root.join(".dockerignore")) else {
        return;
    };
    let covered = text.lines().any(|l| {
        let l = l.trim().trim_end_matches('/');
        matches!(l, ".aichor" | "/.aichor" | ".*" | "**/.aichor")
    });
    if !covered {
        printer.warn("`.dockerignore` does not list `.aichor`: add the line `.aichor` so run folders stay out of the image's build context");
    }
}

/// Files under `dir`, relative, sorted.
fn files_under(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = fs_err::read_dir(&d) else {
            continue;
        };
        for e in entries.filter_map(std::result::Result::ok) {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if let Ok(rel) = p.strip_prefix(dir) {
                out.push(rel.display().to_string());
            }
        }
    }
    out.sort();
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn utc_stamp_is_a_date_and_time() {
        let s = super::utc_stamp();
        assert_eq!(s.len(), 15, "{s}");
        assert!(s.starts_with("20"), "{s}");
    }
}
