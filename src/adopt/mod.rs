//! `aichor local-repo adopt`: a repository in a legacy layout (a root `manifest.yaml` run by
//! `exp` commits, `manifests/` folders, a monorepo of demos with their own manifests) turned
//! into today's, changing as little as possible: every manifest is migrated (the rules of
//! `manifest migrate`) and moved under `aichor_manifests/`, keeping its subfolder, in one
//! transaction. Code, READMEs, Dockerfiles, data and git history are never touched; files
//! that name the old paths are listed, not edited. `plan` decides; this module finds the
//! manifests, writes the plan through `txn` and reports.

mod encoding;
mod ignore;
pub mod plan;
pub mod uv;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::error::{Error, Result};
use crate::layout::{self, RootMarks};
use crate::manifest::validate::{Severity, validate_text};
use crate::printer::{Format, Printer};
use crate::txn::fs::Fs;
use crate::txn::{Consent, Plan, PlannedFile};
pub use plan::{Action, Item};
use plan::{Candidate, Migrated};

/// The command, as errors name it.
const ADOPT: &str = "local-repo adopt";

/// Bumped when a field of the JSON report changes meaning or goes away.
const SCHEMA_VERSION: u32 = 1;

/// Folders never searched for references to old paths: version control, environments,
/// caches, build output.
const SKIPPED_DIRS: &[&str] = &[
    ".git",
    ".venv",
    "venv",
    "node_modules",
    "__pycache__",
    ".mypy_cache",
    ".pytest_cache",
    ".ruff_cache",
    ".tox",
    "target",
    "dist",
    "build",
];

/// What `adopt` was asked to do, resolved by the binary.
#[derive(Debug, Default)]
pub struct AdoptSettings {
    /// A folder of the repository (its root is found from there).
    pub path: PathBuf,
    /// `--dry-run`: plan and report; write nothing.
    pub dry_run: bool,
    /// `--force`: run on a git tree with uncommitted changes.
    pub force: bool,
    /// `--plan SHA`: write only if the plan is still the one a dry run showed.
    pub expect_plan: Option<String>,
    pub format: Format,
    /// `--uv`: per build context, `requirements.txt` and the Dockerfile's pip step become a
    /// uv project (`pyproject.toml`, `uv.lock`) and uv's step.
    pub uv: bool,
    /// Where uv is found (`AICHOR_UV`, PATH).
    pub env: crate::environment::Environment,
}

/// What `adopt` did (or would do): the `--format json` report.
#[derive(Debug, Serialize)]
pub struct Report {
    pub schema_version: u32,
    /// Nothing left for the user (no `manual` or `conflict` item).
    pub ok: bool,
    pub dry_run: bool,
    pub root: String,
    /// The digest of the plan (items, targets and bytes): `--plan` with it makes a later run
    /// write only that plan.
    pub plan_sha256: String,
    pub items: Vec<Item>,
    /// The commit message that runs each manifest now.
    pub triggers: Vec<Trigger>,
    /// Files that name a moved manifest's old path (listed, never edited).
    pub references: Vec<Reference>,
    /// Folders emptied by the moves and removed.
    pub removed_dirs: Vec<String>,
    /// Nothing to do: every manifest is under `aichor_manifests/` in today's shape.
    pub up_to_date: bool,
}

/// How to run one manifest after the adoption.
#[derive(Debug, Serialize)]
pub struct Trigger {
    pub selector: String,
    /// `git commit -m "aichor[<selector>]: ..."`.
    pub message: String,
    /// What ran it before, when that changes (`exp: ...` ran the root `manifest.yaml`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub before: Option<String>,
}

/// A line of a file that names a moved manifest's old path.
#[derive(Debug, Serialize)]
pub struct Reference {
    pub file: String,
    pub line: usize,
    pub old: String,
    pub new: String,
}

/// Run `adopt`.
pub fn run(settings: &AdoptSettings, progress: &Printer) -> Result<Report> {
    run_with(settings, progress, &crate::txn::fs::RealFs)
}

