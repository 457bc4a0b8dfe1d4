//! Command-line syntax only (clap derive). Doc comments here are the `--help` text. Values
//! are taken as strings on purpose: they go through the same validators as prompts and
//! answers files, so every way of answering fails the same way.

// Doc comments here are users' `--help`, not rustdoc: no Markdown backticks around words.
#![allow(clippy::doc_markdown)]

use std::path::PathBuf;

use aichor::operator::{DEFAULT_PYTHON, Operator, PYTHON_VERSIONS};
use clap::{Args, CommandFactory, Parser, Subcommand, ValueEnum};

/// The name the wheel installs the command under: AIchor's own CLI (`aichor-cli`) installs a
/// command called `aichor`, and two tools cannot share one command name (README, "Install").
pub(crate) const DISTINCT_NAME: &str = "aichor-kit";

/// `--version`'s text after the name. The version stays the second word (scripts parse
/// `aichor --version`); the rest tells this tool from the platform's CLI of the same name.
pub(crate) const VERSION: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    " (repository generator; not the AIchor platform CLI from aichor-cli)"
);

/// Create and check repositories ready to submit to AIchor.
#[derive(Debug, Parser)]
#[command(name = "aichor", version = VERSION, about, propagate_version = true)]
pub(crate) struct Cli {
    #[command(subcommand)]
    pub command: Command,

    /// Print less: results, warnings and errors only.
    #[arg(short, long, global = true, display_order = 900)]
    pub quiet: bool,

    /// Print more: where each answer came from, what ran.
    #[arg(
        short,
        long,
        global = true,
        overrides_with = "quiet",
        display_order = 901
    )]
    pub verbose: bool,

    /// Never show spinners (they show only on a terminal, and never with `--format json`).
    #[arg(
        long,
        global = true,
        hide = true,
        env = "AICHOR_NO_PROGRESS",
        action = clap::ArgAction::SetTrue,
        value_parser = env_bool
    )]
    pub no_progress: bool,
}

impl Cli {
    /// The report format the command asked for (failures follow it: `--format json` gets a
    /// JSON error on stdout).
    pub(crate) fn format(&self) -> Format {
        // Exhaustive on purpose: a new command must say whether it reports JSON.
        match &self.command {
            Command::LocalRepo(LocalRepoCommand::Init(args)) => args.format,
            Command::LocalRepo(LocalRepoCommand::Check(args)) => args.format,
            Command::LocalRepo(LocalRepoCommand::Update(args)) => args.format,
            Command::LocalRepo(LocalRepoCommand::Adopt(args)) => args.format,
            Command::LocalRepo(LocalRepoCommand::Run(args)) => args.format,
            Command::Manifest(ManifestCommand::New(args)) => args.format,
            Command::Manifest(
                ManifestCommand::Validate { format, .. } | ManifestCommand::Migrate { format, .. },
            )
            | Command::Profiles(ProfilesCommand::List { format, .. })
            | Command::Templates(
                TemplatesCommand::List { format } | TemplatesCommand::Show { format, .. },
            )
            | Command::Config(ConfigCommand::Show { format, .. }) => *format,
            Command::LocalRepo(LocalRepoCommand::Hooks(_))
            | Command::Manifest(ManifestCommand::Schema)
            | Command::Templates(TemplatesCommand::New { .. } | TemplatesCommand::Test { .. })
            | Command::Config(ConfigCommand::Path)
            | Command::Completions { .. }
            | Command::Version
            | Command::Man { .. } => Format::Text,
        }
    }
}

/// The command as clap sees it, named as it was invoked (`aichor` or `aichor-kit`), so that
/// `--version`, usage lines, completions and man pages all say the name the user typed.
pub(crate) fn command() -> clap::Command {
    Cli::command().name(invoked_name())
}

