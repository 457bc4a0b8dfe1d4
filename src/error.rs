//! The one error type: every failure the user can see, its wording, its `help:` line and its
//! exit code. Messages are lowercase, one line, user values in backticks, never coloured here
//! (colour is the printer's job).

use std::path::PathBuf;

/// Where a value came from, so an error can point at the right flag or file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// A dedicated flag such as `--operator`.
    Flag(String),
    /// `--set key=value`.
    Set,
    /// A key in an answers file.
    AnswersFile(PathBuf),
    /// The last component of the destination path (the default project name).
    Path,
    /// Typed at a prompt.
    Prompt,
}

impl std::fmt::Display for Origin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Origin::Flag(flag) => write!(f, "from `{flag}`"),
            Origin::Set => write!(f, "from `--set`"),
            Origin::AnswersFile(path) => write!(f, "in `{}`", path.display()),
            Origin::Path => write!(f, "from the destination path"),
            Origin::Prompt => write!(f, "at the prompt"),
        }
    }
}

/// Every error `aichor` reports.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("no value for `{key}` and prompting is disabled")]
    MissingAnswer { key: String, flag: String },

    #[error("invalid {key} `{value}` ({origin}): {reason}")]
    InvalidAnswer {
        key: String,
        value: String,
        origin: Origin,
        reason: String,
        help: String,
    },

    #[error("unknown question `{key}` ({origin})")]
    UnknownKey {
        key: String,
        origin: Origin,
        known: Vec<String>,
        suggestion: Option<String>,
    },

    #[error("`--set {arg}` is not of the form KEY=VALUE")]
    BadSet { arg: String },

    #[error("cannot read answers file `{}`: {message}", path.display())]
    AnswersFile { path: PathBuf, message: String },

    #[error("destination `{}` is not empty", path.display())]
    DestinationNotEmpty { path: PathBuf },

    #[error("cannot merge into the existing `{}`: {message}", path.display())]
    Merge { path: PathBuf, message: String },

    #[error("destination `{}` exists and is not a directory", path.display())]
    DestinationNotDir { path: PathBuf },

    #[error("`{}` {action}: {source}", path.display())]
    Io {
        path: PathBuf,
        action: &'static str,
        source: std::io::Error,
    },

    #[error("template pack `{pack}`: {file}: {message}")]
    Pack {
        pack: String,
        file: String,
        message: String,
    },

    #[error("template pack `{pack}` requires aichor {requirement}; this is {version}")]
    PackRequires {
        pack: String,
        requirement: String,
        version: String,
    },

    #[error("{} of {total} answer set(s) failed: {}", failed.len(), failed.join(", "))]
    PackTests { failed: Vec<String>, total: usize },

    #[error("cannot find template pack `{spec}`")]
    PackNotFound { spec: String, searched: Vec<String> },

    #[error("cannot fetch template pack `{url}`: {message}")]
    PackFetch { url: String, message: String },

    #[error("unsafe path `{path}`: {reason}")]
    UnsafePath { path: String, reason: String },

    #[error("template `{template}` failed to render: {message}")]
    Render { template: String, message: String },

    #[error("generated manifest `{file}` is invalid at `{key}`: {message}")]
    Manifest {
        file: String,
        key: String,
        message: String,
    },

    #[error("unknown profile `{id}`")]
    UnknownProfile { id: String, known: Vec<String> },

    #[error("{invalid} of {total} manifest(s) invalid")]
    InvalidManifests { invalid: usize, total: usize },

    #[error("no manifests found under `{}`", dir.display())]
    NoManifests { dir: PathBuf },

    #[error("cannot migrate `{}`: {message}", path.display())]
    Migrate { path: PathBuf, message: String },

    #[error("prompt failed: {0}")]
    Prompt(std::io::Error),

    #[error("aborted")]
    Aborted,

    #[error("interrupted")]
    Interrupted,
}

