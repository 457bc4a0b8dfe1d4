//! Shared helpers: a command with a scrubbed environment and no stdin, and tree readers.

use std::collections::BTreeMap;
use std::path::Path;

use assert_cmd::Command;

/// `aichor` with no inherited `AICHOR_*`/colour settings and stdin closed, so it never
/// prompts and its output does not depend on the developer's shell.
pub fn aichor() -> Command {
    let mut cmd = Command::cargo_bin("aichor").expect("binary built");
    for (key, _) in std::env::vars_os() {
        if key.to_string_lossy().starts_with("AICHOR_") {
            cmd.env_remove(&key);
        }
    }
    // No real `uv lock` in these tests: it needs the network and takes seconds. The lock
    // tests point AICHOR_UV at a stand-in; scripts/check-generated.sh runs the real one.
    cmd.env("NO_COLOR", "1")
        .env_remove("CLICOLOR_FORCE")
        .env("AICHOR_UV", "/nonexistent/uv")
        .write_stdin("");
    cmd
}

/// Every file under `root` (relative `/` path → bytes), sorted.
pub fn read_tree(root: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    walk(root, root, &mut out);
    out
}

fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
    for entry in std::fs::read_dir(dir).expect("readable dir") {
        let path = entry.expect("dir entry").path();
        if path.is_dir() {
            walk(root, &path, out);
        } else {
            let rel = path
                .strip_prefix(root)
                .expect("under root")
                .to_string_lossy()
                .replace('\\', "/");
            out.insert(rel, std::fs::read(&path).expect("readable file"));
        }
    }
}

/// Names in `dir` (to check nothing, not even a staging dir, was left behind).
pub fn entries(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

/// stderr of an output as text.
pub fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}
