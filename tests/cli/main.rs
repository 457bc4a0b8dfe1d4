//! Integration tests: the `aichor` binary as users and scripts run it.
//!
//! - `support`: running the binary (and git) in a sandbox: no inherited settings, a fresh home, snapshotting what it prints
//!   (`aichor_snapshot!`), reading generated trees.
//! - `adopt`: `local-repo adopt` on legacy layouts (the demo monorepo, root manifests,
//!   half-migrated repositories): moves, renames in git, collisions, refusals.
//! - `check`: `local-repo check` and `local-repo hooks`: generated projects, the corpus as
//!   repositories, seeded faults, commit messages, the hook in a real git repository.
//! - `config`: the user's config file and `AICHOR_<KEY>` defaults, their precedence.
//! - `help`: `--help` of every command, snapshotted.
//! - `hermetic`: the sandbox holds on a machine where aichor and git have been used.
//! - `init`: refusals, dry-run, JSON report, answers round-trip, conflict policy.
//! - `template_tests`: one snapshot per folder of `template-tests/`, plus parsers on every
//!   generated file.
//! - `pty`: the interactive path through a real pseudo-terminal (unix only).
//! - `manifest`: validate / migrate / schema on the conformance corpus and bad variants.
//! - `manifest_new`: `manifest new` in generated projects (profiles, operators, refusals).
//! - `packs`: template packs built in each test; the `templates` commands.
//! - `run`: `local-repo run` with tiny python3 manifests: variables, failures, signals,
//!   timeout, concurrent runs (unix).
//! - `safety`: signals, `--force` into a blocked folder, empty folders, racing inits (unix).
//! - `profiles`: `aichor profiles list` and `aichor completions`.
//! - `scripting`: JSON errors, `-q`/`-v`, dry-run refusals, names refused up front.
//! - `update`: `local-repo update` across pack versions and answer changes, conflicts.
//! - `distribution`: `--version`, the `aichor-kit` name, `aichor man`.
//! - `progress`: spinners on slow steps, through a pseudo-terminal (unix).

// Tests read and write fixtures with std::fs: a failure panics with the test's own message,
// so fs-err's path-naming errors (required in the library) add nothing here.
#![allow(clippy::disallowed_methods)]
// Table-driven tests read best as one table; paths here are generated, lowercase by construction.
#![allow(
    clippy::too_many_lines,
    clippy::case_sensitive_file_extension_comparisons
)]

mod adopt;
mod check;
mod config;
mod distribution;
mod help;
mod hermetic;
mod init;
mod manifest;
mod manifest_new;
mod packs;
mod profiles;
#[cfg(unix)]
mod progress;
#[cfg(unix)]
mod pty;
#[cfg(unix)]
mod run;
#[cfg(unix)]
mod safety;
mod scripting;
mod support;
mod template_tests;
mod update;
