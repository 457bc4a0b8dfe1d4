//! The manual's safety promises (docs/manual.md), tried the way they break: signals sent to the real binary
//! at every stage (in a loop), `--force` into a folder that cannot take the project, an
//! empty folder that must be filled in place, and several inits racing for one folder.

use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::support::{entries, read_tree};

/// A stand-in for uv: records its pid in `pidfile`, waits `sleep` seconds, writes uv.lock.
fn fake_uv(dir: &Path, sleep: &str) -> (PathBuf, PathBuf) {
    let script = dir.join("fake-uv");
    let pidfile = dir.join("uv.pid");
    std::fs::write(
        &script,
        format!(
            "#!/bin/sh\necho $$ > '{}'\nsleep {sleep}\necho 'version = 1' > uv.lock\n",
            pidfile.display()
        ),
    )
    .unwrap();
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    (script, pidfile)
}

fn spawn_init(cwd: &Path, uv: &Path, args: &[&str]) -> Child {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_aichor"));
    crate::support::isolate(&mut cmd);
    cmd.args(["local-repo", "init"])
        .args(args)
        .args(["--operator", "jobset", "--no-input"])
        .current_dir(cwd)
        .env("AICHOR_UV", uv)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn aichor")
}

fn signal(child: &Child, sig: &str) {
    let status = Command::new("kill")
        .arg(format!("-{sig}"))
        .arg(child.id().to_string())
        .status()
        .expect("kill");
    assert!(status.success());
}

fn wait_for(path: &Path) {
    let start = Instant::now();
    while !path.exists() {
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "{} never appeared",
            path.display()
        );
        std::thread::sleep(Duration::from_millis(5));
    }
}

fn alive(pid: &str) -> bool {
    // A zombie is dead for our purpose: it no longer runs.
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .is_ok_and(|stat| stat.split_whitespace().nth(2).is_none_or(|s| s != "Z"))
}

/// SIGINT, SIGTERM and SIGHUP while `uv lock` runs: the status says which, nothing is left
/// (no project, no staging folder), and uv is stopped, not orphaned.
#[test]
fn signals_during_uv_lock_leave_nothing_and_stop_uv() {
    for (sig, code) in [
        ("INT", 130),
        ("TERM", 143),
        ("HUP", 129),
        ("INT", 130),
        ("INT", 130),
    ] {
        let tmp = tempfile::tempdir().unwrap();
        let tools = tempfile::tempdir().unwrap();
        let (uv, pidfile) = fake_uv(tools.path(), "30");
        let child = spawn_init(tmp.path(), &uv, &["demo"]);
        wait_for(&pidfile);
        std::thread::sleep(Duration::from_millis(50));
        signal(&child, sig);
        let out = child.wait_with_output().unwrap();
        assert_eq!(
            out.status.code(),
            Some(code),
            "SIG{sig}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            entries(tmp.path()).is_empty(),
            "SIG{sig} left {:?}",
            entries(tmp.path())
        );
        let pid = std::fs::read_to_string(&pidfile).unwrap();
        assert!(!alive(pid.trim()), "SIG{sig}: uv (pid {pid}) still runs");
    }
}

