//! One adapter per command, above the library: each turns its clap arguments into the
//! library's settings, calls the library and presents the result through the printer.

mod init;
mod manifest;
mod profiles;
mod templates;

use aichor::error::Result;
use aichor::printer::Printer;
use clap::CommandFactory;

use crate::cli::{
    Cli, Command, LocalRepoCommand, ManifestCommand, ProfilesCommand, TemplatesCommand,
};

pub(crate) fn run(cli: Cli, printer: &Printer) -> Result<()> {
    // Before anything is staged or prompted: Ctrl-C must clean up and restore the cursor.
    aichor::interrupt::install();
    // What a crashed run left here (or beside here) is put back before anything else.
    if let Ok(cwd) = std::env::current_dir() {
        recover(&cwd, printer);
        if let Some(parent) = cwd.parent() {
            recover(parent, printer);
        }
    }
    match cli.command {
        Command::LocalRepo(LocalRepoCommand::Init(args)) => init::run(args, printer),
        Command::Manifest(cmd) => match cmd {
            ManifestCommand::Validate {
                paths,
                strict,
                format,
            } => manifest::validate(&paths, format.into(), strict, printer),
            ManifestCommand::Migrate { file, write } => manifest::migrate(&file, write, printer),
            ManifestCommand::Schema => manifest::schema(printer),
        },
        Command::Profiles(ProfilesCommand::List {
            template,
            operator,
            format,
        }) => profiles::list(
            template.as_deref(),
            operator.as_deref(),
            format.into(),
            printer,
        ),
        Command::Templates(cmd) => match cmd {
            TemplatesCommand::List { format } => templates::list(format.into(), printer),
            TemplatesCommand::Show { pack, format } => {
                templates::show(&pack, format.into(), printer)
            }
            TemplatesCommand::New { dir } => templates::new(&dir, printer),
            TemplatesCommand::Test { dir, update } => templates::test(&dir, update, printer),
        },
        Command::Completions { shell } => {
            let mut out = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "aichor", &mut out);
            printer.data(&String::from_utf8_lossy(&out));
            Ok(())
        }
    }
}

/// Put back what abandoned staging folders in `dir` were doing, saying so.
pub(crate) fn recover(dir: &std::path::Path, printer: &Printer) {
    for line in aichor::staging::recover(&aichor::fs::RealFs, dir) {
        printer.status("Recovered", &line);
    }
}
