//! The one error type: every failure the user can see, its wording, its `help:` line and its
//! exit code. Messages are lowercase, one line, user values in backticks, never coloured here
//! (colour is the printer's job). Errors from other crates (I/O, TOML, YAML, Tera) are kept
//! as typed sources; the printer shows them as a "caused by" chain.

use std::path::PathBuf;

/// Where a value came from, so an error can point at the right flag or file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// A dedicated flag such as `--operator`.
    Flag(String),
    /// `--set key=value`.
    Set,
    /// A key in an answers file.
    AnswersFile(PathBuf),
    /// A default in the user's config file.
    ConfigFile(PathBuf),
    /// A default from an `AICHOR_<KEY>` environment variable.
    Env(String),
    /// The last component of the destination path (the default project name).
    Path,
    /// Typed at a prompt.
    Prompt,
}

impl std::fmt::Display for Origin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Origin::Flag(flag) => write!(f, "from `{flag}`"),
            Origin::Set => write!(f, "from `--set`"),
            Origin::AnswersFile(path) => write!(f, "in `{}`", path.display()),
            Origin::ConfigFile(path) => write!(f, "in config file `{}`", path.display()),
            Origin::Env(var) => write!(f, "from `{var}`"),
            Origin::Path => write!(f, "from the destination path"),
            Origin::Prompt => write!(f, "at the prompt"),
        }
    }
}

/// `` `value` ``, or nothing for an empty value (empty backticks read as a typo).
fn quoted(value: &str) -> String {
    if value.is_empty() {
        String::new()
    } else {
        format!(" `{value}`")
    }
}

/// Why nobody can be asked for a missing answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum NoPrompt {
    /// `--no-input` (or `AICHOR_NO_INPUT`).
    #[default]
    NoInput,
    /// stdin or stderr is not a terminal (a script, a pipe, CI).
    NoTerminal,
}

impl NoPrompt {
    fn describe(self) -> &'static str {
        match self {
            NoPrompt::NoInput => "prompting is disabled (`--no-input`)",
            NoPrompt::NoTerminal => "there is no terminal to ask in",
        }
    }
}

/// How a question is answered on the command line, for help lines that name the fix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AnswerFlag {
    /// A dedicated flag: `--profile`.
    Flag(&'static str),
    /// `--set key=...` (pack questions).
    Set(String),
}

impl AnswerFlag {
    /// The flag with `value`: `--profile cpu-small`, `--set team=vision`.
    pub fn with(&self, value: &str) -> String {
        match self {
            AnswerFlag::Flag(f) => format!("{f} {value}"),
            AnswerFlag::Set(key) => format!("--set {key}={value}"),
        }
    }

    /// The flag alone: `--profile`, `--set team=`.
    fn bare(&self) -> String {
        match self {
            AnswerFlag::Flag(f) => (*f).to_string(),
            AnswerFlag::Set(key) => format!("--set {key}="),
        }
    }

    /// What a missing answer's help names: `--operator`, `--set team=...`.
    pub fn to_pass(&self) -> String {
        match self {
            AnswerFlag::Flag(f) => (*f).to_string(),
            AnswerFlag::Set(key) => format!("--set {key}=..."),
        }
    }
}

/// Why an offered-values answer was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unoffered {
    /// Not among the values at all.
    Unknown,
    /// A profile the pack has, but not for this operator.
    ProfileNotFor(String),
    /// A Python version this operator's images do not have.
    PythonNotFor(String),
}

/// Why a value was refused (its `Display`, the reason) and how to fix it (`help`). Every
/// validator, whatever the value's origin, reports through this.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Invalid {
    /// A project name the naming rules refuse, with a name they accept.
    Name {
        reason: String,
        suggestion: Option<String>,
    },
    /// Not one of the values offered.
    NotOffered {
        why: Unoffered,
        choices: Vec<String>,
        suggestion: Option<String>,
    },
    /// A worker count out of range or not a number.
    Workers {
        problem: WorkersProblem,
        min: u32,
        max: u32,
    },
    /// Not `true/false`-like.
    NotYesNo { key: String },
    /// Not a whole number (a pack's `int` question).
    NotWholeNumber { key: String },
    /// Does not match a pack question's pattern.
    NoMatch { key: String, pattern: String },
}

/// What is wrong with a worker count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WorkersProblem {
    TooFew,
    TooMany,
    NotANumber,
}

