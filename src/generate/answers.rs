//! Collect stage: flags, `--set`, an answers file and prompts become one `Answers`. For each
//! question, a provided value is validated (an invalid one is an error, never a re-prompt);
//! otherwise the user is asked (only when interactive); otherwise the default is used;
//! otherwise the error names the flag. A pack question whose `when` is false is skipped.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::questions::{Answers, Asked, PromptKind, Questions, Value};
use crate::error::{AnswersFileError, Error, NoPrompt, Origin, Result};
use crate::prompt::Prompter;
use crate::suggest::did_you_mean;

/// A value supplied before any prompt, with where it came from.
#[derive(Debug, Clone)]
pub struct Provided {
    pub raw: String,
    pub origin: Origin,
}

/// Every value supplied up front, by question key. Later sources in the order
/// answers file → `--set` → dedicated flag override earlier ones. Below them all, the
/// user's defaults (config file, then `AICHOR_<KEY>`), which preselect a prompt's answer
/// instead of skipping the question.
#[derive(Debug, Default, Clone)]
pub struct ProvidedAnswers {
    values: BTreeMap<String, Provided>,
    defaults: BTreeMap<String, Provided>,
    /// The template pack an answers file was recorded with.
    pub template: Option<String>,
    /// The git commit a recorded git pack was read at: a replay checks it out.
    pub commit: Option<String>,
}

/// Largest answers file read: a real one is a few hundred bytes.
const MAX_ANSWERS_FILE: usize = 1024 * 1024;

/// Keys of a recorded answers file that describe the run rather than answer questions.
const RECORD_KEYS: &[&str] = &[
    "aichor-version",
    "pack",
    "template",
    "commit",
    "builtin",
    super::recorded::KEY,
];

impl ProvidedAnswers {
    pub fn insert(&mut self, key: &str, raw: impl Into<String>, origin: Origin) {
        self.values.insert(
            key.to_string(),
            Provided {
                raw: raw.into(),
                origin,
            },
        );
    }

    /// Parse `--set key=value` arguments.
    pub fn add_sets(&mut self, sets: &[String]) -> Result<()> {
        for arg in sets {
            let (key, value) = arg
                .split_once('=')
                .filter(|(k, _)| !k.trim().is_empty())
                .ok_or_else(|| Error::BadSet { arg: arg.clone() })?;
            self.insert(key.trim(), value, Origin::Set);
        }
        Ok(())
    }

    /// Read the answers file at `path` (see `add_file`).
    pub fn read_file(&mut self, path: &Path) -> Result<()> {
        let text = fs_err::read_to_string(path).map_err(|e| Error::AnswersFile {
            path: path.to_path_buf(),
            source: AnswersFileError::Read(e),
        })?;
        self.add_file(path, &text)
    }

    /// Read an answers file: a YAML mapping of keys to values, or a recorded
    /// `.aichor-answers.yaml` (answers under `answers:`, the pack's source under `template:`).
    pub fn add_file(&mut self, path: &Path, text: &str) -> Result<()> {
        let err = |source: AnswersFileError| Error::AnswersFile {
            path: path.to_path_buf(),
            source,
        };
        // Bounded before the YAML loader sees it: its work grows with nesting and aliases.
        if text.len() > MAX_ANSWERS_FILE {
            return Err(err(AnswersFileError::TooLarge(MAX_ANSWERS_FILE)));
        }
        crate::manifest::yaml::check_bounds(text).map_err(|t| {
            err(AnswersFileError::TooComplex {
                line: t.line,
                column: t.column,
                message: t.message,
            })
        })?;
        let doc: yaml_serde::Value =
            yaml_serde::from_str(text).map_err(|e| err(AnswersFileError::Yaml(e)))?;
        let map = match doc {
            yaml_serde::Value::Mapping(m) => m,
            yaml_serde::Value::Null => return Ok(()),
            _ => return Err(err(AnswersFileError::NotMapping)),
        };
        // Numbers as written: `python: 3.10` is the float 3.1 to YAML, and "3.1" to us.
        let written = plain_scalars(text);
        let mut section = Vec::new();
        let answers = match map.get("answers") {
            Some(yaml_serde::Value::Mapping(inner)) => {
                section.push("answers".to_string());
                if let Some(yaml_serde::Value::String(t)) = map.get("template") {
                    self.template = Some(t.clone());
                    self.commit = match map.get("commit") {
                        Some(yaml_serde::Value::String(c)) => Some(c.clone()),
                        _ => None,
                    };
                }
                inner.clone()
            }
            Some(_) => return Err(err(AnswersFileError::AnswersNotMapping)),
            None => map,
        };
        for (key, value) in answers {
            let key = match key {
                yaml_serde::Value::String(k) => k,
                other => {
                    return Err(err(AnswersFileError::KeyNotString(
                        scalar(&other).unwrap_or_default(),
                    )));
                }
            };
            if RECORD_KEYS.contains(&key.as_str()) {
                continue;
            }
            let raw = match &value {
                yaml_serde::Value::Number(_) => {
                    let mut at = section.clone();
                    at.push(key.clone());
                    written.get(&at).cloned().or_else(|| scalar(&value))
                }
                _ => scalar(&value),
            }
            .ok_or_else(|| err(AnswersFileError::NotScalar(key.clone())))?;
            self.insert(&key, raw, Origin::AnswersFile(path.to_path_buf()));
        }
        Ok(())
    }

