//! The table of questions `init` asks, and for each one: its flag, how it is asked, its
//! choices and default (which may depend on earlier answers), and its validator. A value is
//! checked by the same validator whether it came from a flag, `--set`, a file or a prompt.

use serde::Serialize;

use crate::names::Names;
use crate::operator::Operator;
use crate::pack::Pack;

/// How a question is asked at a prompt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Text,
    Select,
    Confirm,
}

/// One question.
#[derive(Debug, Clone, Copy)]
pub struct Question {
    /// Key used by `--set`, answers files and templates.
    pub key: &'static str,
    /// The dedicated flag that answers it.
    pub flag: &'static str,
    /// Prompt text.
    pub prompt: &'static str,
    pub kind: Kind,
}

/// The built-in questions, in the order they are asked (later ones depend on earlier ones).
pub const QUESTIONS: &[Question] = &[
    Question {
        key: "name",
        flag: "--name",
        prompt: "Project name",
        kind: Kind::Text,
    },
    Question {
        key: "operator",
        flag: "--operator",
        prompt: "Operator",
        kind: Kind::Select,
    },
    Question {
        key: "profile",
        flag: "--profile",
        prompt: "Resource profile",
        kind: Kind::Select,
    },
    Question {
        key: "workers",
        flag: "--workers",
        prompt: "Containers",
        kind: Kind::Text,
    },
    Question {
        key: "python",
        flag: "--python",
        prompt: "Python version",
        kind: Kind::Select,
    },
    Question {
        key: "tensorboard",
        flag: "--tensorboard",
        prompt: "Log to TensorBoard?",
        kind: Kind::Confirm,
    },
];

/// A validated answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum Value {
    Str(String),
    Int(u32),
    Bool(bool),
}

impl Value {
    /// The text a prompt would show for this value.
    pub fn display(&self) -> String {
        match self {
            Value::Str(s) => s.clone(),
            Value::Int(i) => i.to_string(),
            Value::Bool(b) => b.to_string(),
        }
    }
}

/// Answers so far, in question order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Answers(pub Vec<(String, Value)>);

impl Answers {
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.0.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    pub fn str(&self, key: &str) -> Option<&str> {
        match self.get(key) {
            Some(Value::Str(s)) => Some(s),
            _ => None,
        }
    }

    pub fn int(&self, key: &str) -> Option<u32> {
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

    fn operator(&self) -> Option<Operator> {
        self.str("operator").and_then(Operator::parse)
    }
}

/// A refused value: why, and how to fix it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invalid {
    pub reason: String,
    pub help: String,
}

/// One choice of a select question.
#[derive(Debug, Clone)]
pub struct Choice {
    pub id: String,
    pub label: String,
}

/// The questions bound to a pack (whose profiles they offer).
pub struct Questions<'p> {
    pub pack: &'p Pack,
}

/// Largest worker count accepted: beyond it a typo is likelier than a real request.
const MAX_WORKERS: u32 = 1024;

