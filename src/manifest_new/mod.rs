//! `aichor manifest new`: another manifest for an existing project, through init's pipeline.
//! The project's recorded answers (`.aichor-answers.yaml`), overridden by the flags, are
//! collected and validated by init's questions, resolved and rendered with its pack; the
//! pack's manifest becomes `aichor_manifests/<PATH>`, with what it needs beyond the project
//! (`variant`: its own starter, dependency group and image when the runtime differs), and
//! everything is written in one transaction by init's writer (`uv lock` included when
//! `pyproject.toml` changes).

pub mod selector;
pub mod variant;

use crate::environment::Environment;
use crate::layout::{PYPROJECT, UV_LOCK};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::config::Config;
use crate::error::{AnswersFileError, Error, NoPrompt, Result};
use crate::generate::answers::{self, ProvidedAnswers};
use crate::generate::context::Context;
use crate::generate::lock::LockPolicy;
use crate::generate::lock::Outcome as LockOutcome;
use crate::generate::questions::{Answers, FlagStyle, Questions};
use crate::generate::recorded::{self, RecordedManifest};
use crate::generate::render::{self, Engine, Plan, PlannedFile};
use crate::generate::{build, lock};
use crate::layout::ANSWERS_FILE;
use crate::manifest::edit::set_scalar;
use crate::manifest::repo::MANIFESTS_DIR;
use crate::manifest::validate::{Severity, validate_text};
use crate::pack::Pack;
use crate::printer::Printer;
use crate::prompt::Prompter;
use crate::txn::fs::Fs;
use crate::txn::{Action, Consent, FileReport, WritePolicy, write_plan};

/// What `manifest new` was asked to do, resolved by the binary.
#[derive(Debug, Default)]
pub struct NewSettings {
    /// PATH as typed (relative to `aichor_manifests/`).
    pub path: String,
    /// Where to look for the repository from (the current directory).
    pub start: PathBuf,
    /// The flags and `--set`, which override the project's recorded answers.
    pub answers: ProvidedAnswers,
    /// `--command`: replaces `spec.command`.
    pub command: Option<String>,
    /// `--dockerfile`: replaces `builder.dockerfile` (no Dockerfile is rendered).
    pub dockerfile: Option<String>,
    /// `--force`: replace an existing manifest and differing files made for it.
    pub write: WritePolicy,
    /// `--dry-run`: decide and report everything; write nothing.
    pub dry_run: bool,
    /// `--no-lock` (`Skip`): `pyproject.toml` changes without `uv lock`; otherwise uv runs
    /// when it is found.
    pub lock: LockPolicy,
    /// Whether a user can be asked (only what neither the flags nor the project answer).
    pub interactive: bool,
    pub no_prompt: NoPrompt,
    /// The user's config file: in a repository without recorded answers, its `template` and
    /// `[defaults]` (under `AICHOR_<KEY>`) apply as they do for `init`.
    pub config: Config,
    /// The environment, read once by the binary.
    pub env: Environment,
}

/// What `manifest new` did (or would do): the `--format json` report.
#[derive(Debug, Serialize)]
pub struct Report {
    /// The repository root.
    pub root: String,
    /// The manifest, relative to the root.
    pub manifest: String,
    /// Its path relative to `aichor_manifests/`, as a commit message names it.
    pub selector: String,
    /// The commit message that runs it.
    pub commit_message: String,
    pub dry_run: bool,
    pub operator: String,
    pub profile: String,
    pub workers: u32,
    /// The name of the files made for this manifest, when it needs any.
    pub variant: Option<String>,
    /// The dependency group added to `pyproject.toml`, if any.
    pub dependency_group: Option<String>,
    /// `builder.dockerfile` and `builder.image` as written.
    pub dockerfile: String,
    pub image: String,
    pub files: Vec<FileReport>,
    /// Whether `uv lock` updated `uv.lock`.
    pub locked: bool,
    pub next_steps: Vec<String>,
    /// The manifest's text (shown by a text dry run).
    #[serde(skip)]
    pub manifest_text: String,
    /// Remarks for the user (stderr).
    #[serde(skip)]
    pub notes: Vec<String>,
    #[serde(skip)]
    pub lock: LockOutcome,
}

