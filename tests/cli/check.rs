//! `aichor local-repo check` and `local-repo hooks`: generated projects are ready to submit,
//! the conformance corpus laid out as repositories, one seeded fault per test, commit
//! messages from a file and stdin, and the hook in a real git repository.

use std::path::{Path, PathBuf};

use crate::support::{aichor, aichor_snapshot, stderr};

/// A generated project (`uv.lock` stands in for `uv lock`'s: the check cannot tell without
/// uv, which these tests never run).
fn project(args: &[&str]) -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("demo");
    aichor()
        .args(["local-repo", "init"])
        .arg(&dir)
        .args(["--no-input", "--no-lock"])
        .args(args)
        .assert()
        .success();
    std::fs::write(dir.join("uv.lock"), "version = 1\n").unwrap();
    (tmp, dir)
}

/// A finding as the tests look at it.
#[derive(Debug)]
struct Found {
    severity: String,
    check: String,
    file: String,
    message: String,
}

/// Run the check on `dir` (with `extra` flags) as JSON: exit code, findings, the report.
fn check(dir: &Path, extra: &[&str]) -> (i32, Vec<Found>, serde_json::Value) {
    let out = aichor()
        .args(["local-repo", "check", "--format", "json"])
        .arg(dir)
        .args(extra)
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}{}",
            String::from_utf8_lossy(&out.stdout),
            stderr(&out)
        )
    });
    let findings = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| Found {
            severity: f["severity"].as_str().unwrap().into(),
            check: f["check"].as_str().unwrap().into(),
            file: f["file"].as_str().unwrap_or_default().into(),
            message: f["message"].as_str().unwrap().into(),
        })
        .collect();
    (out.status.code().unwrap(), findings, report)
}

/// The findings of `severity` from `check`.
fn having<'a>(found: &'a [Found], severity: &str, check: &str) -> Vec<&'a Found> {
    found
        .iter()
        .filter(|f| f.severity == severity && f.check == check)
        .collect()
}

/// Exactly one `severity` finding of `check`, and the run's exit code matches.
fn assert_one(dir: &Path, severity: &str, check_name: &str, extra: &[&str]) -> String {
    let (code, found, _) = check(dir, extra);
    let hits = having(&found, severity, check_name);
    assert_eq!(hits.len(), 1, "{found:#?}");
    assert_eq!(code, i32::from(severity == "error"), "{found:#?}");
    hits[0].message.clone()
}

fn edit(path: &Path, from: &str, to: &str) {
    let text = std::fs::read_to_string(path).unwrap();
    assert!(text.contains(from), "{} lacks {from:?}", path.display());
    std::fs::write(path, text.replacen(from, to, 1)).unwrap();
}

fn manifest(dir: &Path) -> PathBuf {
    dir.join("aichor_manifests/manifest.yaml")
}

#[test]
fn check_every_template_variant_is_ready() {
    let variants = Path::new(env!("CARGO_MANIFEST_DIR")).join("template-tests");
    let mut seen = 0;
    for entry in std::fs::read_dir(variants).unwrap() {
        let answers = entry.unwrap().path().join("answers.yaml");
        let answers = answers.to_str().unwrap();
        let (_tmp, dir) = project(&["--answers", answers]);
        let (code, found, report) = check(&dir, &[]);
        let problems: Vec<&Found> = found.iter().filter(|f| f.severity != "note").collect();
        assert!(problems.is_empty(), "{answers}: {problems:#?}");
        assert_eq!(code, 0, "{answers}");
        assert_eq!(report["summary"]["errors"], 0);
        assert_eq!(report["uv_lock_checked"], false);
        // What the command runs was found in the project.
        assert!(
            found
                .iter()
                .any(|f| f.check == "command" && f.message.contains("runs the module")),
            "{answers}: {found:#?}"
        );
        seen += 1;
    }
    assert!(seen >= 10, "only {seen} variants");
}

#[test]
fn check_text_report_of_a_clean_project() {
    let (_tmp, dir) = project(&["--operator", "kuberay"]);
    aichor_snapshot!(aichor().args(["local-repo", "check", "-v"]).arg(&dir), @r#"
    success: true
    exit_code: 0
    ----- stdout -----
    aichor_manifests/manifest.yaml:10:15: note [builder.dockerfile]: `Dockerfile` found relative to `builder.context` (`.`)
    aichor_manifests/manifest.yaml:18:12: note [spec.command]: `spec.command` runs the module `demo.main`: `src/demo/main.py`
    uv.lock: note: `uv.lock` not checked against pyproject.toml: `/nonexistent/uv` (AICHOR_UV) does not exist
        help: install uv (https://docs.astral.sh/uv/) to have it checked
    aichor_manifests/manifest.yaml: note: run it with: git commit -m "aichor[manifest.yaml]: <message>"
    ready to submit (1 manifest; uv.lock not checked with uv): 0 errors, 0 warnings, 4 notes

    ----- stderr -----
    "#);
    let (_tmp, dir) = project(&[
        "--operator",
        "pytorch",
        "--profile",
        "gpu-h100x8",
        "--workers",
        "2",
    ]);
    aichor_snapshot!(aichor().args(["local-repo", "check"]).current_dir(dir.join("src")), @"
    success: true
    exit_code: 0
    ----- stdout -----
    ready to submit (1 manifest; uv.lock not checked with uv): 0 errors, 0 warnings, 5 notes (`-v` shows them)

    ----- stderr -----
    ");
}

#[test]
fn check_conformance_corpus_as_repositories() {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/conformance");
    let files = crate::manifest::yaml_files(&corpus);
    let mut summary = String::new();
    for file in &files {
        // The demo repository's layout, as far as the manifest tells it: its context folder,
        // and a Dockerfile where the demos put it (relative to the context). The code the
        // commands run is not there.
        let tmp = tempfile::tempdir().unwrap();
        std::fs::create_dir(tmp.path().join("aichor_manifests")).unwrap();
        std::fs::copy(file, tmp.path().join("aichor_manifests/manifest.yaml")).unwrap();
        let m: yaml_serde::Value =
            yaml_serde::from_str(&std::fs::read_to_string(file).unwrap()).unwrap();
        let context = tmp
            .path()
            .join(m["builder"]["context"].as_str().unwrap_or("."));
        let dockerfile = context.join(m["builder"]["dockerfile"].as_str().unwrap_or("Dockerfile"));
        std::fs::create_dir_all(dockerfile.parent().unwrap()).unwrap();
        std::fs::write(&dockerfile, "FROM python:3.11-slim\nCOPY . .\n").unwrap();
        let (code, found, _) = check(tmp.path(), &[]);
        let mut kinds: Vec<String> = found
            .iter()
            .filter(|f| f.severity != "note")
            .map(|f| format!("{} {}", f.severity, f.check))
            .collect();
        kinds.dedup();
        summary.push_str(&format!(
            "{} → exit {code}: {}\n",
            file.strip_prefix(&corpus).unwrap().display(),
            kinds.join(", ")
        ));
    }
    insta::assert_snapshot!(summary);
}

#[test]
fn check_image_mismatch_is_reported_once() {
    let (_tmp, dir) = project(&["--operator", "jax"]);
    edit(
        &manifest(&dir),
        "image: \"demo\"\n  command",
        "image: \"other\"\n  command",
    );
    let (code, found, _) = check(&dir, &[]);
    let errors: Vec<&Found> = found.iter().filter(|f| f.severity == "error").collect();
    assert_eq!((code, errors.len()), (1, 1), "{found:#?}");
    assert_eq!(errors[0].check, "manifest");
}

#[test]
fn check_missing_dockerfile() {
    let (_tmp, dir) = project(&["--operator", "jax"]);
    std::fs::remove_file(dir.join("Dockerfile")).unwrap();
    let message = assert_one(&dir, "error", "dockerfile", &[]);
    assert!(
        message.contains("no Dockerfile at `./Dockerfile`"),
        "{message}"
    );
}

/// `builder.dockerfile` is read relative to `builder.context`, as every real manifest with
/// a context of its own writes it (`context: smoke-test`, `dockerfile: ./build/Dockerfile`)
/// and the platform builds it: no warning. Found only from the root: a warning whose help,
/// applied, is right under that reading. Neither: an error naming both places looked at.
#[test]
fn check_dockerfile_is_read_relative_to_the_context() {
    let (_tmp, dir) = project(&["--operator", "jax"]);
    // The smoke-test demo's layout: the project in `smoke-test/`, its Dockerfile in `build/`.
    let demo = dir.join("smoke-test");
    std::fs::create_dir_all(demo.join("build")).unwrap();
    for name in ["src", "pyproject.toml", "uv.lock", ".dockerignore"] {
        std::fs::rename(dir.join(name), demo.join(name)).unwrap();
    }
    std::fs::rename(dir.join("Dockerfile"), demo.join("build/Dockerfile")).unwrap();
    edit(&manifest(&dir), "context: .", "context: smoke-test");
    edit(
        &manifest(&dir),
        "dockerfile: ./Dockerfile",
        "dockerfile: ./build/Dockerfile",
    );
    let (code, found, _) = check(&dir, &[]);
    assert_eq!(code, 0, "{found:#?}");
    assert!(
        found
            .iter()
            .all(|f| f.severity == "note" || f.check != "dockerfile"),
        "{found:#?}"
    );
    assert!(
        found.iter().any(|f| f.check == "dockerfile"
            && f.message
                == "`smoke-test/build/Dockerfile` found relative to `builder.context` (`smoke-test`)"),
        "{found:#?}"
    );
    // Only where the root-relative reading finds it: a warning, and its help works.
    std::fs::create_dir(dir.join("build")).unwrap();
    std::fs::rename(demo.join("build/Dockerfile"), dir.join("build/Dockerfile")).unwrap();
    let (code, _, report) = check(&dir, &[]);
    let warning = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["check"] == "dockerfile" && f["severity"] == "warning")
        .unwrap_or_else(|| panic!("{report:#}"));
    assert_eq!(code, 0);
    assert_eq!(
        warning["message"],
        "`./build/Dockerfile` is found only relative to the repository root (`build/Dockerfile`): AIchor reads `builder.dockerfile` relative to `builder.context` (`smoke-test`), where it names `smoke-test/build/Dockerfile`, which does not exist"
    );
    assert_eq!(
        warning["help"],
        "write `dockerfile: ../build/Dockerfile` (the same file, relative to `smoke-test`), or move the Dockerfile to `smoke-test/build/Dockerfile`"
    );
    edit(
        &manifest(&dir),
        "dockerfile: ./build/Dockerfile",
        "dockerfile: ../build/Dockerfile",
    );
    let (code, found, _) = check(&dir, &[]);
    assert_eq!(code, 0, "{found:#?}");
    assert!(
        having(&found, "warning", "dockerfile").is_empty(),
        "{found:#?}"
    );
    // Nowhere: an error naming both places.
    edit(
        &manifest(&dir),
        "dockerfile: ../build/Dockerfile",
        "dockerfile: ./build/Dockerfile",
    );
    std::fs::remove_file(dir.join("build/Dockerfile")).unwrap();
    let message = assert_one(&dir, "error", "dockerfile", &[]);
    assert_eq!(
        message,
        "no Dockerfile at `./build/Dockerfile`: not relative to `builder.context` (`smoke-test/build/Dockerfile`), as AIchor reads it, nor relative to the repository root (`build/Dockerfile`)"
    );
}

#[test]
fn check_wrong_context() {
    let (_tmp, dir) = project(&["--operator", "xgboost"]);
    edit(&manifest(&dir), "context: .", "context: app");
    let message = assert_one(&dir, "error", "context", &[]);
    assert!(message.contains("`app` is not a folder"), "{message}");
    edit(&manifest(&dir), "context: app", "context: ../elsewhere");
    let message = assert_one(&dir, "error", "context", &[]);
    assert!(message.contains("outside the repository"), "{message}");
}

#[test]
fn check_module_missing_under_src() {
    let (_tmp, dir) = project(&["--operator", "jax"]);
    std::fs::remove_file(dir.join("src/demo/main.py")).unwrap();
    let message = assert_one(&dir, "error", "command", &[]);
    assert!(
        message.contains("module `demo.main`") && message.contains("src/demo/main.py"),
        "{message}"
    );
    // The package itself gone: still the project's own module, still an error.
    std::fs::remove_dir_all(dir.join("src/demo")).unwrap();
    assert_one(&dir, "error", "command", &[]);
}

#[test]
fn check_script_command_and_copy() {
    let (_tmp, dir) = project(&["--operator", "jobset"]);
    edit(
        &manifest(&dir),
        "python -u -m demo.main",
        "python -u train.py",
    );
    let message = assert_one(&dir, "error", "command", &[]);
    assert!(message.contains("script `train.py`"), "{message}");
    std::fs::write(dir.join("train.py"), "print(1)\n").unwrap();
    let (code, found, _) = check(&dir, &[]);
    assert_eq!(code, 0, "{found:#?}");
    // A Dockerfile that copies only src/ does not copy train.py.
    edit(&dir.join("Dockerfile"), "COPY . /app", "COPY src /app/src");
    let message = assert_one(&dir, "error", "command", &[]);
    assert!(
        message.contains("is not copied into the image"),
        "{message}"
    );
}

#[test]
fn check_dockerignore_excluding_src() {
    let (_tmp, dir) = project(&["--operator", "pytorch"]);
    let ignore = dir.join(".dockerignore");
    let mut text = std::fs::read_to_string(&ignore).unwrap();
    text.push_str("src/\n");
    std::fs::write(&ignore, &text).unwrap();
    let (code, found, _) = check(&dir, &[]);
    let hits = having(&found, "error", "dockerignore");
    assert_eq!((code, hits.len()), (1, 1), "{found:#?}");
    assert_eq!(hits[0].file, ".dockerignore");
    assert!(hits[0].message.contains("by `src/`"), "{}", hits[0].message);
    // Re-included: fine again.
    text.push_str("!src/demo\n");
    std::fs::write(&ignore, &text).unwrap();
    assert_eq!(check(&dir, &[]).0, 0);
}

/// An allow-list `.dockerignore` (`*`, then `!` lines) that forgets `uv.lock`: the help says
/// how to let it through, not only to remove the `*` that the whole list rests on.
#[test]
fn check_allow_list_dockerignore_without_uv_lock() {
    let (_tmp, dir) = project(&["--operator", "jax"]);
    let ignore = "*\n!src\n!pyproject.toml\n!README.md\n";
    std::fs::write(dir.join(".dockerignore"), ignore).unwrap();
    let (code, _, report) = check(&dir, &[]);
    assert_eq!(code, 1, "{report:#}");
    let finding = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| {
            f["check"] == "dockerignore" && f["message"].as_str().unwrap().contains("uv.lock")
        })
        .unwrap_or_else(|| panic!("{report:#}"));
    let help = finding["help"].as_str().unwrap();
    assert!(
        help.contains("re-include the file with `!uv.lock`"),
        "{help}"
    );
    // Following the help makes the repository ready.
    std::fs::write(dir.join(".dockerignore"), format!("{ignore}!uv.lock\n")).unwrap();
    assert_eq!(check(&dir, &[]).0, 0);
}

#[test]
fn check_missing_and_stale_uv_lock() {
    let (_tmp, dir) = project(&["--operator", "jax"]);
    std::fs::remove_file(dir.join("uv.lock")).unwrap();
    let message = assert_one(&dir, "error", "uv-lock", &[]);
    assert!(message.contains("`uv.lock` is missing"), "{message}");
}

/// A stand-in for uv: `uv lock --check` exits `code` printing `stderr`.
#[cfg(unix)]
fn fake_uv(dir: &Path, code: i32, stderr: &str) -> PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let uv = dir.join("fake-uv");
    std::fs::write(
        &uv,
        format!("#!/bin/sh\n[ \"$1 $2\" = \"lock --check\" ] || exit 99\necho '{stderr}' >&2\nexit {code}\n"),
    )
    .unwrap();
    std::fs::set_permissions(&uv, std::fs::Permissions::from_mode(0o755)).unwrap();
    uv
}

