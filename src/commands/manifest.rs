//! `aichor manifest new | validate | migrate | schema`: the library's manifest commands,
//! presented.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use aichor::error::{Error, NoPrompt, Origin, Result};
use aichor::generate::answers::ProvidedAnswers;
use aichor::init::settings::{LockPolicy, WritePolicy};
use aichor::manifest::files::{self, FileResult};
use aichor::manifest::validate::{self, Severity};
use aichor::manifest::{migrate, schema};
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
    let results = files::collect(paths)?
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

/// Migrate one file: print the result, or rewrite it in place with `write`. A result that
/// still has errors is printed with them but never written: `--write` leaves the file byte for
/// byte as it was and exits 1.
pub(crate) fn migrate(file: &Path, write: bool, printer: &Printer) -> Result<()> {
    let text = fs_err::read_to_string(file).map_err(|e| Error::io(file, "cannot be read", e))?;
    let m = migrate::migrate(&text).map_err(|message| Error::Migrate {
        path: file.into(),
        message,
    })?;
    for warning in &m.warnings {
        printer.warn(warning);
    }
    let remaining: Vec<_> = validate::validate_text(&m.text)
        .diagnostics
        .into_iter()
        .filter(|d| d.severity == Severity::Error)
        .collect();
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
    if !write {
        for change in &m.changes {
            printer.status("Migrated", change);
        }
        printer.data(&m.text);
    } else if !remaining.is_empty() {
        printer.status(
            "Unchanged",
            &format!(
                "{} (not written: the result is still invalid)",
                file.display()
            ),
        );
    } else if m.text == text {
        printer.status(
            "Unchanged",
            &format!("{} is already in today's shape", file.display()),
        );
    } else {
        for change in &m.changes {
            printer.status("Migrated", change);
        }
        files::write_atomically(&RealFs, file, &m.text)?;
        printer.status("Wrote", &file.display().to_string());
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

/// Print the JSON Schema.
pub(super) fn schema(printer: &Printer) -> Result<()> {
    printer.json(&schema::schema())
}
