//! Checks of a manifest against the repository it lives in: is it where AIchor looks
//! (`aichor_manifests/`), does its Dockerfile exist, and which commit message triggers it.

use std::path::{Path, PathBuf};

use super::validate::{Diagnostic, Severity, Validation};

/// The folder AIchor reads manifests from, at the repository root.
pub use crate::layout::MANIFESTS_DIR;

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
        let parent = absolute.parent().unwrap_or(Path::new("."));
        let root = crate::layout::find_root(parent, crate::layout::RootMarks::GIT)
            .unwrap_or_else(|| parent.to_path_buf());
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
    if resolve_dockerfile(&placement.root, context, &dockerfile.value) == DockerfileAt::Missing {
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

/// Where `builder.dockerfile` was found. The docs say the path is relative to the repository
/// root; AIchor's own demos write it relative to `builder.context` (`context: smoke-test`,
/// `dockerfile: ./build/Dockerfile`). Either is accepted; the root-relative reading first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DockerfileAt {
    /// Relative to the repository root, as documented (also when the context is the root).
    Root(PathBuf),
    /// Only relative to the context, as the demos write it.
    Context(PathBuf),
    /// Neither.
    Missing,
}

/// Resolve `dockerfile` against the repository `root` and then the `context` (relative to
/// the root).
pub fn resolve_dockerfile(root: &Path, context: &str, dockerfile: &str) -> DockerfileAt {
    let documented = root.join(dockerfile);
    if documented.is_file() {
        return DockerfileAt::Root(documented);
    }
    let demo = root.join(context).join(dockerfile);
    if demo.is_file() {
        DockerfileAt::Context(demo)
    } else {
        DockerfileAt::Missing
    }
}
