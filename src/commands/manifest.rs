//! `aichor manifest new | validate | migrate | schema`: the library's manifest commands,
//! presented.

use std::io::IsTerminal;
use std::path::PathBuf;

use aichor::error::{Error, NoPrompt, Origin, Result};
use aichor::generate::answers::ProvidedAnswers;
use aichor::init::settings::{LockPolicy, WritePolicy};
use aichor::manifest::files::{self, FileResult, MigrateOutcome, MigrateReport};
use aichor::manifest::schema;
use aichor::manifest::validate::Severity;
use aichor::manifest_new::{self, NewSettings};
use aichor::printer::{Format, Printer};
use aichor::prompt::{Prompter, Terminal};
use aichor::txn::Action;
use aichor::txn::fs::RealFs;

use crate::cli::ManifestNewArgs;

/// `manifest new`: the flags as settings, the library's run, its report.
pub(super) fn new(
    args: ManifestNewArgs,
    printer: &Printer,
    env: &aichor::environment::Environment,
    config: Result<aichor::config::Config>,
) -> Result<()> {
    let mut answers = ProvidedAnswers::default();
    answers.add_sets(&args.set)?;
    for (key, flag, value) in [
        ("operator", "--operator", args.operator),
        ("profile", "--profile", args.profile),
        ("workers", "--workers", args.workers),
    ] {
        if let Some(v) = value {
            answers.insert(key, v, Origin::Flag(flag.into()));
        }
    }
    let terminal = std::io::stdin().is_terminal() && console::user_attended_stderr();
    let settings = NewSettings {
        path: args.path,
        start: std::env::current_dir().map_err(|e| Error::io(".", "cannot be resolved", e))?,
        answers,
        command: args.command,
        dockerfile: args.dockerfile,
        write: if args.force {
            WritePolicy::Force
        } else {
            WritePolicy::Ask
        },
        dry_run: args.dry_run,
        lock: if args.no_lock {
            LockPolicy::Skip
        } else {
            LockPolicy::Auto
        },
        interactive: !args.no_input && terminal,
        no_prompt: if args.no_input {
            NoPrompt::NoInput
        } else {
            NoPrompt::NoTerminal
        },
        config: config?,
        env: env.clone(),
    };
    let mut prompter = settings.interactive.then(Terminal::new);
    let report = manifest_new::run(
        &settings,
        prompter.as_mut().map(|t| t as &mut dyn Prompter),
        printer,
    )?;
    for note in &report.notes {
        printer.warn(note);
    }
    super::warn_lock_failed(
        printer,
        &report.lock,
        "run it in the project before pushing",
    );
    if args.format == crate::cli::Format::Json {
        return printer.json(&report);
    }
    if report.dry_run {
        let mut out = String::new();
        for f in &report.files {
            out.push_str(&format!(
                "{:<9} {} ({} bytes)\n",
                f.action.as_str(),
                f.path,
                f.bytes
            ));
        }
        out.push_str(&format!(
            "\n─── {} ───\n{}",
            report.manifest, report.manifest_text
        ));
        printer.data(&out);
        printer.status(
            "Dry run",
            &format!(
                "nothing written; `{}` would run with `{}`",
                report.manifest, report.commit_message
            ),
        );
        return Ok(());
    }
    for f in report.files.iter().filter(|f| f.action != Action::Keep) {
        let verb = match f.action {
            Action::Create => "Created",
            Action::Merge => "Updated",
            _ => "Replaced",
        };
        printer.status(verb, &format!("`{}`", f.path));
    }
    printer.data(&report.manifest);
    printer.note("\nNext steps:");
    for step in &report.next_steps {
        printer.note(&format!("  {step}"));
    }
    Ok(())
}

