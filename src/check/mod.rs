//! `aichor local-repo check`: is this repository ready to submit? Every manifest under
//! `aichor_manifests/` valid (`build`), every manifest elsewhere reported with the command
//! that moves it, the root `manifest.yaml` that `exp …` commits run checked too (`legacy`),
//! each build's
//! context and Dockerfile found (`build`), what `spec.command` runs present, copied and not
//! excluded by `.dockerignore` (`build`, `dockerignore`, `dockerfile`, `command`), `uv.lock`
//! present and in sync and no large files sent to the build (`context`), the package the
//! build backend ships present (`package`), what the Dockerfile and the backend read in the
//! context, not excluded by `.dockerignore` nor ignored by git (`inputs`), pyproject.toml
//! parsing and no conflict markers (`sources`), a module from elsewhere provided by
//! something (`provided`), Python and Ray versions in agreement (`versions`).
//! `--commit-msg` checks a commit message instead (`commit_msg`), as git will record it and
//! against what the commit contains. Findings are data: the command line prints them.

mod agreement;
mod build;
pub mod command;
pub mod commit_msg;
mod context;
mod cuda;
pub mod dockerfile;
pub mod dockerignore;
mod inputs;
mod legacy;
mod package;
mod provided;
mod root;
mod sources;
pub mod versions;

use std::path::{Path, PathBuf};

use serde::Serialize;

pub use root::find_root;

use crate::error::{Error, Result};
use crate::manifest::repo::MANIFESTS_DIR;
use crate::manifest::validate::Severity;

/// Default for `--max-context-file-size`, in MB.
pub const DEFAULT_MAX_FILE_MB: u64 = 50;

/// One problem (or remark) with where it is and how to fix it.
#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    pub severity: Severity,
    /// Which check: `manifest`, `layout`, `context`, `dockerfile`, `command`,
    /// `dockerignore`, `build-input`, `gitignore`, `pyproject`, `conflict`, `uv-lock`,
    /// `package`, `python-version`, `ray-version`, `large-file`, `cuda`, `agreement`,
    /// `commit-msg`.
    pub check: &'static str,
    /// Relative to the repository root, `/`-separated. Every field is in the JSON of every
    /// finding (`null` where unknown): CI reads a fixed shape.
    pub file: Option<String>,
    pub line: Option<usize>,
    pub column: Option<usize>,
    /// Manifest key path, e.g. `spec.command`.
    pub key: Option<String>,
    pub message: String,
    pub help: Option<String>,
}

impl Finding {
    pub(crate) fn new(severity: Severity, check: &'static str, message: String) -> Finding {
        Finding {
            severity,
            check,
            file: None,
            line: None,
            column: None,
            key: None,
            message,
            help: None,
        }
    }

    pub(crate) fn at(mut self, file: &str, line: Option<usize>, column: Option<usize>) -> Finding {
        self.file = Some(file.to_string());
        self.line = line;
        self.column = column;
        self
    }

    pub(crate) fn key(mut self, key: &str) -> Finding {
        self.key = Some(key.to_string());
        self
    }

    pub(crate) fn help(mut self, help: impl Into<String>) -> Finding {
        self.help = Some(help.into());
        self
    }

    /// `file:line:column: severity [key]: message`, and `    help: ...` under it.
    fn to_text(&self) -> String {
        let severity = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Note => "note",
        };
        let mut out = String::new();
        if let Some(file) = &self.file {
            out.push_str(file);
            for n in [self.line, self.column].into_iter().map_while(|n| n) {
                out.push_str(&format!(":{n}"));
            }
            out.push_str(": ");
        }
        out.push_str(severity);
        if let Some(key) = &self.key {
            out.push_str(&format!(" [{key}]"));
        }
        out.push_str(&format!(": {}\n", self.message));
        if let Some(help) = &self.help {
            out.push_str(&format!("    help: {help}\n"));
        }
        out
    }
}

/// Counts by severity.
#[derive(Debug, Clone, Copy, Default, Serialize, PartialEq, Eq)]
pub struct Summary {
    pub errors: usize,
    pub warnings: usize,
    pub notes: usize,
}

