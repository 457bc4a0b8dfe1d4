//! One manifest against its repository: the validator's findings carried over, then its
//! build (`builder.context`, `builder.dockerfile`) resolved, then what `spec.command` runs
//! looked for in the build context, `.dockerignore` and the Dockerfile's `COPY`s.

use std::path::{Path, PathBuf};

use super::command::{self, Target};
use super::dockerfile::Dockerfile;
use super::dockerignore::DockerIgnore;
use super::{Finding, Repo};
use crate::error::{Error, Result};
use crate::manifest::files;
use crate::manifest::validate::{Severity, Validation};

/// A manifest's build, when its context and Dockerfile were found.
#[derive(Debug)]
pub(super) struct Build {
    pub context: PathBuf,
    pub dockerfile_rel: String,
    pub dockerfile: Dockerfile,
    pub ignore: DockerIgnore,
}

/// One checked manifest.
#[derive(Debug)]
pub(super) struct Checked {
    /// Relative to the root: `aichor_manifests/manifest.yaml`.
    pub rel: String,
    pub validation: Validation,
    pub build: Option<Build>,
    /// The files `spec.command` runs, found in the build context (relative to the root).
    pub runs: Vec<String>,
}

/// Check the manifest `file`, adding findings to `out`.
pub(super) fn check(repo: &Repo, file: &Path, out: &mut Vec<Finding>) -> Result<Checked> {
    let rel = repo.rel(file);
    let validation = files::read_and_validate(file)?;
    for d in &validation.diagnostics {
        let mut f = Finding::new(d.severity, "manifest", d.message.clone()).at(
            &rel,
            Some(d.line),
            Some(d.column),
        );
        if !d.path.is_empty() {
            f = f.key(&d.path);
        }
        if let Some(help) = &d.help {
            f = f.help(help);
        }
        out.push(f);
    }
    // Text that is not a manifest at all (not YAML, empty) names no build: its errors say
    // enough.
    let unreadable = validation.operator.is_none()
        && validation.context.is_none()
        && validation.dockerfile.is_none()
        && validation.command.is_none()
        && validation
            .diagnostics
            .iter()
            .any(|d| d.severity == Severity::Error);
    let build = if unreadable {
        None
    } else {
        resolve_build(repo, &rel, &validation, out)?
    };
    let mut runs = Vec::new();
    if let Some(build) = &build {
        let package = super::versions::Project::read(repo, &build.context).package;
        runs = check_command(repo, &rel, &validation, build, package.as_deref(), out);
    }
    Ok(Checked {
        rel,
        validation,
        build,
        runs,
    })
}

