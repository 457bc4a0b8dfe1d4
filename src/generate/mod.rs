//! The generator: answers → context → plan, pure. `init`, `update` and `manifest new` all
//! render through it: `questions` (the table of questions and their validators), `answers`
//! (collecting them from flags, files and prompts), `context` (the typed context derived from
//! them), `render` (the pack's templates into an in-memory plan), `merge` (merging a plan's
//! mergeable files into what a destination already has), `text` (three-way merge of a text
//! file in the user's style), `lock` (running `uv lock` on a staged project).

pub mod answers;
pub mod context;
pub mod lock;
pub mod merge;
pub mod questions;
pub mod recorded;
pub mod render;
pub mod text;

use serde::Serialize;

use crate::error::{Error, Result};
use crate::layout::ANSWERS_FILE;
use crate::pack::Pack;
use context::Context;
use questions::Answers;
use render::{Engine, PlannedFile};

/// A rendered project, before anything touches the disk.
pub struct Project {
    pub ctx: Context,
    pub engine: Engine,
    pub plan: render::Plan,
}

/// Answers → context → plan (with the answers record), checked; pure.
pub fn build(pack: &Pack, answers: &Answers) -> Result<Project> {
    let ctx = Context::resolve(answers, pack)?;
    let engine = Engine::new(pack)?;
    let mut plan = render::plan(&ctx, pack, &engine)?;
    plan.files.push(PlannedFile {
        path: ANSWERS_FILE.into(),
        executable: false,
        contents: record(answers, pack)?.into_bytes(),
    });
    plan.files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(Project { ctx, engine, plan })
}

/// The `.aichor-answers.yaml` text: enough to replay the run with `--answers`.
fn record(answers: &Answers, pack: &Pack) -> Result<String> {
    #[derive(Serialize)]
    #[serde(rename_all = "kebab-case")]
    struct Record<'a> {
        aichor_version: &'a str,
        pack: String,
        /// Where the pack came from, so a replay finds it (absent for the built-in pack).
        #[serde(skip_serializing_if = "Option::is_none")]
        template: Option<&'a str>,
        #[serde(skip_serializing_if = "Option::is_none")]
        commit: Option<&'a str>,
        /// The built-in version a pack that extends it was layered over.
        #[serde(skip_serializing_if = "Option::is_none")]
        builtin: Option<&'a str>,
        answers: yaml_serde::Mapping,
    }
    let body = yaml_serde::to_string(&Record {
        aichor_version: env!("CARGO_PKG_VERSION"),
        pack: pack.id(),
        template: pack.source.spec(),
        commit: pack.commit.as_deref(),
        builtin: pack.builtin_version.as_deref(),
        answers: answers.to_mapping(),
    })
    .map_err(|e| Error::internal(format!("`{ANSWERS_FILE}` cannot be written as YAML"), e))?;
    Ok(format!(
        "# Answers that generated this project. Replay them with:\n#   aichor local-repo init <dir> --answers {ANSWERS_FILE} --no-input\n{body}"
    ))
}
