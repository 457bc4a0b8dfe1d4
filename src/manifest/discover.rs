//! Every manifest in a repository, found by what a file holds rather than where it is, and
//! where each one outside `aichor_manifests/` would go (`local-repo check` reports them,
//! `local-repo adopt` moves them).
//!
//! A file is a manifest when it is a `*.yaml`/`*.yml` of at most `MAX_BYTES`, is UTF-8
//! YAML, and one of its documents is a mapping with `kind: AIchorManifest`, or with both a
//! `builder` key and a `spec` mapping holding `operator` (older manifests omit `kind`); or,
//! when it does not parse as YAML, when a top-level line says `kind: AIchorManifest`.
//! Anything else (Kubernetes files in a `manifests/` folder, CI configs, text that is not
//! YAML) is not one.
//!
//! The walk starts at the repository root and skips: folders whose name starts with `.`
//! (`.git`, `.venv`, `.tox`, caches, `.github`: tool state and CI, where neither AIchor nor
//! its users keep manifests), `node_modules`, `__pycache__`, virtual environments under any
//! name (a folder with `pyvenv.cfg`), nested git repositories and submodules (a folder with
//! `.git`: AIchor clones without them), and links to folders (never followed). Nothing else
//! is skipped: `.gitignore` is not read, since an ignored manifest is still one a user may
//! mean to run. A folder that cannot be read below the root is passed over.

use std::io::Read;
use std::path::{Path, PathBuf};

use saphyr::{LoadableYamlNode, MarkedYaml, YamlData};

use super::repo::MANIFESTS_DIR;
use super::yaml::{as_str, get};
use crate::error::{Error, Result};

/// Files larger than this are not read (manifests are a few KB).
pub const MAX_BYTES: u64 = 1 << 20;

/// Why a file counts as a manifest.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Evidence {
    /// `kind: AIchorManifest`.
    Kind,
    /// No `kind`, but `builder` and `spec.operator` (the older manifests' shape).
    Shape,
}

/// One manifest found in the repository.
#[derive(Debug, Clone)]
pub struct Discovered {
    /// Relative to the root, `/`-separated: `demo/manifests/gpu.yaml`.
    pub rel: String,
    /// The file itself (the root joined with `rel`).
    pub path: PathBuf,
    pub evidence: Evidence,
    /// `spec.operator`, when it is a string.
    pub operator: Option<String>,
    /// Errors the validator of `aichor manifest validate` reports for it (0: valid as it is).
    pub errors: usize,
    /// Its path below `aichor_manifests/` when it is in that folder at the root (what
    /// `aichor[<selector>]:` runs); `None` anywhere else, where no commit message runs it.
    pub selector: Option<String>,
}

impl Discovered {
    /// Whether it validates (no errors).
    pub fn is_valid(&self) -> bool {
        self.errors == 0
    }
}

/// Every manifest under `root`, sorted by path. Only `root` itself must be readable.
pub fn discover(root: &Path) -> Result<Vec<Discovered>> {
    // The root is read for its error; the folders below it are passed over when they fail.
    fs_err::read_dir(root).map_err(|e| Error::io(root, "cannot be read", e))?;
    let mut files = Vec::new();
    let mut folders = vec![root.to_path_buf()];
    while let Some(dir) = folders.pop() {
        let Ok(entries) = fs_err::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let Ok(kind) = entry.file_type() else {
                continue;
            };
            if kind.is_dir() {
                if !skipped(&path) {
                    folders.push(path);
                }
            } else if has_yaml_extension(&path) && !super::files::is_temporary(&path) {
                files.push(path);
            }
        }
    }
    files.sort();
    let mut out = Vec::new();
    for path in files {
        let Some((text, utf8)) = read_text(&path) else {
            continue;
        };
        let Some(evidence) = evidence(&text) else {
            continue;
        };
        let rel = relative(root, &path);
        let validation = super::validate::validate_text(&text);
        // A manifest that is not UTF-8 (a Latin-1 comment, PowerShell's UTF-16) is found by
        // what its readable part says, and is invalid: the platform cannot read it.
        let errors = validation
            .diagnostics
            .iter()
            .filter(|d| d.severity == super::validate::Severity::Error)
            .count()
            + usize::from(!utf8);
        let selector = rel
            .strip_prefix(MANIFESTS_DIR)
            .and_then(|r| r.strip_prefix('/'))
            .map(str::to_string);
        out.push(Discovered {
            rel,
            path,
            evidence,
            operator: validation.operator,
            errors,
            selector,
        });
    }
    Ok(out)
}

