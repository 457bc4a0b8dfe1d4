//! What a build sends and installs from its context: files over the size limit that
//! `.dockerignore` lets through, and `uv.lock` (present when the Dockerfile installs with
//! `--locked`/`--frozen`, and in sync with pyproject.toml per `uv lock --check`).

use crate::layout::{PYPROJECT, UV_LOCK};
use std::path::Path;

use super::build::Build;
use super::dockerignore::DockerIgnore;
use super::{Finding, Repo};
use crate::error::{Error, Result};
use crate::manifest::validate::Severity;

/// One file over the limit: path relative to the context, size in bytes.
fn large_files(
    dir: &Path,
    context: &Path,
    ignore: &DockerIgnore,
    limit: u64,
    out: &mut Vec<(String, u64)>,
) -> Result<()> {
    let mut entries: Vec<_> = fs_err::read_dir(dir)
        .map_err(|e| Error::io(dir, "cannot be read", e))?
        .filter_map(std::result::Result::ok)
        .collect();
    entries.sort_by_key(fs_err::DirEntry::file_name);
    for entry in entries {
        let path = entry.path();
        let rel = path
            .strip_prefix(context)
            .unwrap_or(&path)
            .to_string_lossy()
            .replace('\\', "/");
        if rel == ".git" {
            continue;
        }
        // Symlinks are sent as links, not followed.
        let Ok(meta) = fs_err::symlink_metadata(&path) else {
            continue;
        };
        let excluded = ignore.excludes(&rel).is_some();
        if meta.is_dir() {
            if !excluded || ignore.has_exceptions() {
                large_files(&path, context, ignore, limit, out)?;
            }
        } else if meta.is_file() && !excluded && meta.len() > limit {
            out.push((rel, meta.len()));
        }
    }
    Ok(())
}

/// `12.3 MB` (decimal units, as `docker build` prints the context size).
fn size(bytes: u64) -> String {
    #[allow(clippy::cast_precision_loss)]
    let mb = bytes as f64 / 1_000_000.0;
    if mb >= 1000.0 {
        format!("{:.1} GB", mb / 1000.0)
    } else {
        format!("{mb:.1} MB")
    }
}

/// Files of the build context over `limit` bytes.
pub(super) fn check_size(
    repo: &Repo,
    build: &Build,
    limit: u64,
    out: &mut Vec<Finding>,
) -> Result<()> {
    let mut large = Vec::new();
    large_files(
        &build.context,
        &build.context,
        &build.ignore,
        limit,
        &mut large,
    )?;
    for (rel, bytes) in large {
        out.push(
            Finding::new(
                Severity::Warning,
                "large-file",
                format!(
                    "`{rel}` ({}) is sent to the build with the context (limit {})",
                    size(bytes),
                    size(limit)
                ),
            )
            .at(&repo.rel(&build.context.join(&rel)), None, None)
            .help("add it to `.dockerignore` (data belongs in the project's datasets bucket, not the image)"),
        );
    }
    Ok(())
}

/// Whether `uv lock --check` ran (for the report).
/// Patterns in `.dockerignore` that `BuildKit` refuses: the build fails before it starts.
pub(super) fn check_ignore_file(repo: &Repo, build: &Build, out: &mut Vec<Finding>) {
    let file = build.ignore.file.as_deref().unwrap_or(".dockerignore");
    for (line, pattern, why) in &build.ignore.broken {
        out.push(
            Finding::new(
                Severity::Error,
                "dockerignore",
                format!("`{pattern}` is not a valid pattern ({why}): the build fails on it"),
            )
            .at(&repo.rel(&build.context.join(file)), Some(*line), None)
            .help("close the `[...]` class, or escape the character with `\\` (`\\[`)"),
        );
    }
}

pub(super) fn check_lock(
    repo: &Repo,
    build: &Build,
    env: &crate::environment::Environment,
    out: &mut Vec<Finding>,
) -> Result<bool> {
    let dir = &build.context;
    if !dir.join(PYPROJECT).is_file() {
        return Ok(false);
    }
    let lock = dir.join(UV_LOCK);
    let lock_rel = repo.rel(&lock);
    if !lock.is_file() {
        if let Some(line) = build.dockerfile.locked_install() {
            out.push(
                Finding::new(
                    Severity::Error,
                    "uv-lock",
                    format!(
                        "`{lock_rel}` is missing, and `{}` line {line} installs with `--locked`/`--frozen`",
                        build.dockerfile_rel
                    ),
                )
                .at(&build.dockerfile_rel, Some(line), None)
                .help(format!("run `uv lock` in `{}` and commit `uv.lock`", repo.rel(dir))),
            );
        }
        return Ok(false);
    }
    out.extend(lock_ignored(repo, build, dir, &lock_rel));
    let uv = match crate::uv::find(env) {
        Ok(uv) => uv,
        Err(why) => {
            out.push(
                Finding::new(
                    Severity::Note,
                    "uv-lock",
                    format!("`{lock_rel}` not checked against pyproject.toml: {why}"),
                )
                .at(&lock_rel, None, None)
                .help("install uv (https://docs.astral.sh/uv/) to have it checked"),
            );
            return Ok(false);
        }
    };
    let ran = match crate::uv::run(&uv, dir, &["lock", "--check"])? {
        Ok(ran) => ran,
        Err(why) => {
            out.push(Finding::new(
                Severity::Warning,
                "uv-lock",
                format!("`uv lock --check` could not run: {why}"),
            ));
            return Ok(false);
        }
    };
    if ran.status.success() {
        out.push(
            Finding::new(
                Severity::Note,
                "uv-lock",
                format!("`{lock_rel}` is in sync with pyproject.toml (`uv lock --check`)"),
            )
            .at(&lock_rel, None, None),
        );
        return Ok(true);
    }
    // uv says "The lockfile at `uv.lock` needs to be updated" when stale; anything else
    // (no network, a bad pyproject) is a failure to check, not a verdict.
    let stale = ran.stderr.contains("needs to be updated");
    out.push(if stale {
        Finding::new(
            Severity::Error,
            "uv-lock",
            format!(
                "`{lock_rel}` is out of date with pyproject.toml: the `--locked` install will fail"
            ),
        )
        .help(format!(
            "run `uv lock` in `{}` and commit `uv.lock`",
            repo.rel(dir)
        ))
    } else {
        Finding::new(
            Severity::Warning,
            "uv-lock",
            format!("`uv lock --check` failed: {}", ran.last_line()),
        )
        .help("run `uv lock --check` yourself to see why")
    });
    Ok(stale)
}

/// An error when the build context's `.dockerignore` drops `uv.lock`, which the Dockerfile
/// installs from.
fn lock_ignored(repo: &Repo, build: &Build, dir: &Path, lock_rel: &str) -> Option<Finding> {
    let why = build.ignore.excludes(UV_LOCK)?;
    Some(
        Finding::new(
            Severity::Error,
            "dockerignore",
            format!(
                "`{lock_rel}` is excluded from the build context by `{}`",
                why.pattern
            ),
        )
        .at(
            &repo.rel(&dir.join(build.ignore.file.as_deref().unwrap_or(".dockerignore"))),
            Some(why.line),
            None,
        )
        .help(format!(
            "the Dockerfile installs from it: remove that line, or re-include the file with `!{UV_LOCK}` after it"
        )),
    )
}
