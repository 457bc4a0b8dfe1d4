//! The manifest validator on any bytes: no panic, no stack overflow, positions from 1; and
//! the folder walk's test of what is a manifest (`looks_like_manifest`), no panic.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        for d in aichor::manifest::validate::validate_text(text).diagnostics {
            assert!(d.line >= 1 && d.column >= 1);
        }
        let _ = aichor::manifest::files::looks_like_manifest(text);
    }
});
