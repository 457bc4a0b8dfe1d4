//! `manifest migrate` on any bytes: the rules refuse, or their output parses, keeps every
//! value outside `spec.types` and `spec.operator`, and migrating it again changes nothing
//! (what `--write` relies on). The rules are checked alone (`migrate_unchecked`); `migrate`,
//! which checks its own result, must then accept it too.
#![no_main]

use aichor::manifest::migrate::{migrate, migrate_unchecked};
use aichor::manifest::validate::validate_text;

/// Messages of the validator that mean the text does not load as one YAML document.
const NOT_LOADED: [&str; 4] = [
    "not valid YAML",
    "too complex",
    "more than one YAML document",
    "the file is empty",
];

fn lf(text: &str) -> String {
    text.trim_start_matches('\u{feff}')
        .replace("\r\n", "\n")
        .replace('\r', "\n")
}

/// The data a migration must keep: everything but `spec.operator` and the worker entries.
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

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(m) = migrate_unchecked(text) else {
        return;
    };
    let out = lf(&m.text);
    let broken: Vec<_> = validate_text(&out)
        .diagnostics
        .into_iter()
        .filter(|d| NOT_LOADED.iter().any(|p| d.message.starts_with(p)))
        .collect();
    assert!(
        broken.is_empty(),
        "the output does not load: {broken:?}\n{out}"
    );
    let again = migrate_unchecked(&m.text)
        .unwrap_or_else(|e| panic!("the output is refused by a second migration: {e}\n{out}"));
    assert_eq!(again.text, m.text, "not a fixed point");
    // Another parser's view (aliases left out: it expands them without our bounds).
    if !text.contains('*')
        && let Some(before) = kept(&lf(text))
    {
        assert_eq!(
            Some(before),
            kept(&out),
            "a value outside spec.types changed\n{out}"
        );
    }
    if let Err(e) = migrate(text) {
        panic!("the rules kept the promise, but `migrate` refused: {e}");
    }
});
