//! `aichor local-repo update`: projects generated, edited by "the user", committed, then
//! updated across two real built-in versions, two tags of a git pack, and changed answers
//! (profile, operator); conflicts in both styles; no-op, dirty-tree and dry-run behaviour.

use std::path::{Path, PathBuf};

use aichor::error::Origin;
use aichor::generate::answers::{ProvidedAnswers, collect};
use aichor::generate::questions::{FlagStyle, Questions};

use crate::support::{aichor, aichor_snapshot, read_tree, stderr};

/// Run git in `dir` with a fixed identity; panics with git's message on failure.
fn git(dir: &Path, args: &[&str]) -> String {
    let out = crate::support::git(dir)
        .args(args)
        .output()
        .expect("git is installed");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn commit_all(dir: &Path, message: &str) {
    git(dir, &["add", "-A"]);
    git(dir, &["commit", "-q", "--allow-empty", "-m", message]);
}

/// `init` a project `name` under `parent` with `args`, as a committed git repository.
fn init_project(parent: &Path, name: &str, args: &[&str]) -> PathBuf {
    let out = aichor()
        .current_dir(parent)
        .args(["local-repo", "init", name, "--no-input", "--no-lock"])
        .args(args)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let dir = parent.join(name);
    git(&dir, &["init", "-q"]);
    commit_all(&dir, "init");
    dir
}

/// The project as built-in 0.1.0 generated it (the release frozen in the binary), as a
/// committed git repository: what a user of the previous aichor has.
fn init_at_builtin_0_1_0(parent: &Path, name: &str, sets: &[(&str, &str)]) -> PathBuf {
    let pack = aichor::pack::releases::builtin_at("0.1.0").unwrap();
    let mut provided = ProvidedAnswers::default();
    provided.insert("name", name, Origin::Set);
    for (k, v) in sets {
        provided.insert(k, *v, Origin::Set);
    }
    let answers = collect(
        &Questions {
            pack: &pack,
            flags: FlagStyle::Init,
        },
        &provided,
        None,
    )
    .unwrap();
    let project = aichor::generate::build(&pack, &answers).unwrap();
    let dir = parent.join(name);
    for f in &project.plan.files {
        let at = dir.join(&f.path);
        std::fs::create_dir_all(at.parent().unwrap()).unwrap();
        std::fs::write(at, &f.contents).unwrap();
    }
    git(&dir, &["init", "-q"]);
    commit_all(&dir, "init at 0.1.0");
    dir
}

/// `aichor local-repo update --no-input` in `dir`.
fn update(dir: &Path) -> assert_cmd::Command {
    let mut cmd = aichor();
    cmd.current_dir(dir)
        .args(["local-repo", "update", "--no-input"]);
    cmd
}

/// Replace the first `from` in the file at `path` by `to` (which must be there).
fn edit(path: &Path, from: &str, to: &str) {
    let text = std::fs::read_to_string(path).unwrap();
    assert!(text.contains(from), "{} lacks {from:?}", path.display());
    std::fs::write(path, text.replacen(from, to, 1)).unwrap();
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap()
}

/// The tree a fresh `init --answers <record>` gives: the pristine version the record names.
fn replay(dir: &Path, parent: &Path, name: &str) -> std::collections::BTreeMap<String, Vec<u8>> {
    let out = aichor()
        .current_dir(parent)
        .args([
            "local-repo",
            "init",
            name,
            "--no-input",
            "--no-lock",
            "--answers",
        ])
        .arg(dir.join(".aichor-answers.yaml"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    read_tree(&parent.join(name))
}

/// Files of a project (its `.git` left out).
fn project_tree(dir: &Path) -> std::collections::BTreeMap<String, Vec<u8>> {
    read_tree(dir)
        .into_iter()
        .filter(|(k, _)| !k.starts_with(".git/"))
        .collect()
}

#[test]
fn builtin_0_1_0_to_the_current_version_keeps_the_users_edits() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = init_at_builtin_0_1_0(tmp.path(), "demo", &[("operator", "jax")]);
    edit(
        &dir.join("README.md"),
        "# demo",
        "# demo\n\nOur team's notes: run it on Fridays.",
    );
    commit_all(&dir, "notes");
    // `[VERSION]` is the crate's version, which 0.1.0 also is: put the pack's back.
    aichor_snapshot!(
        filters = [(r"builtin@\[VERSION\]", "builtin@0.1.0")],
        update(&dir).args(["--dry-run", "--format", "json"]),
        @r#"
        success: true
        exit_code: 0
        ----- stdout -----
        {
          "project": ".",
          "dry_run": true,
          "from": "builtin@0.1.0",
          "to": "builtin@0.5.0",
          "answers_changed": [
            {
              "key": "github_actions",
              "from": null,
              "to": "false"
            }
          ],
          "answers_dropped": [],
          "files": [
            {
              "path": ".aichor-answers.yaml",
              "status": "updated"
            },
            {
              "path": ".dockerignore",
              "status": "updated"
            },
            {
              "path": ".gitignore",
              "status": "updated"
            },
            {
              "path": ".python-version",
              "status": "unchanged"
            },
            {
              "path": "Dockerfile",
              "status": "unchanged"
            },
            {
              "path": "README.md",
              "status": "merged"
            },
            {
              "path": "aichor_manifests/manifest.yaml",
              "status": "unchanged"
            },
            {
              "path": "pyproject.toml",
              "status": "unchanged"
            },
            {
              "path": "src/demo/__init__.py",
              "status": "updated"
            },
            {
              "path": "src/demo/main.py",
              "status": "updated"
            },
            {
              "path": "tests/test_main.py",
              "status": "unchanged"
            }
          ],
          "conflicts": [],
          "up_to_date": false,
          "lock_changes": []
        }

        ----- stderr -----
        "#);
    let out = update(&dir).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let readme = read(&dir.join("README.md"));
    assert!(readme.contains("Our team's notes"), "{readme}");
    assert!(readme.contains("## Update this project"), "{readme}");
    let record = read(&dir.join(".aichor-answers.yaml"));
    assert!(record.contains("pack: builtin@0.5.0"), "{record}");
    // A second update has nothing left to do.
    commit_all(&dir, "update");
    let again = update(&dir).output().unwrap();
    assert!(stderr(&again).contains("Up to date"), "{}", stderr(&again));
}

#[test]
fn an_untouched_project_updates_to_exactly_what_a_replay_of_its_record_gives() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = init_at_builtin_0_1_0(
        tmp.path(),
        "demo",
        &[("operator", "pytorch"), ("profile", "gpu-t4")],
    );
    let out = update(&dir).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let replayed = replay(&dir, tmp.path(), "replayed");
    assert_eq!(project_tree(&dir), replayed);
}

#[test]
fn no_op_update_writes_nothing_and_says_so() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = init_project(tmp.path(), "demo", &["--operator", "jax"]);
    let record = dir.join(".aichor-answers.yaml");
    let mtime = std::fs::metadata(&record).unwrap().modified().unwrap();
    let before = project_tree(&dir);
    aichor_snapshot!(update(&dir), @"
    success: true
    exit_code: 0
    ----- stdout -----

    ----- stderr -----
    Up to date `.` already matches builtin@0.5.0 with these answers; nothing written
    ");
    assert_eq!(project_tree(&dir), before);
    assert_eq!(
        std::fs::metadata(&record).unwrap().modified().unwrap(),
        mtime
    );
    assert_eq!(git(&dir, &["status", "--porcelain"]), "");
}

/// A record an editor saved with a BOM and CRLF line endings says the same: still up to
/// date, nothing written.
#[test]
fn a_record_saved_with_a_bom_and_crlf_is_still_up_to_date() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = init_project(tmp.path(), "demo", &["--operator", "jax"]);
    let record = dir.join(".aichor-answers.yaml");
    let text = format!("\u{feff}{}", read(&record).replace('\n', "\r\n"));
    std::fs::write(&record, &text).unwrap();
    commit_all(&dir, "saved in an editor");
    let out = update(&dir).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("Up to date"), "{}", stderr(&out));
    assert_eq!(read(&record), text);
}