/// `run`, with every change to the filesystem made through `fs` (tests inject failures).
pub fn run_with(settings: &AdoptSettings, progress: &Printer, fs: &dyn Fs) -> Result<Report> {
    let root = find_root(&settings.path)?;
    if !settings.dry_run && !settings.force {
        crate::git::refuse_dirty(&root, "adopt")?;
    }
    let candidates = candidates(&root)?;
    progress.verbose(&format!(
        "repository {}; {} manifest(s) found",
        root.display(),
        candidates.len()
    ));
    let existing = |rel: &str| -> Option<Vec<u8>> { existing_file(&root, rel) };
    let mut items = plan::plan(&candidates, &existing);
    let conversions = if settings.uv {
        uv_items(&root, &mut items)
    } else {
        Vec::new()
    };
    let digest = plan_digest(&items);
    if let Some(expected) = &settings.expect_plan
        && !expected.eq_ignore_ascii_case(&digest)
    {
        return Err(Error::BadFlagValue {
            flag: "--plan",
            value: expected.clone(),
            reason: format!("the plan is now {digest}: the repository changed since the dry run"),
            help: "run `aichor local-repo adopt --dry-run` again and review the new plan".into(),
        });
    }
    let nothing_to_write = !items.iter().any(|i| i.action.writes());
    let ok = !items
        .iter()
        .any(|i| matches!(i.action, Action::Manual | Action::Conflict));
    let mut report = Report {
        schema_version: SCHEMA_VERSION,
        ok,
        dry_run: settings.dry_run,
        root: root.display().to_string(),
        plan_sha256: digest,
        triggers: triggers(&items),
        references: references(&root, &items),
        removed_dirs: Vec::new(),
        // Nothing to write and nothing left for the user.
        up_to_date: nothing_to_write && ok,
        items,
    };
    if settings.dry_run || nothing_to_write {
        return Ok(report);
    }
    // What the plan was computed from, as it is before uv's slow lock: a file saved
    // meanwhile is refused at the commit, never replaced by what its old text gave.
    let read = read_now(&root, &report.items, &conversions)?;
    // Locked now, not in the dry run: what uv resolves changes with time, the plan does not.
    // A signal stops uv (never left running) and the run, with nothing written.
    let locks = crate::interrupt::writing(|| {
        conversions
            .iter()
            .map(|c| lock(&settings.env, progress, &root, c))
            .collect::<Result<Vec<_>>>()
    })?;
    for (c, lock) in conversions.iter().zip(locks) {
        let path = layout_join(&c.context, crate::layout::UV_LOCK);
        report
            .items
            .push(file_item(Action::Create, path, &lock, None));
    }
    write(fs, &root, &report.items, read)?;
    report.removed_dirs = remove_emptied(&root, &report.items);
    Ok(report)
}

