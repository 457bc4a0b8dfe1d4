//! `local-repo run` with hand-written manifests whose commands are tiny `python3 -c`
//! programs (python3 is all they need): the operators' variables, the first failure
//! stopping the others, signals and `--timeout` leaving no process behind (checked by
//! process group), two runs at once, a user's own code failing under its prefix.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::support::{aichor, isolate};

/// A project with one manifest: `operator`, `command`, `types` (YAML under `types:`).
fn project(operator: &str, command: &str, types: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("aichor_manifests")).unwrap();
    std::fs::write(dir.path().join("Dockerfile"), "FROM python:3.12-slim\n").unwrap();
    let manifest = format!(
        "kind: AIchorManifest\napiVersion: 0.2.3\nbuilder:\n  image: demo\n  dockerfile: ./Dockerfile\n  context: .\nspec:\n  operator: {operator}\n  image: demo\n  command: {}\n  env:\n    FROM_MANIFEST: \"yes\"\n  types:\n{types}",
        serde_json::to_string(command).unwrap()
    );
    std::fs::write(dir.path().join("aichor_manifests/manifest.yaml"), manifest).unwrap();
    dir
}

fn workers(count: u32) -> String {
    format!(
        "    worker:\n      count: {count}\n      resources:\n        cpus: 1\n        ramRatio: 2\n"
    )
}

/// A python3 program as one `spec.command` (no shell syntax outside the quotes).
fn py(code: &str) -> String {
    format!("python3 -c '{code}'")
}

fn summary(dir: &Path) -> serde_json::Value {
    let runs = dir.join(".aichor/runs");
    let run = std::fs::read_dir(&runs).unwrap().next().unwrap().unwrap();
    serde_json::from_str(&std::fs::read_to_string(run.path().join("summary.json")).unwrap())
        .unwrap()
}

#[test]
fn dry_run_json_gives_each_rank_the_operators_variables() {
    let dir = project("xgboost", "python3 -m demo.main", &workers(4));
    let out = aichor()
        .current_dir(dir.path())
        .env("RANK", "7")
        .env("RAY_ADDRESS", "10.0.0.1:6379")
        .args([
            "local-repo",
            "run",
            "--dry-run",
            "--workers",
            "2",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let plan: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(plan["operator"], "xgboost");
    let procs = plan["processes"].as_array().unwrap();
    assert_eq!(procs.len(), 2);
    let one = &procs[1];
    assert_eq!(one["name"], "worker-1");
    assert_eq!(
        one["argv"],
        serde_json::json!(["python3", "-m", "demo.main"])
    );
    assert_eq!(one["env"]["RANK"], "1");
    assert_eq!(one["env"]["WORLD_SIZE"], "2");
    assert_eq!(one["env"]["MASTER_ADDR"], "127.0.0.1");
    assert_eq!(one["env"]["WORKER_ADDRS"], "127.0.0.1");
    assert_eq!(one["env"]["FROM_MANIFEST"], "yes");
    assert!(
        one["env"]["AICHOR_OUTPUT_PATH"]
            .as_str()
            .unwrap()
            .ends_with("/outputs/")
    );
    // The inherited RANK is replaced; RAY_ADDRESS, a platform variable, is removed.
    assert_eq!(one["unset"], serde_json::json!(["RAY_ADDRESS"]));
    // A dry run starts nothing and writes nothing.
    assert!(!dir.path().join(".aichor").exists());
}

#[test]
fn dry_run_jobset_two_jobs_of_two_pods() {
    let types = "    worker:\n      count: 2\n      completions: 2\n      parallelisms: 2\n      resources:\n        cpus: 1\n        ramRatio: 2\n";
    let dir = project("jobset", "python3 -m demo.main", types);
    let out = aichor()
        .current_dir(dir.path())
        .args(["local-repo", "run", "--dry-run", "--format", "json"])
        .output()
        .unwrap();
    let plan: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let got: Vec<(String, String, String)> = plan["processes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["name"].as_str().unwrap().to_string(),
                p["env"]["JOB_INDEX"].as_str().unwrap().to_string(),
                p["env"]["JOB_COMPLETION_INDEX"]
                    .as_str()
                    .unwrap()
                    .to_string(),
            )
        })
        .collect();
    let want: Vec<(String, String, String)> = [
        ("worker-0-0", "0", "0"),
        ("worker-0-1", "0", "1"),
        ("worker-1-0", "1", "0"),
        ("worker-1-1", "1", "1"),
    ]
    .iter()
    .map(|(a, b, c)| ((*a).into(), (*b).into(), (*c).into()))
    .collect();
    assert_eq!(got, want);
}

