//! `adopt --uv`: per build context, `requirements.txt` becomes a `pyproject.toml` (every
//! line kept, in order, as a dependency; `--find-links` and index options as uv settings)
//! and the Dockerfile's `pip install -r` step becomes uv's (a cache mount, `--locked` from
//! `uv.lock`), installing into the image's Python as pip did, so `spec.command` and any
//! other pip step work as before. Pure: the caller locks and writes.

use std::path::Path;

/// What `--uv` does to one build context, or why it cannot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conversion {
    /// The build context, relative to the repository root (`.` for the root).
    pub context: String,
    /// The Dockerfile, relative to the repository root.
    pub dockerfile: String,
    /// The new `pyproject.toml`.
    pub pyproject: String,
    /// The Dockerfile with its pip step replaced.
    pub dockerfile_text: String,
    /// The folder `--find-links` named (relative to the context), bound into the build.
    pub find_links: Option<String>,
    /// The requirements file read, relative to the repository root (`None`: the step's own
    /// list).
    pub requirements: Option<String>,
    /// The build's `.dockerignore` (relative to the root) and its text re-including what
    /// the uv step reads, when it excluded some of it.
    pub dockerignore: Option<(String, String)>,
}

/// A context `--uv` leaves as it is, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub path: String,
    pub reason: String,
}

/// `requirements.txt`, read as pip reads it.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Requirements {
    /// Requirement lines, verbatim (comments, hashes and continuations removed).
    pub dependencies: Vec<String>,
    pub find_links: Option<String>,
    pub index_url: Option<String>,
    pub extra_index_urls: Vec<String>,
    pub no_index: bool,
    pub pre: bool,
}

/// Parse a requirements file; an option uv cannot carry into `pyproject.toml` is refused
/// with the line it is on.
pub fn parse_requirements(text: &str) -> Result<Requirements, String> {
    // pip decodes a file with a UTF-8 BOM (Windows editors write one) without it.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut out = Requirements::default();
    let mut logical = String::new();
    let mut start = 0;
    let mut lines = text.lines().enumerate().peekable();
    while let Some((n, raw)) = lines.next() {
        if logical.is_empty() {
            start = n + 1;
        }
        // pip joins a line ending in `\` with the next one; the last line's `\` joins
        // nothing, and its requirement still counts.
        match raw.strip_suffix('\\') {
            Some(joined) if lines.peek().is_some() => {
                logical.push_str(joined);
                logical.push(' ');
                continue;
            }
            Some(joined) => logical.push_str(joined),
            None => logical.push_str(raw),
        }
        let line = std::mem::take(&mut logical);
        let line = strip_comment(&line).trim().to_string();
        if line.is_empty() {
            continue;
        }
        read_line(&line, &mut out).map_err(|why| format!("line {start}: {why}"))?;
    }
    Ok(out)
}

/// A `#` at the start of a line, or after whitespace, starts a comment (pip's rule).
fn strip_comment(line: &str) -> &str {
    let bytes = line.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        if b == b'#' && (i == 0 || bytes[i - 1].is_ascii_whitespace()) {
            return &line[..i];
        }
    }
    line
}

