//! Template packs, built in each test: layering over the built-in pack, questions of each
//! type and condition, conditional and templated files, pack profiles, git packs, the
//! `templates` commands and every refusal.

use std::path::{Path, PathBuf};

use crate::support::{aichor, entries, read_tree, stderr};

/// Write `files` (relative path → text) under `dir`.
fn write_pack(dir: &Path, files: &[(&str, &str)]) {
    for (path, text) in files {
        let p = dir.join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
}

const PACK_TOML: &str = r#"
[pack]
name = "acme"
version = "1.2.0"
description = "ACME's AIchor starter"
extends = "builtin"
requires-aichor = ">=0.1"

[vars]
bucket = "s3://acme"

[[questions]]
key = "team"
prompt = "Team name"
type = "string"
default = "research"
pattern = "^[a-z][a-z0-9-]*$"

[[questions]]
key = "budget"
prompt = "Budget"
type = "int"
default = 10

[[questions]]
key = "tier"
prompt = "Tier"
type = "choice"
choices = ["hot", "cold"]
default = "cold"

[[questions]]
key = "bf16"
prompt = "bf16?"
type = "bool"
default = true
when = "operator == 'pytorch'"

[[questions]]
key = "bucket_dir"
prompt = "Bucket folder"
type = "string"
default = "{{ team }}-{{ name }}-data"

[[files]]
path = "docs/gpu.md.tera"
when = "accelerator == 'gpu'"
"#;

fn acme(dir: &Path) -> PathBuf {
    let pack = dir.join("acme");
    write_pack(
        &pack,
        &[
            ("pack.toml", PACK_TOML),
            (
                "profiles.toml",
                "[[profile]]\nid = \"gpu-l4\"\ndescription = \"one L4\"\ndefault-workers = 1\nresources = { cpus = 8, ramRatio = 4, accelerators = { gpu = { count = 1, type = \"gpu\", product = \"nvidia-l4\" } } }\n",
            ),
            ("files/Dockerfile", "FROM acme/base:1\n"),
            ("files/docs/gpu.md.tera", "GPUs: {{ gpus }}\n"),
            (
                "files/src/{{ package }}/settings.py.tera",
                "TEAM = {{ team | yaml_str }}\nBUDGET = {{ budget }}\nTIER = {{ tier | yaml_str }}\nBF16 = {{ bf16 or false }}\nDATA = {{ (vars.bucket ~ '/' ~ bucket_dir) | yaml_str }}\n",
            ),
        ],
    );
    pack
}

/// Two generated trees hold the same files, byte for byte (reports the first difference).
fn assert_same_tree(a: &Path, b: &Path) {
    let (a, b) = (read_tree(a), read_tree(b));
    assert_eq!(a.keys().collect::<Vec<_>>(), b.keys().collect::<Vec<_>>());
    for (path, bytes) in &a {
        assert!(bytes == &b[path], "{path} differs");
    }
}

fn init_with(cwd: &Path, args: &[&str]) -> std::process::Output {
    aichor()
        .current_dir(cwd)
        .args(["local-repo", "init"])
        .args(args)
        .arg("--no-input")
        .output()
        .unwrap()
}

#[test]
fn a_pack_layers_over_the_builtin_one() {
    let tmp = tempfile::tempdir().unwrap();
    let pack = acme(tmp.path());
    let out = init_with(
        tmp.path(),
        &[
            "demo",
            "--template",
            pack.to_str().unwrap(),
            "--operator",
            "pytorch",
            "--profile",
            "gpu-l4",
            "--set",
            "team=vision",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let tree = read_tree(&tmp.path().join("demo"));
    // Overridden file, added files, templated path, conditional file.
    assert_eq!(tree["Dockerfile"], b"FROM acme/base:1\n");
    assert_eq!(String::from_utf8_lossy(&tree["docs/gpu.md"]), "GPUs: 1\n");
    let settings = String::from_utf8_lossy(&tree["src/demo/settings.py"]).into_owned();
    assert_eq!(
        settings,
        "TEAM = \"vision\"\nBUDGET = 10\nTIER = \"cold\"\nBF16 = true\nDATA = \"s3://acme/vision-demo-data\"\n"
    );
    // Built-in files are still there; the manifest uses the pack's profile.
    let manifest = String::from_utf8_lossy(&tree["aichor_manifests/manifest.yaml"]).into_owned();
    assert!(manifest.contains("product: nvidia-l4"), "{manifest}");
    let record = String::from_utf8_lossy(&tree[".aichor-answers.yaml"]).into_owned();
    assert!(
        record.contains("pack: acme@1.2.0") && record.contains("team: vision"),
        "{record}"
    );
}

#[test]
fn conditions_skip_questions_and_files() {
    let tmp = tempfile::tempdir().unwrap();
    let pack = acme(tmp.path());
    let out = init_with(
        tmp.path(),
        &[
            "demo",
            "--template",
            pack.to_str().unwrap(),
            "--operator",
            "jobset",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let tree = read_tree(&tmp.path().join("demo"));
    assert!(
        !tree.contains_key("docs/gpu.md"),
        "CPU profile: no GPU notes"
    );
    let settings = String::from_utf8_lossy(&tree["src/demo/settings.py"]).into_owned();
    assert!(
        settings.contains("BF16 = false"),
        "a skipped question is null: {settings}"
    );
    assert!(!String::from_utf8_lossy(&tree[".aichor-answers.yaml"]).contains("bf16"));
}

#[test]
fn pack_answers_are_validated_like_any_other() {
    let tmp = tempfile::tempdir().unwrap();
    let pack = acme(tmp.path());
    let p = pack.to_str().unwrap();
    for (set, expected) in [
        (
            "team=Bad Team",
            "invalid team `Bad Team` (from `--set`): does not match",
        ),
        (
            "budget=lots",
            "invalid budget `lots` (from `--set`): not a whole number",
        ),
        (
            "tier=warm",
            "invalid tier `warm` (from `--set`): not one of the accepted values\n  help: pass `--set tier=` with one of: hot, cold",
        ),
        ("bf16=maybe", "invalid bf16 `maybe`"),
        ("teem=x", "unknown question `teem`"),
    ] {
        let out = init_with(
            tmp.path(),
            &[
                "demo",
                "--template",
                p,
                "--operator",
                "pytorch",
                "--set",
                set,
            ],
        );
        assert_eq!(out.status.code(), Some(2), "{set}: {}", stderr(&out));
        assert!(stderr(&out).contains(expected), "{set}: {}", stderr(&out));
        assert!(!tmp.path().join("demo").exists());
    }
}

#[test]
fn answers_replay_with_the_recorded_pack() {
    let tmp = tempfile::tempdir().unwrap();
    let pack = acme(tmp.path());
    let out = init_with(
        tmp.path(),
        &[
            "first",
            "--name",
            "same",
            "--template",
            pack.to_str().unwrap(),
            "--operator",
            "xgboost",
            "--set",
            "tier=hot",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let out = init_with(
        tmp.path(),
        &["second", "--answers", "first/.aichor-answers.yaml"],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert_same_tree(&tmp.path().join("first"), &tmp.path().join("second"));
}

#[test]
fn packs_are_found_by_name() {
    let tmp = tempfile::tempdir().unwrap();
    acme(&tmp.path().join("packs"));
    let config = tmp.path().join("config");
    let out = aichor()
        .current_dir(tmp.path())
        .env("AICHOR_TEMPLATE_PATH", tmp.path().join("packs"))
        .env("XDG_CONFIG_HOME", &config)
        .args([
            "local-repo",
            "init",
            "demo",
            "--template",
            "acme",
            "--operator",
            "jax",
            "--no-input",
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let out = aichor()
        .env("AICHOR_TEMPLATE_PATH", tmp.path().join("packs"))
        .env("XDG_CONFIG_HOME", &config)
        .args(["templates", "list", "--format", "json"])
        .output()
        .unwrap();
    let list: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let names: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["builtin", "acme"]);

    let out = aichor()
        .env("AICHOR_TEMPLATE_PATH", tmp.path().join("packs"))
        .env("XDG_CONFIG_HOME", &config)
        .args([
            "local-repo",
            "init",
            "x",
            "--template",
            "nope",
            "--operator",
            "jax",
            "--no-input",
        ])
        .current_dir(tmp.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("cannot find template pack `nope`") && stderr(&out).contains("packs"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn pack_profiles_are_listed_and_chosen() {
    let tmp = tempfile::tempdir().unwrap();
    let pack = acme(tmp.path());
    // Listed: the pack's profile next to the built-in ones it extends.
    let out = aichor()
        .args(["profiles", "list", "--template"])
        .arg(&pack)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let text = String::from_utf8_lossy(&out.stdout);
    let ids: Vec<&str> = text
        .lines()
        .skip(1)
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    assert!(
        ids.contains(&"gpu-l4") && ids.contains(&"cpu-small"),
        "{text}"
    );
    // Without the pack, its profile is not offered.
    let out = aichor().args(["profiles", "list"]).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(!String::from_utf8_lossy(&out.stdout).contains("gpu-l4"));

    // Chosen: `--profile gpu-l4` puts the pack's resources in the manifest.
    let out = init_with(
        tmp.path(),
        &[
            "demo",
            "--template",
            pack.to_str().unwrap(),
            "--operator",
            "jax",
            "--profile",
            "gpu-l4",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let manifest: yaml_serde::Value = yaml_serde::from_str(
        &std::fs::read_to_string(tmp.path().join("demo/aichor_manifests/manifest.yaml")).unwrap(),
    )
    .unwrap();
    let worker = &manifest["spec"]["types"]["worker"];
    assert_eq!(
        worker["count"].as_u64(),
        Some(1),
        "gpu-l4's default-workers"
    );
    let resources = &worker["resources"];
    assert_eq!(resources["cpus"].as_u64(), Some(8), "{resources:?}");
    assert_eq!(resources["ramRatio"].as_u64(), Some(4), "{resources:?}");
    let gpu = &resources["accelerators"]["gpu"];
    assert_eq!(gpu["count"].as_u64(), Some(1), "{gpu:?}");
    assert_eq!(gpu["product"].as_str(), Some("nvidia-l4"), "{gpu:?}");
    let record = std::fs::read_to_string(tmp.path().join("demo/.aichor-answers.yaml")).unwrap();
    assert!(record.contains("profile: gpu-l4"), "{record}");

    // The builtin pack does not know it.
    let out = init_with(
        tmp.path(),
        &["other", "--operator", "jax", "--profile", "gpu-l4"],
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("invalid profile `gpu-l4`"),
        "{}",
        stderr(&out)
    );
    assert!(!tmp.path().join("other").exists());
}

#[test]
fn show_describes_the_questions_as_json_schema() {
    let tmp = tempfile::tempdir().unwrap();
    let pack = acme(tmp.path());
    let out = aichor()
        .args(["templates", "show", "--format", "json"])
        .arg(&pack)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let schema: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let keys: Vec<&String> = schema["properties"].as_object().unwrap().keys().collect();
    assert_eq!(
        keys,
        [
            "name",
            "operator",
            "profile",
            "workers",
            "python",
            "tensorboard",
            // The built-in pack's own questions (jobset only; an option never asked), then
            // the layered pack's.
            "completions",
            "github_actions",
            "team",
            "budget",
            "tier",
            "bf16",
            "bucket_dir"
        ]
    );
    let p = &schema["properties"];
    assert_eq!(p["team"]["pattern"], "^[a-z][a-z0-9-]*$");
    assert_eq!(p["tier"]["enum"], serde_json::json!(["hot", "cold"]));
    assert_eq!(p["budget"]["type"], "integer");
    assert_eq!(p["bf16"]["x-aichor-when"], "operator == 'pytorch'");
    assert_eq!(
        p["bucket_dir"]["x-aichor-default-template"],
        "{{ team }}-{{ name }}-data"
    );
    assert!(
        p["profile"]["enum"]
            .as_array()
            .unwrap()
            .iter()
            .any(|v| v == "gpu-l4")
    );
}

#[test]
fn git_packs_are_cloned_at_a_tag_and_reused_offline() {
    let tmp = tempfile::tempdir().unwrap();
    let work = acme(tmp.path());
    let git = |dir: &Path, args: &[&str]| {
        let out = crate::support::git(dir)
            .args(args)
            .output()
            .expect("git is installed");
        assert!(
            out.status.success(),
            "git {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    git(&work, &["init", "-q"]);
    git(&work, &["add", "-A"]);
    git(&work, &["commit", "-q", "-m", "v1"]);
    git(&work, &["tag", "v1"]);
    let bare = tmp.path().join("acme.git");
    git(
        tmp.path(),
        &[
            "clone",
            "-q",
            "--bare",
            work.to_str().unwrap(),
            bare.to_str().unwrap(),
        ],
    );
    let url = format!("file://{}#v1", bare.display());
    let cache = tmp.path().join("cache");
    let run = |dest: &str| {
        aichor()
            .current_dir(tmp.path())
            .env("AICHOR_CACHE_DIR", &cache)
            .args([
                "local-repo",
                "init",
                dest,
                "--name",
                "same",
                "--template",
                &url,
            ])
            .args(["--operator", "jax", "--no-input"])
            .output()
            .unwrap()
    };
    let out = run("one");
    assert!(out.status.success(), "{}", stderr(&out));
    let record = std::fs::read_to_string(tmp.path().join("one/.aichor-answers.yaml")).unwrap();
    assert!(
        record.contains(&format!("template: {url}")) && record.contains("commit: "),
        "{record}"
    );
    // The cached clone serves later runs without the repository.
    std::fs::remove_dir_all(&bare).unwrap();
    let out = run("two");
    assert!(out.status.success(), "{}", stderr(&out));
    assert_same_tree(&tmp.path().join("one"), &tmp.path().join("two"));
    // `templates test` takes the URL too; it never writes snapshots into the cached clone.
    let out = aichor()
        .current_dir(tmp.path())
        .env("AICHOR_CACHE_DIR", &cache)
        .args(["templates", "test", &url, "--update"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("it is a cached clone of a git pack"),
        "{}",
        stderr(&out)
    );

    let out = aichor()
        .current_dir(tmp.path())
        .env("AICHOR_CACHE_DIR", tmp.path().join("empty-cache"))
        .args([
            "local-repo",
            "init",
            "three",
            "--template",
            &format!("file://{}#v1", tmp.path().join("missing.git").display()),
        ])
        .args(["--operator", "jax", "--no-input"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("cannot fetch template pack"), "{err}");
    // git's whole message, not only its last line ("... and the repository exists.").
    assert!(
        err.contains("does not appear to be a git repository") && err.contains("repository exists"),
        "{err}"
    );
    assert!(
        !tmp.path().join("empty-cache").exists(),
        "a failed fetch leaves the cache as it found it"
    );
}

/// A pack with `pack.toml` replaced by `toml`, and optional extra files.
fn broken(dir: &Path, toml: &str, extra: &[(&str, &str)]) -> String {
    let pack = dir.join("broken");
    let _ = std::fs::remove_dir_all(&pack);
    write_pack(&pack, &[("pack.toml", toml), ("files/x.txt", "x\n")]);
    write_pack(&pack, extra);
    pack.to_str().unwrap().to_string()
}

#[test]
fn broken_packs_are_refused_naming_file_line_and_key() {
    // (pack.toml, extra files, expected in the error)
    type Case<'a> = (String, Vec<(&'a str, &'a str)>, &'a str);
    let tmp = tempfile::tempdir().unwrap();
    let ok_head =
        "[pack]\nname = \"b\"\nversion = \"1.0.0\"\ndescription = \"d\"\nextends = \"builtin\"\n";
    let cases: Vec<Case> = vec![
        ("[pack\nname = 1\n".into(), vec![], "pack.toml:1:"),
        // Next steps render before the first write: a broken one leaves nothing.
        (
            format!("next-steps = [\"{{{{ nope }}}}\"]\n{ok_head}"),
            vec![],
            "template `next-steps in pack.toml` failed to render",
        ),
        // A pack may not write where git would run its code (`core.fsmonitor`, hooks).
        (
            format!("{ok_head}\n[vars]\nd = \".Git\"\n"),
            vec![(
                "files/{{ vars.d }}/config",
                "[core]\nfsmonitor = \"touch pwned\"\n",
            )],
            "a version-control folder's config can run commands",
        ),
        (
            ok_head.to_string(),
            vec![(
                "files/.gitmodules",
                "[submodule \"x\"]\n\tpath = x\n\turl = ../x\n\tupdate = !touch pwned\n",
            )],
            "`update = !command` runs that command",
        ),
        (
            format!("{ok_head}colour = \"red\"\n"),
            vec![],
            "unknown field `colour`",
        ),
        (
            format!(
                "{ok_head}\n[[questions]]\nkey = \"t\"\nprompt = \"T\"\ntype = \"string\"\nwhen = \"operator ==\"\n"
            ),
            vec![],
            "pack.toml:8: question `t`: `when = \"operator ==\"` does not parse",
        ),
        (
            format!(
                "{ok_head}\n[[questions]]\nkey = \"name\"\nprompt = \"T\"\ntype = \"string\"\n"
            ),
            vec![],
            "question `name`: this key is built in",
        ),
        (
            format!("{ok_head}\n[[questions]]\nkey = \"c\"\nprompt = \"C\"\ntype = \"choice\"\n"),
            vec![],
            "needs a non-empty `choices` list",
        ),
        (
            format!(
                "{ok_head}\n[[questions]]\nkey = \"s\"\nprompt = \"S\"\ntype = \"string\"\npattern = \"(\"\n"
            ),
            vec![],
            "`pattern` does not compile",
        ),
        (
            format!("{ok_head}\n[[files]]\npath = \"nope.txt\"\nwhen = \"true\"\n"),
            vec![],
            "[[files]] `nope.txt`: no such file under files/",
        ),
        (ok_head.replace("1.0.0", "one"), vec![], "is not semver"),
        (
            ok_head.replace(
                "extends = \"builtin\"",
                "extends = \"other\"\nrequires-aichor = \">=0.1\"",
            ),
            vec![],
            "only `builtin` can be extended",
        ),
        (
            ok_head.replace(
                "extends = \"builtin\"",
                "extends = \"builtin\"\nrequires-aichor = \">=99\"",
            ),
            vec![],
            "requires aichor >=99",
        ),
        (
            ok_head.to_string(),
            vec![("files/bad.txt.tera", "{{ nothing_defined }}\n")],
            "failed to render",
        ),
        (
            ok_head.to_string(),
            vec![("files/{{ up }}/x.txt", "x\n")],
            "failed to render",
        ),
        (
            ok_head.replace("extends = \"builtin\"\n", ""),
            vec![],
            "needs its own profiles.toml",
        ),
    ];
    for (toml, extra, expected) in cases {
        let pack = broken(tmp.path(), &toml, &extra);
        let out = init_with(
            tmp.path(),
            &["demo", "--template", &pack, "--operator", "jax"],
        );
        assert_ne!(out.status.code(), Some(0), "{toml}");
        let err = stderr(&out);
        assert!(
            err.contains(expected),
            "expected `{expected}` for:\n{toml}\ngot: {err}"
        );
        assert!(!err.contains("panicked"));
        assert!(!tmp.path().join("demo").exists());
    }
}

#[test]
fn paths_cannot_leave_the_destination() {
    let tmp = tempfile::tempdir().unwrap();
    let head = "[pack]\nname = \"b\"\nversion = \"1.0.0\"\ndescription = \"d\"\nextends = \"builtin\"\n\n[[questions]]\nkey = \"up\"\nprompt = \"Up\"\ntype = \"string\"\ndefault = \"..\"\n";
    let pack = broken(tmp.path(), head, &[("files/{{ up }}/escape.txt", "x\n")]);
    let out = init_with(
        tmp.path(),
        &["demo", "--template", &pack, "--operator", "jax"],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("renders to `..`, which is not a plain file name"),
        "{}",
        stderr(&out)
    );
    assert!(!tmp.path().join("escape.txt").exists());

    #[cfg(unix)]
    {
        // A symlink inside the pack.
        let pack = broken(
            tmp.path(),
            "[pack]\nname = \"b\"\nversion = \"1.0.0\"\ndescription = \"d\"\nextends = \"builtin\"\n",
            &[],
        );
        std::os::unix::fs::symlink("/etc/passwd", Path::new(&pack).join("files/passwd")).unwrap();
        let out = init_with(
            tmp.path(),
            &["demo", "--template", &pack, "--operator", "jax"],
        );
        assert_eq!(out.status.code(), Some(1));
        assert!(
            stderr(&out).contains("symlinks are not allowed in a pack"),
            "{}",
            stderr(&out)
        );

        // A symlink in the destination that would lead outside it.
        let dest = tmp.path().join("dest");
        let outside = tmp.path().join("outside");
        std::fs::create_dir_all(&dest).unwrap();
        std::fs::create_dir_all(&outside).unwrap();
        std::os::unix::fs::symlink(&outside, dest.join("src")).unwrap();
        let out = init_with(tmp.path(), &["dest", "--operator", "jax", "--force"]);
        assert_eq!(out.status.code(), Some(1));
        assert!(
            stderr(&out).contains("is a symlink in the destination"),
            "{}",
            stderr(&out)
        );
        assert!(entries(&outside).is_empty());
    }
}

#[test]
fn templates_new_creates_a_pack_whose_tests_pass() {
    let tmp = tempfile::tempdir().unwrap();
    let out = aichor()
        .current_dir(tmp.path())
        .args(["templates", "new", "team-pack"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let pack = tmp.path().join("team-pack");
    assert!(
        std::fs::read_to_string(pack.join("pack.toml"))
            .unwrap()
            .contains("name = \"team-pack\"")
    );
    let out = aichor()
        .args(["templates", "test"])
        .arg(&pack)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("ok cpu") && stderr(&out).contains("ok gpu"),
        "{}",
        stderr(&out)
    );

    // A change in a template shows as a diff and fails, until accepted with --update.
    let team = pack.join("files/src/{{ package }}/team.py.tera");
    let text = std::fs::read_to_string(&team).unwrap();
    std::fs::write(&team, text.replace("COST_CENTRE", "COST_CENTER")).unwrap();
    let out = aichor()
        .args(["templates", "test"])
        .arg(&pack)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains("-COST_CENTRE = ") && err.contains("+COST_CENTER = "),
        "{err}"
    );
    assert!(err.contains("rerun with `--update`"), "{err}");
    aichor()
        .args(["templates", "test", "--update"])
        .arg(&pack)
        .assert()
        .success();
    aichor()
        .args(["templates", "test"])
        .arg(&pack)
        .assert()
        .success();
    // By name, as `--template` finds it.
    aichor()
        .env("AICHOR_TEMPLATE_PATH", tmp.path())
        .args(["templates", "test", "team-pack"])
        .assert()
        .success();

    // The new pack generates a project, interactively-free.
    let out = init_with(
        tmp.path(),
        &[
            "demo",
            "--template",
            pack.to_str().unwrap(),
            "--operator",
            "pytorch",
            "--profile",
            "gpu-l4",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(tmp.path().join("demo/docs/gpu-notes.md").is_file());

    // Refuses a non-empty folder.
    let out = aichor()
        .current_dir(tmp.path())
        .args(["templates", "new", "team-pack"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
}

/// `templates test builtin` takes the name as `--template` does: the pack compiled in,
/// rendered and checked with each of its answer sets; it has no snapshots to update.
#[test]
fn templates_test_builtin_tests_the_built_in_pack() {
    let tmp = tempfile::tempdir().unwrap();
    let out = aichor()
        .current_dir(tmp.path())
        .args(["templates", "test", "builtin"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let err = stderr(&out);
    for set in ["jax-cpu", "kuberay-tpu", "pytorch-gpu-t4", "xgboost-gpu"] {
        assert!(err.contains(&format!("ok {set}\n")), "{err}");
    }
    assert!(err.contains("rendered and checked"), "{err}");
    let out = aichor()
        .current_dir(tmp.path())
        .args(["templates", "test", "builtin", "--update"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("the built-in pack has no snapshots to update"),
        "{}",
        stderr(&out)
    );
    assert!(entries(tmp.path()).is_empty());
}