#[test]
fn every_rank_runs_with_its_variables_and_output_under_its_prefix() {
    let code = "import os; print(\"rank\", os.environ[\"RANK\"], \"of\", os.environ[\"WORLD_SIZE\"], os.environ[\"FROM_MANIFEST\"]); open(os.environ[\"AICHOR_OUTPUT_PATH\"] + \"r\" + os.environ[\"RANK\"], \"w\").close()";
    let dir = project("pytorch", &py(code), &workers(2));
    let out = aichor()
        .current_dir(dir.path())
        .args(["local-repo", "run"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("[worker-0] rank 0 of 2 yes"), "{stdout}");
    assert!(stdout.contains("[worker-1] rank 1 of 2 yes"), "{stdout}");
    let s = summary(dir.path());
    assert_eq!(s["outcome"], "ok");
    assert_eq!(s["outputs"], serde_json::json!(["r0", "r1"]));
    assert_eq!(s["processes"][1]["env"]["RANK"], "1");
    // Each process's log, without the prefix.
    let log = PathBuf::from(s["processes"][1]["log"].as_str().unwrap());
    assert_eq!(std::fs::read_to_string(log).unwrap(), "rank 1 of 2 yes\n");
    // git never sees the run folders.
    assert_eq!(
        std::fs::read_to_string(dir.path().join(".aichor/.gitignore"))
            .unwrap()
            .lines()
            .last(),
        Some("*")
    );
}

#[test]
fn a_failing_rank_stops_the_others_and_its_exit_code_is_the_runs() {
    let code = "import os, sys, time; r = int(os.environ[\"RANK\"]); print(\"started\", r, flush=True); time.sleep(0.5) if r == 1 else time.sleep(120); sys.exit(3)";
    let dir = project("pytorch", &py(code), &workers(3));
    let start = Instant::now();
    let out = aichor()
        .current_dir(dir.path())
        .args(["local-repo", "run"])
        .output()
        .unwrap();
    let took = start.elapsed();
    assert_eq!(
        out.status.code(),
        Some(3),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(took < Duration::from_secs(30), "took {took:?}");
    let s = summary(dir.path());
    assert_eq!(s["outcome"], "failed");
    assert_eq!(s["first_failure"], "worker-1");
    let states: Vec<&str> = s["processes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["state"].as_str().unwrap())
        .collect();
    assert_eq!(states, ["stopped", "failed", "stopped"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("`worker-1` failed (exit 3)"), "{stderr}");
}

#[test]
fn a_peer_ignoring_sigterm_is_killed_after_the_grace() {
    // Rank 1 fails once rank 0 ignores SIGTERM (it says so with a file).
    let code = "import os, signal, sys, time; r = int(os.environ[\"RANK\"]); p = os.environ[\"AICHOR_OUTPUT_PATH\"] + \"ready\"; signal.signal(signal.SIGTERM, signal.SIG_IGN); open(p, \"w\").close() if r == 0 else None; [time.sleep(0.05) for _ in range(2000) if not os.path.exists(p)]; time.sleep(0.2) if r == 1 else time.sleep(120); sys.exit(5)";
    let dir = project("pytorch", &py(code), &workers(2));
    let start = Instant::now();
    let out = aichor()
        .current_dir(dir.path())
        .args(["local-repo", "run", "--grace", "1"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(5));
    assert!(start.elapsed() < Duration::from_secs(30));
    let s = summary(dir.path());
    assert_eq!(s["processes"][0]["signal"], 9);
}

#[test]
fn a_hung_rank_is_ended_by_timeout() {
    let dir = project("jax", &py("import time; time.sleep(120)"), &workers(2));
    let start = Instant::now();
    let out = aichor()
        .current_dir(dir.path())
        .args(["local-repo", "run", "--timeout", "1", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(124));
    assert!(start.elapsed() < Duration::from_secs(30));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["outcome"], "timeout");
    assert_eq!(report["exit_code"], 124);
}

#[test]
fn a_users_main_reading_rank_wrongly_fails_with_its_traceback_under_its_prefix() {
    let dir = project("pytorch", "python3 -u main.py", &workers(2));
    // Rewritten by the user: torchrun's LOCAL_RANK, which the pytorch operator never sets.
    std::fs::write(
        dir.path().join("main.py"),
        "import os\n\nrank = int(os.environ[\"LOCAL_RANK\"])\nprint(\"training as\", rank)\n",
    )
    .unwrap();
    let out = aichor()
        .current_dir(dir.path())
        .env("LOCAL_RANK", "0")
        .args(["local-repo", "run"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    // Both ranks fail; the first to do so stops the other (which may not get to print).
    let first = summary(dir.path())["first_failure"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        stdout.contains(&format!("[{first}] Traceback (most recent call last):")),
        "{stdout}"
    );
    assert!(
        stdout.contains(&format!("[{first}] KeyError: 'LOCAL_RANK'")),
        "{stdout}"
    );
}

#[test]
fn two_runs_at_once_do_not_collide() {
    let code = "import os, time; print(os.environ[\"MASTER_PORT\"], os.environ[\"AICHOR_OUTPUT_PATH\"]); time.sleep(1)";
    let dir = project("pytorch", &py(code), &workers(2));
    let spawn = || {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_aichor"));
        isolate(&mut cmd);
        cmd.current_dir(dir.path())
            .args(["local-repo", "run", "--format", "json"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap()
    };
    let (a, b) = (spawn(), spawn());
    let reports: Vec<serde_json::Value> = [a, b]
        .into_iter()
        .map(|c| {
            let out = c.wait_with_output().unwrap();
            assert!(out.status.success());
            serde_json::from_slice(&out.stdout).unwrap()
        })
        .collect();
    assert_ne!(reports[0]["run_folder"], reports[1]["run_folder"]);
    assert_ne!(reports[0]["ports"], reports[1]["ports"]);
    // kuberay: each run its own Ray temp folder (and token, ports).
    let types = "    Head:\n      resources:\n        cpus: 1\n        ramRatio: 2\n    Workers:\n      - name: cpu\n        count: 1\n        resources:\n          cpus: 1\n          ramRatio: 2\n";
    let ray = project("kuberay", "python3 -m demo.main", types);
    let temp = |_| {
        let out = aichor()
            .current_dir(ray.path())
            .args(["local-repo", "run", "--dry-run", "--format", "json"])
            .output()
            .unwrap();
        let plan: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        plan["processes"][0]["env"]["RAY_TMPDIR"].clone()
    };
    assert_ne!(temp(0), temp(1));
}

/// A run whose ranks print their process group and wait; `signal` is sent to aichor alone
/// (as a terminal's Ctrl-C reaches aichor's group, not the ranks' own groups).
fn signal_leaves_no_child(signal: &str, expected: i32, json: bool) {
    // Each rank starts a grandchild too: it must go with its group.
    let code = "import os, subprocess, time; subprocess.Popen([\"sleep\", \"300\"]); print(\"pgid\", os.getpgid(0), flush=True); time.sleep(300)";
    let dir = project("pytorch", &py(code), &workers(2));
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_aichor"));
    isolate(&mut cmd);
    let format = if json { "json" } else { "text" };
    let mut child: Child = cmd
        .current_dir(dir.path())
        .args(["local-repo", "run", "--grace", "5", "--format", format])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // The processes' lines: on stdout, or on stderr when stdout carries the JSON report.
    let (lines, mut report): (Box<dyn std::io::Read + Send>, Box<dyn std::io::Read + Send>) =
        if json {
            (
                Box::new(child.stderr.take().unwrap()),
                Box::new(child.stdout.take().unwrap()),
            )
        } else {
            (
                Box::new(child.stdout.take().unwrap()),
                Box::new(child.stderr.take().unwrap()),
            )
        };
    let mut lines = BufReader::new(lines).lines();
    let mut groups = Vec::new();
    while groups.len() < 2 {
        let line = lines.next().expect("a pgid line").unwrap();
        if let Some(g) = line.split("pgid ").nth(1) {
            groups.push(g.trim().to_string());
        }
    }
    let status = Command::new("kill")
        .args([&format!("-{signal}"), &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let start = Instant::now();
    // Drain both pipes (a full pipe would block aichor's last lines).
    let drain = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = std::io::Read::read_to_string(&mut report, &mut text);
        text
    });
    for _ in lines.by_ref() {}
    let status = child.wait().unwrap();
    let report = drain.join().unwrap();
    assert_eq!(status.code(), Some(expected));
    if json {
        // One document: the summary, which says why the run ended.
        let doc: serde_json::Value = serde_json::from_str(&report).unwrap();
        assert_eq!(doc["outcome"], "interrupted");
        assert_eq!(doc["exit_code"], expected);
    }
    assert!(start.elapsed() < Duration::from_secs(20));
    for g in &groups {
        let left = group_members(g);
        assert!(left.is_empty(), "process group {g} still has {left:?}");
    }
    assert_eq!(summary(dir.path())["outcome"], "interrupted");
}

/// The live (not zombie: a dead process waiting for its parent to read its status) members
/// of process group `pgid`, from /proc.
fn group_members(pgid: &str) -> Vec<String> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else {
            continue;
        };
        // pid (comm) state ppid pgrp ...: comm may hold spaces, so split after its `)`.
        let Some((head, rest)) = stat.rsplit_once(") ") else {
            continue;
        };
        let fields: Vec<&str> = rest.split_whitespace().collect();
        if fields.len() > 2 && fields[2] == pgid && fields[0] != "Z" {
            out.push(head.to_string());
        }
    }
    out
}

#[test]
fn ctrl_c_leaves_no_child_process() {
    signal_leaves_no_child("INT", 130, false);
}

#[test]
fn sigterm_leaves_no_child_process() {
    signal_leaves_no_child("TERM", 143, true);
}

#[test]
fn a_second_ctrl_c_skips_the_grace() {
    // A rank that ignores SIGTERM would hold the run for the whole grace (60 s here).
    let code = "import os, signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); print(\"pgid\", os.getpgid(0), flush=True); time.sleep(300)";
    let dir = project("pytorch", &py(code), &workers(1));
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_aichor"));
    isolate(&mut cmd);
    let mut child = cmd
        .current_dir(dir.path())
        .args(["local-repo", "run", "--grace", "60"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let line = lines.next().unwrap().unwrap();
    let pgid = line.split("pgid ").nth(1).unwrap().trim().to_string();
    let start = Instant::now();
    for _ in 0..2 {
        Command::new("kill")
            .args(["-INT", &child.id().to_string()])
            .status()
            .unwrap();
        std::thread::sleep(Duration::from_millis(300));
    }
    for _ in lines {}
    assert_eq!(child.wait().unwrap().code(), Some(130));
    assert!(
        start.elapsed() < Duration::from_secs(30),
        "{:?}",
        start.elapsed()
    );
    assert!(group_members(&pgid).is_empty());
}

#[test]
fn a_gpu_profile_without_a_gpu_is_refused_before_anything_starts() {
    if Path::new("/dev/nvidia0").exists() {
        return; // This machine has a GPU: the refusal cannot be shown here.
    }
    let types = "    worker:\n      count: 2\n      resources:\n        cpus: 4\n        ramRatio: 4\n        accelerators:\n          gpu:\n            count: 1\n            type: gpu\n            product: NVIDIA-A100-SXM4-80GB\n";
    let dir = project("pytorch", "python3 -m demo.main", types);
    let out = aichor()
        .current_dir(dir.path())
        .args(["local-repo", "run"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("asks for 2 GPU(s) and this machine has none"),
        "{stderr}"
    );
    assert!(stderr.contains("help:"), "{stderr}");
    assert!(!dir.path().join(".aichor").exists());
}

#[test]
fn jobset_runs_at_most_parallelisms_pods_of_a_job_at_once() {
    // Each pod records when it ran; with parallelisms 1 the three completions of the Job
    // do not overlap.
    let types = "    worker:\n      count: 1\n      completions: 3\n      parallelisms: 1\n      resources:\n        cpus: 1\n        ramRatio: 2\n";
    let code = "import os, time; a = time.time(); time.sleep(0.3); print(\"span\", a, time.time())";
    let dir = project("jobset", &py(code), types);
    let out = aichor()
        .current_dir(dir.path())
        .args(["local-repo", "run"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let stdout = String::from_utf8_lossy(&out.stdout);
    let mut spans: Vec<(f64, f64)> = stdout
        .lines()
        .filter_map(|l| l.split("span ").nth(1))
        .map(|s| {
            let mut w = s.split_whitespace().map(|x| x.parse::<f64>().unwrap());
            (w.next().unwrap(), w.next().unwrap())
        })
        .collect();
    spans.sort_by(|a, b| a.0.total_cmp(&b.0));
    assert_eq!(spans.len(), 3, "{stdout}");
    assert!(spans.windows(2).all(|w| w[0].1 <= w[1].0), "{spans:?}");
}

#[test]
fn kuberay_starts_a_private_cluster_then_the_driver_and_stops_only_its_own_processes() {
    // A stand-in for `ray` on PATH: it says what it was given, that its node is up, and
    // blocks until SIGTERM, like `ray start --block`.
    let bin = tempfile::tempdir().unwrap();
    let ray = bin.path().join("ray");
    std::fs::write(
        &ray,
        "#!/bin/sh\necho \"args: $*\"\necho \"Ray runtime started.\"\ntrap 'echo stopping; exit 0' TERM\nwhile :; do sleep 0.1; done\n",
    )
    .unwrap();
    std::fs::set_permissions(&ray, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let types = "    Head:\n      resources:\n        cpus: 2\n        ramRatio: 2\n      rayStartParams:\n        num-cpus: \"0\"\n    Workers:\n      - name: cpu-workers\n        count: 2\n        resources:\n          cpus: 1\n          ramRatio: 2\n";
    let code = "import os; print(\"driver at\", os.environ[\"RAY_ADDRESS\"], os.environ[\"RAY_AUTH_MODE\"])";
    let dir = project("kuberay", &py(code), types);
    // Someone else's Ray (any process of the user's): it must outlive the run.
    let mut other = Command::new("sleep").arg("300").spawn().unwrap();
    let path = format!(
        "{}:{}",
        bin.path().display(),
        std::env::var("PATH").unwrap()
    );
    let out = aichor()
        .current_dir(dir.path())
        .env("PATH", path)
        .args(["local-repo", "run", "--grace", "5"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let s = summary(dir.path());
    let names: Vec<&str> = s["processes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["head", "cpu-workers-0", "cpu-workers-1", "driver"]);
    let gcs = s["ports"][0].as_u64().unwrap();
    // Nothing on the head: the manifest's rayStartParams, its own port and temp folder.
    let head = stdout
        .lines()
        .find(|l| l.starts_with("[head]") && l.contains("args:"))
        .unwrap();
    assert!(head.contains("--head --block"), "{head}");
    assert!(head.contains("--num-cpus=0"), "{head}");
    assert!(head.contains(&format!("--port={gcs}")), "{head}");
    let node = stdout
        .lines()
        .find(|l| l.starts_with("[cpu-workers-1]") && l.contains("args:"))
        .unwrap();
    assert!(
        node.contains(&format!("--address=127.0.0.1:{gcs}")),
        "{node}"
    );
    assert!(
        stdout.contains(&format!("driver at 127.0.0.1:{gcs} token")),
        "{stdout}"
    );
    // The driver started once every node was up.
    let at = |needle: &str| stdout.find(needle).unwrap();
    assert!(at("[cpu-workers-1] Ray runtime started") < at("driver at"));
    // Its nodes were stopped (gracefully), the other process was not.
    assert_eq!(stdout.matches("stopping").count(), 3, "{stdout}");
    assert!(
        other.try_wait().unwrap().is_none(),
        "someone else's process was stopped"
    );
    other.kill().unwrap();
    other.wait().unwrap();
    for p in s["processes"].as_array().unwrap() {
        let pgid = p["pid"].as_u64().unwrap().to_string();
        assert!(
            group_members(&pgid).is_empty(),
            "{} left processes",
            p["name"]
        );
    }
}

/// A manifest that is empty, not UTF-8 or not YAML has no key to name: the refusal names
/// the file with its line and column (it showed "invalid at 1:1" and an empty key), and a
/// folder given as the manifest is called a folder (it was "no such manifest").
#[test]
fn a_bad_manifest_is_refused_naming_its_file() {
    let dir = tempfile::tempdir().unwrap();
    for (name, bytes, wanted) in [
        ("empty.yaml", &b""[..], ":1:1`: the file is empty"),
        (
            "latin1.yaml",
            b"kind: caf\xe9\n",
            ":1:10`: not UTF-8 text (byte 0xe9)",
        ),
        ("broken.yaml", b"kind: [\n", ":2:1`: not valid YAML"),
        (
            "bom.yaml",
            b"\xef\xbb\xbfkind: AIchorManifest\r\napiVersion: 0.2.3\r\n",
            ":1:1`: missing `builder`",
        ),
    ] {
        std::fs::write(dir.path().join(name), bytes).unwrap();
        let out = aichor()
            .current_dir(dir.path())
            .args(["local-repo", "run", "--dry-run", name])
            .output()
            .unwrap();
        let err = crate::support::stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{name}: {err}");
        // The path as the binary sees it (macOS's temporary folder is a link): its end.
        assert!(err.contains("invalid at `"), "{name}: {err}");
        let at = format!("{name}{wanted}");
        assert!(err.contains(&at), "{name}: wanted {at:?} in {err}");
        assert!(!err.contains("``"), "{name}: {err}");
    }
    std::fs::create_dir(dir.path().join("folder.yaml")).unwrap();
    let out = aichor()
        .current_dir(dir.path())
        .args(["local-repo", "run", "--dry-run", "folder.yaml"])
        .output()
        .unwrap();
    let err = crate::support::stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("folder.yaml` is a folder, not a manifest file"),
        "{err}"
    );
}
