//! `template-tests/<variant>/answers.yaml` → the whole generated tree, snapshotted as
//! `template-tests/<variant>/tree.snap`, and every generated file checked by a parser:
//! the manifest field by field, pyproject.toml with `toml_edit`, Python with `py_compile`.

use std::path::{Path, PathBuf};

use crate::support::{aichor, read_tree, regex_escape};

fn variants_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("template-tests")
}

/// Every folder is a variant.
fn variants() -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(variants_dir())
        .expect("template-tests/ exists")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    dirs
}

/// One `#[test]` per folder of `template-tests/`, so one failing variant does not hide the
/// others; `every_variant_folder_has_a_test` fails when a folder is missing from this list.
macro_rules! variants {
    ($($test:ident => $folder:literal,)*) => {
        const TESTED: &[&str] = &[$($folder),*];
        $(
            #[test]
            fn $test() {
                check_variant($folder);
            }
        )*
    };
}

variants! {
    jax_cpu => "jax-cpu",
    jax_gpu_a100 => "jax-gpu-a100",
    jobset_completions_2 => "jobset-completions-2",
    jobset_workers_4 => "jobset-workers-4",
    kuberay_cpu => "kuberay-cpu",
    kuberay_head_only => "kuberay-head-only",
    kuberay_tpu => "kuberay-tpu",
    pytorch_cpu => "pytorch-cpu",
    pytorch_gpu_h100x8 => "pytorch-gpu-h100x8",
    pytorch_gpu_t4 => "pytorch-gpu-t4",
    xgboost_cpu => "xgboost-cpu",
    xgboost_gpu => "xgboost-gpu",
}

#[test]
fn every_variant_folder_has_a_test() {
    let folders: Vec<String> = variants()
        .iter()
        .map(|d| d.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert!(!folders.is_empty(), "no variants in template-tests/");
    let untested: Vec<&String> = folders
        .iter()
        .filter(|f| !TESTED.contains(&f.as_str()))
        .collect();
    assert!(
        untested.is_empty(),
        "template-tests/ folders without a test: {untested:?}; add them to `variants!` in {}",
        file!()
    );
    let missing: Vec<&&str> = TESTED
        .iter()
        .filter(|t| !folders.iter().any(|f| f == *t))
        .collect();
    assert!(
        missing.is_empty(),
        "tests without a template-tests/ folder: {missing:?}"
    );
}

/// `template-tests/<folder>/answers.yaml` through the binary, the tree read back from disk
/// and compared with `tree.snap` (the tool's version filtered out), then every file parsed.
fn check_variant(folder: &str) {
    let dir = variants_dir().join(folder);
    let answers = dir.join("answers.yaml");
    assert!(
        answers.is_file(),
        "{folder}: a variant folder needs answers.yaml"
    );
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("project");
    aichor()
        .args(["local-repo", "init"])
        .arg(&out)
        .arg("--answers")
        .arg(&answers)
        .arg("--no-input")
        .assert()
        .success();
    let tree = read_tree(&out);
    let text = aichor::init::snapshot::tree_text(
        tree.iter()
            .map(|(path, bytes)| (path.as_str(), bytes.as_slice())),
    );
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path(&dir);
    settings.set_prepend_module_to_snapshot(false);
    settings.set_input_file(&answers);
    settings.set_description(format!(
        "aichor local-repo init --answers template-tests/{folder}/answers.yaml"
    ));
    // The record names the tool's version: filtered, so a release does not touch every snapshot.
    settings.add_filter(
        &format!(
            "(?m)^aichor-version: {}$",
            regex_escape(env!("CARGO_PKG_VERSION"))
        ),
        "aichor-version: [VERSION]",
    );
    settings.bind(|| insta::assert_snapshot!("tree", text));

    check_project(folder, &out);
}

/// Snapshots without a variant are stale and must go.
#[test]
fn no_orphan_snapshots() {
    for dir in variants() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let file = entry.unwrap().file_name().to_string_lossy().into_owned();
            // manifest-new.args: `manifest new` runs that scripts/check-generated.sh adds.
            assert!(
                ["answers.yaml", "tree.snap", "manifest-new.args"].contains(&file.as_str()),
                "{}: unexpected file `{file}` (only answers.yaml, tree.snap and manifest-new.args belong here)",
                dir.display()
            );
        }
    }
}

