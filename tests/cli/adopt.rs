//! `local-repo adopt` on repositories in the legacy layouts real AIchor users have: the
//! platform team's demo monorepo (the conformance corpus), a root `manifest.yaml` run by
//! `exp` commits, a half-migrated repository, manifests it cannot take, YAML that is not a
//! manifest. What it promises: every manifest moved under `aichor_manifests/` keeping its
//! subfolder, git sees renames, nothing else touched, never an overwrite, all or nothing.

use std::path::{Path, PathBuf};

use crate::support::{aichor, aichor_snapshot, read_tree, stderr};

fn git(dir: &Path, args: &[&str]) -> String {
    let out = crate::support::git(dir)
        .args(args)
        .output()
        .expect("git runs");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn write(dir: &Path, path: &str, text: &str) {
    let p = dir.join(path);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

/// A git repository holding `files`, committed.
fn repo(parent: &Path, files: &[(&str, &str)]) -> PathBuf {
    let dir = parent.join("repo");
    for (path, text) in files {
        write(&dir, path, text);
    }
    git(&dir, &["init", "-q"]);
    git(&dir, &["add", "-A"]);
    git(&dir, &["commit", "-qm", "legacy"]);
    dir
}

fn adopt(dir: &Path) -> assert_cmd::Command {
    let mut cmd = aichor();
    cmd.current_dir(dir).args(["local-repo", "adopt"]);
    cmd
}

/// A manifest in today's shape (apart from the modeline `migrate` adds).
const JAX: &str = "kind: AIchorManifest\napiVersion: 0.2.3\n\nbuilder:\n  image: demo\n  dockerfile: ./Dockerfile\n  context: .\n\nspec:\n  operator: jax\n  image: demo\n  command: python -m demo.main\n  types:\n    worker:\n      count: 2\n      resources:\n        cpus: 2\n        ramRatio: 2\n";

/// A pre-0.2.3 pytorch manifest (`Master` + `Worker`), as the legacy repositories have.
const LEGACY_PYTORCH: &str = "kind: AIchorManifest\napiVersion: 0.2.2\n\nbuilder:\n  image: demo\n  dockerfile: ./Dockerfile\n  context: .\n\nspec:\n  operator: pytorch\n  image: demo\n  command: python -m demo.main\n  types:\n    Master:\n      count: 1\n      resources:\n        cpus: 4\n        ramRatio: 2\n    Worker:\n      count: 1\n      resources:\n        cpus: 4\n        ramRatio: 2\n";

fn copy_dir(from: &Path, to: &Path) {
    for entry in std::fs::read_dir(from).unwrap() {
        let path = entry.unwrap().path();
        let target = to.join(path.file_name().unwrap());
        if path.is_dir() {
            std::fs::create_dir_all(&target).unwrap();
            copy_dir(&path, &target);
        } else {
            std::fs::copy(&path, &target).unwrap();
        }
    }
}

#[test]
fn the_demo_monorepo_moves_whole_and_git_sees_renames() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("repo");
    std::fs::create_dir_all(&dir).unwrap();
    copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/conformance/legacy"),
        &dir,
    );
    // Code beside the manifests stays, and keeps its folder.
    write(&dir, "jax-demo/src/main.py", "print('hi')\n");
    write(
        &dir,
        "README.md",
        "Run it: see jax-demo/manifests/manifest.yaml\n",
    );
    git(&dir, &["init", "-q"]);
    git(&dir, &["add", "-A"]);
    git(&dir, &["commit", "-qm", "legacy"]);
    let manifests = git(&dir, &["ls-files", "*.yaml"]).lines().count();

    let out = adopt(&dir).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        stdout.lines().filter(|l| l.starts_with("move ")).count(),
        manifests
    );
    assert!(
        stdout.contains(
            "move      jax-demo/manifests/manifest.yaml -> aichor_manifests/jax-demo/manifest.yaml"
        ),
        "{stdout}"
    );
    assert!(
        stderr(&out).contains("README.md:1: jax-demo/manifests/manifest.yaml"),
        "{}",
        stderr(&out)
    );
    git(&dir, &["add", "-A"]);
    let status = git(&dir, &["status", "--porcelain"]);
    let renames = status.lines().filter(|l| l.starts_with("R ")).count();
    assert_eq!(renames, manifests, "every manifest is a rename:\n{status}");
    assert_eq!(
        std::fs::read_to_string(dir.join("jax-demo/src/main.py")).unwrap(),
        "print('hi')\n"
    );
    assert!(
        !dir.join("jax-demo/manifests").exists(),
        "emptied folders go"
    );
    git(&dir, &["commit", "-qm", "adopt"]);

    // Again: nothing to do.
    let out = adopt(&dir).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("Up to date"), "{}", stderr(&out));
    assert!(git(&dir, &["status", "--porcelain"]).is_empty());
}