/// What `local-repo check` found: `--format json` prints this.
#[derive(Debug, Serialize)]
pub struct Report {
    /// Bumped when a field changes meaning or goes away (as the JSON errors' own).
    pub schema_version: u32,
    /// The repository root.
    pub root: String,
    /// `repository` (the whole check) or `commit-msg`.
    pub mode: &'static str,
    /// The manifests checked, relative to the root.
    pub manifests: Vec<String>,
    /// Every manifest found outside `aichor_manifests/` (by content, anywhere in the
    /// repository), relative to the root; the root `manifest.yaml` that `exp …` commits run
    /// is checked too (it is in `manifests` as well).
    pub elsewhere: Vec<String>,
    /// Whether `uv lock --check` ran and gave a verdict.
    pub uv_lock_checked: bool,
    pub summary: Summary,
    pub findings: Vec<Finding>,
}

impl Report {
    fn new(
        root: &Path,
        mode: &'static str,
        manifests: Vec<String>,
        elsewhere: Vec<String>,
        findings: Vec<Finding>,
        uv: bool,
    ) -> Report {
        let count = |s| findings.iter().filter(|f| f.severity == s).count();
        Report {
            schema_version: 1,
            root: root.display().to_string(),
            mode,
            manifests,
            elsewhere,
            uv_lock_checked: uv,
            summary: Summary {
                errors: count(Severity::Error),
                warnings: count(Severity::Warning),
                notes: count(Severity::Note),
            },
            findings,
        }
    }

    /// Whether the repository (or message) passes: no errors.
    pub fn passed(&self) -> bool {
        self.summary.errors == 0
    }

    /// The report for people: each finding rustc-style (notes only when `verbose`), then a
    /// summary line.
    pub fn to_text(&self, verbose: bool) -> String {
        let mut out = String::new();
        for f in &self.findings {
            if verbose || f.severity != Severity::Note {
                out.push_str(&f.to_text());
            }
        }
        let s = self.summary;
        let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
        let notes = if verbose || s.notes == 0 {
            plural(s.notes, "note")
        } else {
            format!("{} (`-v` shows them)", plural(s.notes, "note"))
        };
        let verdict = match (self.mode, self.passed()) {
            ("commit-msg", true) => "commit message accepted",
            ("commit-msg", false) => "commit message refused",
            (_, true) => "ready to submit",
            (_, false) => "not ready to submit",
        };
        let what = if self.mode == "commit-msg" {
            String::new()
        } else {
            let elsewhere = match self.elsewhere.len() {
                0 => String::new(),
                n => format!(", {n} outside `{MANIFESTS_DIR}/`"),
            };
            format!(
                " ({}{elsewhere}; uv.lock {})",
                plural(self.manifests.len(), "manifest"),
                if self.uv_lock_checked {
                    "checked with uv"
                } else {
                    "not checked with uv"
                }
            )
        };
        out.push_str(&format!(
            "{verdict}{what}: {}, {}, {notes}\n",
            plural(s.errors, "error"),
            plural(s.warnings, "warning"),
        ));
        out
    }
}

/// Settings of a repository check.
#[derive(Debug, Clone)]
pub struct CheckSettings {
    /// Where to start looking for the root.
    pub path: PathBuf,
    /// Files of the build context larger than this (bytes) are reported.
    pub max_file_size: u64,
    /// The environment, read once by the binary (which uv checks the lock).
    pub env: crate::environment::Environment,
}

/// The repository being checked.
#[derive(Debug)]
pub(crate) struct Repo {
    pub root: PathBuf,
}

impl Repo {
    /// `path` relative to the root, `/`-separated (as given when outside it).
    pub(crate) fn rel(&self, path: &Path) -> String {
        let rel = path.strip_prefix(&self.root).unwrap_or(path);
        let text = rel.to_string_lossy().replace('\\', "/");
        let text = text.strip_prefix("./").map_or(text.clone(), str::to_string);
        if text.is_empty() { ".".into() } else { text }
    }

    fn manifests_dir(&self) -> PathBuf {
        self.root.join(MANIFESTS_DIR)
    }

    /// Every `*.yaml`/`*.yml` under `aichor_manifests/`, sorted (none when it is missing).
    fn manifests(&self) -> Result<Vec<PathBuf>> {
        if !self.manifests_dir().is_dir() {
            return Ok(Vec::new());
        }
        match crate::manifest::files::collect(&[self.manifests_dir()]) {
            Ok(files) => Ok(files),
            Err(Error::NoManifests { .. }) => Ok(Vec::new()),
            Err(e) => Err(e),
        }
    }
}