/// A signal at any moment, commit included: either exit 130 with nothing written, or exit 0
/// with the whole project. Never part of one.
#[test]
fn a_signal_at_any_moment_leaves_all_or_nothing() {
    let whole = {
        let tmp = tempfile::tempdir().unwrap();
        let tools = tempfile::tempdir().unwrap();
        let (uv, _) = fake_uv(tools.path(), "0");
        let out = spawn_init(tmp.path(), &uv, &["demo"])
            .wait_with_output()
            .unwrap();
        assert!(out.status.success());
        read_tree(&tmp.path().join("demo")).len()
    };
    let (mut interrupted, mut completed) = (0, 0);
    for i in 0..40u64 {
        let tmp = tempfile::tempdir().unwrap();
        let tools = tempfile::tempdir().unwrap();
        let (uv, pidfile) = fake_uv(tools.path(), "0.05");
        let child = spawn_init(tmp.path(), &uv, &["demo"]);
        wait_for(&pidfile);
        // From just before uv finishes to after the commit.
        std::thread::sleep(Duration::from_micros(40_000 + i * 1_000));
        signal(&child, "INT");
        let out = child.wait_with_output().unwrap();
        match out.status.code() {
            Some(130) => {
                interrupted += 1;
                assert!(
                    entries(tmp.path()).is_empty(),
                    "run {i} left {:?}",
                    entries(tmp.path())
                );
            }
            Some(0) => {
                completed += 1;
                assert_eq!(entries(tmp.path()), ["demo"], "run {i}");
                assert_eq!(read_tree(&tmp.path().join("demo")).len(), whole, "run {i}");
            }
            other => panic!(
                "run {i}: {other:?} {}",
                String::from_utf8_lossy(&out.stderr)
            ),
        }
    }
    eprintln!("{interrupted} interrupted, {completed} completed");
    assert!(interrupted > 0, "the signal never landed while writing");
}

/// `--force` into a folder where a file stands where the project needs a folder: refused
/// before the first change, the user's files untouched.
#[test]
fn force_into_a_blocked_folder_changes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let dest = tmp.path().join("blk");
    std::fs::create_dir(&dest).unwrap();
    std::fs::write(dest.join("src"), "x").unwrap();
    std::fs::write(dest.join("README.md"), "mine").unwrap();
    let before = read_tree(&dest);
    let out = spawn_init(
        tmp.path(),
        Path::new("/nonexistent/uv"),
        &["blk", "--force"],
    )
    .wait_with_output()
    .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("is a file where the project needs a folder"),
        "{err}"
    );
    assert_eq!(read_tree(&dest), before);
    assert_eq!(entries(tmp.path()), ["blk"], "no staging left");
}

/// An existing empty folder is filled in place: same inode, mode and setgid bit, and a
/// shell sitting in it still sits in the project.
#[test]
fn an_empty_folder_is_filled_in_place() {
    let tmp = tempfile::tempdir().unwrap();
    let dest = tmp.path().join("e");
    std::fs::create_dir(&dest).unwrap();
    std::fs::set_permissions(&dest, std::fs::Permissions::from_mode(0o2750)).unwrap();
    let before = std::fs::metadata(&dest).unwrap();
    // Run from inside it, naming it by its absolute path (`init "$PWD"`).
    let out = spawn_init(
        &dest,
        Path::new("/nonexistent/uv"),
        &[dest.to_str().unwrap()],
    )
    .wait_with_output()
    .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let after = std::fs::metadata(&dest).unwrap();
    assert_eq!(after.ino(), before.ino(), "the folder was replaced");
    assert_eq!(after.mode() & 0o7777, 0o2750);
    assert!(dest.join("aichor_manifests/manifest.yaml").is_file());
    assert_eq!(entries(tmp.path()), ["e"], "no staging left");
}

/// Several inits racing for one new folder: exactly one writes it, the others fail saying
/// so, and the folder holds one whole project.
#[test]
fn concurrent_inits_into_one_folder_have_one_winner() {
    let tmp = tempfile::tempdir().unwrap();
    let tools = tempfile::tempdir().unwrap();
    // uv takes a moment, so every process has inspected the folder before any commits.
    let (uv, _) = fake_uv(tools.path(), "0.3");
    let children: Vec<Child> = (0..4)
        .map(|_| spawn_init(tmp.path(), &uv, &["demo"]))
        .collect();
    let outs: Vec<_> = children
        .into_iter()
        .map(|c| c.wait_with_output().unwrap())
        .collect();
    let winners = outs.iter().filter(|o| o.status.success()).count();
    assert_eq!(
        winners,
        1,
        "{:?}",
        outs.iter()
            .map(|o| String::from_utf8_lossy(&o.stderr).into_owned())
            .collect::<Vec<_>>()
    );
    for o in outs.iter().filter(|o| !o.status.success()) {
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(1), "{err}");
        // Raced at the commit, or (on a slow machine) started after the winner finished.
        assert!(
            err.contains("was filled while aichor prepared the project")
                || err.contains("is not empty"),
            "{err}"
        );
    }
    assert_eq!(entries(tmp.path()), ["demo"], "no staging left");
    assert!(tmp.path().join("demo/uv.lock").is_file());
}