#[cfg(unix)]
#[test]
fn check_uv_lock_with_uv() {
    let (tmp, dir) = project(&["--operator", "jax"]);
    let run = |uv: &Path| {
        let out = aichor()
            .env("AICHOR_UV", uv)
            .args(["local-repo", "check", "--format", "json"])
            .arg(&dir)
            .output()
            .unwrap();
        let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        (out.status.code().unwrap(), report)
    };
    let stale = fake_uv(
        tmp.path(),
        1,
        "error: The lockfile at `uv.lock` needs to be updated, but `--check` was provided.",
    );
    let (code, report) = run(&stale);
    assert_eq!(code, 1, "{report:#}");
    assert_eq!(report["uv_lock_checked"], true);
    let finding = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["check"] == "uv-lock")
        .unwrap();
    assert_eq!(finding["severity"], "error");
    assert_eq!(finding["help"], "run `uv lock` in `.` and commit `uv.lock`");
    let offline = fake_uv(tmp.path(), 2, "error: Failed to fetch: network unreachable");
    let (code, report) = run(&offline);
    assert_eq!(
        (code, &report["uv_lock_checked"]),
        (0, &serde_json::json!(false)),
        "{report:#}"
    );
    let in_sync = fake_uv(tmp.path(), 0, "Resolved 3 packages");
    let (code, report) = run(&in_sync);
    assert_eq!(
        (code, &report["uv_lock_checked"]),
        (0, &serde_json::json!(true)),
        "{report:#}"
    );
}

#[test]
fn check_manifests_outside_the_folder() {
    let (_tmp, dir) = project(&["--operator", "jax"]);
    std::fs::copy(manifest(&dir), dir.join("manifest.yaml")).unwrap();
    std::fs::create_dir(dir.join("manifests")).unwrap();
    std::fs::copy(manifest(&dir), dir.join("manifests/gpu.yaml")).unwrap();
    let (code, found, report) = check(&dir, &[]);
    let files: Vec<&str> = having(&found, "warning", "layout")
        .iter()
        .map(|f| f.file.as_str())
        .collect();
    assert_eq!(files, ["manifest.yaml", "manifests/gpu.yaml"], "{found:#?}");
    assert_eq!(code, 0);
    assert_eq!(
        report["elsewhere"],
        serde_json::json!(["manifest.yaml", "manifests/gpu.yaml"])
    );
    // With none left under aichor_manifests/, the root `manifest.yaml` still runs (`exp`
    // commits): checked, no error.
    std::fs::remove_dir_all(dir.join("aichor_manifests")).unwrap();
    let (code, found, report) = check(&dir, &[]);
    assert_eq!(code, 0, "{found:#?}");
    assert_eq!(report["manifests"], serde_json::json!(["manifest.yaml"]));
    // Without it, nothing runs: that is the error.
    std::fs::remove_file(dir.join("manifest.yaml")).unwrap();
    let (code, found, _) = check(&dir, &[]);
    assert_eq!(code, 1);
    assert!(
        having(&found, "error", "layout")[0]
            .message
            .contains("no manifests"),
        "{found:#?}"
    );
}

