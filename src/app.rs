//! Dispatch: decides once whether a user can be asked, runs the command, and turns its
//! result into output through the printer.

use std::io::IsTerminal;

use clap::CommandFactory;

use crate::cli::{
    Cli, Command, Format, InitArgs, LocalRepoCommand, ManifestCommand, ProfilesCommand,
    TemplatesCommand,
};
use crate::error::{Error, Origin, Result};
use crate::init::{self, Report};
use crate::manifest;
use crate::operator::Operator;
use crate::pack::{self, Pack};
use crate::printer::Printer;
use crate::prompt::{self, Prompter};

pub fn run(cli: Cli, printer: &Printer) -> Result<()> {
    // Before anything is staged or prompted: Ctrl-C must clean up and restore the cursor.
    crate::interrupt::install();
    match cli.command {
        Command::LocalRepo(LocalRepoCommand::Init(args)) => run_init(&args, printer),
        Command::Manifest(cmd) => match cmd {
            ManifestCommand::Validate {
                paths,
                strict,
                format,
            } => manifest::command::validate(&paths, format, strict, printer),
            ManifestCommand::Migrate { file, write } => {
                manifest::command::migrate(&file, write, printer)
            }
            ManifestCommand::Schema => {
                manifest::command::schema(printer);
                Ok(())
            }
        },
        Command::Profiles(ProfilesCommand::List {
            template,
            operator,
            format,
        }) => list_profiles(template.as_deref(), operator.as_deref(), format, printer),
        Command::Templates(cmd) => match cmd {
            TemplatesCommand::List { format } => pack::command::list(format, printer),
            TemplatesCommand::Show { pack, format } => pack::command::show(&pack, format, printer),
            TemplatesCommand::New { dir } => pack::command::new(&dir, printer),
            TemplatesCommand::Test { dir, update } => pack::command::test(&dir, update, printer),
        },
        Command::Completions { shell } => {
            let mut out = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "aichor", &mut out);
            printer.data(&String::from_utf8_lossy(&out));
            Ok(())
        }
    }
}

fn run_init(args: &InitArgs, printer: &Printer) -> Result<()> {
    // dialoguer draws on stderr and reads the terminal: both must be a TTY, or a prompt
    // would fail with an I/O error instead of naming the missing flag.
    let interactive =
        !args.no_input && std::io::stdin().is_terminal() && console::user_attended_stderr();
    let mut terminal = interactive.then(prompt::Terminal::new);
    let report = init::run(
        args,
        terminal.as_mut().map(|t| t as &mut dyn Prompter),
        printer,
    )?;
    match args.format {
        Format::Json => printer.data(&serde_json::to_string_pretty(&report).unwrap_or_default()),
        Format::Text => print_report(&report, printer),
    }
    Ok(())
}

fn print_report(report: &Report, printer: &Printer) {
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
        return;
    }
    printer.status(
        "Created",
        &format!(
            "`{}` ({} files, {} {})",
            report.destination,
            report.files.len(),
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
}

fn list_profiles(
    template: Option<&str>,
    operator: Option<&str>,
    format: Format,
    printer: &Printer,
) -> Result<()> {
    let op = match operator {
        None => None,
        Some(raw) => Some(Operator::parse(raw).ok_or_else(|| Error::InvalidAnswer {
            key: "operator".into(),
            value: raw.into(),
            origin: Origin::Flag("--operator".into()),
            reason: "not a known operator".into(),
            help: format!(
                "pass `--operator` with one of: {}",
                Operator::ALL.map(Operator::id).join(", ")
            ),
        })?),
    };
    let pack = Pack::load(template)?;
    let profiles: Vec<_> = pack
        .profiles
        .iter()
        .filter(|p| op.is_none_or(|op| p.supports(op)))
        .collect();
    match format {
        Format::Json => {
            let list: Vec<serde_json::Value> = profiles
                .iter()
                .map(|p| {
                    let mut v = serde_json::to_value(p).unwrap_or_default();
                    v["summary"] = p.resources.summary().into();
                    v["accelerator"] = p.accelerator().into();
                    v
                })
                .collect();
            printer.data(&serde_json::to_string_pretty(&list).unwrap_or_default());
        }
        Format::Text => {
            let w = profiles
                .iter()
                .map(|p| p.id.len())
                .max()
                .unwrap_or(2)
                .max(2);
            let r = profiles
                .iter()
                .map(|p| p.resources.summary().chars().count())
                .max()
                .unwrap_or(9)
                .max(9);
            let mut out = format!(
                "{:<w$}  {:<r$}  {:<10}  DESCRIPTION\n",
                "ID", "RESOURCES", "OPERATORS"
            );
            for p in profiles {
                let ops = if p.operators.is_empty() {
                    "all".to_string()
                } else {
                    p.operators.join(",")
                };
                let summary = p.resources.summary();
                let pad = r - summary.chars().count();
                out.push_str(&format!(
                    "{:<w$}  {summary}{}  {ops:<10}  {}\n",
                    p.id,
                    " ".repeat(pad),
                    p.description
                ));
            }
            printer.data(&out);
        }
    }
    Ok(())
}
