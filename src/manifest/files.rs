//! Manifests on disk: finding them under the paths a user names (a folder's YAML files that
//! are not manifests skipped), validating one file with its repository findings, migrating
//! one (`migrate_file`) and replacing one in place atomically (`migrate --write`).

use std::path::{Path, PathBuf};

use serde::Serialize;

use super::migrate::{self, Refusal};
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

/// The manifests under the paths a user named, and the YAML files a folder walk skipped.
#[derive(Debug, Default)]
pub struct Found {
    /// Files named on the command line, then each folder's manifests, in a stable order
    /// (each file once).
    pub manifests: Vec<PathBuf>,
    /// YAML files found in folders that are not manifests by their content
    /// (`looks_like_manifest`): `.aichor-answers.yaml`, GitHub workflows, ...
    pub skipped: Vec<PathBuf>,
}

/// The manifests among `paths` (default `./aichor_manifests`): a file named is taken as a
/// manifest, whatever it holds; in a folder, every `*.yaml`/`*.yml` under `aichor_manifests/`
/// and elsewhere those whose content is a manifest's (`looks_like_manifest`), the others
/// skipped. `command` is the subcommand a
/// refusal's help names.
pub fn find(paths: &[PathBuf], command: &'static str) -> Result<Found> {
    let default = [PathBuf::from(MANIFESTS_DIR)];
    let roots = if paths.is_empty() {
        &default[..]
    } else {
        paths
    };
    let mut found = Found::default();
    let mut seen = std::collections::HashSet::new();
    let mut add = |list: &mut Vec<PathBuf>, p: PathBuf| {
        // The same path named twice (or named and inside a folder named) is handled once; two
        // links to one file are two manifests (two selectors), so links are not resolved.
        let key: PathBuf = std::path::absolute(&p)
            .unwrap_or_else(|_| p.clone())
            .components()
            .collect();
        if seen.insert(key) {
            list.push(p);
        }
    };
    for root in roots {
        if root.is_file() {
            add(&mut found.manifests, root.clone());
        } else if root.is_dir() {
            let mut files = Vec::new();
            walk(root, &mut files)?;
            for file in files {
                if in_manifests_dir(&file) || is_manifest_file(&file) {
                    add(&mut found.manifests, file);
                } else {
                    add(&mut found.skipped, file);
                }
            }
        } else {
            return Err(Error::NoManifests {
                dir: root.clone(),
                skipped: 0,
                command,
            });
        }
    }
    if found.manifests.is_empty() {
        return Err(Error::NoManifests {
            dir: roots[0].clone(),
            skipped: found.skipped.len(),
            command,
        });
    }
    Ok(found)
}

/// Whether a file is under an `aichor_manifests/` folder, where every YAML file is a manifest
/// (the platform runs any of them a commit names): none is skipped there, so a manifest that
/// lacks `builder` is reported, not passed over.
fn in_manifests_dir(file: &Path) -> bool {
    std::path::absolute(file)
        .unwrap_or_else(|_| file.to_path_buf())
        .parent()
        .is_some_and(|dir| dir.components().any(|c| c.as_os_str() == MANIFESTS_DIR))
}

/// Whether a file found in a folder is a manifest. One that cannot be read, or is not UTF-8,
/// is: reading it again reports what is wrong with it.
fn is_manifest_file(file: &Path) -> bool {
    match fs_err::read(file) {
        Ok(bytes) => std::str::from_utf8(&bytes).map_or(true, looks_like_manifest),
        Err(_) => true,
    }
}

