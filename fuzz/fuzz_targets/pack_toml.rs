//! A template pack's `pack.toml` on any bytes: loading refuses or succeeds, never panics.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Ok(dir) = tempfile_dir() else { return };
    if std::fs::write(dir.join("pack.toml"), data).is_ok() {
        let _ = aichor::pack::Pack::from_dir(&dir, aichor::pack::PackSource::Spec("fuzz".into()));
    }
    let _ = std::fs::remove_dir_all(&dir);
});

/// A fresh folder per input (no tempfile dependency in the fuzz crate).
fn tempfile_dir() -> std::io::Result<std::path::PathBuf> {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    let dir = std::env::temp_dir().join(format!(
        "aichor-fuzz-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ));
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}
