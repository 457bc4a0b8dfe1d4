//! The names of the files and folders AIchor and aichor agree on, each spelled once, and
//! the one way of finding a repository's root from a path inside it.

use std::path::{Path, PathBuf};

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

/// What marks a repository's root when looking up from a path, as git looks for `.git`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RootMarks {
    /// A `.git` folder or file (a work tree, a worktree or a submodule).
    pub git: bool,
    /// An `aichor_manifests/` folder.
    pub manifests: bool,
    /// A `.aichor-answers.yaml` file (a project aichor generated).
    pub answers: bool,
}

impl RootMarks {
    /// A git work tree.
    pub const GIT: RootMarks = RootMarks {
        git: true,
        manifests: false,
        answers: false,
    };
    /// An AIchor project: manifests or a generated project's record (`manifest new`).
    pub const PROJECT: RootMarks = RootMarks {
        git: false,
        manifests: true,
        answers: true,
    };
    /// Any of them (`local-repo check`: a repository to check).
    pub const ANY: RootMarks = RootMarks {
        git: true,
        manifests: true,
        answers: true,
    };

    fn marks(self, dir: &Path) -> bool {
        (self.git && dir.join(".git").exists())
            || (self.manifests && dir.join(MANIFESTS_DIR).is_dir())
            || (self.answers && dir.join(ANSWERS_FILE).is_file())
    }
}

/// The nearest folder at or above `start` (made absolute) that `marks` call a root: the one
/// finder behind `check`, `manifest new`, the next steps and a manifest's placement.
pub fn find_root(start: &Path, marks: RootMarks) -> Option<PathBuf> {
    // `..` resolved first: `std::path::absolute` keeps it, and the ancestors of
    // `/work/aichor/../demo` would pass through `/work/aichor`, a folder `demo` is not in.
    let mut absolute = PathBuf::new();
    for part in std::path::absolute(start).ok()?.components() {
        match part {
            std::path::Component::ParentDir => {
                absolute.pop();
            }
            std::path::Component::CurDir => {}
            other => absolute.push(other),
        }
    }
    absolute
        .ancestors()
        .find(|dir| marks.marks(dir))
        .map(Path::to_path_buf)
}

/// The YAML files under `root`'s `aichor_manifests/`, each as its path on disk and its
/// selector (the path below that folder, with `/`), sorted by selector. A folder that cannot
/// be read is passed over: the callers look for manifests, they do not check the tree.
pub fn manifest_files(root: &Path) -> Vec<(PathBuf, String)> {
    let dir = root.join(MANIFESTS_DIR);
    let mut found = Vec::new();
    let mut stack = vec![dir.clone()];
    while let Some(at) = stack.pop() {
        let Ok(entries) = fs_err::read_dir(&at) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            match entry.file_type() {
                Ok(t) if t.is_dir() => stack.push(path),
                Ok(t) if t.is_file() => {
                    let Ok(rel) = path.strip_prefix(&dir) else {
                        continue;
                    };
                    let selector = rel.to_string_lossy().replace('\\', "/");
                    let yaml = matches!(
                        Path::new(&selector).extension().and_then(|e| e.to_str()),
                        Some("yaml" | "yml")
                    );
                    if yaml {
                        found.push((path, selector));
                    }
                }
                _ => {}
            }
        }
    }
    found.sort_by(|a, b| a.1.cmp(&b.1));
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_nearest_folder_with_a_mark_is_the_root() {
        let tmp = tempfile::tempdir().unwrap();
        let repo = tmp.path().join("repo");
        let project = repo.join("demos/one");
        fs_err::create_dir_all(project.join("src")).unwrap();
        fs_err::create_dir_all(repo.join(".git")).unwrap();
        fs_err::create_dir_all(project.join(MANIFESTS_DIR)).unwrap();
        let inside = project.join("src");
        assert_eq!(find_root(&inside, RootMarks::GIT), Some(repo.clone()));
        assert_eq!(
            find_root(&inside, RootMarks::PROJECT),
            Some(project.clone())
        );
        assert_eq!(find_root(&inside, RootMarks::ANY), Some(project.clone()));
        // A file named like the folder is no mark.
        fs_err::remove_dir(project.join(MANIFESTS_DIR)).unwrap();
        fs_err::write(project.join(MANIFESTS_DIR), "").unwrap();
        assert_eq!(find_root(&inside, RootMarks::PROJECT), None);
        fs_err::write(project.join(ANSWERS_FILE), "").unwrap();
        assert_eq!(find_root(&inside, RootMarks::PROJECT), Some(project));
    }

    /// `repo/../demo` is beside `repo`, not in it (the README's `init ../demo`, run in a
    /// clone of aichor).
    #[test]
    fn a_path_through_dot_dot_is_not_inside_the_folder_it_names() {
        let tmp = tempfile::tempdir().unwrap();
        let repo = tmp.path().join("repo");
        fs_err::create_dir_all(repo.join(".git")).unwrap();
        fs_err::create_dir_all(repo.join("inner")).unwrap();
        let beside = repo.join("..").join("demo");
        assert_eq!(find_root(&beside, RootMarks::GIT), None);
        let back_in = repo.join("inner").join("..").join(".").join("x");
        assert_eq!(find_root(&back_in, RootMarks::GIT), Some(repo));
    }

    #[test]
    fn manifest_files_are_the_yaml_files_below_the_folder_by_selector() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join(MANIFESTS_DIR);
        fs_err::create_dir_all(dir.join("gpu/big")).unwrap();
        for f in [
            "manifest.yaml",
            "gpu/big/a.yml",
            "gpu/b.yaml",
            "notes.md",
            "gpu/c.json",
        ] {
            fs_err::write(dir.join(f), "").unwrap();
        }
        fs_err::create_dir(dir.join("folder.yaml")).unwrap();
        let selectors: Vec<_> = manifest_files(tmp.path())
            .into_iter()
            .map(|(path, selector)| {
                assert_eq!(path, dir.join(&selector));
                selector
            })
            .collect();
        assert_eq!(selectors, ["gpu/b.yaml", "gpu/big/a.yml", "manifest.yaml"]);
        assert!(manifest_files(&tmp.path().join("nowhere")).is_empty());
    }
}