fn yaml<'a>(v: &'a yaml_serde::Value, path: &str) -> &'a yaml_serde::Value {
    let mut cur = v;
    for key in path.split('.') {
        cur = cur.get(key).unwrap_or_else(|| panic!("missing `{path}`"));
    }
    cur
}

fn check_project(variant: &str, root: &Path) {
    let record: yaml_serde::Value =
        yaml_serde::from_str(&std::fs::read_to_string(root.join(".aichor-answers.yaml")).unwrap())
            .unwrap();
    let answers = yaml(&record, "answers");
    let name = answers["name"].as_str().unwrap();
    let operator = answers["operator"].as_str().unwrap();
    let workers = answers["workers"].as_u64().unwrap();
    let tensorboard = answers["tensorboard"].as_bool().unwrap();
    let python = answers["python"].as_str().unwrap();
    let package = name.replace('-', "_");

    // The manifest, field by field.
    let text = std::fs::read_to_string(root.join("aichor_manifests/manifest.yaml")).unwrap();
    assert!(
        text.starts_with("# yaml-language-server: $schema=https://"),
        "{variant}: modeline first"
    );
    let m: yaml_serde::Value = yaml_serde::from_str(&text).unwrap();
    assert_eq!(yaml(&m, "kind"), "AIchorManifest", "{variant}");
    assert_eq!(yaml(&m, "apiVersion"), "0.2.3", "{variant}");
    assert_eq!(
        yaml(&m, "builder.image"),
        yaml(&m, "spec.image"),
        "{variant}"
    );
    assert_eq!(yaml(&m, "builder.image"), name, "{variant}");
    let dockerfile = yaml(&m, "builder.dockerfile").as_str().unwrap();
    let context = yaml(&m, "builder.context").as_str().unwrap();
    assert!(
        root.join(context).join(dockerfile).is_file(),
        "{variant}: Dockerfile where the manifest says"
    );
    assert_eq!(yaml(&m, "spec.operator"), operator, "{variant}");
    let command = yaml(&m, "spec.command").as_str().unwrap();
    assert!(
        command.contains(&format!("-m {package}.main")),
        "{variant}: command `{command}`"
    );
    assert_eq!(
        yaml(&m, "spec.tensorboard.enabled").as_bool(),
        Some(tensorboard),
        "{variant}"
    );
    let types = yaml(&m, "spec.types").as_mapping().unwrap();
    let mut blocks = Vec::new();
    match operator {
        "pytorch" | "jax" | "xgboost" => {
            let keys: Vec<_> = types.keys().map(|k| k.as_str().unwrap()).collect();
            assert_eq!(keys, ["worker"], "{variant}");
            assert_eq!(
                types["worker"]["count"].as_u64(),
                Some(workers),
                "{variant}"
            );
            blocks.push(&types["worker"]["resources"]);
        }
        "jobset" => {
            assert!(!types.is_empty());
            for (k, group) in types {
                let k = k.as_str().unwrap();
                assert!(
                    k.chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'),
                    "{k}"
                );
                assert_eq!(group["count"].as_u64(), Some(workers), "{variant}");
                // Pods per job, and the starter told the same number through spec.env.
                let completions = answers["completions"].as_u64().unwrap_or(1);
                assert_eq!(
                    group["completions"].as_u64(),
                    Some(completions),
                    "{variant}"
                );
                assert_eq!(
                    group["parallelisms"].as_u64(),
                    Some(completions),
                    "{variant}"
                );
                assert_eq!(
                    yaml(&m, "spec.env.JOBSET_COMPLETIONS").as_str(),
                    Some(completions.to_string().as_str()),
                    "{variant}"
                );
                blocks.push(&group["resources"]);
            }
        }
        "kuberay" => {
            let keys: Vec<_> = types.keys().map(|k| k.as_str().unwrap()).collect();
            assert_eq!(keys, ["Head", "Workers"], "{variant}");
            assert!(
                types["Head"].get("count").is_none(),
                "{variant}: Head has no count"
            );
            blocks.push(&types["Head"]["resources"]);
            let groups = types["Workers"].as_sequence().unwrap();
            assert_eq!(groups.len(), 1);
            assert!(groups[0]["name"].as_str().is_some());
            assert_eq!(groups[0]["count"].as_u64(), Some(workers), "{variant}");
            blocks.push(&groups[0]["resources"]);
            let ray = yaml(&m, "spec.rayVersion").as_str().unwrap();
            let dockerfile = std::fs::read_to_string(root.join("Dockerfile")).unwrap();
            assert!(
                dockerfile.contains(&format!(
                    "FROM rayproject/ray:{ray}-py{}",
                    python.replace('.', "")
                )),
                "{variant}"
            );
            let pyproject = std::fs::read_to_string(root.join("pyproject.toml")).unwrap();
            assert!(
                pyproject.contains(&format!("\"ray[default]=={ray}\"")),
                "{variant}"
            );
        }
        other => panic!("unexpected operator {other}"),
    }
    for r in blocks {
        let has_ratio = r.get("ramRatio").is_some();
        let has_memory = r.get("memory").is_some();
        assert!(
            has_ratio != has_memory,
            "{variant}: exactly one of ramRatio/memory in {r:?}"
        );
        if let Some(gpu) = r.get("accelerators").and_then(|a| a.get("gpu")) {
            assert_eq!(gpu["type"], "gpu");
            let product = gpu["product"].as_str().unwrap();
            assert!(
                [
                    "nvidia-tesla-t4",
                    "NVIDIA-A100-SXM4-80GB",
                    "NVIDIA-H100-80GB-HBM3"
                ]
                .contains(&product),
                "{variant}: product {product}"
            );
        }
        if let Some(tpu) = r.get("accelerators").and_then(|a| a.get("tpu")) {
            assert_eq!(tpu["type"], "tpu-v5-lite-podslice");
            assert_eq!(tpu["topology"], "4x4");
        }
    }

    // pyproject.toml: valid TOML, consistent with the answers.
    let pyproject: toml_edit::DocumentMut = std::fs::read_to_string(root.join("pyproject.toml"))
        .unwrap()
        .parse()
        .expect("pyproject parses");
    assert_eq!(
        pyproject["project"]["name"].as_str(),
        Some(name),
        "{variant}"
    );
    assert_eq!(
        pyproject["project"]["requires-python"].as_str(),
        Some(format!(">={python}").as_str())
    );
    assert_eq!(
        pyproject["build-system"]["build-backend"].as_str(),
        Some("uv_build")
    );
    let deps = pyproject["project"]["dependencies"].as_array().unwrap();
    let has_tbx = deps
        .iter()
        .any(|d| d.as_str().unwrap().starts_with("tensorboardX"));
    assert_eq!(
        has_tbx, tensorboard,
        "{variant}: tensorboardX dependency follows the answer"
    );
    assert_eq!(
        std::fs::read_to_string(root.join(".python-version"))
            .unwrap()
            .trim(),
        python
    );

    // Python sources compile.
    let main = root.join("src").join(&package).join("main.py");
    let init = root.join("src").join(&package).join("__init__.py");
    let status = std::process::Command::new("python3")
        .args(["-m", "py_compile"])
        .arg(&main)
        .arg(&init)
        .status()
        .expect("python3 is installed");
    assert!(status.success(), "{variant}: py_compile failed");
    let _ = std::fs::remove_dir_all(root.join("src").join(&package).join("__pycache__"));
}
