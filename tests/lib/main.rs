//! In-process tests of the library's `init` pipeline: no binary, no terminal.
//!
//! - `architecture`: ARCHITECTURE.md's layers hold (read from the `crate::` paths).
//! - `environment`: what the library sees of the environment is what its settings carry.
//! - `scripted`: a `Prompter` that plays a script of expected prompts and answers.
//! - `prompts`: the interactive order and wording, through `answers::collect`.
//! - `faults`: every filesystem step failed, and crashed at, in turn (unix).
//! - `new_manifest`: `manifest new` with a scripted prompter (what is asked, what is not).
//! - `pipeline`: `Context::resolve`, `render::plan` and `init::build` on validated answers.
//! - `update`: what `update` asks (only new or ruled-out answers), through `update::run`.
//! - `properties`: the parsers on generated input (proptest): no panic, bounded work,
//!   migrations that parse and are fixed points.
//! - `regressions`: the inputs that once broke `manifest migrate` (`tests/regressions/`).
//! - `corpus`: the fuzz targets' committed corpora (`fuzz/corpus/`), replayed.

// Tests read and write fixtures with std::fs: a failure panics with the test's own message,
// so fs-err's path-naming errors (required in the library) add nothing here.
#![allow(clippy::disallowed_methods)]
// Table-driven tests read best as one table; paths here are generated, lowercase by construction.
#![allow(
    clippy::too_many_lines,
    clippy::case_sensitive_file_extension_comparisons
)]

mod architecture;
mod corpus;
mod environment;
#[cfg(unix)]
mod faults;
mod new_manifest;
mod pipeline;
mod prompts;
mod properties;
mod regressions;
mod scripted;
mod update;
