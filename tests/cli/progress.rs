//! Spinners on the slow steps (`uv lock`, cloning a pack), through a real pseudo-terminal:
//! shown with the step and the elapsed time, erased when the step ends (Ctrl-C included),
//! the tool's captured output shown only when it fails; and never without a terminal, with
//! `--format json` or with `AICHOR_NO_PROGRESS`. uv and git are stand-in scripts.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;

use rexpect::process::WaitStatus;
use rexpect::session::PtySession;

use crate::support::{aichor, stderr};

/// indicatif erases the line with this before each frame and once at the end.
const CLEAR_LINE: &str = "\x1b[2K";

/// An executable `name` in `dir` that runs `script`.
fn script(dir: &Path, name: &str, script: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, format!("#!/bin/sh\n{script}\n")).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    path
}

/// A uv that takes 1.5 s to lock (long enough for the elapsed time to reach `1s`).
const SLOW_UV: &str = "sleep 1.5; echo 'version = 1' > uv.lock";

/// `aichor local-repo init demo --no-input --operator jax` plus `args` in a terminal, with
/// `uv` as given, in the suite's sandbox (`support::isolate`).
fn spawn(cwd: &Path, uv: &Path, args: &[&str], env: &[(&str, &str)]) -> PtySession {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_aichor"));
    crate::support::isolate(&mut cmd);
    cmd.args([
        "local-repo",
        "init",
        "demo",
        "--no-input",
        "--operator",
        "jax",
    ])
    .args(args)
    .current_dir(cwd)
    .env("TERM", "xterm-256color");
    cmd.env("AICHOR_UV", uv).envs(env.iter().copied());
    rexpect::session::spawn_command(cmd, Some(20_000)).expect("spawn in a pty")
}

fn exit_code(p: &mut PtySession) -> i32 {
    match p.process_mut().wait().expect("wait") {
        WaitStatus::Exited(_, code) => code,
        WaitStatus::Signaled(_, sig, _) => 128 + sig as i32,
        other => panic!("unexpected status {other:?}"),
    }
}

/// Nothing of the spinner is left on screen: each frame starts by erasing the line, so the
/// last erase must come after the last frame, and what follows it is the run's next output.
fn assert_erased(out: &str) {
    assert!(out.contains(CLEAR_LINE), "no spinner was drawn: {out:?}");
    let after = out.rsplit(CLEAR_LINE).next().unwrap_or_default();
    for frame in ["Locking", "Cloning", "dependencies with"] {
        assert!(
            !after.contains(frame),
            "the spinner's last frame was left on screen: {after:?}"
        );
    }
}

#[test]
fn uv_lock_shows_a_spinner_with_the_elapsed_time_then_erases_it() {
    let tmp = tempfile::tempdir().unwrap();
    let uv = script(tmp.path(), "fake-uv", SLOW_UV);
    let mut p = spawn(tmp.path(), &uv, &["--lock"], &[]);
    // The verb is coloured: match the words after it.
    let mut out = p.exp_string("dependencies with `uv lock`").unwrap();
    // indicatif counts whole seconds: `0s`, then `1s` while uv still runs.
    out += &p.exp_string(" 1s").unwrap();
    out += &p.exp_string("Created").unwrap();
    out += &p.exp_eof().unwrap();
    assert_eq!(exit_code(&mut p), 0, "{out}");
    assert_erased(&out);
    assert!(tmp.path().join("demo/uv.lock").is_file());
}

#[test]
fn a_failing_uv_lock_shows_what_uv_said() {
    let tmp = tempfile::tempdir().unwrap();
    let uv = script(
        tmp.path(),
        "fake-uv",
        "sleep 0.3; echo '  Resolving for Python 3.11' >&2; \
         echo 'error: no solution: jax[cuda] needs a GPU wheel' >&2; exit 1",
    );
    let mut p = spawn(tmp.path(), &uv, &["--lock"], &[]);
    p.exp_string("dependencies with `uv lock`").unwrap();
    let out = p.exp_eof().unwrap();
    assert_eq!(
        exit_code(&mut p),
        0,
        "init succeeds without the lock: {out}"
    );
    assert!(
        out.contains("`uv lock` failed (error: no solution: jax[cuda] needs a GPU wheel)"),
        "{out}"
    );
    assert!(out.contains("uv said:"), "{out}");
    assert!(out.contains("Resolving for Python 3.11"), "{out}");
}