#[test]
fn a_root_manifest_run_by_exp_moves_and_its_new_trigger_is_shown() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = repo(
        tmp.path(),
        &[
            ("manifest.yaml", LEGACY_PYTORCH),
            ("manifests/gpu.yaml", JAX),
            // Kubernetes YAML and CI are not manifests: untouched.
            ("manifests/service.yaml", "kind: Service\napiVersion: v1\n"),
            (".github/workflows/ci.yml", "on: push\n"),
        ],
    );
    let before = read_tree(&dir);
    let output = aichor_snapshot!(
        filters = [(r"/[^ `]*/repo", "[REPO]"), (r"--plan [0-9a-f]{64}", "--plan [SHA]")],
        adopt(&dir).arg("--dry-run"),
        @r#"
    success: true
    exit_code: 0
    ----- stdout -----
    move      manifest.yaml -> aichor_manifests/manifest.yaml (migrated: spec.types: `Master` (count 1) + `Worker` (count 1) → `worker` (count 2); schema modeline: added)
    move      manifests/gpu.yaml -> aichor_manifests/gpu.yaml

    ----- stderr -----
       Dry run 2 manifest(s) moved, 0 migrated in place: nothing written (write exactly this plan with `--plan [SHA]`)

    Each manifest runs with a commit whose message starts with its path:
      git commit -m "aichor[manifest.yaml]: <what this run is>"  # `exp: ...` commits ran it from the root
      git commit -m "aichor[gpu.yaml]: <what this run is>"
    "#
    );
    assert!(output.status.success());
    assert_eq!(read_tree(&dir), before, "a dry run writes nothing");

    let out = adopt(&dir).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let after = read_tree(&dir);
    assert!(after.contains_key("aichor_manifests/manifest.yaml"));
    assert!(!after.contains_key("manifest.yaml"));
    assert_eq!(
        after["manifests/service.yaml"],
        before["manifests/service.yaml"]
    );
    assert_eq!(
        after[".github/workflows/ci.yml"],
        before[".github/workflows/ci.yml"]
    );
    // What it wrote is what `manifest validate` accepts.
    aichor()
        .current_dir(&dir)
        .args(["manifest", "validate", "aichor_manifests"])
        .assert()
        .success();
}

#[test]
fn a_half_migrated_repository_never_loses_a_file() {
    let tmp = tempfile::tempdir().unwrap();
    let other = JAX.replace("count: 2", "count: 3");
    let dir = repo(
        tmp.path(),
        &[
            ("aichor_manifests/manifest.yaml", &other),
            ("aichor_manifests/x.yaml", JAX),
            ("manifest.yaml", JAX),
            ("manifests/x.yaml", JAX),
            ("manifests/manifest.yaml", JAX),
            (
                "manifests/tf.yaml",
                "kind: AIchorManifest\napiVersion: 0.2.0\nbuilder:\n  image: t\n  dockerfile: ./Dockerfile\n  context: .\nspec:\n  operator: tf\n  image: t\n  command: python t.py\n",
            ),
            // A manifest that is no longer YAML (a bad merge): named, left, never lost.
            (
                "manifests/broken.yaml",
                "kind: AIchorManifest\napiVersion: 0.2.3\nspec: [operator: jax\n",
            ),
        ],
    );
    let before = read_tree(&dir);
    let out = adopt(&dir).output().unwrap();
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    // The root one's only target holds other bytes: left for the user.
    assert!(stdout.contains("conflict  manifest.yaml\n"), "{stdout}");
    // Same bytes as the target: a duplicate, listed, not moved.
    assert!(
        stdout.contains("duplicate manifests/x.yaml -> aichor_manifests/x.yaml"),
        "{stdout}"
    );
    // Taken by other bytes: the whole path is kept.
    assert!(
        stdout.contains(
            "move      manifests/manifest.yaml -> aichor_manifests/manifests/manifest.yaml"
        ),
        "{stdout}"
    );
    assert!(stdout.contains("manual    manifests/tf.yaml"), "{stdout}");
    assert!(
        stdout.contains("manual    manifests/broken.yaml"),
        "{stdout}"
    );
    assert!(stderr(&out).contains("left for you"), "{}", stderr(&out));
    let after = read_tree(&dir);
    for kept in [
        "aichor_manifests/manifest.yaml",
        "manifest.yaml",
        "manifests/x.yaml",
        "manifests/tf.yaml",
        "manifests/broken.yaml",
    ] {
        assert_eq!(after[kept], before[kept], "{kept} is untouched");
    }
    assert!(after.contains_key("aichor_manifests/manifests/manifest.yaml"));
}

#[test]
fn a_dirty_tree_is_refused_unless_forced_and_a_stale_plan_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = repo(
        tmp.path(),
        &[("manifests/a.yaml", JAX), ("train.py", "1\n")],
    );
    write(&dir, "train.py", "2\n");
    let out = adopt(&dir).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("uncommitted changes: train.py"),
        "{}",
        stderr(&out)
    );

    let out = adopt(&dir)
        .args(["--force", "--plan", &"0".repeat(64)])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("the repository changed since the dry run"));
    assert!(dir.join("manifests/a.yaml").exists());

    let out = adopt(&dir)
        .args(["--dry-run", "--format", "json"])
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["ok"], true);
    assert_eq!(report["items"][0]["action"], "move");
    assert_eq!(report["items"][0]["selector"], "a.yaml");
    let sha = report["plan_sha256"].as_str().unwrap().to_string();
    let out = adopt(&dir)
        .args(["--force", "--plan", &sha])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(dir.join("aichor_manifests/a.yaml").exists());
    assert_eq!(
        std::fs::read_to_string(dir.join("train.py")).unwrap(),
        "2\n"
    );
}

#[cfg(unix)]
#[test]
fn a_moved_manifest_keeps_its_permissions() {
    use std::os::unix::fs::PermissionsExt;
    let tmp = tempfile::tempdir().unwrap();
    let dir = repo(tmp.path(), &[("manifests/a.yaml", JAX)]);
    std::fs::set_permissions(
        dir.join("manifests/a.yaml"),
        std::fs::Permissions::from_mode(0o600),
    )
    .unwrap();
    let out = adopt(&dir).arg("--force").output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let mode = std::fs::metadata(dir.join("aichor_manifests/a.yaml"))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600);
}

