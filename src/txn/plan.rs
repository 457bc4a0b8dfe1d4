//! What a transaction writes: files by relative path, with their bytes and whether they are
//! executable. The generator renders one; the transaction commits it.

use serde::Serialize;

/// One file to write.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlannedFile {
    /// Relative path, `/`-separated.
    pub path: String,
    /// Written with the executable bits (`[[files]] executable = true` in the pack).
    pub executable: bool,
    #[serde(skip)]
    pub contents: Vec<u8>,
}

/// Every file of the project, sorted by path.
#[derive(Debug, Clone, Default)]
pub struct Plan {
    pub files: Vec<PlannedFile>,
}
