//! Manifests outside `aichor_manifests/`, found by content anywhere in the repository
//! (`manifest::discover`): the root `manifest.yaml`, which `exp …` commits run, and every
//! other one, which no commit message runs. Each gets the command that moves it where the
//! platform reads it (one that works pasted at the root: `mkdir -p` first, `git mv` for a
//! tracked file, never onto an existing file); many in one folder are one finding, with a
//! note per file (`-v`, JSON).

use std::collections::BTreeMap;
use std::path::Path;

use super::{Finding, Repo};
use crate::error::Result;
use crate::manifest::discover::{self, Destination, Discovered, Planned};
use crate::manifest::repo::MANIFESTS_DIR;
use crate::manifest::validate::Severity;

/// The manifest a commit message starting with `exp` runs: this file at the root.
pub(super) const EXP_MANIFEST: &str = "manifest.yaml";

/// More manifests than this in one folder are reported as one finding.
const GROUP_OVER: usize = 5;

/// The one command that moves every manifest at once.
const ADOPT: &str = "aichor local-repo adopt";

/// Add the findings for `found`'s manifests outside `aichor_manifests/` to `out`.
pub(super) fn report(repo: &Repo, found: &[Discovered], out: &mut Vec<Finding>) {
    let plan = discover::plan(&repo.root, found);
    if plan.is_empty() {
        return;
    }
    let tracked = Tracked::read(&repo.root);
    let errors = |rel: &str| found.iter().find(|d| d.rel == rel).map_or(0, |d| d.errors);
    // Grouped by the folder they would move with: up to the `manifests` folder dropped, or
    // their own folder.
    let mut groups: BTreeMap<String, Vec<&Planned>> = BTreeMap::new();
    for p in &plan {
        if p.from == EXP_MANIFEST {
            out.push(exp_manifest(p, &tracked));
            continue;
        }
        groups.entry(group_of(&p.from)).or_default().push(p);
    }
    for (folder, members) in &groups {
        if members.len() <= GROUP_OVER {
            for p in members {
                out.push(one(p, &tracked, errors(&p.from), Severity::Warning));
            }
            continue;
        }
        let invalid = members.iter().filter(|p| errors(&p.from) > 0).count();
        let mut message = format!(
            "`{folder}/` holds {} manifests outside `{MANIFESTS_DIR}/`: AIchor only reads manifests from there, so no commit message runs them",
            members.len()
        );
        if invalid > 0 {
            message.push_str(&format!(
                " ({invalid} of them do not validate: `aichor manifest validate {}` shows why)",
                quote(folder)
            ));
        }
        let help = match move_folder(repo, folder, members, &plan, &tracked) {
            Some(command) => format!(
                "move them all with `{command}` (only manifests are in that folder), or with `{ADOPT}`; `-v` lists each file"
            ),
            None => {
                format!("move them with `{ADOPT}`, or one by one: `-v` lists the command for each")
            }
        };
        out.push(
            Finding::new(Severity::Warning, "layout", message)
                .at(&format!("{folder}/"), None, None)
                .help(help),
        );
        for p in members {
            out.push(one(p, &tracked, errors(&p.from), Severity::Note));
        }
    }
}

/// A commit message starting with `exp`: it runs the root `manifest.yaml`, which must exist
/// and is checked like any manifest (the validator of `manifest validate`, its build). The
/// manifest checked, relative to the root.
pub(super) fn exp_commit(
    repo: &Repo,
    subject: &str,
    at: &dyn Fn(Finding) -> Finding,
    out: &mut Vec<Finding>,
) -> Result<Option<String>> {
    let rest = super::commit_msg::legacy_rest(subject);
    let rest = if rest.is_empty() { "<message>" } else { rest };
    let file = repo.root.join(EXP_MANIFEST);
    let moved = repo.manifests_dir().join(EXP_MANIFEST).is_file();
    // A link to a folder, or nothing: either way no manifest.
    if !file.is_file() {
        out.push(at(Finding::new(
            Severity::Error,
            "commit-msg",
            format!("`exp` is AIchor's legacy trigger: it runs `{EXP_MANIFEST}` at the repository root, which does not exist"),
        )
        .help(if moved {
            format!("write `aichor[{EXP_MANIFEST}]: {rest}` to run `{MANIFESTS_DIR}/{EXP_MANIFEST}`")
        } else {
            format!("start the message with `aichor[<path relative to {MANIFESTS_DIR}/>]: {rest}` to run a manifest there")
        })));
        return Ok(None);
    }
    out.push(at(Finding::new(
        Severity::Warning,
        "commit-msg",
        format!("`exp` is AIchor's legacy trigger: it runs `{EXP_MANIFEST}` at the repository root, not a manifest under `{MANIFESTS_DIR}/`"),
    )
    .help(if moved {
        format!("write `aichor[{EXP_MANIFEST}]: {rest}` to run `{MANIFESTS_DIR}/{EXP_MANIFEST}` instead")
    } else {
        format!("move it to `{MANIFESTS_DIR}/` and write `aichor[{EXP_MANIFEST}]: {rest}` (`aichor local-repo check` gives the command; `{ADOPT}` moves every manifest)")
    })));
    let c = super::build::check(repo, &file, out)?;
    out.push(at(Finding::new(
        Severity::Note,
        "commit-msg",
        format!(
            "pushing this commit runs `{}` (only the last commit of a push is read)",
            c.rel
        ),
    )));
    Ok(Some(c.rel))
}