fn read_line(line: &str, out: &mut Requirements) -> Result<(), String> {
    if line.contains("${") {
        return Err(format!(
            "`{line}` names an environment variable (pip expands it, pyproject.toml cannot)"
        ));
    }
    let mut words = line.split_whitespace();
    let first = words.next().unwrap_or_default();
    if first.starts_with('-') {
        let (flag, inline) = match first.split_once('=') {
            Some((f, v)) => (f, Some(v.to_string())),
            None => (first, None),
        };
        let mut value = || inline.clone().or_else(|| words.next().map(str::to_string));
        match flag {
            "-f" | "--find-links" => out.find_links = value(),
            "-i" | "--index-url" => out.index_url = value(),
            "--extra-index-url" => out.extra_index_urls.extend(value()),
            "--no-index" => out.no_index = true,
            "--pre" => out.pre = true,
            "-r" | "--requirement" | "-c" | "--constraint" => {
                return Err(format!(
                    "`{line}` includes another file: merge it into this one first"
                ));
            }
            "-e" | "--editable" => {
                return Err(format!(
                    "`{line}` installs a folder in editable mode: add it as a uv workspace member or path source by hand"
                ));
            }
            _ => {
                return Err(format!(
                    "`{line}`: pip option `{flag}` has no uv equivalent here"
                ));
            }
        }
        return Ok(());
    }
    if !names_a_project(first) {
        return Err(format!(
            "`{line}` is not a requirement a pyproject.toml can hold (pip installs URLs, paths and archives; a dependency starts with a name): write it as `name @ URL`"
        ));
    }
    // A requirement, with per-line options: only `--hash` (uv.lock has its own) is dropped,
    // as `--hash=...` or as `--hash ...` (two words).
    let mut requirement = Vec::new();
    let mut words = line.split_whitespace().enumerate();
    while let Some((i, word)) = words.next() {
        if i > 0 && word.starts_with("--") {
            if word == "--hash" {
                words.next();
                continue;
            }
            if word.starts_with("--hash=") {
                continue;
            }
            return Err(format!("`{line}`: per-line option `{word}`"));
        }
        requirement.push(word);
    }
    out.dependencies.push(requirement.join(" "));
    Ok(())
}

/// Whether a requirement line's first word starts as PEP 508 does: a project name, then
/// nothing, extras, a version, a marker or `@ URL`. pip also takes a bare URL, a path or
/// an archive (`https://...`, `./lib`, `git+https://...`, `pkg-1.0.whl`), which
/// `[project] dependencies` cannot hold.
fn names_a_project(first: &str) -> bool {
    let end = first
        .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')))
        .unwrap_or(first.len());
    let name = &first[..end];
    let archive = [".whl", ".zip", ".tar.gz", ".tgz"]
        .iter()
        .any(|ext| name.to_ascii_lowercase().ends_with(ext));
    !name.is_empty()
        && !archive
        && first[end..]
            .chars()
            .next()
            .is_none_or(|c| "[<>=!~;@(".contains(c))
}

/// The pip step `--uv` replaces: a RUN that is wholly `pip install -r FILE` or `pip install
/// a b` (with quiet or cache flags). Its position in the Dockerfile (first and last line,
/// 0-based) and what it installs.
#[derive(Debug, PartialEq, Eq)]
pub struct PipStep {
    pub first_line: usize,
    pub last_line: usize,
    pub installs: PipSource,
}

/// What a pip step installs.
#[derive(Debug, PartialEq, Eq)]
pub enum PipSource {
    /// `-r FILE`.
    File(String),
    /// The requirements written in the step itself (`pip install "numpy==1.26" pandas`).
    Inline(Vec<String>),
}

/// Flags of `pip install` that change nothing uv must reproduce.
const HARMLESS: &[&str] = &[
    "--no-cache-dir",
    "-q",
    "--quiet",
    "-U",
    "--upgrade",
    "--disable-pip-version-check",
    "--no-warn-script-location",
    "--root-user-action=ignore",
];

