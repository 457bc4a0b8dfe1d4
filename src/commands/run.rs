//! `aichor local-repo run`: the library's local run, presented: the plan (`--dry-run`),
//! or the run's summary, and the exit status it calls for.

use std::path::PathBuf;
use std::time::Duration;

use aichor::environment::Environment;
use aichor::error::{Error, Result};
use aichor::printer::Printer;
use aichor::run::supervise::Outcome;
use aichor::run::{self, DryRun, Report, RunSettings, Summary};

use crate::cli::{Format, RunArgs};

pub(super) fn run(args: RunArgs, printer: &Printer, env: &Environment) -> Result<()> {
    let cwd = std::env::current_dir().map_err(|e| Error::io(".", "cannot be read", e))?;
    // The processes inherit this environment: its names (to strip the platform's own), its
    // PATH and the active virtual environment are what the plan needs from it.
    let inherited: Vec<String> = std::env::vars_os()
        .filter_map(|(k, _)| k.into_string().ok())
        .collect();
    let json = args.format == Format::Json;
    let settings = RunSettings {
        manifest: args.manifest,
        workers: args.workers,
        dry_run: args.dry_run,
        json,
        timeout: args.timeout.map(Duration::from_secs),
        grace: Duration::from_secs(args.grace),
        keep: args.keep,
        args: args.args,
        cwd,
        env: env.clone(),
        inherited,
        path: std::env::var("PATH").ok(),
        virtual_env: std::env::var_os("VIRTUAL_ENV")
            .filter(|v| !v.is_empty())
            .map(PathBuf::from),
    };
    match run::run(&settings, printer)? {
        Report::Dry(dry) => {
            if json {
                printer.json(&dry)
            } else {
                printer.data(&dry_text(&dry));
                Ok(())
            }
        }
        Report::Ran(summary) => {
            if json {
                printer.json(&summary)?;
            } else {
                printer.note(&summary_text(&summary));
            }
            match summary.run.outcome {
                Outcome::Ok => Ok(()),
                Outcome::Interrupted if !json => Err(Error::Interrupted {
                    signal: summary.run.signal.unwrap_or(2),
                }),
                // With JSON the summary is the one document on stdout: an error that is
                // part of the report (exit 130/143 all the same).
                Outcome::Interrupted | Outcome::Failed | Outcome::Timeout => {
                    Err(Error::RunFailed {
                        first: summary.run.first_failure.clone(),
                        code: summary.run.exit_code,
                        timeout: summary.run.outcome == Outcome::Timeout,
                        signal: summary.run.signal,
                        folder: summary.run_folder.clone(),
                    })
                }
            }
        }
    }
}

fn quote(s: &str) -> String {
    if !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./=:,@%+".contains(c))
    {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

/// Per process: a line to paste into a shell (or a debugger's launch settings).
fn dry_text(dry: &DryRun) -> String {
    let mut out = format!(
        "{} ({}, {} process(es)); environment: {}\nrun folder: {}\n",
        dry.manifest.display(),
        dry.operator,
        dry.processes.len(),
        dry.environment,
        dry.run_folder.display()
    );
    for w in &dry.warnings {
        out.push_str(&format!("warning: {w}\n"));
    }
    for p in &dry.processes {
        out.push_str(&format!("\n[{}]\n  cwd:  {}\n", p.name, p.cwd.display()));
        let argv: Vec<String> = p.argv.iter().map(|a| quote(a)).collect();
        out.push_str(&format!("  argv: {}\n", argv.join(" ")));
        for (k, v) in &p.env {
            out.push_str(&format!("  env:  {k}={}\n", quote(v)));
        }
        if !p.unset.is_empty() {
            out.push_str(&format!("  unset: {}\n", p.unset.join(" ")));
        }
    }
    out
}

fn summary_text(s: &Summary) -> String {
    let width = s
        .run
        .processes
        .iter()
        .map(|p| p.name.len())
        .max()
        .unwrap_or(0);
    let mut out = String::from("\n");
    for p in &s.run.processes {
        let how = match (p.exit_code, p.signal) {
            (Some(c), _) => format!("exit {c}"),
            (None, Some(sig)) => format!("signal {sig}"),
            _ => "-".into(),
        };
        out.push_str(&format!(
            "  {:<width$}  {:<11} {:<9} {:>7.1}s\n",
            p.name, p.state, how, p.seconds
        ));
    }
    let outcome = match s.run.outcome {
        Outcome::Ok => "ok",
        Outcome::Failed => "failed",
        Outcome::Timeout => "timeout",
        Outcome::Interrupted => "interrupted",
    };
    out.push_str(&format!(
        "run {outcome} in {:.1}s; outputs: {} file(s), TensorBoard: {} file(s)\nrun folder: {} (logs/, outputs/, tensorboard/, summary.json)",
        s.run.seconds,
        s.outputs.len(),
        s.tensorboard.len(),
        s.run_folder.display()
    ));
    out
}
