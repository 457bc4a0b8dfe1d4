//! Python and Ray versions that must agree: `.python-version`, `requires-python` in
//! pyproject.toml and the Python of the Dockerfile's base image; for kuberay,
//! `spec.rayVersion`, the Ray image's tag and the `ray` pin in pyproject.toml.

use crate::layout::{PYPROJECT, PYTHON_VERSION};
use std::path::Path;

use regex_lite::Regex;

use super::dockerfile::{self, Base};
use super::{Finding, Repo};
use crate::manifest::validate::{Located, Severity};

/// What a project declares about its Python and Ray, each with where it says so.
#[derive(Debug, Default)]
pub(super) struct Project {
    /// `.python-version`'s `major.minor`, with the file (relative to the root).
    pub python_version: Option<((u32, u32), String)>,
    /// `requires-python` and its line in pyproject.toml.
    pub requires_python: Option<(String, usize)>,
    /// The `ray` requirement and its line.
    pub ray_pin: Option<(String, usize)>,
    /// pyproject.toml relative to the root.
    pub pyproject: String,
    /// The import name of the project (`[project].name` with `-` as `_`).
    pub package: Option<String>,
}

impl Project {
    /// Read `.python-version` and `pyproject.toml` in `dir`; missing or unreadable files
    /// leave their fields empty (other checks report them).
    pub(super) fn read(repo: &Repo, dir: &Path) -> Project {
        let mut project = Project {
            pyproject: repo.rel(&dir.join(PYPROJECT)),
            ..Project::default()
        };
        let pv = dir.join(PYTHON_VERSION);
        if let Ok(text) = fs_err::read_to_string(&pv) {
            let first = text
                .lines()
                .map(str::trim)
                .find(|l| !l.is_empty() && !l.starts_with('#'));
            if let Some(v) = first.and_then(major_minor) {
                project.python_version = Some((v, repo.rel(&pv)));
            }
        }
        if let Ok(text) = fs_err::read_to_string(dir.join(PYPROJECT))
            && let Ok(doc) = text.parse::<toml_edit::DocumentMut>()
        {
            let project_table = doc.get("project");
            project.package = project_table
                .and_then(|p| p.get("name"))
                .and_then(|v| v.as_str())
                .map(|n| n.to_ascii_lowercase().replace(['-', '.'], "_"));
            if let Some(rp) = project_table
                .and_then(|p| p.get("requires-python"))
                .and_then(|v| v.as_str())
            {
                project.requires_python = Some((rp.to_string(), line_of(&text, "requires-python")));
            }
            let deps = project_table
                .and_then(|p| p.get("dependencies"))
                .and_then(|d| d.as_array());
            if let Some(ray) = deps
                .into_iter()
                .flat_map(|a| a.iter())
                .filter_map(|v| v.as_str())
                .find(|d| requirement_name(d) == "ray")
            {
                project.ray_pin = Some((ray.to_string(), line_of(&text, ray)));
            }
        }
        project
    }
}

/// 1-based line of the first line containing `needle` (1 if none).
fn line_of(text: &str, needle: &str) -> usize {
    text.lines()
        .position(|l| l.contains(needle))
        .map_or(1, |i| i + 1)
}

