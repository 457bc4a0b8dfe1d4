//! What the checks read from a Dockerfile: its instructions with their lines (continuations
//! joined, comments dropped), the base images with the Python and Ray versions their tags
//! name, whether uv installs from the lock, and what `COPY`/`ADD` take from the context.

use regex_lite::Regex;

/// One instruction: keyword (upper case), arguments, line where it starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Instruction {
    pub line: usize,
    pub keyword: String,
    pub args: String,
}

/// A parsed Dockerfile.
#[derive(Debug, Default)]
pub struct Dockerfile {
    pub instructions: Vec<Instruction>,
}

/// A base image (`FROM`), with `ARG` defaults substituted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Base {
    pub line: usize,
    pub image: String,
}

impl Dockerfile {
    pub fn parse(text: &str) -> Dockerfile {
        let mut instructions = Vec::new();
        // `BuildKit` drops a UTF-8 byte-order mark at the start.
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let mut current: Option<(usize, String)> = None;
        for (i, raw) in text.lines().enumerate() {
            let trimmed = raw.trim();
            // Comment lines are dropped, inside a continuation too.
            if trimmed.starts_with('#') || (trimmed.is_empty() && current.is_none()) {
                continue;
            }
            let (body, continues) = match trimmed.strip_suffix('\\') {
                Some(b) => (b, true),
                None => (trimmed, false),
            };
            match &mut current {
                Some((_, text)) => {
                    text.push(' ');
                    text.push_str(body);
                }
                None => current = Some((i + 1, body.to_string())),
            }
            if !continues && let Some((line, text)) = current.take() {
                let (keyword, args) = text.split_once(char::is_whitespace).unwrap_or((&text, ""));
                instructions.push(Instruction {
                    line,
                    keyword: keyword.to_ascii_uppercase(),
                    args: args.trim().to_string(),
                });
            }
        }
        Dockerfile { instructions }
    }

    fn with(&self, keyword: &'static str) -> impl Iterator<Item = &Instruction> {
        self.instructions
            .iter()
            .filter(move |i| i.keyword == keyword)
    }

    /// Every `FROM`, in order, `ARG` defaults declared before the first one substituted.
    pub fn bases(&self) -> Vec<Base> {
        let mut args: Vec<(String, String)> = Vec::new();
        let mut bases = Vec::new();
        for ins in &self.instructions {
            match ins.keyword.as_str() {
                "ARG" if bases.is_empty() => {
                    if let Some((k, v)) = ins.args.split_once('=') {
                        args.push((k.trim().to_string(), v.trim().trim_matches('"').to_string()));
                    }
                }
                "FROM" => {
                    let image = ins
                        .args
                        .split_whitespace()
                        .find(|w| !w.starts_with("--"))
                        .unwrap_or_default();
                    let mut image = image.to_string();
                    for (k, v) in &args {
                        image = image
                            .replace(&format!("${{{k}}}"), v)
                            .replace(&format!("${k}"), v);
                    }
                    bases.push(Base {
                        line: ins.line,
                        image,
                    });
                }
                _ => {}
            }
        }
        bases
    }

    /// The line of the first `RUN` that installs with `--locked` or `--frozen` (needs `uv.lock`).
    pub fn locked_install(&self) -> Option<usize> {
        self.with("RUN")
            .find(|i| {
                i.args
                    .split_whitespace()
                    .any(|w| w == "--locked" || w == "--frozen")
            })
            .map(|i| i.line)
    }

    /// The source of every `RUN --mount` that binds from the build context (`type=bind`,
    /// the default type, without `from=`; no `source` is the whole context, left out), with
    /// the instruction's line.
    pub fn bind_mounts(&self) -> Vec<(usize, String)> {
        let mut out = Vec::new();
        for ins in self.with("RUN") {
            for word in ins.args.split_whitespace() {
                let Some(options) = word.strip_prefix("--mount=") else {
                    continue;
                };
                let mut kind = "bind";
                let mut source = None;
                let mut elsewhere = false;
                for option in options.split(',') {
                    let (key, value) = option.split_once('=').unwrap_or((option, ""));
                    let value = value.trim_matches('"');
                    match key {
                        "type" => kind = value,
                        "source" | "src" => source = Some(value),
                        "from" => elsewhere = true,
                        _ => {}
                    }
                }
                if let Some(source) = source.filter(|_| kind == "bind" && !elsewhere) {
                    out.push((ins.line, source.to_string()));
                }
            }
        }
        out
    }

