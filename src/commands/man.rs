//! `aichor man` (hidden): the man pages, rendered by `clap_mangen` from the same clap
//! definition as `--help`, so they always match the installed binary. The main page goes
//! to stdout (`aichor man | man -l -`); `--out-dir` writes a page per command, which is
//! what packagers install into `share/man/man1/`.

use std::path::Path;

use aichor::error::{Error, Result};
use aichor::printer::Printer;

pub(super) fn run(out_dir: Option<&Path>, printer: &Printer) -> Result<()> {
    let mut cmd = crate::cli::command().disable_help_subcommand(true);
    // Subcommands get their display names (`aichor-local-repo-init`) and the propagated
    // version only once the command is built.
    cmd.build();
    let Some(dir) = out_dir else {
        printer.data(&String::from_utf8_lossy(&render(&cmd)?));
        return Ok(());
    };
    fs_err::create_dir_all(dir).map_err(|e| Error::io(dir, "cannot be created", e))?;
    let mut written = 0;
    write_pages(&cmd, dir, &mut written)?;
    printer.status(
        "Wrote",
        &format!("{written} man pages into `{}`", dir.display()),
    );
    Ok(())
}

/// `cmd`'s page and, recursively, one per visible subcommand (the pages' SEE ALSO and
/// SUBCOMMANDS sections name them, so they ship together).
fn write_pages(cmd: &clap::Command, dir: &Path, written: &mut usize) -> Result<()> {
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
        write_pages(sub, dir, written)?;
    }
    let name = cmd.get_display_name().unwrap_or_else(|| cmd.get_name());
    let path = dir.join(format!("{name}.1"));
    fs_err::write(&path, render(cmd)?).map_err(|e| Error::io(&path, "cannot be written", e))?;
    *written += 1;
    Ok(())
}

/// One page. Its footer says `aichor 0.1.0`: `--version`'s words about the platform CLI
/// belong to a terminal, not to the page's source line.
fn render(cmd: &clap::Command) -> Result<Vec<u8>> {
    let root = cmd.get_bin_name().unwrap_or_else(|| cmd.get_name());
    let root = root.split(' ').next().unwrap_or(root);
    let mut out = Vec::new();
    clap_mangen::Man::new(cmd.clone())
        .source(format!("{root} {}", env!("CARGO_PKG_VERSION")))
        .manual("AIchor repositories")
        .render(&mut out)
        .map_err(|e| Error::internal("the man page cannot be rendered", e))?;
    Ok(out)
}
