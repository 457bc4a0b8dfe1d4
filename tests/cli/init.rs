//! `aichor local-repo init` from flags: every refusal, dry-run, the JSON report, the
//! answers round-trip and the conflict policy. Refusals are snapshotted whole: exit code,
//! stdout and stderr, as the user sees them.

use predicates::prelude::*;

use crate::support::{aichor, aichor_snapshot, entries, read_tree, stderr};

fn init() -> assert_cmd::Command {
    let mut cmd = aichor();
    cmd.args(["local-repo", "init"]);
    cmd
}

/// Runs `init` with the arguments in an empty temp dir, snapshots exit code, stdout and
/// stderr (with extra `filters` if given), and checks that nothing was written and that the
/// error says how to fix it. Evaluates to the output.
macro_rules! refused {
    ([$($arg:expr),* $(,)?], @$snapshot:literal) => {
        refused!(filters = [], [$($arg),*], @$snapshot)
    };
    (filters = [$(($regex:expr, $replacement:expr)),* $(,)?], [$($arg:expr),* $(,)?], @$snapshot:literal) => {{
        let tmp = tempfile::tempdir().unwrap();
        let mut cmd = init();
        cmd.current_dir(tmp.path());
        $(cmd.arg($arg);)*
        let out = aichor_snapshot!(filters = [$(($regex, $replacement)),*], cmd, @$snapshot);
        assert!(
            entries(tmp.path()).is_empty(),
            "a refused run left {:?}",
            entries(tmp.path())
        );
        let err = stderr(&out);
        assert!(err.starts_with("error: "), "{err}");
        assert!(err.contains("\n  help: "), "every error says how to fix it: {err}");
        out
    }};
}

