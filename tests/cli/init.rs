//! `aichor local-repo init` from flags: every refusal, dry-run, the JSON report, the
//! answers round-trip and the conflict policy.

use predicates::prelude::*;

use crate::support::{aichor, entries, read_tree, stderr};

fn init() -> assert_cmd::Command {
    let mut cmd = aichor();
    cmd.args(["local-repo", "init"]);
    cmd
}

/// Runs `init` in an empty temp dir with `args`, expecting failure with `code`; returns stderr.
fn refused(args: &[&str], code: i32) -> String {
    let tmp = tempfile::tempdir().unwrap();
    let out = init().current_dir(tmp.path()).args(args).output().unwrap();
    assert_eq!(out.status.code(), Some(code), "{args:?}: {}", stderr(&out));
    assert!(
        entries(tmp.path()).is_empty(),
        "{args:?} left {:?}",
        entries(tmp.path())
    );
    let err = stderr(&out);
    assert!(err.starts_with("error: "), "{err}");
    assert!(
        err.contains("help: "),
        "every error says how to fix it: {err}"
    );
    assert!(!err.contains("panicked"), "{err}");
    err
}

#[test]
fn missing_operator_names_the_flag() {
    let err = refused(&["demo", "--no-input"], 2);
    assert!(
        err.contains("`operator`") && err.contains("--operator"),
        "{err}"
    );
}

#[test]
fn missing_name_names_the_flag() {
    let err = refused(&["--operator", "jax", "--no-input"], 2);
    assert!(err.contains("--name"), "{err}");
}

#[test]
fn closed_stdin_is_not_interactive_even_without_no_input() {
    let err = refused(&["demo"], 2);
    assert!(err.contains("--operator"), "{err}");
}

#[test]
fn bad_names_are_refused_with_a_suggestion() {
    let long = "a".repeat(200);
    let cases: [(&str, Option<&str>); 6] = [
        ("My Proj", Some("my-proj")),
        ("1abc", Some("abc")),
        ("class", Some("my-class")),
        ("../x", Some("x")),
        ("", None),
        (&long, Some(&long[..64])),
    ];
    for (name, suggestion) in cases {
        let err = refused(&["--name", name, "--operator", "jax", "--no-input"], 2);
        assert!(err.contains("invalid name"), "{name}: {err}");
        match suggestion {
            Some(s) => assert!(err.contains(&format!("--name {s}`")), "{name}: {err}"),
            None => assert!(err.contains("pass `--name`"), "{name}: {err}"),
        }
    }
}

#[test]
fn a_bad_name_from_the_path_is_refused_too() {
    let err = refused(&["My Proj", "--operator", "jax", "--no-input"], 2);
    assert!(
        err.contains("from the destination path") && err.contains("--name my-proj"),
        "{err}"
    );
}

#[test]
fn bad_workers_are_refused() {
    for (op, workers) in [
        ("pytorch", "0"),
        ("jax", "-1"),
        ("jobset", "two"),
        ("xgboost", "5000"),
        ("kuberay", "-1"),
    ] {
        let err = refused(
            &["demo", "--operator", op, "--workers", workers, "--no-input"],
            2,
        );
        assert!(
            err.contains("invalid workers") && err.contains("--workers"),
            "{op} {workers}: {err}"
        );
    }
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
    let err = refused(&["demo", "--operator", "tf", "--no-input"], 2);
    assert!(
        err.contains("invalid operator `tf`") && err.contains("pytorch"),
        "{err}"
    );
    let err = refused(
        &[
            "demo",
            "--operator",
            "jax",
            "--profile",
            "gpu-a100",
            "--no-input",
        ],
        2,
    );
    assert!(
        err.contains("did you mean `--profile gpu-a100-80gb`"),
        "{err}"
    );
    let err = refused(
        &[
            "demo",
            "--operator",
            "pytorch",
            "--profile",
            "tpu-v5e-4x4",
            "--no-input",
        ],
        2,
    );
    assert!(
        err.contains("not available for the `pytorch` operator"),
        "{err}"
    );
}

