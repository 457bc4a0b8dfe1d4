//! CUDA 13 in a lock: its wheels (`nvidia-*-cu13`, `jax-cuda13-*`, the NCCL that plain
//! `xgboost` 3.4 pulls on Python 3.12) need NVIDIA driver 580 or later, which nodes of many
//! engines do not have yet: the run fails after a paid build and scheduling. The projects
//! aichor generates pin CUDA 12 builds for that reason.

use std::path::Path;

use super::{Finding, Repo, Severity};
use crate::layout::UV_LOCK;

/// A warning when the lock in `context` resolves CUDA 13 packages.
pub(super) fn check(repo: &Repo, context: &Path, out: &mut Vec<Finding>) {
    let lock = context.join(UV_LOCK);
    let Ok(text) = fs_err::read_to_string(&lock) else {
        return;
    };
    let Ok(doc) = text.parse::<toml_edit::DocumentMut>() else {
        return;
    };
    let Some(packages) = doc
        .get("package")
        .and_then(toml_edit::Item::as_array_of_tables)
    else {
        return;
    };
    let cuda13: Vec<String> = packages
        .iter()
        .filter_map(|p| p.get("name")?.as_str())
        .filter(|name| is_cuda13(name))
        .map(str::to_string)
        .collect();
    if cuda13.is_empty() {
        return;
    }
    out.push(
        Finding::new(
            Severity::Warning,
            "cuda",
            format!(
                "`{}` resolves CUDA 13 packages ({}): they need NVIDIA driver >= 580, which many engines' GPU nodes do not have yet",
                repo.rel(&lock),
                cuda13.join(", ")
            ),
        )
        .at(&repo.rel(&lock), None, None)
        .help("depend on the CUDA 12 builds, then `uv lock`: `xgboost-cu12` (not `xgboost`), `jax[cuda12]`, torch from the cu126 index (`nvidia-*-cu12` follow)"),
    );
}

/// `nvidia-nccl-cu13`, `jax-cuda13-plugin`, `cupy-cuda13x`, ...
fn is_cuda13(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    name.ends_with("-cu13") || name.contains("-cuda13") || name.contains("-cu13-")
}

#[cfg(test)]
mod tests {
    use super::is_cuda13;

    #[test]
    fn cuda_13_packages_are_recognised() {
        for name in [
            "nvidia-nccl-cu13",
            "jax-cuda13-plugin",
            "jax-cuda13-pjrt",
            "cupy-cuda13x",
        ] {
            assert!(is_cuda13(name), "{name}");
        }
        for name in [
            "nvidia-nccl-cu12",
            "xgboost-cu12",
            "jax-cuda12-plugin",
            "torch",
        ] {
            assert!(!is_cuda13(name), "{name}");
        }
    }
}
