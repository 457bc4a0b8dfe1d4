//! The project's own files as the build reads them: `pyproject.toml` must parse (uv, the
//! build backend and every other check read it; without uv nothing else would say so), and
//! no file the build uses may hold a conflict block left by a merge (`<<<<<<<` … `>>>>>>>`):
//! Python sources, `pyproject.toml`, `uv.lock`, shell scripts and the Dockerfile, in the
//! build context and not excluded by `.dockerignore`.

use std::path::Path;

use super::build::Build;
use super::{Finding, Repo};
use crate::generate::text::first_conflict;
use crate::layout::{PYPROJECT, UV_LOCK};
use crate::manifest::validate::Severity;

/// Files larger than this are not read for markers (data, not sources).
const MAX_SOURCE_BYTES: u64 = 4 * 1024 * 1024;

/// `pyproject.toml` in the build context `dir` that does not parse as TOML: an error at the
/// line and column the parser stopped.
pub(super) fn pyproject(repo: &Repo, dir: &Path, out: &mut Vec<Finding>) {
    let file = dir.join(PYPROJECT);
    let Ok(bytes) = fs_err::read(&file) else {
        return;
    };
    let rel = repo.rel(&file);
    let Ok(text) = String::from_utf8(bytes) else {
        out.push(
            Finding::new(
                Severity::Error,
                "pyproject",
                "`pyproject.toml` is not UTF-8: uv and the build backend cannot read it".into(),
            )
            .at(&rel, None, None)
            .help("save the file as UTF-8"),
        );
        return;
    };
    // Conflict markers make it invalid too; they are reported once, by `conflicts`.
    if first_conflict(&text).is_some() {
        return;
    }
    let Err(e) = text.parse::<toml_edit::DocumentMut>() else {
        return;
    };
    let (line, column) = e.span().map_or((None, None), |span| {
        let (l, c) = line_column(&text, span.start);
        (Some(l), Some(c))
    });
    let why = e.message().trim().trim_end_matches('.').to_string();
    out.push(
        Finding::new(
            Severity::Error,
            "pyproject",
            format!("`{rel}` is not valid TOML ({why}): `uv sync` and the build fail on it"),
        )
        .at(&rel, line, column)
        .help("fix the TOML at that place (`uv lock` shows the same error)"),
    );
}

/// 1-based line and column (in characters) of the byte `offset` of `text`.
fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let before = text.get(..offset.min(text.len())).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

/// Whether the walk reads `name` for conflict markers.
fn is_source(name: &str) -> bool {
    [".py", ".pyi", ".sh", ".toml", ".cfg"]
        .iter()
        .any(|ext| name.ends_with(ext))
        || name == UV_LOCK
        || name == "Dockerfile"
        || name.ends_with(".Dockerfile")
        || name.starts_with("Dockerfile.")
}

/// Each source file of the build context with a conflict block: an error at its first
/// `<<<<<<<` line.
pub(super) fn conflicts(repo: &Repo, build: &Build, out: &mut Vec<Finding>) {
    let mut files = Vec::new();
    let mut folders = vec![build.context.clone()];
    while let Some(dir) = folders.pop() {
        let Ok(entries) = fs_err::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let Ok(kind) = entry.file_type() else {
                continue;
            };
            let in_context = path
                .strip_prefix(&build.context)
                .unwrap_or(&path)
                .to_string_lossy()
                .replace('\\', "/");
            let excluded = build.ignore.excludes(&in_context).is_some();
            if kind.is_dir() {
                if !crate::manifest::discover::skipped(&path)
                    && (!excluded || build.ignore.has_exceptions())
                {
                    folders.push(path);
                }
            } else if kind.is_file() && !excluded && is_source(&entry.file_name().to_string_lossy())
            {
                files.push(path);
            }
        }
    }
    // The Dockerfile may live outside the context.
    let dockerfile = repo.root.join(&build.dockerfile_rel);
    if !files.contains(&dockerfile) {
        files.push(dockerfile);
    }
    files.sort();
    for file in files {
        if fs_err::metadata(&file).map_or(true, |m| m.len() > MAX_SOURCE_BYTES) {
            continue;
        }
        let Ok(bytes) = fs_err::read(&file) else {
            continue;
        };
        let text = String::from_utf8_lossy(&bytes);
        // Most files hold no marker: one substring search before reading lines.
        if !text.contains("<<<<<<<") {
            continue;
        }
        let Some((line, blocks)) = first_conflict(&text) else {
            continue;
        };
        let rel = repo.rel(&file);
        let more = match blocks {
            1 => String::new(),
            n => format!(" ({n} blocks)"),
        };
        out.push(
            Finding::new(
                Severity::Error,
                "conflict",
                format!(
                    "`{rel}` holds merge conflict markers (`<<<<<<<` … `>>>>>>>`){more}: the build and the run fail on it"
                ),
            )
            .at(&rel, Some(line), Some(1))
            .help("resolve the conflict (keep one side of each block, remove the marker lines), then commit"),
        );
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn line_and_column_of_an_offset() {
        let text = "a = 1\nb = é[\n";
        assert_eq!(super::line_column(text, 0), (1, 1));
        assert_eq!(super::line_column(text, 6), (2, 1));
        assert_eq!(super::line_column(text, text.find('[').unwrap()), (2, 6));
    }
}
