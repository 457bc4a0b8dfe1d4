//! Whole-process time of a non-interactive `aichor local-repo init`, as a user's script sees
//! it: spawn, render, check the manifest, stage, rename. Prints median and spread; run with
//! `cargo bench` (release build). Not a test: machines differ, figures are for the notes.

use std::process::Command;
use std::time::{Duration, Instant};

const RUNS: usize = 200;

fn main() {
    let bin = env!("CARGO_BIN_EXE_aichor");
    let tmp = tempfile::tempdir().expect("temp dir");
    let cases: [(&str, &[&str]); 3] = [
        (
            "init jobset (writes 10 files)",
            &[
                "local-repo",
                "init",
                "--operator",
                "jobset",
                "--no-input",
                "--no-lock",
            ],
        ),
        (
            "init kuberay tpu --dry-run --format json",
            &[
                "local-repo",
                "init",
                "--operator",
                "kuberay",
                "--profile",
                "tpu-v5e-4x4",
                "--no-input",
                "--dry-run",
                "--format",
                "json",
            ],
        ),
        ("--version (process floor)", &["--version"]),
    ];
    println!("{RUNS} runs each, {bin}");
    for (label, args) in cases {
        let mut times = Vec::with_capacity(RUNS);
        for i in 0..RUNS {
            let dest = tmp.path().join(format!("p{i}-{}", label.len()));
            let mut cmd = Command::new(bin);
            cmd.args(args);
            if args[0] == "local-repo" {
                cmd.arg(&dest);
            }
            let start = Instant::now();
            let out = cmd.output().expect("spawn aichor");
            times.push(start.elapsed());
            assert!(
                out.status.success(),
                "{label}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        times.sort();
        let ms = |d: Duration| d.as_secs_f64() * 1000.0;
        println!(
            "{label:<45} median {:>6.2} ms   p10 {:>6.2} ms   p90 {:>6.2} ms",
            ms(times[RUNS / 2]),
            ms(times[RUNS / 10]),
            ms(times[RUNS * 9 / 10])
        );
    }
}
