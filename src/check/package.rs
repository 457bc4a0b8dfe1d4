//! The package the build backend ships: `uv sync`, `uv run` and `pip install .` build the
//! project, and the backend fails when the module it expects is not there (`uv_build`:
//! "Expected a Python module at `src/my_app/__init__.py`"). Checked for `uv_build` (module
//! root and name from `[tool.uv.build-backend]`, else `src` and `[project].name`
//! normalised) and for hatchling without file selection (its default heuristics). Other
//! backends (setuptools finds packages by itself) are not checked; nor is a project that is
//! never built (no `[build-system]`, or `[tool.uv] package = false`).

use std::path::Path;

use toml_edit::{DocumentMut, Item};

use super::{Finding, Repo};
use crate::layout::PYPROJECT;
use crate::manifest::validate::Severity;

/// A package the backend will not find: the message, the pyproject key and its line, the
/// help.
struct Missing {
    message: String,
    key: &'static str,
    line: usize,
    help: String,
}

/// Check the project in the build context `dir`, if it has one.
pub(super) fn check(repo: &Repo, dir: &Path, out: &mut Vec<Finding>) {
    let file = dir.join(PYPROJECT);
    let Ok(text) = fs_err::read_to_string(&file) else {
        return;
    };
    let Ok(doc) = text.parse::<DocumentMut>() else {
        return;
    };
    let backend = doc
        .get("build-system")
        .and_then(|b| b.get("build-backend"))
        .and_then(Item::as_str);
    let Some(backend) = backend else { return };
    if tool(&doc, &["uv", "package"]).and_then(Item::as_bool) == Some(false) {
        return;
    }
    let Some(name) = doc
        .get("project")
        .and_then(|p| p.get("name"))
        .and_then(Item::as_str)
    else {
        return;
    };
    let missing = match backend {
        "uv_build" => uv_build(repo, dir, &doc, &text, name),
        "hatchling.build" => hatchling(repo, dir, &doc, &text, name),
        _ => None,
    };
    if let Some(m) = missing {
        out.push(
            Finding::new(Severity::Error, "package", m.message)
                .at(&repo.rel(&file), Some(m.line), None)
                .key(m.key)
                .help(m.help),
        );
    }
}

/// `[tool.<path>]` of the pyproject.
fn tool<'d>(doc: &'d DocumentMut, path: &[&str]) -> Option<&'d Item> {
    path.iter()
        .try_fold(doc.get("tool")?, |item, key| item.get(key))
}

/// `uv_build`: `<module-root>/<module-name>/__init__.py` for each module name (a dotted
/// name is a namespace path); a namespace package or stubs are not checked.
fn uv_build(repo: &Repo, dir: &Path, doc: &DocumentMut, text: &str, name: &str) -> Option<Missing> {
    let setting = |key: &str| tool(doc, &["uv", "build-backend", key]);
    if setting("namespace").and_then(Item::as_bool) == Some(true) {
        return None;
    }
    let root = setting("module-root")
        .and_then(Item::as_str)
        .unwrap_or("src");
    let configured = setting("module-name");
    let modules: Vec<String> = match configured {
        Some(item) => match (item.as_str(), item.as_array()) {
            (Some(s), _) => vec![s.to_string()],
            (_, Some(list)) => list
                .iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect(),
            _ => return None,
        },
        // Stubs packages (`foo-stubs`) ship `__init__.pyi`: not checked.
        None if name.to_ascii_lowercase().ends_with("-stubs") => return None,
        None => vec![normalise(name)],
    };
    let base = dir.join(root);
    let (module, init) = inits(&base, &modules)
        .into_iter()
        .find(|(_, init)| !exists_ignoring_case(init))
        .map(|(module, init)| (module, repo.rel(&init)))?;
    let (key, line, why) = if configured.is_some() {
        (
            "tool.uv.build-backend.module-name",
            line_of(text, "module-name"),
            format!("`module-name` under `[tool.uv.build-backend]` is `{module}`"),
        )
    } else {
        (
            "project.name",
            line_of(text, "name"),
            format!("the default module of the project `{name}`"),
        )
    };
    let root_rel = repo.rel(&base);
    let help = match packages(&base).as_slice() {
        [one] if configured.is_none() => format!(
            "set `module-name = \"{one}\"` under `[tool.uv.build-backend]`, or rename `{root_rel}/{one}/` to `{root_rel}/{module}/`"
        ),
        [] => format!(
            "add `{init}`, or, if the project is not meant to be installed, set `package = false` under `[tool.uv]`"
        ),
        many => format!(
            "set `module-name` under `[tool.uv.build-backend]` to the package to ship (packages in `{root_rel}/`: {})",
            many.join(", ")
        ),
    };
    Some(Missing {
        message: format!(
            "the build backend `uv_build` expects the module `{module}` at `{init}` ({why}), which does not exist: building the project (`uv sync`, `uv build`) fails"
        ),
        key,
        line,
        help,
    })
}