/// The context folder and the Dockerfile, with the rule for `builder.dockerfile`: relative
/// to `builder.context`, as every real manifest with a context other than the root writes it
/// and the platform builds it (`context: smoke-test` + `dockerfile: ./build/Dockerfile` is
/// `smoke-test/build/Dockerfile`). Found only relative to the repository root (what the
/// documentation's examples, whose context is the root, suggest): a warning; neither: an
/// error naming both places.
fn resolve_build(
    repo: &Repo,
    rel: &str,
    v: &Validation,
    out: &mut Vec<Finding>,
) -> Result<Option<Build>> {
    let context = v.context.as_ref().map_or(".", |c| c.value.as_str());
    let (line, column) = v
        .context
        .as_ref()
        .map_or((None, None), |c| (Some(c.line), Some(c.column)));
    let escapes = Path::new(context).is_absolute() || normalise(context).starts_with("..");
    let context_dir = repo.root.join(context);
    if escapes || !context_dir.is_dir() {
        out.push(
            Finding::new(
                Severity::Error,
                "context",
                if escapes {
                    format!("`builder.context` `{context}` is outside the repository")
                } else {
                    format!("`builder.context` `{context}` is not a folder of the repository")
                },
            )
            .at(rel, line, column)
            .key("builder.context")
            .help(
                "`builder.context` is a folder relative to the repository root (`.` for the root)",
            ),
        );
        return Ok(None);
    }
    let (dockerfile, line, column) = match &v.dockerfile {
        Some(d) => (d.value.as_str(), Some(d.line), Some(d.column)),
        // Without the key, docker's default: `Dockerfile` in the context.
        None => ("Dockerfile", None, None),
    };
    let (from_root_inside, from_context_inside) = readings_inside(context, dockerfile);
    if !from_context_inside {
        out.push(outside(rel, dockerfile, line, column));
        return Ok(None);
    }
    let here = |f: Finding| f.at(rel, line, column).key("builder.dockerfile");
    let in_context = normalise(&format!("{context}/{dockerfile}"));
    // Without the key, only the context's `Dockerfile` is read (docker's default).
    let at_root = (from_root_inside && v.dockerfile.is_some()).then(|| normalise(dockerfile));
    let context_is_root = normalise(context) == ".";
    let path = if context_dir.join(dockerfile).is_file() {
        let path = repo.root.join(&in_context);
        out.push(here(Finding::new(
            Severity::Note,
            "dockerfile",
            format!(
                "`{}` found relative to `builder.context` (`{context}`)",
                repo.rel(&path)
            ),
        )));
        path
    } else if let Some(at_root) = at_root
        .as_ref()
        .filter(|r| !context_is_root && repo.root.join(r).is_file())
    {
        let up = "../".repeat(normalise(context).split('/').count());
        out.push(here(
            Finding::new(
                Severity::Warning,
                "dockerfile",
                format!(
                    "`{dockerfile}` is found only relative to the repository root (`{at_root}`): AIchor reads `builder.dockerfile` relative to `builder.context` (`{context}`), where it names `{in_context}`, which does not exist"
                ),
            )
            .help(format!(
                "write `dockerfile: {up}{at_root}` (the same file, relative to `{context}`), or move the Dockerfile to `{in_context}`"
            )),
        ));
        repo.root.join(at_root)
    } else {
        let message = match at_root.as_ref().filter(|_| !context_is_root) {
            Some(at_root) => format!(
                "no Dockerfile at `{dockerfile}`: not relative to `builder.context` (`{in_context}`), as AIchor reads it, nor relative to the repository root (`{at_root}`)"
            ),
            None => format!(
                "no Dockerfile at `{dockerfile}` (`{in_context}`, relative to `builder.context` `{context}`)"
            ),
        };
        out.push(here(
            Finding::new(Severity::Error, "dockerfile", message).help(
                "the build will fail: add the file, or fix `builder.dockerfile` (a path relative to `builder.context`)",
            ),
        ));
        return Ok(None);
    };
    // Docker takes any bytes (a Latin-1 comment builds); the check reads what it can.
    let bytes = fs_err::read(&path).map_err(|e| Error::io(&path, "cannot be read", e))?;
    let text = String::from_utf8_lossy(&bytes);
    let ignore = DockerIgnore::for_build(&context_dir, Some(&path))?;
    Ok(Some(Build {
        context: context_dir,
        dockerfile_rel: repo.rel(&path),
        dockerfile: Dockerfile::parse(&text),
        ignore,
    }))
}

/// A `spec.command` nothing can run (empty, or a module name Python refuses).
fn cannot_run(message: &str) -> Finding {
    Finding::new(Severity::Error, "command", message.into()).help(
        "write the command the containers run, e.g. `python -u -m <package>.main` (`src/demo/main.py` is the module `demo.main`)",
    )
}

/// Whether `builder.dockerfile` stays in the repository read from the root, and read from
/// the context (if the first does, so does the second). The second must: AIchor builds from
/// a clone, so `/etc/…` or `../…` past the root names nothing there (and the check must not
/// read the host's file in its place).
fn readings_inside(context: &str, dockerfile: &str) -> (bool, bool) {
    let absolute = Path::new(dockerfile).is_absolute();
    let inside = |p: &str| !absolute && !normalise(p).starts_with("..");
    (
        inside(dockerfile),
        inside(&format!("{context}/{dockerfile}")),
    )
}

fn outside(rel: &str, dockerfile: &str, line: Option<usize>, column: Option<usize>) -> Finding {
    Finding::new(
        Severity::Error,
        "dockerfile",
        format!("`builder.dockerfile` `{dockerfile}` is outside the repository"),
    )
    .at(rel, line, column)
    .key("builder.dockerfile")
    .help("`builder.dockerfile` is a file relative to `builder.context`, e.g. `./Dockerfile`")
}

/// `a/./b/../c` → `a/c`; a leading `..` stays.
fn normalise(path: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split(['/', '\\']) {
        match part {
            "" | "." => {}
            ".." if parts.last().is_some_and(|p| *p != "..") => {
                parts.pop();
            }
            p => parts.push(p),
        }
    }
    if parts.is_empty() {
        ".".into()
    } else {
        parts.join("/")
    }
}