/// A read-only parent: a clear error naming the folder, nothing created. Root writes
/// through permissions, so as root the binary runs as `nobody` (setpriv); where neither
/// works, the test says so and skips.
#[test]
fn a_read_only_parent_is_a_clear_error() {
    let uid = Command::new("id").arg("-u").output().unwrap();
    let root = String::from_utf8_lossy(&uid.stdout).trim() == "0";
    let setpriv = Command::new("setpriv")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if root && !setpriv {
        eprintln!("skipped: running as root without setpriv to drop privileges");
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    std::fs::set_permissions(tmp.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let ro = tmp.path().join("ro");
    std::fs::create_dir(&ro).unwrap();
    std::fs::set_permissions(&ro, std::fs::Permissions::from_mode(0o555)).unwrap();
    let mut cmd = if root {
        let mut c = Command::new("setpriv");
        c.args(["--reuid=65534", "--regid=65534", "--clear-groups"])
            .arg(env!("CARGO_BIN_EXE_aichor"));
        c
    } else {
        Command::new(env!("CARGO_BIN_EXE_aichor"))
    };
    crate::support::isolate(&mut cmd);
    let out = cmd
        .args([
            "local-repo",
            "init",
            "demo",
            "--operator",
            "jax",
            "--no-input",
        ])
        .current_dir(&ro)
        .env("NO_COLOR", "1")
        .env("AICHOR_UV", "/nonexistent/uv")
        .output()
        .unwrap();
    std::fs::set_permissions(&ro, std::fs::Permissions::from_mode(0o755)).unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    if root && err.starts_with("setpriv:") {
        // The binary itself lies where `nobody` cannot reach it (a private checkout).
        eprintln!("skipped: `nobody` cannot run the binary here: {err}");
        return;
    }
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("cannot hold a staging directory") && err.contains("Permission denied"),
        "{err}"
    );
    assert!(entries(&ro).is_empty());
}

/// Unmounts when dropped, so a failed assertion does not leave a mount behind.
struct Mount(PathBuf);

impl Drop for Mount {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.0).status();
    }
}

/// A real full disk (a small tmpfs): a clear error, and the folder as it was. Needs root
/// (or `CAP_SYS_ADMIN`) to mount; skipped with the reason elsewhere.
#[test]
fn a_full_disk_is_a_clear_error_and_changes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let mnt = tmp.path().join("small");
    std::fs::create_dir(&mnt).unwrap();
    let mounted = Command::new("mount")
        .args(["-t", "tmpfs", "-o", "size=256k", "tmpfs"])
        .arg(&mnt)
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !mounted {
        eprintln!("skipped: cannot mount a tmpfs here (needs root or CAP_SYS_ADMIN)");
        return;
    }
    let _guard = Mount(mnt.clone());
    // Leave room for a few files of the project, not all of them.
    let filler = vec![0u8; 240 * 1024];
    let _ = std::fs::write(mnt.join("filler"), &filler);
    for force in [false, true] {
        let dest = mnt.join("demo");
        if force {
            std::fs::create_dir_all(&dest).unwrap();
            std::fs::write(dest.join("Dockerfile"), "FROM scratch\n").unwrap();
        }
        let before = read_tree(&mnt);
        let mut args = vec!["demo"];
        if force {
            args.push("--force");
        }
        let out = spawn_init(&mnt, Path::new("/nonexistent/uv"), &args)
            .wait_with_output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "force={force}: {err}");
        assert!(
            err.contains("No space left on device"),
            "force={force}: {err}"
        );
        assert_eq!(read_tree(&mnt), before, "force={force}");
        assert!(
            !entries(&mnt)
                .iter()
                .any(|e| e.starts_with(".aichor-staging-")),
            "force={force}: {:?}",
            entries(&mnt)
        );
    }
}

