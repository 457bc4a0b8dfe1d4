//! A project's `.aichor-answers.yaml` as `update` reads it: the answers, and what the base
//! (the project as the recorded pack version generated it) needs: the pack and its version,
//! where it came from, the git commit, the built-in version under an extending pack, and
//! the manifests `manifest new` made (rendered again with the project). Files
//! written before any of these fields existed still read (see `builtin_under`).

use std::path::{Path, PathBuf};

use crate::error::{AnswersFileError, Error, Result};
use crate::generate::answers::ProvidedAnswers;
use crate::generate::recorded::{self, RecordedManifests};
use crate::layout::ANSWERS_FILE;

/// What the answers file says.
#[derive(Debug)]
pub struct Record {
    /// Where it is.
    pub path: PathBuf,
    /// Its text, byte for byte (a no-op update compares against it).
    pub text: String,
    /// `[pack] name` and `version` at generation.
    pub pack_name: String,
    pub pack_version: String,
    /// `--template` as given at generation; `None` for the built-in pack.
    pub template: Option<String>,
    /// The git commit of a git pack.
    pub commit: Option<String>,
    /// For a pack extending the built-in one: the built-in version under it.
    pub builtin: Option<String>,
    /// The recorded answers.
    pub answers: ProvidedAnswers,
    /// What `manifest new` made, by manifest path under `aichor_manifests/`.
    pub manifests: RecordedManifests,
}

impl Record {
    /// Read the project's record; a project without one was not made by `init`.
    pub fn read(project: &Path) -> Result<Record> {
        let path = project.join(ANSWERS_FILE);
        if !path.is_file() {
            let absolute = std::path::absolute(project).unwrap_or_else(|_| project.to_path_buf());
            return Err(Error::NotGenerated {
                path: project.to_path_buf(),
                file: ANSWERS_FILE,
                above: absolute
                    .ancestors()
                    .skip(1)
                    .find(|dir| dir.join(ANSWERS_FILE).is_file())
                    .map(Path::to_path_buf),
            });
        }
        let text = fs_err::read_to_string(&path).map_err(|e| Error::AnswersFile {
            path: path.clone(),
            source: AnswersFileError::Read(e),
        })?;
        let mut answers = ProvidedAnswers::default();
        // The same reader (and limits) as `--answers`.
        answers.add_file(&path, &text)?;
        let doc: yaml_serde::Value =
            yaml_serde::from_str(&text).map_err(|e| Error::AnswersFile {
                path: path.clone(),
                source: AnswersFileError::Yaml(e),
            })?;
        let field = |key: &str| match doc.get(key) {
            Some(yaml_serde::Value::String(s)) => Some(s.clone()),
            _ => None,
        };
        let pack = field("pack").ok_or_else(|| Error::BaseUnavailable {
            pack: ANSWERS_FILE.into(),
            reason: format!("`{}` records no `pack: name@version`", path.display()),
            help:
                "restore the file from version control (it is written by `aichor local-repo init`)"
                    .into(),
        })?;
        let Some((pack_name, pack_version)) = pack
            .split_once('@')
            .filter(|(n, v)| !n.trim().is_empty() && !v.trim().is_empty())
            .map(|(n, v)| (n.to_string(), v.to_string()))
        else {
            return Err(Error::BaseUnavailable {
                pack: pack.clone(),
                reason: format!(
                    "`{}` records `pack: {pack}`, not `pack: name@version`",
                    path.display()
                ),
                help: "restore the file from version control (it is written by `aichor local-repo init`)"
                    .into(),
            });
        };
        let manifests = recorded::read(&doc).map_err(|m| Error::AnswersFile {
            path: path.clone(),
            source: AnswersFileError::Manifests(m),
        })?;
        Ok(Record {
            manifests,
            pack_name,
            pack_version,
            template: field("template").filter(|t| t != crate::pack::BUILTIN_NAME),
            commit: field("commit"),
            builtin: field("builtin"),
            answers,
            path,
            text,
        })
    }

    /// `name@version`.
    pub fn pack_id(&self) -> String {
        format!("{}@{}", self.pack_name, self.pack_version)
    }

    /// The built-in version under an extending pack. Records written before this was
    /// recorded come from aichor releases whose only built-in version was 0.1.0.
    pub fn builtin_under(&self) -> &str {
        self.builtin.as_deref().unwrap_or("0.1.0")
    }
}
