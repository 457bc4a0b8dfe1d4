//! The AIchor manifest: its rules (`model`), the validator that reports every problem with
//! file:line:column (`check`), the JSON Schema export (`schema`), the legacy-shape migration
//! (`migrate`) and the repository cross-checks (`repo`).

pub mod check;
pub mod command;
pub mod migrate;
pub mod model;
pub mod repo;
pub mod schema;