/// Each module and script `spec.command` runs: in the context, not excluded by
/// `.dockerignore`, copied by the Dockerfile. The files found (relative to the root), for
/// the check of what git pushes.
fn check_command(
    repo: &Repo,
    rel: &str,
    v: &Validation,
    build: &Build,
    package: Option<&str>,
    out: &mut Vec<Finding>,
) -> Vec<String> {
    let mut runs = Vec::new();
    let Some(cmd) = &v.command else { return runs };
    let here = |f: Finding| {
        f.at(rel, Some(cmd.line), Some(cmd.column))
            .key("spec.command")
    };
    if cmd.value.trim().is_empty() {
        out.push(here(cannot_run(
            "`spec.command` is empty: the experiment would run nothing",
        )));
        return runs;
    }
    for target in command::targets(&cmd.value) {
        let found = match &target {
            Target::Module(module) => find_module(&build.context, module, package),
            Target::Script(script) => find_script(build, script),
        };
        let what = match &target {
            Target::Module(m) => format!("module `{m}`"),
            Target::Script(s) => format!("script `{s}`"),
        };
        let path = match found {
            Found::At(path) => path,
            Found::Missing(looked) => {
                out.push(here(missing(repo, &what, &looked)));
                continue;
            }
            Found::Elsewhere(why) => {
                out.push(here(Finding::new(
                    Severity::Note,
                    "command",
                    format!("`spec.command` runs the {what}: {why}"),
                )));
                continue;
            }
            Found::NotHere(top) => {
                out.push(here(not_here(&top, build, package)));
                continue;
            }
            Found::Invalid(why) => {
                out.push(here(cannot_run(&format!(
                    "`spec.command` cannot run: {why}"
                ))));
                continue;
            }
        };
        out.push(here(Finding::new(
            Severity::Note,
            "command",
            format!("`spec.command` runs the {what}: `{}`", repo.rel(&path)),
        )));
        runs.push(repo.rel(&path));
        let in_context = path
            .strip_prefix(&build.context)
            .unwrap_or(&path)
            .to_string_lossy()
            .replace('\\', "/");
        if let Some(why) = build.ignore.excludes(&in_context) {
            let file = build.ignore.file.as_deref().unwrap_or(".dockerignore");
            out.push(
                Finding::new(
                    Severity::Error,
                    "dockerignore",
                    format!(
                        "`{}` (the {what} `spec.command` runs) is excluded from the build context by `{}` (line {} of `{file}`)",
                        repo.rel(&path),
                        why.pattern,
                        why.line
                    ),
                )
                .at(
                    &repo.rel(&build.context.join(file)),
                    Some(why.line),
                    None,
                )
                .help(format!(
                    "remove that line, or re-include the file with `!{in_context}` after it"
                )),
            );
        } else if !build.dockerfile.copies(&in_context) {
            out.push(here(
                Finding::new(
                    Severity::Error,
                    "command",
                    format!(
                        "`{}` (the {what} `spec.command` runs) is not copied into the image by `{}`",
                        repo.rel(&path),
                        build.dockerfile_rel
                    ),
                )
                .help("add a `COPY` of it (`COPY . .` after the dependency layer copies the whole project)"),
            ));
        }
    }
    runs
}

/// A module whose top-level package the repository does not hold: a note when the standard
/// library, a distribution the build installs or the base image provides it; else an error
/// when it is one edit from a package of the project (a typo: `deom.main`), a warning
/// otherwise (a distribution may ship it under another name; without `uv.lock` or
/// dependencies the check cannot tell).
fn not_here(top: &str, build: &Build, package: Option<&str>) -> Finding {
    let provided = super::provided::Provided::read(&build.context, &build.dockerfile);
    if let Some(provider) = provided.provider(top) {
        return Finding::new(
            Severity::Note,
            "command",
            format!(
                "`spec.command` runs a module of `{top}`, which is not in the repository: {provider} provides it"
            ),
        );
    }
    let mut ours: Vec<String> = package.map(str::to_string).into_iter().collect();
    for base in [build.context.join("src"), build.context.clone()] {
        for entry in fs_err::read_dir(&base).into_iter().flatten().flatten() {
            let name = entry.file_name().to_string_lossy().to_string();
            if entry.path().join("__init__.py").is_file() && !ours.contains(&name) {
                ours.push(name);
            }
        }
    }
    let installed_from = match provided.source {
        Some(source) => format!("nor a distribution in `{source}`"),
        None => "and there is no `uv.lock` or list of dependencies to look it up in".into(),
    };
    let message = format!(
        "`spec.command` runs a module of `{top}`, which is not in the repository, nor the standard library, {installed_from}: the run fails with `No module named '{top}'` unless the image installs it under another name"
    );
    // A swapped pair of letters (`deom`) is one slip, as a changed letter is.
    let close = ours
        .iter()
        .find(|c| strsim::osa_distance(top, c) == 1)
        .cloned()
        .or_else(|| crate::suggest::did_you_mean(top, ours.iter().map(String::as_str)));
    match close {
        Some(close) => Finding::new(Severity::Error, "command", message)
            .help(format!("did you mean the project's package `{close}`? Fix `spec.command`")),
        None => Finding::new(Severity::Warning, "command", message).help(
            "fix `spec.command`, or add the distribution that ships it to pyproject.toml's dependencies and run `uv lock`",
        ),
    }
}

