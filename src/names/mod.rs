//! Names derived from the one project name: the distribution (PEP 503), the Python package
//! and the image name. A name that cannot map cleanly to all three is refused, with a
//! suggestion that does.

use heck::{ToKebabCase, ToSnakeCase};
use serde::Serialize;

/// Longest accepted project name: image names and Kubernetes labels get awkward beyond it.
pub const MAX_LEN: usize = 64;

/// The shape of an accepted name as a regular expression, for JSON Schemas of the answers.
/// `Names::derive` is the authority (it also refuses keywords and shadowing names); a test
/// checks the two agree on the shape.
pub const PATTERN: &str = "^[a-z][a-z0-9]*([-_][a-z0-9]+)*$";

/// The names every template may use.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Names {
    /// The project name as given (`my-proj`).
    pub name: String,
    /// PEP 503 normalised distribution name (`my-proj`).
    pub distribution: String,
    /// Importable Python package (`my_proj`).
    pub package: String,
    /// Docker image name (`my-proj`).
    pub image: String,
}

/// Why a name was refused, and a name that would be accepted instead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub reason: String,
    pub suggestion: Option<String>,
}

impl Names {
    /// Derive every name from `name`, or explain why it cannot be used.
    pub fn derive(name: &str) -> Result<Names, Refusal> {
        let refuse = |reason: String| Refusal {
            reason,
            suggestion: suggest(name),
        };
        if name.is_empty() {
            return Err(refuse("the project name is empty".into()));
        }
        if name.len() > MAX_LEN {
            return Err(refuse(format!("longer than {MAX_LEN} characters")));
        }
        if !name.starts_with(|c: char| c.is_ascii_lowercase()) {
            return Err(refuse("must start with a lowercase letter a-z".into()));
        }
        if let Some(bad) = name
            .chars()
            .find(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '-' || *c == '_'))
        {
            return Err(refuse(format!(
                "`{bad}` is not allowed: use lowercase letters, digits, `-` and `_`"
            )));
        }
        if name.ends_with(['-', '_'])
            || name.contains("--")
            || name.contains("__")
            || name.contains("-_")
            || name.contains("_-")
        {
            return Err(refuse(
                "separators `-`/`_` must sit between letters or digits, one at a time".into(),
            ));
        }
        let package = name.to_snake_case();
        // heck agrees with a plain `-`→`_` for every name that passed the checks above; if
        // it ever did not, the package dir would silently differ from the name.
        if package != name.replace('-', "_") {
            return Err(refuse("cannot be turned into a Python package name".into()));
        }
        if PYTHON_KEYWORDS.contains(&package.as_str()) {
            return Err(refuse(format!("`{package}` is a Python keyword")));
        }
        if SHADOWED_MODULES.contains(&package.as_str()) {
            return Err(refuse(format!(
                "a package named `{package}` would shadow a module the project imports"
            )));
        }
        if listed(STDLIB, &package) {
            return Err(refuse(format!(
                "`{package}` is a module of Python's standard library: `python -m {package}.main` would import that one, not the project"
            )));
        }
        let distribution = name.to_kebab_case();
        if listed(DEPENDENCIES, &distribution) {
            return Err(refuse(format!(
                "`{distribution}` is a package the project installs: `uv lock` would fail, the project depending on itself"
            )));
        }
        Ok(Names {
            name: name.to_string(),
            image: distribution.clone(),
            distribution,
            package,
        })
    }
}

/// A distribution name as PEP 503 compares them: lowercase, each run of `-`, `_` and `.` one
/// `-` (`My_App` and `my-app` are the same project).
pub fn normalize(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for c in name.trim().chars() {
        if matches!(c, '-' | '_' | '.') {
            if !out.ends_with('-') {
                out.push('-');
            }
        } else {
            out.push(c.to_ascii_lowercase());
        }
    }
    out
}

/// A valid name close to `raw`, if there is one (`My Proj` → `my-proj`).
pub fn suggest(raw: &str) -> Option<String> {
    // Keep only the last path component: `../x` means the user meant `x`.
    let last = raw
        .rsplit(['/', '\\'])
        .find(|s| !s.is_empty() && *s != "." && *s != "..")
        .unwrap_or("");
    let ascii: String = last
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { ' ' })
        .collect();
    let mut kebab = ascii.to_kebab_case();
    // Leading digits or separators cannot start a Python package.
    kebab = kebab
        .trim_start_matches(|c: char| c.is_ascii_digit() || c == '-')
        .to_string();
    kebab.truncate(MAX_LEN);
    let kebab = kebab.trim_end_matches('-').to_string();
    if kebab.is_empty() {
        return None;
    }
    let snake = kebab.replace('-', "_");
    let candidate = if PYTHON_KEYWORDS.contains(&snake.as_str())
        || SHADOWED_MODULES.contains(&snake.as_str())
        || listed(STDLIB, &snake)
        || listed(DEPENDENCIES, &kebab)
    {
        format!("my-{kebab}")
    } else {
        kebab
    };
    (candidate != raw && Names::derive(&candidate).is_ok()).then_some(candidate)
}