/// The root `manifest.yaml` in a repository check: what `exp …` commits run.
fn exp_manifest(p: &Planned, tracked: &Tracked) -> Finding {
    let finding = Finding::new(
        Severity::Warning,
        "layout",
        format!(
            "`{EXP_MANIFEST}` at the root is what `exp …` commits run (AIchor's legacy trigger); `aichor[…]:` commits run manifests under `{MANIFESTS_DIR}/`"
        ),
    )
    .at(EXP_MANIFEST, None, None);
    let selector = |to: &str| {
        to.strip_prefix(&format!("{MANIFESTS_DIR}/"))
            .unwrap_or(to)
            .to_string()
    };
    finding.help(match &p.to {
        Destination::Move(to) => format!(
            "move it with `{}`, then start commit messages with `aichor[{}]:` instead of `exp` (`{ADOPT}` moves every manifest)",
            move_command(&p.from, to, tracked),
            selector(to)
        ),
        Destination::Duplicate(to) => format!(
            "`{to}` is a copy of it: start commit messages with `aichor[{}]:` instead of `exp`, then remove this one (`{}`)",
            selector(to),
            remove_command(&p.from, tracked)
        ),
        Destination::Conflict(taken) => format!(
            "`{}` already exists with other content: rename one of them, then start commit messages with `aichor[<its path below {MANIFESTS_DIR}/>]:` instead of `exp` (`{ADOPT}` plans the move)",
            taken.join("`, `")
        ),
    })
}

/// One manifest outside `aichor_manifests/` (a warning alone, a note in a group).
fn one(p: &Planned, tracked: &Tracked, errors: usize, severity: Severity) -> Finding {
    let mut message = format!(
        "`{}` is a manifest outside `{MANIFESTS_DIR}/`: AIchor only reads manifests from there, so no commit message runs it",
        p.from
    );
    if errors > 0 {
        message.push_str(&format!(
            " (it does not validate: `aichor manifest validate {}` shows why)",
            quote(&p.from)
        ));
    }
    let help = match &p.to {
        Destination::Move(to) => {
            let selector = to.strip_prefix(&format!("{MANIFESTS_DIR}/")).unwrap_or(to);
            let trigger = if selector.contains(['[', ']', '\\']) {
                "; its path has a `[`, `]` or `\\`, which no `aichor[…]:` can name: rename it too"
                    .to_string()
            } else {
                format!(" (then `aichor[{selector}]:` runs it)")
            };
            format!(
                "move it with `{}`{trigger}, or move every manifest with `{ADOPT}`",
                move_command(&p.from, to, tracked)
            )
        }
        Destination::Duplicate(to) => format!(
            "`{to}` is a copy of it: remove this one (`{}`)",
            remove_command(&p.from, tracked)
        ),
        Destination::Conflict(taken) => format!(
            "`{}` {} taken: move it under another name by hand, or let `{ADOPT}` plan the move",
            taken.join("` and `"),
            if taken.len() == 1 { "is" } else { "are" }
        ),
    };
    Finding::new(severity, "layout", message)
        .at(&p.from, None, None)
        .help(help)
}

/// The folder a manifest would move with: its path up to the first `manifests` (or nested
/// `aichor_manifests`) folder, else its own folder (`.` at the root).
fn group_of(rel: &str) -> String {
    let parts: Vec<&str> = rel.split('/').collect();
    let folders = &parts[..parts.len() - 1];
    let end = folders
        .iter()
        .position(|p| *p == "manifests" || *p == MANIFESTS_DIR)
        .map_or(folders.len(), |i| i + 1);
    if end == 0 {
        ".".into()
    } else {
        folders[..end].join("/")
    }
}

/// `mkdir -p <target's folder> && git mv <from> <to>` (`mv` for a file git does not track).
fn move_command(from: &str, to: &str, tracked: &Tracked) -> String {
    let folder = to.rsplit_once('/').map_or(MANIFESTS_DIR, |(f, _)| f);
    format!(
        "mkdir -p {} && {} {} {}",
        quote(folder),
        if tracked.all([from]) { "git mv" } else { "mv" },
        quote(from),
        quote(to)
    )
}

fn remove_command(from: &str, tracked: &Tracked) -> String {
    format!(
        "{} {}",
        if tracked.all([from]) { "git rm" } else { "rm" },
        quote(from)
    )
}