/// Each module's `__init__.py` (`.pyi` for stubs) under the module root `base`.
fn inits(base: &Path, modules: &[String]) -> Vec<(String, std::path::PathBuf)> {
    modules
        .iter()
        .map(|module| {
            let mut path = base.to_path_buf();
            path.extend(module.split('.'));
            let init = path.join(if module.contains("-stubs") {
                "__init__.pyi"
            } else {
                "__init__.py"
            });
            (module.clone(), init)
        })
        .collect()
}

/// What building the project in the build context `dir` reads besides the Python files:
/// `pyproject.toml`, the readme `[project].readme` names (every backend reads it for the
/// metadata), and for `uv_build` each module's `__init__.py`, each with why, relative to
/// `dir`. Empty when the project is never built (no `[build-system]`, `package = false`).
pub(super) fn backend_inputs(dir: &Path) -> Vec<(String, String)> {
    let Ok(text) = fs_err::read_to_string(dir.join(PYPROJECT)) else {
        return Vec::new();
    };
    let Ok(doc) = text.parse::<DocumentMut>() else {
        return Vec::new();
    };
    let Some(backend) = doc
        .get("build-system")
        .and_then(|b| b.get("build-backend"))
        .and_then(Item::as_str)
    else {
        return Vec::new();
    };
    if tool(&doc, &["uv", "package"]).and_then(Item::as_bool) == Some(false) {
        return Vec::new();
    }
    let mut out = vec![(PYPROJECT.to_string(), "the project's metadata".to_string())];
    let project = doc.get("project");
    let readme = project.and_then(|p| p.get("readme"));
    let readme = readme
        .and_then(Item::as_str)
        .or_else(|| readme.and_then(|r| r.get("file")).and_then(Item::as_str));
    if let Some(readme) = readme {
        out.push((
            readme.trim_start_matches("./").to_string(),
            "the readme `[project].readme` names".to_string(),
        ));
    }
    let name = project.and_then(|p| p.get("name")).and_then(Item::as_str);
    if let (Some(name), "uv_build") = (name, backend) {
        let setting = |key: &str| tool(&doc, &["uv", "build-backend", key]);
        let namespace = setting("namespace").and_then(Item::as_bool) == Some(true);
        let root = setting("module-root")
            .and_then(Item::as_str)
            .unwrap_or("src");
        let modules: Vec<String> = match setting("module-name") {
            Some(item) => item.as_str().map_or_else(
                || {
                    item.as_array()
                        .into_iter()
                        .flatten()
                        .filter_map(|v| v.as_str().map(str::to_string))
                        .collect()
                },
                |s| vec![s.to_string()],
            ),
            None => vec![normalise(name)],
        };
        if !namespace {
            for (module, init) in inits(&dir.join(root), &modules) {
                if let Ok(rel) = init.strip_prefix(dir) {
                    out.push((
                        rel.to_string_lossy().replace('\\', "/"),
                        format!("the module `{module}` that `uv_build` ships"),
                    ));
                }
            }
        }
    }
    out
}