    /// Name the project after the destination's last component, unless something else
    /// named it already.
    pub fn name_from_destination(&mut self, path: &Path) {
        if self.get("name").is_none()
            && let Some(name) = last_component(path)
        {
            self.insert("name", name, Origin::Path);
        }
    }

    /// Add every value of `over`, replacing this one's for the same key (`manifest new`: the
    /// flags over the project's recorded answers).
    pub fn override_with(&mut self, over: &ProvidedAnswers) {
        for (key, p) in &over.values {
            self.values.insert(key.clone(), p.clone());
        }
        if over.template.is_some() {
            self.template.clone_from(&over.template);
        }
    }

    pub fn get(&self, key: &str) -> Option<&Provided> {
        self.values.get(key)
    }

    /// A user default for `key` (config file or environment), replacing an earlier one.
    pub fn set_default(&mut self, key: &str, raw: impl Into<String>, origin: Origin) {
        self.defaults.insert(
            key.to_string(),
            Provided {
                raw: raw.into(),
                origin,
            },
        );
    }

    /// The user's default for `key`, if any.
    pub fn default_of(&self, key: &str) -> Option<&Provided> {
        self.defaults.get(key)
    }

    /// Every user default, by key.
    pub fn defaults(&self) -> impl Iterator<Item = (&str, &Provided)> {
        self.defaults.iter().map(|(k, v)| (k.as_str(), v))
    }

    /// Forget the value for `key` (`update` drops a recorded answer the new version refuses).
    pub fn remove(&mut self, key: &str) -> Option<Provided> {
        self.values.remove(key)
    }

    /// Every value given up front, by key.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Provided)> {
        self.values.iter().map(|(k, v)| (k.as_str(), v))
    }

    /// Refuse keys no question has (a typo would otherwise be silently ignored).
    pub fn check_keys(&self, known: &[String]) -> Result<()> {
        for (key, p) in &self.values {
            if !known.contains(key) {
                return Err(Error::UnknownKey {
                    key: key.clone(),
                    origin: p.origin.clone(),
                    suggestion: did_you_mean(key, known.iter().map(String::as_str)),
                    known: known.to_vec(),
                });
            }
        }
        Ok(())
    }
}

/// The last component of `path`, resolving `.` and `..` against the current directory.
fn last_component(path: &Path) -> Option<String> {
    let absolute = std::path::absolute(path).ok()?;
    let mut normal = PathBuf::new();
    for c in absolute.components() {
        match c {
            std::path::Component::ParentDir => {
                normal.pop();
            }
            std::path::Component::CurDir => {}
            other => normal.push(other),
        }
    }
    normal.file_name().map(|n| n.to_string_lossy().into_owned())
}

