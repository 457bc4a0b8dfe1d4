//! `aichor manifest new` in projects made by `local-repo init`: another profile, a subfolder,
//! the commit message, existing files and `--force`, bad paths, no repository, dry run, the
//! JSON report, another operator with its own image, and a hand-made repository.

use std::path::{Path, PathBuf};

use crate::support::{aichor, aichor_snapshot, read_tree, stderr};

/// A project made by `init` (no lock: no network in tests) in a temp dir.
fn project(operator: &str, extra: &[&str]) -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("demo");
    let out = aichor()
        .args(["local-repo", "init"])
        .arg(&root)
        .args(["--no-input", "--no-lock", "--operator", operator])
        .args(extra)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    (tmp, root)
}

/// `aichor manifest new ARGS` run in `dir`, never prompting.
fn new_in(dir: &Path, args: &[&str]) -> assert_cmd::Command {
    let mut cmd = aichor();
    cmd.current_dir(dir)
        .args(["manifest", "new"])
        .args(args)
        .arg("--no-input");
    cmd
}

/// `manifest validate` on every manifest of the project: all valid, no warnings.
fn assert_valid(root: &Path) {
    let out = aichor()
        .current_dir(root)
        .args(["manifest", "validate", "--strict"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}{}", stderr(&out));
}

/// `assert_valid`, and the repository is ready to submit: every manifest's Dockerfile,
/// context, command and versions agree (`local-repo check`). The tests have no uv, so no
/// `uv lock` ran: a stand-in lock file lets the rest be checked.
fn assert_ready(root: &Path) {
    assert_valid(root);
    if !root.join("uv.lock").exists() {
        std::fs::write(root.join("uv.lock"), "version = 1\n").unwrap();
    }
    let out = aichor()
        .current_dir(root)
        .args(["local-repo", "check"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "local-repo check: {stdout}{}",
        stderr(&out)
    );
}

fn read(root: &Path, path: &str) -> String {
    std::fs::read_to_string(root.join(path)).unwrap()
}

/// `--dockerfile` is a file of the repository, where AIchor builds: not absolute, not
/// above the repository, not a folder; `--command` is not blank. Refused as usage errors,
/// with nothing written.
#[test]
fn dockerfile_outside_the_repository_a_folder_or_a_blank_command_are_refused() {
    let (_tmp, root) = project("jax", &[]);
    let before = read_tree(&root);
    aichor_snapshot!(new_in(&root, &["d.yaml", "--dockerfile", "/etc/Dockerfile"]), @"
    success: false
    exit_code: 2
    ----- stdout -----

    ----- stderr -----
    error: cannot use `--dockerfile /etc/Dockerfile`: it is absolute; AIchor builds from the repository, so the path is relative to its root
      help: pass the Dockerfile's path relative to the repository root, e.g. `--dockerfile docker/eval.Dockerfile`
    ");
    aichor_snapshot!(new_in(&root, &["d.yaml", "--dockerfile", "docker/../../Dockerfile"]), @"
    success: false
    exit_code: 2
    ----- stdout -----

    ----- stderr -----
    error: cannot use `--dockerfile docker/../../Dockerfile`: it leads out of the repository, which is all AIchor builds from
      help: pass the Dockerfile's path relative to the repository root, e.g. `--dockerfile docker/eval.Dockerfile`
    ");
    aichor_snapshot!(new_in(&root, &["d.yaml", "--dockerfile", "src"]), @"
    success: false
    exit_code: 2
    ----- stdout -----

    ----- stderr -----
    error: cannot use `--dockerfile src`: it is a folder; the flag names the Dockerfile itself
      help: pass the Dockerfile's path relative to the repository root, e.g. `--dockerfile docker/eval.Dockerfile`
    ");
    aichor_snapshot!(new_in(&root, &["d.yaml", "--dockerfile", ""]), @"
    success: false
    exit_code: 2
    ----- stdout -----

    ----- stderr -----
    error: cannot use `--dockerfile `: the path is empty
      help: pass the Dockerfile's path relative to the repository root, e.g. `--dockerfile docker/eval.Dockerfile`
    ");
    aichor_snapshot!(new_in(&root, &["d.yaml", "--command", "  "]), @r#"
    success: false
    exit_code: 2
    ----- stdout -----

    ----- stderr -----
    error: cannot use `--command   `: the command is blank
      help: pass the command the containers run, e.g. `--command "python -m demo.eval"` (without `--command`, the pack's)
    "#);
    assert_eq!(read_tree(&root), before, "nothing written");
    // Inside the repository, `..` that stays in it is fine.
    let out = new_in(&root, &["d.yaml", "--dockerfile", "src/../Dockerfile"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
}

/// `pyproject.toml`, merged with the manifest's group, keeps its permissions.
#[test]
#[cfg(unix)] // permissions, symlinks, or a `#!/bin/sh` stand-in for uv
fn the_merged_pyproject_keeps_its_permissions() {
    use std::os::unix::fs::PermissionsExt;
    let (_tmp, root) = project("jax", &[]);
    let pyproject = root.join("pyproject.toml");
    std::fs::set_permissions(&pyproject, std::fs::Permissions::from_mode(0o600)).unwrap();
    let out = new_in(&root, &["gpu.yaml", "--profile", "gpu-t4"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(read(&root, "pyproject.toml").contains("gpu = ["));
    let mode = std::fs::metadata(&pyproject).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600);
}

/// A CRLF `pyproject.toml` gains the manifest's group with CRLF line endings too: only the
/// group shows in `git diff`.
#[test]
fn a_crlf_pyproject_keeps_its_line_endings() {
    let (_tmp, root) = project("jax", &[]);
    let path = root.join("pyproject.toml");
    std::fs::write(&path, read(&root, "pyproject.toml").replace('\n', "\r\n")).unwrap();
    let out = new_in(&root, &["gpu.yaml", "--profile", "gpu-t4"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let merged = read(&root, "pyproject.toml");
    assert!(merged.contains("gpu = [\r\n"), "{merged:?}");
    assert!(!merged.replace("\r\n", "").contains('\n'), "{merged:?}");
}

/// A project whose recorded pack is gone: the error says the record names it.
#[test]
fn a_recorded_pack_that_is_gone_is_named_with_the_record() {
    let (tmp, root) = project("jax", &[]);
    let record = root.join(".aichor-answers.yaml");
    let gone = tmp.path().join("gone-pack");
    let text = read(&root, ".aichor-answers.yaml");
    std::fs::write(&record, format!("{text}template: {}\n", gone.display())).unwrap();
    aichor_snapshot!(new_in(&root, &["x.yaml"]), @"
    success: false
    exit_code: 1
    ----- stdout -----

    ----- stderr -----
    error: cannot reproduce the project as `[TEMP]/gone-pack` generated it: `[TEMP]/demo/.aichor-answers.yaml` records `template: [TEMP]/gone-pack`, which cannot be found
      help: make the pack reachable there again, or correct `template:` in that file
    ");
}

/// A manifest runs the project's package: `--set name=` cannot make it another one (a
/// package `pyproject.toml` does not build, which the image would not have).
#[test]
fn another_project_name_is_refused() {
    let (_tmp, root) = project("jax", &[]);
    aichor_snapshot!(new_in(&root, &["o.yaml", "--set", "name=other"]), @"
    success: false
    exit_code: 2
    ----- stdout -----

    ----- stderr -----
    error: cannot use `--set name=other`: the project is `demo`, and a manifest runs the project's package
      help: drop `--set name=...` (`aichor local-repo update --set name=...` renames the whole project)
    ");
    assert!(!root.join("src/other").exists());
}

/// A folder where the manifest file goes: the error says so (not "not a directory").
#[test]
fn a_folder_where_the_manifest_goes_is_named_as_such() {
    let (_tmp, root) = project("jax", &[]);
    std::fs::create_dir_all(root.join("aichor_manifests/eval.yaml")).unwrap();
    aichor_snapshot!(new_in(&root, &["eval.yaml"]), @"
    success: false
    exit_code: 1
    ----- stdout -----

    ----- stderr -----
    error: `[TEMP]/demo/aichor_manifests/eval.yaml` is a folder where a file goes
      help: move that folder away, or choose another PATH; nothing was written
    ");
}

#[test]
fn a_gpu_profile_for_a_jax_project_gets_its_own_starter_group_and_image() {
    let (_tmp, root) = project("jax", &[]);
    let before = read_tree(&root);
    let mut cmd = new_in(&root, &["gpu/manifest.yaml", "--profile", "gpu-t4"]);
    aichor_snapshot!(cmd, @r#"
    success: true
    exit_code: 0
    ----- stdout -----
    aichor_manifests/gpu/manifest.yaml

    ----- stderr -----
       Created `aichor_manifests/gpu/manifest.yaml`
       Created `docker/gpu.Dockerfile`
       Created `src/demo/gpu_main.py`
       Updated `pyproject.toml`
       Updated `.aichor-answers.yaml`

    Next steps:
      uv lock                      # pyproject.toml changed; the Dockerfile installs from uv.lock
      git init
      git add aichor_manifests/gpu/manifest.yaml docker/gpu.Dockerfile src/demo/gpu_main.py pyproject.toml .aichor-answers.yaml uv.lock
      git commit -m "aichor[gpu/manifest.yaml]: first jax run on gpu-t4"
      git remote add origin <URL>  # the repository linked to your AIchor project
      git push -u origin HEAD      # the push starts the experiment
    "#);
    insta::assert_snapshot!(
        "jax_gpu_manifest",
        read(&root, "aichor_manifests/gpu/manifest.yaml")
    );
    // The project's own files are untouched, apart from the dependency group and the record
    // of what was made (for `local-repo update`).
    let after = read_tree(&root);
    for (path, bytes) in &before {
        if path != "pyproject.toml" && path != ".aichor-answers.yaml" {
            assert_eq!(after.get(path), Some(bytes), "{path} changed");
        }
    }
    assert!(
        read(&root, ".aichor-answers.yaml")
            .ends_with("manifests:\n  gpu/manifest.yaml:\n    answers:\n      profile: gpu-t4\n"),
        "{}",
        read(&root, ".aichor-answers.yaml")
    );
    let pyproject = read(&root, "pyproject.toml");
    assert!(
        pyproject.contains("gpu = [\n    \"jax[cuda12]>=0.5.1; sys_platform == 'linux'\",\n]\n"),
        "{pyproject}"
    );
    let dockerfile = read(&root, "docker/gpu.Dockerfile");
    assert!(
        dockerfile.contains("uv sync --locked --no-dev --group gpu\n"),
        "{dockerfile}"
    );
    assert!(read(&root, "src/demo/gpu_main.py").contains("JAX found no GPU"));
    assert_ready(&root);
}

#[test]
fn the_same_runtime_needs_only_the_manifest() {
    let (_tmp, root) = project("jax", &[]);
    let before = read_tree(&root);
    let out = new_in(
        &root.join("src/demo"),
        &[
            "aichor_manifests/big/w4.yml",
            "--profile",
            "cpu-large",
            "--workers",
            "4",
        ],
    )
    .output()
    .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let after = read_tree(&root);
    let added: Vec<&String> = after.keys().filter(|p| !before.contains_key(*p)).collect();
    assert_eq!(added, ["aichor_manifests/big/w4.yml"]);
    let manifest = read(&root, "aichor_manifests/big/w4.yml");
    for line in [
        "git commit -m \"aichor[big/w4.yml]: <what this run is>\"",
        "  image: \"demo\"\n  dockerfile: ./Dockerfile\n",
        "  command: \"python -u -m demo.main\"\n",
        "      count: 4\n      resources:\n        cpus: 32\n",
    ] {
        assert!(manifest.contains(line), "{line:?} not in:\n{manifest}");
    }
    // Run from a subfolder: the steps start by going to the root.
    let err = stderr(&out);
    assert!(err.contains("\n  cd "), "{err}");
    assert!(
        err.contains("git commit -m \"aichor[big/w4.yml]: first jax run on cpu-large\""),
        "{err}"
    );
    assert_ready(&root);
}

#[test]
fn command_and_dockerfile_flags_replace_the_pack_s() {
    let (_tmp, root) = project("xgboost", &[]);
    std::fs::write(root.join("Other.Dockerfile"), "FROM scratch\n").unwrap();
    let out = new_in(
        &root,
        &[
            "eval.yaml",
            "--command",
            "python -m demo.main --rounds \"5\"",
            "--dockerfile",
            "./Other.Dockerfile",
        ],
    )
    .output()
    .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let manifest = read(&root, "aichor_manifests/eval.yaml");
    assert!(
        manifest.contains("  command: \"python -m demo.main --rounds \\\"5\\\"\"\n"),
        "{manifest}"
    );
    assert!(
        manifest.contains("  dockerfile: \"./Other.Dockerfile\"\n"),
        "{manifest}"
    );
    assert_valid(&root);
}

#[test]
fn kuberay_from_a_jax_project_gets_a_ray_image() {
    let (_tmp, root) = project("jax", &[]);
    let mut cmd = new_in(
        &root,
        &["ray.yaml", "--operator", "kuberay", "--workers", "1"],
    );
    aichor_snapshot!(cmd, @r#"
    success: true
    exit_code: 0
    ----- stdout -----
    aichor_manifests/ray.yaml

    ----- stderr -----
    warning: kept your `src/demo/__init__.py` (the pack's differs for these answers)
       Created `aichor_manifests/ray.yaml`
       Created `docker/ray.Dockerfile`
       Created `scripts/image_requirements.py`
       Created `scripts/ray_local.py`
       Created `src/demo/ray_main.py`
       Updated `pyproject.toml`
       Updated `.aichor-answers.yaml`

    Next steps:
      uv lock                      # pyproject.toml changed; the Dockerfile installs from uv.lock
      git init
      git add aichor_manifests/ray.yaml docker/ray.Dockerfile scripts/image_requirements.py scripts/ray_local.py src/demo/ray_main.py pyproject.toml .aichor-answers.yaml uv.lock
      git commit -m "aichor[ray.yaml]: first kuberay run on cpu-small"
      git remote add origin <URL>  # the repository linked to your AIchor project
      git push -u origin HEAD      # the push starts the experiment
    "#);
    let manifest = read(&root, "aichor_manifests/ray.yaml");
    for line in [
        "  image: \"demo-ray\"\n  dockerfile: \"./docker/ray.Dockerfile\"\n",
        "  image: \"demo-ray\"\n",
        "  command: \"python -u -m demo.ray_main\"\n",
        "keep WORKERS in src/demo/ray_main.py equal",
    ] {
        assert!(manifest.contains(line), "{line:?} not in:\n{manifest}");
    }
    let dockerfile = read(&root, "docker/ray.Dockerfile");
    assert!(
        dockerfile.contains("FROM rayproject/ray:2.60.0-py312-cpu\n"),
        "{dockerfile}"
    );
    assert!(
        dockerfile.contains("uv export --locked --no-dev --group ray --no-emit-project"),
        "{dockerfile}"
    );
    assert!(
        dockerfile.contains("spec.rayVersion in aichor_manifests/ray.yaml"),
        "{dockerfile}"
    );
    let starter = read(&root, "src/demo/ray_main.py");
    assert!(starter.contains("\nWORKERS = 1\n"), "{starter}");
    assert!(read(&root, "pyproject.toml").contains("ray = [\n    \"ray[default]==2.60.0\",\n]\n"));
    // The project's own Dockerfile and starter are untouched.
    assert!(read(&root, "Dockerfile").contains("FROM python:3.12-slim-bookworm"));
    assert!(!read(&root, "src/demo/main.py").contains("import ray"));
    assert_ready(&root);
}

#[test]
fn another_ray_worker_count_gets_its_own_driver_and_the_same_image() {
    let (_tmp, root) = project("kuberay", &[]);
    let out = new_in(&root, &["w5.yaml", "--workers", "5"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let manifest = read(&root, "aichor_manifests/w5.yaml");
    assert!(manifest.contains("  image: \"demo\"\n  dockerfile: ./Dockerfile\n"));
    assert!(manifest.contains("  command: \"python -u -m demo.w5_main\"\n"));
    assert!(read(&root, "src/demo/w5_main.py").contains("\nWORKERS = 5\n"));
    assert!(!root.join("docker").exists());
    assert_ready(&root);
}

#[test]
fn a_project_pinned_to_other_package_sources_is_refused() {
    let (_tmp, root) = project("pytorch", &[]);
    let before = read_tree(&root);
    let mut cmd = new_in(&root, &["gpu.yaml", "--profile", "gpu-t4"]);
    aichor_snapshot!(cmd, @"
    success: false
    exit_code: 1
    ----- stdout -----

    ----- stderr -----
    error: `pyproject.toml` already says where packages come from (`[tool.uv.sources]`, `[[tool.uv.index]]`), and this manifest needs other sources: one project cannot have both
      help: create a separate project for it with `aichor local-repo init`
    ");
    assert_eq!(read_tree(&root), before);
}

#[test]
fn an_existing_manifest_needs_force() {
    let (_tmp, root) = project("jax", &[]);
    std::fs::write(root.join("aichor_manifests/big.yaml"), "mine\n").unwrap();
    let mut cmd = new_in(&root, &["big.yaml", "--profile", "cpu-large"]);
    aichor_snapshot!(filters = [(r"\[TEMP\]/demo", "[ROOT]")], cmd, @"
    success: false
    exit_code: 1
    ----- stdout -----

    ----- stderr -----
    error: manifest `[ROOT]/aichor_manifests/big.yaml` already exists
      help: choose another PATH (or move that file away), or pass `--force` to replace it
    ");
    assert_eq!(read(&root, "aichor_manifests/big.yaml"), "mine\n");
    // init's own manifest too.
    let out = new_in(&root, &["manifest.yaml"]).output().unwrap();
    assert!(!out.status.success());
    let out = new_in(&root, &["big.yaml", "--profile", "cpu-large", "--force"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(read(&root, "aichor_manifests/big.yaml").contains("cpus: 32"));
    assert!(stderr(&out).contains("Replaced `aichor_manifests/big.yaml`"));
}

#[test]
fn a_differing_file_made_for_the_manifest_needs_force() {
    let (_tmp, root) = project("jax", &[]);
    std::fs::create_dir_all(root.join("docker")).unwrap();
    std::fs::write(root.join("docker/gpu.Dockerfile"), "FROM mine\n").unwrap();
    let out = new_in(&root, &["gpu.yaml", "--profile", "gpu-t4"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains("docker/gpu.Dockerfile` exists and differs"),
        "{err}"
    );
    assert!(!root.join("aichor_manifests/gpu.yaml").exists());
    assert_eq!(read(&root, "docker/gpu.Dockerfile"), "FROM mine\n");
}

/// `ray.yaml` and `ray/manifest.yaml` both name their files `ray`: the second, for another
/// worker count, would rewrite the driver the first one runs (its `WORKERS`). Even with
/// `--force` (which replaces files made for *this* manifest), another manifest's files are
/// not replaced: the error names it and says how to get files of its own.
#[test]
fn files_another_manifest_uses_are_never_replaced() {
    let (_tmp, root) = project("jax", &[]);
    let out = new_in(
        &root,
        &["ray.yaml", "--operator", "kuberay", "--workers", "2"],
    )
    .output()
    .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let before = read_tree(&root);
    let args = [
        "ray/manifest.yaml",
        "--operator",
        "kuberay",
        "--workers",
        "3",
    ];
    let refused = aichor_snapshot!(new_in(&root, &args), @"
    success: false
    exit_code: 1
    ----- stdout -----

    ----- stderr -----
    error: `docker/ray.Dockerfile` is used by `aichor_manifests/ray.yaml`, and `aichor_manifests/ray/manifest.yaml` needs it to differ: replacing it would change that manifest's run
      help: choose a PATH with another name (this manifest's files are named `ray` after it; e.g. `ray-2.yaml`), so each manifest keeps its own files
    ");
    assert_eq!(read_tree(&root), before, "nothing written");
    let forced = new_in(&root, &args).arg("--force").output().unwrap();
    assert_eq!(forced.status.code(), Some(1));
    assert_eq!(stderr(&forced), stderr(&refused));
    assert_eq!(
        read_tree(&root),
        before,
        "nothing written with --force either"
    );
    // Another name gets its own files.
    let out = new_in(
        &root,
        &[
            "ray3/manifest.yaml",
            "--operator",
            "kuberay",
            "--workers",
            "3",
        ],
    )
    .output()
    .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(read(&root, "src/demo/ray_main.py").contains("WORKERS = 2"));
    assert!(read(&root, "src/demo/ray3_main.py").contains("WORKERS = 3"));
}

#[test]
fn bad_paths_are_refused_with_the_platform_s_rules() {
    let (_tmp, root) = project("jax", &[]);
    let before = read_tree(&root);
    for (path, reason) in [
        ("../x.yaml", "`..` is not allowed"),
        ("/abs.yaml", "it is absolute"),
        ("x.txt", "it does not end in `.yaml` or `.yml`"),
        ("a\\b.yaml", "`\\` is not allowed"),
        ("a]b.yaml", "`[`, `]` and control characters would break"),
    ] {
        let out = new_in(&root, &[path]).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{path}");
        let err = stderr(&out);
        assert!(
            err.starts_with(&format!(
                "error: cannot use `{path}` as a manifest path: {reason}"
            )),
            "{err}"
        );
        assert!(err.contains("\n  help: pass a path relative to `aichor_manifests/`"));
    }
    // `--format json`: the failure as a JSON document on stdout too.
    let out = new_in(&root, &["/abs.yaml", "--format", "json"])
        .output()
        .unwrap();
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["error"]["kind"], "bad_manifest_path");
    assert_eq!(doc["error"]["exit_code"], 2);
    let mut cmd = new_in(&root, &["../x.yaml"]);
    aichor_snapshot!(cmd, @"
    success: false
    exit_code: 2
    ----- stdout -----

    ----- stderr -----
    error: cannot use `../x.yaml` as a manifest path: `..` is not allowed: the manifest must stay under `aichor_manifests/`
      help: pass a path relative to `aichor_manifests/` that ends in `.yaml` or `.yml`, e.g. `gpu/manifest.yaml`
    ");
    // Spaces around the path: a file name, but a commit message `check` refuses.
    aichor_snapshot!(new_in(&root, &[" gpu.yaml"]), @"
    success: false
    exit_code: 2
    ----- stdout -----

    ----- stderr -----
    error: cannot use ` gpu.yaml` as a manifest path: it has spaces around it, which the commit message `aichor[<path>]: ...` would carry
      help: pass it without them: `gpu.yaml`
    ");
    let out = new_in(&root, &["aichor_manifests/gpu.yaml\t"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert_eq!(read_tree(&root), before);
}

#[test]
fn answers_are_checked_by_init_s_validators() {
    let (_tmp, root) = project("jax", &[]);
    let mut cmd = new_in(&root, &["x.yaml", "--workers", "-1"]);
    aichor_snapshot!(cmd, @"
    success: false
    exit_code: 2
    ----- stdout -----

    ----- stderr -----
    error: invalid workers `-1` (from `--workers`): at least 1 container is needed for this operator
      help: pass `--workers` with a whole number from 1 to 1024
    ");
    let mut cmd = new_in(&root, &["x.yaml", "--profile", "tpu-v5e-4x4"]);
    aichor_snapshot!(cmd, @"
    success: false
    exit_code: 2
    ----- stdout -----

    ----- stderr -----
    error: invalid profile `tpu-v5e-4x4` (from `--profile`): not available for the `jax` operator
      help: pass `--profile` with one of: cpu-small, cpu-medium, cpu-large, gpu-t4, gpu-a100-80gb, gpu-h100x8
    ");
    let out = new_in(&root, &["x.yaml", "--profile", "gpu-a100"])
        .output()
        .unwrap();
    assert!(stderr(&out).contains("did you mean `--profile gpu-a100-80gb`?"));
    assert!(!root.join("aichor_manifests/x.yaml").exists());
}

/// `manifest new` has `--operator`, `--profile` and `--workers`; other answers come with
/// `--set`, and its refusals say so (never `--python`, which it does not have).
#[test]
fn refusals_name_only_the_flags_manifest_new_has() {
    use aichor::error::AnswerFlag;
    use aichor::generate::questions::{FlagStyle, QUESTIONS};
    let (_tmp, root) = project("jax", &[]);
    aichor_snapshot!(new_in(&root, &["x.yaml", "--set", "python=2.7"]), @"
    success: false
    exit_code: 2
    ----- stdout -----

    ----- stderr -----
    error: invalid python `2.7` (from `--set`): not one of the accepted values
      help: pass `--set python=` with one of: 3.10, 3.11, 3.12, 3.13
    ");
    let out = new_in(&root, &["x.yaml", "--workers", "-1"])
        .output()
        .unwrap();
    assert!(
        stderr(&out).contains("help: pass `--workers` with a whole number from 1 to 1024"),
        "{}",
        stderr(&out)
    );
    // The flags the style names are the flags `manifest new --help` lists.
    let help = String::from_utf8_lossy(
        &aichor()
            .args(["manifest", "new", "--help"])
            .output()
            .unwrap()
            .stdout,
    )
    .into_owned();
    for q in QUESTIONS {
        let listed =
            help.contains(&format!("{} <", q.flag)) || help.contains(&format!("{}\n", q.flag));
        match FlagStyle::ManifestNew.flag(q.key) {
            AnswerFlag::Flag(f) => assert!(listed, "{f} named but not in --help:\n{help}"),
            AnswerFlag::Set(_) => assert!(!listed, "{} in --help but never named", q.flag),
        }
    }
}

#[test]
fn outside_a_repository_the_error_says_where_to_run_it() {
    let tmp = tempfile::tempdir().unwrap();
    let mut cmd = new_in(tmp.path(), &["gpu.yaml"]);
    aichor_snapshot!(cmd, @"
    success: false
    exit_code: 1
    ----- stdout -----

    ----- stderr -----
    error: `[TEMP]` is not inside an AIchor repository (no `.aichor-answers.yaml` or `aichor_manifests/` in it or any folder above)
      help: run it inside a project made by `aichor local-repo init` (or create one with it)
    ");
    assert!(crate::support::entries(tmp.path()).is_empty());
}

#[test]
fn dry_run_shows_the_manifest_and_writes_nothing() {
    let (tmp, root) = project("jax", &[]);
    let before = read_tree(&root);
    let out = new_in(&root, &["gpu.yaml", "--profile", "gpu-t4", "--dry-run"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.starts_with("create    aichor_manifests/gpu.yaml ("),
        "{stdout}"
    );
    for line in [
        "\ncreate    docker/gpu.Dockerfile (",
        "\ncreate    src/demo/gpu_main.py (",
        "\nmerge     pyproject.toml (",
    ] {
        assert!(stdout.contains(line), "{stdout}");
    }
    assert!(
        stdout.contains("─── aichor_manifests/gpu.yaml ───\n# yaml-language-server"),
        "{stdout}"
    );
    assert!(stdout.contains("  image: \"demo-gpu\"\n"), "{stdout}");
    assert!(
        stderr(&out).contains("Dry run nothing written"),
        "{}",
        stderr(&out)
    );
    assert_eq!(read_tree(&root), before);
    // No staging folder left beside the project either.
    assert_eq!(crate::support::entries(tmp.path()), ["demo"]);
}

#[test]
fn json_report_names_files_selector_and_commit_message() {
    let (_tmp, root) = project("jax", &[]);
    let out = new_in(
        &root,
        &[
            "gpu/manifest.yaml",
            "--profile",
            "gpu-a100-80gb",
            "--format",
            "json",
        ],
    )
    .output()
    .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["selector"], "gpu/manifest.yaml");
    assert_eq!(report["manifest"], "aichor_manifests/gpu/manifest.yaml");
    assert_eq!(
        report["commit_message"],
        "aichor[gpu/manifest.yaml]: first jax run on gpu-a100-80gb"
    );
    assert_eq!(report["operator"], "jax");
    assert_eq!(report["profile"], "gpu-a100-80gb");
    assert_eq!(report["variant"], "gpu");
    assert_eq!(report["dependency_group"], "gpu");
    assert_eq!(report["dockerfile"], "./docker/gpu.Dockerfile");
    assert_eq!(report["image"], "demo-gpu");
    assert_eq!(report["dry_run"], false);
    assert_eq!(report["locked"], false);
    let files: Vec<(String, String)> = report["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap().to_string(),
                f["action"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let want = [
        ("aichor_manifests/gpu/manifest.yaml", "create"),
        ("docker/gpu.Dockerfile", "create"),
        ("src/demo/gpu_main.py", "create"),
        ("pyproject.toml", "merge"),
        // What it made, recorded for `local-repo update`.
        (".aichor-answers.yaml", "merge"),
    ];
    assert_eq!(
        files,
        want.map(|(p, a)| (p.to_string(), a.to_string())).to_vec()
    );
    assert!(report["next_steps"].as_array().unwrap().iter().any(
        |s| s == "git commit -m \"aichor[gpu/manifest.yaml]: first jax run on gpu-a100-80gb\""
    ));
}

#[test]
fn a_hand_made_repository_needs_the_operator_flag() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("mine");
    std::fs::create_dir_all(root.join("aichor_manifests")).unwrap();
    std::fs::write(root.join("Dockerfile"), "FROM python:3.11-slim\n").unwrap();
    let mut cmd = new_in(&root, &["train.yaml"]);
    aichor_snapshot!(cmd, @"
    success: false
    exit_code: 2
    ----- stdout -----

    ----- stderr -----
    error: no value for `operator`, and prompting is disabled (`--no-input`)
      help: pass `--operator` (or run without `--no-input` to be asked)
    ");
    // The user's defaults apply as they do for `init` (here `AICHOR_<KEY>`).
    let out = new_in(&root, &["jobs.yaml", "--dry-run"])
        .env("AICHOR_OPERATOR", "jobset")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(String::from_utf8_lossy(&out.stdout).contains("  operator: jobset\n"));
    let out = new_in(
        &root,
        &[
            "train.yaml",
            "--operator",
            "xgboost",
            "--command",
            "python train.py",
        ],
    )
    .output()
    .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let manifest = read(&root, "aichor_manifests/train.yaml");
    assert!(manifest.contains("  image: \"mine\"\n  dockerfile: ./Dockerfile\n"));
    assert!(manifest.contains("  command: \"python train.py\"\n"));
    assert_eq!(
        crate::support::entries(&root),
        ["Dockerfile", "aichor_manifests"]
    );
    assert_valid(&root);
}

#[cfg(unix)]
#[test]
fn uv_lock_runs_on_the_changed_pyproject_from_the_project_s_lock() {
    use std::os::unix::fs::PermissionsExt;
    let (tmp, root) = project("jax", &[]);
    std::fs::write(root.join("uv.lock"), "version = 1 # old\n").unwrap();
    // A stand-in for uv: it must see the group and the project's lock, and rewrites the lock.
    let uv = tmp.path().join("fake-uv");
    std::fs::write(
        &uv,
        "#!/bin/sh\ntest \"$1\" = lock && grep -q '^gpu = ' pyproject.toml && grep -q old uv.lock && echo 'version = 1 # new' > uv.lock\n",
    )
    .unwrap();
    std::fs::set_permissions(&uv, std::fs::Permissions::from_mode(0o755)).unwrap();
    let out = new_in(
        &root,
        &["gpu.yaml", "--profile", "gpu-t4", "--format", "json"],
    )
    .env("AICHOR_UV", &uv)
    .output()
    .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["locked"], true);
    assert!(
        report["files"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["path"] == "uv.lock" && f["action"] == "overwrite"),
        "{report}"
    );
    assert!(
        !report["next_steps"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s.as_str().unwrap().starts_with("uv lock")),
        "{report}"
    );
    assert_eq!(read(&root, "uv.lock"), "version = 1 # new\n");
    // Nothing else of the staging folder (the copied `.python-version`) is left around.
    assert_eq!(crate::support::entries(tmp.path()), ["demo", "fake-uv"]);
}

/// `uv lock` can take minutes: a `pyproject.toml` the user saves meanwhile is not replaced
/// by the one computed from its old contents; nothing is written.
#[test]
#[cfg(unix)] // permissions, symlinks, or a `#!/bin/sh` stand-in for uv
fn a_pyproject_saved_while_uv_locks_stops_it_and_nothing_is_written() {
    use std::os::unix::fs::PermissionsExt;
    let (tmp, root) = project("jax", &[]);
    std::fs::write(root.join("uv.lock"), "version = 1\n").unwrap();
    let uv = tmp.path().join("fake-uv");
    std::fs::write(
        &uv,
        "#!/bin/sh\necho '# saved while uv ran' >> \"$PROJECT/pyproject.toml\"\n",
    )
    .unwrap();
    std::fs::set_permissions(&uv, std::fs::Permissions::from_mode(0o755)).unwrap();
    let before = read_tree(&root);
    aichor_snapshot!(
        new_in(&root, &["gpu.yaml", "--profile", "gpu-t4", "--quiet"])
            .env("AICHOR_UV", &uv)
            .env("PROJECT", &root),
        @"
    success: false
    exit_code: 1
    ----- stdout -----

    ----- stderr -----
    error: `[TEMP]/demo/pyproject.toml` changed while `aichor manifest new` ran
      help: nothing was written: run `aichor manifest new` again once nothing else is writing to the project (it starts from the files as they are then)
    "
    );
    let mut expected = before;
    expected
        .get_mut("pyproject.toml")
        .unwrap()
        .extend_from_slice(b"# saved while uv ran\n");
    assert_eq!(read_tree(&root), expected, "only the user's edit");
}

#[test]
fn a_group_that_cannot_hold_the_manifest_s_dependencies_is_refused() {
    let (_tmp, root) = project("jax", &[]);
    let before = read_tree(&root);
    let mut cmd = new_in(&root, &["dev.yaml", "--profile", "gpu-t4"]);
    aichor_snapshot!(cmd, @"
    success: false
    exit_code: 1
    ----- stdout -----

    ----- stderr -----
    error: this manifest needs a dependency group named after it, and `dev` is the group images leave out (`--no-dev`)
      help: name the manifest otherwise (its files and dependency group are named after it)
    ");
    assert_eq!(read_tree(&root), before);
    // A group of the manifest's name that lacks what it needs.
    let pyproject = read(&root, "pyproject.toml").replace(
        "[dependency-groups]\n",
        "[dependency-groups]\ngpu = [\"numpy\"]\n",
    );
    std::fs::write(root.join("pyproject.toml"), &pyproject).unwrap();
    let out = new_in(&root, &["gpu.yaml", "--profile", "gpu-t4"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("already has a dependency group `gpu` without `jax[cuda12]"),
        "{}",
        stderr(&out)
    );
    assert_eq!(read(&root, "pyproject.toml"), pyproject);
    assert!(!root.join("aichor_manifests/gpu.yaml").exists());
}

#[test]
fn pytorch_from_a_jax_project_brings_torch_s_index_once() {
    let (_tmp, root) = project("jax", &[]);
    let out = new_in(
        &root,
        &[
            "torch/manifest.yaml",
            "--operator",
            "pytorch",
            "--profile",
            "gpu-h100x8",
        ],
    )
    .output()
    .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let manifest = read(&root, "aichor_manifests/torch/manifest.yaml");
    assert!(
        manifest.contains("  command: \"python -u -m demo.launch -m demo.torch_main\"\n"),
        "{manifest}"
    );
    assert!(root.join("src/demo/launch.py").is_file());
    let pyproject = read(&root, "pyproject.toml");
    for part in [
        "torch = [\n    \"torch>=2.5\",\n]\n",
        "\n\n# torch comes from the PyTorch index",
        "[tool.uv.sources]\ntorch = [\n    { index = \"pytorch-cu126\"",
        "[[tool.uv.index]]\nname = \"pytorch-cu126\"\n",
    ] {
        assert!(pyproject.contains(part), "{part:?} not in:\n{pyproject}");
    }
    // A second GPU manifest needs the same index: accepted, the launcher kept as it is.
    let out = new_in(
        &root,
        &[
            "torch2.yaml",
            "--operator",
            "pytorch",
            "--profile",
            "gpu-h100x8",
        ],
    )
    .output()
    .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(!stderr(&out).contains("launch.py"), "{}", stderr(&out));
    assert_eq!(
        read(&root, "pyproject.toml")
            .matches("\n[tool.uv.sources]\n")
            .count(),
        1
    );
    // The CPU build needs another index for the same package: refused.
    let before = read_tree(&root);
    let out = new_in(&root, &["cpu.yaml", "--operator", "pytorch"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("already says where packages come from"),
        "{}",
        stderr(&out)
    );
    assert_eq!(read_tree(&root), before);
    assert_ready(&root);
}

#[test]
fn in_a_clone_with_its_remote_the_steps_just_push() {
    let (_tmp, root) = project("jax", &[]);
    let git = |args: &[&str]| {
        let ok = crate::support::git(&root)
            .args(args)
            .status()
            .expect("git is installed")
            .success();
        assert!(ok, "git {args:?}");
    };
    git(&["init", "-q"]);
    git(&[
        "remote",
        "add",
        "origin",
        "https://example.com/team/demo.git",
    ]);
    let out = new_in(&root, &["big.yaml", "--profile", "cpu-large"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        !err.contains("git init") && !err.contains("remote add"),
        "{err}"
    );
    assert!(
        err.ends_with("  git push                     # the push starts the experiment\n"),
        "{err}"
    );
}

#[test]
fn a_gpu_build_in_place_of_the_projects_cpu_build_is_refused() {
    // xgboost-cpu (CPU profiles) and xgboost (GPU) both install the `xgboost` module: a
    // dependency group cannot swap one for the other.
    let (_tmp, root) = project("xgboost", &[]);
    let before = read_tree(&root);
    let out = new_in(&root, &["gpu.yaml", "--profile", "gpu-t4"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("needs `xgboost` where the project installs `xgboost-cpu`")
            && err.contains("local-repo update --set profile="),
        "{err}"
    );
    assert_eq!(read_tree(&root), before, "nothing written");
}
