//! Template packs. A pack is a folder: `pack.toml` (identity, questions, file conditions,
//! shared values), `profiles.toml`, `files/` (the project tree: `*.tera` rendered with the
//! suffix dropped, anything else copied byte for byte; path components may use
//! `{{ variables }}`), `partials/` (included by files, never written) and `tests/` (answer
//! sets for `aichor templates test`). The built-in pack is embedded from `templates/builtin`;
//! a pack with `extends = "builtin"` is layered over it.

mod format;
pub mod releases;
pub mod source;

use crate::environment::Environment;
use std::borrow::Cow;
use std::path::Path;

use include_dir::{Dir, include_dir};

use crate::error::{Error, Result};
use crate::profile::{Profile, ProfileFile, Resources};
pub use format::{FileRule, PackInfo, PackToml, QuestionSpec, QuestionType};

static BUILTIN: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/templates/builtin");

/// Keys a pack question may not take: the built-in questions and the derived variables.
pub const RESERVED_KEYS: &[&str] = &[
    "name",
    "operator",
    "profile",
    "workers",
    "python",
    "tensorboard",
    "distribution",
    "package",
    "image",
    "operator_description",
    "profile_description",
    "profile_summary",
    "profile_timeout",
    "accelerator",
    "gpus",
    "resources",
    "head_resources",
    "worker_group",
    "python_tag",
    "manifest_path",
    "dependency_group",
    "vars",
    "pack",
    "aichor_version",
    "cd",
    "locked",
    "git_repo",
    "git_remote",
    "git_parent",
];

/// One file of a pack, by its path relative to the pack's folder part (`files/`, `partials/`).
#[derive(Debug, Clone)]
pub struct PackFile {
    pub path: String,
    pub contents: Cow<'static, [u8]>,
}

/// A loaded, checked (and, with `extends`, layered) template pack.
#[derive(Debug)]
pub struct Pack {
    pub info: PackInfo,
    /// Where it came from.
    pub source: PackSource,
    /// The git commit it was read at, for git packs.
    pub commit: Option<String>,
    /// For a pack that extends the built-in one: the built-in version under it (recorded,
    /// so `update` can layer the same one again).
    pub builtin_version: Option<String>,
    pub vars: serde_json::Map<String, serde_json::Value>,
    /// Steps printed after init (Tera strings; `cd` holds the path to change into).
    pub next_steps: Vec<String>,
    pub profiles: Vec<Profile>,
    /// KubeRay head resources for profiles without their own `head`.
    pub default_head: Option<Resources>,
    /// Files under `files/`, path relative to `files/`.
    pub files: Vec<PackFile>,
    /// Files under `partials/`, path relative to `partials/`.
    pub partials: Vec<PackFile>,
    /// The pack's own questions, asked after the built-in ones.
    pub questions: Vec<QuestionSpec>,
    /// Conditions on files.
    pub file_rules: Vec<FileRule>,
    /// `questions` by key (a pack may have thousands).
    question_index: std::collections::HashMap<String, usize>,
}

/// Where a pack came from: what `.aichor-answers.yaml` records (`template:`) so a replay
/// finds the same pack.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PackSource {
    /// The pack compiled into this binary (a record names no `template:`).
    Builtin,
    /// A folder, a pack name or a git `URL#ref`, as it was given.
    Spec(String),
}

impl PackSource {
    /// What `template:` records: `None` for the built-in pack.
    pub fn spec(&self) -> Option<&str> {
        match self {
            PackSource::Builtin => None,
            PackSource::Spec(spec) => Some(spec),
        }
    }
}

impl std::fmt::Display for PackSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.spec().unwrap_or(BUILTIN_NAME))
    }
}

/// The built-in pack's name (in `pack.toml`, `extends = "builtin"`, `--template builtin`).
pub const BUILTIN_NAME: &str = "builtin";

