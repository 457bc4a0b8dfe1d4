//! Rendered projects as one reviewable text: the format of a pack's `tests/snapshots/` (kept
//! by `aichor templates test`) and of this repository's `template-tests/`.

use std::path::{Path, PathBuf};

use super::next_steps;
use crate::error::{Error, Result};
use crate::generate::answers::{self, ProvidedAnswers};
use crate::generate::build;
use crate::generate::questions::{FlagStyle, Questions};
use crate::generate::render::Plan;
use crate::layout::ANSWERS_FILE;
use crate::pack::Pack;

/// Files as `─── path ───` then their text, in the order given.
pub fn tree_text<'a>(files: impl IntoIterator<Item = (&'a str, &'a [u8])>) -> String {
    let mut out = String::new();
    for (path, bytes) in files {
        out.push_str(&format!(
            "─── {path} ───\n{}\n",
            String::from_utf8_lossy(bytes)
        ));
    }
    out
}

/// A pack snapshot: a header naming the answer set, then the tree (the answers record is
/// left out: it only repeats the answer set, plus the tool version).
pub fn pack_snapshot(stem: &str, plan: &Plan) -> String {
    let files = plan
        .files
        .iter()
        .filter(|f| f.path != ANSWERS_FILE)
        .map(|f| (f.path.as_str(), f.contents.as_slice()));
    format!(
        "# aichor templates test: rendered from tests/{stem}.yaml\n{}",
        tree_text(files)
    )
}

/// The answer sets of a pack: `DIR/tests/*.yaml`, sorted.
pub fn answer_sets(dir: &Path) -> Result<Vec<PathBuf>> {
    let tests = dir.join("tests");
    let mut sets: Vec<PathBuf> = fs_err::read_dir(&tests)
        .map_err(|e| {
            Error::io(
                &tests,
                "cannot be read (a pack's answer sets live there)",
                e,
            )
        })?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "yaml" || e == "yml"))
        .collect();
    sets.sort();
    if sets.is_empty() {
        return Err(Error::NoAnswerSets { dir: tests });
    }
    Ok(sets)
}

/// Render the answer set at `set` with `pack`, as its snapshot text.
pub fn render_set(pack: &Pack, set: &Path) -> Result<String> {
    let mut provided = ProvidedAnswers::default();
    provided.read_file(set)?;
    render_answers(pack, &set_name(set), &provided)
}

/// Render the answer set `text` (named `set` in errors) with `pack`, as its snapshot text:
/// the answer sets built into the binary have no file of their own.
pub fn render_text(pack: &Pack, set: &Path, text: &str) -> Result<String> {
    let mut provided = ProvidedAnswers::default();
    provided.add_file(set, text)?;
    render_answers(pack, &set_name(set), &provided)
}

fn render_answers(pack: &Pack, stem: &str, provided: &ProvidedAnswers) -> Result<String> {
    let answers = answers::collect(
        &Questions {
            pack,
            flags: FlagStyle::Init,
        },
        provided,
        None,
    )?;
    let project = build(pack, &answers)?;
    // The next steps are not part of the snapshot, but a step that fails to render is a
    // broken pack: `init` would refuse it.
    for locked in [false, true] {
        next_steps(
            pack,
            &project.engine,
            &project.ctx,
            Path::new("demo"),
            locked,
        )?;
    }
    Ok(pack_snapshot(stem, &project.plan))
}

/// `tests/gpu.yaml` → `gpu`.
pub fn set_name(set: &Path) -> String {
    set.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default()
}