/// Validate `paths` (files or folders; default `./aichor_manifests`).
pub(super) fn validate(
    paths: &[PathBuf],
    format: Format,
    strict: bool,
    printer: &Printer,
) -> Result<()> {
    let found = files::find(paths, "validate")?;
    list_skipped(&found, printer);
    let results = found
        .manifests
        .iter()
        .map(|file| files::validate_file(file, strict))
        .collect::<Result<Vec<_>>>()?;
    match format {
        Format::Json => printer.json(&results)?,
        Format::Text => printer.data(&validate_text(&results)),
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

/// `file:line:column: severity [key]: message`, the help under it, then a line per valid file.
fn validate_text(results: &[FileResult]) -> String {
    let mut out = String::new();
    for r in results {
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
    out
}

/// Migrate `paths` (files, and the manifests in folders): print each result, or rewrite the
/// files in place with `write`. A result that still has errors is printed with them but never
/// written. One file reads as it always has (its text on stdout, its refusal as the error);
/// several get a header each and a summary line, and every file is tried before the run fails.
pub(crate) fn migrate(
    paths: &[PathBuf],
    write: bool,
    format: Format,
    printer: &Printer,
) -> Result<()> {
    let found = files::find(paths, "migrate")?;
    list_skipped(&found, printer);
    let single = found.manifests.len() == 1 && format == Format::Text;
    let mut reports = Vec::new();
    for file in &found.manifests {
        match files::migrate_file(&RealFs, file, write) {
            Ok(report) => reports.push(report),
            // One file's read or write error is the run's error when it is the only file; a
            // signal stops the run (the file being written is left as it was).
            Err(e) if single || matches!(e, Error::Interrupted { .. }) => return Err(e),
            Err(e) => reports.push(MigrateReport::failed(file, &e)),
        }
    }
    let failed = reports.iter().filter(|r| !r.ok()).count();
    if format == Format::Json {
        printer.json(&serde_json::json!({
            "schema_version": 1,
            "ok": failed == 0,
            "write": write,
            "files": reports,
        }))?;
    } else if let [report] = reports.as_slice() {
        return migrate_text(report, write, false, printer);
    } else {
        for report in &reports {
            // Every file is reported; the run fails at the end.
            let _ = migrate_text(report, write, true, printer);
        }
        printer.status("Summary", &migrate_summary(&reports, write));
    }
    if failed == 0 {
        Ok(())
    } else {
        Err(Error::NotMigrated {
            failed,
            total: reports.len(),
        })
    }
}

/// One file's migration as text. `several`: the file's name heads its lines (and its text),
/// and its failure is printed here rather than returned.
fn migrate_text(
    report: &MigrateReport,
    write: bool,
    several: bool,
    printer: &Printer,
) -> Result<()> {
    let file = &report.file;
    let named = |line: &str| {
        if several {
            format!("{file}: {line}")
        } else {
            line.to_string()
        }
    };
    if let Some(reason) = &report.reason {
        let error = Error::Migrate {
            path: file.into(),
            message: reason.message.clone(),
            help: reason.help.clone(),
        };
        if !several {
            return Err(error);
        }
        printer.error(&error);
        return Ok(());
    }
    for warning in &report.warnings {
        printer.warn(&named(warning));
    }
    for d in &report.errors {
        let path = if d.path.is_empty() {
            String::new()
        } else {
            format!(" [{}]", d.path)
        };
        printer.warn(&format!(
            "{file}:{}:{}: still invalid{path}: {}",
            d.line, d.column, d.message
        ));
    }
    let changed = report.outcome != MigrateOutcome::Unchanged;
    match (report.outcome, write) {
        (MigrateOutcome::Invalid, true) => printer.status(
            "Unchanged",
            &format!("{file} (not written: the result is still invalid)"),
        ),
        (MigrateOutcome::Unchanged, true) => {
            printer.status("Unchanged", &format!("{file} is already in today's shape"));
        }
        (MigrateOutcome::Unchanged, false) if several => {
            printer.status("Unchanged", &format!("{file} is already in today's shape"));
        }
        _ => {
            for change in &report.changes {
                printer.status("Migrated", &named(change));
            }
            if report.outcome == MigrateOutcome::Written {
                printer.status("Wrote", file);
            }
        }
    }
    if let Some(text) = &report.text
        && !write
        && (changed || !several)
    {
        if several {
            printer.data(&format!("─── {file} ───\n{text}"));
        } else {
            printer.data(text);
        }
    }
    if report.errors.is_empty() {
        Ok(())
    } else {
        Err(Error::InvalidManifests {
            invalid: 1,
            total: 1,
        })
    }
}

/// `4 manifests: 2 written, 1 already in today's shape, 1 refused`.
fn migrate_summary(reports: &[MigrateReport], write: bool) -> String {
    let count = |outcome| reports.iter().filter(|r| r.outcome == outcome).count();
    let parts: Vec<String> = [
        (MigrateOutcome::Written, "written"),
        (
            MigrateOutcome::Migrated,
            if write {
                "migrated"
            } else {
                "to migrate (`--write` writes them)"
            },
        ),
        (MigrateOutcome::Unchanged, "already in today's shape"),
        (MigrateOutcome::Invalid, "still invalid (not written)"),
        (MigrateOutcome::Refused, "not migrated automatically"),
        (MigrateOutcome::Failed, "not read or written"),
    ]
    .into_iter()
    .filter_map(|(outcome, what)| {
        let n = count(outcome);
        (n > 0).then(|| format!("{n} {what}"))
    })
    .collect();
    format!("{} manifests: {}", reports.len(), parts.join(", "))
}

/// With `-v`, the YAML files a folder walk did not take for manifests.
fn list_skipped(found: &files::Found, printer: &Printer) {
    for file in &found.skipped {
        printer.verbose(&format!(
            "skipped `{}`: not a manifest (no `kind: AIchorManifest`, no `builder` with `spec.operator`)",
            file.display()
        ));
    }
}

/// Print the JSON Schema.
pub(super) fn schema(printer: &Printer) -> Result<()> {
    printer.json(&schema::schema())
}