/// `aichor-kit` when started under that name (the file name, `.exe` aside), else `aichor`:
/// a copy under any other name still describes itself as `aichor`.
pub(crate) fn invoked_name() -> &'static str {
    let invoked = std::env::args_os().next().unwrap_or_default();
    match std::path::Path::new(&invoked).file_stem() {
        Some(stem) if stem == DISTINCT_NAME => DISTINCT_NAME,
        _ => "aichor",
    }
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Work with a local repository.
    #[command(subcommand)]
    LocalRepo(LocalRepoCommand),
    /// Check, migrate and describe AIchor manifests.
    #[command(subcommand)]
    Manifest(ManifestCommand),
    /// Resource profiles offered by `local-repo init --profile`.
    #[command(subcommand)]
    Profiles(ProfilesCommand),
    /// Template packs: list, show, create and test them.
    #[command(subcommand)]
    Templates(TemplatesCommand),
    /// Your standing defaults: the config file and `AICHOR_<KEY>` variables.
    #[command(subcommand, after_help = CONFIG_HELP)]
    Config(ConfigCommand),
    /// Print a shell completion script.
    Completions {
        /// The shell to generate the script for.
        shell: clap_complete::Shell,
    },
    /// What a bug report needs: version, commit, target, built-in pack, uv.
    ///
    /// The first line is `--version`'s. The commit is known in release builds (the release
    /// workflow sets AICHOR_COMMIT while building); a build from source says so.
    Version,
    /// Print the man page (`aichor man | man -l -`), or write every page into a folder.
    #[command(hide = true)]
    Man {
        /// Write one page per command (`aichor.1`, `aichor-local-repo-init.1`, ...) here.
        #[arg(long, value_name = "DIR")]
        out_dir: Option<PathBuf>,
    },
}