impl Pack {
    /// The pack compiled into the binary.
    pub fn builtin() -> Result<Pack> {
        let mut all = Vec::new();
        collect_embedded(&BUILTIN, &mut all);
        Pack::parse(BUILTIN_NAME, &all, PackSource::Builtin)
    }

    /// Load the pack `--template` names (folder, git URL or name), layered when it extends.
    pub fn load(spec: Option<&str>, env: &Environment) -> Result<Pack> {
        let Some(spec) = spec.filter(|s| *s != BUILTIN_NAME) else {
            return Pack::builtin();
        };
        let resolved = source::resolve(spec, env)?;
        let mut pack = Pack::from_dir(&resolved.dir, PackSource::Spec(resolved.source))?;
        pack.commit = resolved.commit;
        Ok(pack)
    }

    /// Load the git pack `spec` (`URL#ref`) at exactly `commit` (a replay's or an update's
    /// recorded commit, whatever the ref points at now).
    pub fn load_at(spec: &str, commit: &str, env: &Environment) -> Result<Pack> {
        let resolved = source::resolve_at(spec, commit, env)?;
        let mut pack = Pack::from_dir(&resolved.dir, PackSource::Spec(resolved.source))?;
        pack.commit = resolved.commit;
        Ok(pack)
    }

    /// Load a pack folder.
    pub fn from_dir(dir: &Path, source: PackSource) -> Result<Pack> {
        Pack::from_dir_over(dir, source, None)
    }

    /// Load a pack folder; one that extends the built-in pack is layered over built-in
    /// `builtin_version` (a frozen release), or the current one when `None`.
    pub fn from_dir_over(
        dir: &Path,
        source: PackSource,
        builtin_version: Option<&str>,
    ) -> Result<Pack> {
        let id = dir.display().to_string();
        let mut all = Vec::new();
        collect_dir(dir, dir, &id, &mut all)?;
        let pack = Pack::parse(&id, &all, source)?;
        match pack.info.extends.as_deref() {
            None => {
                if pack.profiles.is_empty() {
                    return Err(pack_err(
                        &id,
                        "profiles.toml",
                        "a pack that does not extend `builtin` needs its own profiles.toml".into(),
                    ));
                }
                Ok(pack)
            }
            Some(BUILTIN_NAME) => Ok(match builtin_version {
                Some(v) => releases::builtin_at(v)?,
                None => Pack::builtin()?,
            }
            .layered(pack)),
            Some(other) => Err(pack_err(
                &id,
                "pack.toml",
                format!("`extends = \"{other}\"`: only `builtin` can be extended"),
            )),
        }
    }

    fn parse(id: &str, all: &[PackFile], source: PackSource) -> Result<Pack> {
        let text = |name: &str| -> Result<Option<String>> {
            all.iter()
                .find(|f| f.path == name)
                .map(|f| {
                    String::from_utf8(f.contents.to_vec())
                        .map_err(|_| pack_err(id, name, "not UTF-8 text".into()))
                })
                .transpose()
        };
        let pack_toml = text("pack.toml")?
            .ok_or_else(|| pack_err(id, "pack.toml", "missing: every pack needs one".into()))?;
        let PackToml {
            pack: info,
            vars,
            next_steps,
            questions,
            files: file_rules,
        } = toml_edit::de::from_str(&pack_toml)
            .map_err(|e| toml_err(id, "pack.toml", &pack_toml, e))?;
        validate_info(id, &info)?;
        let profiles = match text("profiles.toml")? {
            Some(t) => {
                let file: ProfileFile = toml_edit::de::from_str(&t)
                    .map_err(|e| toml_err(id, "profiles.toml", &t, e))?;
                file.validate()
                    .map_err(|m| pack_err(id, "profiles.toml", m))?;
                file
            }
            None => ProfileFile {
                default_head: None,
                profiles: Vec::new(),
            },
        };
        let under = |prefix: &str| -> Vec<PackFile> {
            all.iter()
                .filter_map(|f| {
                    f.path.strip_prefix(prefix).map(|rest| PackFile {
                        path: rest.to_string(),
                        contents: f.contents.clone(),
                    })
                })
                .collect()
        };
        let pack = Pack {
            info,
            source,
            commit: None,
            builtin_version: None,
            vars,
            next_steps: next_steps.unwrap_or_default(),
            profiles: profiles.profiles,
            default_head: profiles.default_head,
            files: under("files/"),
            partials: under("partials/"),
            question_index: index(&questions),
            questions,
            file_rules,
        };
        pack.validate_questions(id, &pack_toml)?;
        Ok(pack)
    }

