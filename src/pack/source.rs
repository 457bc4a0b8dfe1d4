//! Where `--template` finds a pack: a folder, a git URL (`URL#ref`, cloned once with the
//! `git` program into a cache and reused offline), or a name looked up in the folders of
//! `AICHOR_TEMPLATE_PATH` and then in `<config>/aichor/templates/`.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::environment::Environment;
use crate::error::{Error, Result};

/// A pack found on disk.
#[derive(Debug)]
pub struct Resolved {
    pub dir: PathBuf,
    /// What to record so a replay finds the same pack.
    pub source: String,
    pub commit: Option<String>,
}

/// Find the pack `spec` names.
pub fn resolve(spec: &str, env: &Environment) -> Result<Resolved> {
    if is_git(spec) {
        return fetch(spec, None, env);
    }
    let path = Path::new(spec);
    if path.is_dir() {
        let dir = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
        return Ok(Resolved {
            source: dir.display().to_string(),
            dir,
            commit: None,
        });
    }
    let searched = search_dirs(env);
    let is_name = spec
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    if is_name {
        for dir in &searched {
            let candidate = dir.join(spec);
            if candidate.join("pack.toml").is_file() {
                return Ok(Resolved {
                    dir: candidate,
                    source: spec.to_string(),
                    commit: None,
                });
            }
        }
    }
    Err(Error::PackNotFound {
        spec: spec.to_string(),
        searched: searched.iter().map(|d| d.display().to_string()).collect(),
    })
}

/// Folders searched for packs by name, in order.
pub fn search_dirs(env: &Environment) -> Vec<PathBuf> {
    let mut dirs = env.template_path();
    if let Some(config) = env.config_dir() {
        dirs.push(config.join("aichor").join("templates"));
    }
    dirs
}

/// The git pack `spec` (`URL#ref`) at exactly `commit`, whatever the ref points at now: what
/// a replay and `update` need to reproduce a project. The commit is fetched by its id.
pub fn resolve_at(spec: &str, commit: &str, env: &Environment) -> Result<Resolved> {
    let mut resolved = fetch(spec, Some(commit), env)?;
    resolved.source = spec.to_string();
    Ok(resolved)
}

/// Where `URL#ref` points now, when that is not `commit` (`None` when it still does, or
/// when the remote cannot be asked: this is only worth a note).
pub fn ref_moved(spec: &str, commit: &str) -> Option<String> {
    let (url, reference) = spec.split_once('#')?;
    if reference.is_empty() || is_commit_id(reference) || url.starts_with('-') {
        return None;
    }
    let out = run(git().args(["ls-remote", "--", url, reference])).ok()?;
    // An annotated tag is listed twice: the tag object, then (`^{}`) the commit it tags.
    let mut now = None;
    for line in out.lines() {
        let (sha, name) = line.split_once('\t')?;
        if name.ends_with("^{}") || now.is_none() {
            now = Some(sha.to_string());
        }
    }
    now.filter(|now| now != commit)
}

/// The file in a cached clone's `.git` that says which `URL#ref` it was fetched for.
const FETCHED_NOTE: &str = "aichor-fetched";

/// A git pack in the cache.
#[derive(Debug)]
pub struct Cached {
    pub dir: PathBuf,
    /// `URL#ref` as given when it was fetched.
    pub spec: String,
    /// When it was fetched (a branch's cache stays at that commit until `--refresh`).
    pub fetched: std::time::SystemTime,
    pub commit: Option<String>,
}

/// Every git pack in the cache, oldest fetch first.
pub fn cached(env: &Environment) -> Vec<Cached> {
    let Some(cache) = env.cache_dir().map(|c| c.join("templates")) else {
        return Vec::new();
    };
    let Ok(entries) = fs_err::read_dir(&cache) else {
        return Vec::new();
    };
    let mut out: Vec<Cached> = entries
        .filter_map(Result::ok)
        .filter_map(|e| {
            let dir = e.path();
            let note = dir.join(".git").join(FETCHED_NOTE);
            let spec = fs_err::read_to_string(&note).ok()?.trim().to_string();
            let fetched = fs_err::metadata(&note).ok()?.modified().ok()?;
            let commit = run(git().arg("-C").arg(&dir).args(["rev-parse", "HEAD"]))
                .ok()
                .map(|c| c.trim().to_string());
            Some(Cached {
                dir,
                spec,
                fetched,
                commit,
            })
        })
        .collect();
    out.sort_by_key(|c| c.fetched);
    out
}

/// Forget the cached clone of `spec` (`--refresh`): a branch's cache otherwise stays at
/// the commit first fetched.
pub fn refresh(spec: &str, env: &Environment) -> Result<()> {
    if !is_git(spec) {
        return Ok(());
    }
    let (url, reference) = match spec.split_once('#') {
        Some((u, r)) if !r.is_empty() => (u, Some(r)),
        Some((u, _)) => (u, None),
        None => (spec, None),
    };
    let Some(cache) = env.cache_dir() else {
        return Ok(());
    };
    let dir = cache.join("templates").join(cache_key(url, reference));
    if dir.exists() {
        fs_err::remove_dir_all(&dir).map_err(|e| Error::io(&dir, "cannot be removed", e))?;
    }
    Ok(())
}

/// Whether `spec` names a git repository (rather than a folder or a pack name).
pub fn is_git(spec: &str) -> bool {
    let url = spec.split('#').next().unwrap_or(spec);
    url.contains("://")
        || url.starts_with("git@")
        || (Path::new(url)
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("git"))
            && !Path::new(url).is_dir())
}

