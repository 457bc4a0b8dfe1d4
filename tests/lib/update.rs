//! `update`'s questions, in process with a scripted prompter: in a terminal only what the
//! new answers add, or what they rule out among the recorded ones, is asked.

use std::path::Path;

use aichor::error::Origin;
use aichor::generate::answers::ProvidedAnswers;
use aichor::init::settings::{InitSettings, LockPolicy};
use aichor::printer::Printer;
use aichor::update::{UpdateSettings, run};

use crate::scripted::{Scripted, pick, typed};

/// A project made by `init` in `parent/demo` from `sets`.
fn project(parent: &Path, sets: &[(&str, &str)]) -> std::path::PathBuf {
    let mut answers = ProvidedAnswers::default();
    answers.insert("name", "demo", Origin::Set);
    for (k, v) in sets {
        answers.insert(k, *v, Origin::Set);
    }
    let settings = InitSettings {
        destination: Some(parent.join("demo")),
        lock: LockPolicy::Skip,
        answers,
        ..InitSettings::default()
    };
    aichor::init::run(&settings, None, &Printer::quiet()).unwrap();
    parent.join("demo")
}

fn update_settings(dir: &Path, sets: &[(&str, &str)]) -> UpdateSettings {
    let mut answers = ProvidedAnswers::default();
    for (k, v) in sets {
        answers.insert(k, *v, Origin::Set);
    }
    UpdateSettings {
        project: dir.to_path_buf(),
        answers,
        ..UpdateSettings::default()
    }
}

#[test]
fn only_the_question_the_new_operator_adds_is_asked() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = project(tmp.path(), &[("operator", "jax")]);
    let mut script = Scripted::new([typed("Pods per job", &["2"])]);
    let report = run(
        &update_settings(&dir, &[("operator", "jobset")]),
        Some(&mut script),
        &Printer::quiet(),
    )
    .unwrap();
    script.finish();
    assert!(report.answers_dropped.is_empty());
    let record = std::fs::read_to_string(dir.join(".aichor-answers.yaml")).unwrap();
    assert!(record.contains("operator: jobset"), "{record}");
    assert!(record.contains("completions: 2"), "{record}");
}

#[test]
fn a_recorded_answer_the_new_operator_rules_out_is_asked_again() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = project(
        tmp.path(),
        &[("operator", "kuberay"), ("profile", "tpu-v5e-4x4")],
    );
    let mut script = Scripted::new([pick("Resource profile", "cpu-small")]);
    let report = run(
        &update_settings(&dir, &[("operator", "jax")]),
        Some(&mut script),
        &Printer::quiet(),
    )
    .unwrap();
    script.finish();
    assert_eq!(report.answers_dropped, ["profile"]);
    let record = std::fs::read_to_string(dir.join(".aichor-answers.yaml")).unwrap();
    assert!(record.contains("profile: cpu-small"), "{record}");
}

#[test]
fn without_a_terminal_a_ruled_out_answer_takes_its_default() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = project(
        tmp.path(),
        &[("operator", "kuberay"), ("profile", "tpu-v5e-4x4")],
    );
    let settings = update_settings(&dir, &[("operator", "jax")]);
    let report = run(&settings, None, &Printer::quiet()).unwrap();
    assert_eq!(report.answers_dropped, ["profile"]);
    let record = std::fs::read_to_string(dir.join(".aichor-answers.yaml")).unwrap();
    assert!(record.contains("profile: cpu-small"), "{record}");
}

/// `git merge-file` as the oracle for the line merge: the same output, byte for byte, on
/// the cases that matter (clean and conflicting, adjacent edits, a missing final newline).
/// Skipped where git is not installed.
#[test]
fn the_line_merge_agrees_with_git_merge_file() {
    use aichor::generate::text::{Labels, merge};
    let cases: &[(&str, &str, &str)] = &[
        ("a\nb\nc\nd\n", "A\nb\nc\nd\n", "a\nb\nc\nD\n"),
        ("a\nb\nc\n", "a\nB1\nc\n", "a\nB2\nc\n"),
        ("a\nb\nc\n", "a\nB\nc\n", "a\nB\nc\n"),
        ("a\nb\nc\nd\n", "a\nB\nc\nd\n", "a\nb\nC\nd\n"),
        ("a\nb\n", "a\nb\nours\n", "a\nb\ntheirs\n"),
        ("a\nb\nc\n", "a\nB\nc\n", "a\nc\n"),
        ("a\nb\nc", "a\nB\nc", "a\nb\nC"),
        ("x\ny\nz\n", "head\nx\ny\nz\n", "x\nY\nz\n"),
        ("a\nb\nc\nd\n", "a\nX\nc\nD1\n", "a\nX\nc\nD2\n"),
    ];
    let tmp = tempfile::tempdir().unwrap();
    for (i, (base, ours, theirs)) in cases.iter().enumerate() {
        let write = |name: &str, text: &str| {
            let p = tmp.path().join(format!("{i}-{name}"));
            std::fs::write(&p, text).unwrap();
            p
        };
        let (o, b, t) = (
            write("ours", ours),
            write("base", base),
            write("theirs", theirs),
        );
        let Ok(out) = std::process::Command::new("git")
            .args(["merge-file", "-p", "-L", "yours", "-L", "base", "-L", "new"])
            .args([&o, &b, &t])
            .output()
        else {
            eprintln!("git is not installed: skipped");
            return;
        };
        let ours_merge = merge(
            base,
            ours,
            theirs,
            &Labels {
                base: "base",
                new: "new",
            },
        );
        assert_eq!(
            ours_merge.inline,
            String::from_utf8_lossy(&out.stdout),
            "case {i}: {base:?} {ours:?} {theirs:?}"
        );
        // git's exit status is the number of conflicts.
        assert_eq!(
            Some(i32::try_from(ours_merge.conflicts).unwrap()),
            out.status.code(),
            "case {i}"
        );
    }
}
