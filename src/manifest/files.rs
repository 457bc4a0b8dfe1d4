//! Manifests on disk: finding them under the paths a user names, validating one file with
//! its repository findings, and replacing one in place atomically (`migrate --write`).

use std::path::{Path, PathBuf};

use serde::Serialize;

use super::repo::{self, MANIFESTS_DIR, Placement};
use super::validate::{self, Diagnostic, Severity};
use crate::error::{Error, Result};
use crate::txn::fs::Fs;
use crate::txn::staging::PREFIX;

/// One file's result, as `--format json` prints it.
#[derive(Debug, Serialize)]
pub struct FileResult {
    pub file: String,
    pub valid: bool,
    pub operator: Option<String>,
    /// Commit message prefix that runs this manifest.
    pub trigger: Option<String>,
    pub diagnostics: Vec<Diagnostic>,
}

/// Validate one manifest file; with `strict`, warnings make it invalid too.
pub fn validate_file(file: &Path, strict: bool) -> Result<FileResult> {
    let mut validation = read_and_validate(file)?;
    let placement = Placement::of(file);
    repo::add_findings(&placement, &mut validation);
    validation.diagnostics.sort_by_key(|d| (d.line, d.column));
    let valid = validation
        .diagnostics
        .iter()
        .all(|d| d.severity == Severity::Note || (d.severity == Severity::Warning && !strict));
    Ok(FileResult {
        file: file.display().to_string(),
        valid,
        operator: validation.operator.clone(),
        trigger: placement.trigger(),
        diagnostics: validation.diagnostics,
    })
}

/// Read and validate one manifest file, without the repository findings (the caller makes
/// its own). A file that is not UTF-8 is reported as a finding, not an error.
pub fn read_and_validate(file: &Path) -> Result<validate::Validation> {
    let bytes = fs_err::read(file).map_err(|e| Error::io(file, "cannot be read", e))?;
    Ok(match String::from_utf8(bytes) {
        Ok(text) => validate::validate_text(&text),
        // One unreadable file is that file's error; the others are still checked.
        Err(e) => not_utf8(&e),
    })
}

/// The finding for a file that is not UTF-8, at the first bad byte.
fn not_utf8(e: &std::string::FromUtf8Error) -> validate::Validation {
    let bytes = e.as_bytes();
    let at = e.utf8_error().valid_up_to();
    let before = &bytes[..at];
    // Counted once, for one message: a dependency for speed is not worth it.
    #[allow(clippy::naive_bytecount)]
    let line = before.iter().filter(|b| **b == b'\n').count() + 1;
    let column = before.iter().rev().take_while(|b| **b != b'\n').count() + 1;
    validate::Validation {
        diagnostics: vec![Diagnostic {
            severity: Severity::Error,
            line,
            column,
            path: String::new(),
            message: format!("not UTF-8 text (byte 0x{:02x})", bytes[at]),
            help: Some("save the file as UTF-8".into()),
        }],
        ..validate::Validation::default()
    }
}

/// Every `*.yaml`/`*.yml` under the given paths (files are taken as given; default
/// `./aichor_manifests`), in a stable order.
pub fn collect(paths: &[PathBuf]) -> Result<Vec<PathBuf>> {
    let default = [PathBuf::from(MANIFESTS_DIR)];
    let roots = if paths.is_empty() {
        &default[..]
    } else {
        paths
    };
    let mut files = Vec::new();
    for root in roots {
        if root.is_file() {
            files.push(root.clone());
        } else if root.is_dir() {
            walk(root, &mut files)?;
        } else {
            return Err(Error::NoManifests { dir: root.clone() });
        }
    }
    if files.is_empty() {
        return Err(Error::NoManifests {
            dir: roots[0].clone(),
        });
    }
    Ok(files)
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> Result<()> {
    let mut entries: Vec<PathBuf> = fs_err::read_dir(dir)
        .map_err(|e| Error::io(dir, "cannot be read", e))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    entries.sort();
    for p in entries {
        // A linked folder is not followed: `loop -> .` would never end, and `up -> ../..`
        // would collect files from outside the repository.
        let linked = fs_err::symlink_metadata(&p).is_ok_and(|m| m.file_type().is_symlink());
        if p.is_dir() {
            if !linked {
                walk(&p, out)?;
            }
        } else if p.extension().is_some_and(|e| e == "yaml" || e == "yml") {
            out.push(p);
        }
    }
    Ok(())
}

/// Replace `file` by writing a sibling temp file and renaming it over (all through `fs`).
/// Through a symlink, the target is replaced and the link stays. A crash leaves the file
/// whole (old or new) and at worst a `.aichor-staging-*` temporary file, which the next run
/// removes.
pub fn write_atomically(fs: &dyn Fs, file: &Path, text: &str) -> Result<()> {
    let resolved;
    let file = if fs_err::symlink_metadata(file).is_ok_and(|m| m.file_type().is_symlink()) {
        resolved =
            fs_err::canonicalize(file).map_err(|e| Error::io(file, "cannot be resolved", e))?;
        resolved.as_path()
    } else {
        file
    };
    let dir = file
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = file
        .file_name()
        .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
    let tmp = dir.join(format!("{PREFIX}{}-{name}", std::process::id()));
    // A signal before the rename leaves the file as it was (the temporary file is removed);
    // the rename itself is atomic.
    crate::interrupt::writing(|| {
        let result = (|| {
            fs.write(&tmp, text.as_bytes())
                .map_err(|e| Error::io(&tmp, "cannot be written", e))?;
            if let Ok(meta) = fs_err::metadata(file) {
                fs.set_permissions(&tmp, meta.permissions())
                    .map_err(|e| Error::io(&tmp, "cannot take the file's permissions", e))?;
            }
            fs.sync(&tmp)
                .map_err(|e| Error::io(&tmp, "cannot be written", e))?;
            crate::interrupt::check()?;
            fs.rename(&tmp, file)
                .map_err(|e| Error::io(file, "cannot be replaced", e))
        })();
        if result.is_err() {
            let _ = fs.remove_file(&tmp);
        }
        result
    })
}