/// One command moving a whole group's folder, when it is right: the folder holds nothing
/// but the group's manifests, each goes to its first target, and the folder they go to does
/// not exist nor receives another manifest of the plan.
fn move_folder(
    repo: &Repo,
    folder: &str,
    members: &[&Planned],
    plan: &[Planned],
    tracked: &Tracked,
) -> Option<String> {
    if folder == "." {
        return None;
    }
    let into = discover::targets(&format!("{folder}/x.yaml"))
        .into_iter()
        .next()?
        .strip_suffix("/x.yaml")?
        .to_string();
    let first_targets = members
        .iter()
        .all(|p| p.to == Destination::Move(discover::targets(&p.from)[0].clone()));
    let others_into = plan.iter().any(|p| {
        !members.iter().any(|m| m.from == p.from)
            && matches!(&p.to, Destination::Move(to) if to.to_ascii_lowercase().starts_with(&format!("{}/", into.to_ascii_lowercase())))
    });
    let mut files = Vec::new();
    if !first_targets || others_into || !all_files(&repo.root.join(folder), folder, &mut files) {
        return None;
    }
    files.sort();
    let mut manifests: Vec<&str> = members.iter().map(|p| p.from.as_str()).collect();
    manifests.sort_unstable();
    if files != manifests || exists_any_case(&repo.root, &into) {
        return None;
    }
    let git = if tracked.all(manifests.iter().copied()) {
        "git mv"
    } else if tracked.none(manifests.iter().copied()) {
        "mv"
    } else {
        return None;
    };
    let parent = into.rsplit_once('/').map_or(MANIFESTS_DIR, |(p, _)| p);
    Some(format!(
        "mkdir -p {} && {git} {} {}",
        quote(parent),
        quote(folder),
        quote(&into)
    ))
}

/// Every file under `dir` (shown as `rel`), `false` when something there is not a plain
/// file or folder, or cannot be read.
fn all_files(dir: &Path, rel: &str, out: &mut Vec<String>) -> bool {
    let Ok(entries) = fs_err::read_dir(dir) else {
        return false;
    };
    for entry in entries {
        let Ok(entry) = entry else { return false };
        let Ok(kind) = entry.file_type() else {
            return false;
        };
        let name = entry.file_name().to_string_lossy().into_owned();
        let path = format!("{rel}/{name}");
        if kind.is_dir() {
            if !all_files(&entry.path(), &path, out) {
                return false;
            }
        } else if kind.is_file() {
            out.push(path);
        } else {
            return false;
        }
    }
    true
}

/// Whether anything stands at `rel` (names compared without regard to case).
fn exists_any_case(root: &Path, rel: &str) -> bool {
    let mut dir = root.to_path_buf();
    for part in rel.split('/') {
        let Ok(entries) = fs_err::read_dir(&dir) else {
            return false;
        };
        let Some(hit) = entries.flatten().map(|e| e.path()).find(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().eq_ignore_ascii_case(part))
        }) else {
            return false;
        };
        dir = hit;
    }
    true
}

/// A path for a POSIX shell: quoted when it needs it, `./` before a leading `-`.
fn quote(path: &str) -> String {
    let path = if path.starts_with('-') {
        format!("./{path}")
    } else {
        path.to_string()
    };
    crate::shell::shell_quote(&path)
}

/// The files git tracks under the root (`git ls-files`); none when it is not a git
/// repository or git cannot run (the commands then use `mv`).
struct Tracked(Option<Vec<String>>);

impl Tracked {
    fn read(root: &Path) -> Tracked {
        let out = crate::git::run(
            crate::git::command()
                .arg("-C")
                .arg(root)
                .args(["ls-files", "-z", "--", "."]),
        );
        Tracked(out.ok().map(|text| {
            let mut files: Vec<String> = text
                .split('\0')
                .filter(|f| !f.is_empty())
                .map(str::to_string)
                .collect();
            files.sort();
            files
        }))
    }

    fn has(&self, rel: &str) -> bool {
        self.0
            .as_ref()
            .is_some_and(|files| files.binary_search_by(|f| f.as_str().cmp(rel)).is_ok())
    }

    fn all<'a>(&self, rels: impl IntoIterator<Item = &'a str>) -> bool {
        rels.into_iter().all(|r| self.has(r))
    }

    fn none<'a>(&self, rels: impl IntoIterator<Item = &'a str>) -> bool {
        !rels.into_iter().any(|r| self.has(r))
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn groups_end_at_the_manifests_folder() {
        assert_eq!(super::group_of("a/manifests/b/c/x.yaml"), "a/manifests");
        assert_eq!(super::group_of("a/b/x.yaml"), "a/b");
        assert_eq!(super::group_of("x.manifest.yaml"), ".");
        assert_eq!(super::group_of("manifests/x.yaml"), "manifests");
    }
}
