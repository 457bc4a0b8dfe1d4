//! The suite's sandbox (`support::isolate`) holds: on a machine where `aichor` has been used
//! (a cached git pack, a named pack and a config file with defaults, `AICHOR_*` defaults,
//! git's global hook path and first branch, an active virtual environment, uv settings),
//! every command a test runs prints and writes what it does on a clean machine.
//!
//! Each case runs three ways: in the sandbox built from a clean parent environment, in the
//! sandbox built from the polluted one (must match the clean run), and straight in the
//! polluted environment (must differ: otherwise the pollution proves nothing).

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::support::{isolate_from, read_tree};

/// A home folder where aichor and git have been used, and the variables that point at it.
fn polluted(root: &Path) -> Vec<(OsString, OsString)> {
    let home = root.join("home");
    let write = |rel: &str, text: &str| {
        let path = home.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    };
    let pack = "[pack]\nname = \"acme\"\nversion = \"1.0.0\"\ndescription = \"ACME\"\nextends = \"builtin\"\n";
    // A git pack fetched earlier (the cache's own record of what it was fetched for).
    write(
        ".cache/aichor/templates/acme-0123456789abcdef/pack.toml",
        pack,
    );
    write(
        ".cache/aichor/templates/acme-0123456789abcdef/.git/aichor-fetched",
        "https://example.com/acme.git#v1\n",
    );
    // A pack by name, and a config file with defaults.
    write(".config/aichor/templates/acme/pack.toml", pack);
    write(
        ".config/aichor/config.toml",
        "template = \"acme\"\nhooks = false\n[defaults]\noperator = \"xgboost\"\nworkers = 7\n",
    );
    write("packs/acme/pack.toml", pack);
    // git: hooks elsewhere, another first branch, a commit template.
    write(
        ".gitconfig",
        &format!(
            "[core]\n\thooksPath = {}\n[init]\n\tdefaultBranch = trunk\n[commit]\n\ttemplate = {}\n",
            home.join("global-hooks").display(),
            home.join("commit-template").display()
        ),
    );
    write("commit-template", "exp: what I usually run\n");
    let mut env: Vec<(OsString, OsString)> = std::env::vars_os().collect();
    let set = |env: &mut Vec<(OsString, OsString)>, key: &str, value: OsString| {
        env.retain(|(k, _)| k != key);
        env.push((key.into(), value));
    };
    set(&mut env, "HOME", home.clone().into());
    set(&mut env, "XDG_CONFIG_HOME", home.join(".config").into());
    set(&mut env, "XDG_CACHE_HOME", home.join(".cache").into());
    set(
        &mut env,
        "GIT_CONFIG_GLOBAL",
        home.join(".gitconfig").into(),
    );
    set(&mut env, "AICHOR_OPERATOR", "kuberay".into());
    set(&mut env, "AICHOR_PROFILE", "cpu-large".into());
    set(&mut env, "AICHOR_TEMPLATE_PATH", home.join("packs").into());
    set(&mut env, "VIRTUAL_ENV", home.join("venv").into());
    set(&mut env, "UV_INDEX_URL", "http://127.0.0.1:9/simple".into());
    env.retain(|(k, _)| k != "AICHOR_NO_CONFIG");
    env
}

/// How a command is run: in the sandbox from this parent environment, or straight in it.
#[derive(Clone, Copy)]
enum Way<'a> {
    Sandboxed(&'a [(OsString, OsString)]),
    Raw(&'a [(OsString, OsString)]),
}

impl Way<'_> {
    fn command(self, program: impl AsRef<std::ffi::OsStr>) -> Command {
        let mut cmd = Command::new(program);
        match self {
            Way::Sandboxed(parent) => isolate_from(&mut cmd, parent.iter().cloned()),
            Way::Raw(env) => {
                cmd.env_clear()
                    .envs(env.iter().cloned())
                    .env("NO_COLOR", "1");
            }
        }
        cmd.stdin(std::process::Stdio::null());
        cmd
    }
}

