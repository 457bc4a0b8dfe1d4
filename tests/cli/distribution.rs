//! What installing the tool relies on: `--version` says which `aichor` this is, the
//! `aichor-kit` name (the wheel's command) names itself everywhere, and `aichor man` renders
//! the pages. scripts/check-wheel.sh builds and installs the wheel itself.

use assert_cmd::Command;

use crate::support::{aichor, stderr};

/// The same program under the name the wheel installs.
fn aichor_kit() -> Command {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_aichor-kit"));
    crate::support::isolate(&mut cmd);
    let mut cmd = Command::from_std(cmd);
    cmd.write_stdin("");
    cmd
}

fn stdout(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn version_names_the_tool_and_keeps_the_version_second() {
    let out = aichor().arg("--version").output().unwrap();
    let text = stdout(&out);
    let words: Vec<&str> = text.split_whitespace().collect();
    assert_eq!(words[..2], ["aichor", env!("CARGO_PKG_VERSION")], "{text}");
    assert!(
        text.contains("not the AIchor platform CLI from aichor-cli"),
        "{text}"
    );
}

#[test]
fn aichor_kit_says_its_own_name() {
    let version = stdout(&aichor_kit().arg("--version").output().unwrap());
    assert!(
        version.starts_with(&format!("aichor-kit {} (", env!("CARGO_PKG_VERSION"))),
        "{version}"
    );
    let help = stdout(
        &aichor_kit()
            .args(["local-repo", "--help"])
            .output()
            .unwrap(),
    );
    assert!(
        help.contains("Usage: aichor-kit local-repo [OPTIONS] <COMMAND>"),
        "{help}"
    );
    let err = stderr(&aichor_kit().arg("nope").output().unwrap());
    assert!(
        err.contains("Usage: aichor-kit [OPTIONS] <COMMAND>"),
        "{err}"
    );
    let zsh = stdout(&aichor_kit().args(["completions", "zsh"]).output().unwrap());
    assert!(zsh.starts_with("#compdef aichor-kit"), "{zsh}");
}

#[test]
fn aichor_kit_runs_the_same_commands() {
    let tmp = tempfile::tempdir().unwrap();
    aichor_kit()
        .current_dir(tmp.path())
        .env("AICHOR_UV", "/nonexistent/uv")
        .args([
            "local-repo",
            "init",
            "demo",
            "--no-input",
            "--operator",
            "jax",
            "--no-lock",
        ])
        .assert()
        .success();
    assert!(
        tmp.path()
            .join("demo/aichor_manifests/manifest.yaml")
            .is_file()
    );
}

#[test]
fn man_prints_the_main_page_listing_the_subcommands() {
    let out = aichor().arg("man").output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let page = stdout(&out);
    assert!(page.starts_with(".ie \\n(.g .ds Aq"), "roff: {page}");
    assert!(page.contains(".TH aichor 1"), "{page}");
    assert!(
        page.contains(&format!("\"aichor {}\"", env!("CARGO_PKG_VERSION"))),
        "the footer: {page}"
    );
    for sub in [
        "local\\-repo",
        "manifest",
        "profiles",
        "templates",
        "completions",
    ] {
        assert!(
            page.contains(&format!("aichor\\-{sub}(1)")),
            "{sub}: {page}"
        );
    }
    assert!(!page.contains("aichor\\-man(1)"), "`man` is hidden: {page}");
}

/// The wheel carries the pages from wheel-data/ (pyproject.toml's `data`), committed so that
/// the one documented `maturin build` needs nothing generated first. They must be what the
/// binary renders today.
#[test]
fn the_wheels_man_pages_are_current() {
    let committed =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("wheel-data/data/share/man/man1");
    let tmp = tempfile::tempdir().unwrap();
    aichor_kit()
        .args(["man", "--out-dir"])
        .arg(tmp.path())
        .assert()
        .success();
    let fix = "regenerate them: rm -r wheel-data/data/share/man/man1 && \
               cargo run --bin aichor-kit -- man --out-dir wheel-data/data/share/man/man1";
    let names = |dir: &std::path::Path| {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .map(|rd| {
                rd.map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                    .collect()
            })
            .unwrap_or_default();
        names.sort();
        names
    };
    assert_eq!(names(&committed), names(tmp.path()), "{fix}");
    for name in names(tmp.path()) {
        assert!(
            std::fs::read(committed.join(&name)).unwrap()
                == std::fs::read(tmp.path().join(&name)).unwrap(),
            "wheel-data's {name} is out of date; {fix}"
        );
    }
}

#[test]
fn man_out_dir_writes_a_page_per_command() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("man/man1");
    let out = aichor()
        .args(["man", "--out-dir"])
        .arg(&dir)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let mut pages: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    pages.sort();
    insta::assert_debug_snapshot!(pages, @r#"
    [
        "aichor-completions.1",
        "aichor-config-path.1",
        "aichor-config-show.1",
        "aichor-config.1",
        "aichor-local-repo-adopt.1",
        "aichor-local-repo-check.1",
        "aichor-local-repo-hooks-install.1",
        "aichor-local-repo-hooks-uninstall.1",
        "aichor-local-repo-hooks.1",
        "aichor-local-repo-init.1",
        "aichor-local-repo-run.1",
        "aichor-local-repo-update.1",
        "aichor-local-repo.1",
        "aichor-manifest-migrate.1",
        "aichor-manifest-new.1",
        "aichor-manifest-schema.1",
        "aichor-manifest-validate.1",
        "aichor-manifest.1",
        "aichor-profiles-list.1",
        "aichor-profiles.1",
        "aichor-templates-list.1",
        "aichor-templates-new.1",
        "aichor-templates-show.1",
        "aichor-templates-test.1",
        "aichor-templates.1",
        "aichor-version.1",
        "aichor.1",
    ]
    "#);
    assert!(
        stderr(&out).contains(&format!(
            "Wrote {} man pages into `{}`",
            pages.len(),
            dir.display()
        )),
        "{}",
        stderr(&out)
    );
    let init = std::fs::read_to_string(dir.join("aichor-local-repo-init.1")).unwrap();
    // clap_mangen's `env` feature: the pages list the variables as `--help` does.
    assert!(init.contains("AICHOR_NO_INPUT"), "{init}");
    assert!(init.contains("\\-\\-operator"), "{init}");
}

#[test]
fn aichor_kit_suggests_commands_under_its_own_name() {
    let tmp = tempfile::tempdir().unwrap();
    let out = aichor_kit()
        .current_dir(tmp.path())
        .env("AICHOR_NO_CONFIG", "1")
        .args(["manifest", "validate"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains("`aichor-kit manifest validate PATH...`") && !err.contains("`aichor manifest"),
        "{err}"
    );
}

/// The commit-msg hook whose binary has moved, run by `sh` with `path_dir` first on PATH:
/// its exit status and stderr for a near-miss message (which only this tool refuses).
#[cfg(unix)]
fn moved_hook(path_dir: &std::path::Path) -> (Option<i32>, String) {
    let tmp = path_dir.parent().unwrap();
    let hook = tmp.join("commit-msg");
    std::fs::write(
        &hook,
        aichor::hooks::script(std::path::Path::new("/nonexistent/bin/aichor")),
    )
    .unwrap();
    std::fs::create_dir_all(tmp.join("aichor_manifests")).unwrap();
    let msg = tmp.join("COMMIT_EDITMSG");
    std::fs::write(&msg, "aichor [manifest.yaml]: first run\n").unwrap();
    let mut cmd = std::process::Command::new("sh");
    crate::support::isolate(&mut cmd);
    let out = cmd
        .arg(&hook)
        .arg(&msg)
        .current_dir(tmp)
        .env("PATH", format!("{}:/usr/bin:/bin", path_dir.display()))
        .output()
        .unwrap();
    (out.status.code(), stderr(&out))
}

/// A moved binary: the hook falls back to `aichor-kit`, or to an `aichor` that says it is
/// this tool, never to the AIchor platform's CLI (which refuses every commit); with neither
/// it lets the commit through, naming the path it had.
#[cfg(unix)]
#[test]
fn a_hook_whose_binary_moved_never_runs_the_platform_cli() {
    use std::os::unix::fs::{PermissionsExt, symlink};
    let tmp = tempfile::tempdir().unwrap();
    let bin = tmp.path().join("bin");
    std::fs::create_dir(&bin).unwrap();
    let platform = bin.join("aichor");
    std::fs::write(
        &platform,
        "#!/bin/sh\n[ \"$1\" = --version ] && { echo 'aichor-cli 1.4.0'; exit 0; }\necho 'platform CLI ran' >&2\nexit 1\n",
    )
    .unwrap();
    std::fs::set_permissions(&platform, std::fs::Permissions::from_mode(0o755)).unwrap();

    // Only the platform's `aichor`: not run; the commit goes through.
    let (code, err) = moved_hook(&bin);
    assert_eq!(code, Some(0), "{err}");
    assert!(!err.contains("platform CLI ran"), "{err}");
    assert!(
        err.contains("/nonexistent/bin/aichor not found, and no aichor-kit on PATH"),
        "{err}"
    );

    // `aichor-kit` beside it: that one checks the message (and refuses this one).
    symlink(env!("CARGO_BIN_EXE_aichor-kit"), bin.join("aichor-kit")).unwrap();
    let (code, err) = moved_hook(&bin);
    assert_eq!(code, Some(1), "{err}");
    assert!(err.contains("commit message refused"), "{err}");
    assert!(!err.contains("platform CLI ran"), "{err}");

    // No `aichor-kit`, and `aichor` is this tool: it is used.
    std::fs::remove_file(bin.join("aichor-kit")).unwrap();
    std::fs::remove_file(&platform).unwrap();
    symlink(env!("CARGO_BIN_EXE_aichor"), &platform).unwrap();
    let (code, err) = moved_hook(&bin);
    assert_eq!(code, Some(1), "{err}");
    assert!(err.contains("commit message refused"), "{err}");
}

#[test]
fn the_version_names_what_the_hook_looks_for() {
    let version = stdout(&aichor().arg("--version").output().unwrap());
    assert!(
        version.contains(aichor::hooks::NOT_THE_PLATFORM_CLI),
        "{version}"
    );
}

/// `aichor version`: one version everywhere (`--version`'s line, the wheel's and the man
/// pages' come from Cargo.toml too), and what a bug report needs: the commit (unknown in a
/// build from source), the target, the built-in pack's version, and the uv that would run.
#[test]
fn version_prints_what_a_bug_report_needs() {
    let tmp = tempfile::tempdir().unwrap();
    let uv = tmp.path().join("uv");
    std::fs::write(&uv, "#!/bin/sh\necho 'uv 9.9.9 (stand-in)'\n").unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&uv, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let out = aichor_kit()
        .arg("version")
        .env("AICHOR_UV", &uv)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    let lines: Vec<&str> = text.lines().collect();
    let version = stdout(&aichor_kit().arg("--version").output().unwrap());
    assert_eq!(lines[0], version.trim_end(), "{text}");
    let builtin = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("templates/builtin/pack.toml"),
    )
    .unwrap();
    let pack_version = builtin
        .lines()
        .skip_while(|l| *l != "[pack]")
        .find_map(|l| l.strip_prefix("version = \""))
        .and_then(|v| v.strip_suffix('"'))
        .unwrap();
    let target = if cfg!(all(
        target_os = "linux",
        target_arch = "x86_64",
        target_env = "gnu"
    )) {
        "x86_64-unknown-linux-gnu"
    } else {
        ""
    };
    assert!(lines[1].starts_with("commit:        "), "{text}");
    assert!(
        lines[2].starts_with("target:        ") && lines[2].ends_with(target),
        "{text}"
    );
    assert!(
        lines[3].starts_with(&format!("built-in pack: builtin {pack_version} (")),
        "{text}"
    );
    #[cfg(unix)]
    assert_eq!(
        lines[4],
        format!("uv:            {} (uv 9.9.9 (stand-in))", uv.display()),
        "{text}"
    );
    // Without uv (the sandbox's AICHOR_UV names a missing file): said, not an error.
    let out = aichor_kit().arg("version").output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("\nuv:            not found: "),
        "{}",
        stdout(&out)
    );
}

