//! Where a new manifest goes: its path relative to `aichor_manifests/` (the selector a commit
//! message names, under the platform's rules), the repository it is added to, and the name
//! of the files made for it when it needs its own image.

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::manifest::repo::MANIFESTS_DIR;

/// The selector for `raw`, as the platform's commit-message parser accepts it: relative, `/`
/// separated, no `..`, ending in `.yaml`/`.yml`. A leading `aichor_manifests/` is dropped
/// (a path typed from the repository root).
pub fn parse(raw: &str) -> Result<String> {
    let refuse = |reason: &str| Error::BadManifestPath {
        path: raw.to_string(),
        reason: reason.to_string(),
        help: None,
    };
    // ` gpu.yaml` is a file name, and `aichor[ gpu.yaml]: ...` a commit message the platform
    // would not match as meant (and `local-repo check --commit-msg` refuses).
    let spaced = |path: &str| Error::BadManifestPath {
        path: raw.to_string(),
        reason:
            "it has spaces around it, which the commit message `aichor[<path>]: ...` would carry"
                .into(),
        help: Some(format!("pass it without them: `{}`", path.trim())),
    };
    if raw.trim() != raw {
        return Err(spaced(raw));
    }
    if raw.contains('\\') {
        return Err(refuse("`\\` is not allowed: separate folders with `/`"));
    }
    if raw.starts_with('/') || Path::new(raw).is_absolute() {
        return Err(refuse(
            "it is absolute; the path is relative to `aichor_manifests/`",
        ));
    }
    if raw.chars().any(|c| c.is_control() || c == ']' || c == '[') {
        return Err(refuse(
            "`[`, `]` and control characters would break the commit message `aichor[<path>]: ...`",
        ));
    }
    let mut rel = raw.trim_start_matches("./");
    if let Some(inner) = rel.strip_prefix(MANIFESTS_DIR) {
        rel = inner.strip_prefix('/').unwrap_or(inner);
    }
    if rel.trim() != rel {
        return Err(spaced(rel));
    }
    if rel.is_empty() {
        return Err(refuse("it names no file"));
    }
    let components: Vec<&str> = rel.split('/').collect();
    if components.contains(&"..") {
        return Err(refuse(
            "`..` is not allowed: the manifest must stay under `aichor_manifests/`",
        ));
    }
    if components.iter().any(|c| c.is_empty() || *c == ".") {
        return Err(refuse("it has an empty or `.` folder name"));
    }
    // The platform matches `\.ya?ml` exactly: `.YAML` would never be selected.
    let name = components.last().copied().unwrap_or_default();
    let stem = name
        .strip_suffix(".yaml")
        .or_else(|| name.strip_suffix(".yml"))
        .ok_or_else(|| refuse("it does not end in `.yaml` or `.yml`"))?;
    if stem.is_empty() {
        return Err(refuse("the file name is only an extension"));
    }
    if components.iter().any(|c| c.len() > MAX_NAME) {
        return Err(refuse(&format!(
            "a file or folder name is longer than {MAX_NAME} bytes, more than filesystems allow"
        )));
    }
    let selector = components.join("/");
    if variant_name(&selector).len() > MAX_VARIANT {
        return Err(refuse(&format!(
            "it is too long to name files after (`docker/<name>.Dockerfile`, an image tag): keep its folder and file names under {MAX_VARIANT} characters together"
        )));
    }
    Ok(selector)
}

/// The selector for a path the user typed. On Windows `\` separates folders (tab completion
/// writes `aichor_manifests\gpu.yaml`), so there it counts as `/`: the selector, the commit
/// message and the manifest's paths always say `/`. Elsewhere `\` is a character of a file
/// name, which `parse` refuses.
pub fn parse_typed(raw: &str) -> Result<String> {
    parse(&with_separator(raw, std::path::MAIN_SEPARATOR))
}

fn with_separator(raw: &str, separator: char) -> std::borrow::Cow<'_, str> {
    if separator == '\\' {
        raw.replace('\\', "/").into()
    } else {
        raw.into()
    }
}

/// The longest file or folder name filesystems take, in bytes.
const MAX_NAME: usize = 255;
/// The longest name of the files made for a manifest (`<name>_main.py`, `<image>-<name>`):
/// well under `MAX_NAME` with what goes around it.
const MAX_VARIANT: usize = 100;

/// The repository that holds `start`: the nearest folder, from `start` up, with
/// `.aichor-answers.yaml` or `aichor_manifests/` (as git finds `.git`).
pub fn find_root(start: &Path) -> Result<PathBuf> {
    let absolute =
        std::path::absolute(start).map_err(|e| Error::io(start, "cannot be resolved", e))?;
    crate::layout::find_root(&absolute, crate::layout::RootMarks::PROJECT)
        .ok_or(Error::NotInRepository { dir: absolute })
}