/// What `spec.command` runs is not where it was looked for.
fn missing(repo: &Repo, what: &str, looked: &[PathBuf]) -> Finding {
    Finding::new(
        Severity::Error,
        "command",
        format!(
            "`spec.command` runs the {what}, which is not in the build context (looked for {})",
            looked
                .iter()
                .map(|p| format!("`{}`", repo.rel(p)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    )
    .help("fix `spec.command`, or add the file (modules live under `src/<package>/`)")
}

enum Found {
    At(PathBuf),
    /// The places looked at.
    Missing(Vec<PathBuf>),
    /// Not expected in the repository (why).
    Elsewhere(String),
    /// A module whose top-level package is not in the repository (that package).
    NotHere(String),
    /// What Python cannot run at all (why).
    Invalid(String),
}

/// A dotted module under `<context>/src/` or `<context>/`. A module whose top-level package
/// is in neither, and is not the project's own, is taken to be installed (a dependency).
fn find_module(context: &Path, module: &str, package: Option<&str>) -> Found {
    if module.is_empty() {
        return Found::Invalid("`-m` is followed by no module name".into());
    }
    // Python refuses `.pkg` ("relative module names not supported") and `pkg..main`, and
    // finds no module `pkg/main` (a path is not a module name).
    let parts: Vec<&str> = module.split('.').collect();
    if parts.iter().any(|p| p.is_empty()) || module.contains(['/', '\\']) {
        return Found::Invalid(format!(
            "`{module}` is not a module name (dotted names only, e.g. `pkg.main`)"
        ));
    }
    let bases = [context.join("src"), context.to_path_buf()];
    let top = parts[0];
    let has_top = |b: &PathBuf| b.join(top).is_dir() || b.join(format!("{top}.py")).is_file();
    let mut looked = Vec::new();
    let own = package.is_some_and(|p| p == top);
    for base in bases.iter().filter(|b| own || has_top(b)) {
        let mut dir = base.clone();
        for p in &parts[..parts.len() - 1] {
            dir.push(p);
        }
        let last = parts[parts.len() - 1];
        let candidates = [
            dir.join(format!("{last}.py")),
            dir.join(last).join("__main__.py"),
        ];
        if let Some(hit) = candidates.iter().find(|c| c.is_file()) {
            return Found::At(hit.clone());
        }
        looked.push(candidates[0].clone());
    }
    if looked.is_empty() {
        Found::NotHere(top.to_string())
    } else {
        Found::Missing(looked)
    }
}

/// A script path: relative to the context, or to where a `COPY` into the `WORKDIR` put
/// it; an absolute path under the `WORKDIR` is taken relative to it.
fn find_script(build: &Build, script: &str) -> Found {
    let workdir = build.dockerfile.workdir().map(|w| w.trim_end_matches('/'));
    let relative = if let Some(rest) = script.strip_prefix('/') {
        match workdir
            .and_then(|w| script.strip_prefix(w))
            .and_then(|r| r.strip_prefix('/'))
        {
            Some(r) => r.to_string(),
            None => {
                return Found::Elsewhere(format!(
                    "`/{rest}` is an absolute path outside the Dockerfile's `WORKDIR`, not checked"
                ));
            }
        }
    } else {
        script.trim_start_matches("./").to_string()
    };
    let mut candidates = vec![build.context.join(&relative)];
    // `COPY src/ /app/` + `WORKDIR /app` + `python main.py`: the script is src/main.py.
    for (_, sources) in build.dockerfile.context_sources() {
        for s in sources {
            let s = s.trim_start_matches("./").trim_end_matches('/');
            if !s.is_empty() && s != "." && !s.contains('*') {
                candidates.push(build.context.join(s).join(&relative));
            }
        }
    }
    // `python src/app` runs a folder (or a zip) with a `__main__.py`: the file that runs.
    let runs = |c: &PathBuf| {
        if c.is_dir() {
            Some(c.join("__main__.py")).filter(|m| m.is_file())
        } else {
            Some(c.clone()).filter(|c| c.is_file())
        }
    };
    match candidates.iter().find_map(runs) {
        Some(hit) => Found::At(hit),
        None => Found::Missing(candidates.into_iter().take(1).collect()),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn normalise_folds_dots() {
        assert_eq!(super::normalise("./a/../b/"), "b");
        assert_eq!(super::normalise("."), ".");
        assert_eq!(super::normalise("../x"), "../x");
    }
}