/// `--uv`: for each build context the adopted manifests use, the conversion, planned as a
/// `create` of `pyproject.toml` and an `edit` of the Dockerfile; a context it cannot convert
/// is `manual`, with why.
fn uv_items(root: &Path, items: &mut Vec<Item>) -> Vec<uv::Conversion> {
    let mut contexts = std::collections::BTreeSet::new();
    for i in items.iter().filter(|i| {
        matches!(
            i.action,
            Action::Move | Action::Migrate | Action::Keep | Action::Duplicate
        )
    }) {
        let text = match &i.text {
            Some(t) => t.clone(),
            None => fs_err::read_to_string(root.join(&i.path)).unwrap_or_default(),
        };
        let v = validate_text(&text);
        let context = v.context.map_or_else(|| ".".to_string(), |c| c.value);
        let dockerfile = v
            .dockerfile
            .map_or_else(|| "Dockerfile".to_string(), |d| d.value);
        // An absolute context stays absolute: `outside` refuses it, never read as relative.
        let context = if context.starts_with('/') {
            context
        } else {
            normalise(&context)
        };
        contexts.insert((context, dockerfile));
    }
    // The uv the built-in pack pins, read once for every context.
    let uv_version = crate::pack::Pack::builtin()
        .ok()
        .and_then(|p| p.vars.get("uv_version")?.as_str().map(str::to_string))
        .unwrap_or_else(|| "latest".into());
    let mut out: Vec<uv::Conversion> = Vec::new();
    for (context, dockerfile) in contexts {
        let converted = outside(&context, &dockerfile)
            .map_or_else(|| convert(root, &context, &dockerfile, &uv_version), Err)
            .and_then(|c| {
            // Two Dockerfiles of one context share its pyproject.toml and uv.lock: only when
            // they install the same requirements.
            match out.iter().find(|o| o.context == c.context) {
                // The same project but for the comment naming where it came from.
                Some(o) if o.pyproject.lines().skip(2).eq(c.pyproject.lines().skip(2)) => {
                    Ok((c, false))
                }
                Some(o) => Err(uv::Refusal {
                    path: c.dockerfile.clone(),
                    reason: format!(
                        "its requirements differ from those of `{}`, which take `{}` in the same build context",
                        o.dockerfile,
                        layout_join(&c.context, crate::layout::PYPROJECT)
                    ),
                }),
                None => Ok((c, true)),
            }
        });
        match converted {
            Ok((c, first)) => {
                if first {
                    let pyproject = layout_join(&c.context, crate::layout::PYPROJECT);
                    items.push(file_item(Action::Create, pyproject, &c.pyproject, None));
                }
                let what = "the pip step installs from uv.lock with uv";
                let edit = file_item(
                    Action::Edit,
                    c.dockerfile.clone(),
                    &c.dockerfile_text,
                    Some(what),
                );
                items.push(edit);
                // Two Dockerfiles of one context may read the same `.dockerignore`.
                if let Some((path, text)) = &c.dockerignore
                    && !items.iter().any(|i| &i.path == path)
                {
                    let what = "re-includes the files the uv step reads";
                    items.push(file_item(Action::Edit, path.clone(), text, Some(what)));
                }
                if first {
                    out.push(c);
                }
            }
            Err(refusal) => items.push(Item {
                action: Action::Manual,
                path: refusal.path,
                to: None,
                selector: None,
                reason: Some(format!("--uv: {}", refusal.reason)),
                changes: Vec::new(),
                text: None,
            }),
        }
    }
    out
}

/// A file `--uv` writes (`create`) or rewrites (`edit`) with `text`.
fn file_item(action: Action, path: String, text: &str, change: Option<&str>) -> Item {
    Item {
        action,
        path,
        to: None,
        selector: None,
        reason: None,
        changes: change.map(str::to_string).into_iter().collect(),
        text: Some(text.to_string()),
    }
}

/// `context/name`, or `name` for the root.
fn layout_join(context: &str, name: &str) -> String {
    if context == "." {
        name.to_string()
    } else {
        format!("{context}/{name}")
    }
}

/// Why `--uv` leaves a build context alone when it, or its Dockerfile, lies outside the
/// repository (`../shared`, `/srv/ctx`): never a file of another repository written.
fn outside(context: &str, dockerfile: &str) -> Option<uv::Refusal> {
    let (path, what) = if escapes(context) {
        (context.to_string(), "builder.context")
    } else if escapes(dockerfile) && escapes(&layout_join(context, dockerfile)) {
        (layout_join(context, dockerfile), "builder.dockerfile")
    } else {
        return None;
    };
    Some(uv::Refusal {
        path,
        reason: format!(
            "{what} lies outside the repository: --uv converts only build contexts inside it"
        ),
    })
}

/// Whether a `/`-separated path leaves the folder it is relative to (absolute, or more `..`
/// than folders before them).
fn escapes(path: &str) -> bool {
    let mut depth = 0_usize;
    path.starts_with('/')
        || path.split('/').any(|part| match part {
            ".." if depth == 0 => true,
            ".." => {
                depth -= 1;
                false
            }
            "" | "." => false,
            _ => {
                depth += 1;
                false
            }
        })
}

/// `./a/b/` as `a/b`; the root as `.`.
fn normalise(path: &str) -> String {
    let parts: Vec<&str> = path
        .split('/')
        .filter(|p| !p.is_empty() && *p != ".")
        .collect();
    if parts.is_empty() {
        ".".into()
    } else {
        parts.join("/")
    }
}