/// Check the whole repository at or above `settings.path`.
pub fn check_repository(settings: &CheckSettings) -> Result<Report> {
    let repo = Repo {
        root: find_root(&settings.path)?,
    };
    let mut findings = Vec::new();
    let found = crate::manifest::discover::discover(&repo.root)?;
    legacy::report(&repo, &found, &mut findings);
    below_git_root(&repo, &mut findings);
    let elsewhere: Vec<String> = found
        .iter()
        .filter(|d| d.selector.is_none())
        .map(|d| d.rel.clone())
        .collect();
    let mut files = repo.manifests()?;
    // The root `manifest.yaml` runs too (`exp …` commits): its build is checked like the
    // others'.
    let exp = found.iter().find(|d| d.rel == legacy::EXP_MANIFEST);
    if files.is_empty() && exp.is_none() {
        findings.push(nothing_runs(!elsewhere.is_empty()));
    }
    files.extend(exp.map(|d| d.path.clone()));
    let mut checked = Vec::new();
    for file in &files {
        match build::check(&repo, file, &mut findings) {
            Ok(c) => checked.push(c),
            // One manifest that cannot be read (a dangling link, a file without read
            // permission) is a finding: the others are still checked.
            Err(e @ Error::Io { .. }) => findings.push(
                Finding::new(
                    Severity::Error,
                    "manifest",
                    format!("cannot be read: {}", e.causes().join(": ")),
                )
                .at(&repo.rel(file), None, None)
                .help("fix or remove the file (a link must point to a file in the repository)"),
            ),
            Err(e) => return Err(e),
        }
    }
    for c in &checked {
        if let Ok(text) = fs_err::read_to_string(repo.root.join(&c.rel)) {
            let runs: Vec<(String, String)> = c
                .runs
                .iter()
                .filter_map(|f| Some((f.clone(), fs_err::read_to_string(repo.root.join(f)).ok()?)))
                .collect();
            agreement::check(&c.rel, &text, &runs, &mut findings);
        }
    }
    let mut uv_checked = false;
    let mut seen: Vec<(&Path, &str)> = Vec::new();
    let mut contexts_seen: Vec<&Path> = Vec::new();
    let mut needed: Vec<String> = Vec::new();
    for c in &checked {
        let Some(b) = &c.build else { continue };
        let project = versions::Project::read(&repo, &b.context);
        let bases = b.dockerfile.bases();
        if c.validation.operator.as_deref() == Some("kuberay") {
            versions::ray(
                &c.rel,
                c.validation.ray_version.as_ref(),
                &project,
                &b.dockerfile_rel,
                &bases,
                &mut findings,
            );
        }
        // Builds shared by several manifests are checked once.
        if seen.contains(&(b.context.as_path(), b.dockerfile_rel.as_str())) {
            continue;
        }
        seen.push((b.context.as_path(), b.dockerfile_rel.as_str()));
        versions::python(&project, &b.dockerfile_rel, &bases, &mut findings);
        if contexts_seen.contains(&b.context.as_path()) {
            continue;
        }
        contexts_seen.push(b.context.as_path());
        sources::pyproject(&repo, &b.context, &mut findings);
        sources::conflicts(&repo, b, &mut findings);
        package::check(&repo, &b.context, &mut findings);
        cuda::check(&repo, &b.context, &mut findings);
        uv_checked |= context::check_lock(&repo, b, &settings.env, &mut findings)?;
        context::check_size(&repo, b, settings.max_file_size, &mut findings)?;
        context::check_ignore_file(&repo, b, &mut findings);
        needed.extend(inputs::check(&repo, b, &mut findings));
    }
    // What git will push: every file the runs need, checked at once.
    for c in &checked {
        needed.push(c.rel.clone());
        needed.extend(c.runs.iter().cloned());
    }
    inputs::git_ignored(&repo, needed, &mut findings);
    run_notes(&checked, &mut findings);
    let manifests = checked.into_iter().map(|c| c.rel).collect();
    Ok(Report::new(
        &repo.root,
        "repository",
        manifests,
        elsewhere,
        findings,
        uv_checked,
    ))
}

/// No manifest under `aichor_manifests/` and no root `manifest.yaml`: no commit message
/// runs anything.
fn nothing_runs(elsewhere: bool) -> Finding {
    Finding::new(
        Severity::Error,
        "layout",
        format!("no manifests under `{MANIFESTS_DIR}/`: no commit message runs anything"),
    )
    .help(if elsewhere {
        "move the manifests found elsewhere there (the warnings above give a command for each), or all at once with `aichor local-repo adopt`".to_string()
    } else {
        format!(
            "add one (`aichor local-repo init` writes `{MANIFESTS_DIR}/manifest.yaml`), or move yours there"
        )
    })
}