impl Error {
    /// The remedy, naming the flag to pass where there is one.
    pub fn help(&self) -> Option<String> {
        Some(match self {
            Error::MissingAnswer { flag, .. } => {
                format!("pass `{flag}` (or run in a terminal without `--no-input` to be asked)")
            }
            Error::InvalidAnswer { help, .. } => help.clone(),
            Error::UnknownKey {
                suggestion, known, ..
            } => match suggestion {
                Some(s) => format!("did you mean `{s}`? known keys: {}", known.join(", ")),
                None => format!("known keys: {}", known.join(", ")),
            },
            Error::BadSet { .. } => "write it as `--set key=value`, e.g. `--set workers=2`".into(),
            Error::AnswersFile { .. } => {
                "the file must be a YAML mapping of question keys to values, e.g. `operator: jax`"
                    .into()
            }
            Error::DestinationNotEmpty { .. } => {
                "choose another PATH, or pass `--force` to write into it (existing files are listed before being replaced)".into()
            }
            Error::DestinationNotDir { .. } => "choose another PATH".into(),
            Error::Merge { .. } => "fix the file (or move it away) and run again".into(),
            Error::Io { .. } => "check the path and its permissions".into(),
            Error::PackTests { .. } => "review the differences; if they are intended, rerun with `--update`".into(),
            Error::PackRequires { .. } => "upgrade aichor (see its releases), or use an older version of the pack".into(),
            Error::PackNotFound { searched, .. } => format!(
                "pass a folder, a git URL (`https://…/pack.git#v1`) or a pack name found in: {}",
                if searched.is_empty() { "(no search folders)".to_string() } else { searched.join(", ") }
            ),
            Error::PackFetch { .. } => "check the URL and ref; a pack fetched once is reused offline from the cache".into(),
            Error::UnsafePath { .. } => "packs may only write inside the destination".into(),
            Error::Pack { .. } | Error::Render { .. } | Error::Manifest { .. } => {
                "fix the pack file named above (`aichor templates test <DIR>` checks a pack); for the built-in pack, please report a bug".into()
            }
            Error::UnknownProfile { known, .. } => {
                format!("pass one of: {} (see `aichor profiles list`)", known.join(", "))
            }
            Error::InvalidManifests { .. } => "fix the errors above; `aichor manifest schema` gives your editor the same rules".into(),
            Error::NoManifests { .. } => "pass manifest files or folders: `aichor manifest validate PATH...`".into(),
            Error::Migrate { .. } => "edit the file by hand (see `aichor manifest validate`)".into(),
            Error::Prompt(_) => "pass every answer as a flag and add `--no-input`".into(),
            Error::Aborted => "nothing was written".into(),
            Error::Interrupted => return None,
        })
    }

    /// 2 for usage errors (fix the command line), 130 for Ctrl-C, 1 for everything else.
    pub fn exit_code(&self) -> u8 {
        match self {
            Error::MissingAnswer { .. }
            | Error::InvalidAnswer { .. }
            | Error::UnknownKey { .. }
            | Error::BadSet { .. }
            | Error::AnswersFile { .. }
            | Error::UnknownProfile { .. }
            | Error::NoManifests { .. } => 2,
            Error::Interrupted => 130,
            _ => 1,
        }
    }

    /// A failed prompt: Ctrl-C in raw mode arrives as `Interrupted` (exit 130).
    pub fn from_prompt(e: std::io::Error) -> Self {
        if e.kind() == std::io::ErrorKind::Interrupted {
            Error::Interrupted
        } else {
            Error::Prompt(e)
        }
    }

    /// Shorthand for an I/O error that names the path and what we were doing.
    pub fn io(path: impl Into<PathBuf>, action: &'static str, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            action,
            source,
        }
    }
}

/// An error and its sources on one line: Tera keeps the useful part (line, variable) there.
pub fn error_chain(e: &dyn std::error::Error) -> String {
    let mut msg = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        msg.push_str(": ");
        msg.push_str(&s.to_string());
        source = s.source();
    }
    msg.replace('\n', " ")
}

/// The closest of `candidates` to `input`, if it is close enough to be a likely typo.
pub fn did_you_mean<'a>(
    input: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<String> {
    let input = input.to_ascii_lowercase();
    let candidates: Vec<&str> = candidates.into_iter().collect();
    // A truncated value (`gpu-a100`) means the longer one, whatever the edit distance says.
    if !input.is_empty()
        && let Some(c) = candidates
            .iter()
            .filter(|c| c.to_ascii_lowercase().starts_with(&input))
            .min_by_key(|c| c.len())
    {
        return Some(c.to_string());
    }
    candidates
        .into_iter()
        .map(|c| (edit_distance(&input, &c.to_ascii_lowercase()), c))
        .filter(|(d, c)| *d <= (c.len() / 3).max(1))
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c.to_string())
}

/// Levenshtein distance; inputs are short keys, so the quadratic table is fine.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_close_keys_only() {
        assert_eq!(
            did_you_mean("opertor", ["operator", "profile"]),
            Some("operator".into())
        );
        assert_eq!(did_you_mean("zzz", ["operator", "profile"]), None);
    }
}