/// One build context's conversion, read from the repository, or why not.
fn convert(
    root: &Path,
    context: &str,
    dockerfile: &str,
    uv_version: &str,
) -> std::result::Result<uv::Conversion, uv::Refusal> {
    let refuse = |path: String, reason: String| uv::Refusal { path, reason };
    let context_dir = root.join(context);
    // Read relative to the context (AIchor's reading), else to the root (as check does).
    let dockerfile_rel = [layout_join(context, dockerfile), dockerfile.to_string()]
        .into_iter()
        .filter(|p| !escapes(p))
        .map(|p| normalise(&p))
        .find(|p| root.join(p).is_file())
        .ok_or_else(|| {
            refuse(
                layout_join(context, dockerfile),
                "the manifest's Dockerfile does not exist".into(),
            )
        })?;
    // Written in place only: a link (to a Dockerfile other repositories share) or a file in
    // a linked folder is not this repository's to edit.
    if matches!(
        crate::txn::guard::read_ours(root, &dockerfile_rel),
        Ok(crate::txn::guard::OnDisk::Other)
    ) {
        return Err(refuse(
            dockerfile_rel,
            "is a symbolic link (or in a linked folder): --uv edits only plain files; convert the file it points to by hand".into(),
        ));
    }
    let text = fs_err::read_to_string(root.join(&dockerfile_rel))
        .map_err(|e| refuse(dockerfile_rel.clone(), format!("cannot be read: {e}")))?;
    let pyproject = layout_join(context, crate::layout::PYPROJECT);
    if context_dir.join(crate::layout::PYPROJECT).exists() {
        return Err(refuse(
            pyproject,
            "exists already: --uv converts a requirements.txt build, not a Python project".into(),
        ));
    }
    let (step, python) =
        uv::find_pip_step(&text).map_err(|why| refuse(dockerfile_rel.clone(), why))?;
    let (req, requirements) = match &step.installs {
        uv::PipSource::Inline(specs) => (
            uv::Requirements {
                dependencies: specs.clone(),
                ..uv::Requirements::default()
            },
            format!("the `RUN pip install` of {dockerfile_rel}"),
        ),
        uv::PipSource::File(file) => {
            // The file the step names: copied from the context (`COPY requirements.txt .`).
            let requirements = [file.as_str(), file_name(file)]
                .into_iter()
                .map(|f| layout_join(context, f.trim_start_matches("./")))
                .find(|p| root.join(p).is_file())
                .ok_or_else(|| {
                    refuse(
                        dockerfile_rel.clone(),
                        format!("the pip step's `{file}` is not in the build context `{context}`"),
                    )
                })?;
            let req_bytes = fs_err::read(root.join(&requirements))
                .map_err(|e| refuse(requirements.clone(), format!("cannot be read: {e}")))?;
            let req_text =
                encoding::decode(&req_bytes).map_err(|why| refuse(requirements.clone(), why))?;
            let req = uv::parse_requirements(&req_text)
                .map_err(|why| refuse(requirements.clone(), why))?;
            (req, requirements)
        }
    };
    if let Some(links) = &req.find_links
        && (links.contains("://") || !context_dir.join(links).is_dir())
    {
        return Err(refuse(
            requirements,
            format!("`--find-links {links}` is not a folder of the build context"),
        ));
    }
    // What uv's step bind-mounts from the context: a `.dockerignore` must let it through.
    let mut mounted = vec![crate::layout::PYPROJECT, crate::layout::UV_LOCK];
    let links = req.find_links.as_deref().map(normalise);
    mounted.extend(links.as_deref());
    let dockerignore = ignore::reinclude(root, context, &dockerfile_rel, &mounted)?;
    let name = uv::project_name(&uv::folder_name(root, context), &req.dependencies);
    Ok(uv::Conversion {
        context: context.to_string(),
        pyproject: uv::pyproject(&name, &python, &req, &requirements),
        dockerfile_text: uv::rewrite_dockerfile(
            &text,
            &step,
            uv_version,
            req.find_links.as_deref(),
        ),
        dockerfile: dockerfile_rel,
        find_links: req.find_links,
        requirements: matches!(step.installs, uv::PipSource::File(_)).then_some(requirements),
        dockerignore,
    })
}

fn file_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