#[derive(Debug, Subcommand)]
pub(crate) enum LocalRepoCommand {
    /// Create a ready-to-submit AIchor repository.
    ///
    /// Asks for what no flag answers when run in a terminal; with `--no-input` (or without a
    /// terminal) uses defaults and fails naming the flag for anything required.
    #[command(after_help = INIT_EXAMPLES)]
    Init(InitArgs),
    /// Move a generated project to a newer pack version or to new answers, keeping your edits.
    ///
    /// A three-way merge per file: base = the project as the recorded pack version generated
    /// it (from .aichor-answers.yaml), theirs = the new version with the new answers, ours = the
    /// files on disk. Exit status: 0 done (or nothing to do), 3 conflicts left to resolve (or,
    /// with --dry-run, that would be), 1 error, 2 usage.
    Update(UpdateArgs),
    /// Turn a repository in a legacy layout into a ready-to-submit one, in place.
    ///
    /// Finds every manifest of the repository by its content (a root manifest.yaml run by
    /// `exp` commits, manifests/ folders, <demo>/manifests/** of a monorepo), migrates it to
    /// today's shape (as `manifest migrate`) and moves it under aichor_manifests/, keeping its
    /// subfolder: <demo>/manifests/x.yaml goes to aichor_manifests/<demo>/x.yaml. Never
    /// overwrites (a taken target keeps the whole path, aichor_manifests/manifests/x.yaml);
    /// never touches code, READMEs, Dockerfiles, data or git history (files that name an old
    /// path are listed, not edited). All or nothing, in one transaction.
    ///
    /// Exit status: 0 done (or nothing to do), 3 manifests left for you (`manual`,
    /// `conflict`: listed with why), 1 error, 2 usage.
    Adopt(AdoptArgs),
    /// Check that the repository is ready to submit (exit 0 ready, 1 not, 2 usage).
    ///
    /// Finds the repository root from PATH upward (the nearest folder with aichor_manifests/,
    /// .git or .aichor-answers.yaml), then checks:
    ///   - every manifest under aichor_manifests/ is valid; a manifest.yaml at the root or a
    ///     manifests/ folder (old layouts) is a warning; no manifest at all is an error;
    ///   - builder.context is a folder of the repository and builder.dockerfile exists:
    ///     relative to the repository root (as documented) is fine, only relative to the
    ///     context (as AIchor's demos write it) is a warning, neither is an error;
    ///   - what spec.command runs (python -m pkg.mod, uv run, torchrun, a script path) is in
    ///     the build context (under src/ or the context root), copied by a COPY/ADD of the
    ///     Dockerfile and not excluded by .dockerignore;
    ///   - uv.lock exists when the Dockerfile installs with --locked/--frozen, and is in sync
    ///     with pyproject.toml (`uv lock --check`, when uv is on PATH; otherwise a note);
    ///   - .python-version, requires-python and the base image's Python agree; for kuberay,
    ///     spec.rayVersion, the Ray image's tag and the ray==X pin agree;
    ///   - no file over --max-context-file-size is sent with the build context.
    ///
    /// With --commit-msg, checks only a commit message (FILE, or - for stdin), the way AIchor
    /// reads it: a first line starting `aichor[<manifest>]:` or `aichor(<manifest>.yaml):`
    /// runs aichor_manifests/<manifest>, which must exist, be valid and have its Dockerfile.
    /// A message that starts no experiment passes; one that nearly does (wrong case, a space
    /// before the bracket, no colon, a path with aichor_manifests/, a leading /, \, .. or no
    /// .yaml) fails and shows the corrected form. `exp:` (the legacy trigger) is a warning.
    ///
    /// Exit status: 0 no errors (warnings and notes allowed), 1 errors, 2 usage (no
    /// repository at PATH, bad flags). Notes (what passed, what could not be checked) show
    /// with -v; --format json has everything.
    #[command(verbatim_doc_comment)]
    Check(CheckArgs),
    /// Install or remove the git commit-msg hook that runs `local-repo check --commit-msg`.
    #[command(subcommand)]
    Hooks(HooksCommand),
    /// Run a manifest on this machine the way its operator would, before pushing.
    ///
    /// One local process per pod, with the variables the operator injects: pytorch and
    /// xgboost (MASTER_ADDR, MASTER_PORT on a free port, WORLD_SIZE, RANK; xgboost adds
    /// WORKER_PORT and WORKER_ADDRS), jax (JAXOPERATOR_*), jobset (Jobs x completions, with
    /// JOB_INDEX, JOB_COMPLETION_INDEX, JOB_GLOBAL_INDEX..., at most `parallelisms` pods of a
    /// Job at once), kuberay (a private Ray cluster shaped like the manifest: a head with its
    /// rayStartParams, one node per worker, its own temp folder, ports and auth token; the
    /// driver runs spec.command with RAY_ADDRESS; only the processes it started are
    /// stopped). Every process also gets spec.env, AICHOR_OUTPUT_PATH, AICHOR_TENSORBOARD_PATH
    /// and AICHOR_INPUT_PATH in the run's folder (.aichor/runs/<id>/), AICHOR_EXPERIMENT_ID
    /// and _MESSAGE; inherited RANK, MASTER_*, RAY_*... are removed.
    ///
    /// The environment: `uv run --locked` in a uv project (pyproject.toml and uv.lock), the
    /// active virtual environment if VIRTUAL_ENV is set, else the command as it is with
    /// .venv/bin first on PATH.
    ///
    /// Output is shown line by line under a [name] prefix and kept in logs/<name>.log; the
    /// first process that fails stops the others (SIGTERM, then SIGKILL after --grace) and
    /// its exit code is the run's. Exit status: 0 every process succeeded, the first
    /// failure's code, 124 on --timeout, 130/143 on Ctrl-C/SIGTERM (nothing is left
    /// running; a second Ctrl-C skips the grace), 2 refused before anything started (no GPU
    /// for a GPU profile, more processes than the machine holds, an invalid manifest).
    #[command(after_help = RUN_EXAMPLES)]
    Run(RunArgs),
}

const RUN_EXAMPLES: &str = "\
Examples:
  aichor local-repo run                          # aichor_manifests/manifest.yaml
  aichor local-repo run --workers 2              # an 8-node manifest as 2 processes
  aichor local-repo run gpu.yaml --dry-run       # argv, folder and variables per process
  aichor local-repo run --timeout 300 -- --epochs 1
                                                 # words after -- go to spec.command";

