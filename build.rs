//! `include_dir` embeds templates/ but cannot tell Cargo about added or removed files; this
//! makes any change under templates/ rebuild the binary. Also hands the target triple to
//! `aichor version` (Cargo gives it to build scripts only).
fn main() {
    println!("cargo::rerun-if-changed=templates");
    let target = std::env::var("TARGET").unwrap_or_default();
    println!("cargo::rustc-env=AICHOR_TARGET={target}");
}
