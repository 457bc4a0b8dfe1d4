//! Merging a generated file into one the user already has (`--force` into an existing
//! project), instead of replacing it: pyproject.toml gains what is missing and keeps the
//! user's formatting, comments and values; ignore files gain missing lines. Pure.

use crate::layout::PYPROJECT;
use toml_edit::{DocumentMut, Item, Table};

/// Merge `ours` into `theirs` (the file on disk). `Err`: a TOML file that does not parse.
pub(crate) fn merge(path: &str, theirs: &str, ours: &str) -> Result<String, toml_edit::TomlError> {
    match path {
        PYPROJECT => pyproject(theirs, ours),
        _ => Ok(lines(theirs, ours)),
    }
}

/// Append the lines of `ours` that `theirs` lacks.
fn lines(theirs: &str, ours: &str) -> String {
    let have: std::collections::HashSet<&str> = theirs.lines().map(str::trim).collect();
    let missing: Vec<&str> = ours
        .lines()
        .filter(|l| {
            !l.trim().is_empty() && !l.trim_start().starts_with('#') && !have.contains(l.trim())
        })
        .collect();
    if missing.is_empty() {
        return theirs.to_string();
    }
    let mut out = theirs.to_string();
    if !out.is_empty() && !out.ends_with('\n') {
        out.push('\n');
    }
    out.push_str("\n# Added by aichor local-repo init\n");
    for l in missing {
        out.push_str(l);
        out.push('\n');
    }
    out
}

/// Keys ours has and theirs lacks are added; dependency lists gain the packages they lack;
/// every value the user set stays.
fn pyproject(theirs: &str, ours: &str) -> Result<String, toml_edit::TomlError> {
    let mut doc: DocumentMut = theirs.parse()?;
    let ours: DocumentMut = ours.parse()?;
    merge_table(doc.as_table_mut(), ours.as_table(), "");
    Ok(doc.to_string())
}

/// Arrays of requirement strings, merged by package name.
const DEPENDENCY_ARRAYS: &[&str] = &[
    "project.dependencies",
    "dependency-groups.dev",
    "build-system.requires",
];

fn merge_table(theirs: &mut Table, ours: &Table, prefix: &str) {
    for (key, item) in ours {
        let path = if prefix.is_empty() {
            key.to_string()
        } else {
            format!("{prefix}.{key}")
        };
        match theirs.get_mut(key) {
            None => {
                theirs.insert(key, item.clone());
            }
            Some(Item::Table(t)) => {
                if let Item::Table(o) = item {
                    merge_table(t, o, &path);
                }
            }
            Some(existing) if DEPENDENCY_ARRAYS.contains(&path.as_str()) => {
                if let (Some(arr), Some(o)) = (existing.as_array_mut(), item.as_array()) {
                    let names: Vec<String> = arr
                        .iter()
                        .filter_map(|v| v.as_str())
                        .map(requirement_name)
                        .collect();
                    for v in o {
                        if let Some(req) = v.as_str()
                            && !names.contains(&requirement_name(req))
                        {
                            arr.push(req);
                        }
                    }
                }
            }
            // Any other value the user set is theirs.
            Some(_) => {}
        }
    }
}

/// `Torch_Vision[extra]>=1` → `torch-vision` (PEP 503 name).
pub(crate) fn requirement_name(req: &str) -> String {
    let end = req
        .find(|c: char| !(c.is_ascii_alphanumeric() || "-_.".contains(c)))
        .unwrap_or(req.len());
    let mut name = String::new();
    for c in req[..end].chars() {
        let c = if "_.".contains(c) {
            '-'
        } else {
            c.to_ascii_lowercase()
        };
        if !(c == '-' && name.ends_with('-')) {
            name.push(c);
        }
    }
    name
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pyproject_keeps_user_values_and_comments() {
        let theirs = "# my project\n[project]\nname = \"mine\"  # keep\nversion = \"2.0\"\ndependencies = [\n    \"Torch>=2.6\",  # pinned by me\n    \"pandas\",\n]\n\n[tool.ruff]\nline-length = 100\n";
        let ours = "[project]\nname = \"demo\"\nversion = \"0.1.0\"\nrequires-python = \">=3.11\"\ndependencies = [\"torch>=2.5\", \"tensorboardX>=2.6\"]\n\n[build-system]\nrequires = [\"uv_build\"]\nbuild-backend = \"uv_build\"\n";
        let merged = merge("pyproject.toml", theirs, ours).unwrap();
        assert!(
            merged.starts_with(
                "# my project\n[project]\nname = \"mine\"  # keep\nversion = \"2.0\"\n"
            ),
            "{merged}"
        );
        assert!(
            merged.contains("\"Torch>=2.6\",  # pinned by me"),
            "{merged}"
        );
        assert!(merged.contains("tensorboardX>=2.6"), "{merged}");
        assert!(!merged.contains("torch>=2.5"), "{merged}");
        assert!(merged.contains("requires-python = \">=3.11\""), "{merged}");
        assert!(
            merged.contains("[tool.ruff]\nline-length = 100"),
            "{merged}"
        );
        assert!(merged.contains("build-backend = \"uv_build\""), "{merged}");
        let doc: DocumentMut = merged.parse().unwrap();
        assert_eq!(doc["project"]["dependencies"].as_array().unwrap().len(), 3);
    }

    #[test]
    fn invalid_pyproject_is_refused() {
        assert!(merge("pyproject.toml", "[project\n", "[project]\n").is_err());
    }

    #[test]
    fn ignore_files_gain_missing_lines() {
        let merged = merge(
            ".gitignore",
            "target/\n.venv/\n",
            "# Python\n.venv/\n__pycache__/\n",
        );
        assert_eq!(
            merged.unwrap(),
            "target/\n.venv/\n\n# Added by aichor local-repo init\n__pycache__/\n"
        );
        assert_eq!(merge(".gitignore", ".venv/", ".venv/\n").unwrap(), ".venv/");
    }

    #[test]
    fn requirement_names_are_normalised() {
        assert_eq!(requirement_name("Torch_Vision[extra]>=1"), "torch-vision");
        assert_eq!(requirement_name("ray[default]==2.60.0"), "ray");
        assert_eq!(requirement_name("jax.lib"), "jax-lib");
    }
}