#[test]
fn missing_operator_names_the_flag() {
    refused!(["demo", "--no-input"], @"
    success: false
    exit_code: 2
    ----- stdout -----

    ----- stderr -----
    error: no value for `operator`, and prompting is disabled (`--no-input`)
      help: pass `--operator` (or run without `--no-input` to be asked)
    ");
}

#[test]
fn missing_name_names_the_flag() {
    refused!(["--operator", "jax", "--no-input"], @"
    success: false
    exit_code: 2
    ----- stdout -----

    ----- stderr -----
    error: no value for `name`, and prompting is disabled (`--no-input`)
      help: pass `--name` (or run without `--no-input` to be asked)
    ");
}

#[test]
fn closed_stdin_is_not_interactive_even_without_no_input() {
    refused!(["demo"], @"
    success: false
    exit_code: 2
    ----- stdout -----

    ----- stderr -----
    error: no value for `operator`, and there is no terminal to ask in
      help: pass `--operator` (or run it in a terminal to be asked)
    ");
}

#[test]
fn bad_names_are_refused_with_a_suggestion() {
    refused!(["--name", "My Proj", "--operator", "jax", "--no-input"], @"
    success: false
    exit_code: 2
    ----- stdout -----

    ----- stderr -----
    error: invalid name `My Proj` (from `--name`): must start with a lowercase letter a-z
      help: pass `--name my-proj`
    ");
    refused!(["--name", "1abc", "--operator", "jax", "--no-input"], @"
    success: false
    exit_code: 2
    ----- stdout -----

    ----- stderr -----
    error: invalid name `1abc` (from `--name`): must start with a lowercase letter a-z
      help: pass `--name my-abc`
    ");
    refused!(["--name", "class", "--operator", "jax", "--no-input"], @"
    success: false
    exit_code: 2
    ----- stdout -----

    ----- stderr -----
    error: invalid name `class` (from `--name`): `class` is a Python keyword
      help: pass `--name my-class`
    ");
    refused!(["--name", "../x", "--operator", "jax", "--no-input"], @"
    success: false
    exit_code: 2
    ----- stdout -----

    ----- stderr -----
    error: invalid name `../x` (from `--name`): must start with a lowercase letter a-z
      help: pass `--name x`
    ");
    refused!(["--name", "", "--operator", "jax", "--no-input"], @"
    success: false
    exit_code: 2
    ----- stdout -----

    ----- stderr -----
    error: invalid name (from `--name`): the project name is empty
      help: pass `--name` with lowercase letters, digits and `-`, e.g. `--name my-project`
    ");
    // 200 letters: the suggestion is cut to the 64 a name may have.
    let long = "a".repeat(200);
    refused!(
        filters = [("a{200}", "[200 × a]"), ("a{64}", "[64 × a]")],
        ["--name", &long, "--operator", "jax", "--no-input"],
        @"
    success: false
    exit_code: 2
    ----- stdout -----

    ----- stderr -----
    error: invalid name `[200 × a]` (from `--name`): longer than 64 characters
      help: pass `--name [64 × a]`
    "
    );
}

#[test]
fn a_bad_name_from_the_path_is_refused_too() {
    refused!(["My Proj", "--operator", "jax", "--no-input"], @"
    success: false
    exit_code: 2
    ----- stdout -----

    ----- stderr -----
    error: invalid name `My Proj` (from the destination path): must start with a lowercase letter a-z
      help: pass `--name my-proj`
    ");
}

#[test]
fn bad_workers_are_refused() {
    refused!(["demo", "--operator", "pytorch", "--workers", "0", "--no-input"], @"
    success: false
    exit_code: 2
    ----- stdout -----

    ----- stderr -----
    error: invalid workers `0` (from `--workers`): at least 1 container is needed for this operator
      help: pass `--workers` with a whole number from 1 to 1024
    ");
    refused!(["demo", "--operator", "jax", "--workers", "-1", "--no-input"], @"
    success: false
    exit_code: 2
    ----- stdout -----

    ----- stderr -----
    error: invalid workers `-1` (from `--workers`): at least 1 container is needed for this operator
      help: pass `--workers` with a whole number from 1 to 1024
    ");
    refused!(["demo", "--operator", "jobset", "--workers", "two", "--no-input"], @"
    success: false
    exit_code: 2
    ----- stdout -----

    ----- stderr -----
    error: invalid workers `two` (from `--workers`): not a whole number
      help: pass `--workers` with a whole number from 1 to 1024
    ");
    refused!(["demo", "--operator", "xgboost", "--workers", "5000", "--no-input"], @"
    success: false
    exit_code: 2
    ----- stdout -----

    ----- stderr -----
    error: invalid workers `5000` (from `--workers`): more than 1024
      help: pass `--workers` with a whole number from 1 to 1024
    ");
    refused!(["demo", "--operator", "kuberay", "--workers", "-1", "--no-input"], @"
    success: false
    exit_code: 2
    ----- stdout -----

    ----- stderr -----
    error: invalid workers `-1` (from `--workers`): a count cannot be negative
      help: pass `--workers` with a whole number from 0 to 1024
    ");
}

#[test]
fn kuberay_accepts_zero_workers() {
    let tmp = tempfile::tempdir().unwrap();
    init()
        .current_dir(tmp.path())
        .args([
            "demo",
            "--operator",
            "kuberay",
            "--workers",
            "0",
            "--no-input",
        ])
        .assert()
        .success();
    let manifest =
        std::fs::read_to_string(tmp.path().join("demo/aichor_manifests/manifest.yaml")).unwrap();
    assert!(manifest.contains("count: 0"));
}

#[test]
fn unknown_operator_and_profile_are_refused() {
    refused!(["demo", "--operator", "tf", "--no-input"], @"
    success: false
    exit_code: 2
    ----- stdout -----

    ----- stderr -----
    error: invalid operator `tf` (from `--operator`): not one of the accepted values
      help: pass `--operator` with one of: pytorch, jax, xgboost, jobset, kuberay
    ");
    refused!(["demo", "--operator", "jax", "--profile", "gpu-a100", "--no-input"], @"
    success: false
    exit_code: 2
    ----- stdout -----

    ----- stderr -----
    error: invalid profile `gpu-a100` (from `--profile`): not one of cpu-small, cpu-medium, cpu-large, gpu-t4, gpu-a100-80gb, gpu-h100x8
      help: did you mean `--profile gpu-a100-80gb`?
    ");
    refused!(["demo", "--operator", "pytorch", "--profile", "tpu-v5e-4x4", "--no-input"], @"
    success: false
    exit_code: 2
    ----- stdout -----

    ----- stderr -----
    error: invalid profile `tpu-v5e-4x4` (from `--profile`): not available for the `pytorch` operator
      help: pass `--profile` with one of: cpu-small, cpu-medium, cpu-large, gpu-t4, gpu-a100-80gb, gpu-h100x8
    ");
}

#[test]
fn python_versions_are_checked_per_operator() {
    refused!(["demo", "--operator", "jax", "--python", "3.9", "--no-input"], @"
    success: false
    exit_code: 2
    ----- stdout -----

    ----- stderr -----
    error: invalid python `3.9` (from `--python`): not one of the accepted values
      help: pass `--python` with one of: 3.10, 3.11, 3.12, 3.13
    ");
    refused!(["demo", "--operator", "kuberay", "--python", "3.13", "--no-input"], @"
    success: false
    exit_code: 2
    ----- stdout -----

    ----- stderr -----
    error: invalid python `3.13` (from `--python`): not supported for the `kuberay` operator
      help: pass `--python` with one of: 3.10, 3.11, 3.12
    ");
}

#[test]
fn set_errors() {
    refused!(["demo", "--set", "opertor=jax", "--no-input"], @"
    success: false
    exit_code: 2
    ----- stdout -----

    ----- stderr -----
    error: unknown question `opertor` (from `--set`)
      help: did you mean `operator`? known keys: name, operator, profile, workers, python, tensorboard, completions, github_actions
    ");
    refused!(["demo", "--set", "operator", "--no-input"], @"
    success: false
    exit_code: 2
    ----- stdout -----

    ----- stderr -----
    error: `--set operator` is not of the form KEY=VALUE
      help: write it as `--set key=value`, e.g. `--set workers=2`
    ");
    refused!(["demo", "--set", "operator=jax", "--set", "tensorboard=maybe", "--no-input"], @"
    success: false
    exit_code: 2
    ----- stdout -----

    ----- stderr -----
    error: invalid tensorboard `maybe` (from `--set`): not a yes/no value
      help: pass `--tensorboard` or `--no-tensorboard` (or `--set tensorboard=false`)
    ");
}

#[test]
fn answers_file_errors() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("answers.yaml");
    let write = |text: &str| {
        std::fs::write(&file, text).unwrap();
        file.clone()
    };
    refused!(["demo", "--answers", write("operator: [jax]\n"), "--no-input"], @"
    success: false
    exit_code: 2
    ----- stdout -----

    ----- stderr -----
    error: cannot read answers file `[TEMP]/answers.yaml`
      caused by: `operator` must be a single value, not a list or mapping
      help: the file must be a YAML mapping of question keys to values, e.g. `operator: jax`
    ");
    refused!(["demo", "--answers", write("operator: jax\n  bad: indent\n"), "--no-input"], @"
    success: false
    exit_code: 2
    ----- stdout -----

    ----- stderr -----
    error: cannot read answers file `[TEMP]/answers.yaml`
      caused by: line 2, column 6: not valid YAML: mapping values are not allowed in this context
      help: the file must be a YAML mapping of question keys to values, e.g. `operator: jax`
    ");
    refused!(["demo", "--answers", write("- jax\n"), "--no-input"], @"
    success: false
    exit_code: 2
    ----- stdout -----

    ----- stderr -----
    error: cannot read answers file `[TEMP]/answers.yaml`
      caused by: the top level is not a mapping
      help: the file must be a YAML mapping of question keys to values, e.g. `operator: jax`
    ");
    refused!(["demo", "--answers", write("operator: jax\nworkers: 2.5\n"), "--no-input"], @"
    success: false
    exit_code: 2
    ----- stdout -----

    ----- stderr -----
    error: invalid workers `2.5` (in `[TEMP]/answers.yaml`): not a whole number
      help: fix `workers` in `[TEMP]/answers.yaml`, or override it: pass `--workers` with a whole number from 1 to 1024
    ");
    refused!(["demo", "--answers", "/nonexistent/answers.yaml", "--no-input"], @"
    success: false
    exit_code: 2
    ----- stdout -----

    ----- stderr -----
    error: cannot read answers file `/nonexistent/answers.yaml`
      caused by: failed to open file `/nonexistent/answers.yaml`: No such file or directory (os error 2)
      help: check the path given to `--answers`
    ");
}

#[test]
fn flags_beat_set_which_beats_the_answers_file() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("answers.yaml");
    std::fs::write(
        &file,
        "name: from-file\noperator: jax\nworkers: 3\nprofile: cpu-large\n",
    )
    .unwrap();
    let out = init()
        .current_dir(tmp.path())
        .args([
            "out",
            "--answers",
            "answers.yaml",
            "--set",
            "workers=4",
            "--set",
            "profile=cpu-medium",
        ])
        .args([
            "--profile",
            "cpu-small",
            "--no-input",
            "--dry-run",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["answers"]["name"], "from-file");
    assert_eq!(report["answers"]["workers"], 4);
    assert_eq!(report["answers"]["profile"], "cpu-small");
}

#[test]
fn dry_run_writes_nothing_and_json_is_valid() {
    let tmp = tempfile::tempdir().unwrap();
    let out = init()
        .current_dir(tmp.path())
        .args([
            "demo",
            "--operator",
            "pytorch",
            "--no-input",
            "--dry-run",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        entries(tmp.path()).is_empty(),
        "dry run wrote {:?}",
        entries(tmp.path())
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("stdout is JSON");
    assert_eq!(report["dry_run"], true);
    assert_eq!(report["destination"], "demo");
    let files: Vec<&str> = report["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap())
        .collect();
    for expected in [
        ".aichor-answers.yaml",
        ".dockerignore",
        ".gitignore",
        ".python-version",
        "Dockerfile",
        "README.md",
        "aichor_manifests/manifest.yaml",
        "pyproject.toml",
        "src/demo/__init__.py",
        "src/demo/main.py",
    ] {
        assert!(
            files.contains(&expected),
            "{expected} missing from {files:?}"
        );
    }
    assert!(
        report["files"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| f["action"] == "create")
    );
    let steps = report["next_steps"].as_array().unwrap();
    assert!(steps.iter().any(|s| {
        s.as_str()
            .unwrap()
            .contains("git commit -m \"aichor[manifest.yaml]: ")
    }));

    // Text dry-run: the plan on stdout, nothing written either.
    init()
        .current_dir(tmp.path())
        .args(["demo", "--operator", "pytorch", "--no-input", "--dry-run"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "create    aichor_manifests/manifest.yaml",
        ));
    assert!(entries(tmp.path()).is_empty());
}

#[test]
fn json_report_after_a_real_run() {
    let tmp = tempfile::tempdir().unwrap();
    let out = init()
        .current_dir(tmp.path())
        .args([
            "--name",
            "demo",
            "--operator",
            "jobset",
            "--no-input",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["dry_run"], false);
    assert_eq!(report["answers"]["operator"], "jobset");
    assert_eq!(
        entries(tmp.path()),
        ["demo"],
        "only the project, no staging leftovers"
    );
    assert!(tmp.path().join("demo/src/demo/main.py").is_file());
}

#[test]
fn answers_round_trip_is_byte_identical() {
    let tmp = tempfile::tempdir().unwrap();
    init()
        .current_dir(tmp.path())
        .args([
            "first",
            "--name",
            "round-trip",
            "--operator",
            "kuberay",
            "--profile",
            "tpu-v5e-4x4",
        ])
        .args([
            "--workers",
            "2",
            "--python",
            "3.10",
            "--no-tensorboard",
            "--no-input",
        ])
        .assert()
        .success();
    init()
        .current_dir(tmp.path())
        .args([
            "other",
            "--answers",
            "first/.aichor-answers.yaml",
            "--no-input",
        ])
        .assert()
        .success();
    let first = read_tree(&tmp.path().join("first"));
    let other = read_tree(&tmp.path().join("other"));
    assert_eq!(
        first.keys().collect::<Vec<_>>(),
        other.keys().collect::<Vec<_>>()
    );
    for (path, bytes) in &first {
        assert!(bytes == &other[path], "{path} differs");
    }
}

#[test]
fn non_empty_destination_is_refused_without_force() {
    let tmp = tempfile::tempdir().unwrap();
    let dest = tmp.path().join("demo");
    std::fs::create_dir(&dest).unwrap();
    std::fs::write(dest.join("notes.txt"), "mine").unwrap();
    let mut cmd = init();
    cmd.current_dir(tmp.path())
        .args(["demo", "--operator", "jax", "--no-input"]);
    aichor_snapshot!(cmd, @"
    success: false
    exit_code: 1
    ----- stdout -----

    ----- stderr -----
    error: destination `demo` is not empty
      help: choose another PATH, or pass `--force` to write into it (existing files are listed before being replaced)
    ");
    assert_eq!(entries(&dest), ["notes.txt"]);
    assert_eq!(entries(tmp.path()), ["demo"], "no staging leftovers");

    // --force adds the project and keeps the user's file.
    init()
        .current_dir(tmp.path())
        .args(["demo", "--operator", "jax", "--no-input", "--force"])
        .assert()
        .success();
    assert_eq!(
        std::fs::read_to_string(dest.join("notes.txt")).unwrap(),
        "mine"
    );
    assert!(dest.join("aichor_manifests/manifest.yaml").is_file());
}

#[test]
fn existing_files_are_overwritten_only_with_force_and_reported() {
    let tmp = tempfile::tempdir().unwrap();
    let dest = tmp.path().join("demo");
    std::fs::create_dir(&dest).unwrap();
    std::fs::write(dest.join("Dockerfile"), "FROM scratch\n").unwrap();
    let mut cmd = init();
    cmd.current_dir(tmp.path())
        .args(["demo", "--operator", "xgboost", "--no-input"]);
    aichor_snapshot!(cmd, @"
    success: false
    exit_code: 1
    ----- stdout -----

    ----- stderr -----
    error: destination `demo` is not empty
      help: choose another PATH, or pass `--force` to write into it (existing files are listed before being replaced)
    ");
    assert_eq!(entries(&dest), ["Dockerfile"]);
    assert_eq!(
        std::fs::read_to_string(dest.join("Dockerfile")).unwrap(),
        "FROM scratch\n"
    );

    let out = init()
        .current_dir(tmp.path())
        .args([
            "demo",
            "--operator",
            "xgboost",
            "--no-input",
            "--force",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("overwrote `Dockerfile`"),
        "{}",
        stderr(&out)
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let dockerfile = report["files"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["path"] == "Dockerfile")
        .unwrap();
    assert_eq!(dockerfile["action"], "overwrite");
    assert_ne!(
        std::fs::read_to_string(dest.join("Dockerfile")).unwrap(),
        "FROM scratch\n"
    );
}

#[test]
fn destination_that_is_a_file_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("demo"), "x").unwrap();
    let mut cmd = init();
    cmd.current_dir(tmp.path())
        .args(["demo", "--operator", "jax", "--no-input", "--force"]);
    aichor_snapshot!(cmd, @"
    success: false
    exit_code: 1
    ----- stdout -----

    ----- stderr -----
    error: destination `demo` exists and is not a directory
      help: choose another PATH
    ");
    assert_eq!(std::fs::read(tmp.path().join("demo")).unwrap(), b"x");
    assert_eq!(entries(tmp.path()), ["demo"], "no staging leftovers");
}

#[test]
fn dot_means_the_current_directory() {
    let tmp = tempfile::tempdir().unwrap();
    let dest = tmp.path().join("here-proj");
    std::fs::create_dir(&dest).unwrap();
    let out = init()
        .current_dir(&dest)
        .args([".", "--operator", "jax", "--no-input"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(dest.join("src/here_proj/main.py").is_file());
    assert!(
        !stderr(&out).contains("cd "),
        "no `cd` step for `.`: {}",
        stderr(&out)
    );
}

#[test]
fn missing_parent_directories_are_created() {
    let tmp = tempfile::tempdir().unwrap();
    init()
        .current_dir(tmp.path())
        .args(["a/b/demo", "--operator", "jax", "--no-input"])
        .assert()
        .success();
    assert!(tmp.path().join("a/b/demo/Dockerfile").is_file());
    assert_eq!(entries(&tmp.path().join("a/b")), ["demo"]);
}

/// `CLICOLOR_FORCE=1` turns colour on even without a terminal (so the check below can see
/// an escape byte when there is one), and `NO_COLOR` still wins over it.
#[test]
fn errors_are_plain_text_without_colour() {
    let run = |no_color: bool| {
        let mut cmd = init();
        cmd.args(["demo", "--operator", "nope", "--no-input"])
            .env("CLICOLOR_FORCE", "1");
        if !no_color {
            cmd.env_remove("NO_COLOR");
        }
        let out = cmd.output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
        stderr(&out)
    };
    let forced = run(false);
    assert!(
        forced.contains('\x1b'),
        "CLICOLOR_FORCE=1 colours the error: {forced:?}"
    );
    let plain = run(true);
    assert!(
        !plain.contains('\x1b'),
        "NO_COLOR wins over CLICOLOR_FORCE: {plain:?}"
    );
    assert!(
        plain.starts_with("error: invalid operator `nope`"),
        "{plain}"
    );
}

#[test]
fn force_merges_an_existing_pyproject_and_gitignore() {
    let tmp = tempfile::tempdir().unwrap();
    let dest = tmp.path().join("demo");
    std::fs::create_dir(&dest).unwrap();
    let mine = "# my project\n[project]\nname = \"mine\"  # keep\nversion = \"2.0\"\ndependencies = [\n    \"jax==0.6.0\",  # pinned by me\n    \"pandas\",\n]\n\n[tool.ruff]\nline-length = 100\n";
    std::fs::write(dest.join("pyproject.toml"), mine).unwrap();
    std::fs::write(dest.join(".gitignore"), "data/\n").unwrap();
    let out = init()
        .current_dir(tmp.path())
        .args([
            "demo",
            "--name",
            "mine",
            "--operator",
            "jax",
            "--no-input",
            "--force",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let action = |p: &str| {
        report["files"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["path"] == p)
            .unwrap()["action"]
            .clone()
    };
    assert_eq!(action("pyproject.toml"), "merge");
    assert_eq!(action(".gitignore"), "merge");
    let merged = std::fs::read_to_string(dest.join("pyproject.toml")).unwrap();
    assert!(
        merged.starts_with("# my project\n[project]\nname = \"mine\"  # keep\n"),
        "{merged}"
    );
    assert!(
        merged.contains("\"jax==0.6.0\",  # pinned by me") && !merged.contains("jax>=0.5.1"),
        "{merged}"
    );
    assert!(
        merged.contains("tensorboardX") && merged.contains("build-backend = \"uv_build\""),
        "{merged}"
    );
    assert!(
        merged.contains("[tool.ruff]\nline-length = 100"),
        "{merged}"
    );
    let gitignore = std::fs::read_to_string(dest.join(".gitignore")).unwrap();
    assert!(
        gitignore.starts_with("data/\n") && gitignore.contains(".venv/"),
        "{gitignore}"
    );
}

#[test]
fn an_unparsable_existing_pyproject_is_left_alone() {
    let tmp = tempfile::tempdir().unwrap();
    let dest = tmp.path().join("demo");
    std::fs::create_dir(&dest).unwrap();
    std::fs::write(dest.join("pyproject.toml"), "[project\n").unwrap();
    let mut cmd = init();
    cmd.current_dir(tmp.path())
        .args(["demo", "--operator", "jax", "--no-input", "--force"]);
    aichor_snapshot!(cmd, @"
    success: false
    exit_code: 1
    ----- stdout -----

    ----- stderr -----
    error: cannot merge into the existing `demo/pyproject.toml`
      caused by: TOML parse error at line 1, column 9
                    |
                  1 | [project
                    |         ^
                  unclosed table, expected `]`
      help: fix the file (or move it away) and run again
    ");
    assert_eq!(entries(&dest), ["pyproject.toml"]);
    assert_eq!(entries(tmp.path()), ["demo"]);
}

#[cfg(unix)]
mod lock {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    /// A stand-in for uv that runs `script` (it sees `lock --quiet` as arguments).
    fn fake_uv(dir: &std::path::Path, script: &str) -> std::path::PathBuf {
        let path = dir.join("fake-uv");
        std::fs::write(&path, format!("#!/bin/sh\n{script}\n")).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
        path
    }

    #[test]
    fn uv_lock_runs_in_the_staged_project() {
        let tmp = tempfile::tempdir().unwrap();
        let uv = fake_uv(
            tmp.path(),
            "test \"$1\" = lock && test -f pyproject.toml && echo 'version = 1' > uv.lock",
        );
        let out = init()
            .current_dir(tmp.path())
            .env("AICHOR_UV", &uv)
            .args([
                "demo",
                "--operator",
                "jobset",
                "--no-input",
                "--format",
                "json",
            ])
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", stderr(&out));
        let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(report["locked"], true);
        assert!(
            report["files"]
                .as_array()
                .unwrap()
                .iter()
                .any(|f| f["path"] == "uv.lock")
        );
        assert!(
            !report["next_steps"].to_string().contains("uv lock"),
            "{}",
            report["next_steps"]
        );
        assert_eq!(
            std::fs::read_to_string(tmp.path().join("demo/uv.lock")).unwrap(),
            "version = 1\n"
        );
    }

    #[test]
    fn a_failing_uv_lock_still_creates_the_project() {
        let tmp = tempfile::tempdir().unwrap();
        let uv = fake_uv(tmp.path(), "echo 'error: network unreachable' >&2; exit 2");
        let out = init()
            .current_dir(tmp.path())
            .env("AICHOR_UV", &uv)
            .args(["demo", "--operator", "jobset", "--no-input"])
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", stderr(&out));
        let err = stderr(&out);
        assert!(
            err.contains("`uv lock` failed (error: network unreachable)"),
            "{err}"
        );
        assert!(
            err.contains("uv lock "),
            "the next steps still say to lock: {err}"
        );
        assert!(!tmp.path().join("demo/uv.lock").exists());
        assert!(tmp.path().join("demo/pyproject.toml").exists());
    }

    #[test]
    fn no_lock_skips_uv_and_explicit_lock_fails_without_it() {
        let tmp = tempfile::tempdir().unwrap();
        let uv = fake_uv(tmp.path(), "echo ran > ../uv-ran");
        init()
            .current_dir(tmp.path())
            .env("AICHOR_UV", &uv)
            .args(["demo", "--operator", "jobset", "--no-input", "--no-lock"])
            .assert()
            .success();
        assert!(!tmp.path().join("uv-ran").exists());
        // `--lock` is a request: without uv it fails before writing anything.
        let out = init()
            .current_dir(tmp.path())
            .args(["other", "--operator", "jobset", "--no-input", "--lock"])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1));
        let err = stderr(&out);
        assert!(
            err.contains("`--lock` was given, but uv cannot be run: `/nonexistent/uv` (AICHOR_UV) does not exist")
                && err.contains("pass `--no-lock`"),
            "{err}"
        );
        assert!(!tmp.path().join("other").exists());
        // The automatic default stays a warning-free skip.
        init()
            .current_dir(tmp.path())
            .args(["third", "--operator", "jobset", "--no-input"])
            .assert()
            .success();
    }
}

#[cfg(unix)]
mod existing_lock {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    /// A project with its own `uv.lock`, and a uv stand-in that records whether it ran and
    /// which lock it started from.
    fn setup() -> (tempfile::TempDir, std::path::PathBuf) {
        let tmp = tempfile::tempdir().unwrap();
        let dest = tmp.path().join("demo");
        std::fs::create_dir(&dest).unwrap();
        std::fs::write(dest.join("uv.lock"), "mine: numpy 1.26\n").unwrap();
        let uv = tmp.path().join("fake-uv");
        std::fs::write(
            &uv,
            "#!/bin/sh\ncp uv.lock ../../uv-saw 2>/dev/null || echo none > ../../uv-saw\necho 'version = 1' > uv.lock\n",
        )
        .unwrap();
        std::fs::set_permissions(&uv, std::fs::Permissions::from_mode(0o755)).unwrap();
        (tmp, uv)
    }

    fn lock_action(out: &std::process::Output) -> serde_json::Value {
        let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        report["files"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["path"] == "uv.lock")
            .map(|f| f["action"].clone())
            .unwrap_or_default()
    }

    #[test]
    fn force_keeps_the_users_lock_and_says_so() {
        let (tmp, uv) = setup();
        for dry_run in [true, false] {
            let mut cmd = init();
            cmd.current_dir(tmp.path()).env("AICHOR_UV", &uv).args([
                "demo",
                "--operator",
                "jax",
                "--no-input",
                "--force",
                "--format",
                "json",
            ]);
            if dry_run {
                cmd.arg("--dry-run");
            }
            let out = cmd.output().unwrap();
            assert!(out.status.success(), "{}", stderr(&out));
            assert_eq!(lock_action(&out), "keep", "dry run: {dry_run}");
        }
        assert!(!tmp.path().join("uv-saw").exists(), "uv did not run");
        assert_eq!(
            std::fs::read_to_string(tmp.path().join("demo/uv.lock")).unwrap(),
            "mine: numpy 1.26\n"
        );
    }

    #[test]
    fn lock_updates_it_from_the_users_pins() {
        let (tmp, uv) = setup();
        let out = init()
            .current_dir(tmp.path())
            .env("AICHOR_UV", &uv)
            .args([
                "demo",
                "--operator",
                "jax",
                "--no-input",
                "--force",
                "--lock",
            ])
            .args(["--format", "json"])
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", stderr(&out));
        assert_eq!(lock_action(&out), "overwrite");
        assert_eq!(
            std::fs::read_to_string(tmp.path().join("uv-saw")).unwrap(),
            "mine: numpy 1.26\n",
            "uv started from the existing lock"
        );
        assert_eq!(
            std::fs::read_to_string(tmp.path().join("demo/uv.lock")).unwrap(),
            "version = 1\n"
        );
    }

    #[test]
    fn a_new_project_reports_a_created_lock() {
        let (tmp, uv) = setup();
        let out = init()
            .current_dir(tmp.path())
            .env("AICHOR_UV", &uv)
            .args([
                "fresh",
                "--operator",
                "jax",
                "--no-input",
                "--format",
                "json",
            ])
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", stderr(&out));
        assert_eq!(lock_action(&out), "create");
    }
}

/// An answers file nested deep enough to make a YAML loader crawl (or overflow its stack)
/// is refused at once with a position.
#[test]
fn a_deeply_nested_answers_file_is_refused_quickly() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("deep.yaml");
    std::fs::write(&file, "[".repeat(100_000)).unwrap();
    let out = init()
        .current_dir(tmp.path())
        .args(["demo", "--answers", "deep.yaml", "--no-input"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("line 1, column"), "{}", stderr(&out));
    assert_eq!(entries(tmp.path()), ["deep.yaml"]);
}

/// An answers file that is not UTF-8 says so, and how to fix it (not "check the path").
#[test]
fn a_non_utf8_answers_file_says_so() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("bad.yaml"), b"operator: \xff\n").unwrap();
    let out = init()
        .current_dir(tmp.path())
        .args(["demo", "--answers", "bad.yaml", "--no-input"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains("valid UTF-8") && err.contains("help: save the answers file as UTF-8"),
        "{err}"
    );
}

#[test]
fn next_steps_add_a_remote_only_where_there_is_none() {
    let tmp = tempfile::tempdir().unwrap();
    let out = init()
        .current_dir(tmp.path())
        .args(["fresh", "--operator", "jax", "--no-input", "--no-lock"])
        .output()
        .unwrap();
    let err = stderr(&out);
    assert!(
        err.contains("git init && git add -A")
            && err.contains("git remote add origin <URL>")
            && err.contains("git push -u origin HEAD"),
        "{err}"
    );
    // A clone of the platform's empty repository: only `.git` in it, so no `--force`, and
    // it has its remote already.
    let clone = tmp.path().join("clone");
    std::fs::create_dir(&clone).unwrap();
    let git = |args: &[&str]| {
        let ok = crate::support::git(&clone)
            .args(args)
            .status()
            .expect("git is installed")
            .success();
        assert!(ok, "git {args:?}");
    };
    git(&["init", "-q"]);
    git(&[
        "remote",
        "add",
        "origin",
        "https://example.com/team/clone.git",
    ]);
    let out = init()
        .current_dir(&clone)
        .args([".", "--operator", "jax", "--no-input", "--no-lock"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        !err.contains("git init") && !err.contains("remote add"),
        "{err}"
    );
    assert!(
        err.contains("  git add -A\n") && err.contains("  git push "),
        "{err}"
    );
    assert!(clone.join("src/clone/main.py").is_file());
}

/// The README's first command, `init ../demo` run in a clone of aichor: the project lands
/// beside the clone, so the next steps neither call it "inside the git repository" of the
/// clone nor skip its own `git init`; a project truly inside one is still told so.
#[test]
fn a_destination_through_dot_dot_is_not_inside_the_repository_it_leaves() {
    let tmp = tempfile::tempdir().unwrap();
    let checkout = tmp.path().join("aichor");
    std::fs::create_dir(&checkout).unwrap();
    let ok = crate::support::git(&checkout)
        .args(["init", "-q"])
        .status()
        .expect("git is installed")
        .success();
    assert!(ok);
    let next_steps = |dest: &str| {
        let out = init()
            .current_dir(&checkout)
            .args([dest, "--operator", "jax", "--no-input", "--no-lock"])
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", stderr(&out));
        stderr(&out)
    };
    let beside = next_steps("../demo");
    assert!(tmp.path().join("demo/src/demo/main.py").is_file());
    assert!(!beside.contains("inside the git repository"), "{beside}");
    assert!(beside.contains("git init && git add -A"), "{beside}");
    let inside = next_steps("inner");
    assert!(inside.contains("# inside the git repository"), "{inside}");
}

/// `--force` into a project whose `pyproject.toml` names another project: the merge keeps
/// their name, so the package init would write (`src/<answered name>/`) is one their build
/// cannot find. Refused up front, naming the flag; nothing written.
#[test]
fn force_into_a_project_with_another_name_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let dest = tmp.path().join("hf");
    std::fs::create_dir(&dest).unwrap();
    let mine = "[project]\nname = \"My_App\"\nversion = \"1.0\"\n";
    std::fs::write(dest.join("pyproject.toml"), mine).unwrap();
    let out = init()
        .current_dir(tmp.path())
        .args(["hf", "--operator", "jax", "--no-input", "--force"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("names the project `My_App`, not `hf`"),
        "{err}"
    );
    assert!(err.contains("pass `--name my-app`"), "{err}");
    assert_eq!(entries(&dest), ["pyproject.toml"]);
    // The same project under PEP 503's spelling is the same project.
    let out = init()
        .current_dir(tmp.path())
        .args([
            "hf",
            "--name",
            "my-app",
            "--operator",
            "jax",
            "--no-input",
            "--force",
        ])
        .args(["--no-lock"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(dest.join("src/my_app/__init__.py").is_file());
}
