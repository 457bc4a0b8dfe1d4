//! The table of questions `init` asks, and for each one: its flag, how it is asked, its
//! choices and default (which may depend on earlier answers), and its validator. A value is
//! checked by the same validator whether it came from a flag, `--set`, a file or a prompt.

use serde::Serialize;

use serde_json::json;

use crate::error::{AnswerFlag, Error, Invalid, Result, Unoffered, WorkersProblem};
use crate::names::Names;
use crate::operator::{DEFAULT_PYTHON, Operator, PYTHON_VERSIONS};
use crate::pack::{Pack, QuestionSpec, QuestionType};
use crate::suggest::did_you_mean;

/// How a question is asked at a prompt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PromptKind {
    Text,
    Select,
    Confirm,
}

/// One built-in question.
#[derive(Debug, Clone, Copy)]
pub struct Question {
    /// Key used by `--set`, answers files and templates.
    pub key: &'static str,
    /// The dedicated flag that answers it.
    pub flag: &'static str,
    /// Prompt text.
    pub prompt: &'static str,
    pub kind: PromptKind,
}

/// The answer flags a command has, for the help lines that name them: a flag is named only
/// where the command that refused an answer takes it. Every other question is answered with
/// `--set key=value`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FlagStyle {
    /// `local-repo init`: a dedicated flag for every built-in question (`--python`, ...).
    Init,
    /// `manifest new`: `--operator`, `--profile` and `--workers`.
    ManifestNew,
    /// `local-repo update`: `--set key=value` only.
    SetOnly,
}

/// The built-in questions `manifest new` has a flag for.
pub const MANIFEST_NEW_FLAGS: &[&str] = &["operator", "profile", "workers"];

impl FlagStyle {
    /// How a command of this style answers `key`.
    pub fn flag(self, key: &str) -> AnswerFlag {
        let dedicated = match self {
            FlagStyle::Init => true,
            FlagStyle::ManifestNew => MANIFEST_NEW_FLAGS.contains(&key),
            FlagStyle::SetOnly => false,
        };
        QUESTIONS
            .iter()
            .find(|q| q.key == key && dedicated)
            .map_or_else(|| AnswerFlag::Set(key.into()), |q| AnswerFlag::Flag(q.flag))
    }
}

/// A question as `collect` sees it: built-in or from the pack.
#[derive(Debug, Clone)]
pub struct Asked<'p> {
    pub key: String,
    /// How the command answers it (`--set key=...` for pack questions).
    pub flag: AnswerFlag,
    pub prompt: String,
    pub kind: PromptKind,
    pub help: Option<String>,
    /// The pack's definition, for pack questions.
    pub spec: Option<&'p QuestionSpec>,
}

/// The built-in questions, in the order they are asked (later ones depend on earlier ones).
pub const QUESTIONS: &[Question] = &[
    Question {
        key: "name",
        flag: "--name",
        prompt: "Project name",
        kind: PromptKind::Text,
    },
    Question {
        key: "operator",
        flag: "--operator",
        prompt: "Operator",
        kind: PromptKind::Select,
    },
    Question {
        key: "profile",
        flag: "--profile",
        prompt: "Resource profile",
        kind: PromptKind::Select,
    },
    Question {
        key: "workers",
        flag: "--workers",
        prompt: "Containers",
        kind: PromptKind::Text,
    },
    Question {
        key: "python",
        flag: "--python",
        prompt: "Python version",
        kind: PromptKind::Select,
    },
    Question {
        key: "tensorboard",
        flag: "--tensorboard",
        prompt: "Log to TensorBoard?",
        kind: PromptKind::Confirm,
    },
];

/// A validated answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum Value {
    Str(String),
    Int(i64),
    Bool(bool),
    /// The `operator` answer, kept typed once validated.
    Operator(Operator),
}

impl Value {
    /// The text a prompt would show for this value.
    pub fn display(&self) -> String {
        match self {
            Value::Str(s) => s.clone(),
            Value::Int(i) => i.to_string(),
            Value::Bool(b) => b.to_string(),
            Value::Operator(op) => op.id().to_string(),
        }
    }

