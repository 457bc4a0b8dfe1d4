//! The user's config file and `AICHOR_<KEY>` variables: the precedence table (a flag over
//! `--set` over an answers file over the environment over the config file over the pack's
//! default), `config path|show`, and broken files reported with the file and the key.

use std::path::Path;

use crate::support::{aichor, stderr};

/// `aichor` reading the config file under `home` (`<home>/aichor/config.toml`).
fn with_config(home: &Path) -> assert_cmd::Command {
    let mut cmd = aichor();
    cmd.env_remove("AICHOR_NO_CONFIG")
        .env("XDG_CONFIG_HOME", home)
        .current_dir(home);
    cmd
}

fn write_config(home: &Path, text: &str) {
    std::fs::create_dir_all(home.join("aichor")).unwrap();
    std::fs::write(home.join("aichor/config.toml"), text).unwrap();
}

/// The workers count an init of a jax project writes, given extra arguments and variables.
fn workers(home: &Path, dest: &str, args: &[&str], env: &[(&str, &str)]) -> String {
    let mut cmd = with_config(home);
    cmd.args([
        "local-repo",
        "init",
        dest,
        "--operator",
        "jax",
        "--no-input",
    ])
    .args(["--no-lock"])
    .args(args);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().unwrap();
    assert!(out.status.success(), "{dest}: {}", stderr(&out));
    let manifest =
        std::fs::read_to_string(home.join(dest).join("aichor_manifests/manifest.yaml")).unwrap();
    let line = manifest
        .lines()
        .find(|l| l.trim_start().starts_with("count:"))
        .unwrap();
    line.trim().trim_start_matches("count:").trim().to_string()
}

#[test]
fn precedence_flag_set_answers_file_environment_config_pack() {
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path();
    std::fs::write(home.join("answers.yaml"), "workers: 4\n").unwrap();
    let answers = home.join("answers.yaml");
    let answers = answers.to_str().unwrap();
    // Each row adds one layer above the previous ones; the new layer must win.
    assert_eq!(
        workers(home, "pack", &[], &[]),
        "2",
        "the profile's default"
    );
    write_config(home, "[defaults]\nworkers = 7\n");
    assert_eq!(workers(home, "config", &[], &[]), "7", "config over pack");
    let env = [("AICHOR_WORKERS", "3")];
    assert_eq!(
        workers(home, "env", &[], &env),
        "3",
        "environment over config"
    );
    assert_eq!(
        workers(home, "file", &["--answers", answers], &env),
        "4",
        "answers file over environment"
    );
    assert_eq!(
        workers(
            home,
            "set",
            &["--answers", answers, "--set", "workers=5"],
            &env
        ),
        "5",
        "--set over answers file"
    );
    assert_eq!(
        workers(
            home,
            "flag",
            &["--answers", answers, "--set", "workers=5", "--workers", "6"],
            &env
        ),
        "6",
        "flag over --set"
    );
    // An empty variable is unset, as in a CI template's `AICHOR_WORKERS=`.
    assert_eq!(workers(home, "empty", &[], &[("AICHOR_WORKERS", "")]), "7");
    // AICHOR_NO_CONFIG skips the file, in any boolean spelling.
    for value in ["1", "yes", "TRUE", "on"] {
        let dest = format!("off-{}", value.to_lowercase());
        assert_eq!(
            workers(home, &dest, &[], &[("AICHOR_NO_CONFIG", value)]),
            "2",
            "AICHOR_NO_CONFIG={value}"
        );
    }
    assert_eq!(
        workers(home, "on-0", &[], &[("AICHOR_NO_CONFIG", "0")]),
        "7",
        "AICHOR_NO_CONFIG=0 reads the file"
    );
}

