//! Where a module the command runs comes from when the repository does not hold it: the
//! standard library, a distribution the build installs (`uv.lock`, else pyproject.toml's
//! dependencies, plus the Dockerfile's own `pip install`s), or the base image (`rayproject/ray`
//! brings `ray`). A distribution ships modules under names the lock does not list, so the
//! match is on the name (PEP 503-normalised, `xgboost` for `xgboost-cpu`) and a short table
//! of the usual exceptions (`sklearn` is `scikit-learn`).

use std::path::Path;

use toml_edit::{DocumentMut, Item};

use super::dockerfile::Dockerfile;
use crate::layout::{PYPROJECT, UV_LOCK};

/// Import names whose distribution is named otherwise.
const ALIASES: &[(&str, &[&str])] = &[
    ("sklearn", &["scikit-learn"]),
    ("skimage", &["scikit-image"]),
    ("yaml", &["pyyaml"]),
    ("pil", &["pillow"]),
    (
        "cv2",
        &[
            "opencv-python",
            "opencv-python-headless",
            "opencv-contrib-python",
        ],
    ),
    ("bs4", &["beautifulsoup4"]),
    ("attr", &["attrs"]),
    ("dateutil", &["python-dateutil"]),
    ("dotenv", &["python-dotenv"]),
    ("jwt", &["pyjwt"]),
    ("git", &["gitpython"]),
    ("crypto", &["pycryptodome"]),
    ("openssl", &["pyopenssl"]),
    ("google", &["protobuf"]),
];

/// Modules every Python image has besides the standard library.
const WITH_PYTHON: &[&str] = &[
    "pip",
    "setuptools",
    "wheel",
    "pkg_resources",
    "_distutils_hack",
];

/// What a build installs, as far as the check can tell.
#[derive(Debug, Default)]
pub(super) struct Provided {
    /// Normalised distribution names, and where they were read.
    distributions: Vec<String>,
    /// `uv.lock`, `pyproject.toml` (or nothing), for messages.
    pub source: Option<&'static str>,
    /// Base image names (`rayproject/ray`), lower case.
    images: Vec<String>,
}

impl Provided {
    /// What the build of `context` with `dockerfile` installs.
    pub(super) fn read(context: &Path, dockerfile: &Dockerfile) -> Provided {
        let mut provided = Provided::default();
        if let Some(names) = lock_names(context) {
            provided.distributions = names;
            provided.source = Some(UV_LOCK);
        } else if let Some(names) = dependency_names(context) {
            provided.distributions = names;
            provided.source = Some(PYPROJECT);
        }
        for ins in dockerfile
            .instructions
            .iter()
            .filter(|i| i.keyword == "RUN")
        {
            let words: Vec<&str> = ins.args.split_whitespace().collect();
            let Some(at) = words
                .windows(2)
                .position(|p| p[0].ends_with("pip") && p[1] == "install")
            else {
                continue;
            };
            let args: Vec<&str> = words[at + 2..]
                .iter()
                .copied()
                .take_while(|w| !matches!(*w, "&&" | ";" | "||" | "|"))
                .collect();
            for (i, w) in args.iter().enumerate() {
                if i > 0 && matches!(args[i - 1], "-r" | "--requirement") {
                    // `pip install -r requirements.txt`: the file, from the context.
                    let file = context.join(w.trim_start_matches("./"));
                    let text = fs_err::read_to_string(file).unwrap_or_default();
                    provided.distributions.extend(
                        text.lines()
                            .map(str::trim)
                            .filter(|l| !l.is_empty() && !l.starts_with(['#', '-']))
                            .map(requirement_name),
                    );
                } else if !w.starts_with('-') && !w.contains('/') && *w != "." {
                    provided
                        .distributions
                        .push(requirement_name(w.trim_matches(['"', '\''])));
                }
            }
        }
        provided.images = dockerfile
            .bases()
            .into_iter()
            .map(|b| b.image.to_ascii_lowercase())
            .collect();
        provided
    }