    /// The line of the first `RUN` that builds the project itself: `uv sync` without
    /// `--no-install-project`/`--only-*`, `uv build`, `pip install .` (or `-e .`).
    pub fn builds_project(&self) -> Option<usize> {
        self.with("RUN")
            .find(|i| {
                let words: Vec<&str> = i.args.split_whitespace().collect();
                let has = |w: &str| words.contains(&w);
                let sync = words.windows(2).any(|p| p == ["uv", "sync"])
                    && !has("--no-install-project")
                    && !words.iter().any(|w| w.starts_with("--only-"));
                let build = words.windows(2).any(|p| p == ["uv", "build"]);
                let pip = words
                    .windows(2)
                    .any(|p| p[0].ends_with("pip") && p[1] == "install")
                    && words.iter().any(|w| *w == "." || *w == "./");
                sync || build || pip
            })
            .map(|i| i.line)
    }

    /// The sources of every `COPY`/`ADD` that takes from the build context (not `--from`),
    /// with the instruction's line.
    pub fn context_sources(&self) -> Vec<(usize, Vec<String>)> {
        self.instructions
            .iter()
            .filter(|i| i.keyword == "COPY" || i.keyword == "ADD")
            .filter_map(|i| {
                let words = if i.args.starts_with('[') {
                    serde_json::from_str::<Vec<String>>(&i.args).ok()?
                } else {
                    i.args.split_whitespace().map(str::to_string).collect()
                };
                if words.iter().any(|w| w.starts_with("--from")) {
                    return None;
                }
                let mut paths: Vec<String> =
                    words.into_iter().filter(|w| !w.starts_with("--")).collect();
                paths.pop(); // the destination
                Some((i.line, paths))
            })
            .collect()
    }

    /// Whether some `COPY`/`ADD` from the context takes `path` (relative to the context).
    pub fn copies(&self, path: &str) -> bool {
        self.context_sources()
            .iter()
            .flat_map(|(_, sources)| sources)
            .any(|source| source_covers(source, path))
    }

    /// The last `WORKDIR` (where a relative `spec.command` path is looked up in the image).
    pub fn workdir(&self) -> Option<&str> {
        self.with("WORKDIR").last().map(|i| i.args.as_str())
    }
}

/// Whether a `COPY` source (a path or a glob) takes `path` or a folder above it.
fn source_covers(source: &str, path: &str) -> bool {
    let source = source.trim_start_matches("./").trim_end_matches('/');
    if source.is_empty() || source == "." {
        return true;
    }
    let glob = globset::GlobBuilder::new(source)
        .literal_separator(true)
        .build()
        .map(|g| g.compile_matcher());
    let mut prefix = path;
    loop {
        if prefix == source || glob.as_ref().is_ok_and(|g| g.is_match(prefix)) {
            return true;
        }
        match prefix.rsplit_once('/') {
            Some((parent, _)) => prefix = parent,
            None => return false,
        }
    }
}

/// `(major, minor)` of the Python a base image's tag names: `python:3.11-slim`,
/// `rayproject/ray:2.60.0-py311-cpu`, `ghcr.io/astral-sh/uv:python3.12-bookworm`.
pub fn image_python(image: &str) -> Option<(u32, u32)> {
    let (name, tag) = split_image(image)?;
    let patterns = [
        r"(?:^|-)py(\d)(\d{1,2})(?:-|$)",
        r"(?:^|-)python(\d)\.(\d{1,2})(?:-|$)",
    ];
    for p in patterns {
        if let Some(c) = Regex::new(p).ok()?.captures(tag) {
            return Some((c[1].parse().ok()?, c[2].parse().ok()?));
        }
    }
    if name.rsplit('/').next() == Some("python") {
        let c = Regex::new(r"^(\d)\.(\d{1,2})(?:[.-]|$)")
            .ok()?
            .captures(tag)?;
        return Some((c[1].parse().ok()?, c[2].parse().ok()?));
    }
    None
}

