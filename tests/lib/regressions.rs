//! Inputs the fuzz targets (and reviews) found that once broke `manifest migrate`'s promise,
//! kept byte for byte under `tests/regressions/migrate/`: each must keep it now, and each
//! has the outcome written here (a new file needs its line in `EXPECTED`).
//!
//! The promise, as the `migrate` fuzz target checks it: the rules refuse, or their output
//! loads, keeps every value outside `spec.types` and `spec.operator`, and migrating it again
//! changes nothing; and `migrate` (which checks its result) agrees with the rules.

use std::path::{Path, PathBuf};

use aichor::manifest::migrate::{migrate, migrate_unchecked};
use aichor::manifest::validate::validate_text;

fn lf(text: &str) -> String {
    text.trim_start_matches('\u{feff}')
        .replace("\r\n", "\n")
        .replace('\r', "\n")
}

/// The data a migration must keep, through another parser than the library's.
fn kept(text: &str) -> Option<yaml_serde::Value> {
    let mut v: yaml_serde::Value = yaml_serde::from_str(text).ok()?;
    if let Some(spec) = v.get_mut("spec").and_then(|s| s.as_mapping_mut()) {
        spec.remove("operator");
        if let Some(types) = spec.get_mut("types").and_then(|t| t.as_mapping_mut()) {
            for name in ["Master", "Worker", "worker"] {
                types.remove(name);
            }
        }
    }
    Some(v)
}

/// `Err` says how `text` breaks the promise.
pub(crate) fn promise(text: &str) -> Result<(), String> {
    let Ok(m) = migrate_unchecked(text) else {
        return Ok(());
    };
    let out = lf(&m.text);
    let broken: Vec<String> = validate_text(&out)
        .diagnostics
        .into_iter()
        .map(|d| d.message)
        .filter(|m| {
            [
                "not valid YAML",
                "too complex",
                "more than one YAML document",
                "the file is empty",
            ]
            .iter()
            .any(|p| m.starts_with(p))
        })
        .collect();
    if !broken.is_empty() {
        return Err(format!("the output does not load: {broken:?}\n{out}"));
    }
    match migrate_unchecked(&m.text) {
        Ok(again) if again.text == m.text => {}
        Ok(again) => return Err(format!("not a fixed point:\n{out}\nthen:\n{}", again.text)),
        Err(e) => return Err(format!("a second migration refuses: {e}\n{out}")),
    }
    if !text.contains('*') && kept(&lf(text)).is_some() && kept(&lf(text)) != kept(&out) {
        return Err(format!("a value outside spec.types changed:\n{out}"));
    }
    if let Err(e) = migrate(text) {
        return Err(format!(
            "the rules kept the promise, but `migrate` refused: {e}"
        ));
    }
    Ok(())
}

fn files() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/regressions/migrate");
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    out.sort();
    out
}

/// What each file migrates to: `Ok(text)` (after the modeline and its blank line), or
/// `Err(part of the refusal)`.
const EXPECTED: &[(&str, Result<&str, &str>)] = &[
    (
        // The input (#25): no newline at the end, `Master: ` with a space, `Worker:`
        // empty. The count was glued to the key (`worker:      count: 2`).
        "no-final-newline.yaml",
        Ok("spec:\n  operator: pytorch\n  types:\n    worker:\n      count: 2\n"),
    ),
    (
        "worker-is-a-string.yaml",
        Err("`spec.types.Worker` is a string, not a mapping"),
    ),
    (
        // `command:` after the Master block was taken for part of it and deleted.
        "master-last-before-a-dedented-key.yaml",
        Ok(
            "spec:\n  operator: pytorch\n  types:\n    worker:\n      count: 3\n      resources: {ramRatio: 2}\n  command: x\n",
        ),
    ),
    (
        "flow-worker-without-count.yaml",
        Ok(
            "spec:\n  operator: xgboost\n  types:\n    worker: {count: 2, resources: {ramRatio: 2}}\n",
        ),
    ),
    ("worker-is-an-alias.yaml", Err("aliases")),
    ("counts-overflow.yaml", Err("add up to more than")),
    (
        "count-is-a-string.yaml",
        Err("`spec.types.Worker.count` is a string"),
    ),
    (
        "worker-is-a-list.yaml",
        Err("`spec.types.Worker` is a list"),
    ),
    ("complex-key.yaml", Err("a complex key")),
    (
        "worker-explicit-null.yaml",
        Ok("spec:\n  operator: pytorch\n  types:\n    worker:  # none\n      count: 2\n"),
    ),
];

#[test]
fn every_input_that_broke_migrate_keeps_its_promise_now() {
    let files = files();
    assert!(!files.is_empty());
    for file in &files {
        let text = std::fs::read_to_string(file).unwrap();
        let name = file.file_name().unwrap().to_string_lossy().into_owned();
        promise(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
        let Some((_, expected)) = EXPECTED.iter().find(|(n, _)| *n == name) else {
            panic!("{name}: add its expected outcome to EXPECTED");
        };
        match (migrate(&text), expected) {
            (Ok(m), Ok(want)) => {
                let body = m.text.split_once("\n\n").map_or("", |(_, b)| b);
                assert_eq!(body, *want, "{name}");
            }
            (Err(e), Err(want)) => assert!(e.message.contains(want), "{name}: {e}"),
            (got, want) => panic!("{name}: expected {want:?}, got {got:?}"),
        }
    }
    assert_eq!(
        files.len(),
        EXPECTED.len(),
        "a line in EXPECTED has no file"
    );
}