    /// `self` (the base) with `top` over it: top's files replace the base's at the same
    /// output path, its profiles replace same-id ones, its questions come after.
    fn layered(self, top: Pack) -> Pack {
        let out = |p: &str| p.strip_suffix(".tera").unwrap_or(p).to_string();
        let mut files: Vec<PackFile> = self
            .files
            .into_iter()
            .filter(|b| !top.files.iter().any(|t| out(&t.path) == out(&b.path)))
            .collect();
        files.extend(top.files);
        let mut partials: Vec<PackFile> = self
            .partials
            .into_iter()
            .filter(|b| !top.partials.iter().any(|t| t.path == b.path))
            .collect();
        partials.extend(top.partials);
        let mut profiles = self.profiles;
        for p in top.profiles {
            match profiles.iter_mut().find(|b| b.id == p.id) {
                Some(b) => *b = p,
                None => profiles.push(p),
            }
        }
        let mut vars = self.vars;
        vars.extend(top.vars);
        let mut questions = self.questions;
        questions.extend(top.questions);
        let mut file_rules = self.file_rules;
        file_rules.extend(top.file_rules);
        Pack {
            builtin_version: Some(self.info.version),
            info: top.info,
            source: top.source,
            commit: top.commit,
            vars,
            next_steps: if top.next_steps.is_empty() {
                self.next_steps
            } else {
                top.next_steps
            },
            profiles,
            default_head: top.default_head.or(self.default_head),
            files,
            partials,
            question_index: index(&questions),
            questions,
            file_rules,
        }
    }

    /// The pack question `key`, if there is one.
    pub fn question(&self, key: &str) -> Option<&QuestionSpec> {
        self.question_index.get(key).map(|&i| &self.questions[i])
    }

    /// The profile `id`, if the pack has it.
    pub fn profile(&self, id: &str) -> Option<&Profile> {
        self.profiles.iter().find(|p| p.id == id)
    }

    /// `name@version`, as recorded in a project's answers file.
    pub fn id(&self) -> String {
        format!("{}@{}", self.info.name, self.info.version)
    }