#[test]
fn check_ray_version_mismatch() {
    let (_tmp, dir) = project(&["--operator", "kuberay"]);
    let text = std::fs::read_to_string(manifest(&dir)).unwrap();
    let version = text
        .split("rayVersion: \"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_string();
    edit(
        &manifest(&dir),
        &format!("rayVersion: \"{version}\""),
        "rayVersion: \"2.1.0\"",
    );
    let (code, found, _) = check(&dir, &[]);
    let files: Vec<&str> = having(&found, "error", "ray-version")
        .iter()
        .map(|f| f.file.as_str())
        .collect();
    assert_eq!(code, 1);
    assert_eq!(
        files,
        ["aichor_manifests/manifest.yaml", "pyproject.toml"],
        "{found:#?}"
    );
}

#[test]
fn check_python_version_mismatch() {
    let (_tmp, dir) = project(&["--operator", "xgboost", "--python", "3.11"]);
    std::fs::write(dir.join(".python-version"), "3.12\n").unwrap();
    let message = assert_one(&dir, "error", "python-version", &[]);
    assert!(
        message.contains("asks for Python 3.12") && message.contains("has 3.11"),
        "{message}"
    );
    std::fs::write(dir.join(".python-version"), "3.11\n").unwrap();
    edit(
        &dir.join("pyproject.toml"),
        "requires-python = \">=3.11\"",
        "requires-python = \">=3.12\"",
    );
    let (code, found, _) = check(&dir, &[]);
    let hits = having(&found, "error", "python-version");
    assert_eq!((code, hits.len()), (1, 2), "{found:#?}");
    assert_eq!(hits[0].file, "Dockerfile");
    assert_eq!(hits[1].file, "pyproject.toml");
}

#[test]
fn check_large_file_in_the_context() {
    let (_tmp, dir) = project(&["--operator", "jax"]);
    std::fs::create_dir(dir.join("data")).unwrap();
    std::fs::write(dir.join("data/weights.bin"), vec![0u8; 2_100_000]).unwrap();
    std::fs::create_dir_all(dir.join("runs")).unwrap();
    std::fs::write(dir.join("runs/ignored.bin"), vec![0u8; 2_100_000]).unwrap();
    std::fs::create_dir_all(dir.join(".git")).unwrap();
    std::fs::write(dir.join(".git/pack.bin"), vec![0u8; 2_100_000]).unwrap();
    let message = assert_one(
        &dir,
        "warning",
        "large-file",
        &["--max-context-file-size", "2"],
    );
    assert_eq!(
        message,
        "`data/weights.bin` (2.1 MB) is sent to the build with the context (limit 2.0 MB)"
    );
    // Under the default limit, nothing.
    assert!(having(&check(&dir, &[]).1, "warning", "large-file").is_empty());
    // 0 is no size check, not "every file is too large" (uv.lock included, with the advice
    // to leave it out of the build).
    let (code, found, _) = check(&dir, &["--max-context-file-size", "0"]);
    assert_eq!(code, 0, "{found:#?}");
    assert!(
        having(&found, "warning", "large-file").is_empty(),
        "{found:#?}"
    );
}

#[test]
fn check_outside_a_repository_is_a_usage_error() {
    let tmp = tempfile::tempdir().unwrap();
    aichor_snapshot!(aichor().args(["local-repo", "check"]).current_dir(tmp.path()), @"
    success: false
    exit_code: 2
    ----- stdout -----

    ----- stderr -----
    error: no AIchor repository at or above `.` (no `aichor_manifests/`, `.git` or `.aichor-answers.yaml`)
      help: run it inside the repository, or pass its folder: `aichor local-repo check PATH`
    ");
}

#[test]
fn check_commit_msg_from_a_file_and_stdin() {
    let (_tmp, dir) = project(&["--operator", "jax"]);
    std::fs::write(
        dir.join("MSG"),
        "\n# Please enter the commit message for your changes. Lines starting\n# with '#' will be ignored.\naichor[gpu.yaml]: try\n\n# On branch main\n# Changes to be committed:\n",
    )
    .unwrap();
    aichor_snapshot!(aichor().args(["local-repo", "check", "--commit-msg", "MSG"]).current_dir(&dir), @"
    success: false
    exit_code: 1
    ----- stdout -----
    MSG:4:1: error: the message runs `aichor_manifests/gpu.yaml`, which does not exist
        help: manifests here: manifest.yaml
    commit message refused: 1 error, 0 warnings, 0 notes

    ----- stderr -----
    error: commit message refused: 1 error(s)
      help: fix the message as the help above says (`git commit --no-verify` skips the check)
    ");
    aichor_snapshot!(aichor().args(["local-repo", "check", "--commit-msg", "-"]).current_dir(&dir).write_stdin("Aichor [aichor_manifests/manifest.yaml] first run\n"), @"
    success: false
    exit_code: 1
    ----- stdout -----
    <stdin>:1:1: error: `Aichor [aichor_manifests/manifest.yaml] first run` looks like an AIchor trigger, but AIchor will not run it: `Aichor` must be written `aichor` (lower case); no space is allowed between `aichor` and the bracket; a `:` must follow `]`; the manifest path is relative to `aichor_manifests/`: leave that folder out
        help: write it as `aichor[manifest.yaml]: first run`
    commit message refused: 1 error, 0 warnings, 0 notes

    ----- stderr -----
    error: commit message refused: 1 error(s)
      help: fix the message as the help above says (`git commit --no-verify` skips the check)
    ");
    aichor_snapshot!(aichor().args(["local-repo", "check", "-v", "--commit-msg", "-"]).current_dir(&dir).write_stdin("fix the loader\n"), @"
    success: true
    exit_code: 0
    ----- stdout -----
    <stdin>:1:1: note: the message does not start an experiment (no `aichor[<manifest>]:` at the start of its first line)
    commit message accepted: 0 errors, 0 warnings, 1 note

    ----- stderr -----
    ");
    aichor_snapshot!(aichor().args(["local-repo", "check", "--commit-msg", "-"]).arg(&dir).write_stdin("aichor[manifest.yaml]: first run\n"), @"
    success: true
    exit_code: 0
    ----- stdout -----
    commit message accepted: 0 errors, 0 warnings, 3 notes (`-v` shows them)

    ----- stderr -----
    ");
    // The named manifest is checked too: a missing Dockerfile refuses the message.
    std::fs::remove_file(dir.join("Dockerfile")).unwrap();
    let out = aichor()
        .args(["local-repo", "check", "--commit-msg", "-"])
        .arg(&dir)
        .write_stdin("aichor[manifest.yaml]: first run\n")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains("no Dockerfile"));
}

fn git(dir: &Path, args: &[&str]) -> std::process::Output {
    crate::support::git(dir)
        .args(args)
        .output()
        .expect("git runs")
}

#[cfg(unix)]
#[test]
fn hooks_in_a_real_git_repository() {
    let (_tmp, dir) = project(&["--operator", "jax"]);
    // Not a repository yet.
    let out = aichor()
        .args(["local-repo", "hooks", "install"])
        .arg(&dir)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("help: run `git init"),
        "{}",
        stderr(&out)
    );
    assert!(git(&dir, &["init", "-q"]).status.success());
    aichor()
        .args(["local-repo", "hooks", "install"])
        .arg(&dir)
        .assert()
        .success();
    let hook = dir.join(".git/hooks/commit-msg");
    let installed = std::fs::read_to_string(&hook).unwrap();
    // Installing again changes nothing.
    let out = aichor()
        .args(["local-repo", "hooks", "install"])
        .arg(&dir)
        .output()
        .unwrap();
    assert!(
        out.status.success() && stderr(&out).contains("already installed"),
        "{}",
        stderr(&out)
    );
    assert_eq!(std::fs::read_to_string(&hook).unwrap(), installed);

    assert!(git(&dir, &["add", "-A"]).status.success());
    let refused = git(&dir, &["commit", "-q", "-m", "aichor[missing.yaml]: x"]);
    assert!(!refused.status.success());
    assert!(
        stderr(&refused).contains("`aichor_manifests/missing.yaml`, which does not exist"),
        "{}",
        stderr(&refused)
    );
    let ok = git(&dir, &["commit", "-q", "-m", "aichor[manifest.yaml]: x"]);
    assert!(ok.status.success(), "{}", stderr(&ok));
    std::fs::write(dir.join("notes.txt"), "x\n").unwrap();
    assert!(git(&dir, &["add", "-A"]).status.success());
    let plain = git(&dir, &["commit", "-q", "-m", "plain message"]);
    assert!(plain.status.success(), "{}", stderr(&plain));

    // A hook we did not write: refused without --force, kept and run first with it.
    std::fs::write(&hook, "#!/bin/sh\necho legacy ran >&2\n").unwrap();
    let out = aichor()
        .args(["local-repo", "hooks", "install"])
        .arg(&dir)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("a hook aichor did not write"),
        "{}",
        stderr(&out)
    );
    aichor()
        .args(["local-repo", "hooks", "install", "--force"])
        .arg(&dir)
        .assert()
        .success();
    assert!(dir.join(".git/hooks/commit-msg.legacy").is_file());
    let both = git(
        &dir,
        &[
            "commit",
            "-q",
            "--allow-empty",
            "-m",
            "aichor[manifest.yaml]: again",
        ],
    );
    assert!(
        both.status.success() && stderr(&both).contains("legacy ran"),
        "{}",
        stderr(&both)
    );

    // A second foreign hook with --force would overwrite the kept one: refused.
    let ours = std::fs::read_to_string(&hook).unwrap();
    std::fs::write(&hook, "#!/bin/sh\n").unwrap();
    let out = aichor()
        .args(["local-repo", "hooks", "install", "--force"])
        .arg(&dir)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("already keeps an earlier hook"),
        "{}",
        stderr(&out)
    );
    std::fs::write(&hook, ours).unwrap();

    // Uninstall puts the other hook back, and then refuses to touch it.
    aichor()
        .args(["local-repo", "hooks", "uninstall"])
        .arg(&dir)
        .assert()
        .success();
    assert_eq!(
        std::fs::read_to_string(&hook).unwrap(),
        "#!/bin/sh\necho legacy ran >&2\n"
    );
    aichor()
        .args(["local-repo", "hooks", "uninstall"])
        .arg(&dir)
        .assert()
        .code(1);
    std::fs::remove_file(&hook).unwrap();
    aichor()
        .args(["local-repo", "hooks", "uninstall"])
        .arg(&dir)
        .assert()
        .success();
}

#[cfg(unix)]
#[test]
fn hooks_respect_core_hooks_path() {
    let tmp = tempfile::tempdir().unwrap();
    assert!(git(tmp.path(), &["init", "-q"]).status.success());
    assert!(
        git(tmp.path(), &["config", "core.hooksPath", ".githooks"])
            .status
            .success()
    );
    aichor()
        .args(["local-repo", "hooks", "install"])
        .arg(tmp.path())
        .assert()
        .success();
    assert!(tmp.path().join(".githooks/commit-msg").is_file());
    assert!(!tmp.path().join(".git/hooks/commit-msg").exists());
}

/// `hooks ARGS REPO`: exit code and stderr.
#[cfg(unix)]
fn hooks_cmd(repo: &Path, args: &[&str]) -> (Option<i32>, String) {
    let out = aichor()
        .args(["local-repo", "hooks"])
        .args(args)
        .arg(repo)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    (out.status.code(), stderr(&out))
}

/// A git repository with our hook installed: the repository, the hook, its text.
#[cfg(unix)]
fn hook_installed() -> (tempfile::TempDir, PathBuf, String) {
    let tmp = tempfile::tempdir().unwrap();
    assert!(git(tmp.path(), &["init", "-q"]).status.success());
    let hook = tmp.path().join(".git/hooks/commit-msg");
    assert_eq!(hooks_cmd(tmp.path(), &["install"]).0, Some(0));
    let ours = std::fs::read_to_string(&hook).unwrap();
    (tmp, hook, ours)
}

/// Our hook with a line the user added is theirs too: neither `install` (it said "Updated"
/// and dropped the line) nor `uninstall` loses it without `--force`, and the refusal names
/// `--force`.
#[cfg(unix)]
#[test]
fn hooks_never_lose_an_edit_to_our_hook_without_force() {
    let (tmp, hook, ours) = hook_installed();
    let repo = tmp.path();
    let edited = format!("{ours}# my line\n");
    std::fs::write(&hook, &edited).unwrap();
    for args in [&["install"][..], &["uninstall"]] {
        let (code, err) = hooks_cmd(repo, args);
        assert_eq!(code, Some(1), "{args:?}: {err}");
        assert!(
            err.contains("is aichor's hook, edited since aichor wrote it")
                && err.contains("help:")
                && err.contains("--force"),
            "{args:?}: {err}"
        );
        assert_eq!(std::fs::read_to_string(&hook).unwrap(), edited, "{args:?}");
    }
    let (code, err) = hooks_cmd(repo, &["install", "--force"]);
    assert!(code == Some(0) && err.contains("Replaced"), "{err}");
    assert_eq!(std::fs::read_to_string(&hook).unwrap(), ours);
    std::fs::write(&hook, &edited).unwrap();
    let (code, err) = hooks_cmd(repo, &["uninstall", "--force"]);
    assert!(code == Some(0) && err.contains("Removed"), "{err}");
    assert!(!hook.exists());
    // A hook aichor did not write stays refused by `uninstall`, `--force` or not.
    std::fs::write(&hook, "#!/bin/sh\n").unwrap();
    let (code, err) = hooks_cmd(repo, &["uninstall", "--force"]);
    assert!(code == Some(1) && err.contains("did not write"), "{err}");
    assert!(hook.exists());
}

/// The text the first aichor hook had (b56e19f to ab76cc6), calling `/opt/it's/aichor`.
#[cfg(unix)]
const FIRST_HOOK: &str = r#"#!/bin/sh
# aichor-commit-msg-hook: written by `aichor local-repo hooks install`
# Checks the commit message the way AIchor reads it (`aichor[<manifest>]: ...`).
# Remove with `aichor local-repo hooks uninstall`; skip once with `git commit --no-verify`.
legacy="$(dirname "$0")/commit-msg.legacy"
if [ -x "$legacy" ]; then
    "$legacy" "$@" || exit $?
fi
aichor='/opt/it'\''s/aichor'
if [ ! -x "$aichor" ]; then
    aichor=$(command -v aichor) || {
        echo "aichor commit-msg hook: aichor not found (was $aichor); message not checked" >&2
        exit 0
    }
fi
exec "$aichor" local-repo check --commit-msg "$1"
"#;

/// A hook exactly as an aichor wrote it (an earlier version, or today's from another
/// folder) is ours to update or remove without `--force`; the same one edited is not.
#[cfg(unix)]
#[test]
fn hooks_an_earlier_aichor_wrote_are_updated_and_removed() {
    let (tmp, hook, ours) = hook_installed();
    let repo = tmp.path();
    let moved: String = ours
        .lines()
        .map(|l| {
            if l.starts_with("installed='") {
                "installed='/elsewhere/aichor'\n".to_string()
            } else {
                format!("{l}\n")
            }
        })
        .collect();
    assert_ne!(moved, ours);
    for (name, text) in [("first", FIRST_HOOK), ("moved", moved.as_str())] {
        std::fs::write(&hook, text).unwrap();
        let (code, err) = hooks_cmd(repo, &["install"]);
        assert!(code == Some(0) && err.contains("Updated"), "{name}: {err}");
        assert_eq!(std::fs::read_to_string(&hook).unwrap(), ours, "{name}");
        std::fs::write(&hook, text).unwrap();
        let (code, err) = hooks_cmd(repo, &["uninstall"]);
        assert!(code == Some(0) && err.contains("Removed"), "{name}: {err}");
        assert!(!hook.exists(), "{name}");
        let edited = text.replace("exit 0", "exit 1");
        std::fs::write(&hook, &edited).unwrap();
        let (code, err) = hooks_cmd(repo, &["install"]);
        assert!(code == Some(1) && err.contains("edited"), "{name}: {err}");
        assert_eq!(std::fs::read_to_string(&hook).unwrap(), edited, "{name}");
        std::fs::remove_file(&hook).unwrap();
    }
}

#[cfg(unix)]
#[test]
fn init_hooks_installs_into_a_git_repository() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("demo");
    std::fs::create_dir(&dir).unwrap();
    assert!(git(&dir, &["init", "-q"]).status.success());
    aichor()
        .args(["local-repo", "init"])
        .arg(&dir)
        .args([
            "--no-input",
            "--no-lock",
            "--operator",
            "jax",
            "--force",
            "--hooks",
        ])
        .assert()
        .success();
    assert!(dir.join(".git/hooks/commit-msg").is_file());
    // `hooks = true` in the config file does the same; `--no-hooks` wins over it.
    let config = tmp.path().join("config.toml");
    std::fs::write(&config, "hooks = true\n").unwrap();
    for (name, flag, want) in [("cfg", None, true), ("cfg-no", Some("--no-hooks"), false)] {
        let dir = tmp.path().join(name);
        std::fs::create_dir(&dir).unwrap();
        assert!(git(&dir, &["init", "-q"]).status.success());
        aichor()
            .env_remove("AICHOR_NO_CONFIG")
            .env("AICHOR_CONFIG_FILE", &config)
            .args(["local-repo", "init"])
            .arg(&dir)
            .args(["--no-input", "--no-lock", "--operator", "jax", "--force"])
            .args(flag)
            .assert()
            .success();
        assert_eq!(dir.join(".git/hooks/commit-msg").is_file(), want, "{name}");
    }
    // Not a repository: the project is written and the warning says what to do.
    let other = tmp.path().join("other");
    let out = aichor()
        .args(["local-repo", "init"])
        .arg(&other)
        .args(["--no-input", "--no-lock", "--operator", "jax", "--hooks"])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(manifest(&other).is_file());
    assert!(
        stderr(&out).contains("after `git init`, run `aichor local-repo hooks install`"),
        "{}",
        stderr(&out)
    );
}

/// uv on PATH, if any (CI's checks and a developer's machine have it; the check is skipped
/// where it is not).
fn real_uv() -> Option<PathBuf> {
    let ok = std::process::Command::new("uv")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    ok.then(|| PathBuf::from("uv"))
}

#[test]
fn check_uv_lock_with_the_real_uv() {
    let Some(uv) = real_uv() else {
        eprintln!("uv is not on PATH: the stand-in tests cover the check");
        return;
    };
    let (_tmp, dir) = project(&["--operator", "jax"]);
    // No dependencies, so locking needs no network; the stand-in lock goes.
    std::fs::remove_file(dir.join("uv.lock")).unwrap();
    std::fs::write(
        dir.join("pyproject.toml"),
        "[project]\nname = \"demo\"\nversion = \"0.1.0\"\nrequires-python = \">=3.11\"\ndependencies = []\n",
    )
    .unwrap();
    let locked = std::process::Command::new(&uv)
        .args(["lock", "--offline", "--quiet"])
        .current_dir(&dir)
        .output()
        .unwrap();
    assert!(locked.status.success(), "{}", stderr(&locked));
    let uv_path = which::which(&uv).unwrap();
    let run = || {
        let out = aichor()
            .env("AICHOR_UV", &uv_path)
            .args(["local-repo", "check", "--format", "json"])
            .arg(&dir)
            .output()
            .unwrap();
        let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        (out.status.code().unwrap(), report)
    };
    let (code, report) = run();
    assert_eq!(
        (code, &report["uv_lock_checked"]),
        (0, &serde_json::json!(true)),
        "{report:#}"
    );
    edit(&dir.join("pyproject.toml"), "0.1.0", "0.2.0");
    let (code, report) = run();
    assert_eq!(code, 1, "{report:#}");
    assert!(
        report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["check"] == "uv-lock"
                && f["severity"] == "error"
                && f["message"].as_str().unwrap().contains("out of date")),
        "{report:#}"
    );
}