#[test]
fn profile_change_rewrites_resources_and_wheels_and_keeps_the_users_edits() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = init_project(tmp.path(), "demo", &["--operator", "pytorch"]);
    edit(
        &dir.join("aichor_manifests/manifest.yaml"),
        "  types:\n",
        "  # ours: two workers for the benchmark\n  types:\n",
    );
    edit(
        &dir.join("pyproject.toml"),
        "    \"tensorboardX>=2.6\",\n",
        "    \"tensorboardX>=2.6\",\n    \"pandas>=2.2\",\n",
    );
    std::fs::write(dir.join("src/demo/data.py"), "ROWS = 10\n").unwrap();
    commit_all(&dir, "edits");
    aichor_snapshot!(
        update(&dir).args(["--set", "profile=gpu-t4", "--dry-run", "--format", "json"]),
        @r#"
    success: true
    exit_code: 0
    ----- stdout -----
    {
      "project": ".",
      "dry_run": true,
      "from": "builtin@0.5.0",
      "to": "builtin@0.5.0",
      "answers_changed": [
        {
          "key": "profile",
          "from": "cpu-small",
          "to": "gpu-t4"
        }
      ],
      "answers_dropped": [],
      "files": [
        {
          "path": ".aichor-answers.yaml",
          "status": "updated"
        },
        {
          "path": ".dockerignore",
          "status": "unchanged"
        },
        {
          "path": ".gitignore",
          "status": "unchanged"
        },
        {
          "path": ".python-version",
          "status": "unchanged"
        },
        {
          "path": "Dockerfile",
          "status": "updated"
        },
        {
          "path": "README.md",
          "status": "updated"
        },
        {
          "path": "aichor_manifests/manifest.yaml",
          "status": "merged"
        },
        {
          "path": "pyproject.toml",
          "status": "merged"
        },
        {
          "path": "src/demo/__init__.py",
          "status": "unchanged"
        },
        {
          "path": "src/demo/launch.py",
          "status": "updated"
        },
        {
          "path": "src/demo/main.py",
          "status": "updated"
        },
        {
          "path": "tests/test_main.py",
          "status": "updated"
        }
      ],
      "conflicts": [],
      "up_to_date": false,
      "lock_changes": []
    }

    ----- stderr -----
    "#
    );
    let out = update(&dir)
        .args(["--set", "profile=gpu-t4"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let manifest = read(&dir.join("aichor_manifests/manifest.yaml"));
    assert!(
        manifest.contains("# ours: two workers for the benchmark"),
        "{manifest}"
    );
    assert!(manifest.contains("product: nvidia-tesla-t4"), "{manifest}");
    assert!(!manifest.contains("cpus: 2\n"), "{manifest}");
    let pyproject = read(&dir.join("pyproject.toml"));
    assert!(pyproject.contains("\"pandas>=2.2\""), "{pyproject}");
    assert!(
        pyproject.contains("download.pytorch.org/whl/cu126"),
        "{pyproject}"
    );
    assert!(!pyproject.contains("whl/cpu"), "{pyproject}");
    assert_eq!(read(&dir.join("src/demo/data.py")), "ROWS = 10\n");
    assert!(read(&dir.join(".aichor-answers.yaml")).contains("profile: gpu-t4"));
}

#[test]
fn a_note_at_the_end_of_the_manifest_survives_a_profile_change() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = init_project(tmp.path(), "demo", &["--operator", "jax"]);
    let manifest = dir.join("aichor_manifests/manifest.yaml");
    let note = "# ours: ask the team before using GPUs\n";
    std::fs::write(&manifest, format!("{}{note}", read(&manifest))).unwrap();
    commit_all(&dir, "note");
    // The line merge alone calls this a conflict: the note sits right after the
    // `resources` block that the new profile rewrites.
    let out = update(&dir)
        .args(["--set", "profile=gpu-t4"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let report = String::from_utf8_lossy(&out.stdout);
    assert!(
        report.contains("merged    aichor_manifests/manifest.yaml (merged block by block)"),
        "{report}"
    );
    let text = read(&manifest);
    assert!(text.ends_with(note), "{text}");
    assert!(!text.contains("<<<<<<<"), "{text}");
    // Everything else is exactly the new version: the replay of the rewritten record, plus
    // the note.
    let replayed = replay(&dir, tmp.path(), "replayed");
    let pristine = String::from_utf8(replayed["aichor_manifests/manifest.yaml"].clone()).unwrap();
    assert_eq!(text, format!("{pristine}{note}"));
}

#[test]
fn operator_change_rewrites_types_starter_and_dependencies() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = init_project(tmp.path(), "demo", &["--operator", "jax"]);
    edit(
        &dir.join("aichor_manifests/manifest.yaml"),
        "  tensorboard:\n",
        "  env:\n    # ours\n    DATASET: imagenet\n  tensorboard:\n",
    );
    edit(
        &dir.join("pyproject.toml"),
        "    \"tensorboardX>=2.6\",\n",
        "    \"tensorboardX>=2.6\",\n    \"pandas>=2.2\",\n",
    );
    std::fs::write(dir.join("src/demo/data.py"), "ROWS = 10\n").unwrap();
    commit_all(&dir, "edits");
    aichor_snapshot!(
        update(&dir).args(["--set", "operator=pytorch", "--dry-run", "--format", "json"]),
        @r#"
    success: true
    exit_code: 0
    ----- stdout -----
    {
      "project": ".",
      "dry_run": true,
      "from": "builtin@0.5.0",
      "to": "builtin@0.5.0",
      "answers_changed": [
        {
          "key": "operator",
          "from": "jax",
          "to": "pytorch"
        }
      ],
      "answers_dropped": [],
      "files": [
        {
          "path": ".aichor-answers.yaml",
          "status": "updated"
        },
        {
          "path": ".dockerignore",
          "status": "unchanged"
        },
        {
          "path": ".gitignore",
          "status": "unchanged"
        },
        {
          "path": ".python-version",
          "status": "unchanged"
        },
        {
          "path": "Dockerfile",
          "status": "unchanged"
        },
        {
          "path": "README.md",
          "status": "updated"
        },
        {
          "path": "aichor_manifests/manifest.yaml",
          "status": "merged"
        },
        {
          "path": "pyproject.toml",
          "status": "merged"
        },
        {
          "path": "src/demo/__init__.py",
          "status": "updated"
        },
        {
          "path": "src/demo/launch.py",
          "status": "added"
        },
        {
          "path": "src/demo/main.py",
          "status": "updated"
        },
        {
          "path": "tests/test_main.py",
          "status": "unchanged"
        }
      ],
      "conflicts": [],
      "up_to_date": false,
      "lock_changes": []
    }

    ----- stderr -----
    "#
    );
    let out = update(&dir)
        .args(["--set", "operator=pytorch"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let manifest = read(&dir.join("aichor_manifests/manifest.yaml"));
    assert!(manifest.contains("operator: pytorch"), "{manifest}");
    assert!(manifest.contains("DATASET: imagenet"), "{manifest}");
    assert!(manifest.contains("    # ours\n"), "{manifest}");
    let main = read(&dir.join("src/demo/main.py"));
    assert!(main.contains("torch"), "the pytorch starter");
    assert!(
        dir.join("src/demo/launch.py").is_file(),
        "pytorch's launcher added"
    );
    let pyproject = read(&dir.join("pyproject.toml"));
    assert!(pyproject.contains("\"torch>=2.5\""), "{pyproject}");
    assert!(!pyproject.contains("jax>="), "{pyproject}");
    assert!(pyproject.contains("\"pandas>=2.2\""), "{pyproject}");
    assert_eq!(read(&dir.join("src/demo/data.py")), "ROWS = 10\n");
}

#[test]
fn files_the_new_answers_drop_are_removed_only_if_unmodified() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = init_project(tmp.path(), "demo", &["--operator", "pytorch"]);
    let out = update(&dir)
        .args(["--set", "operator=jax"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(!dir.join("src/demo/launch.py").exists());

    let dir = init_project(tmp.path(), "mine", &["--operator", "pytorch"]);
    std::fs::write(dir.join("src/mine/launch.py"), "# my launcher\n").unwrap();
    commit_all(&dir, "my launcher");
    let out = update(&dir)
        .args(["--set", "operator=jax"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(read(&dir.join("src/mine/launch.py")), "# my launcher\n");
    assert!(
        String::from_utf8_lossy(&out.stdout).contains(
            "kept      src/mine/launch.py (the new version drops it; kept because you changed it)"
        ),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

/// A jax project whose `main.py` the user changed on the lines a GPU profile changes too.
fn conflicting_project(parent: &Path, name: &str) -> PathBuf {
    let dir = init_project(parent, name, &["--operator", "jax"]);
    edit(
        &dir.join(format!("src/{name}/main.py")),
        "    stop_on_sigterm()\n    rank, world_size",
        "    stop_on_sigterm()\n    print(\"ours: starting\")\n    rank, world_size",
    );
    commit_all(&dir, "a print");
    dir
}

#[test]
fn conflicts_inline_leave_markers_and_exit_3() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = conflicting_project(tmp.path(), "demo");
    aichor_snapshot!(update(&dir).args(["--set", "profile=gpu-t4", "--dry-run"]), @r#"
    success: false
    exit_code: 3
    ----- stdout -----
    answer    profile: cpu-small -> gpu-t4
    updated   .aichor-answers.yaml
    updated   Dockerfile
    updated   README.md
    updated   aichor_manifests/manifest.yaml
    updated   pyproject.toml
    conflict  src/demo/main.py (1 conflicting region(s))
    updated   tests/test_main.py

    --- a/Dockerfile
    +++ b/Dockerfile
    @@ -14,6 +14,16 @@
     
     WORKDIR /app
     
    +# RDMA user space (bookworm's rdma-core): NCCL loads libibverbs at run time to use the
    +# nodes' InfiniBand/RoCE NICs between containers (README, "Several GPU containers");
    +# without it every multi-container run falls back to TCP.
    +RUN apt-get update \
    +    && apt-get install -y --no-install-recommends \
    +        ibverbs-providers=44.0-2 \
    +        libibverbs1=44.0-2 \
    +        librdmacm1=44.0-2 \
    +    && rm -rf /var/lib/apt/lists/*
    +
     # Dependencies first, in a layer of their own: editing src/ does not reinstall them.
     RUN --mount=type=cache,target=/root/.cache/uv \
         --mount=type=bind,source=uv.lock,target=uv.lock \
    @@ -28,6 +38,15 @@
     # The project's virtual environment comes first: `python` in spec.command is its Python.
     ENV PATH="/app/.venv/bin:$PATH"
     
    +# The NVIDIA driver, wherever the engine puts it: GKE's device plugin mounts it at
    +# /usr/local/nvidia and sets no variable (Ray's GPU images add these paths for the same
    +# reason); engines with the NVIDIA container runtime inject it where the loader looks
    +# anyway. Without them torch, jax and xgboost find no libcuda on GKE and see no GPU.
    +ENV PATH="$PATH:/usr/local/nvidia/bin" \
    +    LD_LIBRARY_PATH="/usr/local/nvidia/lib64:/usr/local/nvidia/lib" \
    +    NVIDIA_VISIBLE_DEVICES=all \
    +    NVIDIA_DRIVER_CAPABILITIES=compute,utility
    +
     # boto3 >= 1.36 sends checksums that GCS-backed S3 endpoints (some AIchor engines) reject:
     # compute them only when required, which is harmless on AWS and MinIO.
     ENV AWS_REQUEST_CHECKSUM_CALCULATION=when_required \

    --- a/README.md
    +++ b/README.md
    @@ -5,7 +5,7 @@
     
     | File | What it is for |
     |---|---|
    -| `aichor_manifests/manifest.yaml` | What AIchor runs: operator `jax`, the command, 2 container(s) of profile `cpu-small`: 2 CPUs · 4 GB RAM, small CPU containers for trying things out |
    +| `aichor_manifests/manifest.yaml` | What AIchor runs: operator `jax`, the command, 2 container(s) of profile `gpu-t4`: 8 CPUs · 32 GB RAM · 1× GPU nvidia-tesla-t4, 1 NVIDIA T4 per container (GKE engines) |
     | `Dockerfile` | The image AIchor builds from this repository (with uv, dependencies cached in their own layer) |
     | `pyproject.toml`, `uv.lock` | Dependencies; `uv lock` writes `uv.lock`, which the image installs from |
     | `src/demo/main.py` | The starter: sets up jax's distributed runtime from the variables AIchor injects |
    @@ -54,7 +54,8 @@
     Results are saved under `$AICHOR_OUTPUT_PATH` (the experiment's output folder on AIchor, an
     `s3://` prefix) and to `outputs/` locally, by the coordinator only. Input
     data lives under `$AICHOR_INPUT_PATH`. `uv run pytest` runs the starter once, as one local
    -process.
    +process (skipped without a GPU: the `gpu-t4` starter refuses to run
    +without one rather than fall back to the CPU).
     
     ## Submit to AIchor
     
    @@ -85,6 +86,15 @@
     `product`). GPU `product` names depend on your AIchor engine's nodes. Several manifests can
     live side by side under `aichor_manifests/`; pick one with its path in the commit message.
     
    +## Several GPU containers
    +
    +Between containers, NCCL uses the pod network (TCP) unless the engine's nodes have RDMA NICs.
    +The image has the RDMA libraries NCCL loads (`libibverbs`, `librdmacm`); to use the NICs, add
    +them to each container's resources (`rdma: {devices: [...]}`: the device names are
    +cluster-specific, ask your AIchor administrator) and set `NCCL_IB_GID_INDEX` as the engine
    +requires, in `spec.env`; AIchor's Hugging Face accelerate demo shows a full
    +RDMA manifest. Check which transport NCCL picked with `NCCL_DEBUG=INFO` in `spec.env`.
    +
     ## Update this project
     
     `.aichor-answers.yaml` records the answers and the template pack version that generated this

    --- a/aichor_manifests/manifest.yaml
    +++ b/aichor_manifests/manifest.yaml
    @@ -1,5 +1,5 @@
     # yaml-language-server: $schema=https://instadeep.aichor.ai/schema/latest/manifest.schema.json
    -# AIchor manifest for demo: jax, 2 × `cpu-small` (2 CPUs · 4 GB RAM each).
    +# AIchor manifest for demo: jax, 2 × `gpu-t4` (8 CPUs · 32 GB RAM · 1× GPU nvidia-tesla-t4 each).
     # Start an experiment with it by pushing a commit whose message starts with its path
     # relative to aichor_manifests/:  git commit -m "aichor[manifest.yaml]: <what this run is>"
     kind: AIchorManifest
    @@ -15,6 +15,9 @@
       # Must equal builder.image.
       image: "demo"
       command: "python -u -m demo.main"
    +  # The experiment ends after this long (from the `gpu-t4` profile), so a run stuck on
    +  # paid GPUs stops billing; raise it for longer trainings.
    +  timeout: "24h"
       tensorboard:
         # TensorBoard reads what the code writes under $AICHOR_TENSORBOARD_PATH.
         enabled: true
    @@ -23,5 +26,11 @@
         worker:
           count: 2
           resources:
    -        cpus: 2
    -        ramRatio: 2
    +        cpus: 8
    +        ramRatio: 4
    +        shmSizeGB: 8
    +        accelerators:
    +          gpu:
    +            count: 1
    +            type: gpu
    +            product: nvidia-tesla-t4

    --- a/pyproject.toml
    +++ b/pyproject.toml
    @@ -6,6 +6,8 @@
     requires-python = ">=3.12"
     dependencies = [
         "jax>=0.5.1",
    +    # CUDA wheels exist for Linux only; elsewhere (a laptop) jax runs on the CPU.
    +    "jax[cuda12]>=0.5.1; sys_platform == 'linux'",
         # On AIchor the output (and TensorBoard) paths are s3:// URIs, written with boto3.
         "boto3>=1.34",
         "tensorboardX>=2.6",

    --- a/src/demo/main.py
    +++ b/src/demo/main.py
    @@ -268,7 +268,16 @@
         init_distributed()
         # After initialize(): JAX's distributed runtime installs a SIGTERM handler of its own.
         stop_on_sigterm()
    +<<<<<<< yours
         print("ours: starting")
    +=======
    +    # A GPU profile must run on the GPU: never fall back to the CPU silently.
    +    if jax.default_backend() != "gpu":
    +        raise SystemExit(
    +            f"JAX found no GPU (backend {jax.default_backend()!r}): the profile asks for "
    +            "one; check the manifest's accelerators and that jax[cuda12] is installed"
    +        )
    +>>>>>>> pack builtin@0.5.0 (new answers)
         rank, world_size = jax.process_index(), jax.process_count()
         devices = jax.devices()
         mesh = jax.make_mesh((len(devices),), ("devices",))

    --- a/tests/test_main.py
    +++ b/tests/test_main.py
    @@ -5,10 +5,13 @@
     """
     
     import os
    +import shutil
     import subprocess
     import sys
     from pathlib import Path
     
    +import pytest
    +
     # Variables the platform injects: unset, the starter runs as one local process.
     PLATFORM_VARIABLES = (
         "WORLD_SIZE",
    @@ -22,6 +25,11 @@
         "RAY_CLUSTER_NAME",
     )
     
    +pytestmark = pytest.mark.skipif(
    +    shutil.which("nvidia-smi") is None,
    +    reason="the `gpu-t4` profile's starter needs a GPU and refuses to run without one",
    +)
    +
     
     def test_the_starter_runs_as_one_process_and_saves_its_result(tmp_path: Path) -> None:
         env = {k: v for k, v in os.environ.items() if k not in PLATFORM_VARIABLES}

    --- a/.aichor-answers.yaml
    +++ b/.aichor-answers.yaml
    @@ -5,7 +5,7 @@
     answers:
       name: demo
       operator: jax
    -  profile: cpu-small
    +  profile: gpu-t4
       workers: 2
       python: '3.12'
       tensorboard: true

    ----- stderr -----
       Dry run builtin@0.5.0 with new answers: nothing written (4 file(s) unchanged)
    error: 1 file(s) would have conflicts to resolve: src/demo/main.py
      help: run without `--dry-run` to write them, then resolve them (`--conflict rej` puts the new version beside each file instead of markers)
    "#);
    let out = aichor_snapshot!(update(&dir).args(["--set", "profile=gpu-t4"]), @r#"
    success: false
    exit_code: 3
    ----- stdout -----
    answer    profile: cpu-small -> gpu-t4
    updated   .aichor-answers.yaml
    updated   Dockerfile
    updated   README.md
    updated   aichor_manifests/manifest.yaml
    updated   pyproject.toml
    conflict  src/demo/main.py (1 conflicting region(s))
    updated   tests/test_main.py

    ----- stderr -----
       Updated `.`: builtin@0.5.0 with new answers (4 file(s) unchanged); review it with `git diff`
    error: 1 file(s) have conflicts to resolve: src/demo/main.py
      help: resolve the `<<<<<<<` blocks (or compare with the `.rej` files), then commit; `git diff` shows the whole update
    "#);
    assert_eq!(out.status.code(), Some(3));
    let main = read(&dir.join("src/demo/main.py"));
    assert!(main.contains("<<<<<<< yours\n"), "{main}");
    assert!(
        main.contains(">>>>>>> pack builtin@0.5.0 (new answers)\n"),
        "{main}"
    );
    assert!(main.contains("print(\"ours: starting\")"), "{main}");
    // Everything else went in, the record included.
    assert!(read(&dir.join(".aichor-answers.yaml")).contains("profile: gpu-t4"));
    // Committed with the markers, the next update refuses to merge into them.
    commit_all(&dir, "oops");
    let again = update(&dir)
        .args(["--set", "profile=cpu-small"])
        .output()
        .unwrap();
    assert_eq!(again.status.code(), Some(1));
    assert!(
        stderr(&again).contains("conflict markers"),
        "{}",
        stderr(&again)
    );
    // So does one with nothing to change (the record already names the new answers): an
    // "Up to date" would leave the markers unmentioned.
    aichor_snapshot!(update(&dir), @"
    success: false
    exit_code: 1
    ----- stdout -----

    ----- stderr -----
    error: `./src/demo/main.py` still has conflict markers from an earlier update
      help: resolve the `<<<<<<<` / `>>>>>>>` blocks first (or pass `--force` to merge anyway)
    ");
    let forced = update(&dir).arg("--force").output().unwrap();
    assert!(forced.status.success(), "{}", stderr(&forced));
    assert!(read(&dir.join("src/demo/main.py")).contains("<<<<<<< yours\n"));
}

#[test]
fn conflicts_rej_keep_the_users_file_and_put_the_new_one_beside_it() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = conflicting_project(tmp.path(), "demo");
    let before = read(&dir.join("src/demo/main.py"));
    let out = update(&dir)
        .args(["--set", "profile=gpu-t4", "--conflict", "rej"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("src/demo/main.py"),
        "{}",
        stderr(&out)
    );
    assert_eq!(read(&dir.join("src/demo/main.py")), before);
    let rej = read(&dir.join("src/demo/main.py.rej"));
    assert!(rej.contains("default_backend() != \"gpu\""), "{rej}");
    assert!(!rej.contains("ours: starting"), "{rej}");
}

/// A `FILE.rej` the user already has (notes, or a `.rej` from an earlier update not yet
/// looked at) is never replaced: the update stops before writing anything.
#[test]
fn an_existing_rej_file_is_never_overwritten() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = conflicting_project(tmp.path(), "demo");
    std::fs::write(dir.join("src/demo/main.py.rej"), "my notes\n").unwrap();
    let before = project_tree(&dir);
    aichor_snapshot!(update(&dir).args(["--set", "profile=gpu-t4", "--conflict", "rej"]), @"
    success: false
    exit_code: 1
    ----- stdout -----

    ----- stderr -----
    error: `./src/demo/main.py.rej` already exists: the update would put the new version of `src/demo/main.py` there
      help: move or delete it (an earlier update's `.rej` can go once you have resolved it), then run the update again
    ");
    assert_eq!(project_tree(&dir), before, "nothing written");
    // The same with `--dry-run`: it would fail the same way.
    let out = update(&dir)
        .args(["--set", "profile=gpu-t4", "--conflict", "rej", "--dry-run"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    // Once it is moved away, the update runs.
    std::fs::remove_file(dir.join("src/demo/main.py.rej")).unwrap();
    let out = update(&dir)
        .args(["--set", "profile=gpu-t4", "--conflict", "rej"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
}

/// A Markdown heading underlined with exactly seven `=` is no conflict marker: the README
/// with the user's notes is merged, not refused.
#[test]
fn a_setext_heading_is_not_taken_for_a_conflict_marker() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = init_project(tmp.path(), "demo", &["--operator", "jax"]);
    let readme = dir.join("README.md");
    let notes = "\nNotes\n=======\n\nmine\n";
    std::fs::write(&readme, read(&readme) + notes).unwrap();
    commit_all(&dir, "notes");
    let out = update(&dir)
        .args(["--set", "profile=gpu-t4"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let text = read(&readme);
    assert!(text.ends_with(notes) && text.contains("gpu-t4"), "{text}");
}

/// A `pyproject.toml` saved with CRLF line endings (and a BOM) keeps them when its lines
/// collide and it is merged key by key: `git diff` shows the update, not every line.
#[test]
fn a_crlf_pyproject_merged_key_by_key_keeps_its_line_endings() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = init_project(tmp.path(), "demo", &["--operator", "jax"]);
    let path = dir.join("pyproject.toml");
    // pandas next to the jax line pytorch replaces: the lines collide, the keys do not.
    let text = read(&path).replacen(
        "    \"jax>=0.5.1\",\n",
        "    \"jax>=0.5.1\",\n    \"pandas>=2\",\n",
        1,
    );
    std::fs::write(&path, format!("\u{feff}{}", text.replace('\n', "\r\n"))).unwrap();
    commit_all(&dir, "crlf");
    let out = update(&dir)
        .args(["--set", "operator=pytorch"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        String::from_utf8_lossy(&out.stdout)
            .contains("merged    pyproject.toml (merged key by key)"),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let merged = read(&path);
    assert!(merged.starts_with('\u{feff}'), "{merged}");
    assert!(
        merged.contains("\"pandas>=2\",\r\n") && merged.contains("\"torch>=2.5\",\r\n"),
        "{merged}"
    );
    assert!(
        !merged.replace("\r\n", "").contains('\n'),
        "every line ends in CRLF: {merged:?}"
    );
}

/// A generated path that is now a symlink (or a folder) is never written through, and the
/// report says the new version was not applied there instead of leaving it out.
#[test]
#[cfg(unix)] // permissions, symlinks, or a `#!/bin/sh` stand-in for uv
fn a_symlink_at_a_generated_path_is_left_alone_and_reported() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = init_project(tmp.path(), "demo", &["--operator", "jax"]);
    std::fs::create_dir(dir.join("docs")).unwrap();
    std::fs::rename(dir.join("README.md"), dir.join("docs/README.md")).unwrap();
    std::os::unix::fs::symlink("docs/README.md", dir.join("README.md")).unwrap();
    commit_all(&dir, "readme in docs");
    let before = read(&dir.join("docs/README.md"));
    let out = update(&dir)
        .args(["--set", "profile=gpu-t4"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("kept      README.md (a symlink or a folder: not touched; the new version is not applied there)\n"),
        "{stdout}"
    );
    assert_eq!(read(&dir.join("docs/README.md")), before);
    assert!(
        std::fs::symlink_metadata(dir.join("README.md"))
            .unwrap()
            .file_type()
            .is_symlink()
    );
}

/// A file the update rewrites keeps its permissions: a starter the user made executable
/// stays so, a README made private stays private.
#[cfg(unix)]
#[test]
fn a_linked_package_folder_is_left_alone_and_reported() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = init_project(tmp.path(), "demo", &["--operator", "jax"]);
    // The code lives elsewhere (a shared checkout); the project links to it.
    std::fs::rename(dir.join("src/demo"), tmp.path().join("code")).unwrap();
    std::os::unix::fs::symlink("../../code", dir.join("src/demo")).unwrap();
    commit_all(&dir, "code elsewhere");
    let before = read(&tmp.path().join("code/main.py"));
    let out = update(&dir)
        .args(["--set", "profile=gpu-t4"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("kept      src/demo/main.py (inside src/demo, a symlink: not touched; the new version is not applied there)\n"),
        "{stdout}"
    );
    assert!(
        stdout.contains("updated   aichor_manifests/manifest.yaml"),
        "{stdout}"
    );
    assert_eq!(read(&tmp.path().join("code/main.py")), before);
    assert!(
        std::fs::symlink_metadata(dir.join("src/demo"))
            .unwrap()
            .file_type()
            .is_symlink()
    );
}

#[test]
#[cfg(unix)] // permissions, symlinks, or a `#!/bin/sh` stand-in for uv
fn rewritten_files_keep_the_users_permissions() {
    use std::os::unix::fs::PermissionsExt;
    let tmp = tempfile::tempdir().unwrap();
    let dir = init_project(tmp.path(), "demo", &["--operator", "jax"]);
    let set = |p: &str, mode| {
        std::fs::set_permissions(dir.join(p), std::fs::Permissions::from_mode(mode)).unwrap();
    };
    let mode = |p: &str| std::fs::metadata(dir.join(p)).unwrap().permissions().mode() & 0o777;
    set("src/demo/main.py", 0o755);
    set("README.md", 0o600);
    commit_all(&dir, "modes");
    let out = update(&dir)
        .args(["--set", "profile=gpu-t4"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(read(&dir.join("README.md")).contains("gpu-t4"));
    assert_eq!(mode("src/demo/main.py"), 0o755);
    assert_eq!(mode("README.md"), 0o600);
}

/// `update` answers through `--set` only: its refusals never name `--python` or
/// `--workers`, which it does not have.
#[test]
fn refusals_name_set_the_only_way_update_takes_an_answer() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = init_project(tmp.path(), "demo", &["--operator", "jax"]);
    aichor_snapshot!(update(&dir).args(["--set", "python=2.7"]), @"
    success: false
    exit_code: 2
    ----- stdout -----

    ----- stderr -----
    error: invalid python `2.7` (from `--set`): not one of the accepted values
      help: pass `--set python=` with one of: 3.10, 3.11, 3.12, 3.13
    ");
    aichor_snapshot!(update(&dir).args(["--set", "operator=pytorchh"]), @"
    success: false
    exit_code: 2
    ----- stdout -----

    ----- stderr -----
    error: invalid operator `pytorchh` (from `--set`): not one of pytorch, jax, xgboost, jobset, kuberay
      help: did you mean `--set operator=pytorch`?
    ");
    for (set, help) in [
        (
            "workers=-1",
            "pass `--set workers=` with a whole number from 1 to 1024",
        ),
        (
            "tensorboard=maybe",
            "pass `--set tensorboard=true` or `--set tensorboard=false`",
        ),
        ("name=Bad_Name", "pass `--set name=bad-name`"),
    ] {
        let out = update(&dir).args(["--set", set]).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{set}");
        assert!(
            stderr(&out).contains(&format!("help: {help}\n")),
            "{}",
            stderr(&out)
        );
    }
}

#[test]
fn a_dirty_tree_is_refused_unless_forced() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = init_project(tmp.path(), "demo", &["--operator", "jax"]);
    edit(&dir.join("README.md"), "# demo", "# demo (draft)");
    std::fs::write(dir.join("untracked.txt"), "fine\n").unwrap();
    aichor_snapshot!(update(&dir).args(["--set", "profile=gpu-t4"]), @"
    success: false
    exit_code: 1
    ----- stdout -----

    ----- stderr -----
    error: `.` has uncommitted changes: README.md
      help: commit or stash your changes first, so `git diff` shows what the update did (or pass `--force`)
    ");
    let out = update(&dir)
        .args(["--set", "profile=gpu-t4", "--force"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(read(&dir.join("README.md")).contains("# demo (draft)"));
}

#[test]
fn a_folder_init_did_not_make_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    aichor_snapshot!(update(tmp.path()), @"
    success: false
    exit_code: 1
    ----- stdout -----

    ----- stderr -----
    error: `.` was not generated by `aichor local-repo init`: it has no `.aichor-answers.yaml`
      help: run `aichor local-repo update` in (or pass the PATH of) a project that `aichor local-repo init` created
    ");
}

/// Run from a folder of the project: the error names the project to run it in.
#[test]
fn from_inside_a_project_the_error_names_it() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = init_project(tmp.path(), "demo", &["--operator", "jax"]);
    aichor_snapshot!(update(&dir.join("src/demo")), @"
    success: false
    exit_code: 1
    ----- stdout -----

    ----- stderr -----
    error: `.` was not generated by `aichor local-repo init`: it has no `.aichor-answers.yaml`
      help: this is inside the project `[TEMP]/demo`: run `aichor local-repo update` there, or pass it as PATH
    ");
}

/// A hand-edited `pack:` without its version is named as such.
#[test]
fn a_recorded_pack_without_a_version_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = init_project(tmp.path(), "demo", &["--operator", "jax"]);
    let record = dir.join(".aichor-answers.yaml");
    let text = read(&record);
    let line = text.lines().find(|l| l.starts_with("pack: ")).unwrap();
    std::fs::write(&record, text.replace(line, "pack: builtin")).unwrap();
    commit_all(&dir, "edit");
    aichor_snapshot!(update(&dir), @"
    success: false
    exit_code: 1
    ----- stdout -----

    ----- stderr -----
    error: cannot reproduce the project as `builtin` generated it: `./.aichor-answers.yaml` records `pack: builtin`, not `pack: name@version`
      help: restore the file from version control (it is written by `aichor local-repo init`)
    ");
}

fn write_file(dir: &Path, path: &str, text: &str) {
    let p = dir.join(path);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

fn acme_pack_toml(version: &str) -> String {
    format!(
        "[pack]\nname = \"acme\"\nversion = \"{version}\"\ndescription = \"ACME\"\nextends = \"builtin\"\n"
    )
}

/// A git pack extending the built-in one, version 1.0.0 committed and tagged v1 on `main`;
/// returns its working copy.
fn acme_v1(parent: &Path) -> PathBuf {
    let work = parent.join("acme");
    write_file(&work, "pack.toml", &acme_pack_toml("1.0.0"));
    write_file(
        &work,
        "files/docs/acme.md.tera",
        "# {{ name }} at ACME\n\nAsk #ml-infra.\n",
    );
    git(&work, &["init", "-q"]);
    commit_all(&work, "v1");
    git(&work, &["tag", "v1"]);
    work
}

/// Version 2.0.0 (its doc changed, a file added), committed and tagged v2.
fn acme_v2(work: &Path) {
    write_file(work, "pack.toml", &acme_pack_toml("2.0.0"));
    write_file(
        work,
        "files/docs/acme.md.tera",
        "# {{ name }} at ACME\n\nAsk #ml-platform.\n",
    );
    write_file(work, "files/docs/buckets.md", "Use s3://acme.\n");
    commit_all(work, "v2");
    git(work, &["tag", "v2"]);
}

/// A later commit on the branch (no tag): only a refreshed fetch sees it.
fn acme_v2_more(work: &Path) {
    write_file(
        work,
        "files/docs/acme.md.tera",
        "# {{ name }} at ACME\n\nAsk #ml-platform-2.\n",
    );
    commit_all(work, "v2, later");
}

/// A bare clone of `work` beside it, as a `file://` URL.
fn publish(work: &Path) -> String {
    let bare = work.with_extension("git");
    git(
        work.parent().unwrap(),
        &[
            "clone",
            "-q",
            "--bare",
            work.to_str().unwrap(),
            bare.to_str().unwrap(),
        ],
    );
    format!("file://{}", bare.display())
}

/// The acme pack with tags v1 and v2, published.
fn acme_repo(parent: &Path) -> String {
    let work = acme_v1(parent);
    acme_v2(&work);
    publish(&work)
}

#[test]
fn git_branch_pack_is_pinned_on_replay_and_refreshed_on_request() {
    let tmp = tempfile::tempdir().unwrap();
    let work = acme_v1(tmp.path());
    let url = publish(&work);
    let cache = tmp.path().join("cache");
    let out = aichor()
        .current_dir(tmp.path())
        .env("AICHOR_CACHE_DIR", &cache)
        .args(["local-repo", "init", "demo", "--no-input", "--no-lock"])
        .args(["--operator", "jax", "--template", &format!("{url}#main")])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let dir = tmp.path().join("demo");
    git(&dir, &["init", "-q"]);
    commit_all(&dir, "init");
    // The branch moves on.
    acme_v2(&work);
    git(&work, &["push", "-q", &url, "main"]);

    let out = aichor()
        .current_dir(tmp.path())
        .env("AICHOR_CACHE_DIR", &cache)
        .args([
            "local-repo",
            "init",
            "replayed",
            "--no-input",
            "--no-lock",
            "--answers",
        ])
        .arg(dir.join(".aichor-answers.yaml"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("now points at"), "{}", stderr(&out));
    assert!(read(&tmp.path().join("replayed/docs/acme.md")).contains("#ml-infra"));

    let stale = update(&dir)
        .env("AICHOR_CACHE_DIR", &cache)
        .output()
        .unwrap();
    assert!(stderr(&stale).contains("Up to date"), "{}", stderr(&stale));
    let out = update(&dir)
        .env("AICHOR_CACHE_DIR", &cache)
        .arg("--refresh")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(read(&dir.join("docs/acme.md")).contains("#ml-platform"));
    assert!(read(&dir.join(".aichor-answers.yaml")).contains("pack: acme@2.0.0"));

    // `templates list` shows the cached clone, what it was fetched for and its age.
    let out = aichor()
        .env("AICHOR_CACHE_DIR", &cache)
        .args(["templates", "list", "--format", "json"])
        .output()
        .unwrap();
    let rows: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let row = rows
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["source"] == format!("{url}#main"))
        .unwrap_or_else(|| panic!("no cached clone listed: {rows}"));
    assert_eq!(row["version"], "2.0.0", "{row}");
    assert!(row["fetched_seconds_ago"].as_u64().unwrap() < 600, "{row}");
    let text = aichor()
        .env("AICHOR_CACHE_DIR", &cache)
        .args(["templates", "list"])
        .output()
        .unwrap();
    assert!(
        String::from_utf8_lossy(&text.stdout).contains(&format!("{url}#main (fetched ")),
        "{}",
        String::from_utf8_lossy(&text.stdout)
    );

    // `init --refresh` fetches the branch again too: a new project gets what it points at now.
    acme_v2_more(&work);
    git(&work, &["push", "-q", &url, "main"]);
    let out = aichor()
        .current_dir(tmp.path())
        .env("AICHOR_CACHE_DIR", &cache)
        .args(["local-repo", "init", "cached", "--no-input", "--no-lock"])
        .args(["--operator", "jax", "--template", &format!("{url}#main")])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(read(&tmp.path().join("cached/docs/acme.md")).contains("#ml-platform.\n"));
    let out = aichor()
        .current_dir(tmp.path())
        .env("AICHOR_CACHE_DIR", &cache)
        .args([
            "local-repo",
            "init",
            "fresh",
            "--no-input",
            "--no-lock",
            "--refresh",
        ])
        .args(["--operator", "jax", "--template", &format!("{url}#main")])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(read(&tmp.path().join("fresh/docs/acme.md")).contains("#ml-platform-2"));
}

/// A hand-edited `commit:` that is not a full commit id (a short one, an option) is named
/// as such, before any git runs with it as a branch or tag.
#[test]
fn a_recorded_commit_that_is_not_a_commit_id_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let url = acme_repo(tmp.path());
    let cache = tmp.path().join("cache");
    let out = aichor()
        .current_dir(tmp.path())
        .env("AICHOR_CACHE_DIR", &cache)
        .args(["local-repo", "init", "demo", "--no-input", "--no-lock"])
        .args(["--operator", "jax", "--template", &format!("{url}#v1")])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let dir = tmp.path().join("demo");
    let record = dir.join(".aichor-answers.yaml");
    let text = read(&record);
    let line = text.lines().find(|l| l.starts_with("commit: ")).unwrap();
    for bad in ["deadbeef", "--upload-pack=touch"] {
        std::fs::write(&record, text.replace(line, &format!("commit: '{bad}'"))).unwrap();
        let out = update(&dir)
            .env("AICHOR_CACHE_DIR", &cache)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
        let err = stderr(&out);
        assert!(
            err.contains(&format!(
                "the recorded `commit: {bad}` is not a full commit id"
            )),
            "{err}"
        );
    }
}

#[test]
fn git_pack_from_one_tag_to_the_next() {
    let tmp = tempfile::tempdir().unwrap();
    let url = acme_repo(tmp.path());
    let cache = tmp.path().join("cache");
    let out = aichor()
        .current_dir(tmp.path())
        .env("AICHOR_CACHE_DIR", &cache)
        .args(["local-repo", "init", "demo", "--no-input", "--no-lock"])
        .args(["--operator", "jax", "--template", &format!("{url}#v1")])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let dir = tmp.path().join("demo");
    git(&dir, &["init", "-q"]);
    edit(
        &dir.join("docs/acme.md"),
        "at ACME\n",
        "at ACME (vision team)\n",
    );
    commit_all(&dir, "init");
    let out = update(&dir)
        .env("AICHOR_CACHE_DIR", &cache)
        .args(["--template", &format!("{url}#v2")])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("merged    docs/acme.md"), "{stdout}");
    assert!(stdout.contains("added     docs/buckets.md"), "{stdout}");
    assert_eq!(
        read(&dir.join("docs/acme.md")),
        "# demo at ACME (vision team)\n\nAsk #ml-platform.\n"
    );
    let record = read(&dir.join(".aichor-answers.yaml"));
    assert!(record.contains("pack: acme@2.0.0"), "{record}");
    assert!(record.contains(&format!("template: {url}#v2")), "{record}");
    assert!(record.contains("builtin: 0.5.0"), "{record}");

    // The recorded commit, not the tag, is what a replay and the next update use.
    let commit = record
        .lines()
        .find_map(|l| l.strip_prefix("commit: "))
        .unwrap()
        .trim()
        .to_string();
    assert_eq!(commit.len(), 40, "{record}");
    let out = aichor()
        .current_dir(tmp.path())
        .env("AICHOR_CACHE_DIR", tmp.path().join("fresh-cache"))
        .args(["local-repo", "init", "pinned", "--no-input", "--no-lock"])
        .args([
            "--operator",
            "jax",
            "--template",
            &format!("{url}#{commit}"),
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "`URL#<sha>`: {}", stderr(&out));
    assert!(read(&tmp.path().join("pinned/docs/acme.md")).contains("#ml-platform"));
}

/// `uv.lock` is re-resolved with the updated `pyproject.toml` in the same commit, starting
/// from the user's lock (the stand-in uv checks it sees both), and the report names the
/// packages that moved.
#[cfg(unix)]
#[test]
fn uv_lock_is_re_resolved_from_the_users_lock() {
    use std::os::unix::fs::PermissionsExt;
    let tmp = tempfile::tempdir().unwrap();
    let dir = init_project(tmp.path(), "demo", &["--operator", "pytorch"]);
    std::fs::write(
        dir.join("uv.lock"),
        "version = 1\n\n[[package]]\nname = \"torch\"\nversion = \"2.5.1\"\n\n[[package]]\nname = \"pandas\"\nversion = \"2.2.0\"\n",
    )
    .unwrap();
    commit_all(&dir, "lock");
    let uv = tmp.path().join("fake-uv");
    std::fs::write(
        &uv,
        "#!/bin/sh\ntest \"$1\" = lock || exit 1\ngrep -q cu126 pyproject.toml || exit 2\ngrep -q 'pandas' uv.lock || exit 3\nprintf 'version = 1\\n\\n[[package]]\\nname = \"torch\"\\nversion = \"2.5.1+cu126\"\\n\\n[[package]]\\nname = \"pandas\"\\nversion = \"2.2.0\"\\n' > uv.lock\n",
    )
    .unwrap();
    std::fs::set_permissions(&uv, std::fs::Permissions::from_mode(0o755)).unwrap();
    let out = update(&dir)
        .env("AICHOR_UV", &uv)
        .args(["--set", "profile=gpu-t4"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("locked    torch 2.5.1 -> 2.5.1+cu126\n"),
        "{stdout}"
    );
    assert!(!stdout.contains("pandas"), "{stdout}");
    assert!(read(&dir.join("uv.lock")).contains("2.5.1+cu126"));
}

/// `uv lock` can take minutes: a file the user (or a second update) changes meanwhile is
/// not overwritten with what was computed from its old contents; nothing is written.
/// `AICHOR_UV=` (set, empty) is unset, as every variable aichor reads: the uv on PATH runs,
/// not a program named "".
#[cfg(unix)]
#[test]
fn an_empty_aichor_uv_means_the_uv_on_path() {
    use std::os::unix::fs::PermissionsExt;
    let tmp = tempfile::tempdir().unwrap();
    let dir = init_project(tmp.path(), "demo", &["--operator", "pytorch"]);
    std::fs::write(dir.join("uv.lock"), "version = 1\n").unwrap();
    commit_all(&dir, "lock");
    let bin = tmp.path().join("bin");
    std::fs::create_dir(&bin).unwrap();
    let uv = bin.join("uv");
    std::fs::write(
        &uv,
        "#!/bin/sh\ntest \"$1\" = lock || exit 1\nprintf 'version = 1\\n\\n[[package]]\\nname = \"from-path\"\\nversion = \"1.0\"\\n' > uv.lock\n",
    )
    .unwrap();
    std::fs::set_permissions(&uv, std::fs::Permissions::from_mode(0o755)).unwrap();
    let path = format!("{}:/usr/local/bin:/usr/bin:/bin", bin.display());
    let out = update(&dir)
        .env("AICHOR_UV", "")
        .env("PATH", path)
        .args(["--set", "profile=gpu-t4"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("locked    from-path 1.0 (added)\n"),
        "{stdout}"
    );
    assert!(read(&dir.join("uv.lock")).contains("from-path"));
}

#[test]
#[cfg(unix)] // permissions, symlinks, or a `#!/bin/sh` stand-in for uv
fn a_file_changed_while_uv_locks_stops_the_update_and_nothing_is_written() {
    use std::os::unix::fs::PermissionsExt;
    let tmp = tempfile::tempdir().unwrap();
    let dir = init_project(tmp.path(), "demo", &["--operator", "pytorch"]);
    std::fs::write(dir.join("uv.lock"), "version = 1\n").unwrap();
    commit_all(&dir, "lock");
    let uv = tmp.path().join("fake-uv");
    // The user saves the manifest while uv runs.
    std::fs::write(
        &uv,
        "#!/bin/sh\necho '# saved while uv ran' >> \"$PROJECT/aichor_manifests/manifest.yaml\"\n",
    )
    .unwrap();
    std::fs::set_permissions(&uv, std::fs::Permissions::from_mode(0o755)).unwrap();
    let before = project_tree(&dir);
    aichor_snapshot!(
        update(&dir)
            .env("AICHOR_UV", &uv)
            .env("PROJECT", &dir)
            .args(["--set", "profile=gpu-t4", "--quiet"]),
        @"
    success: false
    exit_code: 1
    ----- stdout -----

    ----- stderr -----
    error: `./aichor_manifests/manifest.yaml` changed while `aichor local-repo update` ran
      help: nothing was written: run `aichor local-repo update` again once nothing else is writing to the project (it starts from the files as they are then)
    "
    );
    let mut expected = before;
    expected
        .get_mut("aichor_manifests/manifest.yaml")
        .unwrap()
        .extend_from_slice(b"# saved while uv ran\n");
    assert_eq!(project_tree(&dir), expected, "only the user's edit");
}

#[test]
fn local_pack_base_needs_the_recorded_version() {
    let tmp = tempfile::tempdir().unwrap();
    let v1 = tmp.path().join("acme-v1");
    write_file(&v1, "pack.toml", &acme_pack_toml("1.0.0"));
    write_file(
        &v1,
        "files/docs/acme.md.tera",
        "# {{ name }}\n\nAsk #ml-infra.\n",
    );
    let out = aichor()
        .current_dir(tmp.path())
        .args(["local-repo", "init", "demo", "--no-input", "--no-lock"])
        .args(["--operator", "jax", "--template", "acme-v1"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let dir = tmp.path().join("demo");
    git(&dir, &["init", "-q"]);
    commit_all(&dir, "init");
    // Same version, new answers: the folder still renders the base.
    let out = update(&dir)
        .args(["--set", "profile=gpu-t4"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    commit_all(&dir, "gpu");

    // A newer version in another folder: the recorded folder is the base.
    let v2 = tmp.path().join("acme-v2");
    write_file(&v2, "pack.toml", &acme_pack_toml("2.0.0"));
    write_file(
        &v2,
        "files/docs/acme.md.tera",
        "# {{ name }}\n\nAsk #ml-platform.\n",
    );
    let out = update(&dir).arg("--template").arg(&v2).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(read(&dir.join("docs/acme.md")).contains("#ml-platform"));
    commit_all(&dir, "v2");

    // The recorded folder (now acme-v2) moved on to 3.0.0: the base is gone, and it says so.
    write_file(&v2, "pack.toml", &acme_pack_toml("3.0.0"));
    aichor_snapshot!(
        update(&dir),
        @"
    success: false
    exit_code: 1
    ----- stdout -----

    ----- stderr -----
    error: cannot reproduce the project as `acme@2.0.0` generated it: the pack in `[TEMP]/acme-v2` is now version 3.0.0
      help: put version 2.0.0 of the pack back in that folder (e.g. `git checkout` its tag), or publish the pack as a git repository and use `--template URL#tag`, so every version stays reachable
    "
    );
}

#[test]
fn a_new_name_moves_the_package_with_the_users_edits() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = init_project(tmp.path(), "demo", &["--operator", "jax"]);
    edit(
        &dir.join("src/demo/main.py"),
        "def main() -> None:\n",
        "def main() -> None:\n    # ours: a comment\n",
    );
    std::fs::write(dir.join("src/demo/data.py"), "ROWS = 10\n").unwrap();
    commit_all(&dir, "edits");
    let out = aichor_snapshot!(update(&dir).args(["--set", "name=vision"]), @"
    success: true
    exit_code: 0
    ----- stdout -----
    answer    name: demo -> vision
    updated   .aichor-answers.yaml
    updated   Dockerfile
    updated   README.md
    updated   aichor_manifests/manifest.yaml
    updated   pyproject.toml
    removed   src/demo/__init__.py (moved to src/vision/__init__.py)
    kept      src/demo/data.py (yours, left in the old package folder: move it to src/vision/)
    removed   src/demo/main.py (moved to src/vision/main.py)
    updated   src/vision/__init__.py (moved from src/demo/__init__.py)
    merged    src/vision/main.py (moved from src/demo/main.py)
    updated   tests/test_main.py

    ----- stderr -----
       Updated `.`: builtin@0.5.0 with new answers (3 file(s) unchanged); review it with `git diff`
    ");
    assert!(out.status.success());
    let main = read(&dir.join("src/vision/main.py"));
    assert!(main.contains("# ours: a comment"), "{main}");
    assert!(!dir.join("src/demo/main.py").exists());
    assert!(!dir.join("src/demo/__init__.py").exists());
    assert_eq!(read(&dir.join("src/demo/data.py")), "ROWS = 10\n");
    assert!(read(&dir.join("aichor_manifests/manifest.yaml")).contains("vision.main"));
}

#[test]
fn a_generated_file_the_user_deleted_stays_deleted_when_the_package_moves() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = init_project(tmp.path(), "demo", &["--operator", "pytorch"]);
    std::fs::remove_file(dir.join("src/demo/launch.py")).unwrap();
    commit_all(&dir, "no launcher");
    let out = update(&dir)
        .args(["--set", "name=vision"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains(
            "kept      src/vision/launch.py (you deleted src/demo/launch.py; not recreated)"
        ),
        "{stdout}"
    );
    assert!(!dir.join("src/vision/launch.py").exists());
    assert!(!dir.join("src/demo/launch.py").exists());
    assert!(dir.join("src/vision/main.py").is_file());
}

/// `manifest new gpu.yaml` in `dir` (no lock), committed.
fn manifest_new(dir: &Path, args: &[&str]) {
    let out = aichor()
        .current_dir(dir)
        .args(["manifest", "new", "--no-input", "--no-lock"])
        .args(args)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    commit_all(dir, "manifest new");
}

#[test]
fn manifests_made_by_manifest_new_are_updated_with_the_project() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = init_project(tmp.path(), "demo", &["--operator", "jax"]);
    manifest_new(&dir, &["gpu.yaml", "--profile", "gpu-t4"]);
    assert!(read(&dir.join("docker/gpu.Dockerfile")).contains("python:3.12"));
    let out = update(&dir)
        .args(["--set", "python=3.11"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("updated   docker/gpu.Dockerfile\n"),
        "{stdout}"
    );
    let dockerfile = read(&dir.join("docker/gpu.Dockerfile"));
    assert!(dockerfile.contains("python:3.11"), "{dockerfile}");
    assert!(!dockerfile.contains("python:3.12"), "{dockerfile}");
    // Still recorded, so the next update renders it again too; and that one has nothing to do.
    let record = read(&dir.join(".aichor-answers.yaml"));
    assert!(
        record.ends_with("manifests:\n  gpu.yaml:\n    answers:\n      profile: gpu-t4\n"),
        "{record}"
    );
    commit_all(&dir, "update");
    let again = update(&dir).output().unwrap();
    assert!(again.status.success(), "{}", stderr(&again));
    assert!(stderr(&again).contains("Up to date"), "{}", stderr(&again));
    // A new name moves its starter with the package, and its manifest runs it there.
    let out = update(&dir)
        .args(["--set", "name=vision"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(dir.join("src/vision/gpu_main.py").is_file());
    assert!(!dir.join("src/demo/gpu_main.py").exists());
    assert!(read(&dir.join("aichor_manifests/gpu.yaml")).contains("-m vision.gpu_main"));
}

#[test]
fn manifests_update_cannot_render_are_said_and_left_as_they_are() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = init_project(tmp.path(), "demo", &["--operator", "jax"]);
    manifest_new(&dir, &["gpu.yaml", "--profile", "gpu-t4"]);
    // One written by hand (or by an aichor that did not record it), with its Dockerfile.
    let hand = read(&dir.join("aichor_manifests/gpu.yaml"))
        .replace("./docker/gpu.Dockerfile", "./docker/hand.Dockerfile");
    std::fs::write(dir.join("aichor_manifests/hand.yaml"), hand).unwrap();
    std::fs::copy(
        dir.join("docker/gpu.Dockerfile"),
        dir.join("docker/hand.Dockerfile"),
    )
    .unwrap();
    commit_all(&dir, "by hand");
    let before = read(&dir.join("docker/gpu.Dockerfile"));
    // PyTorch's CPU index in the project and the GPU index the manifest needs cannot mix.
    let out = update(&dir)
        .args(["--set", "operator=pytorch"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("kept      aichor_manifests/gpu.yaml (made by `manifest new`; left as it is, with its files, because it cannot be rendered for these answers: `pyproject.toml` already says where packages come from"),
        "{stdout}"
    );
    assert!(
        stdout.contains("kept      aichor_manifests/hand.yaml (not made by `init` or a recorded `manifest new`: neither it nor its `docker/hand.Dockerfile` is updated)\n"),
        "{stdout}"
    );
    assert_eq!(read(&dir.join("docker/gpu.Dockerfile")), before);
    // Still recorded: a later update that fits renders it again.
    assert!(read(&dir.join(".aichor-answers.yaml")).contains("  gpu.yaml:\n"));
}

#[test]
fn pyproject_is_merged_key_by_key_where_lines_collide() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = init_project(tmp.path(), "demo", &["--operator", "jax"]);
    // The GPU profile adds `jax[cuda12]` right below this line: a line-level conflict.
    edit(
        &dir.join("pyproject.toml"),
        "\"jax>=0.5.1\"",
        "\"jax==0.5.3\"",
    );
    commit_all(&dir, "pin jax");
    let out = update(&dir)
        .args(["--set", "profile=gpu-t4"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("merged    pyproject.toml (merged key by key)"),
        "{stdout}"
    );
    let pyproject = read(&dir.join("pyproject.toml"));
    assert!(pyproject.contains("\"jax==0.5.3\""), "{pyproject}");
    assert!(
        pyproject.contains("\"jax[cuda12]>=0.5.1; sys_platform == 'linux'\""),
        "{pyproject}"
    );
    assert!(!pyproject.contains("<<<<<<<"), "{pyproject}");
    insta::assert_snapshot!(pyproject, @r#"
    [project]
    name = "demo"
    version = "0.1.0"
    description = "jax.distributed across N processes (process 0 coordinates)"
    readme = "README.md"
    requires-python = ">=3.12"
    dependencies = [
        "jax==0.5.3",
        # On AIchor the output (and TensorBoard) paths are s3:// URIs, written with boto3.
        "boto3>=1.34",
        "tensorboardX>=2.6",
        # CUDA wheels exist for Linux only; elsewhere (a laptop) jax runs on the CPU.
        "jax[cuda12]>=0.5.1; sys_platform == 'linux'",
    ]

    [project.scripts]
    demo = "demo.main:main"

    [dependency-groups]
    dev = [
        "pytest>=8",
        "ruff>=0.8",
    ]

    [build-system]
    requires = ["uv_build>=0.9,<0.14"]
    build-backend = "uv_build"
    "#);
}

#[test]
fn a_dependency_the_new_profile_drops_that_the_user_pinned_is_a_conflict() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = init_project(
        tmp.path(),
        "demo",
        &["--operator", "jax", "--profile", "gpu-t4"],
    );
    // The user pinned the CUDA build; a CPU profile drops that line.
    edit(
        &dir.join("pyproject.toml"),
        "\"jax[cuda12]>=0.5.1; sys_platform == 'linux'\"",
        "\"jax[cuda12]==0.5.3; sys_platform == 'linux'\"",
    );
    commit_all(&dir, "pin the CUDA build");
    let out = update(&dir)
        .args(["--set", "profile=cpu-small"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("conflict  pyproject.toml (1 conflicting region(s))"),
        "{stdout}"
    );
    let pyproject = read(&dir.join("pyproject.toml"));
    assert!(pyproject.contains("<<<<<<< yours\n"), "{pyproject}");
    assert!(pyproject.contains("jax[cuda12]==0.5.3"), "{pyproject}");
}

#[test]
fn a_line_merge_that_would_not_parse_is_merged_key_by_key_instead() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = init_project(tmp.path(), "demo", &["--operator", "jax"]);
    // The user's own sources table, above `[build-system]`; pytorch's template declares
    // `[tool.uv.sources]` below it: the line merge is clean, and declares the table twice.
    edit(
        &dir.join("pyproject.toml"),
        "[build-system]",
        "[tool.uv.sources]\nmylib = { path = \"../mylib\" }\n\n[build-system]",
    );
    commit_all(&dir, "a local source");
    let out = update(&dir)
        .args(["--set", "operator=pytorch"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("merged    pyproject.toml (merged key by key)"),
        "{stdout}"
    );
    let pyproject = read(&dir.join("pyproject.toml"));
    let doc: toml_edit::DocumentMut = pyproject.parse().expect("valid TOML");
    let sources = doc["tool"]["uv"]["sources"].as_table_like().unwrap();
    assert!(sources.contains_key("mylib"), "{pyproject}");
    assert!(sources.contains_key("torch"), "{pyproject}");
    let headers = pyproject.lines().filter(|l| *l == "[tool.uv.sources]");
    assert_eq!(headers.count(), 1, "{pyproject}");
}

#[test]
fn a_recorded_answer_the_new_operator_rules_out_is_said_and_defaulted() {
    let tmp = tempfile::tempdir().unwrap();
    // Kuberay with no worker pods: 0 is no count for pytorch (at least 1 container).
    let dir = init_project(
        tmp.path(),
        "demo",
        &["--operator", "kuberay", "--workers", "0"],
    );
    let out = update(&dir)
        .args(["--set", "operator=pytorch", "--dry-run"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains(
            "note: the recorded `workers` does not fit the new answers; taking its default"
        ),
        "{}",
        stderr(&out)
    );
    let report = String::from_utf8_lossy(&out.stdout);
    assert!(report.contains("answer    workers: 0 -> 2"), "{report}");
}

/// A project that is a uv workspace with a path source beside it: uv re-locks with the
/// members and the source where `pyproject.toml` says (the stand-in uv checks), and nothing
/// it needed to see is written into the project.
#[cfg(unix)]
#[test]
fn uv_lock_sees_workspace_members_and_path_sources() {
    use std::os::unix::fs::PermissionsExt;
    let tmp = tempfile::tempdir().unwrap();
    let dir = init_project(tmp.path(), "demo", &["--operator", "pytorch"]);
    let mut pyproject = read(&dir.join("pyproject.toml"));
    pyproject.push_str(
        "\n[tool.uv.workspace]\nmembers = [\"packages/*\"]\n\n[tool.uv.sources.shared]\npath = \"../shared\"\n",
    );
    std::fs::write(dir.join("pyproject.toml"), pyproject).unwrap();
    for member in [dir.join("packages/lib"), tmp.path().join("shared")] {
        std::fs::create_dir_all(&member).unwrap();
        std::fs::write(member.join("pyproject.toml"), "[project]\nname = \"x\"\n").unwrap();
    }
    std::fs::write(dir.join("uv.lock"), "version = 1\n").unwrap();
    commit_all(&dir, "workspace");
    let uv = tmp.path().join("fake-uv");
    std::fs::write(
        &uv,
        "#!/bin/sh\nfor f in packages/lib/pyproject.toml ../shared/pyproject.toml README.md .python-version uv.lock; do\n  test -f \"$f\" || { echo \"error: $f is not there\" >&2; exit 2; }\ndone\necho 'version = 1 # relocked' > uv.lock\n",
    )
    .unwrap();
    std::fs::set_permissions(&uv, std::fs::Permissions::from_mode(0o755)).unwrap();
    let out = update(&dir)
        .env("AICHOR_UV", &uv)
        .args(["--set", "profile=gpu-t4"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(!stderr(&out).contains("failed"), "{}", stderr(&out));
    assert_eq!(read(&dir.join("uv.lock")), "version = 1 # relocked\n");
    assert!(
        std::fs::symlink_metadata(dir.join("packages"))
            .unwrap()
            .is_dir(),
        "the members' folder is still the user's own"
    );
    assert!(!dir.join("shared").exists());
    let status = git(&dir, &["status", "--porcelain"]);
    assert!(!status.contains("packages"), "{status}");
}

/// A question new in the pack version an update moves to takes the user's defaults, as it
/// would in `init`: `AICHOR_<KEY>` over the config file, over the pack's default.
#[test]
fn a_new_question_takes_the_users_defaults() {
    let tmp = tempfile::tempdir().unwrap();
    let work = acme_v1(tmp.path());
    let config = tmp.path().join("config");
    write_file(
        &config,
        "aichor/config.toml",
        "[defaults]\nteam = \"vision\"\nbudget = 3\n",
    );
    let url = publish(&work);
    let out = aichor()
        .current_dir(tmp.path())
        .env("AICHOR_CACHE_DIR", tmp.path().join("cache"))
        .args(["local-repo", "init", "demo2", "--no-input", "--no-lock"])
        .args(["--operator", "jax", "--template", &format!("{url}#v1")])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let dir = tmp.path().join("demo2");
    git(&dir, &["init", "-q"]);
    commit_all(&dir, "init");
    write_file(
        &work,
        "pack.toml",
        &format!(
            "{}\n[[questions]]\nkey = \"team\"\nprompt = \"Team\"\ntype = \"string\"\ndefault = \"research\"\n\n[[questions]]\nkey = \"budget\"\nprompt = \"Budget\"\ntype = \"int\"\ndefault = 10\n",
            acme_pack_toml("1.1.0")
        ),
    );
    write_file(
        &work,
        "files/docs/team.md.tera",
        "{{ team }} {{ budget }}\n",
    );
    commit_all(&work, "v1.1");
    git(&work, &["tag", "v1.1"]);
    git(&work, &["push", "-q", &url, "v1.1"]);
    let out = update(&dir)
        .env("AICHOR_CACHE_DIR", tmp.path().join("cache"))
        .env_remove("AICHOR_NO_CONFIG")
        .env("XDG_CONFIG_HOME", &config)
        .env("AICHOR_BUDGET", "5")
        .args(["--template", &format!("{url}#v1.1")])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(read(&dir.join("docs/team.md")), "vision 5\n");
    let record = read(&dir.join(".aichor-answers.yaml"));
    assert!(record.contains("team: vision"), "{record}");
}
