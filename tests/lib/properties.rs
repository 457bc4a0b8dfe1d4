//! Properties of the parsers on any input (the stable-toolchain stand-in for fuzzing; the
//! same invariants as the targets in `fuzz/`): never a panic, never unbounded work, and a
//! migration that either refuses or produces a manifest that parses and is already migrated.
//! `PROPTEST_CASES=N cargo test --test lib properties` runs more cases.

use std::path::{Path, PathBuf};

use aichor::generate::answers::ProvidedAnswers;
use aichor::manifest::migrate::migrate;
use aichor::manifest::validate::{Severity, validate_text};
use proptest::prelude::*;

/// Characters that matter to YAML, with some letters and digits between them.
const YAML_ISH: &str = "[ a-z0-9:\\-\\[\\]{}#&*!|>'\"%@`,?\n\r\t\u{feff}é]{0,300}";

fn corpus(kind: &str) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/conformance")
            .join(kind),
    ];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "yaml") {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// A legacy manifest from the corpus with its layout varied the ways real files vary:
/// line endings, a byte-order mark, trailing spaces, comment lines.
fn legacy_variant() -> impl Strategy<Value = String> {
    let files = corpus("legacy");
    assert!(!files.is_empty());
    (
        0..files.len(),
        prop_oneof![Just("\n"), Just("\r\n"), Just("\r")],
        any::<bool>(),
        proptest::collection::vec((0..200usize, "#[ a-z]{0,20}"), 0..4),
    )
        .prop_map(move |(i, eol, bom, comments)| {
            let text = std::fs::read_to_string(&files[i]).unwrap();
            let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
            for (at, comment) in comments {
                let at = at % (lines.len() + 1);
                // A comment at the indentation of the line it precedes keeps blocks intact.
                let indent = lines.get(at).map_or(0, |l| l.len() - l.trim_start().len());
                lines.insert(at, format!("{}{comment}", " ".repeat(indent)));
            }
            let body = lines.join(eol) + eol;
            if bom { format!("\u{feff}{body}") } else { body }
        })
}

proptest! {
    #[test]
    fn the_validator_never_panics(text in YAML_ISH) {
        for d in validate_text(&text).diagnostics {
            prop_assert!(d.line >= 1 && d.column >= 1, "{d:?}");
        }
    }

    #[test]
    fn migrate_never_panics(text in YAML_ISH) {
        let _ = migrate(&text);
    }

    #[test]
    fn the_answers_reader_never_panics(text in YAML_ISH) {
        let _ = ProvidedAnswers::default().add_file(Path::new("answers.yaml"), &text);
    }

    /// Migrating a real legacy file, whatever its layout: the result parses, keeps the line
    /// endings and mark, and migrating it again changes nothing.
    #[test]
    fn migration_output_parses_and_is_a_fixed_point(text in legacy_variant()) {
        let Ok(m) = migrate(&text) else { return Ok(()) };
        let lf = m.text.trim_start_matches('\u{feff}').replace("\r\n", "\n").replace('\r', "\n");
        let yaml_errors: Vec<_> = validate_text(&lf)
            .diagnostics
            .into_iter()
            .filter(|d| d.severity == Severity::Error && d.message.starts_with("not valid YAML"))
            .collect();
        prop_assert!(yaml_errors.is_empty(), "{yaml_errors:?}\n{}", m.text);
        // Nothing was wiped: the manifest still says what it runs.
        prop_assert!(validate_text(&lf).operator.is_some(), "{}", m.text);
        prop_assert_eq!(m.text.starts_with('\u{feff}'), text.starts_with('\u{feff}'));
        prop_assert_eq!(m.text.contains("\r\n"), text.contains("\r\n"));
        let again = migrate(&m.text).expect("migrated text migrates");
        prop_assert_eq!(&again.text, &m.text);
    }
}

/// The `pack.toml` reader never panics on any text (fewer cases: each loads the built-in pack
/// it extends).
#[test]
fn the_pack_reader_never_panics() {
    let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig::with_cases(64));
    let head =
        "[pack]\nname = \"p\"\nversion = \"1.0.0\"\ndescription = \"d\"\nextends = \"builtin\"\n";
    let strategy =
        "[ a-z0-9=\\[\\]{}\"'.,#\n_-]{0,200}".prop_map(move |tail| format!("{head}{tail}"));
    runner
        .run(&strategy, |toml| {
            let dir = tempfile::tempdir().unwrap();
            std::fs::write(dir.path().join("pack.toml"), &toml).unwrap();
            let _ = aichor::pack::Pack::from_dir(
                dir.path(),
                aichor::pack::PackSource::Spec("p".into()),
            );
            Ok(())
        })
        .unwrap();
}

/// Characters that matter to a commit message's trigger.
const COMMIT_ISH: &str =
    "(aichor|AIchor|exp|aichor_manifests/)?[ a-z.:/\\\\\\[\\]()#\n\r\tY]{0,60}";

proptest! {
    #[test]
    fn the_commit_message_parser_never_panics_and_its_corrections_trigger(
        text in COMMIT_ISH
    ) {
        use aichor::check::commit_msg::{Trigger, parse};
        if let Trigger::NearMiss { corrected: Some(c), .. } = parse(&text) {
            prop_assert!(
                matches!(parse(&c), Trigger::Manifest { .. }),
                "{text:?} corrected to {c:?}, which does not trigger: {:?}", parse(&c)
            );
        }
    }
}