#[test]
fn check_commit_msg_follows_core_comment_char() {
    let (_tmp, dir) = project(&["--operator", "jax"]);
    assert!(git(&dir, &["init", "-q"]).status.success());
    assert!(
        git(&dir, &["config", "core.commentChar", ";"])
            .status
            .success()
    );
    let out = aichor()
        .args(["local-repo", "check", "--commit-msg", "-"])
        .arg(&dir)
        .write_stdin("; aichor[manifest.yaml]: a comment here\naichor[missing.yaml]: x\n\n; Please enter the commit message\n; Lines starting with ';' will be ignored\n")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.starts_with("<stdin>:2:1: error: the message runs `aichor_manifests/missing.yaml`"),
        "{stdout}"
    );
}

#[test]
fn check_several_manifests_share_one_build() {
    let (_tmp, dir) = project(&["--operator", "jax"]);
    std::fs::create_dir(dir.join("aichor_manifests/gpu")).unwrap();
    std::fs::copy(
        manifest(&dir),
        dir.join("aichor_manifests/gpu/manifest.yaml"),
    )
    .unwrap();
    std::fs::write(dir.join(".python-version"), "3.13\n").unwrap();
    let (code, found, report) = check(&dir, &[]);
    assert_eq!(
        report["manifests"],
        serde_json::json!([
            "aichor_manifests/gpu/manifest.yaml",
            "aichor_manifests/manifest.yaml"
        ])
    );
    // The build they share is checked once: one Python finding, one uv.lock note.
    assert_eq!(code, 1);
    assert_eq!(
        having(&found, "error", "python-version").len(),
        1,
        "{found:#?}"
    );
    assert_eq!(having(&found, "note", "uv-lock").len(), 1, "{found:#?}");
    assert!(
        found
            .iter()
            .any(|f| f.message.contains("aichor[gpu/manifest.yaml]")),
        "{found:#?}"
    );
}

/// A message on stdin that is not UTF-8 (a Latin-1 editor, `i18n.commitEncoding`) is read
/// like one from a file, not refused as unreadable; a byte-order mark before `aichor` is
/// named, since the platform will not see the trigger.
#[test]
fn check_commit_msg_with_odd_bytes() {
    let (_tmp, dir) = project(&["--operator", "jax"]);
    let out = aichor()
        .args([
            "local-repo",
            "check",
            "--format",
            "json",
            "--commit-msg",
            "-",
        ])
        .arg(&dir)
        .write_stdin(b"aichor[manifest.yaml]: caf\xe9\n".to_vec())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["manifests"][0], "aichor_manifests/manifest.yaml");
    std::fs::write(
        dir.join("MSG"),
        b"\xef\xbb\xbfaichor[manifest.yaml]: run\r\n",
    )
    .unwrap();
    aichor_snapshot!(aichor().args(["local-repo", "check", "--commit-msg", "MSG"]).current_dir(&dir), @"
    success: false
    exit_code: 1
    ----- stdout -----
    MSG:1:1: error: `﻿aichor[manifest.yaml]: run` looks like an AIchor trigger, but AIchor will not run it: the message starts with invisible characters (a byte-order mark, a zero-width or non-breaking space, or bytes that are not UTF-8)
        help: write it as `aichor[manifest.yaml]: run`
    commit message refused: 1 error, 0 warnings, 0 notes

    ----- stderr -----
    error: commit message refused: 1 error(s)
      help: fix the message as the help above says (`git commit --no-verify` skips the check)
    ");
}

/// Docker reads a Dockerfile and a `.dockerignore` whatever their bytes, and drops a UTF-8
/// byte-order mark: so does the check (no "cannot be read", no missed exclusion).
#[test]
fn check_dockerfile_and_dockerignore_bytes() {
    let (_tmp, dir) = project(&["--operator", "jax"]);
    let dockerfile = dir.join("Dockerfile");
    let mut text = b"\xef\xbb\xbf# caf\xe9\r\n".to_vec();
    text.extend(std::fs::read(&dockerfile).unwrap());
    std::fs::write(&dockerfile, text).unwrap();
    let (code, found, _) = check(&dir, &[]);
    assert_eq!(code, 0, "{found:#?}");
    std::fs::write(dir.join(".dockerignore"), b"\xef\xbb\xbfsrc\n# \xff\n").unwrap();
    let (code, found, _) = check(&dir, &[]);
    let hits = having(&found, "error", "dockerignore");
    assert_eq!((code, hits.len()), (1, 1), "{found:#?}");
    assert!(hits[0].message.contains("by `src`"), "{}", hits[0].message);
}

