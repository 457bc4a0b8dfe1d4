//! `manifest migrate` on any bytes: it refuses, or its output parses and migrating it again
//! changes nothing (what `--write` relies on before writing).
#![no_main]

use aichor::manifest::migrate::migrate;
use aichor::manifest::validate::validate_text;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(m) = migrate(text) else {
        return;
    };
    let lf = m
        .text
        .trim_start_matches('\u{feff}')
        .replace("\r\n", "\n")
        .replace('\r', "\n");
    let input_parses = !validate_text(text.trim_start_matches('\u{feff}'))
        .diagnostics
        .iter()
        .any(|d| d.message.starts_with("not valid YAML"));
    if input_parses {
        assert!(
            !validate_text(&lf)
                .diagnostics
                .iter()
                .any(|d| d.message.starts_with("not valid YAML")),
            "migrate turned parsable YAML into unparsable YAML"
        );
        if let Ok(again) = migrate(&m.text) {
            assert_eq!(again.text, m.text, "not a fixed point");
        }
    }
});
