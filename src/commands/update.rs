//! `aichor local-repo update`: resolve the flags into `UpdateSettings`, run the library's
//! update, present its report, and turn remaining conflicts into exit status 3.

use aichor::environment::Environment;
use std::io::IsTerminal;
use std::path::PathBuf;

use aichor::error::{Error, NoPrompt, Result};
use aichor::generate::answers::ProvidedAnswers;
use aichor::printer::{Format, Printer};
use aichor::prompt::{Prompter, Terminal};
use aichor::update::{self, ConflictStyle, Report, Status, UpdateSettings};

use crate::cli::{Conflict, UpdateArgs};

pub(super) fn run(
    args: UpdateArgs,
    printer: &Printer,
    env: &Environment,
    config: Result<aichor::config::Config>,
) -> Result<()> {
    // Asked only in a terminal (dialoguer draws on stderr and reads the terminal).
    let interactive =
        !args.no_input && std::io::stdin().is_terminal() && console::user_attended_stderr();
    let settings = resolve(args, env, config?)?;
    let mut terminal = interactive.then(Terminal::new);
    let report = update::run(
        &settings,
        terminal.as_mut().map(|t| t as &mut dyn Prompter),
        printer,
    )?;
    present(&report, settings.format, printer)?;
    if report.conflicts.is_empty() {
        Ok(())
    } else {
        Err(Error::Conflicts {
            files: report.conflicts,
            dry_run: report.dry_run,
        })
    }
}

fn resolve(
    args: UpdateArgs,
    env: &Environment,
    config: aichor::config::Config,
) -> Result<UpdateSettings> {
    let mut answers = ProvidedAnswers::default();
    if let Some(path) = &args.answers {
        answers.read_file(path)?;
    }
    answers.add_sets(&args.set)?;
    Ok(UpdateSettings {
        project: args.path.unwrap_or_else(|| PathBuf::from(".")),
        pack: args.template,
        answers,
        dry_run: args.dry_run,
        refresh: args.refresh,
        force: args.force,
        conflict: match args.conflict {
            Conflict::Inline => ConflictStyle::Inline,
            Conflict::Rej => ConflictStyle::Rej,
        },
        format: args.format.into(),
        no_prompt: if args.no_input {
            NoPrompt::NoInput
        } else {
            NoPrompt::NoTerminal
        },
        env: env.clone(),
        config,
    })
}

/// JSON on stdout; or, in text, the per-file plan (with the diffs in a dry run) on stdout
/// and the summary on stderr.
fn present(report: &Report, format: Format, printer: &Printer) -> Result<()> {
    super::warn_lock_failed(
        printer,
        &report.lock,
        "run it in the project before building",
    );
    if format == Format::Json {
        return printer.json(report);
    }
    let mut out = String::new();
    for c in &report.answers_changed {
        out.push_str(&format!(
            "answer    {}: {} -> {}\n",
            c.key,
            c.from.as_deref().unwrap_or("(none)"),
            c.to.as_deref().unwrap_or("(none)")
        ));
    }
    for f in report
        .files
        .iter()
        .filter(|f| f.status != Status::Unchanged)
    {
        out.push_str(&format!("{:<9} {}", f.status.as_str(), f.path));
        if let Some(detail) = &f.detail {
            out.push_str(&format!(" ({detail})"));
        }
        out.push('\n');
    }
    for change in &report.lock_changes {
        out.push_str(&format!("locked    {change}\n"));
    }
    if report.dry_run {
        for d in &report.diffs {
            out.push('\n');
            out.push_str(d);
        }
    }
    if !out.is_empty() {
        printer.data(&out);
    }
    let unchanged = report
        .files
        .iter()
        .filter(|f| f.status == Status::Unchanged)
        .count();
    if report.up_to_date {
        printer.status(
            "Up to date",
            &format!(
                "`{}` already matches {} with these answers; nothing written",
                report.project, report.to
            ),
        );
    } else {
        let what = if report.from == report.to {
            format!("{} with new answers", report.to)
        } else {
            format!("{} -> {}", report.from, report.to)
        };
        if report.dry_run {
            printer.status(
                "Dry run",
                &format!("{what}: nothing written ({unchanged} file(s) unchanged)"),
            );
        } else {
            printer.status(
                "Updated",
                &format!(
                    "`{}`: {what} ({unchanged} file(s) unchanged); review it with `git diff`",
                    report.project
                ),
            );
        }
    }
    Ok(())
}