/// The Ray version of a Ray image's tag: `rayproject/ray:2.60.0-py311-cpu` → `2.60.0`.
pub fn image_ray(image: &str) -> Option<String> {
    let (name, tag) = split_image(image)?;
    let last = name.rsplit('/').next()?;
    if !matches!(last, "ray" | "ray-ml" | "ray-llm") {
        return None;
    }
    let c = Regex::new(r"^(\d+\.\d+\.\d+)").ok()?.captures(tag)?;
    Some(c[1].to_string())
}

/// `name` and `tag` of `registry:port/name:tag@digest`.
fn split_image(image: &str) -> Option<(&str, &str)> {
    let image = image.split('@').next()?;
    let (name, tag) = image.rsplit_once(':')?;
    (!tag.contains('/')).then_some((name, tag))
}

#[cfg(test)]
mod tests {
    use super::*;

    const UV_STYLE: &str = "# syntax=docker/dockerfile:1\nARG PY=3.12\nFROM python:${PY}-slim AS base\nCOPY --from=ghcr.io/astral-sh/uv:0.13.9 /uv /bin/\n# a comment\nRUN --mount=type=cache,target=/root/.cache/uv \\\n    # inside\n    uv sync --locked --no-dev\nWORKDIR /app\nCOPY src ./src\nCOPY [\"pyproject.toml\", \"uv.lock\", \"./\"]\n";

    #[test]
    fn reads_bases_lock_copies_and_workdir() {
        let d = Dockerfile::parse(UV_STYLE);
        assert_eq!(
            d.bases(),
            vec![Base {
                line: 3,
                image: "python:3.12-slim".into()
            }]
        );
        assert_eq!(d.locked_install(), Some(6));
        assert_eq!(d.workdir(), Some("/app"));
        assert!(d.copies("src/pkg/main.py"));
        assert!(d.copies("uv.lock"));
        assert!(!d.copies("main.py"));
        assert!(
            !d.copies("uv"),
            "a --from copy takes nothing from the context"
        );
        assert!(Dockerfile::parse("FROM x\nCOPY . /app\n").copies("a/b.py"));
        assert!(Dockerfile::parse("FROM x\nCOPY *.py /app/\n").copies("main.py"));
        assert_eq!(
            Dockerfile::parse(
                "FROM x\nRUN --mount=type=cache,target=/c --mount=source=uv.lock,target=uv.lock \\\n  --mount=type=bind,from=y,source=a,target=b --mount=type=bind,src=pyproject.toml,dst=p uv sync --no-install-project\n"
            )
            .bind_mounts(),
            vec![(2, "uv.lock".to_string()), (2, "pyproject.toml".to_string())]
        );
        assert_eq!(d.builds_project(), Some(6));
        assert_eq!(
            Dockerfile::parse("FROM x\nRUN uv sync --locked --no-install-project\n")
                .builds_project(),
            None
        );
        assert_eq!(
            Dockerfile::parse("FROM x\nRUN pip install -e .\n").builds_project(),
            Some(2)
        );
    }

    #[test]
    fn python_and_ray_from_image_tags() {
        for (image, want) in [
            ("python:3.11-slim-bookworm", Some((3, 11))),
            ("docker.io/library/python:3.9", Some((3, 9))),
            ("rayproject/ray:2.60.0-py311-cpu", Some((3, 11))),
            ("rayproject/ray:2.9.0-py39-gpu", Some((3, 9))),
            (
                "ghcr.io/astral-sh/uv:python3.12-bookworm-slim",
                Some((3, 12)),
            ),
            ("nvidia/cuda:12.4.1-runtime-ubuntu22.04", None),
            ("localhost:5000/python", None),
        ] {
            assert_eq!(image_python(image), want, "{image}");
        }
        assert_eq!(
            image_ray("rayproject/ray:2.60.0-py311-cpu").as_deref(),
            Some("2.60.0")
        );
        assert_eq!(image_ray("python:3.11"), None);
    }
}
