//! Shared helpers: a command with a scrubbed environment and no stdin, and tree readers.

use std::collections::BTreeMap;
use std::path::Path;

use assert_cmd::Command;

/// `aichor` with no inherited `AICHOR_*`/colour settings and stdin closed, so it never
/// prompts and its output does not depend on the developer's shell.
pub(crate) fn aichor() -> Command {
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
        // The developer's own config file must not change what tests see.
        .env("AICHOR_NO_CONFIG", "1")
        .write_stdin("");
    cmd
}

/// Every file under `root` (relative `/` path → bytes), sorted.
pub(crate) fn read_tree(root: &Path) -> BTreeMap<String, Vec<u8>> {
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
pub(crate) fn entries(dir: &Path) -> Vec<String> {
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
pub(crate) fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Runs `cmd` and returns the text a snapshot keeps (exit status, stdout, stderr in one
/// block, the way uv's test suite shows them) with the output itself.
pub(crate) fn run_and_format(cmd: &mut Command) -> (String, std::process::Output) {
    let output = cmd.output().expect("aichor runs");
    let code = output.status.code().map_or_else(
        || "none (killed by a signal)".to_string(),
        |c| c.to_string(),
    );
    let text = format!(
        "success: {}\nexit_code: {code}\n----- stdout -----\n{}\n----- stderr -----\n{}",
        output.status.success(),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr),
    );
    (text, output)
}

/// Filters every snapshot of the binary's output goes through: temporary directories
/// (`tempfile`'s `.tmpXXXXXX` under the system temp dir, as given and canonicalized) become
/// `[TEMP]`, the crate version becomes `[VERSION]`.
pub(crate) fn filters() -> Vec<(String, String)> {
    let mut temp_dirs = vec![std::env::temp_dir()];
    if let Ok(canonical) = std::env::temp_dir().canonicalize() {
        temp_dirs.push(canonical);
    }
    let mut out: Vec<(String, String)> = temp_dirs
        .iter()
        .map(|dir| {
            let dir = dir.to_string_lossy();
            let dir = dir.trim_end_matches('/');
            (
                format!(r"{}/\.tmp[A-Za-z0-9_]+", regex_escape(dir)),
                "[TEMP]".to_string(),
            )
        })
        .collect();
    out.push((
        format!(r"\b{}\b", regex_escape(env!("CARGO_PKG_VERSION"))),
        "[VERSION]".to_string(),
    ));
    out
}

/// `s` as a regex matching itself.
pub(crate) fn regex_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if "\\.+*?()|[]{}^$#&-~".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// insta settings with `filters()` and `extra` (regex, replacement) applied, in that order.
pub(crate) fn snapshot_settings(extra: &[(&str, &str)]) -> insta::Settings {
    let mut settings = insta::Settings::clone_current();
    for (regex, replacement) in filters() {
        settings.add_filter(&regex, replacement);
    }
    for (regex, replacement) in extra {
        settings.add_filter(regex, *replacement);
    }
    settings
}

/// Run an `assert_cmd::Command` and snapshot its exit status, stdout and stderr in one
/// block (see `run_and_format`), through `filters()`; evaluates to the `Output`.
///
/// `aichor_snapshot!(cmd, @"...")` for an inline snapshot, or
/// `aichor_snapshot!(filters = [(regex, replacement), ...], cmd, @"...")` with extra filters.
macro_rules! aichor_snapshot {
    ($cmd:expr, @$snapshot:literal) => {
        $crate::support::aichor_snapshot!(filters = [], $cmd, @$snapshot)
    };
    (filters = [$(($regex:expr, $replacement:expr)),* $(,)?], $cmd:expr, @$snapshot:literal) => {{
        let (snapshot, output) = $crate::support::run_and_format(&mut $cmd);
        let extra: &[(&str, &str)] = &[$(($regex, $replacement)),*];
        $crate::support::snapshot_settings(extra).bind(|| {
            ::insta::assert_snapshot!(snapshot, @$snapshot);
        });
        output
    }};
}
pub(crate) use aichor_snapshot;