/// The plain (unquoted) scalars that are mapping values in `text`, as written, by their path
/// of keys (`["answers", "python"]` → `3.10`): the loader reads `3.10` as the number 3.1,
/// and a version is text. Read with the streaming parser (the text is already bounded).
fn plain_scalars(text: &str) -> BTreeMap<Vec<String>, String> {
    use saphyr_parser::{Event, Parser, ScalarStyle};
    /// A mapping being read: its current key, and whether the next node is a key.
    struct Frame {
        mapping: bool,
        key: Option<String>,
        at_key: bool,
    }
    // A node ends in the collection above it: after a value, a key comes next.
    fn done(stack: &mut [Frame]) {
        if let Some(top) = stack.last_mut()
            && top.mapping
        {
            top.at_key = !top.at_key;
            if top.at_key {
                top.key = None;
            }
        }
    }
    let mut out = BTreeMap::new();
    let mut stack: Vec<Frame> = Vec::new();
    for item in Parser::new_from_str(text) {
        let Ok((event, _)) = item else { break };
        match event {
            Event::MappingStart(..) | Event::SequenceStart(..) => stack.push(Frame {
                mapping: matches!(event, Event::MappingStart(..)),
                key: None,
                at_key: true,
            }),
            Event::MappingEnd | Event::SequenceEnd => {
                stack.pop();
                done(&mut stack);
            }
            Event::Scalar(value, style, ..) => {
                if let Some(top) = stack.last_mut()
                    && top.mapping
                {
                    if top.at_key {
                        top.key = Some(value.to_string());
                    } else if style == ScalarStyle::Plain {
                        let at: Option<Vec<String>> = stack.iter().map(|f| f.key.clone()).collect();
                        if let Some(at) = at {
                            out.insert(at, value.to_string());
                        }
                    }
                }
                done(&mut stack);
            }
            Event::Alias(_) => done(&mut stack),
            _ => {}
        }
    }
    out
}