/// Without a terminal the hook is never installed unasked: the report names the command;
/// `--hooks` installs it (the hook that checks the messages adopt printed), `--no-hooks`
/// neither installs nor mentions it.
#[test]
fn the_commit_msg_hook_after_adopt_is_installed_only_when_asked() {
    for (flag, installed, named) in [
        (None, false, true),
        (Some("--no-hooks"), false, false),
        (Some("--hooks"), true, false),
    ] {
        let tmp = tempfile::tempdir().unwrap();
        let dir = repo(tmp.path(), &[("manifest.yaml", JAX)]);
        let mut cmd = adopt(&dir);
        cmd.args(flag);
        let out = cmd.output().unwrap();
        assert!(out.status.success(), "{flag:?}: {}", stderr(&out));
        let hook = dir.join(".git/hooks/commit-msg");
        assert_eq!(hook.is_file(), installed, "{flag:?}");
        if installed {
            let text = std::fs::read_to_string(&hook).unwrap();
            assert!(text.contains("local-repo check --commit-msg"), "{text}");
        }
        assert_eq!(
            stderr(&out).contains("`aichor local-repo hooks install`"),
            named,
            "{flag:?}: {}",
            stderr(&out)
        );
    }
}

/// A file of `read_tree`'s map, as text.
fn text(tree: &std::collections::BTreeMap<String, Vec<u8>>, path: &str) -> String {
    String::from_utf8_lossy(&tree[path]).into_owned()
}

/// A stand-in for uv running `script` (it is called as `uv lock --quiet` in the folder it
/// locks).
#[cfg(unix)]
fn fake_uv(dir: &Path, script: &str) -> PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let path = dir.join("fake-uv");
    std::fs::write(&path, format!("#!/bin/sh\n{script}\n")).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    path
}

const PIP_DOCKERFILE: &str = "FROM python:3.10-slim\nWORKDIR /app\nCOPY requirements.txt .\nRUN pip install --no-cache-dir \\\n    -r requirements.txt\nCOPY . .\n";

/// `adopt --uv` of `dir`, with a stand-in uv (kept in `tools`) whose lock says `# {note}`.
#[cfg(unix)]
fn adopt_uv_locking(dir: &Path, tools: &Path, note: &str) -> std::process::Output {
    let uv = fake_uv(
        tools,
        &format!("test \"$1\" = lock && echo 'version = 1 # {note}' > uv.lock"),
    );
    adopt(dir)
        .env("AICHOR_UV", &uv)
        .args(["--uv", "--no-hooks"])
        .output()
        .unwrap()
}

/// A committed repository: a root manifest, `PIP_DOCKERFILE` and `requirements`.
#[cfg(unix)]
fn pip_repo(parent: &Path, requirements: &str) -> PathBuf {
    repo(
        parent,
        &[
            ("manifest.yaml", JAX),
            ("Dockerfile", PIP_DOCKERFILE),
            ("requirements.txt", requirements),
        ],
    )
}
#[cfg(unix)]
const REQUIREMENTS: &str = "# pinned\ntorch==2.1.0\nrequests[socks]>=2.31 ; python_version >= \"3.8\"\n--find-links wheels\n";

/// `--uv` on a requirements.txt repository: the pyproject keeps every requirement in order,
/// the lock uv wrote is part of the same transaction, only the pip step of the Dockerfile
/// changes, and `requirements.txt` stays as it was.
#[cfg(unix)]
#[test]
fn uv_turns_requirements_and_the_pip_step_into_a_locked_uv_project() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = repo(
        tmp.path(),
        &[
            ("manifest.yaml", JAX),
            ("Dockerfile", PIP_DOCKERFILE),
            ("requirements.txt", REQUIREMENTS),
            ("wheels/README", "local wheels\n"),
        ],
    );
    // The stand-in checks what uv would read: the pyproject and the find-links folder.
    let uv = fake_uv(
        tmp.path(),
        "test \"$1\" = lock && grep -q 'torch==2.1.0' pyproject.toml && test -f wheels/README && echo 'version = 1 # fake' > uv.lock",
    );
    let out = adopt(&dir)
        .env("AICHOR_UV", &uv)
        .args(["--uv", "--no-hooks"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    for line in [
        "create    pyproject.toml\n",
        "edit      Dockerfile (the pip step installs from uv.lock with uv)\n",
        "create    uv.lock\n",
    ] {
        assert!(stdout.contains(line), "{line:?} in:\n{stdout}");
    }
    let tree = read_tree(&dir);
    assert_eq!(text(&tree, "uv.lock"), "version = 1 # fake\n");
    assert_eq!(text(&tree, "requirements.txt"), REQUIREMENTS);
    // The header says where the requirements came from, in plain words.
    assert!(
        text(&tree, "pyproject.toml").starts_with(
            "# Written by `aichor local-repo adopt --uv` from requirements.txt: the same requirements"
        ),
        "{}",
        text(&tree, "pyproject.toml")
    );
    let pyproject: toml_edit::DocumentMut = text(&tree, "pyproject.toml").parse().unwrap();
    let deps: Vec<&str> = pyproject["project"]["dependencies"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|v| v.as_str())
        .collect();
    assert_eq!(
        deps,
        [
            "torch==2.1.0",
            "requests[socks]>=2.31 ; python_version >= \"3.8\""
        ]
    );
    assert_eq!(
        pyproject["project"]["requires-python"].as_str(),
        Some(">=3.10")
    );
    assert_eq!(
        pyproject["tool"]["uv"]["find-links"][0].as_str(),
        Some("wheels")
    );
    let dockerfile = &text(&tree, "Dockerfile");
    assert!(
        !dockerfile.contains("pip install --no-cache-dir"),
        "{dockerfile}"
    );
    assert!(
        dockerfile.contains("--mount=type=bind,source=wheels,target=/tmp/uv-project/wheels"),
        "{dockerfile}"
    );
    // Outside the pip step (and the syntax line it needs), the Dockerfile is as it was.
    let kept: Vec<&str> = dockerfile
        .lines()
        .filter(|l| PIP_DOCKERFILE.lines().any(|o| o == *l))
        .collect();
    assert_eq!(
        kept,
        [
            "FROM python:3.10-slim",
            "WORKDIR /app",
            "COPY requirements.txt .",
            "COPY . ."
        ]
    );
}

/// Without uv, or when uv cannot lock, `--uv` writes nothing at all (the manifest moves
/// included), and says why.
#[cfg(unix)]
#[test]
fn uv_that_cannot_lock_writes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = pip_repo(tmp.path(), "torch==2.1.0\n");
    let failing = fake_uv(
        tmp.path(),
        "echo 'error: No solution found when resolving dependencies' >&2; exit 1",
    );
    let before = read_tree(&dir);
    for uv in [failing.to_str().unwrap(), "/nonexistent/uv"] {
        let out = adopt(&dir)
            .env("AICHOR_UV", uv)
            .args(["--uv", "--no-hooks"])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
        assert!(
            stderr(&out).contains("`--uv`: cannot lock the requirements of `.`"),
            "{}",
            stderr(&out)
        );
        assert_eq!(read_tree(&dir), before, "AICHOR_UV={uv}");
    }
}