/// The Dockerfile's pip step and its stage's `python:X.Y` base, or why `--uv` cannot
/// rewrite it.
pub fn find_pip_step(dockerfile: &str) -> Result<(PipStep, String), String> {
    // Docker reads past a UTF-8 BOM; the lines keep their numbers.
    let dockerfile = dockerfile.strip_prefix('\u{feff}').unwrap_or(dockerfile);
    let lines: Vec<&str> = dockerfile.lines().collect();
    let mut steps = Vec::new();
    let mut base: Option<String> = None;
    let mut i = 0;
    while i < lines.len() {
        let first = i;
        let mut text = String::new();
        while i < lines.len() {
            let line = lines[i].trim_end();
            i += 1;
            // Inside a continuation Docker skips blank and comment lines: the step goes on.
            if !text.is_empty() && (line.trim().is_empty() || line.trim_start().starts_with('#')) {
                continue;
            }
            if let Some(cont) = line.strip_suffix('\\') {
                text.push_str(cont);
                text.push(' ');
            } else {
                text.push_str(line);
                break;
            }
        }
        let words: Vec<&str> = text.split_whitespace().collect();
        match words.first().map(|w| w.to_ascii_uppercase()) {
            Some(w) if w == "FROM" => {
                let image = words.iter().skip(1).find(|w| !w.starts_with("--"));
                base = image.map(|s| (*s).to_string());
            }
            Some(w) if w == "RUN" && words.iter().any(|w| *w == "pip" || *w == "pip3") => {
                steps.push((first, i - 1, words[1..].join(" "), base.clone()));
            }
            _ => {}
        }
    }
    let [(first_line, last_line, command, base)] = steps.as_slice() else {
        return Err(match steps.len() {
            0 => "the Dockerfile has no `RUN pip install -r ...` step".into(),
            n => format!("the Dockerfile has {n} pip steps: --uv rewrites a single one"),
        });
    };
    let installs = pip_requirements(command).ok_or_else(|| {
        format!("`RUN {command}` is more than `pip install -r <file>` or `pip install <packages>`")
    })?;
    let python = base.as_deref().and_then(python_of).ok_or_else(|| {
        format!(
            "the pip step's base image `{}` is not a `python:<version>` image",
            base.as_deref().unwrap_or("?")
        )
    })?;
    Ok((
        PipStep {
            first_line: *first_line,
            last_line: *last_line,
            installs,
        },
        python,
    ))
}

/// What a command that is wholly `[python[3] -m] pip[3] install [harmless] (-r FILE |
/// REQUIREMENT...)` installs.
fn pip_requirements(command: &str) -> Option<PipSource> {
    let words: Vec<&str> = command.split_whitespace().collect();
    let (["python" | "python3", "-m", "pip", "install", rest @ ..]
    | ["pip" | "pip3", "install", rest @ ..]) = words.as_slice()
    else {
        return None;
    };
    let mut file = None;
    let mut inline = Vec::new();
    let mut it = rest.iter();
    while let Some(word) = it.next() {
        if *word == "-r" || *word == "--requirement" {
            file = Some(it.next()?.to_string());
        } else if let Some(f) = word.strip_prefix("--requirement=") {
            file = Some(f.to_string());
        } else if word.starts_with('-') {
            if !HARMLESS.contains(word) {
                return None;
            }
        } else {
            // A requirement; quoted as a shell would take it (`"numpy>=1.26"`).
            let spec = word.trim_matches(['"', '\'']);
            if !is_spec(spec) {
                return None;
            }
            inline.push(spec.to_string());
        }
    }
    match (file, inline.is_empty()) {
        (Some(f), true) => Some(PipSource::File(f)),
        (None, false) => Some(PipSource::Inline(inline)),
        _ => None,
    }
}

/// Whether a word is a requirement specifier rather than shell syntax: a name, then
/// extras, versions and markers (`numpy>=1.26,<2`, `requests[socks]`).
fn is_spec(word: &str) -> bool {
    let name_end = word
        .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')))
        .unwrap_or(word.len());
    name_end > 0
        && !word.contains(['$', '`', '&', '|', ';'])
        && word[name_end..]
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "[]<>=!~.,*+-_".contains(c))
}

/// `3.11` of `python:3.11`, `python:3.11-slim-bookworm`, `docker.io/library/python:3.11.9`.
fn python_of(image: &str) -> Option<String> {
    let (name, tag) = image.rsplit_once(':')?;
    if !(name == "python" || name.ends_with("/python")) {
        return None;
    }
    let version = tag.split('-').next()?;
    let mut parts = version.split('.');
    let (major, minor) = (parts.next()?, parts.next()?);
    (major.parse::<u32>().is_ok() && minor.parse::<u32>().is_ok())
        .then(|| format!("{major}.{minor}"))
}