/// Run `manifest new`. `prompter` is `Some` only when a user can answer.
pub fn run(
    settings: &NewSettings,
    prompter: Option<&mut dyn Prompter>,
    progress: &Printer,
) -> Result<Report> {
    run_with(settings, prompter, progress, &crate::txn::fs::RealFs)
}

/// `run`, with every change to the filesystem made through `fs`.
pub fn run_with(
    settings: &NewSettings,
    prompter: Option<&mut dyn Prompter>,
    progress: &Printer,
    fs: &dyn Fs,
) -> Result<Report> {
    let selector = selector::parse_typed(&settings.path)?;
    let root = selector::find_root(&settings.start)?;
    check_flags(settings, &root)?;
    let record = root.join(ANSWERS_FILE);
    let mut provided = ProvidedAnswers::default();
    let recorded = record.is_file();
    if recorded {
        provided.read_file(&record)?;
    }
    let pack = load_pack(settings, recorded.then_some(&record), &provided)?;
    let questions = Questions {
        pack: &pack,
        flags: FlagStyle::ManifestNew,
    };
    // What the project was generated as: the base the new manifest is compared with.
    let base = if recorded {
        Some(answers::collect(&questions, &provided, None)?)
    } else {
        None
    };
    provided.override_with(&settings.answers);
    if !recorded {
        provided.name_from_destination(&root);
        provided = answers::with_user_defaults(
            &provided,
            &questions.keys(),
            &settings.config,
            &settings.env,
        );
    }
    progress.verbose(&format!(
        "repository {}; pack {} {} ({})",
        root.display(),
        pack.info.name,
        pack.info.version,
        pack.source
    ));
    let answers = answers::collect_for(
        &questions,
        &provided,
        prompter,
        settings.no_prompt,
        progress,
    )?;
    // The manifest runs the project's package, built from `pyproject.toml`: another name
    // would make a package nothing installs.
    if let Some(base) = &base
        && let (Some(was), Some(now)) = (base.str("name"), answers.str("name"))
        && was != now
    {
        return Err(Error::BadFlagValue {
            flag: "--set",
            value: format!("name={now}"),
            reason: format!("the project is `{was}`, and a manifest runs the project's package"),
            help: "drop `--set name=...` (`aichor local-repo update --set name=...` renames the whole project)".into(),
        });
    }
    let given = Given {
        command: settings.command.as_deref(),
        dockerfile: settings.dockerfile.as_deref(),
    };
    let read = |path: &str| read_disk(&root, path);
    let mut staged = stage(
        &given,
        &pack,
        base.as_ref(),
        &answers,
        &selector,
        &root,
        &read,
    )?;
    let mut actions = check_destination(&staged.plan, &root, &selector, settings.write)?;
    if recorded {
        record_manifest(&mut staged, &mut actions, &record, &selector, settings)?;
    }
    let mut report = report(settings, &staged, &answers, &root, &selector, &actions);
    if !settings.dry_run {
        let had_lock = root.join(UV_LOCK).is_file();
        report.lock = write(fs, &staged.plan, &root, settings, progress)?;
        report.locked = report.lock == LockOutcome::Locked;
        if report.locked {
            report.files.push(FileReport {
                path: UV_LOCK.into(),
                action: if had_lock {
                    Action::Overwrite
                } else {
                    Action::Create
                },
                bytes: fs_err::metadata(root.join(UV_LOCK))
                    .map_or(0, |m| usize::try_from(m.len()).unwrap_or(usize::MAX)),
            });
        }
    }
    report.next_steps = next_steps(&report, &root, &settings.start);
    Ok(report)
}

