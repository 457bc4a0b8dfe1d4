//! The commit-message parser on any bytes: no panic, and a near miss's corrected form is a
//! message that triggers.
#![no_main]

use aichor::check::commit_msg::{Trigger, parse};

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data)
        && let Trigger::NearMiss {
            corrected: Some(c), ..
        } = parse(text)
    {
        assert!(matches!(parse(&c), Trigger::Manifest { .. }), "{text:?} → {c:?}");
    }
});