/// `aichor version` is a report: a uv that never answers `--version` (a stand-in that
/// sleeps) is said to, and the report still ends, with status 0 (it hung forever).
#[cfg(unix)]
#[test]
fn version_does_not_wait_forever_for_uv() {
    use std::os::unix::fs::PermissionsExt;
    let tmp = tempfile::tempdir().unwrap();
    let uv = tmp.path().join("uv");
    // `exec`: the process aichor stops is the sleep itself, none is left behind.
    std::fs::write(&uv, "#!/bin/sh\nexec sleep 600\n").unwrap();
    std::fs::set_permissions(&uv, std::fs::Permissions::from_mode(0o755)).unwrap();
    let out = aichor_kit()
        .arg("version")
        .env("AICHOR_UV", &uv)
        .timeout(std::time::Duration::from_secs(60))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.contains(&format!(
            "\nuv:            {} (did not answer within 5 s)\n",
            uv.display()
        )),
        "{text}"
    );
}

/// A new template pack asks for the version that wrote it, not a number written by hand.
#[test]
fn a_new_pack_requires_the_version_that_wrote_it() {
    let tmp = tempfile::tempdir().unwrap();
    let out = aichor()
        .args(["templates", "new"])
        .arg(tmp.path().join("ours"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let pack = std::fs::read_to_string(tmp.path().join("ours/pack.toml")).unwrap();
    assert!(
        pack.contains(&format!(
            "requires-aichor = \">={}\"",
            env!("CARGO_PKG_VERSION")
        )),
        "{pack}"
    );
}

/// CHANGELOG.md is kept per release: the version Cargo.toml holds has its section (the
/// release workflow refuses a tag without one and takes the notes from it).
#[test]
fn the_changelog_has_a_section_for_this_version() {
    let changelog = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("CHANGELOG.md"),
    )
    .unwrap();
    let heading = format!("## [{}]", env!("CARGO_PKG_VERSION"));
    assert!(
        changelog.lines().any(|l| l.starts_with(&heading)),
        "CHANGELOG.md has no `{heading}` section"
    );
}