/// `uv lock` of one conversion, in a scratch folder holding its `pyproject.toml` (and the
/// `--find-links` folder, linked): the lock's text, or the reason adopt writes nothing.
fn lock(
    env: &crate::environment::Environment,
    progress: &Printer,
    root: &Path,
    c: &uv::Conversion,
) -> Result<String> {
    let failed = |reason: String| Error::AdoptLock {
        context: c.context.clone(),
        reason,
    };
    let uv = crate::generate::lock::find_uv(env).map_err(failed)?;
    let scratch = tempfile::Builder::new()
        .prefix("aichor-adopt-uv-")
        .tempdir()
        .map_err(|e| Error::io(std::env::temp_dir(), "cannot hold a scratch folder", e))?;
    fs_err::write(scratch.path().join(crate::layout::PYPROJECT), &c.pyproject)
        .map_err(|e| Error::io(scratch.path(), "cannot be written", e))?;
    if let Some(links) = &c.find_links {
        let from = root.join(&c.context).join(links);
        link_folder(&from, &scratch.path().join(links))
            .map_err(|e| Error::io(&from, "cannot be linked into the scratch folder", e))?;
    }
    let _spinner = progress.step("Locking", &format!("`{}` with `uv lock`", c.context));
    match crate::generate::lock::run(&uv, scratch.path())? {
        crate::generate::lock::Outcome::Locked => {
            fs_err::read_to_string(scratch.path().join(crate::layout::UV_LOCK))
                .map_err(|e| Error::io(scratch.path(), "cannot be read", e))
        }
        crate::generate::lock::Outcome::Failed { reason, .. }
        | crate::generate::lock::Outcome::Skipped(reason) => Err(failed(reason)),
        crate::generate::lock::Outcome::Kept => Err(failed("no lock was written".into())),
    }
}

/// `from` seen at `to`: a symbolic link where that is cheap, a copy of its files elsewhere
/// (Windows links need a privilege).
fn link_folder(from: &Path, to: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink(from, to)
    }
    #[cfg(not(unix))]
    {
        fs_err::create_dir_all(to)?;
        for entry in fs_err::read_dir(from)? {
            let entry = entry?;
            if entry.file_type()?.is_file() {
                fs_err::copy(entry.path(), to.join(entry.file_name()))?;
            }
        }
        Ok(())
    }
}

/// The repository root: the nearest folder with `.git`, `aichor_manifests/` or an answers
/// file, else the folder given (a repository that has none of them yet).
fn find_root(path: &Path) -> Result<PathBuf> {
    let absolute =
        std::path::absolute(path).map_err(|e| Error::io(path, "cannot be resolved", e))?;
    if !absolute.is_dir() {
        return Err(Error::NotARepository { path: path.into() });
    }
    Ok(layout::find_root(&absolute, RootMarks::ANY).unwrap_or(absolute))
}

/// Every manifest of the repository, found by content (`manifest::discover`, which
/// `check` uses too), with its bytes and its migration.
fn candidates(root: &Path) -> Result<Vec<Candidate>> {
    let mut out = Vec::new();
    for found in crate::manifest::discover::discover(root)? {
        let bytes =
            fs_err::read(&found.path).map_err(|e| Error::io(&found.path, "cannot be read", e))?;
        // A link (or a file in a linked folder) is not this repository's to move or
        // rewrite: the commit would find a link where the plan read a file, every time.
        let linked = matches!(
            crate::txn::guard::read_ours(root, &found.rel),
            Ok(crate::txn::guard::OnDisk::Other)
        );
        let migrated = match std::str::from_utf8(&bytes) {
            _ if linked => Err("is a symbolic link (or in a linked folder): adopt moves only plain files; replace the link with the file it points to, or move it by hand".into()),
            Ok(text) => migrate(text),
            Err(_) => Err("not UTF-8 text".into()),
        };
        out.push(Candidate {
            path: found.rel,
            bytes,
            migrated,
        });
    }
    Ok(out)
}

/// The manifest in today's shape, or why it cannot be taken as it is.
fn migrate(text: &str) -> std::result::Result<Migrated, String> {
    let m = crate::manifest::migrate::migrate(text)
        .map_err(|r| format!("{}: {}", r.message, r.help))?;
    let errors: Vec<String> = validate_text(&m.text)
        .diagnostics
        .into_iter()
        .filter(|d| d.severity == Severity::Error)
        .map(|d| format!("line {}: [{}] {}", d.line, d.path, d.message))
        .collect();
    if let Some(first) = errors.first() {
        let more = match errors.len() {
            1 => String::new(),
            n => format!(" (and {} more)", n - 1),
        };
        return Err(format!(
            "still invalid after migrating, {first}{more}: see `aichor manifest validate`"
        ));
    }
    // Changing as little as possible: a manifest already in today's shape keeps its bytes
    // (the schema modeline alone is no reason to touch it).
    if without_modeline(&m.text) == without_modeline(text) {
        return Ok(Migrated {
            text: text.to_string(),
            changes: Vec::new(),
        });
    }
    Ok(Migrated {
        text: m.text,
        changes: m.changes,
    })
}

