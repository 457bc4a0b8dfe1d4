//! What scripts and CI rely on: `--format json` failures as one JSON document on stdout,
//! `-q/--quiet` and `-v/--verbose`, a dry run that refuses what the real run refuses, and
//! names that cannot work as a package refused up front.

use crate::support::{aichor, entries, stderr};

fn json(out: &std::process::Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not one JSON document ({e}): {}",
            String::from_utf8_lossy(&out.stdout)
        )
    })
}

#[test]
fn a_failure_with_format_json_is_a_json_error_on_stdout() {
    let tmp = tempfile::tempdir().unwrap();
    let out = aichor()
        .current_dir(tmp.path())
        .args([
            "local-repo",
            "init",
            "demo",
            "--operator",
            "pytorchh",
            "--no-input",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let doc = json(&out);
    assert_eq!(doc["schema_version"], 1);
    assert_eq!(doc["ok"], false);
    assert_eq!(doc["error"]["kind"], "invalid_answer");
    assert_eq!(doc["error"]["exit_code"], 2);
    assert_eq!(
        doc["error"]["help"], "did you mean `--operator pytorch`?",
        "{doc}"
    );
    // The same words on stderr, for whoever reads the log.
    assert!(stderr(&out).contains("did you mean `--operator pytorch`?"));
    assert!(entries(tmp.path()).is_empty());
}

#[test]
fn a_usage_error_with_format_json_is_a_json_error_too() {
    for args in [
        &["local-repo", "init", "--format", "json", "--bogus"][..],
        &["profiles", "list", "--format=json", "--operator"][..],
    ] {
        let out = aichor().args(args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let doc = json(&out);
        assert_eq!(doc["error"]["kind"], "usage", "{args:?}");
        assert!(
            !doc["error"]["message"]
                .as_str()
                .unwrap()
                .starts_with("error:"),
            "{doc}"
        );
    }
    // Without JSON, stdout stays empty: clap's message is on stderr.
    let out = aichor()
        .args(["local-repo", "init", "--bogus"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
}

#[test]
fn an_io_failure_with_format_json_names_its_kind() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::create_dir(tmp.path().join("demo")).unwrap();
    std::fs::write(tmp.path().join("demo/keep.txt"), "mine").unwrap();
    let out = aichor()
        .current_dir(tmp.path())
        .args([
            "local-repo",
            "init",
            "demo",
            "--operator",
            "jax",
            "--no-input",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let doc = json(&out);
    assert_eq!(doc["error"]["kind"], "destination_not_empty", "{doc}");
}

#[test]
fn a_dry_run_refuses_a_non_empty_folder_like_the_real_run() {
    let tmp = tempfile::tempdir().unwrap();
    let dest = tmp.path().join("demo");
    std::fs::create_dir(&dest).unwrap();
    std::fs::write(dest.join("notes.md"), "mine").unwrap();
    let base = [
        "local-repo",
        "init",
        "demo",
        "--operator",
        "jax",
        "--no-input",
    ];
    let dry = aichor()
        .current_dir(tmp.path())
        .args(base)
        .arg("--dry-run")
        .output()
        .unwrap();
    let real = aichor()
        .current_dir(tmp.path())
        .args(base)
        .output()
        .unwrap();
    assert_eq!(dry.status.code(), Some(1));
    assert_eq!(dry.status.code(), real.status.code());
    assert_eq!(stderr(&dry), stderr(&real));
    assert!(stderr(&dry).contains("pass `--force`"));
    // With `--force`, the dry run lists what it would do and still writes nothing.
    let forced = aichor()
        .current_dir(tmp.path())
        .args(base)
        .args(["--dry-run", "--force"])
        .output()
        .unwrap();
    assert!(forced.status.success(), "{}", stderr(&forced));
    assert_eq!(entries(&dest), ["notes.md"]);
}

#[test]
fn quiet_keeps_results_and_drops_status_lines() {
    let tmp = tempfile::tempdir().unwrap();
    let out = aichor()
        .current_dir(tmp.path())
        .args(["-q", "local-repo", "init", "demo", "--operator", "jax"])
        .args(["--no-input", "--no-lock"])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert_eq!(stderr(&out), "", "quiet prints nothing on success");
    assert!(tmp.path().join("demo/pyproject.toml").is_file());
    // Errors still show.
    let out = aichor()
        .current_dir(tmp.path())
        .args([
            "local-repo",
            "init",
            "demo",
            "--operator",
            "jax",
            "--no-input",
        ])
        .arg("--quiet")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).starts_with("error: destination `demo` is not empty"));
}

#[test]
fn verbose_says_where_each_answer_came_from() {
    let tmp = tempfile::tempdir().unwrap();
    let out = aichor()
        .current_dir(tmp.path())
        .args([
            "local-repo",
            "init",
            "demo",
            "--operator",
            "jax",
            "--no-input",
        ])
        .args(["--set", "workers=3", "--dry-run", "-v"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let err = stderr(&out);
    for line in [
        "verbose: pack builtin 0.5.0 (builtin)",
        "verbose: operator = `jax` (from `--operator`)",
        "verbose: workers = `3` (from `--set`)",
        "verbose: name = `demo` (from the destination path)",
    ] {
        assert!(err.contains(line), "missing {line:?} in:\n{err}");
    }
}

#[test]
fn names_that_cannot_be_a_package_are_refused_with_a_reason() {
    for (name, reason, suggestion) in [
        ("email", "module of Python's standard library", "my-email"),
        ("site", "module of Python's standard library", "my-site"),
        ("boto3", "depending on itself", "my-boto3"),
        ("pytest", "depending on itself", "my-pytest"),
        ("xgboost-cpu", "depending on itself", "my-xgboost-cpu"),
    ] {
        let tmp = tempfile::tempdir().unwrap();
        let out = aichor()
            .current_dir(tmp.path())
            .args(["local-repo", "init", name, "--operator", "xgboost"])
            .args(["--no-input", "--no-lock"])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{name}");
        let err = stderr(&out);
        assert!(err.contains(reason), "{name}: {err}");
        assert!(
            err.contains(&format!("pass `--name {suggestion}`")),
            "{name}: {err}"
        );
        assert!(entries(tmp.path()).is_empty(), "{name}");
    }
}

/// A JSON report that cannot be written (a full disk: `/dev/full`) fails the command; it
/// exited 0 with nothing written.
#[cfg(target_os = "linux")]
#[test]
fn a_json_report_that_cannot_be_written_fails() {
    let Ok(full) = std::fs::OpenOptions::new().write(true).open("/dev/full") else {
        return;
    };
    // `std`'s Command: assert_cmd's captures stdout.
    let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin!("aichor"));
    crate::support::isolate(&mut cmd);
    let out = cmd
        .args(["profiles", "list", "--format", "json"])
        .stdin(std::process::Stdio::null())
        .stdout(full)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("`<stdout>` cannot be written"),
        "{}",
        stderr(&out)
    );
}

/// `aichor ... 2>&1 | head -1`: once the reader is gone the status lines are lost, not the
/// run (printing to a closed stderr used to panic with exit 101).
#[cfg(unix)]
#[test]
fn a_closed_stderr_does_not_fail_the_run() {
    let tmp = tempfile::tempdir().unwrap();
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_aichor"));
    crate::support::isolate(&mut cmd);
    let mut child = cmd
        .args([
            "local-repo",
            "init",
            "demo",
            "--operator",
            "jax",
            "--no-input",
        ])
        .args(["--no-lock", "-v"])
        .current_dir(tmp.path())
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stderr.take());
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(0));
    assert!(
        tmp.path()
            .join("demo/aichor_manifests/manifest.yaml")
            .is_file()
    );
}