/// Whether the walk leaves this folder out (see the module's documentation); check's walk
/// of a build context leaves out the same folders.
pub(crate) fn skipped(dir: &Path) -> bool {
    let name = dir
        .file_name()
        .map(|n| n.to_string_lossy())
        .unwrap_or_default();
    name.starts_with('.')
        || name == "node_modules"
        || name == "__pycache__"
        || dir.join("pyvenv.cfg").is_file()
        || dir.join(".git").exists()
}

fn has_yaml_extension(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("yaml") || e.eq_ignore_ascii_case("yml"))
}

/// The file's text when it is a file (a link to one counts) of at most `MAX_BYTES` (a
/// byte-order mark dropped), and whether it was UTF-8: other bytes are read as U+FFFD (NULs
/// dropped, so UTF-16 text still shows what it says).
fn read_text(path: &Path) -> Option<(String, bool)> {
    let meta = fs_err::metadata(path).ok()?;
    if !meta.is_file() || meta.len() > MAX_BYTES {
        return None;
    }
    let mut bytes = Vec::new();
    fs_err::File::open(path)
        .ok()?
        .take(MAX_BYTES + 1)
        .read_to_end(&mut bytes)
        .ok()?;
    if bytes.len() as u64 > MAX_BYTES {
        return None;
    }
    let (text, utf8) = match String::from_utf8(bytes) {
        Ok(text) => (text, true),
        Err(e) => {
            let mut bytes = e.into_bytes();
            bytes.retain(|b| *b != 0);
            (String::from_utf8_lossy(&bytes).into_owned(), false)
        }
    };
    let text = text
        .strip_prefix('\u{feff}')
        .map_or(text.clone(), str::to_string);
    Some((text, utf8))
}

/// Whether `text` is a manifest, and why. Pure: what discovery decides for one file's text.
pub fn evidence(text: &str) -> Option<Evidence> {
    // Most YAML in a repository (CI, Kubernetes, configs) is ruled out without parsing.
    let maybe =
        text.contains("AIchorManifest") || (text.contains("builder") && text.contains("operator"));
    if !maybe {
        return None;
    }
    let parsed = super::yaml::check_bounds(text)
        .ok()
        .and_then(|()| MarkedYaml::load_from_str(text).ok());
    let Some(docs) = parsed else {
        // No longer YAML (a bad merge, a tab): still a manifest when a top-level line says
        // so, so that it is reported (and left by adopt, with why) rather than lost.
        let kind = text.lines().any(|l| {
            l.strip_prefix("kind:")
                .is_some_and(|v| v.trim().trim_matches(['"', '\'']) == "AIchorManifest")
        });
        return kind.then_some(Evidence::Kind);
    };
    let mut found = None;
    for doc in &docs {
        if !matches!(doc.data, YamlData::Mapping(_)) {
            continue;
        }
        if get(doc, "kind").and_then(as_str) == Some("AIchorManifest") {
            return Some(Evidence::Kind);
        }
        let operator = get(doc, "spec")
            .filter(|s| matches!(s.data, YamlData::Mapping(_)))
            .and_then(|s| get(s, "operator"));
        if get(doc, "builder").is_some() && operator.is_some() {
            found = Some(Evidence::Shape);
        }
    }
    found
}