/// Whether `text` is an AIchor manifest by its content: a document with
/// `kind: AIchorManifest`, or with `builder` and `spec.operator`. Text that does not load is
/// judged by its lines: a top-level `kind: AIchorManifest`, `builder:`, or `spec:` with an
/// `operator:` under it (a manifest with a syntax error is still reported).
pub fn looks_like_manifest(text: &str) -> bool {
    use saphyr::{LoadableYamlNode, MarkedYaml};
    let text = text.trim_start_matches('\u{feff}');
    let loaded = super::yaml::check_bounds(text)
        .ok()
        .and_then(|()| MarkedYaml::load_from_str(text).ok());
    if let Some(docs) = loaded {
        return docs.iter().any(|doc| {
            let get = |node, key| super::yaml::get(node, key);
            get(doc, "kind").and_then(super::yaml::as_str) == Some("AIchorManifest")
                || (get(doc, "builder").is_some()
                    && get(doc, "spec").and_then(|s| get(s, "operator")).is_some())
        });
    }
    let top = |prefix: &str| text.lines().any(|l| l.starts_with(prefix));
    let kind = text.lines().any(|l| {
        l.strip_prefix("kind:")
            .is_some_and(|v| v.trim().trim_matches(['"', '\'']) == "AIchorManifest")
    });
    kind || top("builder:")
        || (top("spec:")
            && text
                .lines()
                .any(|l| l.starts_with([' ', '\t']) && l.trim_start().starts_with("operator:")))
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
            return Err(Error::NoManifests {
                dir: root.clone(),
                skipped: 0,
                command: "validate",
            });
        }
    }
    if files.is_empty() {
        return Err(Error::NoManifests {
            dir: roots[0].clone(),
            skipped: 0,
            command: "validate",
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
        } else if p.extension().is_some_and(|e| e == "yaml" || e == "yml") && !is_temporary(&p) {
            out.push(p);
        }
    }
    Ok(())
}

/// `write_atomically`'s temporary file (`.aichor-staging-<pid>-<name>`): never a manifest,
/// even while it exists.
pub fn is_temporary(path: &Path) -> bool {
    path.file_name()
        .is_some_and(|n| n.to_string_lossy().starts_with(PREFIX))
}

/// The folders `collect` reads for `paths` (a file's folder, a folder and those under it,
/// links not followed): where an interrupted `migrate --write` may have left its temporary
/// file, for the next run to remove before reading (`txn::staging::recover`).
pub fn folders(paths: &[PathBuf]) -> Vec<PathBuf> {
    let default = [PathBuf::from(MANIFESTS_DIR)];
    let roots = if paths.is_empty() {
        &default[..]
    } else {
        paths
    };
    let mut out = Vec::new();
    let mut pending: Vec<PathBuf> = Vec::new();
    for root in roots {
        if root.is_dir() {
            pending.push(root.clone());
        } else if let Some(parent) = root.parent() {
            let parent = if parent.as_os_str().is_empty() {
                Path::new(".")
            } else {
                parent
            };
            out.push(parent.to_path_buf());
        }
    }
    while let Some(dir) = pending.pop() {
        for entry in fs_err::read_dir(&dir).into_iter().flatten().flatten() {
            let linked = entry.file_type().is_ok_and(|t| t.is_symlink());
            if !linked && entry.path().is_dir() {
                pending.push(entry.path());
            }
        }
        out.push(dir);
    }
    out
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
    // Held while the temporary file exists: recovery (which takes the folder's lock first)
    // removes only one whose writer is gone.
    let _writing = crate::txn::fs::DirLock::acquire(dir)?;
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

/// What `manifest migrate` did, or would do, to one file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MigrateOutcome {
    /// Rewritten in place (`--write`).
    Written,
    /// The result differs from the file; not written (no `--write`).
    Migrated,
    /// Already in today's shape: migrating changes nothing.
    Unchanged,
    /// The result still has errors: never written.
    Invalid,
    /// Not migrated automatically (`reason` says why and what to do).
    Refused,
    /// Could not be read or written (`reason`).
    Failed,
}

