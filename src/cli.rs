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
const VERSION: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    " (repository generator; not the AIchor platform CLI from aichor-cli)"
);

/// Create and check repositories ready to submit to AIchor.
#[derive(Debug, Parser)]
#[command(name = "aichor", version = VERSION, about, propagate_version = true)]
pub(crate) struct Cli {
    #[command(subcommand)]
    pub command: Command,

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

/// The command as clap sees it, named as it was invoked (`aichor` or `aichor-kit`), so that
/// `--version`, usage lines, completions and man pages all say the name the user typed.
pub(crate) fn command() -> clap::Command {
    Cli::command().name(invoked_name())
}

/// `aichor-kit` when started under that name (the file name, `.exe` aside), else `aichor`:
/// a copy under any other name still describes itself as `aichor`.
fn invoked_name() -> &'static str {
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
    /// Print a shell completion script.
    Completions {
        /// The shell to generate the script for.
        shell: clap_complete::Shell,
    },
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
    Init(InitArgs),
}

// Flags are booleans by nature; `InitSettings` turns them into policies.
#[allow(clippy::struct_excessive_bools)]
#[derive(Debug, Args)]
pub(crate) struct InitArgs {
    /// Where to create the project [default: ./<name>]; `.` is the current directory.
    pub path: Option<PathBuf>,

    /// Template pack: a folder, a git URL (`URL#ref`) or a pack name [default: builtin].
    #[arg(long, value_name = "DIR|URL|NAME", env = "AICHOR_TEMPLATE")]
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

    /// Write into a non-empty destination, overwriting files the template also has.
    #[arg(long)]
    pub force: bool,

    /// Report format on stdout.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

#[derive(Debug, Subcommand)]
pub(crate) enum ManifestCommand {
    /// Check manifests against the platform's rules (exit 0 valid, 1 invalid, 2 usage).
    Validate {
        /// Manifest files or folders [default: ./aichor_manifests].
        paths: Vec<PathBuf>,
        /// Treat warnings (missing Dockerfile, manifest outside aichor_manifests/) as errors.
        #[arg(long)]
        strict: bool,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Rewrite pre-0.2.3 shapes (Master + Worker, jax Worker, batchjob) to today's.
    Migrate {
        /// The manifest to migrate.
        file: PathBuf,
        /// Edit the file in place instead of printing the result.
        #[arg(long)]
        write: bool,
    },
    /// Print the manifest's JSON Schema (draft 2020-12), for editors and other tools.
    Schema,
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
    Test {
        /// The pack folder.
        dir: PathBuf,
        /// Write the snapshots instead of comparing.
        #[arg(long)]
        update: bool,
    },
}

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
    match raw.trim().to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" | "on" | "y" => Ok(true),
        "" | "0" | "false" | "no" | "off" | "n" => Ok(false),
        other => Err(format!(
            "`{other}` is not a yes/no value: use 1/0, true/false, yes/no or on/off"
        )),
    }
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
