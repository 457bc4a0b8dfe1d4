//! Shared helpers: commands in a sandboxed environment (aichor with no stdin, git), and tree
//! readers.

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};

use assert_cmd::Command;

/// `aichor` in a sandbox (see `isolate`) with stdin closed, so it never prompts and its
/// output depends neither on the developer's shell nor on what `aichor` did on this machine
/// before (a cached git pack, a config file, `AICHOR_*` defaults).
pub(crate) fn aichor() -> Command {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_aichor"));
    isolate(&mut cmd);
    let mut cmd = Command::from_std(cmd);
    cmd.write_stdin("");
    cmd
}

/// Variables the sandbox replaces or drops, by prefix: aichor's own settings, the user's
/// folders (config, cache, data, home), git's (a global `core.hooksPath`,
/// `init.defaultBranch`, `commit.template` or `GIT_DIR` changes what git does), uv's and an
/// active virtual environment's, and colour switches.
const DROPPED_PREFIXES: &[&str] = &[
    "AICHOR_",
    "XDG_",
    "GIT_",
    "UV_",
    "VIRTUAL_ENV",
    "CONDA_",
    "PYTHON",
    "CLICOLOR",
    "NO_COLOR",
];
const DROPPED: &[&str] = &["HOME", "APPDATA", "LOCALAPPDATA", "USERPROFILE"];

/// Runs `cmd` (aichor, git, ...) in a fresh sandbox: the environment this test process was
/// given, less the variables above, plus a new empty home of its own.
pub(crate) fn isolate(cmd: &mut std::process::Command) {
    isolate_from(cmd, std::env::vars_os());
}

/// `isolate` with `parent` standing for the test process's environment (a test gives it a
/// polluted one to prove nothing of it gets through).
pub(crate) fn isolate_from(
    cmd: &mut std::process::Command,
    parent: impl IntoIterator<Item = (OsString, OsString)>,
) {
    cmd.env_clear();
    for (key, value) in parent {
        let name = key.to_string_lossy();
        let dropped = DROPPED.contains(&name.as_ref())
            || DROPPED_PREFIXES.iter().any(|p| name.starts_with(p));
        if !dropped {
            cmd.env(&key, &value);
        }
    }
    let home = sandbox_home();
    cmd.env("HOME", &home)
        .env("USERPROFILE", &home)
        .env("XDG_CONFIG_HOME", home.join(".config"))
        .env("XDG_CACHE_HOME", home.join(".cache"))
        .env("XDG_DATA_HOME", home.join(".local/share"))
        .env("APPDATA", home.join("AppData/Roaming"))
        .env("LOCALAPPDATA", home.join("AppData/Local"))
        .env("GIT_CONFIG_GLOBAL", home.join(".gitconfig"))
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("NO_COLOR", "1")
        // No real `uv lock` in these tests: it needs the network and takes seconds. The lock
        // tests point AICHOR_UV at a stand-in; scripts/check-generated.sh runs the real one.
        .env("AICHOR_UV", "/nonexistent/uv")
        // A config file a test writes in the sandbox is still never read unless the test
        // asks (with `AICHOR_CONFIG_FILE` or by clearing this).
        .env("AICHOR_NO_CONFIG", "1");
}

/// `git` in `dir`, sandboxed like `aichor()` (the sandbox's `.gitconfig` gives it an
/// identity, `main` as the first branch and no signing).
pub(crate) fn git(dir: &Path) -> std::process::Command {
    let mut cmd = std::process::Command::new("git");
    isolate(&mut cmd);
    cmd.current_dir(dir);
    cmd
}

/// The git configuration every sandbox starts with, so commits need no user settings.
const SANDBOX_GITCONFIG: &str = "[user]\n\tname = aichor tests\n\temail = tests@example.com\n\
[init]\n\tdefaultBranch = main\n[commit]\n\tgpgsign = false\n[tag]\n\tgpgsign = false\n";

/// A new, empty home folder (with only the sandbox's `.gitconfig`) for one command, under
/// this test process's folder in cargo's `target/tmp`. The process's folder is removed by
/// the next run once this process has exited; `cargo clean` removes them all.
fn sandbox_home() -> PathBuf {
    static ROOT: OnceLock<PathBuf> = OnceLock::new();
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let root = ROOT.get_or_init(|| {
        let base = Path::new(env!("CARGO_TARGET_TMPDIR")).join("sandbox");
        remove_stale_sandboxes(&base);
        let root = base.join(std::process::id().to_string());
        let _ = std::fs::remove_dir_all(&root);
        root
    });
    let home = root.join(NEXT.fetch_add(1, Ordering::Relaxed).to_string());
    std::fs::create_dir_all(&home).expect("sandbox home");
    std::fs::write(home.join(".gitconfig"), SANDBOX_GITCONFIG).expect("sandbox .gitconfig");
    home
}

/// The sandboxes of test processes that are gone (on Linux, where `/proc` says so).
fn remove_stale_sandboxes(base: &Path) {
    if !Path::new("/proc/self").exists() {
        return;
    }
    let Ok(entries) = std::fs::read_dir(base) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let alive = Path::new("/proc").join(&name).exists();
        if !alive && name.to_string_lossy().parse::<u32>().is_ok() {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
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
    // The sandbox's home folder (see `isolate`).
    out.push((
        format!(
            r"{}/sandbox/[0-9]+/[0-9]+",
            regex_escape(env!("CARGO_TARGET_TMPDIR"))
        ),
        "[HOME]".to_string(),
    ));
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