impl std::fmt::Display for Invalid {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Invalid::Name { reason, .. } => f.write_str(reason),
            Invalid::NotOffered {
                why,
                choices,
                suggestion,
                ..
            } => match why {
                // The help lists the values unless it suggests one: list them here then.
                Unoffered::Unknown if suggestion.is_some() => {
                    write!(f, "not one of {}", choices.join(", "))
                }
                Unoffered::Unknown => f.write_str("not one of the accepted values"),
                Unoffered::ProfileNotFor(op) => write!(f, "not available for the `{op}` operator"),
                Unoffered::PythonNotFor(op) => write!(f, "not supported for the `{op}` operator"),
            },
            Invalid::Workers { problem, min, max } => match problem {
                WorkersProblem::TooFew if *min == 0 => f.write_str("a count cannot be negative"),
                WorkersProblem::TooFew => write!(
                    f,
                    "at least {min} container{} needed for this operator",
                    if *min == 1 { " is" } else { "s are" }
                ),
                WorkersProblem::TooMany => write!(f, "more than {max}"),
                WorkersProblem::NotANumber => f.write_str("not a whole number"),
            },
            Invalid::NotYesNo { .. } => f.write_str("not a yes/no value"),
            Invalid::NotWholeNumber { .. } => f.write_str("not a whole number"),
            Invalid::NoMatch { pattern, .. } => write!(f, "does not match `{pattern}`"),
        }
    }
}

impl Invalid {
    /// The refusal with the accepted value it suggests, for a prompt (where no flag applies),
    /// e.g. "must start with a lowercase letter a-z: try \`my-proj\`".
    pub fn with_suggestion(&self) -> String {
        match self {
            Invalid::Name {
                suggestion: Some(s),
                ..
            } => format!("{self}: try `{s}`"),
            Invalid::NotOffered {
                suggestion: Some(s),
                ..
            } => format!("{self}: did you mean `{s}`?"),
            _ => self.to_string(),
        }
    }

    /// How to give a value that is accepted, with `flag`: how the command that refused it
    /// answers the question (`update` has only `--set`).
    pub fn help(&self, flag: &AnswerFlag) -> String {
        match self {
            Invalid::Name {
                suggestion: Some(s),
                ..
            } => format!("pass `{}`", flag.with(s)),
            Invalid::Name { .. } => format!(
                "pass `{}` with lowercase letters, digits and `-`, e.g. `{}`",
                flag.bare(),
                flag.with("my-project")
            ),
            Invalid::NotOffered {
                suggestion: Some(s),
                ..
            } => format!("did you mean `{}`?", flag.with(s)),
            Invalid::NotOffered { choices, .. } => {
                format!("pass `{}` with one of: {}", flag.bare(), choices.join(", "))
            }
            Invalid::Workers { min, max, .. } => {
                format!(
                    "pass `{}` with a whole number from {min} to {max}",
                    flag.bare()
                )
            }
            Invalid::NotYesNo { key } => match flag {
                AnswerFlag::Flag(f) => format!(
                    "pass `{f}` or `--no-{}` (or `--set {key}=false`)",
                    f.trim_start_matches('-')
                ),
                AnswerFlag::Set(_) => {
                    format!("pass `{}` or `{}`", flag.with("true"), flag.with("false"))
                }
            },
            Invalid::NotWholeNumber { .. } => format!("pass `{}`", flag.with("1")),
            Invalid::NoMatch { pattern, .. } => {
                format!(
                    "pass `{}` with a value matching `{pattern}`",
                    flag.with("...")
                )
            }
        }
    }
}

/// What a program we ran said on stderr when it failed, kept whole (its last line alone
/// often makes no sense: "... and the repository exists.").
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct ProgramOutput(pub String);

/// Why an answers file cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum AnswersFileError {
    #[error(transparent)]
    Read(std::io::Error),
    #[error(transparent)]
    Yaml(yaml_serde::Error),
    #[error("the top level is not a mapping")]
    NotMapping,
    #[error("`answers` is not a mapping")]
    AnswersNotMapping,
    /// The `manifests:` section `manifest new` keeps.
    #[error("{0}")]
    Manifests(String),
    #[error("key `{0}` is not a string")]
    KeyNotString(String),
    #[error("`{0}` must be a single value, not a list or mapping")]
    NotScalar(String),
    #[error("larger than {} KiB: an answers file is a few lines", .0 / 1024)]
    TooLarge(usize),
    #[error("line {line}, column {column}: {message}")]
    TooComplex {
        line: usize,
        column: usize,
        message: String,
    },
}

