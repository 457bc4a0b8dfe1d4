//! What a build reads from its context besides the command's own files: the literal
//! sources of the Dockerfile's `COPY`/`ADD` and `RUN --mount=type=bind`, and, when a `RUN`
//! builds the project, what the build backend reads (`pyproject.toml`, the readme,
//! `uv_build`'s `__init__.py`). Each must be in the context (`builder.context` is where
//! `COPY uv.lock` looks), must not be excluded by `.dockerignore` (the builder never sees
//! it) and must not be ignored by git (AIchor builds from what was pushed; `git_ignored`,
//! which looks at the manifests and what their commands run too).

use std::collections::BTreeSet;

use super::build::Build;
use super::{Finding, Repo};
use crate::layout::UV_LOCK;
use crate::manifest::validate::Severity;

/// One file or folder the build reads: relative to the context, why, and whether the
/// Dockerfile names it (so a missing one is the Dockerfile's error, not the backend's).
struct Input {
    path: String,
    why: String,
    /// The Dockerfile line that names it (copy, mount) or builds the project.
    line: usize,
    named: bool,
}

/// A `COPY` source as a plain path relative to the context (an absolute one is read from
/// the context too); `None` for a glob, a variable, a URL, a heredoc (`<<EOF`) or the whole
/// context.
fn literal(source: &str) -> Option<String> {
    if source.starts_with("<<") || source.contains("://") || source.starts_with("git@") {
        return None;
    }
    let s = source
        .trim_start_matches('/')
        .trim_start_matches("./")
        .trim_end_matches('/');
    (!s.is_empty() && s != "." && !s.contains(['*', '?', '[', '$'])).then(|| s.to_string())
}

fn inputs(build: &Build) -> Vec<Input> {
    let df = &build.dockerfile_rel;
    let mut out: Vec<Input> = Vec::new();
    for (line, sources) in build.dockerfile.context_sources() {
        for source in sources.iter().filter_map(|s| literal(s)) {
            out.push(Input {
                path: source,
                why: format!("copied by `{df}` line {line}"),
                line,
                named: true,
            });
        }
    }
    for (line, source) in build.dockerfile.bind_mounts() {
        if let Some(source) = literal(&source) {
            out.push(Input {
                path: source,
                why: format!("bind-mounted by `{df}` line {line}"),
                line,
                named: true,
            });
        }
    }
    if let Some(line) = build.dockerfile.builds_project() {
        for (path, what) in super::package::backend_inputs(&build.context) {
            out.push(Input {
                path,
                why: format!(
                    "{what}, which the build backend reads when `{df}` line {line} builds the project"
                ),
                line,
                named: false,
            });
        }
    }
    let mut seen = BTreeSet::new();
    out.retain(|i| seen.insert(i.path.clone()));
    out
}

/// Check the inputs of `build`, adding findings to `out`; the files it reads that exist
/// (relative to the root), for `git_ignored`.
pub(super) fn check(repo: &Repo, build: &Build, out: &mut Vec<Finding>) -> Vec<String> {
    let context_rel = repo.rel(&build.context);
    let ignore_file = build.ignore.file.as_deref().unwrap_or(".dockerignore");
    let ignore_rel = repo.rel(&build.context.join(ignore_file));
    let mut present = Vec::new();
    for input in inputs(build) {
        let path = build.context.join(&input.path);
        let rel = repo.rel(&path);
        if !path.exists() {
            // The backend's own files, when missing, are `package`'s finding; a missing lock
            // beside pyproject.toml is `uv-lock`'s.
            let lock_reported = input.path == UV_LOCK
                && build.context.join(crate::layout::PYPROJECT).is_file()
                && build.dockerfile.locked_install().is_some();
            if input.named && !lock_reported {
                out.push(
                    Finding::new(
                        Severity::Error,
                        "build-input",
                        format!(
                            "`{}` ({}) is not in the build context `{context_rel}`: the build fails (`{rel}` does not exist)",
                            input.path, input.why
                        ),
                    )
                    .at(&build.dockerfile_rel, Some(input.line), None)
                    .help(format!(
                        "add `{rel}`, or set `builder.context` to the folder that holds the file (paths in the Dockerfile are relative to the context)"
                    )),
                );
            }
            continue;
        }
        present.push(rel.clone());
        // `uv.lock` excluded is the `uv-lock` check's finding.
        if input.path == UV_LOCK {
            continue;
        }
        let Some(why) = build.ignore.excludes(&input.path) else {
            continue;
        };
        // One finding per `.dockerignore` line: the line is what to fix.
        let reported = out.iter().any(|f| {
            f.check == "dockerignore"
                && f.file.as_deref() == Some(ignore_rel.as_str())
                && f.line == Some(why.line)
        });
        if reported {
            continue;
        }
        out.push(
            Finding::new(
                Severity::Error,
                "dockerignore",
                format!(
                    "`{rel}` ({}) is excluded from the build context by `{}` (line {} of `{ignore_file}`): the build fails without it",
                    input.why, why.pattern, why.line
                ),
            )
            .at(&ignore_rel, Some(why.line), None)
            .help(format!(
                "remove that line, or re-include the file with `!{}` after it",
                input.path
            )),
        );
    }
    // Plus what the build needs in any case: the Dockerfile, and the lock it installs from.
    present.push(build.dockerfile_rel.clone());
    let lock = build.context.join(UV_LOCK);
    if build.dockerfile.locked_install().is_some() && lock.is_file() {
        present.push(repo.rel(&lock));
    }
    present
}

/// The files a run needs (manifests, what their builds read, what their commands run) that
/// git ignores and does not track: never pushed, so missing where AIchor builds.
pub(super) fn git_ignored(repo: &Repo, mut needed: Vec<String>, out: &mut Vec<Finding>) {
    let mut seen = BTreeSet::new();
    needed.retain(|p| seen.insert(p.clone()));
    for ignored in crate::git::ignored(&repo.root, &needed) {
        out.push(
            Finding::new(
                Severity::Error,
                "gitignore",
                format!(
                    "`{}` is ignored by git (`{}` line {}: `{}`) and not tracked: it is never pushed, so the build AIchor runs from the repository fails without it",
                    ignored.path, ignored.source, ignored.line, ignored.pattern
                ),
            )
            .at(&ignored.path, None, None)
            .help(format!(
                "remove that line from `{}`, or add the file anyway with `git add -f {}`",
                ignored.source,
                crate::shell::shell_quote(&ignored.path)
            )),
        );
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn only_plain_paths_are_looked_for() {
        for (source, want) in [
            ("uv.lock", Some("uv.lock")),
            ("./src/", Some("src")),
            ("/pyproject.toml", Some("pyproject.toml")),
            (".", None),
            ("./", None),
            ("*.toml", None),
            ("${APP}/x", None),
            ("<<EOF", None),
            ("https://example.com/x.tar.gz", None),
            ("git@example.com:a/b.git", None),
        ] {
            assert_eq!(super::literal(source).as_deref(), want, "{source}");
        }
    }
}
