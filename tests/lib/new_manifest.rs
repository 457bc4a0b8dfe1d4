//! `manifest new` in process with a scripted prompter: in a generated project nothing is
//! asked (the recorded answers and the flags say everything); in a hand-made repository only
//! what neither the flags nor the folder answer is asked, in `init`'s order and wording.

use std::path::Path;

use aichor::error::Origin;
use aichor::generate::answers::ProvidedAnswers;
use aichor::init::settings::{InitSettings, LockPolicy};
use aichor::manifest_new::{NewSettings, run};
use aichor::printer::Printer;

use crate::scripted::{Scripted, confirm, pick, pick_default, typed};

fn settings(path: &str, start: &Path, flags: &[(&str, &str)]) -> NewSettings {
    let mut answers = ProvidedAnswers::default();
    for (key, value) in flags {
        answers.insert(key, *value, Origin::Flag(format!("--{key}")));
    }
    NewSettings {
        path: path.into(),
        start: start.to_path_buf(),
        answers,
        lock: LockPolicy::Skip,
        interactive: true,
        ..NewSettings::default()
    }
}

#[test]
fn a_generated_project_is_asked_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("demo");
    let mut answers = ProvidedAnswers::default();
    answers.insert("name", "demo", Origin::Set);
    answers.insert("operator", "jobset", Origin::Set);
    answers.insert("completions", "2", Origin::Set);
    let init = InitSettings {
        destination: Some(root.clone()),
        lock: LockPolicy::Skip,
        answers,
        ..InitSettings::default()
    };
    aichor::init::run(&init, None, &Printer::quiet()).unwrap();
    let mut script = Scripted::new([]);
    let report = run(
        &settings("gpu/run.yaml", &root, &[("profile", "gpu-t4")]),
        Some(&mut script),
        &Printer::quiet(),
    )
    .unwrap();
    script.finish();
    assert!(script.asked.is_empty(), "asked: {:?}", script.prompts());
    assert_eq!(report.profile, "gpu-t4");
    let manifest = std::fs::read_to_string(root.join("aichor_manifests/gpu/run.yaml")).unwrap();
    // The pack question's recorded answer is kept, not asked again.
    assert!(manifest.contains("JOBSET_COMPLETIONS: \"2\""), "{manifest}");
}

#[test]
fn a_hand_made_repository_is_asked_what_the_flags_do_not_say() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("mine");
    std::fs::create_dir_all(root.join("aichor_manifests")).unwrap();
    let mut script = Scripted::new([
        pick("Operator", "xgboost"),
        typed("Containers", &["0", "3"]),
        pick_default("Python version"),
        confirm("TensorBoard", false),
    ]);
    let report = run(
        &settings("train.yaml", &root, &[("profile", "cpu-medium")]),
        Some(&mut script),
        &Printer::quiet(),
    )
    .unwrap();
    script.finish();
    // The name comes from the folder; the profile from its flag.
    assert!(!script.prompts().iter().any(|p| p.contains("name")));
    assert!(!script.prompts().iter().any(|p| p.contains("profile")));
    assert_eq!(
        script.asked("Containers").refusals,
        ["at least 1 container is needed for this operator"]
    );
    assert_eq!((report.operator.as_str(), report.workers), ("xgboost", 3));
    let manifest = std::fs::read_to_string(root.join("aichor_manifests/train.yaml")).unwrap();
    assert!(manifest.contains("  image: \"mine\""), "{manifest}");
    assert!(manifest.contains("    enabled: false"), "{manifest}");
}