#[derive(Debug, Args)]
pub(crate) struct RunArgs {
    /// The manifest: a path under aichor_manifests/ as in the commit message, or a file
    /// [default: manifest.yaml; in an `exp` repository the root one].
    pub manifest: Option<PathBuf>,

    /// Processes to run instead of the manifest's count: containers (pytorch, xgboost, jax),
    /// Jobs per group (jobset), nodes per worker group (kuberay).
    #[arg(long, value_name = "N")]
    pub workers: Option<u32>,

    /// Print each process's argv, working folder and variables; start nothing.
    #[arg(long)]
    pub dry_run: bool,

    /// Stop every process after this many seconds (exit 124).
    #[arg(long, value_name = "SECS")]
    pub timeout: Option<u64>,

    /// Seconds between SIGTERM and SIGKILL when the run stops its processes.
    #[arg(long, value_name = "SECS", default_value_t = 30)]
    pub grace: u64,

    /// Keep the private Ray cluster's temp folder (its session logs) after the run.
    #[arg(long)]
    pub keep: bool,

    /// Report format on stdout (json: the plan with --dry-run, else the run's summary; the
    /// processes' output then goes to stderr).
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,

    /// Arguments appended to spec.command (the driver's, for kuberay).
    #[arg(last = true, value_name = "ARGS")]
    pub args: Vec<String>,
}

#[derive(Debug, Args)]
pub(crate) struct CheckArgs {
    /// A folder in the repository [default: the current directory].
    pub path: Option<PathBuf>,

    /// Check this commit message file (`-` for stdin) instead of the repository.
    #[arg(long, value_name = "FILE|-")]
    pub commit_msg: Option<PathBuf>,

    /// Report files of the build context larger than this many MB (0: no size check).
    #[arg(long, value_name = "MB", default_value_t = aichor::check::DEFAULT_MAX_FILE_MB)]
    pub max_context_file_size: u64,

    /// Report format on stdout (json: findings, summary counts, whether uv checked uv.lock).
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

#[derive(Debug, Subcommand)]
pub(crate) enum HooksCommand {
    /// Install the commit-msg hook; installing again is a no-op.
    ///
    /// The hook goes where `git rev-parse --git-path hooks` says (so core.hooksPath is
    /// respected). It calls this aichor by its absolute path, or, if that binary has moved,
    /// `aichor-kit` on PATH, else an `aichor` on PATH that is this tool (not the platform's
    /// CLI); it skips the check (with a message) when none exists.
    Install {
        /// A folder in the git repository [default: the current directory].
        path: Option<PathBuf>,
        /// Replace a commit-msg hook aichor did not write (it is kept as commit-msg.legacy
        /// and still runs first), or aichor's hook edited since it was written (the edits
        /// are lost).
        #[arg(long)]
        force: bool,
    },
    /// Remove the hook `hooks install` wrote (and put back commit-msg.legacy).
    Uninstall {
        /// A folder in the git repository [default: the current directory].
        path: Option<PathBuf>,
        /// Remove aichor's hook even when it was edited since it was written (a hook aichor
        /// did not write is always left alone).
        #[arg(long)]
        force: bool,
    },
}

// Flags are booleans by nature; `AdoptSettings` takes what the library needs.
#[allow(clippy::struct_excessive_bools)]
#[derive(Debug, Args)]
pub(crate) struct AdoptArgs {
    /// A folder of the repository [default: .].
    pub path: Option<PathBuf>,

    /// Show the plan (and its --plan digest); write nothing.
    #[arg(long)]
    pub dry_run: bool,

    /// Write only if the plan is still the one a dry run showed (its `plan_sha256`).
    #[arg(long, value_name = "SHA256")]
    pub plan: Option<String>,

    /// Run on a git tree with uncommitted changes.
    #[arg(long)]
    pub force: bool,