/// What a user sees of one run: exit code, stdout, stderr, and the files in `dir`, with the
/// run's own folders (`dir`, a sandbox home) named the same way every time.
fn observe(way: Way<'_>, dir: &Path, args: &[&str]) -> String {
    let out = way
        .command(env!("CARGO_BIN_EXE_aichor"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("aichor runs");
    let mut files: Vec<String> = read_tree(dir)
        .into_iter()
        .filter(|(path, _)| !path.starts_with(".git/") || path == ".git/hooks/commit-msg")
        .map(|(path, bytes)| format!("{path}: {}", String::from_utf8_lossy(&bytes)))
        .collect();
    files.sort();
    let text = format!(
        "exit {:?}\n--- stdout\n{}\n--- stderr\n{}\n--- files\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
        files.join("\n")
    );
    normalize(&text, dir)
}

/// `text` with `dir` and any sandbox home replaced by fixed names.
fn normalize(text: &str, dir: &Path) -> String {
    let mut text = text.replace(&dir.display().to_string(), "[DIR]");
    let sandbox = format!("{}/sandbox/", env!("CARGO_TARGET_TMPDIR"));
    while let Some(start) = text.find(&sandbox) {
        let rest = &text[start + sandbox.len()..];
        let digits = |s: &str| s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
        let pid = digits(rest);
        let n = digits(&rest[pid + 1..]);
        let end = start + sandbox.len() + pid + 1 + n;
        text.replace_range(start..end, "[HOME]");
    }
    text
}

/// A fresh folder for one run of a case, named the same for every way (`init .` names the
/// project after it).
fn case_dir(root: &Path, way: &str) -> PathBuf {
    let dir = root.join(way).join("demo");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Runs `args` in a folder `setup` prepares, the three ways, and checks the sandbox holds.
fn holds(args: &[&str], setup: fn(Way<'_>, &Path)) {
    let tmp = tempfile::tempdir().unwrap();
    let clean: Vec<(OsString, OsString)> = std::env::vars_os()
        .filter(|(k, _)| !k.to_string_lossy().starts_with("AICHOR_"))
        .collect();
    let dirty = polluted(tmp.path());
    let run = |name: &str, way: Way<'_>| {
        let dir = case_dir(tmp.path(), name);
        setup(way, &dir);
        observe(way, &dir, args)
    };
    let clean_run = run("clean", Way::Sandboxed(&clean));
    let sandboxed = run("sandboxed", Way::Sandboxed(&dirty));
    let raw = run("raw", Way::Raw(&dirty));
    assert_eq!(
        sandboxed, clean_run,
        "`aichor {args:?}` in the sandbox saw the polluted environment"
    );
    assert_ne!(
        raw, clean_run,
        "the polluted environment does not change `aichor {args:?}`: this case proves nothing"
    );
}

fn nothing(_: Way<'_>, _: &Path) {}

/// `git init` run the same way as the command under test.
fn git_repository(way: Way<'_>, dir: &Path) {
    let ok = way
        .command("git")
        .args(["init", "-q"])
        .current_dir(dir)
        .status()
        .expect("git is installed")
        .success();
    assert!(ok);
}

#[test]
fn templates_list_ignores_the_users_packs_and_cache() {
    holds(&["templates", "list", "--format", "json"], nothing);
}

#[test]
fn init_ignores_the_users_defaults_and_template() {
    holds(
        &[
            "local-repo",
            "init",
            "demo",
            "--no-input",
            "--no-lock",
            "--format",
            "json",
        ],
        nothing,
    );
    holds(
        &[
            "local-repo",
            "init",
            "demo",
            "--operator",
            "jax",
            "--no-input",
            "--no-lock",
        ],
        nothing,
    );
}

#[test]
fn config_show_ignores_the_users_file_and_variables() {
    holds(&["config", "show"], nothing);
}

#[test]
fn hooks_and_git_ignore_the_users_git_configuration() {
    holds(&["local-repo", "hooks", "install"], git_repository);
    holds(
        &[
            "local-repo",
            "init",
            ".",
            "--operator",
            "jax",
            "--no-input",
            "--no-lock",
        ],
        git_repository,
    );
}
