//! The library reads no variable of its own: what a command sees of the environment (packs
//! by name, the cache, `AICHOR_<KEY>` defaults, uv) is what its settings carry. The default
//! settings carry an empty environment, so these tests are hermetic on any machine.

use std::path::Path;

use aichor::environment::Environment;
use aichor::error::{Error, Origin};
use aichor::generate::answers::ProvidedAnswers;
use aichor::init::settings::{InitSettings, LockPolicy};
use aichor::printer::Printer;

fn settings(dest: &Path, env: Environment) -> InitSettings {
    let mut answers = ProvidedAnswers::default();
    answers.insert("name", "demo", Origin::Set);
    answers.insert("operator", "jax", Origin::Set);
    InitSettings {
        destination: Some(dest.to_path_buf()),
        lock: LockPolicy::Skip,
        answers,
        pack: Some("acme".into()),
        env,
        ..InitSettings::default()
    }
}

#[test]
fn a_pack_by_name_is_found_through_the_given_environment_only() {
    let tmp = tempfile::tempdir().unwrap();
    let packs = tmp.path().join("packs");
    std::fs::create_dir_all(packs.join("acme")).unwrap();
    std::fs::write(
        packs.join("acme/pack.toml"),
        "[pack]\nname = \"acme\"\nversion = \"1.0.0\"\ndescription = \"ACME\"\nextends = \"builtin\"\n",
    )
    .unwrap();

    let err = aichor::init::run(
        &settings(&tmp.path().join("a"), Environment::default()),
        None,
        &Printer::quiet(),
    )
    .unwrap_err();
    assert!(
        matches!(&err, Error::PackNotFound { searched, .. } if searched.is_empty()),
        "{err:?}"
    );

    let env = Environment::from_vars([("AICHOR_TEMPLATE_PATH", packs.as_os_str())]);
    let report = aichor::init::run(
        &settings(&tmp.path().join("b"), env),
        None,
        &Printer::quiet(),
    )
    .unwrap();
    assert_eq!(report.pack.name, "acme");
}

#[test]
fn question_defaults_come_from_the_given_environment() {
    let tmp = tempfile::tempdir().unwrap();
    let dest = tmp.path().join("demo");
    let env = Environment::from_vars([("AICHOR_WORKERS", "5")]);
    let settings = InitSettings {
        pack: None,
        ..settings(&dest, env)
    };
    aichor::init::run(&settings, None, &Printer::quiet()).unwrap();
    let manifest = std::fs::read_to_string(dest.join("aichor_manifests/manifest.yaml")).unwrap();
    assert!(manifest.contains("count: 5"), "{manifest}");
}