/// What `--uv` cannot convert is left for the user, with why; the manifests move anyway.
#[test]
fn uv_leaves_what_it_cannot_convert_with_why() {
    for (dockerfile, requirements, why) in [
        (
            "FROM python:3.11\nCOPY . .\nRUN pip install -r requirements.txt && pip install -e .\n",
            "numpy\n",
            "is more than `pip install -r <file>`",
        ),
        (
            "FROM ubuntu:22.04\nCOPY . .\nRUN pip3 install -r requirements.txt\n",
            "numpy\n",
            "is not a `python:<version>` image",
        ),
        (
            PIP_DOCKERFILE,
            "-r base.txt\nnumpy\n",
            "line 1: `-r base.txt` includes another file",
        ),
        // README (adopt --uv): what pip installs but a pyproject.toml dependency cannot name
        // is left for the user, never written as an invalid pyproject.toml.
        (
            PIP_DOCKERFILE,
            "numpy\nhttps://example.org/pkg-1.0-py3-none-any.whl\n",
            "line 2: `https://example.org/pkg-1.0-py3-none-any.whl` is not a requirement",
        ),
        (
            PIP_DOCKERFILE,
            "./libs/shared\n",
            "line 1: `./libs/shared` is not a requirement",
        ),
        (
            PIP_DOCKERFILE,
            "git+https://github.com/org/pkg.git@v1#egg=pkg\n",
            "is not a requirement",
        ),
    ] {
        let tmp = tempfile::tempdir().unwrap();
        let dir = repo(
            tmp.path(),
            &[
                ("manifest.yaml", JAX),
                ("Dockerfile", dockerfile),
                ("requirements.txt", requirements),
            ],
        );
        let out = adopt(&dir)
            .env("AICHOR_UV", "/nonexistent/uv")
            .args(["--uv", "--no-hooks"])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(stdout.contains("manual    "), "{stdout}");
        assert!(stdout.contains(why), "{why:?} in:\n{stdout}");
        let tree = read_tree(&dir);
        assert!(tree.contains_key("aichor_manifests/manifest.yaml"));
        assert_eq!(text(&tree, "Dockerfile"), dockerfile);
        assert!(!tree.contains_key("pyproject.toml"));
    }
}

