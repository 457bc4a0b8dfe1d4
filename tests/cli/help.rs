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
    aichor_snapshot!(help(&["--help"]), @r#"
    success: true
    exit_code: 0
    ----- stdout -----
    Create repositories ready to submit to AIchor

    Usage: aichor [OPTIONS] <COMMAND>

    Commands:
      local-repo   Work with a local repository
      manifest     Check, migrate and describe AIchor manifests
      profiles     Resource profiles offered by `local-repo init --profile`
      templates    Template packs: list, show, create and test them
      config       Your standing defaults: the config file and `AICHOR_<KEY>` variables
      completions  Print a shell completion script
      version      What a bug report needs: version, commit, target, built-in pack, uv
      help         Print this message or the help of the given subcommand(s)

    Options:
      -q, --quiet    Print less: results, warnings and errors only
      -v, --verbose  Print more: where each answer came from, what ran
      -h, --help     Print help
      -V, --version  Print version

    ----- stderr -----
    "#);
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
    aichor_snapshot!(help(&["local-repo", "--help"]), @r#"
    success: true
    exit_code: 0
    ----- stdout -----
    Work with a local repository

    Usage: aichor local-repo [OPTIONS] <COMMAND>

    Commands:
      init    Create a ready-to-submit AIchor repository
      update  Move a generated project to a newer pack version or to new answers, keeping your edits
      adopt   Turn a repository in a legacy layout into a ready-to-submit one, in place
      check   Check that the repository is ready to submit (exit 0 ready, 1 not, 2 usage).
      hooks   Install or remove the git commit-msg hook that runs `local-repo check --commit-msg`
      run     Run a manifest on this machine the way its operator would, before pushing
      help    Print this message or the help of the given subcommand(s)

    Options:
      -q, --quiet    Print less: results, warnings and errors only
      -v, --verbose  Print more: where each answer came from, what ran
      -h, --help     Print help
      -V, --version  Print version

    ----- stderr -----
    "#);
}

#[test]
fn local_repo_init() {
    aichor_snapshot!(help(&["local-repo", "init", "--help"]), @r#"
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
              Template pack: a folder, a git URL (`URL#ref`) or a pack name [default: the answers
              file's, else AICHOR_TEMPLATE, else the config file's `template`, else builtin]

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
              Python version: 3.10, 3.11, 3.12, 3.13 [default: 3.12]

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

          --refresh
              Fetch a git pack's ref again (a branch moves on, its cached clone does not; `templates
              list` shows each clone's age)

          --hooks
              Install the git commit-msg hook (`local-repo hooks install`) when the destination is in a
              git repository (init does not run `git init`; otherwise a warning says how) [default: the
              config file's `hooks`]

          --no-hooks
              Do not install the hook, whatever the config file says

          --force
              Write into a non-empty destination, overwriting files the template also has

          --format <FORMAT>
              Report format on stdout
              
              [default: text]
              [possible values: text, json]

      -q, --quiet
              Print less: results, warnings and errors only

      -v, --verbose
              Print more: where each answer came from, what ran

      -h, --help
              Print help (see a summary with '-h')

      -V, --version
              Print version

    Examples:
      aichor local-repo init demo                       # asks what flags don't say
      aichor local-repo init demo --operator jax --profile cpu-small --no-input
                                                        # a bootstrap script: never prompts
      aichor local-repo init copy --answers demo/.aichor-answers.yaml --no-input
                                                        # replay a project's recorded answers
      aichor local-repo init demo --template https://github.com/org/pack.git#v1
                                                        # a team's pack from git, at a tag

    ----- stderr -----
    "#);
}

#[test]
fn local_repo_check() {
    aichor_snapshot!(help(&["local-repo", "check", "--help"]), @r"
    success: true
    exit_code: 0
    ----- stdout -----
    Check that the repository is ready to submit (exit 0 ready, 1 not, 2 usage).

    Finds the repository root from PATH upward (the nearest folder with aichor_manifests/,
    .git or .aichor-answers.yaml), then checks:
      - every manifest under aichor_manifests/ is valid; a manifest.yaml at the root or a
        manifests/ folder (old layouts) is a warning; no manifest at all is an error;
      - builder.context is a folder of the repository and builder.dockerfile exists:
        relative to the repository root (as documented) is fine, only relative to the
        context (as AIchor's demos write it) is a warning, neither is an error;
      - what spec.command runs (python -m pkg.mod, uv run, torchrun, a script path) is in
        the build context (under src/ or the context root), copied by a COPY/ADD of the
        Dockerfile and not excluded by .dockerignore;
      - uv.lock exists when the Dockerfile installs with --locked/--frozen, and is in sync
        with pyproject.toml (`uv lock --check`, when uv is on PATH; otherwise a note);
      - .python-version, requires-python and the base image's Python agree; for kuberay,
        spec.rayVersion, the Ray image's tag and the ray==X pin agree;
      - no file over --max-context-file-size is sent with the build context.

    With --commit-msg, checks only a commit message (FILE, or - for stdin), the way AIchor
    reads it: a first line starting `aichor[<manifest>]:` or `aichor(<manifest>.yaml):`
    runs aichor_manifests/<manifest>, which must exist, be valid and have its Dockerfile.
    A message that starts no experiment passes; one that nearly does (wrong case, a space
    before the bracket, no colon, a path with aichor_manifests/, a leading /, \, .. or no
    .yaml) fails and shows the corrected form. `exp:` (the legacy trigger) is a warning.

    Exit status: 0 no errors (warnings and notes allowed), 1 errors, 2 usage (no
    repository at PATH, bad flags). Notes (what passed, what could not be checked) show
    with -v; --format json has everything.

    Usage: aichor local-repo check [OPTIONS] [PATH]

    Arguments:
      [PATH]
              A folder in the repository [default: the current directory]

    Options:
          --commit-msg <FILE|->
              Check this commit message file (`-` for stdin) instead of the repository

          --max-context-file-size <MB>
              Report files of the build context larger than this many MB (0: no size check)
              
              [default: 50]

          --format <FORMAT>
              Report format on stdout (json: findings, summary counts, whether uv checked uv.lock)
              
              [default: text]
              [possible values: text, json]

      -q, --quiet
              Print less: results, warnings and errors only

      -v, --verbose
              Print more: where each answer came from, what ran

      -h, --help
              Print help (see a summary with '-h')

      -V, --version
              Print version

    ----- stderr -----
    ");
}

#[test]
fn local_repo_hooks() {
    aichor_snapshot!(help(&["local-repo", "hooks", "--help"]), @"
    success: true
    exit_code: 0
    ----- stdout -----
    Install or remove the git commit-msg hook that runs `local-repo check --commit-msg`

    Usage: aichor local-repo hooks [OPTIONS] <COMMAND>

    Commands:
      install    Install the commit-msg hook; installing again is a no-op
      uninstall  Remove the hook `hooks install` wrote (and put back commit-msg.legacy)
      help       Print this message or the help of the given subcommand(s)

    Options:
      -q, --quiet    Print less: results, warnings and errors only
      -v, --verbose  Print more: where each answer came from, what ran
      -h, --help     Print help
      -V, --version  Print version

    ----- stderr -----
    ");
    aichor_snapshot!(help(&["local-repo", "hooks", "install", "--help"]), @r#"
    success: true
    exit_code: 0
    ----- stdout -----
    Install the commit-msg hook; installing again is a no-op.

    The hook goes where `git rev-parse --git-path hooks` says (so core.hooksPath is respected). It calls
    this aichor by its absolute path, or, if that binary has moved, `aichor-kit` on PATH, else an
    `aichor` on PATH that is this tool (not the platform's CLI); it skips the check (with a message)
    when none exists.

    Usage: aichor local-repo hooks install [OPTIONS] [PATH]

    Arguments:
      [PATH]
              A folder in the git repository [default: the current directory]

    Options:
          --force
              Replace a commit-msg hook aichor did not write (it is kept as commit-msg.legacy and still
              runs first), or aichor's hook edited since it was written (the edits are lost)

      -q, --quiet
              Print less: results, warnings and errors only

      -v, --verbose
              Print more: where each answer came from, what ran

      -h, --help
              Print help (see a summary with '-h')

      -V, --version
              Print version

    ----- stderr -----
    "#);
}

#[test]
fn local_repo_run() {
    aichor_snapshot!(help(&["local-repo", "run", "--help"]), @r#"
    success: true
    exit_code: 0
    ----- stdout -----
    Run a manifest on this machine the way its operator would, before pushing.

    One local process per pod, with the variables the operator injects: pytorch and xgboost
    (MASTER_ADDR, MASTER_PORT on a free port, WORLD_SIZE, RANK; xgboost adds WORKER_PORT and
    WORKER_ADDRS), jax (JAXOPERATOR_*), jobset (Jobs x completions, with JOB_INDEX,
    JOB_COMPLETION_INDEX, JOB_GLOBAL_INDEX..., at most `parallelisms` pods of a Job at once), kuberay (a
    private Ray cluster shaped like the manifest: a head with its rayStartParams, one node per worker,
    its own temp folder, ports and auth token; the driver runs spec.command with RAY_ADDRESS; only the
    processes it started are stopped). Every process also gets spec.env, AICHOR_OUTPUT_PATH,
    AICHOR_TENSORBOARD_PATH and AICHOR_INPUT_PATH in the run's folder (.aichor/runs/<id>/),
    AICHOR_EXPERIMENT_ID and _MESSAGE; inherited RANK, MASTER_*, RAY_*... are removed.

    The environment: `uv run --locked` in a uv project (pyproject.toml and uv.lock), the active virtual
    environment if VIRTUAL_ENV is set, else the command as it is with .venv/bin first on PATH.

    Output is shown line by line under a [name] prefix and kept in logs/<name>.log; the first process
    that fails stops the others (SIGTERM, then SIGKILL after --grace) and its exit code is the run's.
    Exit status: 0 every process succeeded, the first failure's code, 124 on --timeout, 130/143 on
    Ctrl-C/SIGTERM (nothing is left running; a second Ctrl-C skips the grace), 2 refused before anything
    started (no GPU for a GPU profile, more processes than the machine holds, an invalid manifest).

    Usage: aichor local-repo run [OPTIONS] [MANIFEST] [-- <ARGS>...]

    Arguments:
      [MANIFEST]
              The manifest: a path under aichor_manifests/ as in the commit message, or a file [default:
              manifest.yaml; in an `exp` repository the root one]

      [ARGS]...
              Arguments appended to spec.command (the driver's, for kuberay)

    Options:
          --workers <N>
              Processes to run instead of the manifest's count: containers (pytorch, xgboost, jax), Jobs
              per group (jobset), nodes per worker group (kuberay)

          --dry-run
              Print each process's argv, working folder and variables; start nothing

          --timeout <SECS>
              Stop every process after this many seconds (exit 124)

          --grace <SECS>
              Seconds between SIGTERM and SIGKILL when the run stops its processes
              
              [default: 30]

          --keep
              Keep the private Ray cluster's temp folder (its session logs) after the run

          --format <FORMAT>
              Report format on stdout (json: the plan with --dry-run, else the run's summary; the
              processes' output then goes to stderr)
              
              [default: text]
              [possible values: text, json]

      -q, --quiet
              Print less: results, warnings and errors only

      -v, --verbose
              Print more: where each answer came from, what ran

      -h, --help
              Print help (see a summary with '-h')

      -V, --version
              Print version

    Examples:
      aichor local-repo run                          # aichor_manifests/manifest.yaml
      aichor local-repo run --workers 2              # an 8-node manifest as 2 processes
      aichor local-repo run gpu.yaml --dry-run       # argv, folder and variables per process
      aichor local-repo run --timeout 300 -- --epochs 1
                                                     # words after -- go to spec.command

    ----- stderr -----
    "#);
}

#[test]
fn local_repo_update() {
    aichor_snapshot!(help(&["local-repo", "update", "--help"]), @"
    success: true
    exit_code: 0
    ----- stdout -----
    Move a generated project to a newer pack version or to new answers, keeping your edits.

    A three-way merge per file: base = the project as the recorded pack version generated it (from
    .aichor-answers.yaml), theirs = the new version with the new answers, ours = the files on disk. Exit
    status: 0 done (or nothing to do), 3 conflicts left to resolve (or, with --dry-run, that would be),
    1 error, 2 usage.

    Usage: aichor local-repo update [OPTIONS] [PATH]

    Arguments:
      [PATH]
              The project folder [default: .]

    Options:
          --set <KEY=VALUE>
              Change an answer (repeatable), e.g. `--set profile=gpu-t4`, `--set operator=pytorch`

          --answers <FILE>
              New answers from a YAML file (same keys as `--set`)

          --template <DIR|URL|NAME>
              The pack to move to: a folder, a git URL (`URL#tag`, `URL#<commit>`) or a pack name
              [default: the recorded pack, as it is now]

          --dry-run
              Show each file's outcome and the diffs; write nothing

          --refresh
              Fetch a git pack's ref again (a branch moves on; its cached clone does not)

          --force
              Update a git tree with uncommitted changes, and merge into files that still have conflict
              markers

          --conflict <CONFLICT>
              Where both sides changed the same lines: markers in the file, or the new version beside it
              as FILE.rej

              Possible values:
              - inline: `<<<<<<<` / `=======` / `>>>>>>>` blocks in the file
              - rej:    The new version beside the file as FILE.rej
              
              [default: inline]

          --no-input
              Never prompt: keep recorded answers, use defaults for new questions, or fail naming the
              missing `--set`
              
              [env: AICHOR_NO_INPUT=]

          --format <FORMAT>
              Report format on stdout
              
              [default: text]
              [possible values: text, json]

      -q, --quiet
              Print less: results, warnings and errors only

      -v, --verbose
              Print more: where each answer came from, what ran

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

    Usage: aichor manifest [OPTIONS] <COMMAND>

    Commands:
      new       Add a manifest to this repository, from its recorded answers and the flags
      validate  Check manifests against the platform's rules (exit 0 valid, 1 invalid, 2 usage)
      migrate   Rewrite pre-0.2.3 shapes (Master + Worker, jax Worker, batchjob) to today's
      schema    Print the manifest's JSON Schema (draft 2020-12), for editors and other tools
      help      Print this message or the help of the given subcommand(s)

    Options:
      -q, --quiet    Print less: results, warnings and errors only
      -v, --verbose  Print more: where each answer came from, what ran
      -h, --help     Print help
      -V, --version  Print version

    ----- stderr -----
    ");
}

#[test]
fn manifest_new() {
    aichor_snapshot!(help(&["manifest", "new", "--help"]), @r#"
    success: true
    exit_code: 0
    ----- stdout -----
    Add a manifest to this repository, from its recorded answers and the flags.

    The project's `.aichor-answers.yaml` answers every question; the flags override them (`--profile
    gpu-a100-80gb` alone is the same run on GPUs). When the new answers need other code, dependencies or
    image than the project's (another operator, a GPU profile), the manifest gets its own starter,
    dependency group and Dockerfile.

    Usage: aichor manifest new [OPTIONS] <PATH>

    Arguments:
      <PATH>
              Where to write it, relative to aichor_manifests/ (e.g. `gpu/manifest.yaml`); its commit
              message is `aichor[PATH]: ...`

    Options:
          --profile <ID>
              Resource profile (see `aichor profiles list`) [default: the project's]

          --workers <N>
              Number of containers (jobset: jobs; kuberay: Ray worker pods, may be 0) [default: the
              project's]

          --operator <OP>
              Operator: pytorch | jax | xgboost | jobset | kuberay [default: the project's; required
              without .aichor-answers.yaml]

          --command <CMD>
              Replace the manifest's spec.command

          --dockerfile <FILE>
              Use this Dockerfile (builder.dockerfile, relative to the repository root) instead of the
              project's or a generated one

          --set <KEY=VALUE>
              Answer any question by its key (repeatable), e.g. `--set tensorboard=false`

          --dry-run
              Show the manifest and the files that would be written; write nothing

          --force
              Replace an existing manifest (and files made for it that differ)

          --no-lock
              Do not run `uv lock` when pyproject.toml changes; the next steps say to

          --format <FORMAT>
              Report format on stdout
              
              [default: text]
              [possible values: text, json]

          --no-input
              Never prompt: take what the project and the flags say, or fail naming the missing flag
              
              [env: AICHOR_NO_INPUT=]

      -q, --quiet
              Print less: results, warnings and errors only

      -v, --verbose
              Print more: where each answer came from, what ran

      -h, --help
              Print help (see a summary with '-h')

      -V, --version
              Print version

    Examples:
      aichor manifest new gpu/manifest.yaml --profile gpu-a100-80gb
                                                        # the same run on GPUs
      aichor manifest new ray.yaml --operator kuberay --workers 2
                                                        # a Ray cluster, with its own image
      aichor manifest new eval.yaml --command "python -m demo.eval" --dry-run
                                                        # show it, write nothing

    ----- stderr -----
    "#);
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
      [PATHS]...  Manifest files or folders [default: ./aichor_manifests]; a folder's YAML files that
                  are not manifests are skipped (-v lists them)

    Options:
          --strict           Treat warnings (missing Dockerfile, manifest outside aichor_manifests/) as
                             errors
          --format <FORMAT>  Output format [default: text] [possible values: text, json]
      -q, --quiet            Print less: results, warnings and errors only
      -v, --verbose          Print more: where each answer came from, what ran
      -h, --help             Print help
      -V, --version          Print version

    Examples:
      aichor manifest validate                          # every manifest under ./aichor_manifests
      aichor manifest validate gpu/run.yaml --strict    # one file; warnings fail too
      aichor manifest validate --format json | jq .     # for CI

    ----- stderr -----
    ");
}

#[test]
fn manifest_migrate() {
    aichor_snapshot!(help(&["manifest", "migrate", "--help"]), @"
    success: true
    exit_code: 0
    ----- stdout -----
    Rewrite pre-0.2.3 shapes (Master + Worker, jax Worker, batchjob) to today's.

    Prints each result, or with --write rewrites each file in place (atomically; a result that still has
    errors is never written). Folders are searched for manifests as `validate` does.

    Usage: aichor manifest migrate [OPTIONS] <PATHS>...

    Arguments:
      <PATHS>...
              Manifest files or folders

    Options:
          --write
              Edit the files in place instead of printing the results

          --format <FORMAT>
              Output format
              
              [default: text]
              [possible values: text, json]

      -q, --quiet
              Print less: results, warnings and errors only

      -v, --verbose
              Print more: where each answer came from, what ran

      -h, --help
              Print help (see a summary with '-h')

      -V, --version
              Print version

    Examples:
      aichor manifest migrate old.yaml                  # print the migrated manifest
      aichor manifest migrate aichor_manifests --write  # rewrite every manifest in place
      aichor manifest migrate . --format json | jq .    # a report per file, for scripts

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

    Usage: aichor manifest schema [OPTIONS]

    Options:
      -q, --quiet    Print less: results, warnings and errors only
      -v, --verbose  Print more: where each answer came from, what ran
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

    Usage: aichor templates [OPTIONS] <COMMAND>

    Commands:
      list  List the built-in pack and the packs found in AICHOR_TEMPLATE_PATH and
            <config>/aichor/templates
      show  A pack's profiles and questions (JSON: the questions as a JSON Schema)
      new   Create a working pack that extends the built-in one, with an example of each feature
      test  Render each answer set in DIR/tests/ and compare with the snapshots kept in the pack
      help  Print this message or the help of the given subcommand(s)

    Options:
      -q, --quiet    Print less: results, warnings and errors only
      -v, --verbose  Print more: where each answer came from, what ran
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
      -q, --quiet            Print less: results, warnings and errors only
      -v, --verbose          Print more: where each answer came from, what ran
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
      -q, --quiet            Print less: results, warnings and errors only
      -v, --verbose          Print more: where each answer came from, what ran
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

    Usage: aichor templates new [OPTIONS] <DIR>

    Arguments:
      <DIR>  Folder to create

    Options:
      -q, --quiet    Print less: results, warnings and errors only
      -v, --verbose  Print more: where each answer came from, what ran
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

    Usage: aichor templates test [OPTIONS] <DIR|URL|NAME>

    Arguments:
      <DIR|URL|NAME>  The pack: a folder, a git URL (`URL#ref`) or a pack name, as `--template` takes

    Options:
          --update   Write the snapshots instead of comparing
      -q, --quiet    Print less: results, warnings and errors only
      -v, --verbose  Print more: where each answer came from, what ran
      -h, --help     Print help
      -V, --version  Print version

    Examples:
      aichor templates test ./my-pack                   # compare with the pack's snapshots
      aichor templates test ./my-pack --update          # accept the new output
      aichor templates test https://github.com/org/pack.git#v2
                                                        # a released pack, before adopting it

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

    Usage: aichor profiles [OPTIONS] <COMMAND>

    Commands:
      list  List resource profiles
      help  Print this message or the help of the given subcommand(s)

    Options:
      -q, --quiet    Print less: results, warnings and errors only
      -v, --verbose  Print more: where each answer came from, what ran
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
      -q, --quiet            Print less: results, warnings and errors only
      -v, --verbose          Print more: where each answer came from, what ran
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

    Usage: aichor completions [OPTIONS] <SHELL>

    Arguments:
      <SHELL>  The shell to generate the script for [possible values: bash, elvish, fish, powershell,
               zsh]

    Options:
      -q, --quiet    Print less: results, warnings and errors only
      -v, --verbose  Print more: where each answer came from, what ran
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

    Usage: aichor manifest [OPTIONS] <COMMAND>

    Commands:
      new       Add a manifest to this repository, from its recorded answers and the flags
      validate  Check manifests against the platform's rules (exit 0 valid, 1 invalid, 2 usage)
      migrate   Rewrite pre-0.2.3 shapes (Master + Worker, jax Worker, batchjob) to today's
      schema    Print the manifest's JSON Schema (draft 2020-12), for editors and other tools
      help      Print this message or the help of the given subcommand(s)

    Options:
      -q, --quiet    Print less: results, warnings and errors only
      -v, --verbose  Print more: where each answer came from, what ran
      -h, --help     Print help
      -V, --version  Print version
    ");
}