fn relative(root: &Path, path: &Path) -> String {
    path.strip_prefix(root)
        .unwrap_or(path)
        .to_string_lossy()
        .replace('\\', "/")
}

/// Where a manifest outside `aichor_manifests/` goes, best first: drop the first `manifests`
/// (or nested `aichor_manifests`) folder of its path and put the rest under
/// `aichor_manifests/` (`demo/manifests/gpu.yaml` → `aichor_manifests/demo/gpu.yaml`, root
/// `manifest.yaml` → `aichor_manifests/manifest.yaml`); then, when a folder was dropped, the
/// same path keeping it (`aichor_manifests/demo/manifests/gpu.yaml`). Empty for a path
/// already under `aichor_manifests/`.
pub fn targets(rel: &str) -> Vec<String> {
    if rel.starts_with(&format!("{MANIFESTS_DIR}/")) {
        return Vec::new();
    }
    // AIchor runs `.yaml`/`.yml` only, in lower case: `run.YAML` moves to `run.yaml`, which a
    // commit trigger can name.
    let lowered;
    let rel = match rel.rsplit_once('.') {
        Some((stem, ext))
            if (ext.eq_ignore_ascii_case("yaml") || ext.eq_ignore_ascii_case("yml"))
                && ext != ext.to_ascii_lowercase() =>
        {
            lowered = format!("{stem}.{}", ext.to_ascii_lowercase());
            lowered.as_str()
        }
        _ => rel,
    };
    let parts: Vec<&str> = rel.split('/').collect();
    let folders = &parts[..parts.len() - 1];
    let kept = format!("{MANIFESTS_DIR}/{rel}");
    match folders
        .iter()
        .position(|p| *p == "manifests" || *p == MANIFESTS_DIR)
    {
        Some(i) => {
            let mut rest: Vec<&str> = parts.clone();
            rest.remove(i);
            vec![format!("{MANIFESTS_DIR}/{}", rest.join("/")), kept]
        }
        None => vec![kept],
    }
}

/// What becomes of one manifest outside `aichor_manifests/` (see `plan`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Destination {
    /// It can move there (relative to the root): nothing is there, and no other manifest of
    /// the plan goes there.
    Move(String),
    /// That file (relative to the root) already holds the same bytes.
    Duplicate(String),
    /// Every target is taken (each relative to the root): by another file, or by another
    /// manifest of the plan.
    Conflict(Vec<String>),
}

/// One manifest outside `aichor_manifests/` and where it goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Planned {
    /// Relative to the root.
    pub from: String,
    pub to: Destination,
}

/// Where each of `found` outside `aichor_manifests/` goes, never onto an existing file nor
/// onto another's target: targets are tried in `targets` order; a name taken on disk (a
/// case-only difference counts: such names collide on macOS and Windows) or earlier in the
/// plan passes to the next. Manifests claim targets in this order: the root
/// `manifest.yaml`, other root files, `manifests/**`, then the rest, each by path. The
/// result is in `found`'s order.
pub fn plan(root: &Path, found: &[Discovered]) -> Vec<Planned> {
    let mut order: Vec<&Discovered> = found.iter().filter(|d| d.selector.is_none()).collect();
    order.sort_by_key(|d| (rank(&d.rel), d.rel.clone()));
    let mut claimed: Vec<String> = Vec::new();
    let mut planned: Vec<Planned> = Vec::new();
    for d in order {
        let candidates = targets(&d.rel);
        let mut to = Destination::Conflict(candidates.clone());
        for target in &candidates {
            if claimed.iter().any(|c| c.eq_ignore_ascii_case(target)) {
                continue;
            }
            let Some(existing) = on_disk(root, target) else {
                claimed.push(target.clone());
                to = Destination::Move(target.clone());
                break;
            };
            let same = fs_err::read(&existing)
                .ok()
                .is_some_and(|bytes| fs_err::read(&d.path).ok().is_some_and(|mine| mine == bytes));
            if same {
                to = Destination::Duplicate(relative(root, &existing));
                break;
            }
        }
        planned.push(Planned {
            from: d.rel.clone(),
            to,
        });
    }
    found
        .iter()
        .filter_map(|d| planned.iter().find(|p| p.from == d.rel).cloned())
        .collect()
}