/// The flat shape: three manifests at the root, two Dockerfiles in one context, one of them
/// installing with an inline `pip install a b`, the other from requirements.txt with the
/// same requirements. After `adopt --uv` (uv stood in for), `local-repo check` says ready,
/// and each manifest's printed commit message is one the hook accepts.
#[cfg(unix)]
#[test]
fn a_flat_repo_with_inline_pip_is_ready_after_adopt_uv() {
    let manifest = |dockerfile: &str| {
        JAX.replace("./Dockerfile", dockerfile)
            .replace("python -m demo.main", "python train.py")
    };
    let tmp = tempfile::tempdir().unwrap();
    let dir = repo(
        tmp.path(),
        &[
            ("manifest.yaml", &manifest("./Dockerfile")),
            ("train.manifest.yaml", &manifest("./Dockerfile")),
            ("eval.manifest.yaml", &manifest("docker/eval.Dockerfile")),
            (
                "Dockerfile",
                "FROM python:3.11-slim\nWORKDIR /app\nRUN pip install --no-cache-dir \"numpy>=1.26\" pandas==2.2.0\nCOPY . .\n",
            ),
            (
                "docker/eval.Dockerfile",
                "FROM python:3.11-slim\nWORKDIR /app\nCOPY requirements.txt .\nRUN pip install -r requirements.txt\nCOPY . .\n",
            ),
            ("requirements.txt", "numpy>=1.26\npandas==2.2.0\n"),
            ("train.py", "print('training')\n"),
        ],
    );
    let out = adopt_uv_locking(&dir, tmp.path(), "fake");
    assert!(out.status.success(), "{}", stderr(&out));
    let tree = read_tree(&dir);
    for moved in ["manifest.yaml", "train.manifest.yaml", "eval.manifest.yaml"] {
        assert!(
            tree.contains_key(&format!("aichor_manifests/{moved}")),
            "{moved}"
        );
    }
    // One project for the context, which both Dockerfiles install from.
    let pyproject = text(&tree, "pyproject.toml");
    assert!(
        pyproject.contains("\"numpy>=1.26\",\n    \"pandas==2.2.0\",\n"),
        "{pyproject}"
    );
    for dockerfile in ["Dockerfile", "docker/eval.Dockerfile"] {
        let d = text(&tree, dockerfile);
        assert!(d.contains("uv pip install --system"), "{d}");
        assert!(!d.contains("RUN pip install"), "{d}");
    }
    let check = aichor()
        .current_dir(&dir)
        .env("AICHOR_UV", "/nonexistent/uv")
        .args(["local-repo", "check"])
        .output()
        .unwrap();
    assert!(
        check.status.success(),
        "{}\n{}",
        String::from_utf8_lossy(&check.stdout),
        stderr(&check)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(!stdout.contains("manual"), "{stdout}");
    let messages = stderr(&out);
    // As the user goes on: stage everything, then commit with a printed message.
    git(&dir, &["add", "-A"]);
    for selector in ["manifest.yaml", "train.manifest.yaml", "eval.manifest.yaml"] {
        let message = format!("aichor[{selector}]: first run");
        assert!(
            messages.contains(&format!("aichor[{selector}]:")),
            "{messages}"
        );
        aichor()
            .current_dir(&dir)
            .args(["local-repo", "check", "--commit-msg", "-"])
            .write_stdin(message)
            .assert()
            .success();
    }
}

/// A repository whose only manifest no longer parses: found by its `kind:` line, left for
/// the user with the parser's reason, and never called "up to date".
#[test]
fn a_broken_manifest_alone_is_left_with_why_not_up_to_date() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = repo(
        tmp.path(),
        &[(
            "manifests/broken.yaml",
            "kind: AIchorManifest\napiVersion: 0.2.3\nspec: [operator: jax\n",
        )],
    );
    let before = read_tree(&dir);
    let out = adopt(&dir).args(["--format", "json"]).output().unwrap();
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["up_to_date"], false);
    assert_eq!(report["items"][0]["action"], "manual");
    let reason = report["items"][0]["reason"].as_str().unwrap();
    assert!(reason.starts_with("not valid YAML"), "{reason}");
    let text = adopt(&dir).output().unwrap();
    assert!(!stderr(&text).contains("Up to date"), "{}", stderr(&text));
    assert_eq!(read_tree(&dir), before);
}

/// A committed repository: a root manifest, `dockerfile`, and `requirements.txt` holding
/// `requirements` (any bytes).
#[cfg(unix)]
fn requirements_repo(parent: &Path, dockerfile: &str, requirements: &[u8]) -> PathBuf {
    let dir = repo(
        parent,
        &[("manifest.yaml", JAX), ("Dockerfile", dockerfile)],
    );
    std::fs::write(dir.join("requirements.txt"), requirements).unwrap();
    git(&dir, &["add", "-A"]);
    git(&dir, &["commit", "-qm", "requirements"]);
    dir
}

/// `adopt --uv` of a repository whose `requirements.txt` is `requirements`: the dependencies
/// of the `pyproject.toml` it writes (uv stood in for).
#[cfg(unix)]
fn uv_dependencies(dockerfile: &str, requirements: &[u8]) -> (Vec<String>, String) {
    let tmp = tempfile::tempdir().unwrap();
    let dir = requirements_repo(tmp.path(), dockerfile, requirements);
    let out = adopt_uv_locking(&dir, tmp.path(), "fake");
    assert!(
        out.status.success(),
        "{requirements:?}: {}{}",
        String::from_utf8_lossy(&out.stdout),
        stderr(&out)
    );
    let tree = read_tree(&dir);
    let pyproject: toml_edit::DocumentMut = text(&tree, "pyproject.toml").parse().unwrap();
    let deps = pyproject["project"]["dependencies"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|v| v.as_str().map(str::to_string))
        .collect();
    (deps, text(&tree, "Dockerfile"))
}

/// README (adopt): "each build context's `requirements.txt` ... become[s] `pyproject.toml`":
/// every requirement pip would install, read as pip reads the file (a BOM, CRLF, hashes
/// on their own words, a continuation on the last line, URLs with `#` fragments, UTF-16
/// with its byte-order mark: what PowerShell's `pip freeze > requirements.txt` writes).
#[cfg(unix)]
#[test]
fn uv_keeps_every_requirement_pip_would_install() {
    let frozen = "\u{feff}numpy==1.26.4\r\npandas==2.2.0\r\n";
    let little_endian: Vec<u8> = frozen.encode_utf16().flat_map(u16::to_le_bytes).collect();
    let big_endian: Vec<u8> = frozen.encode_utf16().flat_map(u16::to_be_bytes).collect();
    for (requirements, expected) in [
        (
            &b"\xef\xbb\xbfnumpy==1.26.4\r\npandas==2.2.0\r\n"[..],
            &["numpy==1.26.4", "pandas==2.2.0"][..],
        ),
        (&little_endian, &["numpy==1.26.4", "pandas==2.2.0"]),
        (&big_endian, &["numpy==1.26.4", "pandas==2.2.0"]),
        (
            b"numpy==1.26.4 \\\n    --hash sha256:abc \\\n    --hash=sha256:def\npandas\n",
            &["numpy==1.26.4", "pandas"],
        ),
        (
            b"numpy==1.26.4\npandas==2.2.0 \\",
            &["numpy==1.26.4", "pandas==2.2.0"],
        ),
        (
            b"pkg @ https://example.org/pkg-1.0.tar.gz#sha256=abc  # pinned\n#gone\n",
            &["pkg @ https://example.org/pkg-1.0.tar.gz#sha256=abc"],
        ),
    ] {
        let (deps, _) = uv_dependencies(PIP_DOCKERFILE, requirements);
        assert_eq!(deps, expected, "{requirements:?}");
    }
}

