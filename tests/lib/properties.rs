//! Properties of the parsers on any input (the stable-toolchain stand-in for fuzzing; the
//! same invariants as the targets in `fuzz/`): never a panic, never unbounded work, and a
//! migration that either refuses or produces a manifest that parses and is already migrated.
//! `PROPTEST_CASES=N cargo test --test lib properties` runs more cases.

use std::path::{Path, PathBuf};

use aichor::generate::answers::ProvidedAnswers;
use aichor::manifest::migrate::{migrate, migrate_unchecked};
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

/// One `Master`/`Worker` entry of `spec.types` in one of the layouts files have (and some
/// they should not): empty, null, flow, block, scalar, list, comments, trailing spaces.
fn legacy_entry(name: &'static str) -> impl Strategy<Value = String> {
    let value = prop_oneof![
        Just(String::new()),
        Just(" ".to_string()),
        Just(" ~".to_string()),
        Just(" null # none".to_string()),
        Just(" {}".to_string()),
        Just(" {count: 2}".to_string()),
        Just(" {resources: {ramRatio: 2}}".to_string()),
        Just(" {count: 1, resources: {ramRatio: 2}}".to_string()),
        Just("\n      count: 3".to_string()),
        Just("\n      resources: {ramRatio: 2}".to_string()),
        Just(
            "\n      count: 2\n      resources:\n        cpus: 1\n        ramRatio: 2".to_string()
        ),
        Just("\n      # comment\n      count: 1\n    # about the next one".to_string()),
        Just("\n      count: -1".to_string()),
        Just("\n      count: \"2\"".to_string()),
        Just(" count# x".to_string()),
        Just(" []".to_string()),
        Just(" &a\n      count: 1".to_string()),
        Just(" *a".to_string()),
    ];
    value.prop_map(move |v| format!("    {name}:{v}"))
}

/// A legacy-shaped manifest: an operator that has `Master`/`Worker` rules, its entries in
/// either order (or one alone), another key after them or not, and a final newline or not.
fn legacy_shaped() -> impl Strategy<Value = String> {
    (
        prop_oneof![
            Just("pytorch"),
            Just("xgboost"),
            Just("jax"),
            Just("batchjob")
        ],
        legacy_entry("Master"),
        legacy_entry("Worker"),
        0..4usize,
        prop_oneof![
            Just(""),
            Just("  command: x\n"),
            Just("builder: {}\n"),
            Just("    other: 1\n")
        ],
        any::<bool>(),
        prop_oneof![Just("\n"), Just("\r\n")],
    )
        .prop_map(|(op, master, worker, order, after, final_newline, eol)| {
            let entries = match order {
                0 => format!("{master}\n{worker}\n"),
                1 => format!("{worker}\n{master}\n"),
                2 => format!("{master}\n"),
                _ => format!("{worker}\n"),
            };
            let mut text = format!("spec:\n  operator: {op}\n  types:\n{entries}{after}");
            if !final_newline {
                text.pop();
            }
            text.replace('\n', eol)
        })
}

proptest! {
    // Cheap (in-process, small inputs) and the bad layouts are a few in a thousand.
    #![proptest_config(ProptestConfig::with_cases(2048))]

    /// Found #25: the rules broke on layouts real files have (no final newline, an empty
    /// `Worker:`, a key after the `Master` block); every such layout keeps the promise now.
    #[test]
    fn migrate_keeps_its_promise_on_legacy_layouts(text in legacy_shaped()) {
        if let Err(e) = crate::regressions::promise(&text) {
            prop_assert!(false, "{e}\ninput: {text:?}");
        }
    }

}

proptest! {
    #[test]
    fn migrate_keeps_its_promise_on_any_input(text in YAML_ISH) {
        if let Err(e) = crate::regressions::promise(&text) {
            prop_assert!(false, "{e}\ninput: {text:?}");
        }
    }

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
        if let Err(e) = crate::regressions::promise(&text) {
            prop_assert!(false, "{e}");
        }
        let Ok(m) = migrate_unchecked(&text) else { return Ok(()) };
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