/// A project's recorded pack (the built-in one when the record at `record` names no source);
/// for a hand-made repository (no record), the user's configured one.
fn load_pack(
    settings: &NewSettings,
    record: Option<&PathBuf>,
    provided: &ProvidedAnswers,
) -> Result<Pack> {
    let configured = settings.config.template.as_ref().map(|t| t.value.as_str());
    let spec = match record {
        Some(_) => provided.template.as_deref(),
        None => configured,
    };
    Pack::load(spec, &settings.env).map_err(|e| match (e, record) {
        // No flag here names a pack: say where the missing one comes from.
        (Error::PackNotFound { spec, .. }, Some(record)) => Error::BaseUnavailable {
            reason: format!(
                "`{}` records `template: {spec}`, which cannot be found",
                record.display()
            ),
            pack: spec,
            help: "make the pack reachable there again, or correct `template:` in that file".into(),
        },
        (e, _) => e,
    })
}

/// A file of the repository (`None`: not there).
fn read_disk(root: &Path, path: &str) -> Result<Option<Vec<u8>>> {
    let at = root.join(path);
    match fs_err::read(&at) {
        Ok(bytes) => Ok(Some(bytes)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(Error::io(at, "cannot be read", e)),
    }
}

/// Add this manifest to the `manifests:` section of the project's record, so `local-repo
/// update` renders it again with the project: the answers given for it (the flags, as
/// typed), `--command` and `--dockerfile`.
fn record_manifest(
    staged: &mut Staged,
    actions: &mut Vec<Action>,
    record: &Path,
    selector: &str,
    settings: &NewSettings,
) -> Result<()> {
    let err = |source| Error::AnswersFile {
        path: record.to_path_buf(),
        source,
    };
    let text = fs_err::read_to_string(record).map_err(|e| err(AnswersFileError::Read(e)))?;
    let doc: yaml_serde::Value =
        yaml_serde::from_str(&text).map_err(|e| err(AnswersFileError::Yaml(e)))?;
    let mut manifests = recorded::read(&doc).map_err(|m| err(AnswersFileError::Manifests(m)))?;
    manifests.insert(
        selector.to_string(),
        RecordedManifest {
            answers: settings
                .answers
                .iter()
                .map(|(k, p)| (k.to_string(), p.raw.clone()))
                .collect(),
            command: settings.command.clone(),
            dockerfile: settings.dockerfile.clone(),
        },
    );
    let new =
        crate::generate::text::in_style_of(&text, &recorded::with_manifests(&text, &manifests));
    if new != text {
        staged.plan.files.push(PlannedFile {
            path: ANSWERS_FILE.into(),
            executable: false,
            contents: new.into_bytes(),
        });
        actions.push(Action::Merge);
    }
    Ok(())
}

/// The files a manifest `manifest new` made adds to a project, rendered again: for
/// `local-repo update`, which compares them on both sides of its merge as it does the
/// project's own. The project is as `pack` renders it with `answers` (`project`: path →
/// contents); the manifest's recorded answers and flags go over them. Returns the files to
/// lay over the project's: the manifest, its own files, and `pyproject.toml` with its
/// dependency group when it has one.
pub fn render_recorded(
    pack: &Pack,
    answers: &Answers,
    project: &BTreeMap<String, Vec<u8>>,
    selector: &str,
    manifest: &RecordedManifest,
    root: &Path,
) -> Result<Vec<PlannedFile>> {
    let selector = selector::parse(selector)?;
    let origin = crate::error::Origin::AnswersFile(root.join(ANSWERS_FILE));
    let mut provided = ProvidedAnswers::default();
    for (key, value) in answers.entries() {
        provided.insert(key, value.display(), origin.clone());
    }
    for (key, raw) in &manifest.answers {
        provided.insert(key, raw.clone(), origin.clone());
    }
    let questions = Questions {
        pack,
        flags: FlagStyle::ManifestNew,
    };
    let own = answers::collect(&questions, &provided, None)?;
    let read = |path: &str| -> Result<Option<Vec<u8>>> { Ok(project.get(path).cloned()) };
    let given = Given {
        command: manifest.command.as_deref(),
        dockerfile: manifest.dockerfile.as_deref(),
    };
    let staged = stage(&given, pack, Some(answers), &own, &selector, root, &read)?;
    Ok(staged.plan.files)
}

/// `--dockerfile` names a file of the repository (AIchor builds from it: not absolute, not
/// above it, not a folder); `--command` is not blank.
fn check_flags(settings: &NewSettings, root: &Path) -> Result<()> {
    if let Some(command) = &settings.command
        && command.trim().is_empty()
    {
        return Err(Error::BadFlagValue {
            flag: "--command",
            value: command.clone(),
            reason: "the command is blank".into(),
            help: "pass the command the containers run, e.g. `--command \"python -m demo.eval\"` (without `--command`, the pack's)".into(),
        });
    }
    let Some(file) = &settings.dockerfile else {
        return Ok(());
    };
    let bad = |reason: &str| {
        Error::BadFlagValue {
        flag: "--dockerfile",
        value: file.clone(),
        reason: reason.into(),
        help: "pass the Dockerfile's path relative to the repository root, e.g. `--dockerfile docker/eval.Dockerfile`".into(),
    }
    };
    if file.trim().is_empty() {
        return Err(bad("the path is empty"));
    }
    if file.starts_with('/') || file.starts_with('\\') || Path::new(file).is_absolute() {
        return Err(bad(
            "it is absolute; AIchor builds from the repository, so the path is relative to its root",
        ));
    }
    let mut depth = 0usize;
    for part in file.split(['/', '\\']) {
        match part {
            "" | "." => {}
            ".." => {
                depth = depth.checked_sub(1).ok_or_else(|| {
                    bad("it leads out of the repository, which is all AIchor builds from")
                })?;
            }
            _ => depth += 1,
        }
    }
    if depth == 0 || root.join(file).is_dir() {
        return Err(bad("it is a folder; the flag names the Dockerfile itself"));
    }
    Ok(())
}

/// The flags that replace what the pack renders (`--command`, `--dockerfile`).
#[derive(Debug, Clone, Copy, Default)]
struct Given<'a> {
    command: Option<&'a str>,
    dockerfile: Option<&'a str>,
}