/// A requirements file that is neither UTF-8 nor marked as UTF-16 (Latin-1 here, UTF-16
/// without its mark) is left for the user with the file and the line, and nothing of it is
/// guessed.
#[cfg(unix)]
#[test]
fn uv_leaves_undecodable_requirements_with_their_line() {
    let unmarked: Vec<u8> = "numpy\n"
        .encode_utf16()
        .flat_map(u16::to_le_bytes)
        .collect();
    for (requirements, wanted) in [
        (
            &b"numpy\npandas # caf\xe9\n"[..],
            "line 2: not UTF-8 text (byte 0xe9",
        ),
        (&unmarked, "line 1: holds NUL characters"),
    ] {
        let tmp = tempfile::tempdir().unwrap();
        let dir = requirements_repo(tmp.path(), PIP_DOCKERFILE, requirements);
        let out = adopt_uv_locking(&dir, tmp.path(), "fake");
        assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
        let stdout = String::from_utf8_lossy(&out.stdout);
        let at = format!("manual    requirements.txt\n          --uv: {wanted}");
        assert!(stdout.contains(&at), "wanted {at:?} in {stdout}");
        assert!(!dir.join("pyproject.toml").exists());
    }
}

/// A `.dockerignore` that allow-lists the context (`*`, then `!requirements.txt`) would
/// keep out the `pyproject.toml` and `uv.lock` uv's step mounts: `--uv` re-includes them
/// (listed as an edit), so `local-repo check` finds the adopted repository ready.
#[cfg(unix)]
#[test]
fn uv_lets_its_files_through_an_allow_list_dockerignore() {
    let tmp = tempfile::tempdir().unwrap();
    let allow = "*\n!requirements.txt\n!demo\n";
    let dir = repo(
        tmp.path(),
        &[
            ("manifest.yaml", JAX),
            ("Dockerfile", PIP_DOCKERFILE),
            ("requirements.txt", "numpy\n"),
            (".dockerignore", allow),
            ("demo/__init__.py", ""),
            ("demo/main.py", "print('hi')\n"),
        ],
    );
    let out = adopt_uv_locking(&dir, tmp.path(), "fake");
    assert!(out.status.success(), "{}", stderr(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("edit      .dockerignore (re-includes the files the uv step reads)\n"),
        "{stdout}"
    );
    let ignore = std::fs::read_to_string(dir.join(".dockerignore")).unwrap();
    assert!(
        ignore.starts_with(allow) && ignore.ends_with("\n!pyproject.toml\n!uv.lock\n"),
        "{ignore}"
    );
    let check = aichor()
        .current_dir(&dir)
        .args(["local-repo", "check"])
        .output()
        .unwrap();
    assert!(
        check.status.success(),
        "{}{}",
        String::from_utf8_lossy(&check.stdout),
        stderr(&check)
    );
}

/// README (adopt): "each build context's ... pip step become[s] ... uv's step": a step
/// continued across a blank or comment line (Docker skips both) keeps every package, and
/// leaves no half of itself behind in the Dockerfile.
#[cfg(unix)]
#[test]
fn uv_rewrites_a_pip_step_continued_across_blank_and_comment_lines() {
    for dockerfile in [
        "FROM python:3.11\nRUN pip install numpy \\\n\n    pandas\nCOPY . .\n",
        "FROM python:3.11\nRUN pip install \\\n    # the pinned one\n    numpy \\\n    pandas\nCOPY . .\n",
        // A BOM (Docker reads past it): the step is found, and the BOM never ends up
        // inside the file, before `FROM`, under the syntax line.
        "\u{feff}FROM python:3.11\nRUN pip install numpy pandas\nCOPY . .\n",
    ] {
        let (deps, written) = uv_dependencies(dockerfile, b"unused\n");
        assert_eq!(deps, ["numpy", "pandas"], "{dockerfile:?}");
        assert!(
            written.starts_with("# syntax=docker/dockerfile:1\nFROM python:3.11\n"),
            "{written}"
        );
        assert!(
            written.ends_with("--requirement /tmp/requirements.txt\nCOPY . .\n"),
            "{written}"
        );
        assert!(!written.contains("pandas"), "{written}");
    }
}

/// README (adopt): "nothing else touched": a Dockerfile that is a symbolic link (to one
/// shared by several repositories) is never written through; it is left for the user, with
/// why, and the manifests move.
#[cfg(unix)]
#[test]
fn uv_leaves_a_linked_dockerfile_with_why() {
    let tmp = tempfile::tempdir().unwrap();
    let shared = tmp.path().join("shared.Dockerfile");
    std::fs::write(&shared, PIP_DOCKERFILE).unwrap();
    let dir = repo(
        tmp.path(),
        &[("manifest.yaml", JAX), ("requirements.txt", "numpy\n")],
    );
    std::os::unix::fs::symlink(&shared, dir.join("Dockerfile")).unwrap();
    git(&dir, &["add", "-A"]);
    git(&dir, &["commit", "-qm", "linked"]);
    let out = adopt_uv_locking(&dir, tmp.path(), "fake");
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("manual    Dockerfile\n          --uv: is a symbolic link"),
        "{stdout}"
    );
    assert_eq!(std::fs::read_to_string(&shared).unwrap(), PIP_DOCKERFILE);
    assert!(dir.join("aichor_manifests/manifest.yaml").exists());
    assert!(!dir.join("pyproject.toml").exists());
}