    fn validate_questions(&self, id: &str, text: &str) -> Result<()> {
        // Point errors at the line that defines the question or file rule: the first line
        // quoting its key, found with one pass over the file (not one per question).
        let mut first_line: std::collections::HashMap<&str, usize> =
            std::collections::HashMap::new();
        for (i, line) in text.lines().enumerate() {
            for quoted in line.split('"').skip(1).step_by(2) {
                first_line.entry(quoted).or_insert(i + 1);
            }
        }
        let at = |key: &str| match first_line.get(key) {
            Some(line) => format!("pack.toml:{line}"),
            None => "pack.toml".to_string(),
        };
        let mut seen = std::collections::BTreeSet::new();
        for q in &self.questions {
            let file = at(&q.key);
            let err = |m: String| pack_err(id, &file, format!("question `{}`: {m}", q.key));
            let key_ok = q.key.starts_with(|c: char| c.is_ascii_lowercase())
                && q.key
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
            if !key_ok {
                return Err(err(
                    "keys must match ^[a-z][a-z0-9_]*$ (they are template variables)".into(),
                ));
            }
            if RESERVED_KEYS.contains(&q.key.as_str()) {
                return Err(err("this key is built in; choose another".into()));
            }
            if !seen.insert(q.key.as_str()) {
                return Err(err("defined twice".into()));
            }
            match (q.kind, &q.pattern, &q.choices) {
                (QuestionType::String, Some(p), _) => {
                    regex_lite::Regex::new(p)
                        .map_err(|e| err(format!("`pattern` does not compile: {e}")))?;
                }
                (_, Some(_), _) => {
                    return Err(err("`pattern` applies to `type = \"string\"` only".into()));
                }
                _ => {}
            }
            match (q.kind, &q.choices) {
                (QuestionType::Choice, Some(c)) if !c.is_empty() => {}
                (QuestionType::Choice, _) => {
                    return Err(err(
                        "`type = \"choice\"` needs a non-empty `choices` list".into()
                    ));
                }
                (_, Some(_)) => {
                    return Err(err("`choices` applies to `type = \"choice\"` only".into()));
                }
                _ => {}
            }
            let default_ok = matches!(
                (&q.default, q.kind),
                (None, _)
                    | (
                        Some(serde_json::Value::String(_)),
                        QuestionType::String | QuestionType::Choice
                    )
                    | (Some(serde_json::Value::Bool(_)), QuestionType::Bool)
            );
            let int_default = matches!((&q.default, q.kind), (Some(serde_json::Value::Number(n)), QuestionType::Int) if n.is_i64());
            if !default_ok && !int_default {
                return Err(err("`default` does not match the question's type".into()));
            }
            if let Some(when) = &q.when {
                validate_condition(when)
                    .map_err(|m| err(format!("`when = \"{when}\"` does not parse: {m}")))?;
            }
        }
        for rule in &self.file_rules {
            let file = at(&rule.path);
            let err = |m: String| pack_err(id, &file, format!("[[files]] `{}`: {m}", rule.path));
            if !self.files.iter().any(|f| f.path == rule.path) {
                return Err(err("no such file under files/".into()));
            }
            if let Some(when) = &rule.when {
                validate_condition(when)
                    .map_err(|m| err(format!("`when = \"{when}\"` does not parse: {m}")))?;
            }
        }
        Ok(())
    }
}

/// Question keys → their position (the first, if a key repeats: validation refuses that).
fn index(questions: &[QuestionSpec]) -> std::collections::HashMap<String, usize> {
    let mut index = std::collections::HashMap::new();
    for (i, q) in questions.iter().enumerate() {
        index.entry(q.key.clone()).or_insert(i);
    }
    index
}

/// A `when` expression as a template that renders `1` when it holds (how packs' conditions
/// are both checked at load time and evaluated).
pub fn when_template(expr: &str) -> String {
    format!("{{% if {expr} %}}1{{% endif %}}")
}

/// Check that `expr` is a Tera expression (without evaluating it).
pub fn validate_condition(expr: &str) -> std::result::Result<(), String> {
    tera::Tera::default()
        .add_raw_template("when", &when_template(expr))
        // The first line says what is wrong; the rest points into the wrapper template.
        .map_err(|e| e.to_string().lines().next().unwrap_or_default().to_string())
}

fn validate_info(id: &str, info: &PackInfo) -> Result<()> {
    let err = |m: String| pack_err(id, "pack.toml", m);
    let name_ok = info.name.starts_with(|c: char| c.is_ascii_lowercase())
        && info
            .name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    if !name_ok {
        return Err(err(format!(
            "[pack] name `{}` must match ^[a-z][a-z0-9-]*$",
            info.name
        )));
    }
    semver::Version::parse(&info.version).map_err(|e| {
        err(format!(
            "[pack] version `{}` is not semver ({e})",
            info.version
        ))
    })?;
    if let Some(req) = &info.requires_aichor {
        let req = semver::VersionReq::parse(req)
            .map_err(|e| err(format!("requires-aichor `{req}`: {e}")))?;
        let ours =
            semver::Version::parse(env!("CARGO_PKG_VERSION")).expect("Cargo versions are semver");
        if !req.matches(&ours) {
            return Err(Error::PackRequires {
                pack: info.name.clone(),
                requirement: req.to_string(),
                version: ours.to_string(),
            });
        }
    }
    Ok(())
}