/// Clone `URL[#ref]` into the cache (or reuse it) and return the checkout; `pin`, a commit
/// id, replaces the ref.
fn fetch(spec: &str, pin: Option<&str>, env: &Environment) -> Result<Resolved> {
    let (url, reference) = match spec.split_once('#') {
        Some((u, r)) if !r.is_empty() => (u, Some(r)),
        Some((u, _)) => (u, None),
        None => (spec, None),
    };
    // A pinned commit that the ref's cached clone is at needs no fetch (offline replays).
    if let Some(commit) = pin {
        let by_ref = env
            .cache_dir()
            .map(|c| c.join("templates").join(cache_key(url, reference)));
        if let Some(dir) = by_ref.filter(|d| d.join("pack.toml").is_file())
            && run(git().arg("-C").arg(&dir).args(["rev-parse", "HEAD"]))
                .is_ok_and(|head| head.trim() == commit)
        {
            return Ok(Resolved {
                dir,
                source: spec.to_string(),
                commit: Some(commit.to_string()),
            });
        }
    }
    let reference = pin.or(reference);
    let fail = |message: String| Error::PackFetch {
        url: spec.to_string(),
        message,
    };
    if url.starts_with('-') {
        return Err(fail("a URL cannot start with `-`".into()));
    }
    let cache = env
        .cache_dir()
        .ok_or_else(|| fail("no cache folder (set AICHOR_CACHE_DIR)".into()))?
        .join("templates");
    let dir = cache.join(cache_key(url, reference));
    if !dir.join("pack.toml").is_file() {
        // Folders this fetch creates are removed again if it fails: a failed fetch leaves
        // the cache as it found it.
        let created = crate::txn::fs::create_dirs(&crate::txn::fs::RealFs, &cache)?;
        let fetched = clone(spec, url, reference, &cache, &dir);
        crate::interrupt::clear();
        if fetched.is_err() {
            crate::txn::fs::remove_created(&crate::txn::fs::RealFs, &created);
        }
        fetched?;
    }
    let commit = run(git().arg("-C").arg(&dir).args(["rev-parse", "HEAD"]))
        .ok()
        .map(|s| s.trim().to_string());
    Ok(Resolved {
        dir,
        source: spec.to_string(),
        commit,
    })
}

/// Clone into a staging folder of `cache`, then move it to `dir` whole.
fn clone(spec: &str, url: &str, reference: Option<&str>, cache: &Path, dir: &Path) -> Result<()> {
    let staging = tempfile::Builder::new()
        .prefix(".clone-")
        .tempdir_in(cache)
        .map_err(|e| Error::io(cache, "cannot hold a clone", e))?;
    // Ctrl-C during the clone removes the partial checkout too.
    crate::interrupt::register(staging.path().to_path_buf());
    let checkout = staging.path().join("pack");
    let failed = |command: &str| {
        let command = command.to_string();
        move |output| Error::Git {
            url: spec.to_string(),
            command,
            source: output,
        }
    };
    // git's own progress goes to a terminal only, and its stderr is captured here: without a
    // spinner a fetch is seconds of silence. Its output is shown only if it fails (the error).
    let spinner = crate::progress::Spinner::start("Cloning", &format!("`{spec}`"));
    if let Some(commit) = reference.filter(|r| is_commit_id(r)) {
        // `clone --branch` takes branches and tags only: fetch the commit itself.
        run(git().arg("init").arg("--quiet").arg(&checkout)).map_err(failed("init"))?;
        run(git()
            .arg("-C")
            .arg(&checkout)
            .args(["fetch", "--quiet", "--depth", "1", "--", url, commit]))
        .map_err(failed("fetch"))?;
        run(git()
            .arg("-C")
            .arg(&checkout)
            .args(["checkout", "--quiet", "FETCH_HEAD"]))
        .map_err(failed("checkout"))?;
    } else {
        let mut git = git();
        git.args(["clone", "--quiet", "--depth", "1"]);
        if let Some(r) = reference {
            git.args(["--branch", r]);
        }
        git.arg("--").arg(url).arg(&checkout);
        run(&mut git).map_err(failed("clone"))?;
    }
    drop(spinner);
    if !checkout.join("pack.toml").is_file() {
        return Err(Error::PackFetch {
            url: spec.to_string(),
            message: "the repository has no pack.toml at its root".into(),
        });
    }
    // What was fetched, and (its time) when: for `templates list`. Inside `.git`, where no
    // pack file can be.
    let note = checkout.join(".git").join(FETCHED_NOTE);
    fs_err::write(&note, format!("{spec}\n"))
        .map_err(|e| Error::io(&note, "cannot be written", e))?;
    fs_err::rename(&checkout, dir).map_err(|e| Error::io(dir, "cannot be created", e))
}

/// A full 40-hex commit id (short ids cannot be fetched by id).
fn is_commit_id(reference: &str) -> bool {
    reference.len() == 40 && reference.bytes().all(|b| b.is_ascii_hexdigit())
}

/// `git` for fetching packs: never prompts, and only speaks ordinary transports.
fn git() -> Command {
    let mut cmd = crate::git::command();
    cmd.env("GIT_ALLOW_PROTOCOL", "https:ssh:git:file");
    cmd
}

use crate::git::run;

/// A stable folder name for a URL and ref: readable prefix + FNV-1a hash.
fn cache_key(url: &str, reference: Option<&str>) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for b in url
        .bytes()
        .chain(b"#".iter().copied())
        .chain(reference.unwrap_or("").bytes())
    {
        hash ^= u64::from(b);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    let stem: String = url
        .trim_end_matches('/')
        .trim_end_matches(".git")
        .rsplit(['/', ':'])
        .next()
        .unwrap_or("pack")
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
        .take(40)
        .collect();
    format!(
        "{stem}-{}-{hash:016x}",
        reference
            .unwrap_or("HEAD")
            .replace(|c: char| !c.is_ascii_alphanumeric() && c != '.', "_")
    )
}