/// A hook that is a link (a shared hooks folder) or a folder: the help never offers a
/// `--force` that then refuses. A link is moved aside with `--force` (never written
/// through) and put back by `uninstall`; a folder is always left alone, by both commands.
#[cfg(unix)]
#[test]
fn hooks_with_a_link_or_a_folder_in_the_way() {
    let tmp = tempfile::tempdir().unwrap();
    let repo = tmp.path();
    assert!(git(repo, &["init", "-q"]).status.success());
    let hook = repo.join(".git/hooks/commit-msg");
    let shared = repo.join("shared-hook");
    std::fs::write(&shared, "#!/bin/sh\nexit 0\n").unwrap();
    std::os::unix::fs::symlink(&shared, &hook).unwrap();
    let run = |args: &[&str]| {
        let (text, _) = crate::support::run_and_format(
            aichor()
                .args(["local-repo", "hooks"])
                .args(args)
                .arg(repo)
                .env("NO_COLOR", "1"),
        );
        text.replace(&repo.display().to_string(), "[REPO]")
    };
    let refused = run(&["install"]);
    assert!(refused.contains("pass `--force`"), "{refused}");
    let forced = run(&["install", "--force"]);
    assert!(forced.contains("Installed"), "{forced}");
    let legacy = repo.join(".git/hooks/commit-msg.legacy");
    assert!(legacy.symlink_metadata().unwrap().is_symlink());
    assert_eq!(
        std::fs::read_to_string(&shared).unwrap(),
        "#!/bin/sh\nexit 0\n",
        "written through the link"
    );
    let removed = run(&["uninstall"]);
    assert!(removed.contains("Restored"), "{removed}");
    assert!(hook.symlink_metadata().unwrap().is_symlink());
    std::fs::remove_file(&hook).unwrap();
    // A folder.
    std::fs::create_dir(&hook).unwrap();
    for args in [&["install"][..], &["install", "--force"], &["uninstall"]] {
        let out = run(args);
        assert!(
            out.contains("is a hook aichor did not write") && out.contains("left alone"),
            "{args:?}: {out}"
        );
        assert!(!out.contains("--force"), "{args:?}: {out}");
    }
    assert!(hook.is_dir());
}

/// Commands Python cannot run are errors (they passed as notes or not at all), and
/// `bash -c '...'` is looked into rather than taken for a script named by its text.
#[test]
fn check_commands_python_cannot_run() {
    let (_tmp, dir) = project(&["--operator", "jax"]);
    let from = "command: \"python -u -m demo.main\"";
    for (command, wanted) in [
        ("", "`spec.command` is empty"),
        ("  ", "`spec.command` is empty"),
        ("python -u -m", "`-m` is followed by no module name"),
        ("python -m .demo.main", "`.demo.main` is not a module name"),
        ("python -m demo..main", "`demo..main` is not a module name"),
        ("python -m demo/main", "`demo/main` is not a module name"),
        (
            "bash -lc 'python -m demo.nope'",
            "runs the module `demo.nope`, which is not in the build context",
        ),
    ] {
        let text = std::fs::read_to_string(manifest(&dir)).unwrap();
        let text = text.replace(from, &format!("command: \"{command}\""));
        std::fs::write(manifest(&dir), &text).unwrap();
        let message = assert_one(&dir, "error", "command", &[]);
        assert!(message.contains(wanted), "{command}: {message}");
        std::fs::write(
            manifest(&dir),
            text.replace(&format!("command: \"{command}\""), from),
        )
        .unwrap();
    }
    // A folder with a `__main__.py` is something Python runs.
    std::fs::write(dir.join("src/demo/__main__.py"), "").unwrap();
    edit(&manifest(&dir), from, "command: \"python src/demo\"");
    assert_eq!(check(&dir, &[]).0, 0, "{:#?}", check(&dir, &[]).1);
    edit(&manifest(&dir), "command: \"python src/demo\"", from);
    // A shell running the right module is fine.
    edit(
        &manifest(&dir),
        from,
        "command: \"bash -c 'python -u -m demo.main'\"",
    );
    assert_eq!(check(&dir, &[]).0, 0);
}

/// A `builder.dockerfile` outside the repository (absolute, or `..` past the root under
/// either reading) is an error: the check does not read the host's file in its place.
#[test]
fn check_dockerfile_outside_the_repository() {
    let (tmp, dir) = project(&["--operator", "jax"]);
    // A Dockerfile beside the repository that would otherwise be found and read.
    std::fs::copy(dir.join("Dockerfile"), tmp.path().join("Dockerfile")).unwrap();
    let outside = tmp.path().join("Dockerfile").display().to_string();
    for path in [outside.as_str(), "../Dockerfile", "./sub/../../Dockerfile"] {
        let text = std::fs::read_to_string(manifest(&dir)).unwrap();
        std::fs::write(
            manifest(&dir),
            text.replace("dockerfile: ./Dockerfile", &format!("dockerfile: {path}")),
        )
        .unwrap();
        let message = assert_one(&dir, "error", "dockerfile", &[]);
        assert_eq!(
            message,
            format!("`builder.dockerfile` `{path}` is outside the repository")
        );
        std::fs::write(manifest(&dir), text).unwrap();
    }
    // `../Dockerfile` from a context folder is inside the repository: the root's Dockerfile,
    // read relative to the context as AIchor reads it.
    std::fs::create_dir(dir.join("build")).unwrap();
    edit(&manifest(&dir), "context: .", "context: build");
    edit(
        &manifest(&dir),
        "dockerfile: ./Dockerfile",
        "dockerfile: ../Dockerfile",
    );
    let (_, found, _) = check(&dir, &[]);
    assert!(
        found
            .iter()
            .all(|f| f.check != "dockerfile" || f.severity == "note"),
        "{found:#?}"
    );
}

/// A `.dockerignore` pattern `BuildKit` refuses (an unclosed `[`) fails the build: an error
/// at its line, where it used to be skipped in silence ("ready to submit").
#[test]
fn check_dockerignore_pattern_the_build_refuses() {
    let (_tmp, dir) = project(&["--operator", "jax"]);
    let ignore = dir.join(".dockerignore");
    let mut text = std::fs::read_to_string(&ignore).unwrap();
    let line = text.lines().count() + 1;
    text.push_str("data/[ab\n");
    std::fs::write(&ignore, &text).unwrap();
    let (code, found, report) = check(&dir, &[]);
    let hits = having(&found, "error", "dockerignore");
    assert_eq!((code, hits.len()), (1, 1), "{found:#?}");
    assert_eq!(hits[0].file, ".dockerignore");
    assert!(
        hits[0]
            .message
            .starts_with("`data/[ab` is not a valid pattern"),
        "{}",
        hits[0].message
    );
    let finding = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["check"] == "dockerignore")
        .unwrap();
    assert_eq!(finding["line"], line, "{report:#}");
}

/// Links under `aichor_manifests/`: a linked folder is not followed (`self -> .` looped
/// until the path was too long, `up -> ../..` collected manifests from outside the
/// repository), and a dangling `.yaml` link is one finding instead of an abort.
#[cfg(unix)]
#[test]
fn check_links_under_the_manifests_folder() {
    let (tmp, dir) = project(&["--operator", "jax"]);
    // A manifest outside the repository that `up` would reach.
    std::fs::write(tmp.path().join("outside.yaml"), "kind: nonsense\n").unwrap();
    let manifests = dir.join("aichor_manifests");
    std::os::unix::fs::symlink(".", manifests.join("self")).unwrap();
    std::os::unix::fs::symlink("../..", manifests.join("up")).unwrap();
    std::os::unix::fs::symlink("/nonexistent/x.yaml", manifests.join("gone.yaml")).unwrap();
    let (code, found, report) = check(&dir, &[]);
    assert_eq!(
        report["manifests"],
        serde_json::json!(["aichor_manifests/manifest.yaml"])
    );
    let hits = having(&found, "error", "manifest");
    assert_eq!((code, hits.len()), (1, 1), "{found:#?}");
    assert_eq!(hits[0].file, "aichor_manifests/gone.yaml");
    assert!(
        hits[0].message.starts_with("cannot be read"),
        "{}",
        hits[0].message
    );
    assert_eq!(
        found.iter().filter(|f| f.severity == "error").count(),
        1,
        "{found:#?}"
    );
}

/// `git` in `dir`, which must succeed.
fn git_ok(dir: &Path, args: &[&str]) {
    let out = git(dir, args);
    assert!(out.status.success(), "git {args:?}: {}", stderr(&out));
}

/// Every `*.yaml` under `dir`, relative to it, `/`-separated, sorted.
fn yaml_under(dir: &Path) -> Vec<String> {
    crate::manifest::yaml_files(dir)
        .iter()
        .map(|f| {
            f.strip_prefix(dir)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/")
        })
        .collect()
}

/// The conformance corpus as the monorepo it came from (`<demo>/manifests/**`, each build's
/// Dockerfile relative to its context), with YAML that is not a manifest beside it, and
/// manifests where no one keeps theirs (a virtual environment, `node_modules`, a hidden
/// folder), committed. Returns the repository and the corpus's files, relative to it.
fn corpus_monorepo() -> (tempfile::TempDir, PathBuf, Vec<String>) {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/conformance/legacy");
    let tmp = tempfile::tempdir().unwrap();
    let repo = tmp.path().join("aichor-demo");
    let files = yaml_under(&corpus);
    for rel in &files {
        let to = repo.join(rel);
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        std::fs::copy(corpus.join(rel), &to).unwrap();
        let m: yaml_serde::Value =
            yaml_serde::from_str(&std::fs::read_to_string(&to).unwrap()).unwrap();
        let context = repo.join(m["builder"]["context"].as_str().unwrap());
        let dockerfile = context.join(m["builder"]["dockerfile"].as_str().unwrap());
        std::fs::create_dir_all(dockerfile.parent().unwrap()).unwrap();
        std::fs::write(&dockerfile, "FROM python:3.11-slim\nCOPY . .\n").unwrap();
    }
    let manifest = std::fs::read(corpus.join(&files[0])).unwrap();
    for (rel, bytes) in [
        // YAML that is not a manifest, also in `manifests/` folders.
        (
            "deploy/manifests/service.yaml",
            &b"apiVersion: v1\nkind: Service\nspec:\n  ports: []\n"[..],
        ),
        ("jax-demo/config.yml", b"builder: none\noperator: me\n"),
        ("docs/notes.yaml", b"\xff\xfe not text\n"),
        ("docs/broken.yaml", b"builder: [\nspec:\n  operator: jax\n"),
        (".github/workflows/ci.yml", b"on: push\njobs: {}\n"),
        // Manifests where the walk does not look.
        (".venv/pyvenv.cfg", b"home = /usr/bin\n"),
        (".venv/lib/site/manifest.yaml", &manifest),
        ("venv/pyvenv.cfg", b"home = /usr/bin\n"),
        ("venv/lib/manifest.yaml", &manifest),
        ("node_modules/pkg/manifest.yaml", &manifest),
        (".cache/manifest.yaml", &manifest),
    ] {
        let to = repo.join(rel);
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        std::fs::write(&to, bytes).unwrap();
    }
    git_ok(&repo, &["init", "-q"]);
    git_ok(&repo, &["add", "-A"]);
    git_ok(&repo, &["commit", "-q", "-m", "the demos"]);
    (tmp, repo, files)
}

/// Every command a finding's help offers to paste (`` `mkdir -p … && …` ``).
fn pasted_commands(report: &serde_json::Value, severity: &str) -> Vec<String> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["severity"] == severity && f["check"] == "layout")
        .filter_map(|f| {
            let help = f["help"].as_str()?;
            let start = help.find("`mkdir -p ")? + 1;
            let end = start + help[start..].find('`')?;
            Some(help[start..end].to_string())
        })
        .collect()
}

/// A command pasted into a shell in `dir` (sandboxed like git), which must succeed.
fn sh(dir: &Path, command: &str) {
    let mut cmd = std::process::Command::new("sh");
    crate::support::isolate(&mut cmd);
    let out = cmd.args(["-c", command]).current_dir(dir).output().unwrap();
    assert!(out.status.success(), "{command}: {}", stderr(&out));
}