/// Every error `aichor` reports.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("no value for `{key}`, and {}", why.describe())]
    MissingAnswer {
        key: String,
        flag: String,
        why: NoPrompt,
    },

    #[error("invalid {key}{} ({origin}): {invalid}", quoted(value))]
    InvalidAnswer {
        key: String,
        value: String,
        origin: Origin,
        invalid: Invalid,
        /// How the command that refused it answers `key` (its help names that flag).
        flag: AnswerFlag,
    },

    #[error("unknown question `{key}` ({origin})")]
    UnknownKey {
        key: String,
        origin: Origin,
        known: Vec<String>,
        suggestion: Option<String>,
    },

    #[error("`--set {arg}` is not of the form KEY=VALUE")]
    BadSet { arg: String },

    #[error("cannot read answers file `{}`", path.display())]
    AnswersFile {
        path: PathBuf,
        #[source]
        source: AnswersFileError,
    },

    #[error("destination `{}` is not empty", path.display())]
    DestinationNotEmpty { path: PathBuf },

    #[error("cannot merge into the existing `{}`", path.display())]
    Merge {
        path: PathBuf,
        #[source]
        source: toml_edit::TomlError,
    },

    #[error("destination `{}` exists and is not a directory", path.display())]
    DestinationNotDir { path: PathBuf },

    #[error("`{}` is a folder where a file goes", path.display())]
    FolderInTheWay { path: PathBuf },

    #[error("destination `{}` was filled while aichor prepared the project", path.display())]
    DestinationChanged { path: PathBuf },

    #[error("`{}` is a file where the project needs a folder", path.display())]
    PathBlocked { path: PathBuf },

    #[error("writing into `{}` failed and {} replaced file(s) could not be put back: {}", path.display(), left.len(), left.join(", "))]
    RollbackFailed {
        path: PathBuf,
        /// Where the originals are kept.
        backup: PathBuf,
        left: Vec<String>,
        #[source]
        cause: Box<Error>,
    },

    #[error("`{}` {action}", path.display())]
    Io {
        path: PathBuf,
        action: &'static str,
        #[source]
        source: std::io::Error,
    },

    #[error("template pack `{pack}`: {file}: {message}")]
    Pack {
        pack: String,
        file: String,
        message: String,
    },

    /// The position is in `file`, so only the parser's message is shown (its own rendering
    /// repeats the position with a snippet).
    #[error("template pack `{pack}`: {file}: {}", error.message())]
    PackToml {
        pack: String,
        /// `file:line:column`.
        file: String,
        error: toml_edit::de::Error,
    },

    #[error("template pack `{pack}`: its templates do not load")]
    PackTemplates {
        pack: String,
        #[source]
        source: tera::Error,
    },

    #[error("template pack `{pack}` requires aichor {requirement}; this is {version}")]
    PackRequires {
        pack: String,
        requirement: String,
        version: String,
    },

    #[error("{} of {total} answer set(s) failed: {}", failed.len(), failed.join(", "))]
    PackTests { failed: Vec<String>, total: usize },

    #[error("no answer sets under `{}`", dir.display())]
    NoAnswerSets { dir: PathBuf },

    #[error("cannot find template pack `{spec}`")]
    PackNotFound { spec: String, searched: Vec<String> },

    #[error("cannot fetch template pack `{url}`: {message}")]
    PackFetch { url: String, message: String },

    #[error("cannot fetch template pack `{url}`: `git {command}` failed")]
    Git {
        url: String,
        command: String,
        #[source]
        source: ProgramOutput,
    },

    #[error("unsafe path `{path}`: {reason}")]
    UnsafePath { path: String, reason: String },

    #[error("template `{template}` failed to render")]
    Render {
        template: String,
        #[source]
        source: tera::Error,
    },

    #[error("template `{template}`: {message}")]
    BadPath { template: String, message: String },

    #[error("generated manifest `{file}` is invalid at `{key}`: {message}")]
    Manifest {
        file: String,
        key: String,
        message: String,
    },

    #[error("{invalid} of {total} manifest(s) invalid")]
    InvalidManifests { invalid: usize, total: usize },

    #[error("no manifests found under `{}`{}", dir.display(), if *skipped == 0 { String::new() } else { format!(" ({skipped} YAML file(s) there are not manifests; `-v` lists them)") })]
    NoManifests {
        dir: PathBuf,
        /// YAML files a folder walk skipped (not manifests by their content).
        skipped: usize,
        /// The `manifest` subcommand the help suggests (`validate`, `migrate`).
        command: &'static str,
    },

    #[error("{}: {errors} error(s)", if *commit_msg { "commit message refused".to_string() } else { format!("`{}` is not ready to submit", root.display()) })]
    CheckFailed {
        root: PathBuf,
        errors: usize,
        /// `--commit-msg` (the message) rather than the repository.
        commit_msg: bool,
    },

    #[error("no AIchor repository at or above `{}` (no `aichor_manifests/`, `.git` or `.aichor-answers.yaml`)", path.display())]
    NotARepository { path: PathBuf },

    #[error("`{}` is not in a git repository", path.display())]
    NotGitRepo {
        path: PathBuf,
        #[source]
        source: ProgramOutput,
    },

    #[error("`git` cannot be run")]
    GitMissing(#[source] std::io::Error),

    #[error("`{}` is a hook aichor did not write", path.display())]
    ForeignHook { path: PathBuf, installing: bool },

    #[error("`{}` is aichor's hook, edited since aichor wrote it", path.display())]
    EditedHook { path: PathBuf, installing: bool },

    #[error("`{}` already keeps an earlier hook", path.display())]
    LegacyHookKept { path: PathBuf },
    #[error("cannot use `{path}` as a manifest path: {reason}")]
    BadManifestPath {
        path: String,
        reason: String,
        /// The fix when it is more precise than the rule (the path without its spaces).
        help: Option<String>,
    },

    #[error("cannot use `{flag} {value}`: {reason}")]
    BadFlagValue {
        flag: &'static str,
        value: String,
        reason: String,
        help: String,
    },

    #[error("`{}` is not inside an AIchor repository (no `.aichor-answers.yaml` or `aichor_manifests/` in it or any folder above)", dir.display())]
    NotInRepository { dir: PathBuf },

    #[error("manifest `{}` already exists", path.display())]
    ManifestExists { path: PathBuf },

    #[error("`{}` exists and differs from the file this manifest needs", path.display())]
    FileExists { path: PathBuf },

    #[error("{message}")]
    VariantConflict { message: String, help: String },

    #[error("cannot migrate `{}`: {message}", path.display())]
    Migrate {
        path: PathBuf,
        message: String,
        help: String,
    },

    #[error("{failed} of {total} manifest(s) not migrated")]
    NotMigrated { failed: usize, total: usize },

    #[error("prompt failed")]
    Prompt(#[source] std::io::Error),

    /// A bug: a state validation should have made impossible.
    #[error("internal error: {what}")]
    Internal {
        what: String,
        #[source]
        source: Option<Box<dyn std::error::Error + Send + Sync>>,
    },

    #[error("`--lock` was given, but uv cannot be run: {why}")]
    UvMissing { why: String },

    #[error("`--uv`: cannot lock the requirements of `{context}`: {reason}")]
    AdoptLock { context: String, reason: String },

    #[error("cannot update the snapshots of `{spec}`: it is a cached clone of a git pack")]
    UpdateFetchedPack { spec: String },

    #[error("the built-in pack has no snapshots to update: it is compiled into aichor")]
    UpdateBuiltinSnapshots,

    #[error("cannot read config file `{}`", path.display())]
    Config {
        path: PathBuf,
        #[source]
        source: Box<toml_edit::de::Error>,
    },

    #[error("`AICHOR_CONFIG_FILE` names `{}`, which does not exist", path.display())]
    ConfigFileMissing {
        path: PathBuf,
        /// Where the file is found without the variable (for the help line).
        default: Option<PathBuf>,
    },

    #[error("config file `{}` is not UTF-8 text", path.display())]
    ConfigNotText { path: PathBuf },

    #[error("config file `{}`: `{key}` {problem}", path.display())]
    ConfigValue {
        path: PathBuf,
        key: String,
        problem: String,
    },

    #[error("aborted")]
    Aborted,

    /// Esc at a prompt: the question before it is asked again (at the first, or where
    /// there is nothing to go back to, the run stops like a "no").
    #[error("back")]
    Back,

    #[error("`{}` was not generated by `aichor local-repo init`: it has no `{file}`", path.display())]
    NotGenerated {
        path: PathBuf,
        file: &'static str,
        /// The nearest folder above holding the file: the project, run from inside it.
        above: Option<PathBuf>,
    },

    #[error("cannot reproduce the project as `{pack}` generated it: {reason}")]
    BaseUnavailable {
        pack: String,
        reason: String,
        help: String,
    },

    #[error("`{}` has uncommitted changes: {}", path.display(), some(files))]
    DirtyTree {
        path: PathBuf,
        files: Vec<String>,
        /// What refused: `update`, `adopt`.
        command: &'static str,
    },

    #[error("`{}` still has conflict markers from an earlier update", path.display())]
    ConflictMarkers { path: PathBuf },

    #[error("`{}` already exists: the update would put the new version of `{}` there", path.display(), file)]
    RejExists { path: PathBuf, file: String },

    #[error("`{}` changed while `aichor {command}` ran", path.display())]
    ChangedMeanwhile {
        path: PathBuf,
        command: &'static str,
    },

    #[error("{} file(s) {} conflicts to resolve: {}", files.len(), if *dry_run { "would have" } else { "have" }, files.join(", "))]
    Conflicts { files: Vec<String>, dry_run: bool },

    #[error("`{}` names the project `{theirs}`, not `{ours}`: its build would look for a package other than `src/{package}/`", path.display())]
    ProjectNameMismatch {
        path: PathBuf,
        theirs: String,
        ours: String,
        package: String,
        /// `theirs` as a `--name` takes it (PEP 503 normalised).
        suggested: String,
    },

    #[error("{} file(s) left for you: {}", paths.len(), some(paths))]
    ManifestsLeft { paths: Vec<String> },

    #[error("interrupted")]
    Interrupted { signal: i32 },

    #[error("cannot run `{}` locally: {what}", manifest.display())]
    RunRefused {
        manifest: PathBuf,
        what: String,
        help: String,
    },

    #[error("{}", match (first, timeout, signal) {
        (_, _, Some(sig)) => format!("interrupted by signal {sig}: every process was stopped"),
        (_, true, None) => "the run reached its --timeout".to_string(),
        (Some(name), false, None) => format!("`{name}` failed (exit {code}); the run stopped"),
        (None, false, None) => format!("the run failed (exit {code})"),
    })]
    RunFailed {
        /// The first process that failed.
        first: Option<String>,
        /// The run's exit status: the first failure's, 124 on timeout.
        code: i32,
        timeout: bool,
        /// The signal that stopped the run (`--format json`, whose report is printed
        /// already; in text the run ends as any interrupted command does).
        signal: Option<i32>,
        /// The run's folder (its logs, summary.json).
        folder: PathBuf,
    },
}

