//! The transaction: the only code that changes a destination. A plan is staged beside it,
//! recorded in a journal, and moved in whole or not at all (`write`, `staging`); every
//! change goes through the `Fs` trait (`fs`), so tests inject failures; `guard` keeps what
//! the user had (permissions, files changed while a command ran).

pub mod fs;
pub mod guard;
pub mod plan;
pub mod staging;
pub mod write;

pub use plan::{Plan, PlannedFile};
pub use write::{
    Action, Consent, FileReport, Inspection, WritePolicy, apply as write_plan,
    apply_changes as write_changes, inspect,
};