impl Questions<'_> {
    /// The prompt text for `q`, worded for the operator chosen so far.
    pub fn prompt(&self, q: &Question, so_far: &Answers) -> String {
        match (q.key, so_far.operator()) {
            ("workers", Some(Operator::Kuberay)) => "Ray worker pods (0 = head only)".into(),
            ("workers", Some(Operator::Jobset)) => "Pods (each takes a share of the work)".into(),
            ("workers", Some(_)) => "Containers (one process each; 0 is the coordinator)".into(),
            _ => q.prompt.into(),
        }
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
                let id_w = profiles.iter().map(|p| p.id.len()).max().unwrap_or(0);
                let sum_w = profiles
                    .iter()
                    .map(|p| p.resources.summary().chars().count())
                    .max()
                    .unwrap_or(0);
                profiles
                    .into_iter()
                    .map(|p| {
                        let summary = p.resources.summary();
                        let pad = sum_w - summary.chars().count();
                        Choice {
                            id: p.id.clone(),
                            label: format!(
                                "{:<id_w$}  {summary}{}  {}",
                                p.id,
                                " ".repeat(pad),
                                p.description
                            ),
                        }
                    })
                    .collect()
            }
            "python" => so_far
                .operator()
                .map_or(
                    &["3.10", "3.11", "3.12", "3.13"][..],
                    Operator::python_versions,
                )
                .iter()
                .map(|v| Choice {
                    id: (*v).into(),
                    label: (*v).into(),
                })
                .collect(),
            _ => Vec::new(),
        }
    }

    /// The default for `key`, given earlier answers; `None` means the answer is required.
    pub fn default(&self, key: &str, so_far: &Answers) -> Option<Value> {
        match key {
            "profile" => self.pack.profiles.first().map(|p| Value::Str(p.id.clone())),
            "workers" => {
                let profile = so_far.str("profile").and_then(|id| self.pack.profile(id));
                let workers = profile.map_or(1, |p| p.default_workers);
                Some(Value::Int(
                    workers.max(so_far.operator().map_or(0, Operator::min_workers)),
                ))
            }
            "python" => Some(Value::Str("3.11".into())),
            "tensorboard" => Some(Value::Bool(true)),
            _ => None,
        }
    }

    /// Check a raw value for `key` and turn it into a typed answer.
    pub fn validate(&self, key: &str, raw: &str, so_far: &Answers) -> Result<Value, Invalid> {
        let raw = raw.trim();
        match key {
            "name" => Names::derive(raw).map(|_| Value::Str(raw.into())).map_err(|r| Invalid {
                help: match r.suggestion {
                    Some(s) => format!("pass `--name {s}`"),
                    None => "pass `--name` with lowercase letters, digits and `-`, e.g. `--name my-project`".into(),
                },
                reason: r.reason,
            }),
            "operator" | "profile" | "python" => {
                let choices = self.choices(key, so_far);
                if choices.iter().any(|c| c.id == raw) {
                    return Ok(Value::Str(raw.into()));
                }
                let ids: Vec<&str> = choices.iter().map(|c| c.id.as_str()).collect();
                let reason = match (key, so_far.operator()) {
                    ("profile", Some(op)) if self.pack.profile(raw).is_some() => {
                        format!("not available for the `{op}` operator")
                    }
                    ("python", Some(op)) => format!("not supported for the `{op}` operator"),
                    _ => format!("not one of {}", ids.join(", ")),
                };
                let flag = QUESTIONS.iter().find(|q| q.key == key).map_or("--set", |q| q.flag);
                let help = match crate::error::did_you_mean(raw, ids.iter().copied()) {
                    Some(s) => format!("did you mean `{flag} {s}`?"),
                    None => format!("pass `{flag}` with one of: {}", ids.join(", ")),
                };
                Err(Invalid { reason, help })
            }
            "workers" => {
                let min = so_far.operator().map_or(1, Operator::min_workers);
                let help = format!("pass `--workers` with a whole number from {min} to {MAX_WORKERS}");
                match raw.parse::<u32>() {
                    Ok(n) if (min..=MAX_WORKERS).contains(&n) => Ok(Value::Int(n)),
                    Ok(n) if n < min => Err(Invalid {
                        reason: format!("at least {min} container is needed for this operator"),
                        help,
                    }),
                    Ok(_) => Err(Invalid { reason: format!("more than {MAX_WORKERS}"), help }),
                    Err(_) => Err(Invalid { reason: "not a whole number".into(), help }),
                }
            }
            "tensorboard" => match raw.to_ascii_lowercase().as_str() {
                "true" | "yes" | "on" | "1" => Ok(Value::Bool(true)),
                "false" | "no" | "off" | "0" => Ok(Value::Bool(false)),
                _ => Err(Invalid {
                    reason: "not a yes/no value".into(),
                    help: "pass `--tensorboard` or `--no-tensorboard` (or `--set tensorboard=false`)".into(),
                }),
            },
            _ => Err(Invalid { reason: "unknown question".into(), help: String::new() }),
        }
    }
}