/// Whether `module` (a top-level name, lower case) is the standard library's.
pub fn is_stdlib(module: &str) -> bool {
    listed(STDLIB, module)
}

/// Top-level standard-library modules (one per line, `#` comments).
const STDLIB: &str = include_str!("stdlib.txt");

/// Distributions a built-in project installs, PEP 503 normalised (one per line).
const DEPENDENCIES: &str = include_str!("dependencies.txt");

/// Whether `name` is a line of `list` (a `#`-commented list file; a few hundred lines, read
/// at most twice a run, so a scan beats building a set).
fn listed(list: &str, name: &str) -> bool {
    list.lines()
        .map(str::trim)
        .any(|line| !line.starts_with('#') && line == name)
}

/// Python's hard keywords: none can be an import name.
const PYTHON_KEYWORDS: &[&str] = &[
    "false", "none", "true", "and", "as", "assert", "async", "await", "break", "class", "continue",
    "def", "del", "elif", "else", "except", "finally", "for", "from", "global", "if", "import",
    "in", "is", "lambda", "nonlocal", "not", "or", "pass", "raise", "return", "try", "while",
    "with", "yield",
];

/// Modules a generated project imports (its operator's runtime, or the standard library it
/// uses): a package of the same name would be imported instead and break the starter.
const SHADOWED_MODULES: &[&str] = &[
    "torch",
    "jax",
    "jaxlib",
    "xgboost",
    "ray",
    "numpy",
    "tensorboardx",
    "os",
    "sys",
    "json",
    "time",
    "socket",
    "math",
    "random",
    "logging",
    "typing",
    "pathlib",
    "platform",
    "collections",
    "test",
    "tests",
    "main",
    "src",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derives_all_names() {
        let n = Names::derive("my-proj").unwrap();
        assert_eq!(
            (
                n.distribution.as_str(),
                n.package.as_str(),
                n.image.as_str()
            ),
            ("my-proj", "my_proj", "my-proj")
        );
        let n = Names::derive("ml4science_v2").unwrap();
        assert_eq!(
            (n.distribution.as_str(), n.package.as_str()),
            ("ml4science-v2", "ml4science_v2")
        );
    }

    #[test]
    fn pattern_agrees_with_derive() {
        let re = regex_lite::Regex::new(PATTERN).unwrap();
        for name in [
            "a", "ab-c", "a_b", "a1", "a-1b", "1a", "-a", "a-", "a--b", "a_-b", "A", "a.b", "a b",
            "é", "ab_", "x9-y8_z7",
        ] {
            assert_eq!(
                re.is_match(name),
                Names::derive(name).is_ok(),
                "`{name}`: pattern and derive disagree"
            );
        }
    }

    #[test]
    fn lists_are_clean() {
        for (list, what) in [(STDLIB, "stdlib.txt"), (DEPENDENCIES, "dependencies.txt")] {
            for line in list.lines().filter(|l| !l.starts_with('#')) {
                assert!(
                    !line.is_empty() && line == line.trim() && line == line.to_lowercase(),
                    "{what}: `{line}`"
                );
            }
        }
        assert!(listed(STDLIB, "email") && !listed(STDLIB, "#"));
    }

    #[test]
    fn refuses_with_suggestions() {
        let cases = [
            ("My Proj", Some("my-proj")),
            ("1xyz", Some("xyz")),
            ("abc", Some("my-abc")),
            ("class", Some("my-class")),
            ("../x", Some("x")),
            ("", None),
            ("données", Some("donn-es")),
            ("a--b", Some("a-b")),
            ("torch", Some("my-torch")),
            ("email", Some("my-email")),
            ("site", Some("my-site")),
            ("boto3", Some("my-boto3")),
            ("pytest", Some("my-pytest")),
            ("xgboost-cpu", Some("my-xgboost-cpu")),
            ("typing-extensions", Some("my-typing-extensions")),
            ("x-", Some("x")),
            ("...", None),
        ];
        for (raw, want) in cases {
            let refusal = Names::derive(raw).expect_err(raw);
            assert_eq!(refusal.suggestion.as_deref(), want, "{raw}");
        }
        let long = "a".repeat(200);
        let refusal = Names::derive(&long).unwrap_err();
        assert_eq!(refusal.suggestion.map(|s| s.len()), Some(MAX_LEN));
    }
}
