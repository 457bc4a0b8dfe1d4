//! Time of a non-interactive `aichor local-repo init`, twice: whole-process, as a user's
//! script sees it (spawn, render, check the manifest, stage, rename), and in process, the
//! render alone (`aichor::generate::build`: answers → context → plan, manifest checked, no disk).
//! Prints median and spread; run with `cargo bench` (release build). Not a test: machines
//! differ, figures are for the notes.

use std::process::Command;
use std::time::{Duration, Instant};

use aichor::error::Origin;
use aichor::generate::answers::{ProvidedAnswers, collect};
use aichor::generate::questions::{FlagStyle, Questions};
use aichor::pack::Pack;

const RUNS: usize = 200;

fn main() {
    whole_process();
    in_process();
    many_questions();
}

/// A pack of N generated questions (each with a `when` and a default): load, collect and
/// render. Twice N should take about twice the time; before the fix 5,000 took 117 s.
fn many_questions() {
    for n in [1_000, 5_000, 10_000] {
        let tmp = tempfile::tempdir().expect("temp dir");
        let mut toml = String::from(
            "[pack]\nname = \"big\"\nversion = \"1.0.0\"\ndescription = \"b\"\nextends = \"builtin\"\n\n",
        );
        for i in 0..n {
            toml.push_str(&format!(
                "[[questions]]\nkey = \"q{i}\"\nprompt = \"Q{i}\"\ntype = \"string\"\ndefault = \"v{i}\"\nwhen = \"operator == 'jax'\"\n\n"
            ));
        }
        fs_err::write(tmp.path().join("pack.toml"), toml).expect("pack.toml");
        let mut times = Vec::new();
        for _ in 0..5 {
            let start = Instant::now();
            let pack = Pack::from_dir(tmp.path(), aichor::pack::PackSource::Spec("big".into()))
                .expect("pack loads");
            let mut provided = ProvidedAnswers::default();
            provided.insert("name", "demo", Origin::Set);
            provided.insert("operator", "jax", Origin::Set);
            let answers = collect(
                &Questions {
                    pack: &pack,
                    flags: FlagStyle::Init,
                },
                &provided,
                None,
            )
            .expect("answers");
            aichor::generate::build(&pack, &answers).expect("renders");
            times.push(start.elapsed());
        }
        report(
            &format!("pack with {n} questions: load, collect, render"),
            times,
        );
    }
}

/// `label   median … p10 … p90 …` from unsorted times.
fn report(label: &str, mut times: Vec<Duration>) {
    times.sort();
    let n = times.len();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "{label:<45} median {:>6.2} ms   p10 {:>6.2} ms   p90 {:>6.2} ms",
        ms(times[n / 2]),
        ms(times[n / 10]),
        ms(times[n * 9 / 10])
    );
}

fn whole_process() {
    let bin = env!("CARGO_BIN_EXE_aichor");
    let tmp = tempfile::tempdir().expect("temp dir");
    let cases: [(&str, &[&str]); 3] = [
        (
            "init jobset (writes 11 files)",
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
        report(label, times);
    }
}

/// `aichor::generate::build` for a few operators: the render without the process or the disk.
fn in_process() {
    let pack = Pack::builtin().expect("the built-in pack loads");
    let cases: [(&str, &[(&str, &str)]); 3] = [
        (
            "build pytorch gpu-t4",
            &[("operator", "pytorch"), ("profile", "gpu-t4")],
        ),
        (
            "build jobset 4 workers",
            &[("operator", "jobset"), ("workers", "4")],
        ),
        (
            "build kuberay tpu-v5e-4x4",
            &[("operator", "kuberay"), ("profile", "tpu-v5e-4x4")],
        ),
    ];
    println!("\nin process (render only, no disk), {RUNS} runs each");
    for (label, pairs) in cases {
        let mut provided = ProvidedAnswers::default();
        provided.insert("name", "bench-demo", Origin::Set);
        for (key, value) in pairs {
            provided.insert(key, *value, Origin::Set);
        }
        let answers = collect(
            &Questions {
                pack: &pack,
                flags: FlagStyle::Init,
            },
            &provided,
            None,
        )
        .expect("valid answers");
        let mut times = Vec::with_capacity(RUNS);
        for _ in 0..RUNS {
            let start = Instant::now();
            let project = aichor::generate::build(&pack, &answers).expect("renders");
            times.push(start.elapsed());
            assert!(
                project
                    .plan
                    .files
                    .iter()
                    .any(|f| f.path == "aichor_manifests/manifest.yaml"),
                "{label}: no manifest"
            );
        }
        report(label, times);
    }
}
