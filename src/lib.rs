//! `aichor` as a library: everything the command line does, without the command line.
//!
//! The binary (`src/main.rs`, with `src/cli.rs` for the syntax and `src/commands/` for one
//! adapter per command) parses flags, resolves them into the settings types defined here,
//! calls into this crate and presents the result. Nothing here knows about clap.
//!
//! Layers, top to bottom (a module only uses the ones below it):
//! - `check`: `local-repo check`, is a repository ready to submit; `hooks`: its git hook.
//! - `new_manifest`: `manifest new`, another manifest through init's pipeline.
//! - `init`: `local-repo init` as answers → context → plan → disk, plus pack snapshots.
//! - `pack`: template packs (format, where they come from, loading and layering).
//! - `manifest`: the manifest's rules, validator, JSON Schema, migration, repository checks.
//! - `profile`, `operator`, `names`: the domain's facts, each defined once.
//! - `error`, `printer`, `progress`, `prompt`, `interrupt`, `suggest`, `fs`, `uv`: plumbing.

pub mod check;
pub mod config;
pub mod environment;
pub mod error;
pub mod fs;
pub mod hooks;
pub mod init;
pub mod interrupt;
pub mod manifest;
pub mod names;
pub mod new_manifest;
pub mod operator;
pub mod pack;
pub mod printer;
pub mod profile;
pub mod progress;
pub mod prompt;
pub mod staging;
pub mod suggest;
pub mod update;
pub mod uv;