    /// As a JSON value (for template contexts).
    pub fn to_json(&self) -> serde_json::Value {
        match self {
            Value::Str(s) => serde_json::Value::from(s.as_str()),
            Value::Int(i) => serde_json::Value::from(*i),
            Value::Bool(b) => serde_json::Value::from(*b),
            Value::Operator(op) => serde_json::Value::from(op.id()),
        }
    }

    /// As a YAML value (for the answers record and the report).
    pub fn to_yaml(&self) -> yaml_serde::Value {
        match self {
            Value::Str(s) => yaml_serde::Value::String(s.clone()),
            Value::Int(i) => yaml_serde::Value::Number((*i).into()),
            Value::Bool(b) => yaml_serde::Value::Bool(*b),
            Value::Operator(op) => yaml_serde::Value::String(op.id().into()),
        }
    }
}

/// Answers so far, in question order, with a lookup index and the template context packs'
/// `when` and `default` see, both kept up to date as answers arrive (rebuilding them per
/// question made a pack of thousands of questions quadratic).
#[derive(Debug, Clone, Default)]
pub struct Answers {
    entries: Vec<(String, Value)>,
    index: std::collections::HashMap<String, usize>,
    context: tera::Context,
}

impl PartialEq for Answers {
    fn eq(&self, other: &Self) -> bool {
        self.entries == other.entries
    }
}

impl Eq for Answers {}

impl FromIterator<(String, Value)> for Answers {
    fn from_iter<I: IntoIterator<Item = (String, Value)>>(iter: I) -> Self {
        let mut answers = Answers::default();
        for (k, v) in iter {
            answers.push(k, v);
        }
        answers
    }
}

impl Answers {
    /// Record the answer to `key` (a later answer to the same key replaces it).
    pub fn push(&mut self, key: impl Into<String>, value: Value) {
        let key = key.into();
        self.context.insert(key.clone(), &value.to_json());
        if key == "name"
            && let Value::Str(name) = &value
            && let Ok(names) = Names::derive(name)
        {
            // The derived names, so a pack's `default` and `when` can use them.
            self.context.insert("distribution", &names.distribution);
            self.context.insert("package", &names.package);
            self.context.insert("image", &names.image);
        }
        if let Some(&i) = self.index.get(&key) {
            self.entries[i].1 = value;
        } else {
            self.index.insert(key.clone(), self.entries.len());
            self.entries.push((key, value));
        }
    }

    /// How many answers there are.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether nothing is answered yet.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Keep the first `len` answers only (Esc: back to an earlier question). Rebuilt from
    /// the kept answers: going back is rare and the context must not keep a dropped key.
    pub fn truncate(&mut self, len: usize) {
        if len < self.entries.len() {
            let kept: Vec<_> = self.entries.drain(..len).collect();
            *self = kept.into_iter().collect();
        }
    }

    /// Every answer, in question order.
    pub fn entries(&self) -> &[(String, Value)] {
        &self.entries
    }

    pub fn get(&self, key: &str) -> Option<&Value> {
        self.index.get(key).map(|&i| &self.entries[i].1)
    }

    pub fn str(&self, key: &str) -> Option<&str> {
        match self.get(key) {
            Some(Value::Str(s)) => Some(s),
            _ => None,
        }
    }

    pub fn int(&self, key: &str) -> Option<i64> {
        match self.get(key) {
            Some(Value::Int(i)) => Some(*i),
            _ => None,
        }
    }

    pub fn bool(&self, key: &str) -> Option<bool> {
        match self.get(key) {
            Some(Value::Bool(b)) => Some(*b),
            _ => None,
        }
    }

    /// The operator, once answered.
    pub fn operator(&self) -> Option<Operator> {
        match self.get("operator") {
            Some(Value::Operator(op)) => Some(*op),
            _ => None,
        }
    }

    /// The answers as a YAML mapping, in question order.
    pub fn to_mapping(&self) -> yaml_serde::Mapping {
        self.entries
            .iter()
            .map(|(k, v)| (yaml_serde::Value::String(k.clone()), v.to_yaml()))
            .collect()
    }