/// What a crash left (a staging folder whose journal says a commit was under way) is put
/// back by the next run of any command there, which says so.
#[test]
fn the_next_run_puts_back_what_a_crash_left() {
    let tmp = tempfile::tempdir().unwrap();
    let dest = tmp.path().join("demo");
    let staging = tmp.path().join(".aichor-staging-999-0-0");
    std::fs::create_dir_all(dest.join("src")).unwrap();
    std::fs::create_dir_all(staging.join("replaced")).unwrap();
    std::fs::create_dir_all(staging.join("project")).unwrap();
    // Mid-commit: the user's README set aside and ours moved in; a new file moved in too.
    std::fs::write(staging.join("replaced/README.md"), "mine").unwrap();
    std::fs::write(dest.join("README.md"), "ours").unwrap();
    std::fs::write(dest.join("src/new.py"), "ours").unwrap();
    let journal = serde_json::json!({
        "dest": dest, "new": false,
        "moves": [["README.md", true], ["src/new.py", false]], "dirs": [],
    });
    std::fs::write(staging.join("journal"), journal.to_string()).unwrap();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_aichor"));
    crate::support::isolate(&mut cmd);
    let out = cmd
        .args(["profiles", "list"])
        .current_dir(tmp.path())
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(
        err.contains("Recovered") && err.contains("is back as it was"),
        "{err}"
    );
    assert_eq!(
        std::fs::read_to_string(dest.join("README.md")).unwrap(),
        "mine"
    );
    assert!(!dest.join("src/new.py").exists());
    assert!(dest.join("src").is_dir(), "a folder that was there stays");
    assert_eq!(entries(tmp.path()), ["demo"]);
}

/// `local-repo update`, stopped by SIGINT while `uv lock` re-resolves the changed
/// `pyproject.toml`: exit 130, the project exactly as it was (no staging folder beside it),
/// uv stopped, and stderr, a pipe here, free of terminal escape codes.
#[test]
fn sigint_during_an_updates_uv_lock_leaves_the_project_as_it_was() {
    let tmp = tempfile::tempdir().unwrap();
    let tools = tempfile::tempdir().unwrap();
    let init = crate::support::aichor()
        .current_dir(tmp.path())
        .args(["local-repo", "init", "demo", "--no-input", "--no-lock"])
        .args(["--operator", "pytorch"])
        .output()
        .unwrap();
    assert!(init.status.success());
    let dir = tmp.path().join("demo");
    std::fs::write(dir.join("uv.lock"), "version = 1\n").unwrap();
    let before = read_tree(&dir);
    let (uv, pidfile) = fake_uv(tools.path(), "30");
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_aichor"));
    crate::support::isolate(&mut cmd);
    let child = cmd
        .args([
            "local-repo",
            "update",
            "--no-input",
            "--set",
            "profile=gpu-t4",
        ])
        .current_dir(&dir)
        .env("AICHOR_UV", &uv)
        .env("AICHOR_NO_CONFIG", "1")
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn aichor");
    wait_for(&pidfile);
    std::thread::sleep(Duration::from_millis(50));
    signal(&child, "INT");
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(130), "{err}");
    assert!(!err.contains('\u{1b}'), "escape codes on a pipe: {err:?}");
    assert_eq!(read_tree(&dir), before);
    assert_eq!(entries(tmp.path()), ["demo"]);
    let pid = std::fs::read_to_string(&pidfile).unwrap();
    assert!(!alive(pid.trim()), "uv (pid {pid}) still runs");
}
