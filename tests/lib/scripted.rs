//! A `Prompter` that plays a script: each step names a substring the prompt must contain
//! and the answer to give. Any other prompt, a prompt of the wrong kind, or a prompt after
//! the script ended panics naming what was expected and what was asked; `finish` panics when
//! steps were left unasked. Every prompt is recorded (text, offered items, default) so tests
//! can check what the user would have seen.

use std::collections::VecDeque;
use std::io;

use aichor::prompt::{Prompter, Validator};

/// What to answer at one prompt.
#[derive(Debug, Clone)]
pub(crate) enum Answer {
    /// Typed at a text prompt, in order: every attempt but the last must be refused by the
    /// prompt's validator (the terminal re-asks), the last accepted.
    Type(Vec<String>),
    /// At a select prompt: the item whose first word is this (an id such as `jax` or `3.11`).
    Pick(String),
    /// At a select prompt: the default item.
    PickDefault,
    /// At a confirm prompt.
    Confirm(bool),
    /// Esc at a select or confirm prompt.
    Esc,
}

/// One expected prompt.
#[derive(Debug, Clone)]
pub(crate) struct Step {
    pub prompt: String,
    pub answer: Answer,
}

/// `Type`: a text prompt containing `prompt`, answered with `attempts` in turn.
pub(crate) fn typed(prompt: &str, attempts: &[&str]) -> Step {
    Step {
        prompt: prompt.into(),
        answer: Answer::Type(
            attempts
                .iter()
                .map(std::string::ToString::to_string)
                .collect(),
        ),
    }
}

/// `Pick`: a select prompt containing `prompt`, answered with the item starting with `id`.
pub(crate) fn pick(prompt: &str, id: &str) -> Step {
    Step {
        prompt: prompt.into(),
        answer: Answer::Pick(id.into()),
    }
}

/// `PickDefault`: a select prompt containing `prompt`, answered with its default.
pub(crate) fn pick_default(prompt: &str) -> Step {
    Step {
        prompt: prompt.into(),
        answer: Answer::PickDefault,
    }
}

/// `Confirm`: a yes/no prompt containing `prompt`.
pub(crate) fn confirm(prompt: &str, yes: bool) -> Step {
    Step {
        prompt: prompt.into(),
        answer: Answer::Confirm(yes),
    }
}

/// `Esc`: Esc at a select or confirm prompt containing `prompt`.
pub(crate) fn esc(prompt: &str) -> Step {
    Step {
        prompt: prompt.into(),
        answer: Answer::Esc,
    }
}

/// A prompt as the user saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Asked {
    pub prompt: String,
    /// Select items, as labels.
    pub items: Vec<String>,
    /// The default shown (text: the value; select: the label; confirm: `true`/`false`).
    pub default: Option<String>,
    /// Messages the validator printed under refused attempts.
    pub refusals: Vec<String>,
}

#[derive(Debug, Default)]
pub(crate) struct Scripted {
    steps: VecDeque<Step>,
    pub asked: Vec<Asked>,
    /// Text shown with `show` (a question's help, the summary).
    pub shown: Vec<String>,
}

impl Scripted {
    pub(crate) fn new(steps: impl IntoIterator<Item = Step>) -> Scripted {
        Scripted {
            steps: steps.into_iter().collect(),
            ..Scripted::default()
        }
    }

    /// Every step was played.
    pub(crate) fn finish(&self) {
        assert!(
            self.steps.is_empty(),
            "the script expected more prompts, never asked: {:?}\nasked: {:?}",
            self.steps.iter().map(|s| &s.prompt).collect::<Vec<_>>(),
            self.prompts()
        );
    }

    /// The prompts asked, in order.
    pub(crate) fn prompts(&self) -> Vec<&str> {
        self.asked.iter().map(|a| a.prompt.as_str()).collect()
    }

    /// The prompt containing `prompt`, as asked.
    pub(crate) fn asked(&self, prompt: &str) -> &Asked {
        self.asked
            .iter()
            .find(|a| a.prompt.contains(prompt))
            .unwrap_or_else(|| panic!("`{prompt}` was never asked; asked: {:?}", self.prompts()))
    }

    /// The next step, checked against the prompt being asked.
    fn next(&mut self, kind: &str, prompt: &str) -> Answer {
        let asked_so_far = self.prompts().join(" → ");
        let Some(step) = self.steps.pop_front() else {
            panic!(
                "unexpected {kind} prompt `{prompt}`: the script has ended (asked so far: {asked_so_far})"
            );
        };
        assert!(
            prompt.contains(&step.prompt),
            "expected a prompt containing `{}`, but the {kind} prompt `{prompt}` was asked (asked so far: {asked_so_far})",
            step.prompt
        );
        step.answer
    }
}

impl Prompter for Scripted {
    fn text(
        &mut self,
        prompt: &str,
        default: Option<&str>,
        validate: Validator<'_>,
    ) -> io::Result<String> {
        let Answer::Type(attempts) = self.next("text", prompt) else {
            panic!("`{prompt}` is a text prompt, the script answers it otherwise");
        };
        let mut refusals = Vec::new();
        let (last, refused) = attempts.split_last().expect("at least one attempt");
        for attempt in refused {
            match validate(attempt) {
                Err(message) => refusals.push(message),
                Ok(()) => {
                    panic!("`{prompt}`: `{attempt}` was accepted, the script expected a refusal")
                }
            }
        }
        if let Err(message) = validate(last) {
            panic!("`{prompt}`: `{last}` was refused ({message}), the script expected it accepted");
        }
        self.asked.push(Asked {
            prompt: prompt.into(),
            items: Vec::new(),
            default: default.map(str::to_string),
            refusals,
        });
        Ok(last.clone())
    }

    fn select(&mut self, prompt: &str, items: &[String], default: usize) -> io::Result<usize> {
        let answer = self.next("select", prompt);
        self.asked.push(Asked {
            prompt: prompt.into(),
            items: items.to_vec(),
            default: items.get(default).cloned(),
            refusals: Vec::new(),
        });
        match answer {
            Answer::Esc => Err(aichor::prompt::back()),
            Answer::PickDefault => Ok(default),
            Answer::Pick(id) => Ok(items
                .iter()
                .position(|item| item.split_whitespace().next() == Some(id.as_str()))
                .unwrap_or_else(|| panic!("`{prompt}` does not offer `{id}`: {items:?}"))),
            other => panic!("`{prompt}` is a select prompt, the script answers {other:?}"),
        }
    }

    fn confirm(&mut self, prompt: &str, default: bool) -> io::Result<bool> {
        let answer = self.next("confirm", prompt);
        self.asked.push(Asked {
            prompt: prompt.into(),
            items: Vec::new(),
            default: Some(default.to_string()),
            refusals: Vec::new(),
        });
        match answer {
            Answer::Esc => Err(aichor::prompt::back()),
            Answer::Confirm(yes) => Ok(yes),
            other => panic!("`{prompt}` is a confirm prompt, the script answers {other:?}"),
        }
    }

    fn show(&mut self, text: &str) {
        self.shown.push(text.to_string());
    }
}