    /// The answers as a template context, with the names derived from `name` once known,
    /// so a pack's `default` and `when` can use them.
    pub fn tera_context(&self) -> &tera::Context {
        &self.context
    }
}

/// One choice of a select question.
#[derive(Debug, Clone)]
pub struct Choice {
    pub id: String,
    pub label: String,
}

/// The questions bound to a pack (whose profiles they offer), as one command asks them (its
/// flags, which errors name).
pub struct Questions<'p> {
    pub pack: &'p Pack,
    pub flags: FlagStyle,
}

/// Largest worker count accepted: beyond it a typo is likelier than a real request.
pub const MAX_WORKERS: u32 = 1024;

impl<'p> Questions<'p> {
    /// Every question, in the order asked: the built-in ones, then the pack's.
    pub fn all(&self) -> Vec<Asked<'p>> {
        let builtin = QUESTIONS.iter().map(|q| Asked {
            key: q.key.into(),
            flag: self.flags.flag(q.key),
            prompt: q.prompt.into(),
            kind: q.kind,
            help: None,
            spec: None,
        });
        let pack = self.pack.questions.iter().map(|q| Asked {
            key: q.key.clone(),
            flag: AnswerFlag::Set(q.key.clone()),
            prompt: q.prompt.clone(),
            kind: match q.kind {
                QuestionType::String | QuestionType::Int => PromptKind::Text,
                QuestionType::Bool => PromptKind::Confirm,
                QuestionType::Choice => PromptKind::Select,
            },
            help: q.help.clone(),
            spec: Some(q),
        });
        builtin.chain(pack).collect()
    }

    /// Every question key (for "unknown key" errors).
    pub fn keys(&self) -> Vec<String> {
        self.all().into_iter().map(|q| q.key).collect()
    }

    /// Whether `q` applies given earlier answers (a pack question's `when`).
    pub fn applies(&self, q: &Asked<'_>, so_far: &Answers) -> Result<bool> {
        let Some(when) = q.spec.and_then(|s| s.when.as_ref()) else {
            return Ok(true);
        };
        let out = self.render(&crate::pack::when_template(when), so_far, &q.key, "when")?;
        Ok(out == "1")
    }

    fn render(&self, template: &str, so_far: &Answers, key: &str, what: &str) -> Result<String> {
        tera::Tera::default()
            .render_str(template, so_far.tera_context(), false)
            .map_err(|source| Error::Render {
                template: format!(
                    "pack.toml: question `{key}`: `{what}` of pack `{}`",
                    self.pack.info.name
                ),
                source,
            })
    }

    /// The prompt text for `q`, worded for the operator chosen so far.
    pub fn prompt(&self, q: &Asked<'_>, so_far: &Answers) -> String {
        let tpu = so_far
            .str("profile")
            .and_then(|id| self.pack.profile(id))
            .is_some_and(|p| p.accelerator() == "tpu");
        match (q.key.as_str(), so_far.operator()) {
            // A TPU worker group's count is slices, each of several hosts (Ray nodes).
            ("workers", Some(Operator::Kuberay)) if tpu => {
                "TPU slices of several hosts each, 0 for head only".into()
            }
            ("workers", Some(Operator::Kuberay)) => "Ray worker pods, 0 for head only".into(),
            ("workers", Some(Operator::Jobset)) => {
                "Jobs of one or more pods each, every pod taking a share".into()
            }
            ("workers", Some(_)) => "Containers, process 0 coordinating".into(),
            _ => q.prompt.clone(),
        }
    }

    fn spec(&self, key: &str) -> Option<&'p QuestionSpec> {
        self.pack.question(key)
    }

    /// The choices offered for `key`, given earlier answers.
    pub fn choices(&self, key: &str, so_far: &Answers) -> Vec<Choice> {
        match key {
            "operator" => Operator::ALL
                .iter()
                .map(|op| Choice {
                    id: op.id().into(),
                    label: format!("{:<8} {}", op.id(), op.description()),
                })
                .collect(),
            "profile" => {
                let profiles: Vec<_> = self
                    .pack
                    .profiles
                    .iter()
                    .filter(|p| so_far.operator().is_none_or(|op| p.supports(op)))
                    .collect();
                let lines = crate::profile::table(None, &profiles, &|_| Vec::new());
                profiles
                    .iter()
                    .zip(lines)
                    .map(|(p, label)| Choice {
                        id: p.id.clone(),
                        label,
                    })
                    .collect()
            }
            "python" => so_far
                .operator()
                .map_or(PYTHON_VERSIONS, Operator::python_versions)
                .iter()
                .map(|v| Choice {
                    id: (*v).into(),
                    label: (*v).into(),
                })
                .collect(),
            _ => self
                .spec(key)
                .and_then(|q| q.choices.as_ref())
                .map(|c| {
                    c.iter()
                        .map(|id| Choice {
                            id: id.clone(),
                            label: id.clone(),
                        })
                        .collect()
                })
                .unwrap_or_default(),
        }
    }

    /// The default for `key`, given earlier answers; `None` means the answer is required.
    /// A pack's string default is a template over earlier answers.
    pub fn default(&self, key: &str, so_far: &Answers) -> Result<Option<Value>> {
        if let Some(q) = self.spec(key) {
            // The pack's loader checked that a default matches its question's type.
            return Ok(match &q.default {
                Some(serde_json::Value::Bool(b)) => Some(Value::Bool(*b)),
                Some(serde_json::Value::Number(n)) => n.as_i64().map(Value::Int),
                Some(serde_json::Value::String(t)) => {
                    Some(Value::Str(self.render(t, so_far, key, "default")?))
                }
                _ => None,
            });
        }
        Ok(self.builtin_default(key, so_far))
    }

    fn builtin_default(&self, key: &str, so_far: &Answers) -> Option<Value> {
        match key {
            "profile" => self.default_profile().map(|p| Value::Str(p.id.clone())),
            "workers" => {
                // Before a profile is chosen (`templates show`), the default profile's count.
                let profile = so_far
                    .str("profile")
                    .and_then(|id| self.pack.profile(id))
                    .or_else(|| self.default_profile());
                let workers = profile.map_or(1, |p| p.default_workers);
                Some(Value::Int(i64::from(
                    workers.max(so_far.operator().map_or(0, Operator::min_workers)),
                )))
            }
            "python" => Some(Value::Str(DEFAULT_PYTHON.into())),
            "tensorboard" => Some(Value::Bool(true)),
            _ => None,
        }
    }

    /// The profile used when none is asked for: the pack's first.
    fn default_profile(&self) -> Option<&'p crate::profile::Profile> {
        self.pack.profiles.first()
    }

    /// Check a raw value for `key` and turn it into a typed answer. `None`: no such question
    /// (`collect` refuses unknown keys before asking anything).
    pub fn validate(&self, key: &str, raw: &str, so_far: &Answers) -> Result<Value, Invalid> {
        let raw = raw.trim();
        match key {
            "name" => Names::derive(raw)
                .map(|_| Value::Str(raw.into()))
                .map_err(|r| Invalid::Name {
                    reason: r.reason,
                    suggestion: r.suggestion,
                }),
            "operator" | "profile" | "python" => self.validate_offered(key, raw, so_far),
            "workers" => {
                let min = so_far.operator().map_or(1, Operator::min_workers);
                let refuse = |problem| Invalid::Workers {
                    problem,
                    min,
                    max: MAX_WORKERS,
                };
                match raw.parse::<i64>() {
                    Ok(n) if (i64::from(min)..=i64::from(MAX_WORKERS)).contains(&n) => {
                        Ok(Value::Int(n))
                    }
                    Ok(n) if n < i64::from(min) => Err(refuse(WorkersProblem::TooFew)),
                    Ok(_) => Err(refuse(WorkersProblem::TooMany)),
                    Err(_) => Err(refuse(WorkersProblem::NotANumber)),
                }
            }
            "tensorboard" => parse_bool(raw)
                .map(Value::Bool)
                .ok_or_else(|| Invalid::NotYesNo { key: key.into() }),
            _ => match self.spec(key) {
                Some(q) => validate_pack(q, raw),
                // Unknown keys never reach a validator: `collect` refuses them first.
                None => Err(Invalid::NotOffered {
                    why: Unoffered::Unknown,
                    choices: Vec::new(),
                    suggestion: None,
                }),
            },
        }
    }

    /// A value that must be one of the choices offered so far.
    fn validate_offered(&self, key: &str, raw: &str, so_far: &Answers) -> Result<Value, Invalid> {
        let choices = self.choices(key, so_far);
        if choices.iter().any(|c| c.id == raw) {
            return Ok(match Operator::parse(raw) {
                Some(op) if key == "operator" => Value::Operator(op),
                _ => Value::Str(raw.into()),
            });
        }
        let ids: Vec<String> = choices.into_iter().map(|c| c.id).collect();
        let why = match (key, so_far.operator()) {
            ("profile", Some(op)) if self.pack.profile(raw).is_some() => {
                Unoffered::ProfileNotFor(op.id().into())
            }
            ("python", Some(op)) if PYTHON_VERSIONS.contains(&raw) => {
                Unoffered::PythonNotFor(op.id().into())
            }
            _ => Unoffered::Unknown,
        };
        // Versions are not typos of each other: `3.13` is not a misspelt `3.10`.
        let suggestion = match key {
            "python" => None,
            _ => did_you_mean(raw, ids.iter().map(String::as_str)),
        };
        Err(Invalid::NotOffered {
            why,
            suggestion,
            choices: ids,
        })
    }
}