#[test]
fn boolean_question_variables_read_every_spelling() {
    let tmp = tempfile::tempdir().unwrap();
    for (value, enabled) in [
        ("1", true),
        ("true", true),
        ("YES", true),
        ("on", true),
        ("0", false),
        ("false", false),
        ("No", false),
        ("OFF", false),
    ] {
        let dest = format!("tb-{}", value.to_lowercase());
        let out = with_config(tmp.path())
            .args(["local-repo", "init", &dest, "--operator", "jax"])
            .args(["--no-input", "--no-lock"])
            .env("AICHOR_TENSORBOARD", value)
            .output()
            .unwrap();
        assert!(out.status.success(), "{value}: {}", stderr(&out));
        let manifest = std::fs::read_to_string(
            tmp.path()
                .join(&dest)
                .join("aichor_manifests/manifest.yaml"),
        )
        .unwrap();
        assert_eq!(
            manifest.contains("enabled: true"),
            enabled,
            "AICHOR_TENSORBOARD={value}:\n{manifest}"
        );
    }
    let out = with_config(tmp.path())
        .args([
            "local-repo",
            "init",
            "bad",
            "--operator",
            "jax",
            "--no-input",
        ])
        .env("AICHOR_TENSORBOARD", "maybe")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains("from `AICHOR_TENSORBOARD`") && err.contains("unset `AICHOR_TENSORBOARD`"),
        "{err}"
    );
}