/// The normalised distribution name of a requirement: `ray[default]==2.9` → `ray`.
fn requirement_name(req: &str) -> String {
    req.split(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.'))
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase()
        .replace(['_', '.'], "-")
}

/// `3.11` from `3.11`, `3.11.4`, `cpython-3.11`, `python3.11`.
pub(super) fn major_minor(text: &str) -> Option<(u32, u32)> {
    let c = Regex::new(r"(\d+)\.(\d+)").ok()?.captures(text)?;
    Some((c[1].parse().ok()?, c[2].parse().ok()?))
}

/// Whether Python `major.minor` (any patch release) satisfies a `requires-python`
/// specifier. Clauses are compared on major.minor, leniently: `>3.11` and `<=3.11.4`
/// accept 3.11. A clause that cannot be read is taken as satisfied.
pub fn satisfies(python: (u32, u32), spec: &str) -> bool {
    spec.split(',')
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .all(|clause| {
            let ops = ["===", "~=", "==", "!=", ">=", "<=", ">", "<"];
            let Some(op) = ops.iter().find(|op| clause.starts_with(**op)) else {
                return true;
            };
            let version = clause[op.len()..].trim();
            let wildcard = version.ends_with(".*");
            let parts: Vec<u32> = version
                .trim_end_matches(".*")
                .split('.')
                .map_while(|p| p.parse().ok())
                .collect();
            let Some(&major) = parts.first() else {
                return true;
            };
            let minor = parts.get(1).copied();
            let has_patch = parts.len() > 2;
            let v = (major, minor.unwrap_or(0));
            match *op {
                ">=" | ">" => python >= v,
                "<" if has_patch => python <= v,
                "<" => python < v,
                "<=" => python <= v,
                "==" | "===" if minor.is_none() => python.0 == major,
                "==" | "===" => python == v,
                "!=" if wildcard && minor.is_none() => python.0 != major,
                "!=" if wildcard || !has_patch && minor.is_some() => python != v,
                "~=" if has_patch => python == v,
                "~=" => python >= v && python.0 == major,
                _ => true,
            }
        })
}

fn show(v: (u32, u32)) -> String {
    format!("{}.{}", v.0, v.1)
}

/// The Python checks for one build: the base image's Python (first base that names one,
/// searching from the last stage) against `.python-version` and `requires-python`.
pub(super) fn python(
    project: &Project,
    dockerfile_rel: &str,
    bases: &[Base],
    out: &mut Vec<Finding>,
) {
    let image = bases
        .iter()
        .rev()
        .find_map(|b| dockerfile::image_python(&b.image).map(|v| (v, b)));
    if let (Some((pv, file)), Some((iv, base))) = (&project.python_version, &image)
        && pv != iv
    {
        out.push(
            Finding::new(
                Severity::Error,
                "python-version",
                format!(
                    "`.python-version` asks for Python {} but the base image `{}` has {}",
                    show(*pv),
                    base.image,
                    show(*iv)
                ),
            )
            .at(file, Some(1), None)
            .help(format!(
                "make them agree: write `{}` in `.python-version`, or change `FROM` in `{dockerfile_rel}`",
                show(*iv)
            )),
        );
    }
    let Some((spec, line)) = &project.requires_python else {
        return;
    };
    if let Some((iv, base)) = &image
        && !satisfies(*iv, spec)
    {
        out.push(
            Finding::new(
                Severity::Error,
                "python-version",
                format!(
                    "the base image `{}` has Python {}, outside `requires-python = \"{spec}\"` ({})",
                    base.image,
                    show(*iv),
                    project.pyproject
                ),
            )
            .at(dockerfile_rel, Some(base.line), None)
            .help("use a base image whose Python `requires-python` allows, or widen `requires-python`"),
        );
    }
    if let Some((pv, _)) = &project.python_version
        && !satisfies(*pv, spec)
    {
        out.push(
            Finding::new(
                Severity::Error,
                "python-version",
                format!(
                    "`.python-version` ({}) is outside `requires-python = \"{spec}\"`",
                    show(*pv)
                ),
            )
            .at(&project.pyproject, Some(*line), None)
            .help("uv refuses this combination: change `.python-version` or `requires-python`"),
        );
    }
}

/// The Ray checks for a kuberay manifest: `spec.rayVersion` against the Ray image tag and
/// the `ray==X` pin.
pub(super) fn ray(
    manifest_rel: &str,
    ray_version: Option<&Located>,
    project: &Project,
    dockerfile_rel: &str,
    bases: &[Base],
    out: &mut Vec<Finding>,
) {
    let Some(rv) = ray_version else { return };
    let wanted = rv.value.trim();
    if let Some((base, image_ray)) = bases
        .iter()
        .rev()
        .find_map(|b| dockerfile::image_ray(&b.image).map(|r| (b, r)))
        && image_ray != wanted
    {
        out.push(
            Finding::new(
                Severity::Error,
                "ray-version",
                format!(
                    "`spec.rayVersion` is {wanted} but the base image `{}` has Ray {image_ray}",
                    base.image
                ),
            )
            .at(manifest_rel, Some(rv.line), Some(rv.column))
            .key("spec.rayVersion")
            .help(format!(
                "KubeRay starts the cluster with the image's Ray: use the same version in `{dockerfile_rel}` line {} and here",
                base.line
            )),
        );
    }
    if let Some((pin, line)) = &project.ray_pin {
        let pinned = pin.split_once("==").map(|(_, v)| {
            v.split([';', ',', ' '])
                .next()
                .unwrap_or_default()
                .trim()
                .to_string()
        });
        match pinned {
            Some(v) if v != wanted => out.push(
                Finding::new(
                    Severity::Error,
                    "ray-version",
                    format!("`{pin}` does not match `spec.rayVersion` ({wanted}) in `{manifest_rel}`"),
                )
                .at(&project.pyproject, Some(*line), None)
                .help(format!("pin `ray=={wanted}`, then run `uv lock`")),
            ),
            Some(_) => {}
            None => out.push(
                Finding::new(
                    Severity::Warning,
                    "ray-version",
                    format!("`{pin}` is not pinned to `spec.rayVersion` ({wanted})"),
                )
                .at(&project.pyproject, Some(*line), None)
                .help(format!(
                    "the driver's Ray must be the cluster's: pin `ray=={wanted}` (with the extras you need)"
                )),
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requires_python_on_major_minor() {
        for (py, spec, want) in [
            ((3, 11), ">=3.11", true),
            ((3, 10), ">=3.11", false),
            ((3, 12), ">=3.11,<3.13", true),
            ((3, 13), ">=3.11,<3.13", false),
            ((3, 11), "==3.11.*", true),
            ((3, 12), "==3.11.*", false),
            ((3, 11), "~=3.11", true),
            ((3, 10), "~=3.11", false),
            ((3, 11), "~=3.11.2", true),
            ((3, 12), "~=3.11.2", false),
            ((3, 11), ">3.11", true),
            ((3, 11), "<3.11.5", true),
            ((3, 11), "!=3.11.*", false),
            ((3, 11), "", true),
            ((3, 11), "garbage", true),
        ] {
            assert_eq!(satisfies(py, spec), want, "{py:?} {spec}");
        }
    }

    #[test]
    fn reads_versions_and_names() {
        assert_eq!(major_minor("cpython-3.12.1"), Some((3, 12)));
        assert_eq!(requirement_name("ray[default]==2.60.0"), "ray");
        assert_eq!(requirement_name("Ray_Tune>=1"), "ray-tune");
    }
}