/// A manifest that is not UTF-8 (a Latin-1 comment; UTF-16 as PowerShell's `>` writes) is
/// found and left for the user with why, and `check` names it: both passed over it without a
/// word, and `check` said the repository was ready.
#[test]
fn a_manifest_that_is_not_utf8_is_left_with_why_not_lost() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = repo(tmp.path(), &[("manifests/good.yaml", JAX)]);
    let latin1 = [&b"# r\xe9sum\xe9\n"[..], JAX.as_bytes()].concat();
    std::fs::write(dir.join("manifests/latin1.yaml"), latin1).unwrap();
    let mut utf16 = vec![0xFF, 0xFE];
    utf16.extend(JAX.encode_utf16().flat_map(u16::to_le_bytes));
    std::fs::write(dir.join("manifests/utf16.yaml"), utf16).unwrap();
    git(&dir, &["add", "-A"]);
    git(&dir, &["commit", "-qm", "encodings"]);
    let out = adopt(&dir).arg("--no-hooks").output().unwrap();
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    for name in ["latin1", "utf16"] {
        assert!(
            stdout.contains(&format!(
                "manual    manifests/{name}.yaml\n          not UTF-8"
            )),
            "{stdout}"
        );
        assert!(dir.join(format!("manifests/{name}.yaml")).is_file());
    }
    assert!(dir.join("aichor_manifests/good.yaml").is_file());
    let check = aichor()
        .args(["local-repo", "check"])
        .current_dir(&dir)
        .output()
        .unwrap();
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&check.stdout),
        stderr(&check)
    );
    assert!(
        said.contains("manifests/latin1.yaml") && said.contains("manifests/utf16.yaml"),
        "{said}"
    );
}

/// `manifests/Run.YAML` moves to `aichor_manifests/Run.yaml`: AIchor runs lower-case
/// extensions only, and the trigger adopt prints must be one `check --commit-msg` takes (it
/// printed `aichor[Run.YAML]:`, which it refuses).
#[test]
fn an_upper_case_extension_is_lowered_in_the_move() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = repo(tmp.path(), &[("manifests/Run.YAML", JAX)]);
    let out = adopt(&dir).arg("--no-hooks").output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        std::fs::read_to_string(dir.join("aichor_manifests/Run.yaml")).unwrap(),
        JAX
    );
    assert!(!dir.join("manifests/Run.YAML").exists());
    let said = format!("{}{}", String::from_utf8_lossy(&out.stdout), stderr(&out));
    assert!(said.contains("aichor[Run.yaml]: "), "{said}");
    // The trigger it printed names an extension AIchor takes; the old one did not.
    let refusal = |trigger: &str| {
        let out = aichor()
            .current_dir(&dir)
            .args(["local-repo", "check", "--commit-msg", "-"])
            .write_stdin(format!("{trigger}: first run\n"))
            .output()
            .unwrap();
        format!("{}{}", String::from_utf8_lossy(&out.stdout), stderr(&out))
    };
    let now = refusal("aichor[Run.yaml]");
    assert!(!now.contains("lower case"), "{now}");
    let before = refusal("aichor[Run.YAML]");
    assert!(before.contains("lower case"), "{before}");
}

/// A manifest that is a link (to a manifest elsewhere, in the repository or not) is left for
/// the user with why, and the other manifests move: adopt used to fail every run with "changed
/// while adopt ran", the commit finding a link where the plan had read a file.
#[cfg(unix)]
#[test]
fn a_linked_manifest_is_left_with_why_and_the_rest_moves() {
    let tmp = tempfile::tempdir().unwrap();
    let outside = tmp.path().join("outside.yaml");
    std::fs::write(&outside, JAX).unwrap();
    let dir = repo(
        tmp.path(),
        &[("manifests/a.yaml", JAX), ("manifests/b.yaml", JAX)],
    );
    std::os::unix::fs::symlink(&outside, dir.join("manifests/out.yaml")).unwrap();
    std::os::unix::fs::symlink("a.yaml", dir.join("manifests/in.yaml")).unwrap();
    git(&dir, &["add", "-A"]);
    git(&dir, &["commit", "-qm", "linked"]);
    let out = adopt(&dir).arg("--no-hooks").output().unwrap();
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    for link in ["in", "out"] {
        assert!(
            stdout.contains(&format!(
                "manual    manifests/{link}.yaml\n          is a symbolic link"
            )),
            "{stdout}"
        );
        let meta = std::fs::symlink_metadata(dir.join(format!("manifests/{link}.yaml"))).unwrap();
        assert!(meta.file_type().is_symlink());
    }
    assert!(dir.join("aichor_manifests/a.yaml").is_file());
    assert!(dir.join("aichor_manifests/b.yaml").is_file());
    assert_eq!(std::fs::read_to_string(&outside).unwrap(), JAX);
}