/// `text` without its `yaml-language-server` modeline (and the blank line `migrate` puts
/// after it), for comparing.
fn without_modeline(text: &str) -> String {
    let mut out = Vec::new();
    let mut after_modeline = false;
    for line in text.trim_start_matches('\u{feff}').lines() {
        if line.starts_with("# yaml-language-server:") {
            after_modeline = true;
            continue;
        }
        if !(after_modeline && line.trim().is_empty()) {
            out.push(line);
        }
        after_modeline = false;
    }
    out.join("\n")
}

fn rel_path(root: &Path, path: &Path) -> String {
    path.strip_prefix(root)
        .unwrap_or(path)
        .to_string_lossy()
        .replace('\\', "/")
}

/// The bytes at `rel`, matched case-insensitively within its folder (a case-only difference
/// collides on macOS and Windows checkouts).
fn existing_file(root: &Path, rel: &str) -> Option<Vec<u8>> {
    let path = root.join(rel);
    if let Ok(bytes) = fs_err::read(&path) {
        return Some(bytes);
    }
    if path.exists() {
        // A folder or something unreadable: taken all the same.
        return Some(Vec::new());
    }
    let dir = path.parent()?;
    let name = path.file_name()?.to_string_lossy().to_lowercase();
    let entries = fs_err::read_dir(dir).ok()?;
    for entry in entries.filter_map(std::result::Result::ok) {
        if entry.file_name().to_string_lossy().to_lowercase() == name {
            return Some(fs_err::read(entry.path()).unwrap_or_default());
        }
    }
    None
}

/// SHA-256 over each item's action, paths and the bytes it would write.
fn plan_digest(items: &[Item]) -> String {
    let mut hash = Sha256::new();
    for i in items {
        for part in [
            i.action.as_str(),
            &i.path,
            i.to.as_deref().unwrap_or(""),
            i.text.as_deref().unwrap_or(""),
        ] {
            hash.update(part.len().to_le_bytes());
            hash.update(part.as_bytes());
        }
    }
    hash.finalize()
        .iter()
        .fold(String::with_capacity(64), |mut hex, b| {
            use std::fmt::Write as _;
            let _ = write!(hex, "{b:02x}");
            hex
        })
}

/// How to run each manifest the run moves or migrates.
fn triggers(items: &[Item]) -> Vec<Trigger> {
    items
        .iter()
        .filter(|i| i.action.writes())
        .filter_map(|i| {
            let selector = i.selector.clone()?;
            Some(Trigger {
                message: format!("git commit -m \"aichor[{selector}]: <what this run is>\""),
                before: (i.path == "manifest.yaml")
                    .then(|| "`exp: ...` commits ran it from the root".to_string()),
                selector,
            })
        })
        .collect()
}