/// The manifest and what it needs, rendered and checked; nothing written.
struct Staged {
    plan: Plan,
    manifest_text: String,
    variant_name: Option<String>,
    group: Option<String>,
    dockerfile: String,
    image: String,
    ctx: Context,
    notes: Vec<String>,
}

/// Render the pack with the new answers (and the project's, to compare), work out what the
/// manifest needs beyond itself, and edit the manifest to match.
fn stage(
    given: &Given<'_>,
    pack: &Pack,
    base: Option<&Answers>,
    answers: &Answers,
    selector: &str,
    root: &Path,
    read: variant::Read<'_>,
) -> Result<Staged> {
    let mut ctx = Context::resolve(answers, pack)?;
    let engine = Engine::new(pack)?;
    // Compared with the project's rendering, as if it were init's manifest: only the
    // answers should make the two differ.
    let new_plan = render::plan(&ctx, pack, &engine)?;
    ctx.manifest_path = selector.to_string();
    let emit_plan = render::plan(&ctx, pack, &engine)?;
    let text = manifest_of(&emit_plan, pack)?;
    let name = selector::variant_name(selector);
    let variant = match base {
        Some(base) => {
            let base_plan = build(pack, base)?.plan;
            let inputs = variant::Inputs {
                root,
                read,
                name: &name,
                package: &ctx.names.package,
                image: &ctx.names.image,
                base: &base_plan,
                new: &new_plan,
                emit: &emit_plan,
                own_dockerfile: given.dockerfile.is_some(),
            };
            let dockerfile_for = |group: Option<&str>| -> Result<Option<String>> {
                let mut with_group = ctx.clone();
                with_group.dependency_group = group.map(str::to_string);
                let plan = render::plan(&with_group, pack, &engine)?;
                Ok(plan
                    .files
                    .into_iter()
                    .find(|f| f.path == "Dockerfile")
                    .map(|f| String::from_utf8_lossy(&f.contents).into_owned()))
            };
            variant::plan(&inputs, &dockerfile_for)?
        }
        None => variant::Variant::default(),
    };
    let Edited {
        text,
        dockerfile,
        image,
        notes,
    } = edit_manifest(
        text,
        &variant,
        given,
        root,
        base.is_some(),
        &pack.info.name,
        selector,
    )?;
    check_manifest(&text, selector)?;
    let mut files = vec![PlannedFile {
        path: format!("{MANIFESTS_DIR}/{selector}"),
        executable: false,
        contents: text.clone().into_bytes(),
    }];
    files.extend(variant.files.iter().cloned());
    if let Some(pyproject) = &variant.pyproject {
        files.push(PlannedFile {
            path: PYPROJECT.into(),
            executable: false,
            contents: pyproject.clone().into_bytes(),
        });
    }
    Ok(Staged {
        plan: Plan { files },
        manifest_text: text,
        variant_name: (!variant.is_empty()).then_some(name),
        group: variant.group.map(|(g, _)| g),
        dockerfile,
        image,
        ctx,
        notes,
    })
}