impl Questions<'_> {
    /// The answers the pack takes, as a JSON Schema (draft 2020-12). Conditions (`when`) and
    /// templated defaults are Tera, which JSON Schema cannot express: they are kept in
    /// `x-aichor-when` / `x-aichor-default-template`. Limits come from the validators' own
    /// constants, so the schema and `init` cannot disagree.
    pub fn answers_schema(&self) -> serde_json::Value {
        let empty = Answers::default();
        let ids = |key: &str| -> Vec<String> {
            self.choices(key, &empty)
                .into_iter()
                .map(|c| c.id)
                .collect()
        };
        let mut props = serde_json::Map::new();
        for q in QUESTIONS {
            let mut p = match q.key {
                "name" => {
                    json!({"type": "string", "pattern": crate::names::PATTERN, "maxLength": crate::names::MAX_LEN})
                }
                "operator" | "profile" | "python" => json!({"type": "string", "enum": ids(q.key)}),
                "workers" => {
                    let min = Operator::ALL
                        .iter()
                        .map(|op| op.min_workers())
                        .min()
                        .unwrap_or(0);
                    json!({"type": "integer", "minimum": min, "maximum": MAX_WORKERS})
                }
                "tensorboard" => json!({"type": "boolean"}),
                other => unreachable!("built-in question `{other}` has no schema"),
            };
            p["title"] = json!(q.prompt);
            p["x-aichor-flag"] = json!(q.flag);
            if let Ok(Some(d)) = self.default(q.key, &empty) {
                p["default"] = d.to_json();
            }
            props.insert(q.key.into(), p);
        }
        for q in &self.pack.questions {
            let mut p = match q.kind {
                QuestionType::String => json!({"type": "string"}),
                QuestionType::Bool => json!({"type": "boolean"}),
                QuestionType::Int => json!({"type": "integer"}),
                QuestionType::Choice => json!({"type": "string", "enum": q.choices}),
            };
            p["title"] = json!(q.prompt);
            if let Some(h) = &q.help {
                p["description"] = json!(h);
            }
            if let Some(pattern) = &q.pattern {
                p["pattern"] = json!(pattern);
            }
            match &q.default {
                Some(serde_json::Value::String(s)) if s.contains("{{") || s.contains("{%") => {
                    p["x-aichor-default-template"] = json!(s);
                }
                Some(v) => p["default"] = v.clone(),
                None => {}
            }
            if let Some(w) = &q.when {
                p["x-aichor-when"] = json!(w);
            }
            props.insert(q.key.clone(), p);
        }
        json!({
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "title": format!("answers for template pack {}", self.pack.id()),
            "type": "object",
            "properties": props,
            "required": ["name", "operator"],
            "additionalProperties": false,
        })
    }
}

