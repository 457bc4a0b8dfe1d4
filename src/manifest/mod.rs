//! The AIchor manifest: its rules (`model`), the validator that reports every problem with
//! <file:line:column> (`validate`), the JSON Schema export (`schema`), the legacy-shape
//! migration (`migrate`), the repository cross-checks (`repo`), finding manifest files
//! (`files`), every manifest of a repository found by content and where each would move
//! (`discover`) and setting one value in a manifest's text (`edit`).

pub mod discover;
pub mod edit;
pub mod files;
pub mod migrate;
mod model;
pub mod repo;
pub mod schema;
pub mod validate;
mod walker;
pub mod yaml;

/// Where the manifest's JSON Schema lives (the URL AIchor's own manifests reference).
/// The built-in pack's manifests point at the same URL (`vars.schema_url` in its pack.toml;
/// a test checks the two agree).
pub const SCHEMA_URL: &str = "https://instadeep.aichor.ai/schema/latest/manifest.schema.json";

/// The modeline current manifests start with, so editors validate them against the schema.
pub const MODELINE: &str = concat!(
    "# yaml-language-server: $schema=",
    "https://instadeep.aichor.ai/schema/latest/manifest.schema.json"
);

#[cfg(test)]
mod tests {
    #[test]
    fn one_schema_url() {
        assert_eq!(super::MODELINE.rsplit('=').next(), Some(super::SCHEMA_URL));
        let pack = crate::pack::Pack::builtin().unwrap();
        assert_eq!(pack.vars["schema_url"], super::SCHEMA_URL);
    }
}