/// The project name for a context folder: its name, normalised as PyPI names are; a name a
/// dependency already has gets `-app`.
pub fn project_name(folder: &str, dependencies: &[String]) -> String {
    let mut name: String = folder
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    while name.contains("--") {
        name = name.replace("--", "-");
    }
    let name = name.trim_matches('-').to_string();
    let name = if name.is_empty() { "app".into() } else { name };
    let taken = dependencies.iter().any(|d| {
        let dep: String = d
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
            .map(|c| match c {
                '_' | '.' => '-',
                c => c.to_ascii_lowercase(),
            })
            .collect();
        dep == name
    });
    if taken { format!("{name}-app") } else { name }
}

/// `pyproject.toml` for the requirements: a project that is never built (`package = false`),
/// so `uv.lock` holds exactly the requirements and nothing of the folder is installed.
pub fn pyproject(name: &str, python: &str, req: &Requirements, from: &str) -> String {
    use toml_edit::{Array, DocumentMut, Item, Table, Value, value};
    let mut doc = DocumentMut::new();
    let mut project = Table::new();
    project.insert("name", value(name));
    project.insert("version", value("0.1.0"));
    project.insert("requires-python", value(format!(">={python}")));
    let mut deps = Array::new();
    for d in &req.dependencies {
        let mut v = Value::from(d.as_str());
        v.decor_mut().set_prefix("\n    ");
        deps.push_formatted(v);
    }
    deps.set_trailing("\n");
    deps.set_trailing_comma(!req.dependencies.is_empty());
    project.insert("dependencies", value(deps));
    project.decor_mut().set_prefix(format!(
        "# Written by `aichor local-repo adopt --uv` from {from}: the same requirements, in\n# order. `uv.lock` pins what they resolve to, and the Dockerfile installs from it.\n"
    ));
    doc.insert("project", Item::Table(project));
    let mut uv = Table::new();
    uv.insert("package", value(false));
    if let Some(links) = &req.find_links {
        uv.insert("find-links", value(Array::from_iter([links.as_str()])));
    }
    if req.no_index {
        uv.insert("no-index", value(true));
    }
    if req.pre {
        uv.insert("prerelease", value("allow"));
    }
    if !req.extra_index_urls.is_empty() {
        // pip merges versions across indexes; uv takes the first index that has a package.
        uv.insert("index-strategy", value("unsafe-best-match"));
    }
    let mut indexes = toml_edit::ArrayOfTables::new();
    for (url, default) in req
        .index_url
        .iter()
        .map(|u| (u, true))
        .chain(req.extra_index_urls.iter().map(|u| (u, false)))
    {
        let mut t = Table::new();
        t.insert("url", value(url.as_str()));
        if default {
            t.insert("default", value(true));
        }
        indexes.push(t);
    }
    if !indexes.is_empty() {
        uv.insert("index", Item::ArrayOfTables(indexes));
    }
    let mut tool = Table::new();
    tool.set_implicit(true);
    tool.insert("uv", Item::Table(uv));
    doc.insert("tool", Item::Table(tool));
    doc.to_string()
}