/// Every manifest of the conformance monorepo is reported (it reported none: it looked only
/// at a root `manifest.yaml` and a root `manifests/` folder), 29 of one folder as one
/// finding; only manifests are; and the commands, pasted, put each where adopt.md's table
/// says, as renames git sees.
#[test]
fn check_reports_every_manifest_in_the_corpus_monorepo() {
    let (_tmp, repo, files) = corpus_monorepo();
    assert_eq!(files.len(), 44);
    let (code, found, report) = check(&repo, &[]);
    assert_eq!(code, 1, "no manifest under aichor_manifests/ yet");
    assert_eq!(report["elsewhere"], serde_json::json!(files));
    for rel in &files {
        assert!(
            found.iter().any(|f| f.check == "layout" && &f.file == rel),
            "{rel} not reported: {found:#?}"
        );
    }
    let groups: Vec<&Found> = having(&found, "warning", "layout")
        .into_iter()
        .filter(|f| f.file.ends_with('/'))
        .collect();
    assert_eq!(groups.len(), 1, "{found:#?}");
    assert_eq!(groups[0].file, "hugging-face-accelerate/manifests/");
    assert!(
        groups[0].message.contains("holds 29 manifests"),
        "{}",
        groups[0].message
    );
    // One line per warning in the text report; the 29 behind `-v`.
    let text = aichor()
        .args(["local-repo", "check"])
        .arg(&repo)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&text.stdout);
    assert_eq!(stdout.matches(": warning: ").count(), 16, "{stdout}");
    assert!(
        stdout.ends_with(
            "not ready to submit (0 manifests, 44 outside `aichor_manifests/`; uv.lock not checked with uv): 1 error, 16 warnings, 29 notes (`-v` shows them)\n"
        ),
        "{stdout}"
    );
    // Pasted, the warnings' commands move every manifest (the group's in one command).
    let commands = pasted_commands(&report, "warning");
    assert_eq!(commands.len(), 16, "{commands:#?}");
    assert!(
        commands.contains(
            &"mkdir -p aichor_manifests && git mv hugging-face-accelerate/manifests aichor_manifests/hugging-face-accelerate".to_string()
        ),
        "{commands:#?}"
    );
    for command in &commands {
        sh(&repo, command);
    }
    let (code, found, report) = check(&repo, &[]);
    let expected: Vec<String> = files
        .iter()
        .map(|f| format!("aichor_manifests/{}", f.replacen("/manifests/", "/", 1)))
        .collect();
    let mut sorted = expected.clone();
    sorted.sort();
    assert_eq!(report["manifests"], serde_json::json!(sorted), "{found:#?}");
    assert_eq!(report["elsewhere"], serde_json::json!([]));
    // What is left: the old shapes, and the demos' code that is not in this corpus.
    assert!(
        found
            .iter()
            .filter(|f| f.severity == "error")
            .all(|f| f.check == "manifest" || f.check == "command"),
        "{found:#?}"
    );
    assert_eq!(code, 1);
    let status = git(&repo, &["status", "--porcelain"]);
    let status = String::from_utf8_lossy(&status.stdout);
    assert_eq!(
        status.lines().filter(|l| l.starts_with("R ")).count(),
        44,
        "{status}"
    );
    assert_eq!(status.lines().count(), 44, "{status}");
}

/// A move never lands on an existing file: a taken target gives the fallback that keeps
/// the `manifests` folder; the same bytes already there are a copy to remove; both targets
/// taken is said, with `adopt`; two manifests aiming at one place get one each. Untracked
/// files move with `mv`. Pasted, the commands change no existing file.
#[test]
fn check_moves_never_land_on_an_existing_file() {
    let (_tmp, dir) = project(&["--operator", "jax"]);
    let original = std::fs::read_to_string(manifest(&dir)).unwrap();
    let other = original.replace("-m demo.main", "-m demo.main --seed 1");
    let put = |rel: &str, text: &str| {
        let to = dir.join(rel);
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        std::fs::write(to, text).unwrap();
    };
    put("manifests/manifest.yaml", &other);
    put("demo/manifests/same.yaml", &original);
    put("aichor_manifests/demo/same.yaml", &original);
    put("busy/manifests/b.yaml", &other);
    put("aichor_manifests/busy/b.yaml", &original);
    put("aichor_manifests/busy/manifests/b.yaml", &original);
    put("manifests/x/c.yaml", &other);
    put("x/manifests/c.yaml", &other.replace("seed 1", "seed 2"));
    let before = crate::support::read_tree(&dir.join("aichor_manifests"));
    let (code, found, report) = check(&dir, &[]);
    assert_eq!(code, 0, "{found:#?}");
    let help = |file: &str| {
        report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["file"] == file && f["check"] == "layout")
            .unwrap_or_else(|| panic!("{file}: {report:#}"))["help"]
            .as_str()
            .unwrap()
            .to_string()
    };
    assert_eq!(
        help("manifests/manifest.yaml"),
        "move it with `mkdir -p aichor_manifests/manifests && mv manifests/manifest.yaml aichor_manifests/manifests/manifest.yaml` (then `aichor[manifests/manifest.yaml]:` runs it), or move every manifest with `aichor local-repo adopt`"
    );
    assert_eq!(
        help("demo/manifests/same.yaml"),
        "`aichor_manifests/demo/same.yaml` is a copy of it: remove this one (`rm demo/manifests/same.yaml`)"
    );
    assert_eq!(
        help("busy/manifests/b.yaml"),
        "`aichor_manifests/busy/b.yaml` and `aichor_manifests/busy/manifests/b.yaml` are taken: move it under another name by hand, or let `aichor local-repo adopt` plan the move"
    );
    assert!(
        help("manifests/x/c.yaml").contains("mv manifests/x/c.yaml aichor_manifests/x/c.yaml`"),
        "{}",
        help("manifests/x/c.yaml")
    );
    assert!(
        help("x/manifests/c.yaml")
            .contains("mv x/manifests/c.yaml aichor_manifests/x/manifests/c.yaml`"),
        "{}",
        help("x/manifests/c.yaml")
    );
    for command in pasted_commands(&report, "warning") {
        sh(&dir, &command);
    }
    let after = crate::support::read_tree(&dir.join("aichor_manifests"));
    for (rel, bytes) in &before {
        assert_eq!(after.get(rel), Some(bytes), "{rel} changed");
    }
    assert_eq!(after.len(), before.len() + 3, "{:#?}", after.keys());
    let (_, _, report) = check(&dir, &[]);
    assert_eq!(
        report["elsewhere"],
        serde_json::json!(["busy/manifests/b.yaml", "demo/manifests/same.yaml"])
    );
}

