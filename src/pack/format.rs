//! `pack.toml`: the documented contract of a template pack (see docs/manual.md, "Template packs").
//! Unknown keys are errors, so a typo never silently does nothing.

use serde::{Deserialize, Serialize};

/// The whole `pack.toml`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PackToml {
    pub pack: PackInfo,
    /// Values shared by several files (pinned versions, URLs): `{{ vars.x }}`.
    #[serde(default)]
    pub vars: serde_json::Map<String, serde_json::Value>,
    /// Shown after a successful init; Tera strings, one per step.
    #[serde(default, rename = "next-steps")]
    pub next_steps: Option<Vec<String>>,
    /// Questions asked after the built-in ones, in this order.
    #[serde(default)]
    pub questions: Vec<QuestionSpec>,
    /// Conditions on files under `files/`.
    #[serde(default)]
    pub files: Vec<FileRule>,
}

/// `[pack]`.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct PackInfo {
    /// `^[a-z][a-z0-9-]*$`.
    pub name: String,
    /// Semver.
    pub version: String,
    pub description: String,
    /// `builtin`: start from the built-in pack.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extends: Option<String>,
    /// A semver requirement on the tool, e.g. `>=0.1`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requires_aichor: Option<String>,
}

/// The type of a pack question.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum QuestionType {
    String,
    Bool,
    Int,
    Choice,
}

/// `[[questions]]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QuestionSpec {
    /// Answered by `--set key=...`; the template variable name.
    pub key: String,
    pub prompt: String,
    #[serde(rename = "type")]
    pub kind: QuestionType,
    /// Strings may use earlier answers: `"{{ name }}-data"`.
    #[serde(default)]
    pub default: Option<serde_json::Value>,
    /// string only: the answer must match.
    #[serde(default)]
    pub pattern: Option<String>,
    /// choice only.
    #[serde(default)]
    pub choices: Option<Vec<String>>,
    /// A Tera expression over earlier answers; the question is asked only when true.
    #[serde(default)]
    pub when: Option<String>,
    /// Shown with the prompt.
    #[serde(default)]
    pub help: Option<String>,
    /// `false`: never prompted (an option a user sets once, with `--set`, an answers file or
    /// the config file's `[defaults]`); its default applies otherwise.
    #[serde(default = "yes")]
    pub ask: bool,
}

fn yes() -> bool {
    true
}

/// `[[files]]`: what applies to one path under `files/`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileRule {
    pub path: String,
    /// A Tera expression over the answers; the file is written only when it holds.
    #[serde(default)]
    pub when: Option<String>,
    /// Write the file with the executable bits set (a script the project runs).
    #[serde(default)]
    pub executable: bool,
}
