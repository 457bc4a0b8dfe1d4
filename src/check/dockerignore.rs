//! `.dockerignore` as `BuildKit` reads it: one pattern a line (`#` comments, `!` re-includes),
//! each cleaned and anchored at the context root, matched with Go's `filepath.Match` syntax
//! plus `**`; a pattern that matches a folder excludes everything under it; the last
//! matching pattern wins. The globs themselves are `globset`'s (with `*` not crossing `/`).

use std::path::Path;

use globset::{GlobBuilder, GlobMatcher};

use crate::error::{Error, Result};

/// The rules of one `.dockerignore`.
#[derive(Debug, Default)]
pub struct DockerIgnore {
    /// Which file the rules came from (relative to the context), if any.
    pub file: Option<String>,
    rules: Vec<Rule>,
    /// Patterns `BuildKit` refuses (an unclosed `[`, a trailing `\\`), which fail the build:
    /// line, pattern, why.
    pub broken: Vec<(usize, String, String)>,
}

#[derive(Debug)]
struct Rule {
    /// The pattern as written (after `!`), for messages.
    pattern: String,
    line: usize,
    matcher: GlobMatcher,
    negated: bool,
}

/// Why a path is excluded: the pattern that decided it and its line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Excluded {
    pub pattern: String,
    pub line: usize,
}

impl DockerIgnore {
    /// The rules for a build of `context` with `dockerfile`: `BuildKit` reads
    /// `<Dockerfile>.dockerignore` beside the Dockerfile when it exists, else
    /// `<context>/.dockerignore`; neither means nothing is excluded.
    pub fn for_build(context: &Path, dockerfile: Option<&Path>) -> Result<DockerIgnore> {
        let specific = dockerfile.map(|d| {
            let mut name = d.as_os_str().to_owned();
            name.push(".dockerignore");
            std::path::PathBuf::from(name)
        });
        let candidates = specific
            .into_iter()
            .chain(std::iter::once(context.join(".dockerignore")));
        for file in candidates {
            if file.is_file() {
                let bytes =
                    fs_err::read(&file).map_err(|e| Error::io(&file, "cannot be read", e))?;
                let mut rules = DockerIgnore::parse(&String::from_utf8_lossy(&bytes));
                rules.file = Some(
                    file.strip_prefix(context)
                        .unwrap_or(&file)
                        .to_string_lossy()
                        .replace('\\', "/"),
                );
                return Ok(rules);
            }
        }
        Ok(DockerIgnore::default())
    }

    /// The rules of a `.dockerignore` text. A pattern that is not a valid glob is skipped;
    /// one `BuildKit` refuses too is kept in `broken` (the build fails on it).
    pub fn parse(text: &str) -> DockerIgnore {
        let mut rules = Vec::new();
        let mut broken = Vec::new();
        // `BuildKit` drops a UTF-8 byte-order mark at the start.
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        for (i, raw) in text.lines().enumerate() {
            let line = raw.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let (negated, pattern) = match line.strip_prefix('!') {
                Some(rest) => (true, rest.trim()),
                None => (false, line),
            };
            let cleaned = clean(pattern);
            if cleaned.is_empty() {
                continue;
            }
            let glob = match GlobBuilder::new(&cleaned)
                .literal_separator(true)
                .backslash_escape(true)
                .build()
            {
                Ok(glob) => glob,
                Err(e) => {
                    // Only what Go's pattern syntax refuses as well; globset is stricter
                    // about `**` and reads `{a,b}`, which Docker takes literally.
                    if matches!(
                        e.kind(),
                        globset::ErrorKind::UnclosedClass | globset::ErrorKind::DanglingEscape
                    ) {
                        broken.push((i + 1, pattern.to_string(), e.kind().to_string()));
                    }
                    continue;
                }
            };
            rules.push(Rule {
                pattern: pattern.to_string(),
                line: i + 1,
                matcher: glob.compile_matcher(),
                negated,
            });
        }
        DockerIgnore {
            file: None,
            rules,
            broken,
        }
    }

    /// Whether `path` (relative to the context, `/`-separated) is left out of the build
    /// context, and by which pattern.
    pub fn excludes(&self, path: &str) -> Option<Excluded> {
        let path = clean(path);
        let mut verdict = None;
        for rule in &self.rules {
            if matches_or_parent(&rule.matcher, &path) {
                verdict = (!rule.negated).then(|| Excluded {
                    pattern: rule.pattern.clone(),
                    line: rule.line,
                });
            }
        }
        verdict
    }

    /// Whether some rule re-includes paths (`!pattern`): then an excluded folder may still
    /// have files in the context, and a walk must look inside it.
    pub fn has_exceptions(&self) -> bool {
        self.rules.iter().any(|r| r.negated)
    }
}

/// The path or one of its parent folders matches.
fn matches_or_parent(matcher: &GlobMatcher, path: &str) -> bool {
    if matcher.is_match(path) {
        return true;
    }
    let mut prefix = path;
    while let Some((parent, _)) = prefix.rsplit_once('/') {
        if matcher.is_match(parent) {
            return true;
        }
        prefix = parent;
    }
    false
}

/// Go's `filepath.Clean` for these patterns, anchored: no leading `/` or `./`, no empty or
/// `.` components, no trailing `/`; `a/../b` is folded.
fn clean(pattern: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for part in pattern.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                if parts.pop().is_none() {
                    // Above the context: nothing there is sent anyway.
                }
            }
            p => parts.push(p),
        }
    }
    parts.join("/")
}

#[cfg(test)]
mod tests {
    use super::DockerIgnore;

    fn excluded(rules: &str, path: &str) -> bool {
        DockerIgnore::parse(rules).excludes(path).is_some()
    }

    #[test]
    fn patterns_match_as_buildkit_does() {
        for (rules, path, want) in [
            ("src", "src/pkg/main.py", true),
            ("src/", "src/pkg/main.py", true),
            ("/src", "src/pkg/main.py", true),
            ("./src", "src/pkg/main.py", true),
            ("src", "lib/src/x.py", false),
            ("*.py", "main.py", true),
            ("*.py", "src/main.py", false),
            ("**/*.py", "src/pkg/main.py", true),
            ("**/*.py", "main.py", true),
            ("**/__pycache__", "src/pkg/__pycache__/m.pyc", true),
            ("**/*.py[cod]", "src/pkg/m.pyc", true),
            ("**/*.py[cod]", "src/pkg/m.py", false),
            ("s?c", "src/m.py", true),
            ("*\n!src", "src/m.py", false),
            ("*\n!src\nsrc/tests", "src/tests/t.py", true),
            ("*\n!src\nsrc/tests", "src/m.py", false),
            ("# src\n\n", "src/m.py", false),
            ("*.egg-info", "x.egg-info/PKG-INFO", true),
            ("aichor_manifests", "aichor_manifests/manifest.yaml", true),
            (".git", "src/.git", false),
        ] {
            assert_eq!(excluded(rules, path), want, "{rules:?} on {path}");
        }
    }

    #[test]
    fn the_deciding_pattern_is_named() {
        let rules = DockerIgnore::parse("# comment\n.venv\nsrc\n");
        let why = rules.excludes("src/a.py").unwrap();
        assert_eq!((why.pattern.as_str(), why.line), ("src", 3));
        assert!(!rules.has_exceptions());
    }
}
