//! Checks of a manifest against the repository it lives in: is it where AIchor looks
//! (`aichor_manifests/`), does its Dockerfile exist, and which commit message triggers it.

use std::path::{Path, PathBuf};

use super::validate::{Diagnostic, Severity, Validation};

/// The folder AIchor reads manifests from, at the repository root.
pub(crate) const MANIFESTS_DIR: &str = "aichor_manifests";

/// Where a manifest sits in its repository.
#[derive(Debug, Clone)]
pub(super) struct Placement {
    /// Repository root (parent of `aichor_manifests/`, else the git root, else the manifest's folder).
    pub root: PathBuf,
    /// Path relative to `aichor_manifests/`, when it is under it.
    pub selector: Option<String>,
}

impl Placement {
    pub(super) fn of(manifest: &Path) -> Placement {
        let absolute = std::path::absolute(manifest).unwrap_or_else(|_| manifest.to_path_buf());
        for dir in absolute.ancestors().skip(1) {
            if dir.file_name().is_some_and(|n| n == MANIFESTS_DIR) {
                let selector = absolute
                    .strip_prefix(dir)
                    .ok()
                    .map(|p| p.to_string_lossy().replace('\\', "/"));
                let root = dir.parent().unwrap_or(dir).to_path_buf();
                return Placement { root, selector };
            }
        }
        let root = absolute
            .ancestors()
            .skip(1)
            .find(|d| d.join(".git").exists())
            .or_else(|| absolute.parent())
            .unwrap_or(Path::new("."))
            .to_path_buf();
        Placement {
            root,
            selector: None,
        }
    }

    /// The commit message prefix that runs this manifest.
    pub(super) fn trigger(&self) -> Option<String> {
        self.selector
            .as_ref()
            .map(|s| format!("aichor[{s}]: <message>"))
    }
}

/// Add the repository findings for a manifest at `placement` to `checked`.
pub(super) fn add_findings(placement: &Placement, checked: &mut Validation) {
    if placement.selector.is_none() {
        checked.diagnostics.push(Diagnostic {
            severity: Severity::Warning,
            line: 1,
            column: 1,
            path: String::new(),
            message: format!(
                "not under `{MANIFESTS_DIR}/`: AIchor only reads manifests from there"
            ),
            help: Some(format!(
                "move it to `{MANIFESTS_DIR}/` at the repository root"
            )),
        });
    }
    let Some(dockerfile) = &checked.dockerfile else {
        return;
    };
    let context = checked.context.as_ref().map_or(".", |c| c.value.as_str());
    // The docs say relative to the repository root; AIchor's own demos write it relative to
    // the context. Accept either.
    let candidates = [
        placement.root.join(context).join(&dockerfile.value),
        placement.root.join(&dockerfile.value),
    ];
    if !candidates.iter().any(|p| p.is_file()) {
        checked.diagnostics.push(Diagnostic {
            severity: Severity::Warning,
            line: dockerfile.line,
            column: dockerfile.column,
            path: "builder.dockerfile".into(),
            message: format!(
                "no Dockerfile at `{}` (context `{context}`, repository root `{}`)",
                dockerfile.value,
                placement.root.display()
            ),
            help: Some("the build will fail: fix `builder.context` / `builder.dockerfile`".into()),
        });
    }
}