impl Error {
    /// The remedy, naming the flag to pass where there is one.
    // One arm per variant: a table reads better whole than split across functions.
    #[allow(clippy::too_many_lines)]
    pub fn help(&self) -> Option<String> {
        Some(match self {
            Error::MissingAnswer {
                flag,
                why: NoPrompt::NoInput,
                ..
            } => format!("pass `{flag}` (or run without `--no-input` to be asked)"),
            Error::MissingAnswer { flag, .. } => {
                format!("pass `{flag}` (or run it in a terminal to be asked)")
            }
            Error::InvalidAnswer {
                key,
                origin: Origin::AnswersFile(path),
                invalid,
                flag,
                ..
            } => format!(
                "fix `{key}` in `{}`, or override it: {}",
                path.display(),
                invalid.help(flag)
            ),
            Error::InvalidAnswer {
                key,
                origin: Origin::ConfigFile(path),
                invalid,
                flag,
                ..
            } => format!(
                "fix `defaults.{key}` in `{}` (`aichor config show` lists your defaults), or override it: {}",
                path.display(),
                invalid.help(flag)
            ),
            Error::InvalidAnswer {
                origin: Origin::Env(var),
                invalid,
                flag,
                ..
            } => format!("unset `{var}` or give it a valid value, or override it: {}", invalid.help(flag)),
            Error::InvalidAnswer { invalid, flag, .. } => invalid.help(flag),
            Error::UnknownKey {
                suggestion, known, ..
            } => match suggestion {
                Some(s) => format!("did you mean `{s}`? known keys: {}", known.join(", ")),
                None => format!("known keys: {}", known.join(", ")),
            },
            Error::BadSet { .. } => "write it as `--set key=value`, e.g. `--set workers=2`".into(),
            Error::AnswersFile {
                source: AnswersFileError::Read(e),
                ..
            } if e.kind() == std::io::ErrorKind::InvalidData => {
                "save the answers file as UTF-8 text".into()
            }
            Error::AnswersFile {
                source: AnswersFileError::Read(_),
                ..
            } => "check the path given to `--answers`".into(),
            Error::AnswersFile { .. } => {
                "the file must be a YAML mapping of question keys to values, e.g. `operator: jax`"
                    .into()
            }
            Error::DestinationNotEmpty { .. } => {
                "choose another PATH, or pass `--force` to write into it (existing files are listed before being replaced)".into()
            }
            Error::DestinationNotDir { .. } => "choose another PATH".into(),
            Error::FolderInTheWay { .. } => "move that folder away, or choose another PATH; nothing was written".into(),
            Error::DestinationChanged { .. } => "another process (a second aichor?) wrote there; nothing of this run was written: look at it, then run again (with `--force` to add to it)".into(),
            Error::PathBlocked { .. } => "move that file away, or choose another PATH; nothing was written".into(),
            Error::RollbackFailed { backup, .. } => format!("your original files are kept in `{}`: copy them back by hand", backup.display()),
            Error::Merge { .. } => "fix the file (or move it away) and run again".into(),
            Error::Io { .. } => "check the path and its permissions".into(),
            Error::PackTests { .. } => "review the differences; if they are intended, rerun with `--update`".into(),
            Error::NoAnswerSets { .. } => "add answer sets (YAML files of question keys to values) to the pack's `tests/` folder".into(),
            Error::PackRequires { .. } => "upgrade aichor (see its releases), or use an older version of the pack".into(),
            Error::PackNotFound { searched, .. } => format!(
                "pass a folder, a git URL (`https://…/pack.git#v1`) or a pack name found in: {}",
                if searched.is_empty() { "(no search folders)".to_string() } else { searched.join(", ") }
            ),
            Error::PackFetch { .. } | Error::Git { .. } => "check the URL and ref; a pack fetched once is reused offline from the cache".into(),
            Error::UnsafePath { .. } => "packs may only write inside the destination".into(),
            Error::Pack { .. }
            | Error::PackToml { .. }
            | Error::PackTemplates { .. }
            | Error::Render { .. }
            | Error::BadPath { .. }
            | Error::Manifest { .. } => {
                "fix the pack file named above (`aichor templates test <DIR>` checks a pack); for the built-in pack, please report a bug".into()
            }
            Error::InvalidManifests { .. } => "fix the errors above; `aichor manifest schema` gives your editor the same rules".into(),
            Error::NoManifests { command, .. } => format!("pass manifest files or folders: `aichor manifest {command} PATH...`"),
            Error::CheckFailed { .. }
            | Error::NotARepository { .. }
            | Error::NotGitRepo { .. }
            | Error::GitMissing(_)
            | Error::LegacyHookKept { .. }
            | Error::EditedHook { .. }
            | Error::ForeignHook { .. } => self.check_help(),
            Error::BadManifestPath { help: None, .. } => "pass a path relative to `aichor_manifests/` that ends in `.yaml` or `.yml`, e.g. `gpu/manifest.yaml`".into(),
            Error::NotInRepository { .. } => "run it inside a project made by `aichor local-repo init` (or create one with it)".into(),
            Error::ManifestExists { .. } | Error::FileExists { .. } => "choose another PATH (or move that file away), or pass `--force` to replace it".into(),
            Error::VariantConflict { help, .. }
            | Error::BadManifestPath { help: Some(help), .. }
            | Error::BaseUnavailable { help, .. }
            | Error::BadFlagValue { help, .. }
            | Error::Migrate { help, .. }
            | Error::RunRefused { help, .. } => help.clone(),
            Error::NotMigrated { failed, total } if failed == total => "fix them as said above, then run `aichor manifest migrate` again".into(),
            Error::NotMigrated { .. } => "fix those as said above, then run `aichor manifest migrate` again; the others migrate cleanly".into(),
            Error::Prompt(_) => "pass every answer as a flag and add `--no-input`".into(),
            Error::Internal { .. } => "this is a bug in aichor: please report it with the command you ran".into(),
            Error::UvMissing { .. } => "install uv (https://docs.astral.sh/uv/getting-started/installation/, e.g. `pipx install uv`), or pass `--no-lock` and run `uv lock` later".into(),
            Error::AdoptLock { .. } => "nothing was written; install uv (or point AICHOR_UV at it) and make the requirements resolvable, or run `aichor local-repo adopt` without `--uv`".into(),
            Error::UpdateFetchedPack { .. } => "clone the pack's repository and run `aichor templates test <CLONE> --update` there, then commit the snapshots".into(),
            Error::UpdateBuiltinSnapshots => "run `aichor templates test builtin` without `--update`; to change the pack, make your own that extends it (`aichor templates new DIR`)".into(),
            Error::ConfigFileMissing { default, .. } => format!(
                "create it (keys: template, hooks, color, [defaults]; see `aichor config show`), correct the variable, or unset it to read {}",
                default.as_ref().map_or_else(
                    || "no file".to_string(),
                    |p| format!("`{}`", p.display())
                )
            ),
            Error::Config { path, .. }
            | Error::ConfigValue { path, .. }
            | Error::ConfigNotText { path } => format!(
                "fix `{}` (keys: template, hooks, color, [defaults]; see `aichor config show`), or set `AICHOR_NO_CONFIG=1` to ignore it",
                path.display()
            ),
            Error::Aborted | Error::Back => "nothing was written".into(),
            Error::NotGenerated { above: Some(project), .. } => format!(
                "this is inside the project `{}`: run `aichor local-repo update` there, or pass it as PATH",
                project.display()
            ),
            Error::NotGenerated { above: None, .. } => "run `aichor local-repo update` in (or pass the PATH of) a project that `aichor local-repo init` created".into(),
            Error::DirtyTree { command, .. } => format!("commit or stash your changes first, so `git diff` shows what the {command} did (or pass `--force`)"),
            Error::ConflictMarkers { .. } => "resolve the `<<<<<<<` / `>>>>>>>` blocks first (or pass `--force` to merge anyway)".into(),
            Error::ChangedMeanwhile { command, .. } => format!("nothing was written: run `aichor {command}` again once nothing else is writing to the project (it starts from the files as they are then)"),
            Error::RejExists { .. } => "move or delete it (an earlier update's `.rej` can go once you have resolved it), then run the update again".into(),
            Error::Conflicts { dry_run: true, .. } => "run without `--dry-run` to write them, then resolve them (`--conflict rej` puts the new version beside each file instead of markers)".into(),
            Error::Conflicts { .. } => "resolve the `<<<<<<<` blocks (or compare with the `.rej` files), then commit; `git diff` shows the whole update".into(),
            Error::ProjectNameMismatch { suggested, .. } => format!("pass `--name {suggested}` so the package is the one the project builds (for a repository that already runs on AIchor, `aichor local-repo adopt` keeps its code as it is)"),
            Error::ManifestsLeft { .. } => "each is listed above with why (`manual`, `conflict`): fix or move it by hand, then run `aichor local-repo adopt` again".into(),
            Error::Interrupted { .. } => return None,
            Error::RunFailed { timeout: true, folder, .. } => format!("each process's log is in `{}`; pass a larger `--timeout` if the run needs longer", folder.join("logs").display()),
            Error::RunFailed { folder, .. } => format!("its output is above, under its prefix, and in `{}`", folder.join("logs").display()),
        })
    }