/// In a repository, the root `manifest.yaml` is what `exp …` commits run: a warning that
/// says so with the move and the trigger to use after it, its build checked like any
/// manifest's; with it, no "nothing to run".
#[test]
fn check_root_manifest_is_what_exp_commits_run() {
    let (_tmp, dir) = project(&["--operator", "jax"]);
    std::fs::rename(manifest(&dir), dir.join("manifest.yaml")).unwrap();
    std::fs::remove_dir(dir.join("aichor_manifests")).unwrap();
    git_ok(&dir, &["init", "-q"]);
    git_ok(&dir, &["add", "-A"]);
    git_ok(&dir, &["commit", "-q", "-m", "exp: first"]);
    aichor_snapshot!(aichor().args(["local-repo", "check"]).arg(&dir), @r"
    success: true
    exit_code: 0
    ----- stdout -----
    manifest.yaml: warning: `manifest.yaml` at the root is what `exp …` commits run (AIchor's legacy trigger); `aichor[…]:` commits run manifests under `aichor_manifests/`
        help: move it with `mkdir -p aichor_manifests && git mv manifest.yaml aichor_manifests/manifest.yaml`, then start commit messages with `aichor[manifest.yaml]:` instead of `exp` (`aichor local-repo adopt` moves every manifest)
    ready to submit (1 manifest, 1 outside `aichor_manifests/`; uv.lock not checked with uv): 0 errors, 1 warning, 3 notes (`-v` shows them)

    ----- stderr -----
    ");
    // Its build is checked.
    std::fs::remove_file(dir.join("Dockerfile")).unwrap();
    let (code, found, _) = check(&dir, &[]);
    assert_eq!(code, 1);
    assert_eq!(
        having(&found, "error", "dockerfile")[0].file,
        "manifest.yaml"
    );
    // The help, pasted, gives a project `aichor[manifest.yaml]:` runs.
    git_ok(&dir, &["checkout", "-q", "--", "Dockerfile"]);
    sh(
        &dir,
        "mkdir -p aichor_manifests && git mv manifest.yaml aichor_manifests/manifest.yaml",
    );
    let (code, found, report) = check(&dir, &[]);
    assert_eq!(code, 0, "{found:#?}");
    assert_eq!(
        report["manifests"],
        serde_json::json!(["aichor_manifests/manifest.yaml"])
    );
    assert!(having(&found, "warning", "layout").is_empty(), "{found:#?}");
}

/// A message starting with `exp` runs the root `manifest.yaml`: refused when that file is
/// missing, is not YAML, does not validate (the validator of `manifest validate`), or its
/// Dockerfile is missing; accepted, with the legacy warning, when it would run.
#[test]
fn check_commit_msg_exp_runs_the_root_manifest() {
    let (_tmp, dir) = project(&["--operator", "jax"]);
    std::fs::rename(manifest(&dir), dir.join("manifest.yaml")).unwrap();
    let good = std::fs::read_to_string(dir.join("manifest.yaml")).unwrap();
    let run = |message: &str| {
        let out = aichor()
            .args([
                "local-repo",
                "check",
                "--format",
                "json",
                "--commit-msg",
                "-",
            ])
            .arg(&dir)
            .write_stdin(format!("{message}\n"))
            .output()
            .unwrap();
        let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        (out.status.code().unwrap(), report)
    };
    let errors = |report: &serde_json::Value| -> Vec<(String, String)> {
        report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["severity"] == "error")
            .map(|f| {
                (
                    f["check"].as_str().unwrap().to_string(),
                    f["message"].as_str().unwrap().to_string(),
                )
            })
            .collect()
    };
    for message in ["exp: 1543", "EXP Handle SIGTERM", "exp Fix formatting"] {
        let (code, report) = run(message);
        assert_eq!(
            (code, errors(&report)),
            (0, vec![]),
            "{message}: {report:#}"
        );
        assert_eq!(report["manifests"], serde_json::json!(["manifest.yaml"]));
        let rest = message.split_once([' ']).unwrap().1;
        assert_eq!(
            report["findings"][0]["help"],
            format!(
                "move it to `aichor_manifests/` and write `aichor[manifest.yaml]: {rest}` (`aichor local-repo check` gives the command; `aichor local-repo adopt` moves every manifest)"
            ),
            "{message}"
        );
    }
    for (broken, check) in [
        ("spec:\n  image: [\n", "manifest"),
        (&*good.replace("worker:", "Worker:"), "manifest"),
        (
            &*good.replace("./Dockerfile", "./build/Dockerfile"),
            "dockerfile",
        ),
    ] {
        std::fs::write(dir.join("manifest.yaml"), broken).unwrap();
        let (code, report) = run("exp: 1543");
        let errors = errors(&report);
        assert_eq!(code, 1, "{broken}: {report:#}");
        assert!(
            !errors.is_empty() && errors.iter().all(|(c, _)| c == check),
            "{broken}: {errors:#?}"
        );
    }
    std::fs::remove_file(dir.join("manifest.yaml")).unwrap();
    aichor_snapshot!(aichor().args(["local-repo", "check", "--commit-msg", "-"]).arg(&dir).write_stdin("exp: 1543\n"), @"
    success: false
    exit_code: 1
    ----- stdout -----
    <stdin>:1:1: error: `exp` is AIchor's legacy trigger: it runs `manifest.yaml` at the repository root, which does not exist
        help: start the message with `aichor[<path relative to aichor_manifests/>]: 1543` to run a manifest there
    commit message refused: 1 error, 0 warnings, 0 notes

    ----- stderr -----
    error: commit message refused: 1 error(s)
      help: fix the message as the help above says (`git commit --no-verify` skips the check)
    ");
}

/// `check` knows the package the build backend ships: `uv_build` wants
/// `<module-root>/<module-name>/__init__.py` (default `src/` and `[project].name` with `_`),
/// hatchling its default heuristics. A project named `demo` whose code is in `src/hf/` was
/// "ready to submit" while `uv sync` in its Dockerfile fails.
#[test]
fn check_the_package_the_build_backend_expects() {
    let (_tmp, dir) = project(&["--operator", "jax"]);
    std::fs::rename(dir.join("src/demo"), dir.join("src/hf")).unwrap();
    edit(&manifest(&dir), "-m demo.main", "-m hf.main");
    let (code, found, report) = check(&dir, &[]);
    let hits = having(&found, "error", "package");
    assert_eq!((code, hits.len()), (1, 1), "{found:#?}");
    let finding = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["check"] == "package")
        .unwrap();
    assert_eq!(finding["file"], "pyproject.toml");
    assert_eq!(
        finding["message"],
        "the build backend `uv_build` expects the module `demo` at `src/demo/__init__.py` (the default module of the project `demo`), which does not exist: building the project (`uv sync`, `uv build`) fails"
    );
    assert_eq!(
        finding["help"],
        "set `module-name = \"hf\"` under `[tool.uv.build-backend]`, or rename `src/hf/` to `src/demo/`"
    );
    // The help, applied.
    let pyproject = dir.join("pyproject.toml");
    let text = std::fs::read_to_string(&pyproject).unwrap();
    std::fs::write(
        &pyproject,
        format!("{text}\n[tool.uv.build-backend]\nmodule-name = \"hf\"\n"),
    )
    .unwrap();
    assert_eq!(check(&dir, &[]).0, 0, "{:#?}", check(&dir, &[]).1);
    // `module-root` is honoured: a flat layout.
    std::fs::rename(dir.join("src/hf"), dir.join("hf")).unwrap();
    let message = assert_one(&dir, "error", "package", &[]);
    assert!(message.contains("`src/hf/__init__.py`"), "{message}");
    std::fs::write(
        &pyproject,
        format!("{text}\n[tool.uv.build-backend]\nmodule-name = \"hf\"\nmodule-root = \"\"\n"),
    )
    .unwrap();
    assert!(having(&check(&dir, &[]).1, "error", "package").is_empty());
    // A project that is never built is not checked.
    std::fs::write(&pyproject, format!("{text}\n[tool.uv]\npackage = false\n")).unwrap();
    assert!(having(&check(&dir, &[]).1, "error", "package").is_empty());
    let unbuilt = text[..text.find("[build-system]").unwrap()].to_string();
    std::fs::write(&pyproject, &unbuilt).unwrap();
    assert!(having(&check(&dir, &[]).1, "error", "package").is_empty());
    // hatchling: `hf/` is not `demo`.
    std::fs::write(
        &pyproject,
        format!("{unbuilt}\n[build-system]\nrequires = [\"hatchling\"]\nbuild-backend = \"hatchling.build\"\n"),
    )
    .unwrap();
    let message = assert_one(&dir, "error", "package", &[]);
    assert!(message.contains("hatchling finds no package"), "{message}");
    std::fs::rename(dir.join("hf"), dir.join("demo")).unwrap();
    assert!(having(&check(&dir, &[]).1, "error", "package").is_empty());
}

/// JobSet's completions are written twice (the starter shards by the copy in `spec.env`):
/// one edited without the other is flagged, since such a run does part of the work and
/// still exits 0 (issue 21, item 7).
#[test]
fn check_jobset_completions_and_their_copy_agree() {
    let (_tmp, dir) = project(&["--operator", "jobset", "--set", "completions=2"]);
    let (code, found, _) = check(&dir, &[]);
    assert!(
        having(&found, "error", "agreement").is_empty(),
        "{found:#?}"
    );
    assert_eq!(code, 0, "{found:#?}");
    edit(&manifest(&dir), "completions: 2", "completions: 4");
    let message = assert_one(&dir, "error", "agreement", &[]);
    assert!(
        message.contains(
            "`spec.env.JOBSET_COMPLETIONS` is 2 but `spec.types.worker.completions` is 4"
        ),
        "{message}"
    );
}

/// The KubeRay driver's `WORKERS` is the manifest's worker count written again (the platform
/// does not tell the driver): a manifest scaled without the driver is flagged where the
/// driver says it (issue 21, item 7).
#[test]
fn check_kuberay_workers_and_the_drivers_copy_agree() {
    let (_tmp, dir) = project(&["--operator", "kuberay", "--workers", "2"]);
    let (code, found, _) = check(&dir, &[]);
    assert!(
        having(&found, "error", "agreement").is_empty(),
        "{found:#?}"
    );
    assert_eq!(code, 0, "{found:#?}");
    edit(&manifest(&dir), "count: 2", "count: 3");
    let message = assert_one(&dir, "error", "agreement", &[]);
    assert!(
        message.contains("`WORKERS = 2` but the manifest"),
        "{message}"
    );
    assert!(
        message.contains("starts 3 Ray worker group pod(s)"),
        "{message}"
    );
}

/// A lock that resolves CUDA 13 wheels (driver >= 580) is flagged with the CUDA 12 builds to
/// use instead (issue 21, item 2).
#[test]
fn check_flags_cuda_13_in_the_lock() {
    let (_tmp, dir) = project(&["--operator", "xgboost", "--profile", "gpu-t4"]);
    std::fs::write(
        dir.join("uv.lock"),
        "version = 1\n\n[[package]]\nname = \"nvidia-nccl-cu13\"\nversion = \"2.28.3\"\n\n[[package]]\nname = \"xgboost\"\nversion = \"3.4.1\"\n",
    )
    .unwrap();
    let (_, found, _) = check(&dir, &[]);
    let hits = having(&found, "warning", "cuda");
    assert_eq!(hits.len(), 1, "{found:#?}");
    assert!(hits[0].message.contains("nvidia-nccl-cu13"), "{found:#?}");
}

/// Every finding of `--format json` has the fields the manual lists, `null` where unknown
/// (issue 20, item 25: `help`, `key`, `line`, `column` and `file` were left out).
#[test]
fn check_json_findings_carry_every_field() {
    let (_tmp, dir) = project(&["--operator", "jax"]);
    std::fs::write(dir.join(".python-version"), "3.12\n").unwrap();
    let (_, found, report) = check(&dir, &[]);
    assert!(found.len() >= 3, "{found:#?}");
    let fields = [
        "severity", "check", "file", "line", "column", "key", "message", "help",
    ];
    for finding in report["findings"].as_array().unwrap() {
        let keys: Vec<&str> = finding
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(keys, fields, "{finding:#}");
    }
    // Some are null: a note has no help, most findings no key.
    assert!(
        report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["help"].is_null() && f["key"].is_null())
    );
}

/// A merge left conflict markers in the module `spec.command` runs, or in pyproject.toml:
/// not ready, with the file and the line of the first `<<<<<<<` (issue 20, item 4).
#[test]
fn check_conflict_markers_in_the_sources() {
    let (_tmp, dir) = project(&["--operator", "jax"]);
    let main = dir.join("src/demo/main.py");
    let text = std::fs::read_to_string(&main).unwrap();
    std::fs::write(
        &main,
        format!("{text}<<<<<<< HEAD\nx = 1\n=======\nx = 2\n>>>>>>> feature\n"),
    )
    .unwrap();
    let (code, found, report) = check(&dir, &[]);
    let hits = having(&found, "error", "conflict");
    assert_eq!((code, hits.len()), (1, 1), "{found:#?}");
    assert_eq!(hits[0].file, "src/demo/main.py");
    let finding = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["check"] == "conflict")
        .unwrap();
    assert_eq!(finding["line"], text.lines().count() + 1);
    // A `=======` alone (a reST heading underline) is not a conflict.
    std::fs::write(&main, format!("{text}\"\"\"\nTitle\n=======\n\"\"\"\n")).unwrap();
    assert_eq!(check(&dir, &[]).0, 0);
    // pyproject.toml with markers: one finding (not a TOML error besides).
    let pyproject = dir.join("pyproject.toml");
    let text = std::fs::read_to_string(&pyproject).unwrap();
    std::fs::write(
        &pyproject,
        text.replacen(
            "version = \"0.1.0\"\n",
            "<<<<<<< ours\nversion = \"0.1.0\"\n=======\nversion = \"0.2.0\"\n>>>>>>> theirs\n",
            1,
        ),
    )
    .unwrap();
    let (code, found, _) = check(&dir, &[]);
    assert_eq!(code, 1);
    assert_eq!(having(&found, "error", "conflict").len(), 1, "{found:#?}");
    assert_eq!(having(&found, "error", "pyproject").len(), 0, "{found:#?}");
}

/// A pyproject.toml that is not TOML is an error at the place the parser stopped, uv or not
/// (issue 20, item 7: no finding at all without uv).
#[test]
fn check_unparsable_pyproject() {
    let (_tmp, dir) = project(&["--operator", "jax"]);
    edit(
        &dir.join("pyproject.toml"),
        "version = \"0.1.0\"",
        "version = \"0.1.0",
    );
    let (code, found, report) = check(&dir, &[]);
    let hits = having(&found, "error", "pyproject");
    assert_eq!((code, hits.len()), (1, 1), "{found:#?}");
    let finding = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["check"] == "pyproject")
        .unwrap();
    assert_eq!(finding["file"], "pyproject.toml");
    assert_eq!(finding["line"], 3, "{finding:#}");
    assert!(finding["column"].as_u64().is_some(), "{finding:#}");
}

