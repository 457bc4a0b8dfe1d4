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