fn pack_err(id: &str, file: &str, message: String) -> Error {
    Error::Pack {
        pack: id.to_string(),
        file: file.to_string(),
        message,
    }
}

/// A TOML error as `file:line:column` and its message.
fn toml_err(id: &str, file: &str, text: &str, error: toml_edit::de::Error) -> Error {
    let file = match error.span() {
        Some(span) => {
            let before = &text[..span.start.min(text.len())];
            let line = before.matches('\n').count() + 1;
            let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
            format!("{file}:{line}:{column}")
        }
        None => file.to_string(),
    };
    Error::PackToml {
        pack: id.to_string(),
        file,
        error,
    }
}

/// Every file under an embedded dir, skipping editor and OS droppings `include_dir` embeds too.
pub fn collect_embedded(dir: &'static Dir<'static>, out: &mut Vec<PackFile>) {
    for file in dir.files() {
        let path = file.path().to_string_lossy().replace('\\', "/");
        if !dropping(&path) {
            out.push(PackFile {
                path,
                contents: Cow::Borrowed(file.contents()),
            });
        }
    }
    for sub in dir.dirs() {
        collect_embedded(sub, out);
    }
}

fn dropping(path: &str) -> bool {
    let base = path.rsplit('/').next().unwrap_or(path);
    let ext = |e: &str| {
        Path::new(base)
            .extension()
            .is_some_and(|x| x.eq_ignore_ascii_case(e))
    };
    base == ".DS_Store" || ext("swp") || base.ends_with('~')
}

/// Every file of a pack folder. Symlinks are refused: a pack is data and cannot point
/// outside itself. `.git` is skipped.
fn collect_dir(root: &Path, dir: &Path, id: &str, out: &mut Vec<PackFile>) -> Result<()> {
    let mut entries: Vec<_> = fs_err::read_dir(dir)
        .map_err(|e| Error::io(dir, "cannot be read", e))?
        .filter_map(std::result::Result::ok)
        .collect();
    entries.sort_by_key(fs_err::DirEntry::file_name);
    for entry in entries {
        let path = entry.path();
        let rel = path
            .strip_prefix(root)
            .unwrap_or(&path)
            .to_string_lossy()
            .replace('\\', "/");
        let meta =
            fs_err::symlink_metadata(&path).map_err(|e| Error::io(&path, "cannot be read", e))?;
        if meta.file_type().is_symlink() {
            return Err(pack_err(
                id,
                &rel,
                "symlinks are not allowed in a pack (a pack cannot point outside itself)".into(),
            ));
        }
        if meta.is_dir() {
            if rel != ".git" {
                collect_dir(root, &path, id, out)?;
            }
        } else if !dropping(&rel) {
            let bytes = fs_err::read(&path).map_err(|e| Error::io(&path, "cannot be read", e))?;
            out.push(PackFile {
                path: rel,
                contents: Cow::Owned(bytes),
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_pack_loads_with_required_profiles() {
        let pack = Pack::builtin().unwrap();
        for id in [
            "cpu-small",
            "cpu-large",
            "gpu-t4",
            "gpu-a100-80gb",
            "gpu-h100x8",
            "tpu-v5e-4x4",
        ] {
            assert!(pack.profile(id).is_some(), "{id}");
        }
        assert_eq!(
            pack.profiles[0].id, "cpu-small",
            "the first profile is the default"
        );
        assert!(
            pack.files
                .iter()
                .any(|f| f.path == "aichor_manifests/manifest.yaml.tera")
        );
    }

    #[test]
    fn expressions_are_checked() {
        assert!(validate_condition("operator == 'pytorch'").is_ok());
        assert!(validate_condition("profile is starting_with(pat='gpu')").is_ok());
        assert!(validate_condition("operator ==").is_err());
    }
}