    /// The remedies of `local-repo check` and `local-repo hooks` failures.
    fn check_help(&self) -> String {
        match self {
            Error::CheckFailed { commit_msg: true, .. } => "fix the message as the help above says (`git commit --no-verify` skips the check)".into(),
            Error::CheckFailed { .. } => "fix the errors above (each has its `help:`), then run `aichor local-repo check` again".into(),
            Error::NotARepository { .. } => "run it inside the repository, or pass its folder: `aichor local-repo check PATH`".into(),
            Error::NotGitRepo { path, .. } => format!("run `git init {}` first", path.display()),
            Error::GitMissing(_) => "install git and make sure it is on PATH".into(),
            Error::ForeignHook { path, installing: true } => format!(
                "pass `--force` to install anyway: the existing hook is kept as `{}.legacy` and still runs first",
                path.display()
            ),
            Error::LegacyHookKept { .. } => "nothing was changed: move it away (or merge it into the current hook by hand), then run again".into(),
            Error::ForeignHook { .. } => "it was left alone; remove it by hand if you want it gone".into(),
            Error::EditedHook { installing: true, .. } => "nothing was changed: pass `--force` to replace it with this aichor's hook (your edits are lost: copy what you added first; checks of your own belong in `commit-msg.legacy`, which the hook runs first)".into(),
            Error::EditedHook { .. } => "nothing was removed: pass `--force` to remove it, your edits with it".into(),
            _ => String::new(),
        }
    }