/// The trigger of each manifest under `aichor_manifests/` that would run (a note).
fn run_notes(checked: &[build::Checked], out: &mut Vec<Finding>) {
    for c in checked {
        let Some(selector) = c.rel.strip_prefix(&format!("{MANIFESTS_DIR}/")) else {
            continue;
        };
        if c.build.is_some()
            && !c
                .validation
                .diagnostics
                .iter()
                .any(|d| d.severity == Severity::Error)
        {
            out.push(
                Finding::new(
                    Severity::Note,
                    "manifest",
                    format!("run it with: git commit -m \"aichor[{selector}]: <message>\""),
                )
                .at(&c.rel, None, None),
            );
        }
    }
}

/// A project that is not at its git repository's root: AIchor reads `aichor_manifests/` at
/// the root of the repository it clones.
fn below_git_root(repo: &Repo, out: &mut Vec<Finding>) {
    if let Some(git_root) = root::enclosing_git_root(&repo.root)
        && repo.manifests_dir().is_dir()
    {
        out.push(
            Finding::new(
                Severity::Warning,
                "layout",
                format!(
                    "`{MANIFESTS_DIR}/` is not at the root of its git repository (`{}`): AIchor reads it from the repository root",
                    git_root.display()
                ),
            )
            .help("make this folder its own repository, or move `aichor_manifests/` to the git root"),
        );
    }
}

/// git's `core.commentChar` in `root` (`#` when unset, `auto` or git cannot be run).
fn comment_char(root: &Path) -> String {
    crate::git::command()
        .arg("-C")
        .arg(root)
        .args(["config", "--get", "core.commentChar"])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| {
            String::from_utf8_lossy(&o.stdout)
                .trim_end_matches('\n')
                .to_string()
        })
        .filter(|c| !c.is_empty() && c != "auto")
        .unwrap_or_else(|| "#".into())
}

/// git's `commit.cleanup` in `root` (`None` when unset or git cannot be run).
fn cleanup_mode(root: &Path) -> Option<String> {
    crate::git::command()
        .arg("-C")
        .arg(root)
        .args(["config", "--get", "commit.cleanup"])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| {
            String::from_utf8_lossy(&o.stdout)
                .trim()
                .to_ascii_lowercase()
        })
}

/// Whether git opened the editor for the message being checked: known only in git's
/// commit-msg hook (git sets `GIT_INDEX_FILE` for it, and `GIT_EDITOR=:` when it opens no
/// editor).
fn editor_used(env: &crate::environment::Environment) -> Option<bool> {
    env.var_os("GIT_INDEX_FILE")?;
    Some(env.var("GIT_EDITOR") != Some(":"))
}

/// Whether `rel` is in what the commit will contain: the index (`GIT_INDEX_FILE` in the
/// hook, which `git commit -a` or `git commit <paths>` point at a temporary one; after a
/// push, a clean checkout's index is `HEAD`'s tree). `None` outside git.
fn in_the_commit(root: &Path, rel: &str) -> Option<bool> {
    let out = crate::git::command()
        .arg("-C")
        .arg(root)
        .args(["ls-files", "--cached", "-z", "--"])
        .arg(rel)
        .output()
        .ok()
        .filter(|o| o.status.success())?;
    Some(!out.stdout.is_empty())
}

/// `aichor: <rest>`: a warning with the trigger that would run (the manifest, when there is
/// one under `aichor_manifests/`).
fn unnamed(repo: &Repo, subject: &str, rest: &str) -> Result<Finding> {
    let known = repo.manifests()?;
    let selector = match known.as_slice() {
        [one] => repo
            .rel(one)
            .trim_start_matches(&format!("{MANIFESTS_DIR}/"))
            .to_string(),
        _ => "<manifest>".to_string(),
    };
    let rest = if rest.is_empty() { "<message>" } else { rest };
    Ok(Finding::new(
        Severity::Warning,
        "commit-msg",
        format!(
            "`{subject}` starts like an AIchor trigger but names no manifest: pushing it runs nothing"
        ),
    )
    .help(format!(
        "to start an experiment, write `aichor[{selector}]: {rest}` (the manifest's path relative to `{MANIFESTS_DIR}/`); otherwise reword the message"
    )))
}