/// hatchling without file selection of its own: its default heuristics, `<name>/`,
/// `src/<name>/`, `<name>.py`, `<namespace>/<name>/`.
fn hatchling(
    repo: &Repo,
    dir: &Path,
    doc: &DocumentMut,
    text: &str,
    name: &str,
) -> Option<Missing> {
    // Any file selection of its own (packages, include, sources...) is the user's.
    if tool(doc, &["hatch", "build"]).is_some() {
        return None;
    }
    let module = normalise(name);
    let candidates = [
        dir.join(&module).join("__init__.py"),
        dir.join("src").join(&module).join("__init__.py"),
        dir.join(format!("{module}.py")),
    ];
    let namespaced = fs_err::read_dir(dir).ok().is_some_and(|entries| {
        entries
            .flatten()
            .any(|e| exists_ignoring_case(&e.path().join(&module).join("__init__.py")))
    });
    if namespaced || candidates.iter().any(|c| exists_ignoring_case(c)) {
        return None;
    }
    let looked: Vec<String> = candidates
        .iter()
        .map(|c| format!("`{}`", repo.rel(c)))
        .collect();
    let help = match packages(&dir.join("src")).as_slice() {
        [one] => format!(
            "set `packages = [\"src/{one}\"]` under `[tool.hatch.build.targets.wheel]`, or rename `src/{one}/` to `src/{module}/`"
        ),
        _ => format!(
            "set `packages` under `[tool.hatch.build.targets.wheel]` to the package to ship, or add `src/{module}/__init__.py`"
        ),
    };
    Some(Missing {
        message: format!(
            "the build backend hatchling finds no package for the project `{name}` (looked for {}): building the project (`uv sync`, `uv build`) fails",
            looked.join(", ")
        ),
        key: "project.name",
        line: line_of(text, "name"),
        help,
    })
}

/// Whether `path` is a file, its name and its folders' names compared without regard to
/// case below the folder that exists as written (`src/MyApp/__init__.py` for `myapp`: the
/// backends' own rules on case differ, so the check does not guess).
fn exists_ignoring_case(path: &Path) -> bool {
    if path.is_file() {
        return true;
    }
    let mut base = path;
    let mut rest = Vec::new();
    while !base.is_dir() {
        let (Some(parent), Some(name)) = (base.parent(), base.file_name()) else {
            return false;
        };
        rest.push(name.to_string_lossy().to_ascii_lowercase());
        base = parent;
    }
    let mut dir = base.to_path_buf();
    for name in rest.iter().rev() {
        let Ok(entries) = fs_err::read_dir(&dir) else {
            return false;
        };
        let Some(hit) = entries.flatten().map(|e| e.path()).find(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().to_ascii_lowercase() == *name)
        }) else {
            return false;
        };
        dir = hit;
    }
    dir.is_file()
}

/// A distribution name as a module name: lower case, runs of `-`, `_`, `.` as one `_`.
fn normalise(name: &str) -> String {
    let mut out = String::new();
    for c in name.trim().chars() {
        if matches!(c, '-' | '_' | '.') {
            if !out.ends_with('_') {
                out.push('_');
            }
        } else {
            out.push(c.to_ascii_lowercase());
        }
    }
    out
}

/// The packages (folders with `__init__.py`) directly in `dir`, sorted.
fn packages(dir: &Path) -> Vec<String> {
    let mut found: Vec<String> = fs_err::read_dir(dir)
        .map(|entries| {
            entries
                .flatten()
                .filter(|e| e.path().join("__init__.py").is_file())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    found.sort();
    found
}

/// 1-based line of the first line that sets `key` (`key =` at its start), 1 if none.
fn line_of(text: &str, key: &str) -> usize {
    text.lines()
        .position(|l| {
            l.trim_start()
                .strip_prefix(key)
                .is_some_and(|rest| rest.trim_start().starts_with('='))
        })
        .map_or(1, |i| i + 1)
}

#[cfg(test)]
mod tests {
    #[test]
    fn names_become_modules() {
        assert_eq!(super::normalise("My-App"), "my_app");
        assert_eq!(super::normalise("a.b--c"), "a_b_c");
    }

    #[test]
    fn the_line_that_sets_a_key() {
        let text = "[project]\nname_x = 1\nname = \"a\"\n";
        assert_eq!(super::line_of(text, "name"), 3);
    }
}