/// `true/yes/on/1/y` or `false/no/off/0/n`, any case: the one reading of a boolean, for
/// answers and environment variables alike.
fn parse_bool(raw: &str) -> Option<bool> {
    crate::config::boolish(raw)
}

/// Check a value for a pack question by its type, pattern and choices.
fn validate_pack(q: &QuestionSpec, raw: &str) -> Result<Value, Invalid> {
    match q.kind {
        QuestionType::String => {
            if let Some(pattern) = &q.pattern {
                // The pattern compiled when the pack was loaded.
                let ok = regex_lite::Regex::new(pattern).is_ok_and(|re| re.is_match(raw));
                if !ok {
                    return Err(Invalid::NoMatch {
                        key: q.key.clone(),
                        pattern: pattern.clone(),
                    });
                }
            }
            Ok(Value::Str(raw.to_string()))
        }
        QuestionType::Bool => parse_bool(raw)
            .map(Value::Bool)
            .ok_or_else(|| Invalid::NotYesNo { key: q.key.clone() }),
        QuestionType::Int => raw
            .parse::<i64>()
            .map(Value::Int)
            .map_err(|_| Invalid::NotWholeNumber { key: q.key.clone() }),
        QuestionType::Choice => {
            let choices = q.choices.clone().unwrap_or_default();
            if choices.iter().any(|c| c == raw) {
                return Ok(Value::Str(raw.to_string()));
            }
            Err(Invalid::NotOffered {
                why: Unoffered::Unknown,
                suggestion: did_you_mean(raw, choices.iter().map(String::as_str)),
                choices,
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_schema_covers_every_question_with_init_s_defaults() {
        let pack = Pack::builtin().unwrap();
        let questions = Questions {
            pack: &pack,
            flags: FlagStyle::Init,
        };
        let schema = questions.answers_schema();
        let props = schema["properties"].as_object().unwrap();
        for q in QUESTIONS {
            assert!(props.contains_key(q.key), "{} missing", q.key);
        }
        // The default `init` uses when nothing is given: the first profile's worker count.
        let first = &pack.profiles[0];
        assert_eq!(props["workers"]["default"], first.default_workers);
        assert_eq!(props["profile"]["default"], first.id.as_str());
        assert_eq!(props["workers"]["maximum"], MAX_WORKERS);
        assert_eq!(props["name"]["pattern"], crate::names::PATTERN);
        assert_eq!(
            props["operator"]["enum"].as_array().unwrap().len(),
            Operator::ALL.len()
        );
    }

    #[test]
    fn refusals_say_why_and_how_to_fix() {
        let pack = Pack::builtin().unwrap();
        let questions = Questions {
            pack: &pack,
            flags: FlagStyle::Init,
        };
        let mut so_far = Answers::default();
        so_far.push("operator", Value::Operator(Operator::Pytorch));
        let err = questions
            .validate("profile", "tpu-v5e-4x4", &so_far)
            .unwrap_err();
        assert_eq!(err.to_string(), "not available for the `pytorch` operator");
        let err = questions
            .validate("profile", "gpu-a100", &so_far)
            .unwrap_err();
        let flag = |key| questions.flags.flag(key);
        assert_eq!(
            err.help(&flag("profile")),
            "did you mean `--profile gpu-a100-80gb`?"
        );
        let err = questions.validate("workers", "0", &so_far).unwrap_err();
        assert_eq!(
            (
                err.to_string().as_str(),
                err.help(&flag("workers")).as_str()
            ),
            (
                "at least 1 container is needed for this operator",
                "pass `--workers` with a whole number from 1 to 1024"
            )
        );
        assert_eq!(
            questions.validate("operator", "jax", &Answers::default()),
            Ok(Value::Operator(Operator::Jax))
        );
    }
}
