//! `aichor` as a library: everything the command line does, without the command line.
//!
//! The binary (`src/main.rs`, with `src/cli.rs` for the syntax and `src/commands/` for one
//! adapter per command) parses flags, resolves them into the settings types defined here,
//! calls into this crate and presents the result. Nothing here knows about clap.
//!
//! Layers, top to bottom (a module only uses the ones below it; ARCHITECTURE.md has the
//! graph, which a test keeps true):
//! - commands, peers over one engine: `init` (`local-repo init`), `update`
//!   (`local-repo update`), `manifest_new` (`manifest new`), `adopt` (`local-repo adopt`),
//!   `check` (`local-repo check`; `hooks`: its git hook).
//! - the engine: `generate` (answers → context → plan, pure) and `txn` (the only code that
//!   changes a destination: staging, journal, all-or-nothing commit).
//! - `pack`: template packs (format, where they come from, loading and layering);
//!   `manifest`: the manifest's rules, validator, JSON Schema, migration, repository checks.
//! - `profile`, `operator`, `names`, `duration`, `layout`: the domain's facts, each defined once.
//! - `environment` (the variables, read once), `config`, `error`, `printer`, `progress`,
//!   `prompt`, `interrupt`, `suggest`, `git`, `uv`, `shell`: plumbing.

pub mod adopt;
pub mod check;
pub mod config;
pub mod duration;
pub mod environment;
pub mod error;
pub mod generate;
pub mod git;
pub mod hooks;
pub mod init;
pub mod interrupt;
pub mod layout;
pub mod manifest;
pub mod manifest_new;
pub mod names;
pub mod operator;
pub mod pack;
pub mod printer;
pub mod profile;
pub mod progress;
pub mod prompt;
pub mod run;
pub mod shell;
pub mod suggest;
pub mod txn;
pub mod update;
pub mod uv;