/// A `.dockerignore` that drops what the build reads: the readme `uv_build` reads, the
/// pyproject.toml the Dockerfile bind-mounts, the package's `__init__.py` (issue 20, item 5).
/// Each is an error at its `.dockerignore` line.
#[test]
fn check_dockerignore_dropping_a_build_input() {
    for (pattern, path) in [
        ("*.md", "README.md"),
        ("pyproject.toml", "pyproject.toml"),
        ("**/__init__.py", "src/demo/__init__.py"),
    ] {
        let (_tmp, dir) = project(&["--operator", "jax"]);
        let ignore = dir.join(".dockerignore");
        let text = std::fs::read_to_string(&ignore).unwrap();
        std::fs::write(&ignore, format!("{text}{pattern}\n")).unwrap();
        let (code, found, report) = check(&dir, &[]);
        let hits = having(&found, "error", "dockerignore");
        assert_eq!((code, hits.len()), (1, 1), "{pattern}: {found:#?}");
        assert_eq!(hits[0].file, ".dockerignore");
        assert!(
            hits[0].message.starts_with(&format!("`{path}`")),
            "{pattern}: {}",
            hits[0].message
        );
        let finding = report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["check"] == "dockerignore")
            .unwrap();
        assert_eq!(finding["line"], text.lines().count() + 1);
    }
}

/// `builder.context: src` while the Dockerfile bind-mounts `uv.lock` and `pyproject.toml`
/// from the context, which holds neither (issue 20, item 6).
#[test]
fn check_files_the_dockerfile_takes_from_the_context_exist() {
    let (_tmp, dir) = project(&["--operator", "jax"]);
    edit(&manifest(&dir), "context: .", "context: src");
    edit(
        &manifest(&dir),
        "dockerfile: ./Dockerfile",
        "dockerfile: ../Dockerfile",
    );
    let (code, found, _) = check(&dir, &[]);
    let hits = having(&found, "error", "build-input");
    assert_eq!((code, hits.len()), (1, 2), "{found:#?}");
    assert!(
        hits[0]
            .message
            .starts_with("`uv.lock` (bind-mounted by `Dockerfile` line"),
        "{}",
        hits[0].message
    );
    assert!(
        hits[1].message.starts_with("`pyproject.toml`"),
        "{}",
        hits[1].message
    );
    assert!(hits.iter().all(|h| h.file == "Dockerfile"));
}

/// `uv.lock` ignored by git is never pushed: the build AIchor runs fails (issue 20, item 12).
/// Tracked anyway (`git add -f`), it is pushed: fine.
#[test]
fn check_git_ignored_build_inputs() {
    let (_tmp, dir) = project(&["--operator", "jax"]);
    assert!(git(&dir, &["init", "-q"]).status.success());
    let gitignore = dir.join(".gitignore");
    let text = std::fs::read_to_string(&gitignore).unwrap();
    std::fs::write(&gitignore, format!("{text}uv.lock\n")).unwrap();
    let (code, found, _) = check(&dir, &[]);
    let hits = having(&found, "error", "gitignore");
    assert_eq!((code, hits.len()), (1, 1), "{found:#?}");
    assert_eq!(hits[0].file, "uv.lock");
    assert!(
        hits[0].message.contains("`.gitignore` line"),
        "{}",
        hits[0].message
    );
    assert!(git(&dir, &["add", "-f", "uv.lock"]).status.success());
    assert_eq!(check(&dir, &[]).0, 0);
    // The module the command runs, and the manifest itself: never pushed either.
    std::fs::write(&gitignore, format!("{text}main.py\naichor_manifests/\n")).unwrap();
    let (code, found, _) = check(&dir, &[]);
    let files: Vec<&str> = having(&found, "error", "gitignore")
        .iter()
        .map(|f| f.file.as_str())
        .collect();
    assert_eq!(code, 1);
    assert_eq!(
        files,
        ["aichor_manifests/manifest.yaml", "src/demo/main.py"],
        "{found:#?}"
    );
}

/// A module whose package is neither in the repository nor installed by the build: a typo of
/// the project's package is an error, an unknown name a warning; a locked distribution, the
/// standard library or the base image is a note, as before (issue 20, "Also").
#[test]
fn check_a_module_nothing_provides() {
    let (_tmp, dir) = project(&["--operator", "jax"]);
    edit(&manifest(&dir), "-m demo.main", "-m deom.main");
    let message = assert_one(&dir, "error", "command", &[]);
    assert!(message.contains("runs a module of `deom`"), "{message}");
    edit(&manifest(&dir), "-m deom.main", "-m trainer.main");
    let message = assert_one(&dir, "warning", "command", &[]);
    assert!(
        message.contains("nor a distribution in `uv.lock`"),
        "{message}"
    );
    std::fs::write(
        dir.join("uv.lock"),
        "version = 1\n\n[[package]]\nname = \"trainer\"\nversion = \"1.0\"\n",
    )
    .unwrap();
    let (code, found, _) = check(&dir, &[]);
    assert_eq!(code, 0, "{found:#?}");
    assert!(
        found.iter().any(|f| f.severity == "note"
            && f.message
                .contains("the distribution `trainer` (uv.lock) provides it")),
        "{found:#?}"
    );
    edit(&manifest(&dir), "-m trainer.main", "-m http.server");
    assert_eq!(check(&dir, &[]).0, 0);
}

/// The hook checks what the commit will contain: a manifest the message runs that git does
/// not track and is not staged is not pushed, so the platform finds nothing (issue 20, item
/// 11). Staged, it passes.
#[cfg(unix)]
#[test]
fn hooks_check_the_manifest_is_in_the_commit() {
    let (_tmp, dir) = project(&["--operator", "jax"]);
    assert!(git(&dir, &["init", "-q"]).status.success());
    aichor()
        .args(["local-repo", "hooks", "install"])
        .arg(&dir)
        .assert()
        .success();
    assert!(git(&dir, &["add", "-A"]).status.success());
    let first = git(&dir, &["commit", "-q", "-m", "first"]);
    assert!(first.status.success(), "{}", stderr(&first));
    std::fs::copy(manifest(&dir), dir.join("aichor_manifests/big.yaml")).unwrap();
    let refused = git(
        &dir,
        &["commit", "-q", "--allow-empty", "-m", "aichor[big.yaml]: x"],
    );
    assert!(!refused.status.success());
    assert!(
        stderr(&refused)
            .contains("the message runs `aichor_manifests/big.yaml`, which is not in the commit"),
        "{}",
        stderr(&refused)
    );
    assert!(
        stderr(&refused).contains("help: `git add aichor_manifests/big.yaml`"),
        "{}",
        stderr(&refused)
    );
    // Staged, it is in the commit.
    assert!(
        git(&dir, &["add", "aichor_manifests/big.yaml"])
            .status
            .success()
    );
    let ok = git(&dir, &["commit", "-q", "-m", "aichor[big.yaml]: x"]);
    assert!(ok.status.success(), "{}", stderr(&ok));
    assert!(!stderr(&ok).contains("warning:"), "{}", stderr(&ok));
    // Changed since: the commit runs the committed version, which the check did not read.
    let big = dir.join("aichor_manifests/big.yaml");
    let text = std::fs::read_to_string(&big).unwrap();
    std::fs::write(&big, format!("{text}# edited\n")).unwrap();
    let warned = git(
        &dir,
        &["commit", "-q", "--allow-empty", "-m", "aichor[big.yaml]: y"],
    );
    assert!(warned.status.success(), "{}", stderr(&warned));
    assert!(
        stderr(&warned).contains("`aichor_manifests/big.yaml` has changes that are not staged"),
        "{}",
        stderr(&warned)
    );
    // `git commit -a` commits them (from a temporary index, GIT_INDEX_FILE): no warning.
    let all = git(&dir, &["commit", "-q", "-a", "-m", "aichor[big.yaml]: z"]);
    assert!(all.status.success(), "{}", stderr(&all));
    assert!(!stderr(&all).contains("warning:"), "{}", stderr(&all));
    // The root manifest.yaml an `exp` commit runs, the same.
    std::fs::copy(manifest(&dir), dir.join("manifest.yaml")).unwrap();
    let exp = git(&dir, &["commit", "-q", "--allow-empty", "-m", "exp: 1543"]);
    assert!(!exp.status.success());
    assert!(
        stderr(&exp).contains("the message runs `manifest.yaml`, which is not in the commit"),
        "{}",
        stderr(&exp)
    );
}

/// `git commit -m`/`-F` keeps `#` lines (no editor: cleanup `whitespace`), so `# wip` is
/// the subject and the commit runs nothing; from the editor git strips them (issue 20, item
/// 17). In the hook, git says which (`GIT_EDITOR=:` without an editor).
#[cfg(unix)]
#[test]
fn hooks_follow_git_cleanup_of_comment_lines() {
    let (_tmp, dir) = project(&["--operator", "jax"]);
    assert!(git(&dir, &["init", "-q"]).status.success());
    aichor()
        .args(["local-repo", "hooks", "install"])
        .arg(&dir)
        .assert()
        .success();
    assert!(git(&dir, &["add", "-A"]).status.success());
    // `-m`: `# wip` stays, and is what the platform reads; nothing runs (missing.yaml is not
    // looked at).
    let wip = git(
        &dir,
        &["commit", "-q", "-m", "# wip\naichor[missing.yaml]: x"],
    );
    assert!(wip.status.success(), "{}", stderr(&wip));
    let message = git(&dir, &["log", "-1", "--format=%B"]);
    assert_eq!(
        String::from_utf8_lossy(&message.stdout).lines().next(),
        Some("# wip")
    );
    // `commit.cleanup = strip`: git drops it, and the message runs missing.yaml.
    assert!(
        git(&dir, &["config", "commit.cleanup", "strip"])
            .status
            .success()
    );
    let stripped = git(
        &dir,
        &[
            "commit",
            "-q",
            "--allow-empty",
            "-m",
            "# wip\naichor[missing.yaml]: x",
        ],
    );
    assert!(!stripped.status.success());
    assert!(
        stderr(&stripped).contains("`aichor_manifests/missing.yaml`, which does not exist"),
        "{}",
        stderr(&stripped)
    );
    // The same text handed over as git's hook would with an editor (GIT_EDITOR is not `:`).
    assert!(
        git(&dir, &["config", "--unset", "commit.cleanup"])
            .status
            .success()
    );
    let edited = |editor: &str| {
        aichor()
            .args(["local-repo", "check", "--commit-msg", "-"])
            .arg(&dir)
            .env("GIT_INDEX_FILE", dir.join(".git/index"))
            .env("GIT_EDITOR", editor)
            .write_stdin("# wip\naichor[missing.yaml]: x\n")
            .output()
            .unwrap()
    };
    assert_eq!(edited("vi").status.code(), Some(1));
    assert_eq!(edited(":").status.code(), Some(0));
}

/// `aichor: start training` names no manifest: nothing runs, and the check says so with the
/// trigger that would (issue 20, item 24).
#[test]
fn check_commit_msg_warns_a_trigger_without_its_manifest() {
    let (_tmp, dir) = project(&["--operator", "jax"]);
    aichor_snapshot!(aichor().args(["local-repo", "check", "--commit-msg", "-"]).arg(&dir).write_stdin("aichor: start training\n"), @r#"
    success: true
    exit_code: 0
    ----- stdout -----
    <stdin>:1:1: warning: `aichor: start training` starts like an AIchor trigger but names no manifest: pushing it runs nothing
        help: to start an experiment, write `aichor[manifest.yaml]: start training` (the manifest's path relative to `aichor_manifests/`); otherwise reword the message
    commit message accepted: 0 errors, 1 warning, 0 notes

    ----- stderr -----
    "#);
}