    /// 2 for usage errors (fix the command line), 3 when `update` wrote conflicts the user
    /// must resolve, 128 + signal when stopped by one, 1 for everything else.
    pub fn exit_code(&self) -> u8 {
        match self {
            Error::MissingAnswer { .. }
            | Error::InvalidAnswer { .. }
            | Error::UnknownKey { .. }
            | Error::BadSet { .. }
            | Error::AnswersFile { .. }
            | Error::BadManifestPath { .. }
            | Error::BadFlagValue { .. }
            | Error::Config { .. }
            | Error::ConfigValue { .. }
            | Error::ConfigFileMissing { .. }
            | Error::ConfigNotText { .. }
            | Error::NoManifests { .. }
            | Error::NotARepository { .. }
            | Error::ProjectNameMismatch { .. }
            | Error::RunRefused { .. } => 2,
            // The first failing process's status (its signal as 128 + N), 124 on timeout.
            Error::RunFailed { code, .. } => u8::try_from(*code).unwrap_or(1),
            Error::Conflicts { .. } | Error::ManifestsLeft { .. } => 3,
            // 128 + the signal, as shells report it: 130 Ctrl-C, 143 SIGTERM, 129 SIGHUP.
            Error::Interrupted { signal } => u8::try_from(128 + signal).unwrap_or(130),
            _ => 1,
        }
    }

