//! `--help` of every command, snapshotted whole: the text a user reads. `COLUMNS=100` fixes
//! clap's wrapping (`wrap_help` follows the terminal's width).

use crate::support::{aichor, aichor_snapshot};

/// `aichor <args>` at a fixed width.
fn help(args: &[&str]) -> assert_cmd::Command {
    let mut cmd = aichor();
    cmd.env("COLUMNS", "100").args(args);
    cmd
}

#[test]
fn top_level() {
    aichor_snapshot!(help(&["--help"]), @"
    success: true
    exit_code: 0
    ----- stdout -----
    Create repositories ready to submit to AIchor

    Usage: aichor <COMMAND>

    Commands:
      local-repo   Work with a local repository
      manifest     Check, migrate and describe AIchor manifests
      profiles     Resource profiles offered by `local-repo init --profile`
      templates    Template packs: list, show, create and test them
      completions  Print a shell completion script
      help         Print this message or the help of the given subcommand(s)

    Options:
      -h, --help     Print help
      -V, --version  Print version

    ----- stderr -----
    ");
}

#[test]
fn version() {
    aichor_snapshot!(help(&["--version"]), @"
    success: true
    exit_code: 0
    ----- stdout -----
    aichor [VERSION] (repository generator; not the AIchor platform CLI from aichor-cli)

    ----- stderr -----
    ");
}

#[test]
fn local_repo() {
    aichor_snapshot!(help(&["local-repo", "--help"]), @"
    success: true
    exit_code: 0
    ----- stdout -----
    Work with a local repository

    Usage: aichor local-repo <COMMAND>

    Commands:
      init  Create a ready-to-submit AIchor repository
      help  Print this message or the help of the given subcommand(s)

    Options:
      -h, --help     Print help
      -V, --version  Print version

    ----- stderr -----
    ");
}

#[test]
fn local_repo_init() {
    aichor_snapshot!(help(&["local-repo", "init", "--help"]), @"
    success: true
    exit_code: 0
    ----- stdout -----
    Create a ready-to-submit AIchor repository.

    Asks for what no flag answers when run in a terminal; with `--no-input` (or without a terminal) uses
    defaults and fails naming the flag for anything required.

    Usage: aichor local-repo init [OPTIONS] [PATH]

    Arguments:
      [PATH]
              Where to create the project [default: ./<name>]; `.` is the current directory

    Options:
          --template <DIR|URL|NAME>
              Template pack: a folder, a git URL (`URL#ref`) or a pack name [default: builtin]
              
              [env: AICHOR_TEMPLATE=]

          --name <NAME>
              Project name [default: last component of PATH]

          --operator <OP>
              Operator: pytorch | jax | xgboost | jobset | kuberay

          --profile <ID>
              Resource profile (see `aichor profiles list`) [default: the pack's first profile]

          --workers <N>
              Number of containers (jobset: jobs; kuberay: size of the worker group, may be 0) [default:
              from the profile]

          --python <X.Y>
              Python version: 3.10, 3.11, 3.12, 3.13 [default: 3.11]

          --tensorboard
              Enable TensorBoard (the default)

          --no-tensorboard
              Disable TensorBoard

          --lock
              Run `uv lock` in the new project (the default when uv is on PATH)

          --no-lock
              Do not run `uv lock`; the next steps say to

          --set <KEY=VALUE>
              Answer any question by its key (repeatable), e.g. `--set workers=4`

          --answers <FILE>
              Answers from a YAML file (same keys as `--set`), e.g. a project's `.aichor-answers.yaml`

          --no-input
              Never prompt: use defaults, or fail naming the missing flag
              
              [env: AICHOR_NO_INPUT=]

          --dry-run
              Show what would be written; write nothing

          --force
              Write into a non-empty destination, overwriting files the template also has

          --format <FORMAT>
              Report format on stdout
              
              [default: text]
              [possible values: text, json]

      -h, --help
              Print help (see a summary with '-h')

      -V, --version
              Print version

    ----- stderr -----
    ");
}

#[test]
fn manifest() {
    aichor_snapshot!(help(&["manifest", "--help"]), @"
    success: true
    exit_code: 0
    ----- stdout -----
    Check, migrate and describe AIchor manifests

    Usage: aichor manifest <COMMAND>

    Commands:
      validate  Check manifests against the platform's rules (exit 0 valid, 1 invalid, 2 usage)
      migrate   Rewrite pre-0.2.3 shapes (Master + Worker, jax Worker, batchjob) to today's
      schema    Print the manifest's JSON Schema (draft 2020-12), for editors and other tools
      help      Print this message or the help of the given subcommand(s)

    Options:
      -h, --help     Print help
      -V, --version  Print version

    ----- stderr -----
    ");
}

#[test]
fn manifest_validate() {
    aichor_snapshot!(help(&["manifest", "validate", "--help"]), @"
    success: true
    exit_code: 0
    ----- stdout -----
    Check manifests against the platform's rules (exit 0 valid, 1 invalid, 2 usage)

    Usage: aichor manifest validate [OPTIONS] [PATHS]...

    Arguments:
      [PATHS]...  Manifest files or folders [default: ./aichor_manifests]

    Options:
          --strict           Treat warnings (missing Dockerfile, manifest outside aichor_manifests/) as
                             errors
          --format <FORMAT>  Output format [default: text] [possible values: text, json]
      -h, --help             Print help
      -V, --version          Print version

    ----- stderr -----
    ");
}

#[test]
fn manifest_migrate() {
    aichor_snapshot!(help(&["manifest", "migrate", "--help"]), @"
    success: true
    exit_code: 0
    ----- stdout -----
    Rewrite pre-0.2.3 shapes (Master + Worker, jax Worker, batchjob) to today's

    Usage: aichor manifest migrate [OPTIONS] <FILE>

    Arguments:
      <FILE>  The manifest to migrate

    Options:
          --write    Edit the file in place instead of printing the result
      -h, --help     Print help
      -V, --version  Print version

    ----- stderr -----
    ");
}

#[test]
fn manifest_schema() {
    aichor_snapshot!(help(&["manifest", "schema", "--help"]), @"
    success: true
    exit_code: 0
    ----- stdout -----
    Print the manifest's JSON Schema (draft 2020-12), for editors and other tools

    Usage: aichor manifest schema

    Options:
      -h, --help     Print help
      -V, --version  Print version

    ----- stderr -----
    ");
}

#[test]
fn templates() {
    aichor_snapshot!(help(&["templates", "--help"]), @"
    success: true
    exit_code: 0
    ----- stdout -----
    Template packs: list, show, create and test them

    Usage: aichor templates <COMMAND>

    Commands:
      list  List the built-in pack and the packs found in AICHOR_TEMPLATE_PATH and
            <config>/aichor/templates
      show  A pack's profiles and questions (JSON: the questions as a JSON Schema)
      new   Create a working pack that extends the built-in one, with an example of each feature
      test  Render each answer set in DIR/tests/ and compare with the snapshots kept in the pack
      help  Print this message or the help of the given subcommand(s)

    Options:
      -h, --help     Print help
      -V, --version  Print version

    ----- stderr -----
    ");
}

#[test]
fn templates_list() {
    aichor_snapshot!(help(&["templates", "list", "--help"]), @"
    success: true
    exit_code: 0
    ----- stdout -----
    List the built-in pack and the packs found in AICHOR_TEMPLATE_PATH and <config>/aichor/templates

    Usage: aichor templates list [OPTIONS]

    Options:
          --format <FORMAT>  Output format [default: text] [possible values: text, json]
      -h, --help             Print help
      -V, --version          Print version

    ----- stderr -----
    ");
}

#[test]
fn templates_show() {
    aichor_snapshot!(help(&["templates", "show", "--help"]), @"
    success: true
    exit_code: 0
    ----- stdout -----
    A pack's profiles and questions (JSON: the questions as a JSON Schema)

    Usage: aichor templates show [OPTIONS] <PACK>

    Arguments:
      <PACK>  A folder, a git URL (`URL#ref`), a pack name, or `builtin`

    Options:
          --format <FORMAT>  Output format [default: text] [possible values: text, json]
      -h, --help             Print help
      -V, --version          Print version

    ----- stderr -----
    ");
}

#[test]
fn templates_new() {
    aichor_snapshot!(help(&["templates", "new", "--help"]), @"
    success: true
    exit_code: 0
    ----- stdout -----
    Create a working pack that extends the built-in one, with an example of each feature

    Usage: aichor templates new <DIR>

    Arguments:
      <DIR>  Folder to create

    Options:
      -h, --help     Print help
      -V, --version  Print version

    ----- stderr -----
    ");
}

#[test]
fn templates_test() {
    aichor_snapshot!(help(&["templates", "test", "--help"]), @"
    success: true
    exit_code: 0
    ----- stdout -----
    Render each answer set in DIR/tests/ and compare with the snapshots kept in the pack

    Usage: aichor templates test [OPTIONS] <DIR>

    Arguments:
      <DIR>  The pack folder

    Options:
          --update   Write the snapshots instead of comparing
      -h, --help     Print help
      -V, --version  Print version

    ----- stderr -----
    ");
}

#[test]
fn profiles() {
    aichor_snapshot!(help(&["profiles", "--help"]), @"
    success: true
    exit_code: 0
    ----- stdout -----
    Resource profiles offered by `local-repo init --profile`

    Usage: aichor profiles <COMMAND>

    Commands:
      list  List resource profiles
      help  Print this message or the help of the given subcommand(s)

    Options:
      -h, --help     Print help
      -V, --version  Print version

    ----- stderr -----
    ");
}

#[test]
fn profiles_list() {
    aichor_snapshot!(help(&["profiles", "list", "--help"]), @"
    success: true
    exit_code: 0
    ----- stdout -----
    List resource profiles

    Usage: aichor profiles list [OPTIONS]

    Options:
          --template <PACK>  Include a template pack's profiles (folder, git URL or name)
          --operator <OP>    Only profiles valid for this operator: pytorch | jax | xgboost | jobset |
                             kuberay
          --format <FORMAT>  Output format [default: text] [possible values: text, json]
      -h, --help             Print help
      -V, --version          Print version

    ----- stderr -----
    ");
}

#[test]
fn completions() {
    aichor_snapshot!(help(&["completions", "--help"]), @"
    success: true
    exit_code: 0
    ----- stdout -----
    Print a shell completion script

    Usage: aichor completions <SHELL>

    Arguments:
      <SHELL>  The shell to generate the script for [possible values: bash, elvish, fish, powershell,
               zsh]

    Options:
      -h, --help     Print help
      -V, --version  Print version

    ----- stderr -----
    ");
}

/// A command without its subcommand is a usage error that shows the choices.
#[test]
fn a_missing_subcommand_is_a_usage_error() {
    aichor_snapshot!(help(&["manifest"]), @"
    success: false
    exit_code: 2
    ----- stdout -----

    ----- stderr -----
    Check, migrate and describe AIchor manifests

    Usage: aichor manifest <COMMAND>

    Commands:
      validate  Check manifests against the platform's rules (exit 0 valid, 1 invalid, 2 usage)
      migrate   Rewrite pre-0.2.3 shapes (Master + Worker, jax Worker, batchjob) to today's
      schema    Print the manifest's JSON Schema (draft 2020-12), for editors and other tools
      help      Print this message or the help of the given subcommand(s)

    Options:
      -h, --help     Print help
      -V, --version  Print version
    ");
}
