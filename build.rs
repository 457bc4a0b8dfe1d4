//! `include_dir` embeds templates/ but cannot tell Cargo about added or removed files; this
//! makes any change under templates/ rebuild the binary.
fn main() {
    println!("cargo::rerun-if-changed=templates");
}