    /// Whether the command's own report already carries this failure (`manifest validate`
    /// lists the invalid manifests, then fails with `InvalidManifests` for the exit code;
    /// `local-repo check` lists its findings, then fails with `CheckFailed`):
    /// `--format json` then prints that report alone, one document on stdout.
    pub fn in_report(&self) -> bool {
        matches!(
            self,
            Error::InvalidManifests { .. }
                | Error::NotMigrated { .. }
                | Error::CheckFailed { .. }
                | Error::Conflicts { .. }
                | Error::ManifestsLeft { .. }
                | Error::RunFailed { .. }
        )
    }

    /// A stable `snake_case` name of the failure for scripts (`--format json`): the variant's
    /// name, so `DestinationNotEmpty` is `destination_not_empty`. Messages may change
    /// between releases; kinds change only with `schema_version`.
    pub fn kind(&self) -> &'static str {
        // Spelled out: the kinds are a contract with scripts, and renaming a variant must not
        // change one.
        match self {
            Error::MissingAnswer { .. } => "missing_answer",
            Error::InvalidAnswer { .. } => "invalid_answer",
            Error::UnknownKey { .. } => "unknown_key",
            Error::BadSet { .. } => "bad_set",
            Error::AnswersFile { .. } => "answers_file",
            Error::DestinationNotEmpty { .. } => "destination_not_empty",
            Error::Merge { .. } => "merge",
            Error::DestinationNotDir { .. } => "destination_not_dir",
            Error::FolderInTheWay { .. } => "folder_in_the_way",
            Error::DestinationChanged { .. } => "destination_changed",
            Error::PathBlocked { .. } => "path_blocked",
            Error::RollbackFailed { .. } => "rollback_failed",
            Error::Io { .. } => "io",
            Error::Pack { .. } => "pack",
            Error::PackToml { .. } => "pack_toml",
            Error::PackTemplates { .. } => "pack_templates",
            Error::PackRequires { .. } => "pack_requires",
            Error::PackTests { .. } => "pack_tests",
            Error::NoAnswerSets { .. } => "no_answer_sets",
            Error::PackNotFound { .. } => "pack_not_found",
            Error::PackFetch { .. } => "pack_fetch",
            Error::Git { .. } => "git",
            Error::UnsafePath { .. } => "unsafe_path",
            Error::Render { .. } => "render",
            Error::BadPath { .. } => "bad_path",
            Error::Manifest { .. } => "manifest",
            Error::InvalidManifests { .. } => "invalid_manifests",
            Error::NoManifests { .. } => "no_manifests",
            Error::CheckFailed { .. } => "check_failed",
            Error::NotARepository { .. } => "not_a_repository",
            Error::NotGitRepo { .. } => "not_git_repo",
            Error::GitMissing { .. } => "git_missing",
            Error::ForeignHook { .. } => "foreign_hook",
            Error::LegacyHookKept { .. } => "legacy_hook_kept",
            Error::EditedHook { .. } => "edited_hook",
            Error::BadManifestPath { .. } => "bad_manifest_path",
            Error::BadFlagValue { .. } => "bad_flag_value",
            Error::NotInRepository { .. } => "not_in_repository",
            Error::ManifestExists { .. } => "manifest_exists",
            Error::FileExists { .. } => "file_exists",
            Error::VariantConflict { .. } => "variant_conflict",
            Error::Migrate { .. } => "migrate",
            Error::NotMigrated { .. } => "not_migrated",
            Error::Prompt { .. } => "prompt",
            Error::Internal { .. } => "internal",
            Error::UvMissing { .. } => "uv_missing",
            Error::AdoptLock { .. } => "adopt_lock",
            Error::UpdateFetchedPack { .. } => "update_fetched_pack",
            Error::UpdateBuiltinSnapshots => "update_builtin_snapshots",
            Error::Config { .. } => "config",
            Error::ConfigFileMissing { .. } => "config_file_missing",
            Error::ConfigNotText { .. } => "config_not_text",
            Error::ConfigValue { .. } => "config_value",
            Error::Aborted => "aborted",
            Error::Back => "back",
            Error::NotGenerated { .. } => "not_generated",
            Error::BaseUnavailable { .. } => "base_unavailable",
            Error::DirtyTree { .. } => "dirty_tree",
            Error::ConflictMarkers { .. } => "conflict_markers",
            Error::RejExists { .. } => "rej_exists",
            Error::ChangedMeanwhile { .. } => "changed_meanwhile",
            Error::Conflicts { .. } => "conflicts",
            Error::ProjectNameMismatch { .. } => "project_name_mismatch",
            Error::ManifestsLeft { .. } => "manifests_left",
            Error::Interrupted { .. } => "interrupted",
            Error::RunRefused { .. } => "run_refused",
            Error::RunFailed { .. } => "run_failed",
        }
    }

    /// A failed prompt: Ctrl-C in raw mode arrives as `Interrupted` (exit 130).
    pub fn from_prompt(e: std::io::Error) -> Self {
        if crate::prompt::is_back(&e) {
            return Error::Back;
        }
        if e.kind() == std::io::ErrorKind::Interrupted {
            // Ctrl-C, as SIGINT (2) would report it.
            Error::Interrupted { signal: 2 }
        } else {
            Error::Prompt(e)
        }
    }

    /// Shorthand for an I/O error that names the path and what we were doing.
    pub fn io(path: impl Into<PathBuf>, action: &'static str, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            action,
            source,
        }
    }

    /// A bug, with the error that revealed it.
    pub fn internal(
        what: impl Into<String>,
        source: impl Into<Box<dyn std::error::Error + Send + Sync>>,
    ) -> Self {
        Error::Internal {
            what: what.into(),
            source: Some(source.into()),
        }
    }

    /// The causes below this error, outermost first, one entry per source.
    pub fn causes(&self) -> Vec<String> {
        let mut out = Vec::new();
        let mut source = std::error::Error::source(self);
        while let Some(s) = source {
            let text = s.to_string();
            // `#[error(transparent)]` wrappers repeat their inner error: say it once.
            if out.last() != Some(&text) {
                out.push(text);
            }
            source = s.source();
        }
        out
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// The first few of `items`, then how many more: a message stays one readable line.
fn some(items: &[String]) -> String {
    const SHOWN: usize = 5;
    if items.len() <= SHOWN {
        return items.join(", ");
    }
    format!(
        "{}, and {} more",
        items[..SHOWN].join(", "),
        items.len() - SHOWN
    )
}