    /// Per build context, turn `requirements.txt` into `pyproject.toml` + `uv.lock` (every
    /// line kept) and the Dockerfile's `pip install -r` step into uv's, installing into the
    /// image's Python as pip did (needs uv, to lock).
    #[arg(long)]
    pub uv: bool,

    /// Install the git commit-msg hook (`local-repo hooks install`) once the manifests are
    /// moved [default: the config file's `hooks`; without it, asked at a terminal].
    #[arg(long, overrides_with = "no_hooks")]
    pub hooks: bool,

    /// Do not install the commit-msg hook, nor ask.
    #[arg(long, overrides_with = "hooks")]
    pub no_hooks: bool,

    /// Never prompt (the hook is installed only with --hooks).
    #[arg(long)]
    pub no_input: bool,

    /// Report format on stdout.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

// Flags are booleans by nature; `UpdateSettings` takes what the library needs.
#[allow(clippy::struct_excessive_bools)]
#[derive(Debug, Args)]
pub(crate) struct UpdateArgs {
    /// The project folder [default: .].
    pub path: Option<PathBuf>,

    /// Change an answer (repeatable), e.g. `--set profile=gpu-t4`, `--set operator=pytorch`.
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub set: Vec<String>,

    /// New answers from a YAML file (same keys as `--set`).
    #[arg(long, value_name = "FILE")]
    pub answers: Option<PathBuf>,

    /// The pack to move to: a folder, a git URL (`URL#tag`, `URL#<commit>`) or a pack name
    /// [default: the recorded pack, as it is now].
    #[arg(long, value_name = "DIR|URL|NAME")]
    pub template: Option<String>,

    /// Show each file's outcome and the diffs; write nothing.
    #[arg(long)]
    pub dry_run: bool,

    /// Fetch a git pack's ref again (a branch moves on; its cached clone does not).
    #[arg(long)]
    pub refresh: bool,

    /// Update a git tree with uncommitted changes, and merge into files that still have
    /// conflict markers.
    #[arg(long)]
    pub force: bool,

    /// Where both sides changed the same lines: markers in the file, or the new version
    /// beside it as FILE.rej.
    #[arg(long, value_enum, default_value_t = Conflict::Inline)]
    pub conflict: Conflict,

    /// Never prompt: keep recorded answers, use defaults for new questions, or fail naming
    /// the missing `--set`.
    #[arg(
        long,
        env = "AICHOR_NO_INPUT",
        action = clap::ArgAction::SetTrue,
        value_parser = env_bool
    )]
    pub no_input: bool,

    /// Report format on stdout.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

/// How `update` leaves conflicts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum Conflict {
    /// `<<<<<<<` / `=======` / `>>>>>>>` blocks in the file.
    Inline,
    /// The new version beside the file as FILE.rej.
    Rej,
}

// Flags are booleans by nature; `InitSettings` turns them into policies.
#[allow(clippy::struct_excessive_bools)]
#[derive(Debug, Args)]
pub(crate) struct InitArgs {
    /// Where to create the project [default: ./<name>]; `.` is the current directory.
    pub path: Option<PathBuf>,

    /// Template pack: a folder, a git URL (`URL#ref`) or a pack name [default: the answers
    /// file's, else AICHOR_TEMPLATE, else the config file's `template`, else builtin].
    #[arg(long, value_name = "DIR|URL|NAME")]
    pub template: Option<String>,

    /// Project name [default: last component of PATH].
    #[arg(long, value_name = "NAME")]
    pub name: Option<String>,

    /// Operator (the help lists them from the operator table).
    #[arg(long, value_name = "OP", help = operator_help())]
    pub operator: Option<String>,

    /// Resource profile (see `aichor profiles list`) [default: the pack's first profile].
    #[arg(long, value_name = "ID")]
    pub profile: Option<String>,

    /// Number of containers (jobset: jobs; kuberay: size of the worker group, may be 0) [default: from the profile].
    #[arg(long, value_name = "N", allow_negative_numbers = true)]
    pub workers: Option<String>,