/// The name of the files made for a manifest that needs its own image or starter:
/// `gpu/manifest.yaml` → `gpu`, `ray.yaml` → `ray`, `exp/Big_Run.yml` → `exp-big-run`.
/// Lowercase letters, digits and `-`, so it is a valid image suffix and dependency group.
pub fn variant_name(selector: &str) -> String {
    let without_ext = selector
        .strip_suffix(".yaml")
        .or_else(|| selector.strip_suffix(".yml"))
        .unwrap_or(selector);
    let mut parts: Vec<&str> = without_ext.split('/').collect();
    if parts.len() > 1 && parts.last() == Some(&"manifest") {
        parts.pop();
    }
    let mut name = String::new();
    for c in parts.join("-").chars() {
        let c = if c.is_ascii_alphanumeric() {
            c.to_ascii_lowercase()
        } else {
            '-'
        };
        if !(c == '-' && (name.is_empty() || name.ends_with('-'))) {
            name.push(c);
        }
    }
    let name = name.trim_end_matches('-').to_string();
    if name.is_empty() || name == "manifest" {
        // `manifest.yml` beside init's `manifest.yaml`: still a name that says what it is.
        "variant".into()
    } else {
        name
    }
}

/// `variant_name` as a Python identifier prefix: `exp-big-run` → `exp_big_run`, a leading
/// digit prefixed (`4gpu` → `v4gpu`).
pub fn module_prefix(variant: &str) -> String {
    let ident = variant.replace('-', "_");
    if ident.starts_with(|c: char| c.is_ascii_digit()) {
        format!("v{ident}")
    } else {
        ident
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A path typed on Windows with `\` becomes a `/` selector; elsewhere `\` is refused.
    #[test]
    fn a_windows_path_becomes_a_slash_selector() {
        let typed = "aichor_manifests\\gpu\\train.yaml";
        assert_eq!(
            parse(&with_separator(typed, '\\')).unwrap(),
            "gpu/train.yaml"
        );
        assert!(parse(&with_separator(typed, '/')).is_err());
        assert!(parse(&with_separator("..\\x.yaml", '\\')).is_err());
    }

    #[test]
    fn selectors_follow_the_platform_s_rules() {
        for (raw, want) in [
            ("gpu/manifest.yaml", "gpu/manifest.yaml"),
            ("aichor_manifests/gpu/manifest.yaml", "gpu/manifest.yaml"),
            ("./aichor_manifests/x.yml", "x.yml"),
            ("./ray.yaml", "ray.yaml"),
        ] {
            assert_eq!(parse(raw).unwrap(), want, "{raw}");
        }
        for raw in [
            "../x.yaml",
            "a/../x.yaml",
            "/abs.yaml",
            "x.txt",
            "X.YAML",
            "a\\b.yaml",
            "a]b.yaml",
            "",
            "aichor_manifests/",
            "a//b.yaml",
            ".yaml",
            " gpu.yaml",
            "gpu.yaml ",
            "\tgpu.yaml",
            "\u{a0}gpu.yaml",
            "aichor_manifests/ gpu.yaml",
            &format!("{}.yaml", "a".repeat(300)),
            &format!("{}/x.yaml", ["abcdefghij"; 20].join("/")),
        ] {
            assert!(parse(raw).is_err(), "{raw} accepted");
        }
    }

    #[test]
    fn variant_names_are_image_and_group_safe() {
        assert_eq!(variant_name("gpu/manifest.yaml"), "gpu");
        assert_eq!(variant_name("ray.yaml"), "ray");
        assert_eq!(variant_name("exp/Big_Run.yml"), "exp-big-run");
        assert_eq!(variant_name("manifest.yml"), "variant");
        assert_eq!(variant_name("4gpu.yaml"), "4gpu");
        assert_eq!(module_prefix("4gpu"), "v4gpu");
        assert_eq!(module_prefix("exp-big-run"), "exp_big_run");
    }

    #[test]
    fn the_root_is_found_upward() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("proj");
        fs_err::create_dir_all(root.join("aichor_manifests")).unwrap();
        fs_err::create_dir_all(root.join("src/pkg")).unwrap();
        assert_eq!(find_root(&root.join("src/pkg")).unwrap(), root);
        assert!(matches!(
            find_root(tmp.path()),
            Err(Error::NotInRepository { .. })
        ));
    }
}
