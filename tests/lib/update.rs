//! `update`'s questions, in process with a scripted prompter: in a terminal only what the
//! new answers add, or what they rule out among the recorded ones, is asked.

use std::path::Path;

use aichor::error::Origin;
use aichor::init::answers::ProvidedAnswers;
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
