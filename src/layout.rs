//! The names of the files and folders AIchor and aichor agree on, each spelled once.

/// Where the answers that produced a project are recorded, inside it.
pub const ANSWERS_FILE: &str = ".aichor-answers.yaml";
/// The folder AIchor reads manifests from, at the root of the repository it clones.
pub const MANIFESTS_DIR: &str = "aichor_manifests";
/// uv's lock file, beside `pyproject.toml`.
pub const UV_LOCK: &str = "uv.lock";
/// The project's metadata and dependencies.
pub const PYPROJECT: &str = "pyproject.toml";
/// The Python version uv and the image agree on.
pub const PYTHON_VERSION: &str = ".python-version";

/// Files merged into the user's rather than replaced (`--force` into an existing project):
/// `pyproject.toml` key by key, ignore files line by line.
pub fn merged_not_replaced(path: &str) -> bool {
    matches!(path, PYPROJECT | ".gitignore" | ".dockerignore")
}