/// Text files that name a moved manifest's old path: READMEs, scripts, CI files.
fn references(root: &Path, items: &[Item]) -> Vec<Reference> {
    let moved: Vec<(&str, &str)> = items
        .iter()
        .filter(|i| i.action == Action::Move)
        .filter_map(|i| Some((i.path.as_str(), i.to.as_deref()?)))
        .filter(|(old, _)| old.contains('/'))
        .collect();
    if moved.is_empty() {
        return Vec::new();
    }
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = fs_err::read_dir(&dir) else {
            continue;
        };
        let mut entries: Vec<_> = entries.filter_map(std::result::Result::ok).collect();
        entries.sort_by_key(fs_err::DirEntry::file_name);
        for entry in entries {
            let path = entry.path();
            let name = entry.file_name().to_string_lossy().into_owned();
            let Ok(kind) = entry.file_type() else {
                continue;
            };
            if kind.is_dir() {
                if !SKIPPED_DIRS.contains(&name.as_str())
                    && (!name.starts_with('.') || name == ".github" || name == ".gitlab")
                {
                    stack.push(path);
                }
                continue;
            }
            let rel = rel_path(root, &path);
            let texty = [
                ".md", ".sh", ".yml", ".yaml", ".toml", ".py", ".cfg", ".txt",
            ]
            .iter()
            .any(|e| name.ends_with(e))
                || name == "Makefile"
                || name == "Dockerfile";
            if !kind.is_file() || !texty || moved.iter().any(|(old, _)| *old == rel) {
                continue;
            }
            if fs_err::metadata(&path)
                .map_or(true, |m| m.len() > crate::manifest::discover::MAX_BYTES)
            {
                continue;
            }
            let Ok(text) = fs_err::read_to_string(&path) else {
                continue;
            };
            for (n, line) in text.lines().enumerate() {
                for (old, new) in &moved {
                    if line.contains(old) {
                        out.push(Reference {
                            file: rel.clone(),
                            line: n + 1,
                            old: (*old).to_string(),
                            new: (*new).to_string(),
                        });
                    }
                }
            }
        }
    }
    out.sort_by(|a, b| (&a.file, a.line).cmp(&(&b.file, b.line)));
    out
}

/// The bytes, as they are now, of every file the plan writes over or was computed from
/// (`--uv`'s requirements files).
fn read_now(
    root: &Path,
    items: &[Item],
    conversions: &[uv::Conversion],
) -> Result<BTreeMap<String, Option<Vec<u8>>>> {
    let written = items
        .iter()
        .filter(|i| i.action.writes() && i.text.is_some())
        .map(|i| &i.path);
    let sources = conversions.iter().filter_map(|c| c.requirements.as_ref());
    written
        .chain(sources)
        .map(|p| Ok((p.clone(), crate::txn::guard::on_disk(root, p)?)))
        .collect()
}

/// Every move and in-place migration in one transaction: the new files staged, the old
/// ones set aside and removed at the commit; nothing written if a file changed since `seen`
/// was read (`read_now`) or a target appeared meanwhile.
fn write(
    fs: &dyn Fs,
    root: &Path,
    items: &[Item],
    mut seen: BTreeMap<String, Option<Vec<u8>>>,
) -> Result<()> {
    let mut files = Vec::new();
    let mut removed = Vec::new();
    let mut modes: BTreeMap<String, String> = BTreeMap::new();
    for i in items.iter().filter(|i| i.action.writes()) {
        let Some(text) = &i.text else { continue };
        let to = i.to.clone().unwrap_or_else(|| i.path.clone());
        files.push(PlannedFile {
            path: to.clone(),
            executable: false,
            contents: text.clone().into_bytes(),
        });
        if !seen.contains_key(&i.path) {
            seen.insert(i.path.clone(), crate::txn::guard::on_disk(root, &i.path)?);
        }
        if i.action == Action::Create {
            // A file `--uv` adds: nothing may have appeared there since the plan.
            seen.insert(i.path.clone(), None);
        } else {
            modes.insert(to.clone(), i.path.clone());
        }
        if i.action == Action::Move {
            seen.insert(to, None);
            removed.push(i.path.clone());
        }
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
    let plan = Plan { files };
    let mut finish = |staged: &Path| -> Result<Vec<String>> {
        crate::txn::guard::keep_modes(fs, root, staged, &plan, &modes)?;
        crate::txn::guard::unchanged_since_read(root, &seen, ADOPT)?;
        Ok(Vec::new())
    };
    crate::txn::write_changes(fs, &plan, &removed, root, Consent::NonEmpty, &mut finish)
}

/// The folders the moves left empty (`manifests/`, `<demo>/manifests/`), removed: only
/// empty ones, and never the root.
fn remove_emptied(root: &Path, items: &[Item]) -> Vec<String> {
    let mut removed = Vec::new();
    for i in items.iter().filter(|i| i.action == Action::Move) {
        let mut dir = root.join(&i.path);
        while dir.pop() && dir != root && dir.starts_with(root) {
            if fs_err::remove_dir(&dir).is_err() {
                break;
            }
            removed.push(rel_path(root, &dir));
        }
    }
    removed.sort();
    removed.dedup();
    removed
}
