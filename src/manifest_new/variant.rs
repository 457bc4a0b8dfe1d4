//! What a new manifest needs besides itself, found by rendering the pack twice: with the
//! project's recorded answers (what the project was generated as) and with the new ones.
//! Where the two agree, the manifest runs the project's image and code as they are. Where
//! they differ (another operator, a GPU profile for a CPU project, another Ray worker
//! count), the manifest gets its own files, named after it (`variant`):
//! - starter modules that differ: `src/<package>/<variant>_<module>.py`, the command pointed
//!   at them; modules the project lacks (a launcher) are added under their own name;
//! - dependencies the project lacks: a dependency group `<variant>` in `pyproject.toml`;
//! - an image: `docker/<variant>.Dockerfile` (the pack's Dockerfile rendered for the new
//!   answers, installing that group) built as `<image>-<variant>`.
//!
//! Pure, apart from reading the project's `pyproject.toml` and checking which paths exist.

use crate::layout::PYPROJECT;
use std::path::Path;

use toml_edit::{Array, DocumentMut, Item, Table, Value};

use super::selector::module_prefix;
use crate::error::{Error, Result};
use crate::generate::render::{Plan, PlannedFile, is_manifest};

/// The files and settings a manifest needs beyond the project's own.
#[derive(Debug, Default)]
pub struct Variant {
    /// Files to add (starters, helpers, the Dockerfile), paths relative to the root.
    pub files: Vec<PlannedFile>,
    /// `pyproject.toml` with the dependency group (and package sources) added.
    pub pyproject: Option<String>,
    /// The dependency group added, with its requirements.
    pub group: Option<(String, Vec<String>)>,
    /// Modules renamed for this manifest: (`pkg.main`, `pkg.gpu_main`).
    pub renames: Vec<(String, String)>,
    /// The manifest's own image: (Dockerfile path as the manifest writes it, image name).
    pub image: Option<(String, String)>,
    /// Things the user should know (a kept file, a pack whose Dockerfile ignores the group).
    pub notes: Vec<String>,
}

impl Variant {
    /// Whether the manifest needs anything beyond itself.
    pub fn is_empty(&self) -> bool {
        self.files.is_empty() && self.pyproject.is_none() && self.image.is_none()
    }
}

/// A file of the project the manifest is added to (`None`: not there): the disk for
/// `manifest new`, the project as rendered for `update`, which renders recorded manifests
/// again.
pub type Read<'a> = &'a dyn Fn(&str) -> Result<Option<Vec<u8>>>;

/// What the variant needs from its caller: how to render the Dockerfile installing a group.
pub struct Inputs<'a> {
    /// The repository root (errors name files under it).
    pub root: &'a Path,
    /// The project's files as the variant is compared with them.
    pub read: Read<'a>,
    /// The variant's name (`gpu`): group, image suffix, file names.
    pub name: &'a str,
    /// The project's Python package.
    pub package: &'a str,
    /// The project's image name.
    pub image: &'a str,
    /// The pack rendered with the project's answers, and with the new ones (both for
    /// `aichor_manifests/manifest.yaml`, so that only the answers make them differ).
    pub base: &'a Plan,
    pub new: &'a Plan,
    /// The new answers rendered for the new manifest's path: the files written come from it.
    pub emit: &'a Plan,
    /// `--dockerfile` was given: the user brings the image; none is rendered.
    pub own_dockerfile: bool,
}

/// Files of the plan that are the project's documentation, tests or settings rather than
/// what runs: a manifest does not need its own copy of them.
fn runtime(path: &str) -> bool {
    !(is_manifest(path)
        || path.starts_with('.')
        || path.starts_with("tests/")
        || Path::new(path)
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("md"))
        || path == "Dockerfile"
        || path == PYPROJECT)
}

fn text(plan: &Plan, path: &str) -> Option<String> {
    plan.files
        .iter()
        .find(|f| f.path == path)
        .map(|f| String::from_utf8_lossy(&f.contents).into_owned())
}

