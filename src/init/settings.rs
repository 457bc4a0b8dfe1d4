//! What `init` was asked to do, resolved once from the command line and the environment by
//! the binary: the core never sees clap's types.

use std::path::PathBuf;

use super::answers::ProvidedAnswers;
use crate::config::Config;
use crate::environment::Environment;
use crate::error::NoPrompt;
pub use crate::generate::lock::LockPolicy;
use crate::printer::Format;
pub use crate::txn::write::WritePolicy;

/// Everything `init::run` needs to know about the request.
#[derive(Debug, Default)]
pub struct InitSettings {
    /// Where to create the project; `None` means `./<name>` once the name is known.
    pub destination: Option<PathBuf>,
    pub write: WritePolicy,
    /// `--dry-run`: decide and report everything as the real run would; write nothing.
    pub dry_run: bool,
    /// `--refresh`: fetch a git pack's ref again instead of reusing its cached clone.
    pub refresh: bool,
    pub lock: LockPolicy,
    /// How the report is printed (the presenter's concern; recorded for it).
    pub format: Format,
    /// `--template`: a folder, a git URL or a pack name; `None` means the answers file's
    /// recorded pack, else the built-in one.
    pub pack: Option<String>,
    /// Flags, `--set` and the answers file, merged by precedence.
    pub answers: ProvidedAnswers,
    /// Whether a user can be asked (a terminal, and no `--no-input`).
    pub interactive: bool,
    /// When no one can be asked: why (for the error naming a missing answer).
    pub no_prompt: NoPrompt,
    /// The user's config file (and `AICHOR_TEMPLATE`), below everything above.
    pub config: Config,
    /// The environment, read once by the binary (question defaults come from
    /// `AICHOR_<KEY>` once the pack's questions are known; packs by name and the cache
    /// from the user's folders).
    pub env: Environment,
}

impl InitSettings {
    /// The pack to load: `--template`, else the one an answers file was recorded with, else
    /// `AICHOR_TEMPLATE`, else the config file's `template`.
    pub fn pack_spec(&self) -> Option<&str> {
        self.pack
            .as_deref()
            .or(self.answers.template.as_deref())
            .or(self.config.template.as_ref().map(|t| t.value.as_str()))
    }

    /// The answers given, with the user's defaults for `keys` (the pack's questions):
    /// `AICHOR_<KEY>` over the config file's `[defaults]`.
    pub fn answers_with_defaults(&self, keys: &[String]) -> ProvidedAnswers {
        crate::generate::answers::with_user_defaults(&self.answers, keys, &self.config, &self.env)
    }
}
