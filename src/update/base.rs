//! The packs on each side of an update. The base is the pack exactly as it generated the
//! project: a built-in release embedded in this binary, a git pack at its recorded commit,
//! or a local folder still at its recorded version (a folder has no history: if it moved
//! on, the base cannot be rebuilt and the error says what is needed).

use super::record::Record;
use crate::environment::Environment;
use crate::error::{Error, Result};
use crate::pack::{BUILTIN_NAME, Pack, PackSource, releases, source};

/// The pack that generated the project.
pub fn old(record: &Record, env: &Environment) -> Result<Pack> {
    let Some(spec) = record.template.as_deref() else {
        if record.pack_name != BUILTIN_NAME {
            return Err(Error::BaseUnavailable {
                pack: record.pack_id(),
                reason: "the record names no `template:` to find it".into(),
                help: "restore `.aichor-answers.yaml` from version control".into(),
            });
        }
        return releases::builtin_at(&record.pack_version);
    };
    if source::is_git(spec) {
        let Some(commit) = record.commit.as_deref() else {
            return Err(Error::BaseUnavailable {
                pack: record.pack_id(),
                reason: "the record has no `commit:` for this git pack".into(),
                help: "add the commit the project was generated from as `commit: <sha>` to `.aichor-answers.yaml`".into(),
            });
        };
        if !(commit.len() == 40 && commit.bytes().all(|b| b.is_ascii_hexdigit())) {
            return Err(Error::BaseUnavailable {
                pack: record.pack_id(),
                reason: format!("the recorded `commit: {commit}` is not a full commit id (40 hex digits)"),
                help: "restore `.aichor-answers.yaml` from version control (`init` records the full commit)".into(),
            });
        }
        let resolved = source::resolve_at(spec, commit, env)?;
        let mut pack = Pack::from_dir_over(
            &resolved.dir,
            PackSource::Spec(resolved.source),
            Some(record.builtin_under()),
        )?;
        pack.commit = resolved.commit;
        return Ok(pack);
    }
    let resolved = source::resolve(spec, env)?;
    let pack = Pack::from_dir_over(
        &resolved.dir,
        PackSource::Spec(resolved.source),
        Some(record.builtin_under()),
    )?;
    if pack.info.version != record.pack_version {
        return Err(Error::BaseUnavailable {
            pack: record.pack_id(),
            reason: format!(
                "the pack in `{}` is now version {}",
                resolved.dir.display(),
                pack.info.version
            ),
            help: format!(
                "put version {} of the pack back in that folder (e.g. `git checkout` its tag), or publish the pack as a git repository and use `--template URL#tag`, so every version stays reachable",
                record.pack_version
            ),
        });
    }
    Ok(pack)
}

/// The pack to update to: `--template`, else the recorded source (a git pack's ref as
/// fetched now, a folder as it is now), else the current built-in pack.
pub fn new(spec: Option<&str>, record: &Record, env: &Environment) -> Result<Pack> {
    match spec.or(record.template.as_deref()) {
        Some(spec) => Pack::load(Some(spec), env),
        None => Pack::builtin(),
    }
}