/// `--uv` converts build contexts inside the repository only: a `builder.context` or a
/// Dockerfile outside it is left with why, and nothing outside is read into a plan or written
/// (the dry run used to plan `create ../outside/pyproject.toml`).
#[cfg(unix)]
#[test]
fn uv_leaves_a_context_outside_the_repository_with_why() {
    for (context, dockerfile, named) in [
        ("../outside", "./Dockerfile", "../outside"),
        ("/srv/ctx", "./Dockerfile", "/srv/ctx"),
        (".", "../outside/Dockerfile", "../outside/Dockerfile"),
        (".", "/etc/passwd", "/etc/passwd"),
    ] {
        let tmp = tempfile::tempdir().unwrap();
        let outside = tmp.path().join("outside");
        std::fs::create_dir(&outside).unwrap();
        std::fs::write(outside.join("Dockerfile"), PIP_DOCKERFILE).unwrap();
        std::fs::write(outside.join("requirements.txt"), "numpy\n").unwrap();
        let manifest = JAX
            .replace("context: .", &format!("context: {context}"))
            .replace(
                "dockerfile: ./Dockerfile",
                &format!("dockerfile: {dockerfile}"),
            );
        let dir = repo(tmp.path(), &[("manifest.yaml", &manifest)]);
        let out = adopt_uv_locking(&dir, tmp.path(), "fake");
        assert_eq!(
            out.status.code(),
            Some(3),
            "{context} {dockerfile}: {}",
            stderr(&out)
        );
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            stdout.contains(&format!("manual    {named}\n          --uv: builder."))
                && stdout.contains("lies outside the repository"),
            "{context} {dockerfile}: {stdout}"
        );
        assert!(!outside.join("pyproject.toml").exists());
        assert_eq!(
            std::fs::read_to_string(outside.join("Dockerfile")).unwrap(),
            PIP_DOCKERFILE
        );
        assert!(dir.join("aichor_manifests/manifest.yaml").is_file());
    }
}

/// The safety promise (never overwrite without consent) during `adopt --uv`'s slowest step:
/// a Dockerfile or requirements.txt saved while `uv lock` runs is never replaced by what was
/// computed from its old text; nothing at all is written.
#[cfg(unix)]
#[test]
fn uv_a_file_saved_while_uv_locks_is_never_overwritten() {
    for saved in ["Dockerfile", "requirements.txt"] {
        let tmp = tempfile::tempdir().unwrap();
        let dir = repo(
            tmp.path(),
            &[
                ("manifest.yaml", JAX),
                ("Dockerfile", PIP_DOCKERFILE),
                ("requirements.txt", "numpy\n"),
            ],
        );
        let uv = fake_uv(
            tmp.path(),
            &format!(
                "echo '# saved meanwhile' >> '{}' && echo 'version = 1' > uv.lock",
                dir.join(saved).display()
            ),
        );
        let before = read_tree(&dir);
        let out = adopt(&dir)
            .env("AICHOR_UV", &uv)
            .args(["--uv", "--no-hooks"])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1), "{saved}: {}", stderr(&out));
        assert!(stderr(&out).contains("changed"), "{}", stderr(&out));
        let mut expected = before.clone();
        expected
            .get_mut(saved)
            .unwrap()
            .extend_from_slice(b"# saved meanwhile\n");
        assert_eq!(read_tree(&dir), expected, "{saved}");
    }
}

/// `adopt --uv` started in the background with `uv` standing in for uv, stderr piped.
#[cfg(unix)]
fn spawn_adopt_uv(dir: &Path, uv: &Path) -> std::process::Child {
    use std::process::{Command, Stdio};
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_aichor"));
    crate::support::isolate(&mut cmd);
    cmd.args(["local-repo", "adopt", "--uv", "--no-hooks"])
        .current_dir(dir)
        .env("AICHOR_UV", uv)
        .env("AICHOR_NO_CONFIG", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// The safety promise (no half-written output after Ctrl-C) for `adopt --uv`: SIGINT while
/// `uv lock` runs ends with 130, the repository as it was, uv stopped.
#[cfg(unix)]
#[test]
fn uv_sigint_while_locking_leaves_the_repository_as_it_was() {
    use std::process::Command;
    let tmp = tempfile::tempdir().unwrap();
    let dir = pip_repo(tmp.path(), "numpy\n");
    let pidfile = tmp.path().join("uv.pid");
    let uv = fake_uv(
        tmp.path(),
        &format!("echo $$ > '{}'; sleep 30", pidfile.display()),
    );
    let before = read_tree(&dir);
    let child = spawn_adopt_uv(&dir, &uv);
    while !std::fs::read_to_string(&pidfile).is_ok_and(|p| p.ends_with('\n')) {
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    let kill = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(130), "{}", stderr(&out));
    assert_eq!(read_tree(&dir), before);
    let pid = std::fs::read_to_string(&pidfile).unwrap();
    let running = std::fs::read_to_string(format!("/proc/{}/stat", pid.trim()))
        .is_ok_and(|s| s.split_whitespace().nth(2) != Some("Z"));
    assert!(!running, "uv (pid {pid}) still runs");
}

/// Two `adopt --uv` at once on one repository (all or nothing, never an overwrite): the
/// second finishes while the first is still locking; the first then writes nothing, and the
/// repository is the second's whole adoption.
#[cfg(unix)]
#[test]
fn uv_two_adopts_at_once_have_one_winner() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = pip_repo(tmp.path(), "numpy\n");
    let (started, release) = (tmp.path().join("started"), tmp.path().join("release"));
    let slow = fake_uv(
        tmp.path(),
        &format!(
            "touch '{}'; while [ ! -f '{}' ]; do sleep 0.01; done; echo 'version = 1 # slow' > uv.lock",
            started.display(),
            release.display()
        ),
    );
    let first = spawn_adopt_uv(&dir, &slow);
    while !started.exists() {
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    let fast_dir = tempfile::tempdir().unwrap();
    let second = adopt_uv_locking(&dir, fast_dir.path(), "fast");
    assert!(second.status.success(), "{}", stderr(&second));
    let won = read_tree(&dir);
    std::fs::write(&release, "").unwrap();
    let out = first.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert_eq!(read_tree(&dir), won);
    assert_eq!(text(&won, "uv.lock"), "version = 1 # fast\n");
}