/// The Dockerfile with `step` replaced by uv's: uv copied in (pinned), then the locked
/// requirements exported and installed into the image's Python, as pip did. A missing
/// `# syntax=` line is added: `RUN --mount` needs the Dockerfile syntax of `BuildKit`.
pub fn rewrite_dockerfile(
    dockerfile: &str,
    step: &PipStep,
    uv_version: &str,
    find_links: Option<&str>,
) -> String {
    // Without its BOM: the syntax line goes first, and a BOM after it would be read as part
    // of the `FROM` line.
    let dockerfile = dockerfile.strip_prefix('\u{feff}').unwrap_or(dockerfile);
    let newline = if dockerfile.contains("\r\n") {
        "\r\n"
    } else {
        "\n"
    };
    let lines: Vec<&str> = dockerfile.lines().collect();
    let mut mounts = vec![
        "--mount=type=cache,target=/root/.cache/uv".to_string(),
        "--mount=type=bind,source=pyproject.toml,target=/tmp/uv-project/pyproject.toml".into(),
        "--mount=type=bind,source=uv.lock,target=/tmp/uv-project/uv.lock".into(),
    ];
    let mut find_links_flag = String::new();
    if let Some(dir) = find_links {
        mounts.push(format!(
            "--mount=type=bind,source={dir},target=/tmp/uv-project/{dir}"
        ));
        find_links_flag = format!(" --find-links /tmp/uv-project/{dir}");
    }
    let mut step_lines = vec![
        "# Dependencies from uv.lock (`aichor local-repo adopt --uv`), into the image's Python"
            .to_string(),
        "# as pip installed them; uv is pinned (hadolint cannot check a COPY --from tag).".into(),
        format!("COPY --from=ghcr.io/astral-sh/uv:{uv_version} /uv /uvx /bin/"),
    ];
    step_lines.push(format!("RUN {} \\", mounts[0]));
    for m in &mounts[1..] {
        step_lines.push(format!("    {m} \\"));
    }
    step_lines.push(
        "    uv export --project /tmp/uv-project --locked --no-dev --no-emit-project --no-hashes --output-file /tmp/requirements.txt \\"
            .into(),
    );
    step_lines.push(format!(
        "    && UV_COMPILE_BYTECODE=1 UV_LINK_MODE=copy uv pip install --system{find_links_flag} --requirement /tmp/requirements.txt"
    ));
    let mut out: Vec<String> = Vec::new();
    let has_syntax = lines
        .first()
        .is_some_and(|l| l.trim_start().to_ascii_lowercase().starts_with("# syntax="));
    if !has_syntax {
        out.push("# syntax=docker/dockerfile:1".into());
    }
    out.extend(lines[..step.first_line].iter().map(|l| (*l).to_string()));
    out.extend(step_lines);
    out.extend(lines[step.last_line + 1..].iter().map(|l| (*l).to_string()));
    let mut text = out.join(newline);
    if dockerfile.ends_with('\n') {
        text.push_str(newline);
    }
    text
}