/// The manifest `rel` the message runs against what the commit contains: not in it (an
/// error: the platform will not find it), or in it with changes not staged (a warning: the
/// check read the working tree's). `None` when it is committed as it is, or outside git.
fn commit_state(root: &Path, rel: &str) -> Option<Finding> {
    let add = format!("`git add {}`", crate::shell::shell_quote(rel));
    match in_the_commit(root, rel)? {
        false => Some(
            Finding::new(
                Severity::Error,
                "commit-msg",
                format!("the message runs `{rel}`, which is not in the commit (git does not track it, and it is not staged): the platform will not find it"),
            )
            .help(format!("{add} and commit again")),
        ),
        true if changed_since_staged(root, rel) => Some(
            Finding::new(
                Severity::Warning,
                "commit-msg",
                format!("`{rel}` has changes that are not staged: the commit runs the staged version, and the check read the one in the working tree"),
            )
            .help(format!("{add} to commit what was checked")),
        ),
        true => None,
    }
}

/// Whether `rel` in the working tree differs from the index (what the commit contains).
fn changed_since_staged(root: &Path, rel: &str) -> bool {
    crate::git::command()
        .arg("-C")
        .arg(root)
        .args(["diff", "--quiet", "--"])
        .arg(rel)
        .status()
        .is_ok_and(|s| s.code() == Some(1))
}

/// Check a commit message (the text of `--commit-msg FILE|-`, shown as `source`) the way
/// AIchor reads it; when it runs a manifest, check that manifest and its build too. `env`
/// says whether this runs in git's hook, and so how git cleans the message up.
pub fn check_commit_message(
    path: &Path,
    source: &str,
    message: &str,
    env: &crate::environment::Environment,
) -> Result<Report> {
    use commit_msg::Trigger;
    let repo = Repo {
        root: find_root(path)?,
    };
    let comment = comment_char(&repo.root);
    let comments = commit_msg::comments(
        message,
        &comment,
        cleanup_mode(&repo.root).as_deref(),
        editor_used(env),
    );
    let (line, subject) = commit_msg::subject_line_as(message, &comment, comments);
    let at = |f: Finding| f.at(source, Some(line), Some(1));
    let mut findings = Vec::new();
    let mut manifests = Vec::new();
    match commit_msg::parse_subject(subject) {
        Trigger::None => findings.push(at(Finding::new(
            Severity::Note,
            "commit-msg",
            "the message does not start an experiment (no `aichor[<manifest>]:` at the start of its first line)".into(),
        ))),
        Trigger::Legacy => {
            if let Some(rel) = legacy::exp_commit(&repo, subject, &at, &mut findings)? {
                findings.extend(commit_state(&repo.root, &rel).map(at));
                manifests.push(rel);
            }
        }
        Trigger::Unnamed { rest } => findings.push(at(unnamed(&repo, subject, &rest)?)),
        Trigger::NearMiss { problems, corrected } => findings.push(at(
            Finding::new(
                Severity::Error,
                "commit-msg",
                format!(
                    "`{subject}` looks like an AIchor trigger, but AIchor will not run it: {}",
                    problems.join("; ")
                ),
            )
            .help(match corrected {
                Some(c) => format!("write it as `{c}`"),
                None => "write it as `aichor[<path relative to aichor_manifests/>.yaml]: <message>`".into(),
            }),
        )),
        Trigger::Manifest { selector } => {
            let file = repo.manifests_dir().join(&selector);
            let rel = format!("{MANIFESTS_DIR}/{selector}");
            if file.is_file() {
                let staged = commit_state(&repo.root, &rel);
                let runs = staged.as_ref().is_none_or(|f| f.severity != Severity::Error);
                findings.extend(staged.map(at));
                let c = build::check(&repo, &file, &mut findings)?;
                if runs {
                    findings.push(at(Finding::new(
                        Severity::Note,
                        "commit-msg",
                        format!(
                            "pushing this commit runs `{}` (only the last commit of a push is read)",
                            c.rel
                        ),
                    )));
                }
                manifests.push(c.rel);
            } else {
                let known: Vec<String> = repo
                    .manifests()?
                    .iter()
                    .map(|p| repo.rel(p).trim_start_matches(&format!("{MANIFESTS_DIR}/")).to_string())
                    .collect();
                let help = match crate::suggest::did_you_mean(&selector, known.iter().map(String::as_str)) {
                    Some(s) => format!("did you mean `aichor[{s}]:`?"),
                    None if known.is_empty() => format!("there are no manifests under `{MANIFESTS_DIR}/`"),
                    None => format!("manifests here: {}", known.join(", ")),
                };
                findings.push(at(
                    Finding::new(
                        Severity::Error,
                        "commit-msg",
                        format!("the message runs `{MANIFESTS_DIR}/{selector}`, which does not exist"),
                    )
                    .help(help),
                ));
            }
        }
    }
    Ok(Report::new(
        &repo.root,
        "commit-msg",
        manifests,
        Vec::new(),
        findings,
        false,
    ))
}