    /// Who provides the top-level module `top`, in words; `None` when nothing the check
    /// knows of does.
    pub(super) fn provider(&self, top: &str) -> Option<String> {
        let lower = top.to_ascii_lowercase();
        if crate::names::is_stdlib(&lower) || WITH_PYTHON.contains(&lower.as_str()) {
            return Some("the standard library".into());
        }
        let name = crate::names::normalize(top);
        let aliases = ALIASES
            .iter()
            .filter(|(module, _)| *module == lower)
            .flat_map(|(_, d)| d.iter().copied());
        let by_alias = aliases
            .clone()
            .find(|a| self.distributions.iter().any(|d| d == a));
        let by_name = self
            .distributions
            .iter()
            .find(|d| **d == name || d.starts_with(&format!("{name}-")));
        if let Some(d) = by_name.map(String::as_str).or(by_alias) {
            return Some(format!(
                "the distribution `{d}` ({})",
                self.source.unwrap_or("the Dockerfile's `pip install`")
            ));
        }
        // `rayproject/ray:2.9.0` has `ray`; `pytorch/pytorch` has `torch`.
        let image = self.images.iter().find(|image| {
            let name = image.split(':').next().unwrap_or(image);
            name.rsplit('/')
                .next()
                .is_some_and(|last| last.contains(&lower))
        })?;
        Some(format!("the base image `{image}`"))
    }
}

/// The packages of `uv.lock`, normalised; `None` without a readable lock.
fn lock_names(context: &Path) -> Option<Vec<String>> {
    let text = fs_err::read_to_string(context.join(UV_LOCK)).ok()?;
    let doc = text.parse::<DocumentMut>().ok()?;
    let packages = doc.get("package").and_then(Item::as_array_of_tables);
    Some(
        packages
            .into_iter()
            .flat_map(|a| a.iter())
            .filter_map(|p| p.get("name")?.as_str())
            .map(crate::names::normalize)
            .collect(),
    )
}

/// `[project].dependencies`, optional dependencies and dependency groups of pyproject.toml,
/// normalised; `None` without a readable one.
fn dependency_names(context: &Path) -> Option<Vec<String>> {
    let text = fs_err::read_to_string(context.join(PYPROJECT)).ok()?;
    let doc = text.parse::<DocumentMut>().ok()?;
    let project = doc.get("project");
    let mut lists: Vec<&toml_edit::Array> = Vec::new();
    lists.extend(
        project
            .and_then(|p| p.get("dependencies"))
            .and_then(Item::as_array),
    );
    for table in [
        project.and_then(|p| p.get("optional-dependencies")),
        doc.get("dependency-groups"),
    ]
    .into_iter()
    .flatten()
    {
        if let Some(t) = table.as_table_like() {
            lists.extend(t.iter().filter_map(|(_, v)| v.as_array()));
        }
    }
    Some(
        lists
            .into_iter()
            .flat_map(|a| a.iter())
            .filter_map(|v| v.as_str())
            .map(requirement_name)
            .collect(),
    )
}

/// The normalised name of a requirement: `torch[cuda]>=2; sys_platform...` → `torch`.
fn requirement_name(req: &str) -> String {
    let end = req
        .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')))
        .unwrap_or(req.len());
    crate::names::normalize(&req[..end])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn providers_by_name_alias_and_image() {
        let p = Provided {
            distributions: vec![
                "xgboost-cpu".into(),
                "scikit-learn".into(),
                "huggingface-hub".into(),
            ],
            source: Some(UV_LOCK),
            images: vec!["rayproject/ray:2.9.0-py311".into()],
        };
        assert!(p.provider("xgboost").is_some());
        assert!(p.provider("sklearn").is_some());
        assert!(p.provider("huggingface_hub").is_some());
        assert!(p.provider("ray").is_some());
        assert!(p.provider("json").is_some());
        assert!(p.provider("pip").is_some());
        assert_eq!(p.provider("deom"), None);
        assert_eq!(p.provider("torch"), None);
        assert_eq!(
            requirement_name("Torch[cuda]>=2; sys_platform == 'linux'"),
            "torch"
        );
    }

    #[test]
    fn the_dockerfiles_pip_installs_and_their_requirements_files() {
        let tmp = tempfile::tempdir().unwrap();
        fs_err::write(
            tmp.path().join("requirements.txt"),
            "# pinned\nTorch==2.5\n-e .\n",
        )
        .unwrap();
        let dockerfile = Dockerfile::parse(
            "FROM python:3.11\nRUN pip install --no-cache-dir -r requirements.txt wandb && echo rich\n",
        );
        let p = Provided::read(tmp.path(), &dockerfile);
        assert!(p.provider("torch").is_some());
        assert!(p.provider("wandb").is_some());
        assert_eq!(p.provider("rich"), None);
        assert_eq!(p.provider("requirements"), None);
        assert_eq!(p.source, None);
    }
}