/// Claim order: root `manifest.yaml`, root files, `manifests/**`, the rest.
fn rank(rel: &str) -> u8 {
    if rel == "manifest.yaml" {
        0
    } else if !rel.contains('/') {
        1
    } else if rel.starts_with("manifests/") {
        2
    } else {
        3
    }
}

/// What stands at `target` (relative to `root`), matching names without regard to case: the
/// path of what is there, or `None` when the name is free. A file where a folder of the
/// path should be takes the name too.
fn on_disk(root: &Path, target: &str) -> Option<PathBuf> {
    let mut dir = root.to_path_buf();
    let parts: Vec<&str> = target.split('/').collect();
    for (i, part) in parts.iter().enumerate() {
        let last = i == parts.len() - 1;
        let entries = fs_err::read_dir(&dir).ok()?;
        let hit = entries.flatten().map(|e| e.path()).find(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().eq_ignore_ascii_case(part))
        })?;
        if last || !hit.is_dir() {
            return Some(hit);
        }
        dir = hit;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_counts_as_a_manifest() {
        let shape = "builder:\n  image: x\nspec:\n  operator: jax\n";
        assert_eq!(evidence(shape), Some(Evidence::Shape));
        assert_eq!(
            evidence("kind: AIchorManifest\nspec: {}\n"),
            Some(Evidence::Kind)
        );
        assert_eq!(
            evidence("apiVersion: v1\nkind: Service\n---\nkind: AIchorManifest\n"),
            Some(Evidence::Kind)
        );
        for text in [
            "",
            "apiVersion: apps/v1\nkind: Deployment\nspec:\n  operator: x\n",
            "builder: x\nspec: operator\n",
            "operator: builder\n",
            "- builder\n- operator\n",
            "builder: [unclosed\nspec:\n  operator: jax\n",
            "kind: AIchorManifestX\n",
        ] {
            assert_eq!(evidence(text), None, "{text:?}");
        }
    }

    /// A trigger names `.yaml`/`.yml` in lower case only: the move lowers the extension, and
    /// only the extension.
    #[test]
    fn targets_lower_a_yaml_extension_only() {
        assert_eq!(
            targets("manifests/Run.YAML"),
            [
                "aichor_manifests/Run.yaml",
                "aichor_manifests/manifests/Run.yaml"
            ]
        );
        assert_eq!(targets("GPU.v2/m.Yml"), ["aichor_manifests/GPU.v2/m.yml"]);
        assert_eq!(targets("GPU.V2/m.yaml"), ["aichor_manifests/GPU.V2/m.yaml"]);
    }

    #[test]
    fn targets_drop_the_first_manifests_folder() {
        assert_eq!(targets("manifest.yaml"), ["aichor_manifests/manifest.yaml"]);
        assert_eq!(
            targets("manifests/gpu/x.yaml"),
            [
                "aichor_manifests/gpu/x.yaml",
                "aichor_manifests/manifests/gpu/x.yaml"
            ]
        );
        assert_eq!(
            targets("a/b/manifests/x.yaml"),
            [
                "aichor_manifests/a/b/x.yaml",
                "aichor_manifests/a/b/manifests/x.yaml"
            ]
        );
        assert_eq!(
            targets("demo/aichor_manifests/x.yaml"),
            [
                "aichor_manifests/demo/x.yaml",
                "aichor_manifests/demo/aichor_manifests/x.yaml"
            ]
        );
        assert_eq!(targets("demo/x.yaml"), ["aichor_manifests/demo/x.yaml"]);
        // A file named `manifests` is not a folder.
        assert_eq!(targets("manifests"), ["aichor_manifests/manifests"]);
        assert!(targets("aichor_manifests/x.yaml").is_empty());
    }
}