    /// Python version.
    #[arg(long, value_name = "X.Y", help = python_help())]
    pub python: Option<String>,

    /// Enable TensorBoard (the default).
    #[arg(long, overrides_with = "no_tensorboard")]
    pub tensorboard: bool,

    /// Disable TensorBoard.
    #[arg(long, overrides_with = "tensorboard")]
    pub no_tensorboard: bool,

    /// Run `uv lock` in the new project (the default when uv is on PATH).
    #[arg(long, overrides_with = "no_lock")]
    pub lock: bool,

    /// Do not run `uv lock`; the next steps say to.
    #[arg(long, overrides_with = "lock")]
    pub no_lock: bool,

    /// Answer any question by its key (repeatable), e.g. `--set workers=4`.
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub set: Vec<String>,

    /// Answers from a YAML file (same keys as `--set`), e.g. a project's `.aichor-answers.yaml`.
    #[arg(long, value_name = "FILE")]
    pub answers: Option<PathBuf>,

    /// Never prompt: use defaults, or fail naming the missing flag.
    #[arg(
        long,
        env = "AICHOR_NO_INPUT",
        action = clap::ArgAction::SetTrue,
        value_parser = env_bool
    )]
    pub no_input: bool,

    /// Show what would be written; write nothing.
    #[arg(long)]
    pub dry_run: bool,

    /// Fetch a git pack's ref again (a branch moves on, its cached clone does not; `templates
    /// list` shows each clone's age).
    #[arg(long)]
    pub refresh: bool,

    /// Install the git commit-msg hook (`local-repo hooks install`) when the destination is
    /// in a git repository (init does not run `git init`; otherwise a warning says how)
    /// [default: the config file's `hooks`].
    #[arg(long, overrides_with = "no_hooks")]
    pub hooks: bool,

    /// Do not install the hook, whatever the config file says.
    #[arg(long, overrides_with = "hooks")]
    pub no_hooks: bool,

    /// Write into a non-empty destination, overwriting files the template also has.
    #[arg(long)]
    pub force: bool,

    /// Report format on stdout.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

