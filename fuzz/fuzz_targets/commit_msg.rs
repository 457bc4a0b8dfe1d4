//! The commit-message parser on any bytes: no panic, and a near miss's corrected form is a
//! message that triggers, with a clean selector (no brackets, no `..`, no surrounding `/`).
#![no_main]

use aichor::check::commit_msg::{Trigger, parse};

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Trigger::NearMiss {
        corrected: Some(c), ..
    } = parse(&text)
    {
        let Trigger::Manifest { selector } = parse(&c) else {
            panic!("{text:?} → {c:?} does not trigger");
        };
        assert!(
            !selector.contains(['[', ']', '(', ')', '{', '}', '<', '>', '\\'])
                && !selector.contains("../")
                && selector != ".."
                && !selector.starts_with('/')
                && !selector.ends_with('/'),
            "{text:?} → {c:?}"
        );
    }
});
