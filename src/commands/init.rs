//! `aichor local-repo init`: resolve the flags and the environment into `InitSettings` once,
//! run the library's pipeline, and present its report (the only place init's outcome is
//! printed).

use aichor::environment::Environment;
use std::io::IsTerminal;

use aichor::config::Config;
use aichor::error::{NoPrompt, Origin, Result};
use aichor::generate::answers::ProvidedAnswers;
use aichor::init::settings::{InitSettings, LockPolicy, WritePolicy};
use aichor::init::{self, Action, LockOutcome, Report};
use aichor::printer::{Format, Printer};
use aichor::prompt::{Prompter, Terminal};

use crate::cli::InitArgs;

pub(super) fn run(
    args: InitArgs,
    printer: &Printer,
    env: &Environment,
    config: Result<Config>,
) -> Result<()> {
    let (hooks, no_hooks) = (args.hooks, args.no_hooks);
    let settings = resolve(args, &Terminals::detect(), env, config)?;
    // `--hooks`/`--no-hooks` override each other in clap; without either, the config file's;
    // without that, a user at a terminal is asked (below, once the project is written).
    let choice = if hooks {
        Some(true)
    } else if no_hooks {
        Some(false)
    } else {
        settings.config.hooks.as_ref().map(|h| h.value)
    };
    let mut terminal = settings.interactive.then(Terminal::new);
    let report = init::run(
        &settings,
        terminal.as_mut().map(|t| t as &mut dyn Prompter),
        printer,
    )?;
    if !report.dry_run {
        // Asked right after "Write these files?", before the report and next steps.
        let destination = std::path::Path::new(&report.destination);
        let install = match (choice, terminal.as_mut()) {
            (Some(yes), _) => yes,
            // Offered only where it can be installed now: init does not run `git init`.
            // Only at a repository's root: a project inside another repository is not what a
            // push there runs.
            (None, Some(t)) if destination.join(".git").exists() => super::hook_offer::ask(t)?,
            (None, _) => false,
        };
        if install {
            super::hook_offer::install(destination, "--hooks", printer);
        }
    }
    present(&report, settings.format, printer)
}

/// Whether stdin and stderr are terminals: dialoguer draws on stderr and reads the terminal,
/// so both must be, or a prompt would fail with an I/O error instead of naming the flag.
pub(super) struct Terminals {
    pub stdin: bool,
    pub stderr: bool,
}

impl Terminals {
    pub(super) fn detect() -> Terminals {
        Terminals {
            stdin: std::io::stdin().is_terminal(),
            stderr: console::user_attended_stderr(),
        }
    }
}

/// The flags as settings: precedence of answers (dedicated flag > `--set` > answers file >
/// the destination's name), the write and lock policies, and whether anyone can be asked.
pub(super) fn resolve(
    args: InitArgs,
    terminals: &Terminals,
    env: &Environment,
    config: Result<Config>,
) -> Result<InitSettings> {
    let mut answers = ProvidedAnswers::default();
    if let Some(path) = &args.answers {
        answers.read_file(path)?;
    }
    answers.add_sets(&args.set)?;
    let flags = [
        ("name", "--name", args.name),
        ("operator", "--operator", args.operator),
        ("profile", "--profile", args.profile),
        ("workers", "--workers", args.workers),
        ("python", "--python", args.python),
        (
            "tensorboard",
            "--tensorboard",
            args.tensorboard.then(|| "true".into()),
        ),
        (
            "tensorboard",
            "--no-tensorboard",
            args.no_tensorboard.then(|| "false".into()),
        ),
    ];
    for (key, flag, value) in flags {
        if let Some(v) = value {
            answers.insert(key, v, Origin::Flag(flag.into()));
        }
    }
    if let Some(path) = &args.path {
        answers.name_from_destination(path);
    }
    // A dry run decides like the real run: into a non-empty folder it needs `--force` too.
    let write = if args.force {
        WritePolicy::Force
    } else {
        WritePolicy::Ask
    };
    // `--lock` and `--no-lock` override each other in clap: at most one is set.
    let lock = if args.no_lock {
        LockPolicy::Skip
    } else if args.lock {
        LockPolicy::Required
    } else {
        LockPolicy::Auto
    };
    Ok(InitSettings {
        destination: args.path,
        write,
        dry_run: args.dry_run,
        refresh: args.refresh,
        lock,
        format: args.format.into(),
        pack: args.template,
        answers,
        interactive: !args.no_input && terminals.stdin && terminals.stderr,
        no_prompt: if args.no_input {
            NoPrompt::NoInput
        } else {
            NoPrompt::NoTerminal
        },
        config: config?,
        env: env.clone(),
    })
}

/// The report: JSON on stdout, or the file list (dry run) / status and next steps, with the
/// warnings about the lock and replaced files on stderr.
fn present(report: &Report, format: Format, printer: &Printer) -> Result<()> {
    match &report.lock {
        LockOutcome::Failed { .. } => {
            super::warn_lock_failed(
                printer,
                &report.lock,
                "run it in the project before building",
            );
        }
        LockOutcome::Skipped(why) if report.lock_required => {
            printer.warn(&format!("`uv lock` skipped: {why}"));
        }
        LockOutcome::Kept => printer.status(
            "Kept",
            "your `uv.lock` (run `uv lock` in the project, or pass `--lock`, to update it)",
        ),
        LockOutcome::Skipped(_) | LockOutcome::Locked => {}
    }
    let (merged, overwrote) = if report.dry_run {
        ("Would merge", "would overwrite")
    } else {
        ("Merged", "overwrote")
    };
    for path in &report.merged {
        printer.status(merged, &format!("into your `{path}` (your values kept)"));
    }
    for path in &report.overwritten {
        printer.warn(&format!("{overwrote} `{path}`"));
    }
    if format == Format::Json {
        return printer.json(report);
    }
    if report.dry_run {
        let mut out = String::new();
        for f in &report.files {
            let action = f.action.as_str();
            out.push_str(&format!("{action:<9} {} ({} bytes)\n", f.path, f.bytes));
        }
        printer.data(&out);
        printer.status(
            "Dry run",
            &format!(
                "nothing written; {} files would go to `{}`",
                report.files.len(),
                report.destination
            ),
        );
        return Ok(());
    }
    printer.status(
        "Created",
        &format!(
            "`{}` ({} files, {} {})",
            report.destination,
            report
                .files
                .iter()
                .filter(|f| f.action != Action::Keep)
                .count(),
            report.pack.name,
            report.pack.version
        ),
    );
    if !report.next_steps.is_empty() {
        printer.note("\nNext steps:");
        for step in &report.next_steps {
            printer.note(&format!("  {step}"));
        }
    }
    Ok(())
}
