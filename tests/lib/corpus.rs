//! The fuzz targets' committed corpora (`fuzz/corpus/<target>/`, kept minimal by
//! `scripts/fuzz.sh`), replayed through the same invariants in every `cargo test`: what a
//! fuzzing session learnt stays checked without libFuzzer (seconds, not a fuzzing run).

use std::path::{Path, PathBuf};

fn inputs(target: &str) -> Vec<(PathBuf, Vec<u8>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz/corpus")
        .join(target);
    let mut out: Vec<(PathBuf, Vec<u8>)> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| {
            let p = e.unwrap().path();
            let bytes = std::fs::read(&p).unwrap();
            (p, bytes)
        })
        .collect();
    out.sort();
    assert!(!out.is_empty(), "{} is empty", dir.display());
    out
}

fn texts(target: &str) -> Vec<(PathBuf, String)> {
    inputs(target)
        .into_iter()
        .filter_map(|(p, b)| String::from_utf8(b).ok().map(|t| (p, t)))
        .collect()
}

#[test]
fn the_validate_corpus() {
    for (path, text) in texts("validate") {
        for d in aichor::manifest::validate::validate_text(&text).diagnostics {
            assert!(d.line >= 1 && d.column >= 1, "{}: {d:?}", path.display());
        }
    }
}

#[test]
fn the_migrate_corpus() {
    for (path, text) in texts("migrate") {
        if let Err(e) = crate::regressions::promise(&text) {
            panic!("{}: {e}", path.display());
        }
    }
}

#[test]
fn the_answers_corpus() {
    for (_, text) in texts("answers") {
        let mut provided = aichor::generate::answers::ProvidedAnswers::default();
        let _ = provided.add_file(Path::new("answers.yaml"), &text);
    }
}

#[test]
fn the_pack_toml_corpus() {
    let dir = tempfile::tempdir().unwrap();
    for (_, bytes) in inputs("pack_toml") {
        std::fs::write(dir.path().join("pack.toml"), bytes).unwrap();
        let _ =
            aichor::pack::Pack::from_dir(dir.path(), aichor::pack::PackSource::Spec("fuzz".into()));
    }
}

#[test]
fn the_commit_msg_corpus() {
    use aichor::check::commit_msg::{Trigger, parse};
    for (path, bytes) in inputs("commit_msg") {
        let text = String::from_utf8_lossy(&bytes);
        if let Trigger::NearMiss {
            corrected: Some(c), ..
        } = parse(&text)
        {
            let Trigger::Manifest { selector } = parse(&c) else {
                panic!("{}: {text:?} → {c:?} does not trigger", path.display());
            };
            assert!(
                !selector.contains(['[', ']', '(', ')', '{', '}', '<', '>', '\\'])
                    && !selector.contains("../")
                    && selector != ".."
                    && !selector.starts_with('/')
                    && !selector.ends_with('/'),
                "{}: {text:?} → {c:?}",
                path.display()
            );
        }
    }
}