#[derive(Debug, Subcommand)]
pub(crate) enum ManifestCommand {
    /// Add a manifest to this repository, from its recorded answers and the flags.
    ///
    /// The project's `.aichor-answers.yaml` answers every question; the flags override them
    /// (`--profile gpu-a100-80gb` alone is the same run on GPUs). When the new answers need
    /// other code, dependencies or image than the project's (another operator, a GPU
    /// profile), the manifest gets its own starter, dependency group and Dockerfile.
    #[command(after_help = NEW_MANIFEST_EXAMPLES)]
    New(ManifestNewArgs),
    /// Check manifests against the platform's rules (exit 0 valid, 1 invalid, 2 usage).
    #[command(after_help = VALIDATE_EXAMPLES)]
    Validate {
        /// Manifest files or folders [default: ./aichor_manifests]; a folder's YAML files that
        /// are not manifests are skipped (-v lists them).
        paths: Vec<PathBuf>,
        /// Treat warnings (missing Dockerfile, manifest outside aichor_manifests/) as errors.
        #[arg(long)]
        strict: bool,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Rewrite pre-0.2.3 shapes (Master + Worker, jax Worker, batchjob) to today's.
    ///
    /// Prints each result, or with --write rewrites each file in place (atomically; a result
    /// that still has errors is never written). Folders are searched for manifests as
    /// `validate` does.
    #[command(after_help = MIGRATE_EXAMPLES)]
    Migrate {
        /// Manifest files or folders.
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// Edit the files in place instead of printing the results.
        #[arg(long)]
        write: bool,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Print the manifest's JSON Schema (draft 2020-12), for editors and other tools.
    Schema,
}

// Flags are booleans by nature; `NewSettings` turns them into policies.
#[allow(clippy::struct_excessive_bools)]
#[derive(Debug, Args)]
pub(crate) struct ManifestNewArgs {
    /// Where to write it, relative to aichor_manifests/ (e.g. `gpu/manifest.yaml`); its
    /// commit message is `aichor[PATH]: ...`.
    pub path: String,

    /// Resource profile (see `aichor profiles list`) [default: the project's].
    #[arg(long, value_name = "ID")]
    pub profile: Option<String>,

    /// Number of containers (jobset: jobs; kuberay: Ray worker pods, may be 0) [default: the project's].
    #[arg(long, value_name = "N", allow_negative_numbers = true)]
    pub workers: Option<String>,

    /// Operator [default: the project's; required without .aichor-answers.yaml].
    #[arg(long, value_name = "OP", help = format!("Operator: {} [default: the project's; required without .aichor-answers.yaml]", Operator::choices()))]
    pub operator: Option<String>,

    /// Replace the manifest's spec.command.
    #[arg(long, value_name = "CMD")]
    pub command: Option<String>,

    /// Use this Dockerfile (builder.dockerfile, relative to the repository root) instead of the project's or a generated one.
    #[arg(long, value_name = "FILE")]
    pub dockerfile: Option<String>,

    /// Answer any question by its key (repeatable), e.g. `--set tensorboard=false`.
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub set: Vec<String>,

    /// Show the manifest and the files that would be written; write nothing.
    #[arg(long)]
    pub dry_run: bool,

    /// Replace an existing manifest (and files made for it that differ).
    #[arg(long)]
    pub force: bool,

    /// Do not run `uv lock` when pyproject.toml changes; the next steps say to.
    #[arg(long)]
    pub no_lock: bool,

    /// Report format on stdout.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,

    /// Never prompt: take what the project and the flags say, or fail naming the missing flag.
    #[arg(
        long,
        env = "AICHOR_NO_INPUT",
        action = clap::ArgAction::SetTrue,
        value_parser = env_bool
    )]
    pub no_input: bool,
}