#[test]
fn the_config_file_names_the_pack() {
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path();
    let pack = home.join("team");
    let out = aichor()
        .args(["templates", "new"])
        .arg(&pack)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    write_config(
        home,
        &format!("template = {:?}\n", pack.display().to_string()),
    );
    let out = with_config(home)
        .args([
            "local-repo",
            "init",
            "demo",
            "--operator",
            "jax",
            "--no-input",
        ])
        .args(["--no-lock", "--profile", "gpu-l4"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let record = std::fs::read_to_string(home.join("demo/.aichor-answers.yaml")).unwrap();
    assert!(record.contains("pack: team@"), "{record}");
    // `--template builtin` wins over the file.
    let out = with_config(home)
        .args([
            "local-repo",
            "init",
            "plain",
            "--operator",
            "jax",
            "--no-input",
        ])
        .args(["--no-lock", "--template", "builtin"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let record = std::fs::read_to_string(home.join("plain/.aichor-answers.yaml")).unwrap();
    assert!(record.contains("pack: builtin@"), "{record}");
}

#[test]
fn config_path_and_show_say_where_each_value_comes_from() {
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path();
    let out = with_config(home).args(["config", "path"]).output().unwrap();
    assert!(out.status.success());
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        home.join("aichor/config.toml").display().to_string()
    );
    assert!(stderr(&out).contains("no file there yet"));

    write_config(
        home,
        "color = \"never\"\n[defaults]\nprofile = \"gpu-t4\"\ncost-centre = \"ml\"\n",
    );
    let out = with_config(home)
        .args(["config", "show", "--format", "json"])
        .env("AICHOR_PYTHON", "3.12")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["loaded"], true);
    let row = |key: &str| {
        doc["settings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["key"] == key)
            .unwrap_or_else(|| panic!("no {key} in {doc}"))
            .clone()
    };
    assert_eq!(row("profile")["value"], "gpu-t4");
    assert_eq!(row("profile")["source"], "config file");
    assert_eq!(row("python")["value"], "3.12");
    assert_eq!(row("python")["source"], "environment");
    assert_eq!(row("python")["from"], "AICHOR_PYTHON");
    assert_eq!(row("tensorboard")["source"], "pack");
    assert_eq!(row("color")["value"], "never");
    assert_eq!(row("template")["source"], "built-in");
    assert_eq!(doc["unused"], serde_json::json!(["cost-centre"]));

    let out = with_config(home).args(["config", "show"]).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.lines()
            .any(|l| l.starts_with("profile") && l.contains("gpu-t4") && l.contains("config file")),
        "{text}"
    );
}

#[test]
fn a_broken_config_file_names_the_file_and_key() {
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path();
    write_config(home, "profle = \"gpu-t4\"\n");
    let out = with_config(home)
        .args([
            "local-repo",
            "init",
            "demo",
            "--operator",
            "jax",
            "--no-input",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains("cannot read config file")
            && err.contains("unknown field `profle`")
            && err.contains("AICHOR_NO_CONFIG=1"),
        "{err}"
    );
    assert!(!home.join("demo").exists());
    // Commands that don't use the defaults still run.
    with_config(home)
        .args(["profiles", "list"])
        .assert()
        .success();

    write_config(home, "[defaults]\nprofile = \"gpu-t5\"\n");
    let out = with_config(home)
        .args([
            "local-repo",
            "init",
            "demo",
            "--operator",
            "jax",
            "--no-input",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains("in config file `") && err.contains("fix `defaults.profile`"),
        "{err}"
    );
}

/// `AICHOR_CONFIG_FILE` naming no file is an error (a typo would drop every default without
/// a word), with `config path` still answering; a file that is not UTF-8 says so rather
/// than blaming the permissions. Both as one JSON document with `--format json`.
#[test]
fn a_named_config_file_must_exist_and_be_text() {
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path();
    let missing = home.join("team.toml");
    let init = |file: &Path| {
        let out = with_config(home)
            .env("AICHOR_CONFIG_FILE", file)
            .args(["local-repo", "init", "demo", "--operator", "jax"])
            .args(["--no-input", "--no-lock", "--format", "json"])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
        assert!(!home.join("demo").exists());
        let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        (doc, stderr(&out))
    };
    let (doc, err) = init(&missing);
    assert_eq!(doc["error"]["kind"], "config_file_missing");
    assert!(
        err.contains("`AICHOR_CONFIG_FILE` names")
            && err.contains("which does not exist")
            && err.contains("aichor/config.toml"),
        "{err}"
    );
    let out = with_config(home)
        .env("AICHOR_CONFIG_FILE", &missing)
        .args(["config", "path"])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("team.toml"));

    std::fs::write(&missing, b"template = \"caf\xe9\"\n").unwrap();
    let (doc, err) = init(&missing);
    assert_eq!(doc["error"]["kind"], "config_not_text");
    assert!(
        err.contains("is not UTF-8 text") && !err.contains("permissions"),
        "{err}"
    );
}

/// A folder where the config file should be: `config path` says so (it said "no file there
/// yet", and `config show` then failed with "Is a directory").
#[test]
fn config_path_names_a_folder_in_the_way() {
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path();
    std::fs::create_dir_all(home.join("aichor/config.toml")).unwrap();
    let out = with_config(home).args(["config", "path"]).output().unwrap();
    assert!(out.status.success());
    let err = stderr(&out);
    assert!(err.contains("a folder is there, not a file"), "{err}");
    let out = with_config(home).args(["config", "show"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    if cfg!(unix) {
        assert!(stderr(&out).contains("Is a directory"), "{}", stderr(&out));
    }
}

/// `python = 3.10` (unquoted) in the config file, and `python: 3.10` in an answers file, are
/// numbers to TOML and YAML (3.1); the version is the text as written.
#[test]
fn an_unquoted_python_version_is_read_as_written() {
    let tmp = tempfile::tempdir().unwrap();
    write_config(tmp.path(), "[defaults]\npython = 3.10\n");
    let out = with_config(tmp.path())
        .args(["local-repo", "init", "from-config", "--operator", "jax"])
        .args(["--no-input", "--no-lock"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let version = std::fs::read_to_string(tmp.path().join("from-config/.python-version")).unwrap();
    assert_eq!(version.trim(), "3.10");

    std::fs::write(
        tmp.path().join("answers.yaml"),
        "operator: jax\npython: 3.10\n",
    )
    .unwrap();
    let out = aichor()
        .current_dir(tmp.path())
        .args([
            "local-repo",
            "init",
            "from-file",
            "--answers",
            "answers.yaml",
        ])
        .args(["--no-input", "--no-lock"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let version = std::fs::read_to_string(tmp.path().join("from-file/.python-version")).unwrap();
    assert_eq!(version.trim(), "3.10");
}
