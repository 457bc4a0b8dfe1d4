//! `local-repo adopt`: the flags as settings, the library's run, the plan as a table.

use std::path::PathBuf;

use aichor::adopt::{self, Action, AdoptSettings, Report};
use aichor::config::Config;
use aichor::error::{Error, Result};
use aichor::printer::{Format, Printer};
use aichor::prompt::Terminal;

use crate::cli::AdoptArgs;

pub(super) fn run(
    args: AdoptArgs,
    printer: &Printer,
    env: &aichor::environment::Environment,
    config: Result<Config>,
) -> Result<()> {
    // `--hooks`/`--no-hooks`, else the config file's `hooks`, else asked at a terminal.
    let choice = if args.hooks {
        Some(true)
    } else if args.no_hooks {
        Some(false)
    } else {
        config?.hooks.map(|h| h.value)
    };
    let terminals = super::init::Terminals::detect();
    let interactive = !args.no_input
        && args.format == crate::cli::Format::Text
        && terminals.stdin
        && terminals.stderr;
    let settings = AdoptSettings {
        path: args.path.unwrap_or_else(|| PathBuf::from(".")),
        dry_run: args.dry_run,
        force: args.force,
        expect_plan: args.plan,
        format: args.format.into(),
        uv: args.uv,
        env: env.clone(),
    };
    let report = adopt::run(&settings, printer)?;
    present(&report, settings.format, printer)?;
    if !report.dry_run && !report.triggers.is_empty() {
        offer_hook(&report, choice, interactive, printer)?;
    }
    let left: Vec<String> = report
        .items
        .iter()
        .filter(|i| matches!(i.action, Action::Manual | Action::Conflict))
        .map(|i| i.path.clone())
        .collect();
    if left.is_empty() {
        Ok(())
    } else {
        Err(Error::ManifestsLeft { paths: left })
    }
}

/// JSON on stdout; or, in text, one line per manifest (stdout), then how to run them and
/// the files that still name old paths, and the summary (stderr).
fn present(report: &Report, format: Format, printer: &Printer) -> Result<()> {
    if format == Format::Json {
        return printer.json(report);
    }
    let mut out = String::new();
    for i in report.items.iter().filter(|i| i.action != Action::Keep) {
        out.push_str(&format!("{:<9} {}", i.action.as_str(), i.path));
        if let Some(to) = &i.to {
            out.push_str(&format!(" -> {to}"));
        }
        if !i.changes.is_empty() {
            let what = if i.action == Action::Edit {
                ""
            } else {
                "migrated: "
            };
            out.push_str(&format!(" ({what}{})", i.changes.join("; ")));
        }
        if let Some(reason) = &i.reason {
            out.push_str(&format!("\n          {reason}"));
        }
        out.push('\n');
    }
    if !out.is_empty() {
        printer.data(&out);
    }
    let moved = count(report, Action::Move);
    let migrated = count(report, Action::Migrate);
    let uv = count(report, Action::Create) + count(report, Action::Edit);
    if !report.up_to_date && moved + migrated + uv == 0 {
        // Nothing written: what is left for the user is listed above, and the error says so.
    } else if report.up_to_date {
        printer.status(
            "Up to date",
            &format!(
                "every manifest of `{}` is under aichor_manifests/ in today's shape",
                report.root
            ),
        );
    } else {
        let mut what = format!("{moved} manifest(s) moved, {migrated} migrated in place");
        if uv > 0 {
            what.push_str(&format!(", {uv} file(s) created or edited for uv"));
        }
        if report.dry_run {
            printer.status(
                "Dry run",
                &format!(
                    "{what}: nothing written (write exactly this plan with `--plan {}`)",
                    report.plan_sha256
                ),
            );
        } else {
            printer.status("Adopted", &format!("`{}`: {what}", report.root));
        }
    }
    for dir in &report.removed_dirs {
        printer.status("Removed", &format!("`{dir}/` (empty)"));
    }
    if !report.triggers.is_empty() {
        printer.note("\nEach manifest runs with a commit whose message starts with its path:");
        for t in &report.triggers {
            let before = t
                .before
                .as_ref()
                .map(|b| format!("  # {b}"))
                .unwrap_or_default();
            printer.note(&format!("  {}{before}", t.message));
        }
    }
    if !report.references.is_empty() {
        printer.note("\nThese lines name a moved manifest's old path (not edited):");
        for r in &report.references {
            printer.note(&format!("  {}:{}: {} -> {}", r.file, r.line, r.old, r.new));
        }
    }
    Ok(())
}

fn count(report: &Report, action: Action) -> usize {
    report.items.iter().filter(|i| i.action == action).count()
}

/// The commit-msg hook, once the manifests have their commit messages: installed with
/// `--hooks` (or the config's `hooks = true`), offered at a terminal, else named.
fn offer_hook(
    report: &Report,
    choice: Option<bool>,
    interactive: bool,
    printer: &Printer,
) -> Result<()> {
    let root = std::path::Path::new(&report.root);
    let at_git_root = root.join(".git").exists();
    let install = match choice {
        Some(yes) => yes,
        None if interactive && at_git_root => super::hook_offer::ask(&mut Terminal::new())?,
        None => {
            if at_git_root {
                printer.note(
                    "\nCheck each commit message as AIchor reads it: `aichor local-repo hooks install`",
                );
            }
            false
        }
    };
    if install {
        super::hook_offer::install(root, "--hooks", printer);
    }
    Ok(())
}
