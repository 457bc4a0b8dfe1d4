//! One adapter per command, above the library: each turns its clap arguments into the
//! library's settings, calls the library and presents the result through the printer.

mod adopt;
mod check;
mod config;
mod hook_offer;
mod init;
mod man;
mod manifest;
mod profiles;
mod run;
mod templates;
mod update;
mod version;

use aichor::environment::Environment;
use aichor::error::Result;
use aichor::printer::Printer;

use crate::cli::{
    Cli, Command, ConfigCommand, Format, LocalRepoCommand, ManifestCommand, ProfilesCommand,
    TemplatesCommand,
};

/// `env` is the environment and `config` the user's config file as `main` read them (once);
/// the commands that use the config file report it if it is broken.
pub(crate) fn run(
    cli: Cli,
    printer: &Printer,
    env: &Environment,
    config: Result<aichor::config::Config>,
) -> Result<()> {
    // Before anything is staged or prompted: Ctrl-C must clean up and restore the cursor.
    aichor::interrupt::install();
    // Spinners are for people at a terminal: not for programs reading JSON (their stderr may
    // well be a terminal), nor for anyone who turned them off.
    if !cli.no_progress && cli.format() != Format::Json {
        aichor::progress::enable();
    }
    // What a crashed run left here, beside here, or (init) beside the destination, where
    // staging folders sit, is put back before anything else.
    let destination = match &cli.command {
        Command::LocalRepo(LocalRepoCommand::Init(args)) => args.path.as_deref(),
        Command::LocalRepo(LocalRepoCommand::Update(args)) => args.path.as_deref(),
        Command::LocalRepo(LocalRepoCommand::Adopt(args)) => args.path.as_deref(),
        _ => None,
    };
    // `manifest new` stages beside the repository root, which may be above here.
    let root = match &cli.command {
        Command::Manifest(ManifestCommand::New(_)) => std::env::current_dir()
            .ok()
            .and_then(|cwd| aichor::manifest_new::selector::find_root(&cwd).ok()),
        _ => None,
    };
    let destination = destination.or(root.as_deref());
    // `manifest migrate --write` leaves its temporary file beside the manifest: the folders
    // the manifest commands (and check, its manifests folder) read are looked at too.
    let manifest_folders = match &cli.command {
        Command::Manifest(
            ManifestCommand::Validate { paths, .. } | ManifestCommand::Migrate { paths, .. },
        ) => aichor::manifest::files::folders(paths),
        Command::LocalRepo(LocalRepoCommand::Check(args)) => {
            let from = args.path.clone().unwrap_or_else(|| ".".into());
            aichor::check::find_root(&from)
                .map(|root| {
                    let mut dirs = aichor::manifest::files::folders(&[
                        root.join(aichor::manifest::repo::MANIFESTS_DIR)
                    ]);
                    dirs.push(root);
                    dirs
                })
                .unwrap_or_default()
        }
        _ => Vec::new(),
    };
    recover_around(destination, &manifest_folders, printer);
    match cli.command {
        Command::LocalRepo(LocalRepoCommand::Init(args)) => init::run(args, printer, env, config),
        Command::LocalRepo(LocalRepoCommand::Check(args)) => check::run(&args, printer, env),
        Command::LocalRepo(LocalRepoCommand::Hooks(cmd)) => check::hooks(cmd, printer),
        Command::LocalRepo(LocalRepoCommand::Adopt(args)) => adopt::run(args, printer, env, config),
        Command::LocalRepo(LocalRepoCommand::Run(args)) => run::run(args, printer, env),
        Command::LocalRepo(LocalRepoCommand::Update(args)) => {
            update::run(args, printer, env, config)
        }
        Command::Manifest(cmd) => match cmd {
            ManifestCommand::New(args) => manifest::new(args, printer, env, config),
            ManifestCommand::Validate {
                paths,
                strict,
                format,
            } => manifest::validate(&paths, format.into(), strict, printer),
            ManifestCommand::Migrate {
                paths,
                write,
                format,
            } => manifest::migrate(&paths, write, format.into(), printer),
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
            env,
        ),
        Command::Templates(cmd) => match cmd {
            TemplatesCommand::List { format } => templates::list(format.into(), printer, env),
            TemplatesCommand::Show { pack, format } => {
                templates::show(&pack, format.into(), printer, env)
            }
            TemplatesCommand::New { dir } => templates::new(&dir, printer),
            TemplatesCommand::Test { pack, update } => templates::test(&pack, update, printer, env),
        },
        Command::Config(ConfigCommand::Path) => {
            config::path(printer, env);
            Ok(())
        }
        Command::Config(ConfigCommand::Show { template, format }) => {
            config::show(template.as_deref(), format.into(), printer, env, config)
        }
        Command::Completions { shell } => {
            let mut cmd = crate::cli::command();
            let name = cmd.get_name().to_string();
            let mut out = Vec::new();
            clap_complete::generate(shell, &mut cmd, name, &mut out);
            printer.data(&String::from_utf8_lossy(&out));
            Ok(())
        }
        Command::Man { out_dir } => man::run(out_dir.as_deref(), printer),
        Command::Version => version::run(printer, env),
    }
}

/// A failed `uv lock`: the warning with what to do `then`, and uv's whole output below it
/// (captured while the spinner ran), unless it was the one line already shown.
pub(super) fn warn_lock_failed(printer: &Printer, lock: &aichor::init::LockOutcome, then: &str) {
    if let aichor::init::LockOutcome::Failed { reason, output } = lock {
        printer.warn(&format!("`uv lock` failed ({reason}); {then}"));
        if !output.trim().is_empty() && output.trim() != reason {
            printer.note("  uv said:");
            for line in output.lines() {
                printer.note(&format!("    {line}"));
            }
        }
    }
}

/// Put back what abandoned staging folders were doing, saying so: in the current folder,
/// the one above it, the one above `destination` and `more` (the manifest folders a command
/// reads), each looked at once.
fn recover_around(
    destination: Option<&std::path::Path>,
    more: &[std::path::PathBuf],
    printer: &Printer,
) {
    let cwd = std::env::current_dir().ok();
    let beside_destination = destination
        .and_then(|d| std::path::absolute(d).ok())
        .and_then(|d| d.parent().map(std::path::Path::to_path_buf));
    let mut dirs: Vec<std::path::PathBuf> = Vec::new();
    for dir in [
        cwd.clone(),
        cwd.as_deref()
            .and_then(std::path::Path::parent)
            .map(Into::into),
        beside_destination,
    ]
    .into_iter()
    .flatten()
    .chain(more.iter().filter_map(|d| std::path::absolute(d).ok()))
    {
        if !dirs.contains(&dir) {
            dirs.push(dir);
        }
    }
    for dir in dirs {
        for line in aichor::txn::staging::recover(&aichor::txn::fs::RealFs, &dir) {
            printer.status("Recovered", &line);
        }
    }
}