/// Compare the two renderings and say what the manifest needs. `dockerfile_for_group`
/// renders the pack's Dockerfile for the new answers installing a dependency group.
pub fn plan(
    inputs: &Inputs<'_>,
    dockerfile_for_group: &dyn Fn(Option<&str>) -> Result<Option<String>>,
) -> Result<Variant> {
    let mut out = Variant::default();
    let prefix = module_prefix(inputs.name);
    for f in inputs.new.files.iter().filter(|f| runtime(&f.path)) {
        let base = inputs.base.files.iter().find(|b| b.path == f.path);
        if base.is_some_and(|b| b.contents == f.contents) {
            continue;
        }
        // The file as written: rendered for the new manifest's path.
        let f = inputs
            .emit
            .files
            .iter()
            .find(|e| e.path == f.path)
            .unwrap_or(f);
        match base {
            // A package's `__init__.py` cannot have a variant: the project's stays.
            Some(_) if f.path.ends_with("/__init__.py") => out.notes.push(format!(
                "kept your `{}` (the pack's differs for these answers)",
                f.path
            )),
            Some(_) => {
                let (dir, file) = f.path.rsplit_once('/').unwrap_or(("", &f.path));
                let renamed = if dir.is_empty() {
                    format!("{prefix}_{file}")
                } else {
                    format!("{dir}/{prefix}_{file}")
                };
                if let Some(stem) = file.strip_suffix(".py")
                    && dir == format!("src/{}", inputs.package)
                {
                    out.renames.push((
                        format!("{}.{stem}", inputs.package),
                        format!("{}.{prefix}_{stem}", inputs.package),
                    ));
                }
                out.files.push(PlannedFile {
                    path: renamed,
                    ..f.clone()
                });
            }
            None => match (inputs.read)(&f.path)? {
                // Added by an earlier `manifest new` as it is now: nothing to say.
                Some(have) if have == f.contents => {}
                Some(_) => out.notes.push(format!(
                    "kept your `{}` (the manifest uses it as it is)",
                    f.path
                )),
                None => out.files.push(f.clone()),
            },
        }
    }
    let group = dependency_group(inputs, &mut out)?;
    let dockerfile_differs = text(inputs.base, "Dockerfile") != text(inputs.new, "Dockerfile");
    if dockerfile_differs || group.is_some() {
        let image = format!("{}-{}", inputs.image, inputs.name);
        let path = format!("docker/{}.Dockerfile", inputs.name);
        if inputs.own_dockerfile {
            if let Some(g) = &group {
                out.notes.push(format!(
                    "your Dockerfile must install the dependency group `{g}` (`uv sync --group {g}`)"
                ));
            }
            out.image = Some((String::new(), image));
        } else if let Some(contents) = dockerfile_for_group(group.as_deref())? {
            if let Some(g) = &group
                && dockerfile_for_group(None)?.as_ref() == Some(&contents)
            {
                out.notes.push(format!(
                    "the pack's Dockerfile ignores `dependency_group`: make `{path}` install the group `{g}` (`uv sync --group {g}`)"
                ));
            }
            out.files.push(PlannedFile {
                path: path.clone(),
                executable: false,
                contents: contents.into_bytes(),
            });
            out.image = Some((format!("./{path}"), image));
        }
    }
    out.files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(out)
}

/// The requirements of a rendered `pyproject.toml`, and its `[tool.uv]` table.
fn requirements(text: &str) -> Result<(Vec<String>, Option<Item>)> {
    let doc: DocumentMut = text
        .parse()
        .map_err(|e| Error::internal("the pack's pyproject.toml does not parse", e))?;
    Ok(requirements_of(&doc))
}