/// The folder's name for a context path (`.` is the repository's own folder).
pub fn folder_name(root: &Path, context: &str) -> String {
    let path = if context == "." {
        root.to_path_buf()
    } else {
        root.join(context)
    };
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requirements_keep_every_pin_extra_and_marker_in_order() {
        let req = parse_requirements(
            "# pinned by hand\ntorch==2.1.0  # the CUDA build\nnumpy>=1.26,<2\nrequests[socks]==2.31.0 ; python_version >= \"3.8\"\npandas \\\n  ==2.2.0 --hash=sha256:abc\n--find-links wheels\n--extra-index-url https://example.org/simple\n",
        )
        .unwrap();
        assert_eq!(
            req.dependencies,
            [
                "torch==2.1.0",
                "numpy>=1.26,<2",
                "requests[socks]==2.31.0 ; python_version >= \"3.8\"",
                "pandas ==2.2.0",
            ]
        );
        assert_eq!(req.find_links.as_deref(), Some("wheels"));
        assert_eq!(req.extra_index_urls, ["https://example.org/simple"]);
    }

    #[test]
    fn options_uv_cannot_carry_are_refused_with_their_line() {
        for (text, what) in [
            (
                "a==1\n-r other.txt\n",
                "line 2: `-r other.txt` includes another file",
            ),
            ("-e ./lib\n", "editable"),
            ("pkg==${VERSION}\n", "environment variable"),
            ("--trusted-host example.org\n", "has no uv equivalent"),
        ] {
            let err = parse_requirements(text).unwrap_err();
            assert!(err.contains(what), "{text:?}: {err}");
        }
    }

    #[test]
    fn only_a_plain_pip_step_on_a_python_image_is_rewritten() {
        let ok = "FROM python:3.10-slim\nWORKDIR /app\nCOPY requirements.txt .\nRUN pip install --no-cache-dir \\\n    -r requirements.txt\nCOPY . .\n";
        let (step, python) = find_pip_step(ok).unwrap();
        assert_eq!(python, "3.10");
        assert_eq!((step.first_line, step.last_line), (3, 4));
        assert_eq!(step.installs, PipSource::File("requirements.txt".into()));
        let out = rewrite_dockerfile(ok, &step, "0.13.9", None);
        assert!(out.starts_with("# syntax=docker/dockerfile:1\nFROM python:3.10-slim\n"));
        assert!(out.contains("COPY --from=ghcr.io/astral-sh/uv:0.13.9 /uv /uvx /bin/\n"));
        assert!(out.contains("uv export --project /tmp/uv-project --locked"));
        assert!(
            out.ends_with("--requirement /tmp/requirements.txt\nCOPY . .\n"),
            "{out}"
        );
        assert!(!out.contains("pip install --no-cache-dir"));
        for (text, why) in [
            (
                "FROM ubuntu:22.04\nRUN pip install -r requirements.txt\n",
                "not a `python:",
            ),
            (
                "FROM python:3.11\nRUN pip install -r r.txt && pip install -e .\n",
                "more than",
            ),
            (
                "FROM python:3.11\nRUN pip install -r a.txt\nRUN pip install b\n",
                "2 pip steps",
            ),
            ("FROM python:3.11\nCOPY . .\n", "no `RUN pip install"),
        ] {
            let err = find_pip_step(text).unwrap_err();
            assert!(err.contains(why), "{text:?}: {err}");
        }
    }

    #[test]
    fn an_inline_pip_install_is_a_list_of_requirements() {
        let (step, _) = find_pip_step(
            "FROM python:3.12\nRUN pip install --no-cache-dir \"numpy>=1.26,<2\" 'requests[socks]' torch==2.1.0\n",
        )
        .unwrap();
        assert_eq!(
            step.installs,
            PipSource::Inline(vec![
                "numpy>=1.26,<2".into(),
                "requests[socks]".into(),
                "torch==2.1.0".into()
            ])
        );
        for command in [
            "pip install numpy && pip install -e .",
            "pip install -r a.txt numpy",
            "pip install $EXTRA",
        ] {
            assert_eq!(pip_requirements(command), None, "{command}");
        }
    }

    #[test]
    fn the_project_name_never_shadows_a_dependency() {
        let deps = vec!["xgboost==2.0.3".to_string()];
        assert_eq!(project_name("xgboost", &deps), "xgboost-app");
        assert_eq!(project_name("My Demo_1", &deps), "my-demo-1");
        assert_eq!(project_name("", &deps), "app");
    }

    #[test]
    fn the_pyproject_parses_and_holds_the_requirements() {
        let req =
            parse_requirements("torch==2.1.0\n--index-url https://example.org/simple\n").unwrap();
        let text = pyproject("demo", "3.11", &req, "requirements.txt");
        let doc: toml_edit::DocumentMut = text.parse().unwrap();
        assert_eq!(doc["project"]["requires-python"].as_str(), Some(">=3.11"));
        assert_eq!(
            doc["project"]["dependencies"][0].as_str(),
            Some("torch==2.1.0")
        );
        assert_eq!(doc["tool"]["uv"]["package"].as_bool(), Some(false));
        assert_eq!(
            doc["tool"]["uv"]["index"][0]["url"].as_str(),
            Some("https://example.org/simple")
        );
    }
}