/// One file's migration, as `manifest migrate` reports it (`--format json` prints a list).
#[derive(Debug, Clone, Serialize)]
pub struct MigrateReport {
    pub file: String,
    pub outcome: MigrateOutcome,
    /// One line per change made (or that `--write` would make).
    pub changes: Vec<String>,
    /// Things to look at in the result (resources that differed, ...).
    pub warnings: Vec<String>,
    /// The errors the result still has (a result with any is never written).
    pub errors: Vec<Diagnostic>,
    /// Why the file was refused or failed, and what to do.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<Refusal>,
    /// The migrated text, unless it was written (or there is none).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
}

impl MigrateReport {
    /// The report of a file that could not be read or written.
    pub fn failed(file: &Path, error: &Error) -> MigrateReport {
        let mut message = error.to_string();
        for cause in error.causes() {
            message.push_str(": ");
            message.push_str(&cause);
        }
        MigrateReport {
            file: file.display().to_string(),
            outcome: MigrateOutcome::Failed,
            changes: Vec::new(),
            warnings: Vec::new(),
            errors: Vec::new(),
            reason: Some(Refusal {
                message,
                help: error.help().unwrap_or_default(),
            }),
            text: None,
        }
    }

    /// Whether the file is in today's shape now (written, or nothing to change); a dry run's
    /// `Migrated` counts as done too: `--write` would write it.
    pub fn ok(&self) -> bool {
        matches!(
            self.outcome,
            MigrateOutcome::Written | MigrateOutcome::Migrated | MigrateOutcome::Unchanged
        )
    }
}

/// Migrate one file; with `write`, replace it (atomically, through `fs`) when the result
/// differs and has no error left. A file that cannot be migrated is a `Refused` report, not
/// an error; `Err` is for a file that cannot be read or written.
pub fn migrate_file(fs: &dyn Fs, file: &Path, write: bool) -> Result<MigrateReport> {
    let text = fs_err::read_to_string(file).map_err(|e| Error::io(file, "cannot be read", e))?;
    let mut report = MigrateReport {
        file: file.display().to_string(),
        outcome: MigrateOutcome::Refused,
        changes: Vec::new(),
        warnings: Vec::new(),
        errors: Vec::new(),
        reason: None,
        text: None,
    };
    let m = match migrate::migrate(&text) {
        Ok(m) => m,
        Err(refusal) => {
            report.reason = Some(refusal);
            return Ok(report);
        }
    };
    report.errors = validate::validate_text(&m.text)
        .diagnostics
        .into_iter()
        .filter(|d| d.severity == Severity::Error)
        .collect();
    report.outcome = if !report.errors.is_empty() {
        MigrateOutcome::Invalid
    } else if m.text == text {
        MigrateOutcome::Unchanged
    } else if write {
        write_atomically(fs, file, &m.text)?;
        MigrateOutcome::Written
    } else {
        MigrateOutcome::Migrated
    };
    if report.outcome != MigrateOutcome::Written {
        report.text = Some(m.text);
    }
    report.changes = m.changes;
    report.warnings = m.warnings;
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::looks_like_manifest;

    #[test]
    fn a_manifest_is_known_by_its_content() {
        for (text, manifest) in [
            ("kind: AIchorManifest\n", true),
            ("builder: {}\nspec:\n  operator: jax\n", true),
            // Neither `builder` nor `kind`: an answers file, a workflow, a Kubernetes object.
            ("spec:\n  operator: jax\n", false),
            ("operator: jax\nproject_name: demo\n", false),
            ("name: ci\non: push\njobs: {}\n", false),
            (
                "apiVersion: v1\nkind: Pod\nspec:\n  containers: []\n",
                false,
            ),
            // Text that does not parse is judged by its top-level lines.
            ("kind: AIchorManifest\nspec: [\n", true),
            ("builder:\n  image: [x\n", true),
            ("spec:\n  operator: jax\n  types: {\n", true),
            ("jobs: [\n", false),
            // Several documents: a manifest among them is enough.
            ("a: 1\n---\nkind: AIchorManifest\n", true),
        ] {
            assert_eq!(looks_like_manifest(text), manifest, "{text:?}");
        }
    }
}