fn requirements_of(doc: &DocumentMut) -> (Vec<String>, Option<Item>) {
    let reqs = doc
        .get("project")
        .and_then(|p| p.get("dependencies"))
        .and_then(Item::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    let uv = doc.get("tool").and_then(|t| t.get("uv")).cloned();
    (reqs, uv)
}

/// A `[tool.uv]` table as the TOML text of its own document (an `Item`'s own `Display`
/// leaves out its sub-tables).
fn uv_text(uv: &Item) -> String {
    let mut tool = Table::new();
    tool.set_implicit(true);
    tool.insert("uv", uv.clone());
    let mut doc = DocumentMut::new();
    doc.insert("tool", Item::Table(tool));
    doc.to_string()
}

/// The package sources a `[tool.uv]` table pins (`sources` and `index`), as data: `None`
/// when it pins none.
fn pins(uv: Option<&Item>) -> Option<serde_json::Value> {
    let uv = uv?;
    if uv.get("sources").is_none() && uv.get("index").is_none() {
        return None;
    }
    let all: serde_json::Value = toml_edit::de::from_str(&uv_text(uv)).ok()?;
    let uv = &all["tool"]["uv"];
    Some(serde_json::json!({"sources": uv["sources"], "index": uv["index"]}))
}

/// Only the `[tool.uv]` part of a rendered `pyproject.toml`, with its comments.
fn tool_uv_only(text: &str) -> Result<String> {
    let mut doc: DocumentMut = text
        .parse()
        .map_err(|e| Error::internal("the pack's pyproject.toml does not parse", e))?;
    doc.retain(|key, _| key == "tool");
    if let Some(tool) = doc.get_mut("tool").and_then(Item::as_table_mut) {
        tool.retain(|key, _| key == "uv");
    }
    Ok(doc.to_string().trim_start().to_string())
}

/// Requirements compared as written, spaces aside (`jax[cuda12]` is not `jax`).
fn same_requirement(a: &str, b: &str) -> bool {
    let norm = |s: &str| {
        s.split_whitespace()
            .collect::<String>()
            .to_ascii_lowercase()
    };
    norm(a) == norm(b)
}

/// Add the new rendering's requirements that the project lacks as a dependency group named
/// after the variant (and its `[tool.uv]` package sources, when the project has none).
/// Returns the group's name when one is needed.
fn dependency_group(inputs: &Inputs<'_>, out: &mut Variant) -> Result<Option<String>> {
    let (Some(base), Some(new)) = (text(inputs.base, PYPROJECT), text(inputs.new, PYPROJECT))
    else {
        return Ok(None);
    };
    let (base_reqs, base_uv) = requirements(&base)?;
    let (new_reqs, new_uv) = requirements(&new)?;
    let uv_differs = base_uv.as_ref().map(uv_text) != new_uv.as_ref().map(uv_text);
    if base_reqs == new_reqs && !uv_differs {
        return Ok(None);
    }
    let path = inputs.root.join(PYPROJECT);
    let theirs = match (inputs.read)(PYPROJECT)? {
        Some(bytes) => String::from_utf8(bytes).map_err(|e| {
            Error::io(
                &path,
                "cannot be read",
                std::io::Error::new(std::io::ErrorKind::InvalidData, e),
            )
        })?,
        None => String::new(),
    };
    let mine: DocumentMut = theirs.parse().map_err(|source| Error::Merge {
        path: path.clone(),
        source,
    })?;
    let (have, have_uv) = requirements_of(&mine);
    let missing: Vec<String> = new_reqs
        .iter()
        .filter(|r| !have.iter().any(|h| same_requirement(h, r)))
        .cloned()
        .collect();
    refuse_replaced_builds(&base_reqs, &new_reqs, &have, &missing)?;
    // Package sources the new answers need (torch's index) and the project lacks: the
    // pack's own `[tool.uv]` text, comments included, appended.
    let mut sources = String::new();
    if uv_differs && let Some(uv) = &new_uv {
        let (needed, held) = (pins(Some(uv)), pins(have_uv.as_ref()));
        if held.is_none() {
            sources = tool_uv_only(&new)?;
        } else if held != needed {
            return Err(Error::VariantConflict {
                message: "`pyproject.toml` already says where packages come from (`[tool.uv.sources]`, `[[tool.uv.index]]`), and this manifest needs other sources: one project cannot have both".into(),
                help: "create a separate project for it with `aichor local-repo init`".into(),
            });
        }
    }
    let mut snippet = DocumentMut::new();
    let group = if missing.is_empty() {
        None
    } else if inputs.name == "dev" {
        return Err(Error::VariantConflict {
            message: "this manifest needs a dependency group named after it, and `dev` is the group images leave out (`--no-dev`)".into(),
            help: "name the manifest otherwise (its files and dependency group are named after it)".into(),
        });
    } else {
        let mut array = Array::new();
        for r in &missing {
            let mut v = Value::from(r.as_str());
            v.decor_mut().set_prefix("\n    ");
            array.push_formatted(v);
        }
        array.set_trailing(",\n");
        array.set_trailing_comma(false);
        let mut groups = Table::new();
        groups.insert(inputs.name, Item::Value(Value::Array(array)));
        snippet.insert("dependency-groups", Item::Table(groups));
        out.group = Some((inputs.name.to_string(), missing));
        Some(inputs.name.to_string())
    };
    let mut merged = crate::generate::merge::merge(PYPROJECT, &theirs, &snippet.to_string())
        .map_err(|source| Error::Merge {
            path: path.clone(),
            source,
        })?;
    if !sources.is_empty() {
        merged = format!("{}\n\n{}", merged.trim_end(), sources);
        // `[tool.uv]` written inline or dotted in the user's file cannot gain sub-tables.
        merged
            .parse::<DocumentMut>()
            .map_err(|e| Error::VariantConflict {
                message: format!(
                    "`{}` cannot gain the package sources this manifest needs: {}",
                    path.display(),
                    e.message()
                ),
                help: "write `[tool.uv]` as a table in `pyproject.toml` (not inline or dotted), then run again".into(),
            })?;
    }
    if let Some((name, needed)) = &out.group {
        check_group(&merged, name, needed, &path)?;
    }
    // toml_edit writes LF: the user's CRLF and BOM are given back.
    let merged = crate::generate::text::in_style_of(&theirs, &merged);
    if merged != theirs {
        out.pyproject = Some(merged);
    }
    Ok(group)
}

/// A dependency group only adds to the project's requirements. When the new answers swap
/// one build of a package for another (`xgboost-cpu` on a CPU profile, `xgboost` on a GPU
/// one: both install the `xgboost` module), the image would get both and one would
/// overwrite the other's files: refuse instead. A requirement merely dropped (TensorBoard
/// off) is harmless and allowed.
fn refuse_replaced_builds(
    base: &[String],
    new: &[String],
    have: &[String],
    added: &[String],
) -> Result<()> {
    use crate::generate::merge::requirement_name as name;
    let dropped = base
        .iter()
        .filter(|b| !new.iter().any(|n| same_requirement(n, b)))
        .filter(|b| have.iter().any(|h| name(h) == name(b)));
    for d in dropped {
        let (dn, an) = (name(d), added.iter().map(|a| name(a)));
        for a in an {
            if dn != a && (dn.starts_with(&format!("{a}-")) || a.starts_with(&format!("{dn}-"))) {
                return Err(Error::VariantConflict {
                    message: format!(
                        "this manifest needs `{a}` where the project installs `{dn}`: two builds of one package cannot share an image (a dependency group only adds packages)"
                    ),
                    help: "create a separate project for it with `aichor local-repo init`, or move this project to it with `aichor local-repo update --set profile=...`".into(),
                });
            }
        }
    }
    Ok(())
}

/// A group of that name the project already has keeps its requirements (the merge never
/// changes the user's values): it must hold what this manifest needs.
fn check_group(merged: &str, name: &str, needed: &[String], path: &Path) -> Result<()> {
    let doc: DocumentMut = merged
        .parse()
        .map_err(|e| Error::internal("the merged pyproject.toml does not parse", e))?;
    let held: Vec<&str> = doc
        .get("dependency-groups")
        .and_then(|g| g.get(name))
        .and_then(Item::as_array)
        .map(|a| a.iter().filter_map(|v| v.as_str()).collect())
        .unwrap_or_default();
    if let Some(lacking) = needed
        .iter()
        .find(|r| !held.iter().any(|h| same_requirement(h, r)))
    {
        return Err(Error::VariantConflict {
                message: format!(
                    "`{}` already has a dependency group `{name}` without `{lacking}`, which this manifest needs",
                    path.display()
                ),
                help: "name the manifest otherwise (its files and dependency group are named after it), or add the requirement to the group".into(),
            });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requirements_differ_by_extras_not_spaces() {
        assert!(same_requirement("jax >= 0.5.1", "jax>=0.5.1"));
        assert!(!same_requirement("jax>=0.5.1", "jax[cuda12]>=0.5.1"));
    }

    #[test]
    fn only_code_and_images_are_runtime_files() {
        for path in ["src/p/main.py", "scripts/ray_local.py"] {
            assert!(runtime(path), "{path}");
        }
        for path in [
            "aichor_manifests/manifest.yaml",
            ".gitignore",
            "tests/test_main.py",
            "README.md",
            "Dockerfile",
            "pyproject.toml",
        ] {
            assert!(!runtime(path), "{path}");
        }
    }
}