#[derive(Debug, Subcommand)]
pub(crate) enum TemplatesCommand {
    /// List the built-in pack and the packs found in AICHOR_TEMPLATE_PATH and <config>/aichor/templates.
    List {
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// A pack's profiles and questions (JSON: the questions as a JSON Schema).
    Show {
        /// A folder, a git URL (`URL#ref`), a pack name, or `builtin`.
        pack: String,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Create a working pack that extends the built-in one, with an example of each feature.
    New {
        /// Folder to create.
        dir: PathBuf,
    },
    /// Render each answer set in DIR/tests/ and compare with the snapshots kept in the pack.
    #[command(after_help = TEMPLATES_TEST_EXAMPLES)]
    Test {
        /// The pack: a folder, a git URL (`URL#ref`) or a pack name, as `--template` takes.
        #[arg(value_name = "DIR|URL|NAME")]
        pack: String,
        /// Write the snapshots instead of comparing.
        #[arg(long)]
        update: bool,
    },
}

#[derive(Debug, Subcommand)]
pub(crate) enum ConfigCommand {
    /// Print where the config file is read from (it may not exist yet).
    Path,
    /// Every default in effect and where it comes from.
    Show {
        /// Show the defaults for this pack's questions [default: the configured pack].
        #[arg(long, value_name = "DIR|URL|NAME")]
        template: Option<String>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
}

const CONFIG_HELP: &str = "\
Precedence, highest first: a flag > --set > an answers file > AICHOR_<KEY> > the config file >
the pack's default. Environment and config values are defaults: in a terminal the question is
still asked, with that answer preselected.

config.toml:
  template = \"team-pack\"     # the pack when --template and the answers file say nothing
  hooks = true                # install the commit-msg hook after init
  color = \"auto\"             # auto | always | never (NO_COLOR still wins)
  [defaults]                  # any question's key: profile, python, tensorboard, workers, ...
  profile = \"gpu-a100-80gb\"
  python = \"3.12\"

AICHOR_CONFIG_FILE=FILE reads another file; AICHOR_NO_CONFIG=1 reads none.";

#[derive(Debug, Subcommand)]
pub(crate) enum ProfilesCommand {
    /// List resource profiles.
    List {
        /// Include a template pack's profiles (folder, git URL or name).
        #[arg(long, value_name = "PACK")]
        template: Option<String>,
        /// Only profiles valid for this operator.
        #[arg(long, value_name = "OP", help = format!("Only profiles valid for this operator: {}", Operator::choices()))]
        operator: Option<String>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
}

const INIT_EXAMPLES: &str = "\
Examples:
  aichor local-repo init demo                       # asks what flags don't say
  aichor local-repo init demo --operator jax --profile cpu-small --no-input
                                                    # a bootstrap script: never prompts
  aichor local-repo init copy --answers demo/.aichor-answers.yaml --no-input
                                                    # replay a project's recorded answers
  aichor local-repo init demo --template https://github.com/org/pack.git#v1
                                                    # a team's pack from git, at a tag";

const NEW_MANIFEST_EXAMPLES: &str = "\
Examples:
  aichor manifest new gpu/manifest.yaml --profile gpu-a100-80gb
                                                    # the same run on GPUs
  aichor manifest new ray.yaml --operator kuberay --workers 2
                                                    # a Ray cluster, with its own image
  aichor manifest new eval.yaml --command \"python -m demo.eval\" --dry-run
                                                    # show it, write nothing";

const VALIDATE_EXAMPLES: &str = "\
Examples:
  aichor manifest validate                          # every manifest under ./aichor_manifests
  aichor manifest validate gpu/run.yaml --strict    # one file; warnings fail too
  aichor manifest validate --format json | jq .     # for CI";

const MIGRATE_EXAMPLES: &str = "\
Examples:
  aichor manifest migrate old.yaml                  # print the migrated manifest
  aichor manifest migrate aichor_manifests --write  # rewrite every manifest in place
  aichor manifest migrate . --format json | jq .    # a report per file, for scripts";

const TEMPLATES_TEST_EXAMPLES: &str = "\
Examples:
  aichor templates test ./my-pack                   # compare with the pack's snapshots
  aichor templates test ./my-pack --update          # accept the new output
  aichor templates test https://github.com/org/pack.git#v2
                                                    # a released pack, before adopting it";

/// How results are printed on stdout.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Text,
    Json,
}

impl From<Format> for aichor::printer::Format {
    fn from(f: Format) -> Self {
        match f {
            Format::Text => aichor::printer::Format::Text,
            Format::Json => aichor::printer::Format::Json,
        }
    }
}

/// A boolean environment variable as people write them: `1/0`, `true/false`, `yes/no`,
/// `on/off` in any case, and empty as false (`AICHOR_NO_INPUT=` unsets it in effect).
fn env_bool(raw: &str) -> Result<bool, String> {
    if raw.trim().is_empty() {
        return Ok(false);
    }
    aichor::config::boolish(raw).ok_or_else(|| {
        format!(
            "`{}` is not a yes/no value: use 1/0, true/false, yes/no or on/off",
            raw.trim()
        )
    })
}

fn operator_help() -> String {
    format!("Operator: {}", Operator::choices())
}

fn python_help() -> String {
    format!(
        "Python version: {} [default: {DEFAULT_PYTHON}]",
        PYTHON_VERSIONS.join(", ")
    )
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    #[test]
    fn cli_is_well_formed() {
        super::Cli::command().debug_assert();
    }

    #[test]
    fn boolean_variables_read_as_people_write_them() {
        for (raw, want) in [
            ("1", Ok(true)),
            ("TRUE", Ok(true)),
            ("Yes", Ok(true)),
            ("on", Ok(true)),
            ("0", Ok(false)),
            ("false", Ok(false)),
            ("NO", Ok(false)),
            ("off", Ok(false)),
            ("", Ok(false)),
        ] {
            assert_eq!(super::env_bool(raw), want, "{raw:?}");
        }
        assert!(super::env_bool("maybe").is_err());
    }
}
