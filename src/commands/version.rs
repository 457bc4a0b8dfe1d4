//! `aichor version`: what a bug report needs, one fact a line: the version (`--version`'s
//! line), the commit it was built from, the target triple, the built-in pack's version and
//! the frozen ones this binary can update from, and the uv that init and check would run.

use aichor::environment::Environment;
use aichor::error::Result;
use aichor::pack::{self, Pack};
use aichor::printer::Printer;

/// The commit, set by the release workflow (`AICHOR_COMMIT`) for the build; read at compile
/// time, so an ordinary `cargo build` neither knows nor needs it (no build script runs git,
/// and a dirty tree does not rebuild anything).
const COMMIT: Option<&str> = option_env!("AICHOR_COMMIT");

pub(super) fn run(printer: &Printer, env: &Environment) -> Result<()> {
    let builtin = Pack::builtin()?;
    let frozen = pack::releases::versions();
    let uv = match aichor::uv::find(env) {
        Ok(path) => match aichor::uv::version(&path) {
            Ok(v) => format!("{} ({v})", path.display()),
            Err(why) => format!("{} ({why})", path.display()),
        },
        Err(why) => format!("not found: {why}"),
    };
    let commit = match COMMIT.filter(|c| !c.is_empty()) {
        Some(c) => c.to_string(),
        None => "unknown (built from source; release builds name it)".to_string(),
    };
    let lines = [
        format!("{} {}", crate::cli::invoked_name(), crate::cli::VERSION),
        format!("commit:        {commit}"),
        format!("target:        {}", env!("AICHOR_TARGET")),
        format!(
            "built-in pack: {} {} (earlier versions kept for update: {})",
            pack::BUILTIN_NAME,
            builtin.info.version,
            if frozen.is_empty() {
                "none".to_string()
            } else {
                frozen.join(", ")
            }
        ),
        format!("uv:            {uv}"),
    ];
    printer.data(&(lines.join("\n") + "\n"));
    Ok(())
}