/// The manifest as edited for the new run, with what the report says about it.
struct Edited {
    text: String,
    dockerfile: String,
    image: String,
    notes: Vec<String>,
}

/// The rendered manifest pointed at the variant's modules and image, then the flags'
/// `--command` and `--dockerfile`.
fn edit_manifest(
    mut text: String,
    variant: &variant::Variant,
    given: &Given<'_>,
    root: &Path,
    recorded: bool,
    pack_name: &str,
    selector: &str,
) -> Result<Edited> {
    let mut notes = variant.notes.clone();
    let edit = |text: &str, path: &[&str], value: &str| {
        set_scalar(text, path, value).map_err(|message| Error::Pack {
            pack: pack_name.to_string(),
            file: format!("the manifest rendered for `{MANIFESTS_DIR}/{selector}`"),
            message: format!("cannot set `{}`: {message}", path.join(".")),
        })
    };
    for (from, to) in &variant.renames {
        // Comments that point at the module (`keep WORKERS in src/pkg/main.py equal`).
        let path = |module: &str| format!("src/{}.py", module.replace('.', "/"));
        text = text.replace(&path(from), &path(to));
    }
    if !variant.renames.is_empty() {
        let command = scalar_at(&text, &["spec", "command"]).unwrap_or_default();
        let renamed = rename_modules(&command, &variant.renames);
        if renamed != command {
            text = edit(&text, &["spec", "command"], &renamed)?;
        }
    }
    let mut image = scalar_at(&text, &["builder", "image"]).unwrap_or_default();
    let mut dockerfile = scalar_at(&text, &["builder", "dockerfile"]).unwrap_or_default();
    if let Some((path, own_image)) = &variant.image {
        text = edit(&text, &["builder", "image"], own_image)?;
        text = edit(&text, &["spec", "image"], own_image)?;
        image.clone_from(own_image);
        if !path.is_empty() {
            text = edit(&text, &["builder", "dockerfile"], path)?;
            dockerfile.clone_from(path);
        }
    }
    if let Some(command) = given.command {
        text = edit(&text, &["spec", "command"], command)?;
    }
    if let Some(file) = given.dockerfile {
        text = edit(&text, &["builder", "dockerfile"], file)?;
        dockerfile = file.to_string();
        let on_disk = root.join(file.trim_start_matches("./"));
        if !on_disk.is_file() {
            notes.push(format!(
                "`{file}` does not exist yet: add it before pushing, or the build fails"
            ));
        }
    }
    if !recorded && given.command.is_none() {
        let command = scalar_at(&text, &["spec", "command"]).unwrap_or_default();
        notes.push(format!(
            "no `{ANSWERS_FILE}` here: the manifest runs the pack's `{command}`; pass `--command` if your code starts otherwise"
        ));
    }
    if !recorded && given.dockerfile.is_none() && !root.join("Dockerfile").is_file() {
        notes.push(format!(
            "`{dockerfile}` does not exist: add it, or pass `--dockerfile FILE`"
        ));
    }
    Ok(Edited {
        text,
        dockerfile,
        image,
        notes,
    })
}