#[test]
fn ctrl_c_while_locking_erases_the_spinner() {
    let tmp = tempfile::tempdir().unwrap();
    let uv = script(tmp.path(), "fake-uv", "sleep 10");
    let mut p = spawn(tmp.path(), &uv, &["--lock"], &[]);
    let mut out = p.exp_string("dependencies with `uv lock`").unwrap();
    out += &p.exp_string(" 0s").unwrap();
    p.send_control('c').unwrap();
    out += &p.exp_eof().unwrap();
    assert_eq!(exit_code(&mut p), 130, "{out:?}");
    assert_erased(&out);
    assert!(!tmp.path().join("demo").exists());
}

/// `init --template <git URL>` in a terminal, with a `git` on PATH that runs `git_script`.
fn spawn_clone(tmp: &Path, git_script: &str) -> PtySession {
    let bin = tmp.join("bin");
    std::fs::create_dir(&bin).unwrap();
    script(&bin, "git", git_script);
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let cache = tmp.join("cache");
    spawn(
        tmp,
        &tmp.join("no-uv"),
        &["--template", "https://example.invalid/pack.git"],
        &[
            ("PATH", path.as_str()),
            ("AICHOR_CACHE_DIR", cache.to_str().unwrap()),
        ],
    )
}

#[test]
fn cloning_a_pack_shows_a_spinner_and_gits_output_only_when_it_fails() {
    let tmp = tempfile::tempdir().unwrap();
    let mut p = spawn_clone(
        tmp.path(),
        "sleep 1.5; echo 'remote: Repository not found.' >&2; \
         echo \"fatal: repository 'https://example.invalid/pack.git/' not found\" >&2; exit 128",
    );
    let mut out = p.exp_string("`https://example.invalid/pack.git`").unwrap();
    out += &p.exp_string(" 1s").unwrap();
    out += &p.exp_eof().unwrap();
    assert_eq!(exit_code(&mut p), 1, "{out}");
    let error = out.split("error:").nth(1).expect("an error");
    assert!(error.contains("Repository not found."), "{out}");
    assert_erased(&out);
}

/// Ctrl-C while cloning: the signal handler itself ends the run (nothing is being written),
/// and erases the spinner before it exits.
#[test]
fn ctrl_c_while_cloning_erases_the_spinner() {
    let tmp = tempfile::tempdir().unwrap();
    let mut p = spawn_clone(tmp.path(), "sleep 10");
    let mut out = p.exp_string("`https://example.invalid/pack.git`").unwrap();
    out += &p.exp_string(" 0s").unwrap();
    p.send_control('c').unwrap();
    out += &p.exp_eof().unwrap();
    assert_eq!(exit_code(&mut p), 130, "{out:?}");
    assert_erased(&out);
    assert!(!tmp.path().join("demo").exists());
}

/// Where nobody watches a spinner, the step is one status line and no escape codes.
#[test]
fn no_spinner_with_json_or_aichor_no_progress() {
    for (args, env) in [
        (&["--format", "json"][..], &[][..]),
        (&["--no-progress"][..], &[][..]),
        (&[][..], &[("AICHOR_NO_PROGRESS", "1")][..]),
        (&[][..], &[("AICHOR_NO_PROGRESS", "yes")][..]),
    ] {
        let tmp = tempfile::tempdir().unwrap();
        let uv = script(
            tmp.path(),
            "fake-uv",
            "sleep 0.5; echo 'version = 1' > uv.lock",
        );
        let mut args = args.to_vec();
        args.push("--lock");
        let mut p = spawn(tmp.path(), &uv, &args, env);
        let out = p.exp_eof().unwrap();
        assert_eq!(exit_code(&mut p), 0, "{args:?} {env:?}: {out}");
        assert!(
            !out.contains(CLEAR_LINE),
            "{args:?} {env:?}: a spinner was drawn: {out:?}"
        );
        assert!(
            out.contains("dependencies with `uv lock`"),
            "{args:?} {env:?}: the status line instead: {out}"
        );
    }
}

#[test]
fn no_spinner_when_stderr_is_not_a_terminal() {
    let tmp = tempfile::tempdir().unwrap();
    let uv = script(
        tmp.path(),
        "fake-uv",
        "sleep 0.5; echo 'version = 1' > uv.lock",
    );
    let out = aichor()
        .current_dir(tmp.path())
        .env("AICHOR_UV", &uv)
        .env("TERM", "xterm-256color")
        .args([
            "local-repo",
            "init",
            "demo",
            "--no-input",
            "--operator",
            "jax",
            "--lock",
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(!err.contains('\x1b'), "{err:?}");
    assert!(
        err.contains("   Locking dependencies with `uv lock`\n"),
        "{err}"
    );
}

#[test]
fn an_invalid_aichor_no_progress_is_refused_naming_the_values() {
    let out = aichor()
        .env("AICHOR_NO_PROGRESS", "maybe")
        .args(["profiles", "list"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("`maybe` is not a yes/no value"), "{err}");
}
