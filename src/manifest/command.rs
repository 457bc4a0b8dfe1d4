//! `aichor manifest validate | migrate | schema`: file handling and output around the model.

use std::path::{Path, PathBuf};

use serde::Serialize;

use super::check::{self, Diagnostic, Severity};
use super::repo::{self, MANIFESTS_DIR, Placement};
use super::{migrate, schema};
use crate::cli::Format;
use crate::error::{Error, Result};
use crate::printer::Printer;

/// One file's result, as `--format json` prints it.
#[derive(Debug, Serialize)]
struct FileResult {
    file: String,
    valid: bool,
    operator: Option<String>,
    /// Commit message prefix that runs this manifest.
    trigger: Option<String>,
    diagnostics: Vec<Diagnostic>,
}

/// Validate `paths` (files or folders; default `./aichor_manifests`).
pub fn validate(paths: &[PathBuf], format: Format, strict: bool, printer: &Printer) -> Result<()> {
    let files = collect(paths)?;
    let mut results = Vec::new();
    for file in &files {
        let text =
            std::fs::read_to_string(file).map_err(|e| Error::io(file, "cannot be read", e))?;
        let mut checked = check::check(&text);
        let placement = Placement::of(file);
        repo::check(&placement, &mut checked);
        checked.diagnostics.sort_by_key(|d| (d.line, d.column));
        let valid = checked
            .diagnostics
            .iter()
            .all(|d| d.severity == Severity::Note || (d.severity == Severity::Warning && !strict));
        results.push(FileResult {
            file: file.display().to_string(),
            valid,
            operator: checked.operator.clone(),
            trigger: placement.trigger(),
            diagnostics: checked.diagnostics,
        });
    }
    match format {
        Format::Json => printer.data(&serde_json::to_string_pretty(&results).unwrap_or_default()),
        Format::Text => {
            let mut out = String::new();
            for r in &results {
                for d in &r.diagnostics {
                    let severity = match d.severity {
                        Severity::Error => "error",
                        Severity::Warning => "warning",
                        Severity::Note => "note",
                    };
                    let path = if d.path.is_empty() {
                        String::new()
                    } else {
                        format!(" [{}]", d.path)
                    };
                    out.push_str(&format!(
                        "{}:{}:{}: {severity}{path}: {}\n",
                        r.file, d.line, d.column, d.message
                    ));
                    if let Some(help) = &d.help {
                        out.push_str(&format!("    help: {help}\n"));
                    }
                }
                if r.valid {
                    let op = r.operator.as_deref().unwrap_or("?");
                    match &r.trigger {
                        Some(t) => out.push_str(&format!(
                            "{}: valid {op} manifest; run it with: git commit -m \"{t}\"\n",
                            r.file
                        )),
                        None => out.push_str(&format!("{}: valid {op} manifest\n", r.file)),
                    }
                }
            }
            printer.data(&out);
        }
    }
    let invalid = results.iter().filter(|r| !r.valid).count();
    if invalid > 0 {
        return Err(Error::InvalidManifests {
            invalid,
            total: results.len(),
        });
    }
    Ok(())
}

/// Every `*.yaml`/`*.yml` under the given paths (files are taken as given).
fn collect(paths: &[PathBuf]) -> Result<Vec<PathBuf>> {
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
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| Error::io(dir, "cannot be read", e))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            walk(&p, out)?;
        } else if p.extension().is_some_and(|e| e == "yaml" || e == "yml") {
            out.push(p);
        }
    }
    Ok(())
}

/// Migrate one file: print the result, or rewrite it in place with `write`.
pub fn migrate(file: &Path, write: bool, printer: &Printer) -> Result<()> {
    let text = std::fs::read_to_string(file).map_err(|e| Error::io(file, "cannot be read", e))?;
    let m = migrate::migrate(&text).map_err(|message| Error::Migrate {
        path: file.into(),
        message,
    })?;
    for change in &m.changes {
        printer.status("Migrated", change);
    }
    for warning in &m.warnings {
        printer.warn(warning);
    }
    let remaining: Vec<Diagnostic> = check::check(&m.text)
        .diagnostics
        .into_iter()
        .filter(|d| d.severity == Severity::Error)
        .collect();
    if write {
        if m.text != text {
            write_atomically(file, &m.text)?;
            printer.status("Wrote", &file.display().to_string());
        } else {
            printer.status(
                "Unchanged",
                &format!("{} is already in today's shape", file.display()),
            );
        }
    } else {
        printer.data(&m.text);
    }
    for d in &remaining {
        printer.warn(&format!(
            "{}:{}:{}: still invalid [{}]: {}",
            file.display(),
            d.line,
            d.column,
            d.path,
            d.message
        ));
    }
    if remaining.is_empty() {
        Ok(())
    } else {
        Err(Error::InvalidManifests {
            invalid: 1,
            total: 1,
        })
    }
}

/// Replace `file` by writing a sibling temp file and renaming it over.
fn write_atomically(file: &Path, text: &str) -> Result<()> {
    let dir = file
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let mut tmp = tempfile::NamedTempFile::new_in(dir)
        .map_err(|e| Error::io(dir, "cannot hold a temporary file", e))?;
    // Ctrl-C before the rename removes the temporary file; during it, waits for it.
    crate::interrupt::register(tmp.path().to_path_buf());
    std::io::Write::write_all(&mut tmp, text.as_bytes())
        .map_err(|e| Error::io(file, "cannot be written", e))?;
    if let Ok(meta) = std::fs::metadata(file) {
        let _ = std::fs::set_permissions(tmp.path(), meta.permissions());
    }
    let persisted = crate::interrupt::while_committing(|| tmp.persist(file));
    crate::interrupt::clear();
    persisted.map_err(|e| Error::io(file, "cannot be replaced", e.error))?;
    Ok(())
}

/// Print the JSON Schema.
pub fn schema(printer: &Printer) {
    printer.data(&serde_json::to_string_pretty(&schema::schema()).unwrap_or_default());
}