/// A YAML scalar as the text a user would have typed.
fn scalar(v: &yaml_serde::Value) -> Option<String> {
    match v {
        yaml_serde::Value::String(s) => Some(s.clone()),
        yaml_serde::Value::Bool(b) => Some(b.to_string()),
        yaml_serde::Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// The answers for the pack's questions `keys`, in the one order of precedence every
/// command uses: what `given` holds (flags > `--set` > answers file, or a project's record)
/// over the user's defaults (`AICHOR_<KEY>` over the config file's `[defaults]`), over the
/// pack's own defaults (applied by `collect`).
pub fn with_user_defaults(
    given: &ProvidedAnswers,
    keys: &[String],
    config: &crate::config::Config,
    env: &crate::environment::Environment,
) -> ProvidedAnswers {
    let mut answers = given.clone();
    for (key, d) in config.question_defaults(keys, env) {
        answers.set_default(&key, d.value, d.origin);
    }
    answers
}

/// Walk the questions and produce every answer.
pub fn collect<'p>(
    questions: &Questions<'_>,
    provided: &ProvidedAnswers,
    mut prompter: Option<&mut (dyn Prompter + 'p)>,
) -> Result<Answers> {
    provided.check_keys(&questions.keys())?;
    if prompter.is_some() {
        check_up_front(questions, provided)?;
    }
    let all = questions.all();
    let mut answers = Answers::default();
    // Each prompted question as (its index in `all`, how many answers came before it):
    // Esc goes back to the last one, dropping the answers given since.
    let mut asked_at: Vec<(usize, usize)> = Vec::new();
    let mut i = 0;
    while let Some(q) = all.get(i) {
        if !questions.applies(q, &answers)? {
            i += 1;
            continue;
        }
        match answer(questions, q, &answers, provided, prompter.as_deref_mut()) {
            Ok((value, asked)) => {
                if asked {
                    asked_at.push((i, answers.len()));
                }
                answers.push(q.key.clone(), value);
                i += 1;
            }
            Err(Error::Back) => {
                // Back from the first prompt: there is nothing before it, so stop.
                let (j, len) = asked_at.pop().ok_or(Error::Back)?;
                answers.truncate(len);
                i = j;
            }
            Err(e) => return Err(e),
        }
    }
    Ok(answers)
}

/// `collect` for a command: with `-v`, says where each given value and user default came
/// from; a missing answer's error says why no one could be asked (`no_prompt`).
pub fn collect_for<'p>(
    questions: &Questions<'_>,
    provided: &ProvidedAnswers,
    prompter: Option<&mut (dyn Prompter + 'p)>,
    no_prompt: NoPrompt,
    progress: &crate::printer::Printer,
) -> Result<Answers> {
    for (key, given) in provided.iter() {
        progress.verbose(&format!("{key} = `{}` ({})", given.raw, given.origin));
    }
    for (key, d) in provided.defaults() {
        progress.verbose(&format!("default {key} = `{}` ({})", d.raw, d.origin));
    }
    collect(questions, provided, prompter).map_err(|e| match e {
        Error::MissingAnswer { key, flag, .. } => Error::MissingAnswer {
            key,
            flag,
            why: no_prompt,
        },
        other => other,
    })
}

/// One answer, from the first source that has it: a value given up front (validated); a
/// folder name that cannot be a project name, asked for again; the prompt (the user's
/// default preselected); the user's default; the pack's default.
fn answer(
    questions: &Questions<'_>,
    q: &Asked<'_>,
    so_far: &Answers,
    provided: &ProvidedAnswers,
    prompter: Option<&mut (dyn Prompter + '_)>,
) -> Result<(Value, bool)> {
    let checked = |p: &Provided| {
        questions
            .validate(&q.key, &p.raw, so_far)
            .map(|v| (v, false))
            .map_err(|invalid| Error::InvalidAnswer {
                key: q.key.clone(),
                value: p.raw.clone(),
                origin: p.origin.clone(),
                invalid,
                flag: q.flag.clone(),
            })
    };
    let given = provided.get(&q.key);
    // A pack option marked `ask = false` is answered as if no one could be asked.
    let prompter = prompter.filter(|_| q.spec.is_none_or(|spec| spec.ask));
    match (given, prompter) {
        (Some(p), Some(prompter)) if p.origin == Origin::Path => match checked(p) {
            Ok(v) => Ok(v),
            // `cd "My Project" && aichor local-repo init .`: the folder's name is only a
            // default, so a user who can be asked picks a valid one instead of failing.
            Err(Error::InvalidAnswer { invalid, .. }) => {
                prompter.show(&format!(
                    "  The folder's name `{}` cannot be the project name: {invalid}.",
                    p.raw
                ));
                let suggested = match invalid {
                    crate::error::Invalid::Name { suggestion, .. } => suggestion.map(Value::Str),
                    _ => None,
                };
                ask(questions, q, so_far, prompter, suggested).map(|v| (v, true))
            }
            Err(other) => Err(other),
        },
        (Some(p), _) => checked(p),
        (None, Some(prompter)) => {
            // The user's default preselects the answer when it is valid here (a GPU
            // profile default is not offered to an operator without GPU profiles).
            let preselected = provided
                .default_of(&q.key)
                .and_then(|d| questions.validate(&q.key, &d.raw, so_far).ok());
            ask(questions, q, so_far, prompter, preselected).map(|v| (v, true))
        }
        (None, None) => {
            if let Some(d) = provided.default_of(&q.key) {
                return checked(d);
            }
            questions
                .default(&q.key, so_far)?
                .map(|v| (v, false))
                .ok_or_else(|| Error::MissingAnswer {
                    key: q.key.clone(),
                    flag: q.flag.to_pass(),
                    why: NoPrompt::default(),
                })
        }
    }
}

/// Before the first question: a value given up front that no answer still to come could
/// make valid fails now, not after the user has answered the prompts before it
/// (`--python 2.7`, `--workers -1`). A value whose validity depends on an answer not given
/// yet (`--workers 0`: kuberay only) waits for that answer.
pub(crate) fn check_up_front(questions: &Questions<'_>, provided: &ProvidedAnswers) -> Result<()> {
    let mut known = Answers::default();
    for q in questions.all() {
        // A pack question's condition may need answers not given yet: checked when asked.
        if !questions.applies(&q, &known).unwrap_or(false) {
            continue;
        }
        let Some(p) = provided.get(&q.key) else {
            continue;
        };
        match questions.validate(&q.key, &p.raw, &known) {
            Ok(v) => known.push(q.key.clone(), v),
            Err(invalid) if p.origin != Origin::Path && settled(&q.key, &p.raw, &known) => {
                return Err(Error::InvalidAnswer {
                    key: q.key.clone(),
                    value: p.raw.clone(),
                    origin: p.origin.clone(),
                    invalid,
                    flag: q.flag.clone(),
                });
            }
            Err(_) => {}
        }
    }
    Ok(())
}

/// Whether a refusal of `raw` for `key` stands whatever is answered later. Without an
/// operator, profiles and Python versions are checked against every operator's, so a
/// refusal stands; a worker count of 0 or more may suit an operator not chosen yet.
fn settled(key: &str, raw: &str, known: &Answers) -> bool {
    key != "workers"
        || known.operator().is_some()
        || !matches!(raw.trim().parse::<i64>(), Ok(n) if n >= 0)
}

fn ask(
    questions: &Questions<'_>,
    q: &Asked<'_>,
    so_far: &Answers,
    prompter: &mut (dyn Prompter + '_),
    suggested: Option<Value>,
) -> Result<Value> {
    let key = q.key.as_str();
    let prompt = questions.prompt(q, so_far);
    let default = match suggested {
        Some(v) => Some(v),
        None => questions.default(key, so_far)?,
    };
    if let Some(help) = &q.help {
        prompter.show(&format!("  {help}"));
    }
    let raw = match q.kind {
        PromptKind::Text => {
            let validate = |s: &str| {
                questions
                    .validate(key, s, so_far)
                    .map(|_| ())
                    .map_err(|invalid| invalid.with_suggestion())
            };
            let default = default.as_ref().map(Value::display);
            prompter
                .text(&prompt, default.as_deref(), &validate)
                .map_err(Error::from_prompt)?
        }
        PromptKind::Select => {
            let choices = questions.choices(key, so_far);
            let default_id = default.as_ref().map(Value::display);
            let index = choices
                .iter()
                .position(|c| Some(&c.id) == default_id.as_ref())
                .unwrap_or(0);
            let labels: Vec<String> = choices.iter().map(|c| c.label.clone()).collect();
            let picked = prompter
                .select(&prompt, &labels, index)
                .map_err(Error::from_prompt)?;
            choices
                .get(picked)
                .map(|c| c.id.clone())
                .unwrap_or_default()
        }
        PromptKind::Confirm => {
            let default = matches!(default, Some(Value::Bool(true)));
            prompter
                .confirm(&prompt, default)
                .map_err(Error::from_prompt)?
                .to_string()
        }
    };
    // A prompt only offers valid values, but the validator is the single source of truth.
    questions
        .validate(key, &raw, so_far)
        .map_err(|invalid| Error::InvalidAnswer {
            key: key.into(),
            value: raw,
            origin: Origin::Prompt,
            invalid,
            flag: q.flag.clone(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_read_as_written() {
        let mut provided = ProvidedAnswers::default();
        let path = Path::new("answers.yaml");
        provided
            .add_file(path, "python: 3.10\nworkers: 2\nname: demo\n")
            .unwrap();
        assert_eq!(provided.get("python").unwrap().raw, "3.10");
        assert_eq!(provided.get("workers").unwrap().raw, "2");
        let mut recorded = ProvidedAnswers::default();
        recorded
            .add_file(
                path,
                "pack: builtin@0.2.0\nlist: [1.50]\nanswers:\n  python: 3.10\n  workers: 1.20\n",
            )
            .unwrap();
        assert_eq!(recorded.get("python").unwrap().raw, "3.10");
        assert_eq!(recorded.get("workers").unwrap().raw, "1.20");
    }

    #[test]
    fn plain_scalars_are_keyed_by_their_path() {
        let found = plain_scalars("a: 1.10\nb: '2.10'\nc:\n  d: 3.10\n  e: [4.10]\nf: 5.10\n");
        let key = |p: &[&str]| p.iter().map(|s| (*s).to_string()).collect::<Vec<_>>();
        assert_eq!(found.get(&key(&["a"])).map(String::as_str), Some("1.10"));
        assert_eq!(found.get(&key(&["b"])), None);
        assert_eq!(
            found.get(&key(&["c", "d"])).map(String::as_str),
            Some("3.10")
        );
        assert_eq!(found.get(&key(&["f"])).map(String::as_str), Some("5.10"));
        assert_eq!(found.len(), 3, "{found:?}");
    }
}
