//! In-process tests of the library's `init` pipeline: no binary, no terminal.
//!
//! - `scripted`: a `Prompter` that plays a script of expected prompts and answers.
//! - `prompts`: the interactive order and wording, through `answers::collect`.
//! - `pipeline`: `Context::resolve`, `render::plan` and `init::build` on validated answers.

mod pipeline;
mod prompts;
mod scripted;
