//! `aichor profiles list` and `aichor completions`.

use crate::support::{aichor, stderr};

#[test]
fn lists_profiles_as_text_and_json() {
    let out = aichor().args(["profiles", "list"]).output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.starts_with("ID"), "{text}");
    for id in [
        "cpu-small",
        "cpu-large",
        "gpu-t4",
        "gpu-a100-80gb",
        "gpu-h100x8",
        "tpu-v5e-4x4",
    ] {
        assert!(text.contains(id), "{id}");
    }
    let out = aichor()
        .args([
            "profiles",
            "list",
            "--operator",
            "pytorch",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    let list: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let ids: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap())
        .collect();
    assert!(
        ids.contains(&"gpu-t4") && !ids.contains(&"tpu-v5e-4x4"),
        "{ids:?}"
    );
    let h100 = list
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"] == "gpu-h100x8")
        .unwrap();
    assert_eq!(
        h100["resources"]["accelerators"]["gpu"]["product"],
        "NVIDIA-H100-80GB-HBM3"
    );
}

#[test]
fn unknown_operator_filter_is_a_usage_error() {
    let out = aichor()
        .args(["profiles", "list", "--operator", "tensorflow"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("help: pass `--operator` with one of: pytorch"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn completions_are_generated() {
    for shell in ["bash", "zsh", "fish", "powershell"] {
        let out = aichor().args(["completions", shell]).output().unwrap();
        assert!(out.status.success(), "{shell}");
        assert!(
            String::from_utf8_lossy(&out.stdout).contains("local-repo"),
            "{shell}"
        );
    }
}