/// The pack's manifest in a rendered plan: `aichor_manifests/manifest.yaml`, or the only one.
fn manifest_of(plan: &Plan, pack: &Pack) -> Result<String> {
    let manifests: Vec<&PlannedFile> = plan
        .files
        .iter()
        .filter(|f| render::is_manifest(&f.path))
        .collect();
    let chosen = manifests
        .iter()
        .find(|f| f.path == format!("{MANIFESTS_DIR}/manifest.yaml"))
        .or_else(|| manifests.first().filter(|_| manifests.len() == 1))
        .ok_or_else(|| Error::Pack {
            pack: pack.info.name.clone(),
            file: MANIFESTS_DIR.into(),
            message: format!(
                "renders {} manifests and none is `{MANIFESTS_DIR}/manifest.yaml`: `manifest new` cannot tell which to start from",
                manifests.len()
            ),
        })?;
    Ok(String::from_utf8_lossy(&chosen.contents).into_owned())
}

/// A string value of the manifest.
fn scalar_at(text: &str, path: &[&str]) -> Option<String> {
    let doc: yaml_serde::Value = yaml_serde::from_str(text).ok()?;
    let mut node = &doc;
    for key in path {
        node = node.get(*key)?;
    }
    node.as_str().map(str::to_string)
}

/// `python -m pkg.launch -m pkg.main` with `pkg.main` → `pkg.gpu_main`: whole module names
/// only (`pkg.main` is not renamed inside `pkg.mainly`).
fn rename_modules(command: &str, renames: &[(String, String)]) -> String {
    command
        .split(' ')
        .map(|word| {
            renames
                .iter()
                .find(|(from, _)| from == word)
                .map_or_else(|| word.to_string(), |(_, to)| to.clone())
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// The manifest as `manifest validate` checks it: any error stops here, before writing.
fn check_manifest(text: &str, selector: &str) -> Result<()> {
    let validation = validate_text(text);
    if let Some(d) = validation
        .diagnostics
        .iter()
        .find(|d| d.severity == Severity::Error)
    {
        return Err(Error::Manifest {
            file: format!("{MANIFESTS_DIR}/{selector}:{}:{}", d.line, d.column),
            key: d.path.clone(),
            message: d.message.clone(),
        });
    }
    Ok(())
}

/// Each planned file's action; an existing manifest, or another existing file that differs,
/// needs `--force`. Files already there with the same bytes are left out of the plan's
/// report as `keep`.
///
/// A file another manifest uses (`docker/ray.Dockerfile` of `ray.yaml`, wanted different by
/// `ray/manifest.yaml`, which names its files `ray` too) is refused even with `--force`,
/// which replaces files made for this manifest: replacing it would change the other's run.
fn check_destination(
    plan: &Plan,
    root: &Path,
    selector: &str,
    policy: WritePolicy,
) -> Result<Vec<Action>> {
    let inspection = crate::txn::inspect(plan, root)?;
    let mut actions = Vec::with_capacity(plan.files.len());
    for (f, action) in plan.files.iter().zip(&inspection.actions) {
        let path = root.join(&f.path);
        let action = match action {
            Action::Overwrite if fs_err::read(&path).is_ok_and(|b| b == f.contents) => Action::Keep,
            Action::Overwrite
                if !render::is_manifest(&f.path)
                    && let Some(other) = used_by_another_manifest(root, &f.path, selector) =>
            {
                let name = selector::variant_name(selector);
                return Err(Error::VariantConflict {
                    message: format!(
                        "`{}` is used by `{other}`, and `{MANIFESTS_DIR}/{selector}` needs it to differ: replacing it would change that manifest's run",
                        f.path
                    ),
                    help: format!(
                        "choose a PATH with another name (this manifest's files are named `{name}` after it; e.g. `{name}-2.yaml`), so each manifest keeps its own files"
                    ),
                });
            }
            Action::Overwrite if policy == WritePolicy::Force => Action::Overwrite,
            Action::Overwrite if render::is_manifest(&f.path) => {
                return Err(Error::ManifestExists { path });
            }
            Action::Overwrite => return Err(Error::FileExists { path }),
            other => *other,
        };
        actions.push(action);
    }
    if let Some(i) = plan.files.iter().position(|f| render::is_manifest(&f.path))
        && actions[i] == Action::Keep
        && policy != WritePolicy::Force
    {
        return Err(Error::ManifestExists {
            path: root.join(&plan.files[i].path),
        });
    }
    Ok(actions)
}

/// The first manifest under `aichor_manifests/` other than `selector`'s that names `path`
/// (a Dockerfile, a script) or, for a module under `src/`, runs it (`-m pkg.ray_main`).
fn used_by_another_manifest(root: &Path, path: &str, selector: &str) -> Option<String> {
    let module = path
        .strip_prefix("src/")
        .and_then(|p| p.strip_suffix(".py"))
        .map(|m| m.replace('/', "."));
    let names = |text: &str| {
        text.contains(path)
            || module.as_deref().is_some_and(|m| {
                text.split(|c: char| c.is_whitespace() || c == '"' || c == '\'')
                    .any(|word| word == m)
            })
    };
    crate::layout::manifest_files(root)
        .into_iter()
        .find(|(path, rel)| {
            rel != selector && fs_err::read_to_string(path).is_ok_and(|text| names(&text))
        })
        .map(|(_, rel)| format!("{MANIFESTS_DIR}/{rel}"))
}

fn report(
    settings: &NewSettings,
    staged: &Staged,
    answers: &Answers,
    root: &Path,
    selector: &str,
    actions: &[Action],
) -> Report {
    let ctx = &staged.ctx;
    let profile = answers.str("profile").unwrap_or_default().to_string();
    Report {
        root: root.display().to_string(),
        manifest: format!("{MANIFESTS_DIR}/{selector}"),
        selector: selector.to_string(),
        commit_message: format!(
            "aichor[{selector}]: first {} run on {profile}",
            ctx.operator
        ),
        dry_run: settings.dry_run,
        operator: ctx.operator.id().to_string(),
        profile,
        workers: ctx.workers,
        variant: staged.variant_name.clone(),
        dependency_group: staged.group.clone(),
        dockerfile: staged.dockerfile.clone(),
        image: staged.image.clone(),
        files: staged
            .plan
            .files
            .iter()
            .zip(actions)
            .map(|(f, a)| FileReport {
                path: f.path.clone(),
                action: *a,
                bytes: f.contents.len(),
            })
            .collect(),
        locked: false,
        next_steps: Vec::new(),
        manifest_text: staged.manifest_text.clone(),
        notes: staged.notes.clone(),
        lock: LockOutcome::Skipped("dry run".into()),
    }
}

/// Write the plan into the repository in one transaction; when `pyproject.toml` changes,
/// `uv lock` runs on it first (from the project's `uv.lock`), so the lock lands with it.
fn write(
    fs: &dyn Fs,
    plan: &Plan,
    root: &Path,
    settings: &NewSettings,
    progress: &Printer,
) -> Result<LockOutcome> {
    let env = &settings.env;
    let relock =
        settings.lock != LockPolicy::Skip && plan.files.iter().any(|f| f.path == PYPROJECT);
    let mut outcome = LockOutcome::Skipped(String::new());
    let writes = Plan {
        files: plan
            .files
            .iter()
            .filter(|f| {
                // Files already there as planned are not rewritten.
                fs_err::read(root.join(&f.path)).map_or(true, |b| b != f.contents)
            })
            .cloned()
            .collect(),
    };
    // What each file to write holds now (`pyproject.toml` was merged from it), checked again
    // after `uv lock`: a file saved meanwhile is never replaced.
    let mut seen = BTreeMap::new();
    for f in writes
        .files
        .iter()
        .map(|f| f.path.as_str())
        .chain(relock.then_some(UV_LOCK))
    {
        seen.insert(f.to_string(), crate::txn::guard::on_disk(root, f)?);
    }
    // Files written over the user's keep their permissions.
    let modes: BTreeMap<String, String> = seen
        .iter()
        .filter(|(path, before)| before.is_some() && *path != UV_LOCK)
        .map(|(path, _)| (path.clone(), path.clone()))
        .collect();
    let mut finish = |staged: &Path| -> Result<Vec<String>> {
        crate::txn::guard::keep_modes(fs, root, staged, &writes, &modes)?;
        if !relock {
            crate::txn::guard::unchanged_since_read(root, &seen, "manifest new")?;
            return Ok(Vec::new());
        }
        // uv resolves from the project's pins and Python pin, as `uv lock` in it would.
        outcome = lock::relock(fs, env, progress, Some(root), staged)?;
        crate::txn::guard::unchanged_since_read(root, &seen, "manifest new")?;
        Ok(if outcome == LockOutcome::Locked {
            vec![UV_LOCK.to_string()]
        } else {
            Vec::new()
        })
    };
    write_plan(fs, &writes, root, Consent::NonEmpty, &mut finish)?;
    Ok(outcome)
}

/// What to run next: lock if uv did not, add the files, commit with the message that runs
/// the manifest, push.
fn next_steps(report: &Report, root: &Path, start: &Path) -> Vec<String> {
    let mut steps = Vec::new();
    let here = std::path::absolute(start).unwrap_or_else(|_| start.to_path_buf());
    if here != root {
        steps.push(format!("cd {}", crate::shell::shell_quote(&report.root)));
    }
    let pyproject = report.files.iter().any(|f| f.path == PYPROJECT);
    if pyproject && !report.locked {
        steps.push(
            "uv lock                      # pyproject.toml changed; the Dockerfile installs from uv.lock"
                .into(),
        );
    }
    let mut paths: Vec<String> = report
        .files
        .iter()
        .filter(|f| f.action != Action::Keep)
        .map(|f| crate::shell::shell_quote(&f.path))
        .collect();
    if pyproject && !report.locked {
        paths.push(UV_LOCK.into());
    }
    let repo = crate::git::repository(root);
    if repo.is_none() {
        steps.push("git init".into());
    }
    steps.push(format!("git add {}", paths.join(" ")));
    steps.push(format!(
        "git commit -m {}",
        double_quoted(&report.commit_message)
    ));
    if repo.as_deref().is_some_and(crate::git::has_remote) {
        steps.push("git push                     # the push starts the experiment".into());
    } else {
        steps.push(
            "git remote add origin <URL>  # the repository linked to your AIchor project".into(),
        );
        steps.push("git push -u origin HEAD      # the push starts the experiment".into());
    }
    steps
}

/// `"text"` for a POSIX shell: inside double quotes only `\`, `"`, `$` and `` ` `` are special.
fn double_quoted(text: &str) -> String {
    let mut out = String::from('"');
    for c in text.chars() {
        if matches!(c, '\\' | '"' | '$' | '`') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commit_messages_are_quoted_for_the_shell() {
        assert_eq!(
            double_quoted("aichor[a/m.yaml]: run"),
            "\"aichor[a/m.yaml]: run\""
        );
        assert_eq!(double_quoted("a$b\"`"), "\"a\\$b\\\"\\`\"");
    }

    #[test]
    fn only_whole_module_names_are_renamed() {
        let renames = [("pkg.main".to_string(), "pkg.gpu_main".to_string())];
        assert_eq!(
            rename_modules("python -u -m pkg.launch -m pkg.main", &renames),
            "python -u -m pkg.launch -m pkg.gpu_main"
        );
        assert_eq!(
            rename_modules("python -m pkg.mainly", &renames),
            "python -m pkg.mainly"
        );
    }
}