#[test]
fn python_versions_are_checked_per_operator() {
    let err = refused(
        &["demo", "--operator", "jax", "--python", "3.9", "--no-input"],
        2,
    );
    assert!(err.contains("invalid python `3.9`"), "{err}");
    let err = refused(
        &[
            "demo",
            "--operator",
            "kuberay",
            "--python",
            "3.13",
            "--no-input",
        ],
        2,
    );
    assert!(
        err.contains("not supported for the `kuberay` operator"),
        "{err}"
    );
}

#[test]
fn set_and_answers_file_errors() {
    let err = refused(&["demo", "--set", "opertor=jax", "--no-input"], 2);
    assert!(
        err.contains("unknown question `opertor`") && err.contains("did you mean `operator`"),
        "{err}"
    );
    let err = refused(&["demo", "--set", "operator", "--no-input"], 2);
    assert!(err.contains("KEY=VALUE"), "{err}");
    let err = refused(
        &[
            "demo",
            "--set",
            "operator=jax",
            "--set",
            "tensorboard=maybe",
            "--no-input",
        ],
        2,
    );
    assert!(err.contains("invalid tensorboard `maybe`"), "{err}");

    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("answers.yaml");
    for (text, expect) in [
        ("operator: [jax]\n", "single value"),
        ("operator: jax\n  bad: indent\n", "cannot read answers file"),
        ("- jax\n", "not a mapping"),
        ("operator: jax\nworkers: 2.5\n", "invalid workers `2.5`"),
    ] {
        std::fs::write(&file, text).unwrap();
        let err = refused(
            &["demo", "--answers", file.to_str().unwrap(), "--no-input"],
            2,
        );
        assert!(err.contains(expect), "{text:?}: {err}");
    }
    let err = refused(
        &[
            "demo",
            "--answers",
            "/nonexistent/answers.yaml",
            "--no-input",
        ],
        2,
    );
    assert!(err.contains("/nonexistent/answers.yaml"), "{err}");
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
    let out = init()
        .current_dir(tmp.path())
        .args(["demo", "--operator", "jax", "--no-input"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("is not empty") && stderr(&out).contains("--force"),
        "{}",
        stderr(&out)
    );
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
    let out = init()
        .current_dir(tmp.path())
        .args(["demo", "--operator", "xgboost", "--no-input"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
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
    let out = init()
        .current_dir(tmp.path())
        .args(["demo", "--operator", "jax", "--no-input", "--force"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("not a directory"), "{}", stderr(&out));
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

#[test]
fn errors_are_plain_text_without_colour() {
    let out = init()
        .args(["demo", "--operator", "nope", "--no-input"])
        .output()
        .unwrap();
    assert!(!stderr(&out).contains('\x1b'), "{:?}", stderr(&out));
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
    let out = init()
        .current_dir(tmp.path())
        .args(["demo", "--operator", "jax", "--no-input", "--force"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("cannot merge into the existing"),
        "{}",
        stderr(&out)
    );
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
    fn no_lock_skips_uv_and_lock_warns_without_it() {
        let tmp = tempfile::tempdir().unwrap();
        let uv = fake_uv(tmp.path(), "echo ran > ../uv-ran");
        init()
            .current_dir(tmp.path())
            .env("AICHOR_UV", &uv)
            .args(["demo", "--operator", "jobset", "--no-input", "--no-lock"])
            .assert()
            .success();
        assert!(!tmp.path().join("uv-ran").exists());
        let out = init()
            .current_dir(tmp.path())
            .args(["other", "--operator", "jobset", "--no-input", "--lock"])
            .output()
            .unwrap();
        assert!(out.status.success());
        assert!(
            stderr(&out)
                .contains("`uv lock` skipped: `/nonexistent/uv` (AICHOR_UV) does not exist"),
            "{}",
            stderr(&out)
        );
    }
}
