//! Where each legacy manifest goes: the target under `aichor_manifests/` (its subfolder
//! kept), what becomes of it (moved, migrated, kept, or left for the user, with why), and
//! the order in which manifests claim targets. Pure: the candidates come in, the plan goes
//! out; nothing here reads or writes the disk.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::layout::MANIFESTS_DIR;
use crate::manifest::discover;

/// A manifest found in the repository.
#[derive(Debug, Clone)]
pub struct Candidate {
    /// Relative to the repository root, `/`-separated.
    pub path: String,
    pub bytes: Vec<u8>,
    /// Its text after `manifest migrate` (the same bytes when nothing changes), or why it
    /// cannot be taken (`tf`, broken YAML, still invalid after migrating).
    pub migrated: Result<Migrated, String>,
}

/// A manifest's migration.
#[derive(Debug, Clone)]
pub struct Migrated {
    pub text: String,
    /// One line per change (empty: already in today's shape).
    pub changes: Vec<String>,
}

/// What happens to one manifest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// Moved under `aichor_manifests/` (and migrated, when `changes` says so).
    Move,
    /// Already under `aichor_manifests/`; migrated in place.
    Migrate,
    /// Already under `aichor_manifests/` and in today's shape.
    Keep,
    /// The target already holds the same bytes: not moved, listed.
    Duplicate,
    /// Left where it is for the user (`reason` says why and what to do).
    Manual,
    /// Every target it could take is taken: left where it is.
    Conflict,
    /// `--uv`: a file written where there was none (`pyproject.toml`, `uv.lock`).
    Create,
    /// `--uv`: a file changed in place (the Dockerfile's pip step).
    Edit,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Move => "move",
            Action::Migrate => "migrate",
            Action::Keep => "keep",
            Action::Duplicate => "duplicate",
            Action::Manual => "manual",
            Action::Conflict => "conflict",
            Action::Create => "create",
            Action::Edit => "edit",
        }
    }

    /// Whether the run writes something for it.
    pub fn writes(self) -> bool {
        matches!(
            self,
            Action::Move | Action::Migrate | Action::Create | Action::Edit
        )
    }
}

/// One manifest's line of the plan.
#[derive(Debug, Clone, Serialize)]
pub struct Item {
    pub action: Action,
    /// Where it is now.
    pub path: String,
    /// Where it goes (moves), or the manifest it duplicates.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub to: Option<String>,
    /// Its path below `aichor_manifests/`: `aichor[<selector>]: ...` runs it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub selector: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// What the migration changed.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub changes: Vec<String>,
    /// The text to write at `to` (or in place).
    #[serde(skip)]
    pub text: Option<String>,
}

/// Why a target cannot be a selector AIchor runs (`aichor[...]` takes a plain relative
/// path ending in `.yaml`/`.yml`), if it cannot.
pub fn bad_selector(selector: &str) -> Option<&'static str> {
    if selector.contains(['[', ']', '\\']) {
        return Some("its path holds `[`, `]` or `\\`, which a commit trigger cannot name");
    }
    if selector.split('/').any(|p| p == ".." || p.is_empty()) {
        return Some("its path is not a plain relative path");
    }
    if !is_yaml(selector) {
        return Some("its name does not end in `.yaml` or `.yml`, which a commit trigger needs");
    }
    None
}

/// Whether a file name ends in `.yaml` or `.yml` (any case).
pub fn is_yaml(name: &str) -> bool {
    std::path::Path::new(name)
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("yaml") || e.eq_ignore_ascii_case("yml"))
}

/// Which manifest claims a target first: the root `manifest.yaml` (what `exp` commits
/// ran), then root `*.manifest.yaml`, then `manifests/**`, then the rest; path order within.
fn precedence(path: &str) -> (u8, String) {
    let rank = if path == "manifest.yaml" {
        0
    } else if !path.contains('/') {
        1
    } else if path.starts_with("manifests/") {
        2
    } else {
        3
    };
    (rank, path.to_string())
}

/// The plan for `candidates`, given what already sits at each path of the repository
/// (`existing`: a path's bytes, looked up case-insensitively by the caller's index).
pub fn plan(candidates: &[Candidate], existing: &dyn Fn(&str) -> Option<Vec<u8>>) -> Vec<Item> {
    let mut ordered: Vec<&Candidate> = candidates.iter().collect();
    ordered.sort_by_key(|c| precedence(&c.path));
    // Targets claimed in this run, lowercased: case-only differences collide on macOS and
    // Windows checkouts.
    let mut claimed: BTreeMap<String, String> = BTreeMap::new();
    let mut items = Vec::new();
    for c in ordered {
        let item = |action, to: Option<String>, reason: Option<String>| Item {
            action,
            path: c.path.clone(),
            selector: None,
            to,
            reason,
            changes: Vec::new(),
            text: None,
        };
        let migrated = match &c.migrated {
            Ok(m) => m,
            Err(why) => {
                items.push(item(Action::Manual, None, Some(why.clone())));
                continue;
            }
        };
        let mut targets = discover::targets(&c.path);
        if targets.is_empty() {
            // Under aichor_manifests/ already: migrated in place, or kept.
            let selector = c.path[MANIFESTS_DIR.len() + 1..].to_string();
            let changed = migrated.text.as_bytes() != c.bytes.as_slice();
            claimed.insert(c.path.to_lowercase(), c.path.clone());
            items.push(Item {
                action: if changed {
                    Action::Migrate
                } else {
                    Action::Keep
                },
                selector: Some(selector),
                changes: migrated.changes.clone(),
                text: changed.then(|| migrated.text.clone()),
                ..item(Action::Keep, None, None)
            });
            continue;
        }
        targets.dedup();
        let mut chosen = None;
        let mut duplicate_of = None;
        for to in targets.clone() {
            if claimed.contains_key(&to.to_lowercase()) {
                continue;
            }
            match existing(&to) {
                Some(bytes) if bytes == c.bytes || bytes == migrated.text.as_bytes() => {
                    duplicate_of = Some(to);
                    break;
                }
                Some(_) => {}
                None => {
                    chosen = Some(to);
                    break;
                }
            }
        }
        if let Some(to) = duplicate_of {
            items.push(item(
                Action::Duplicate,
                Some(to),
                Some("the target already holds the same manifest: this copy can go".into()),
            ));
            continue;
        }
        let Some(to) = chosen else {
            items.push(item(
                Action::Conflict,
                None,
                Some(format!(
                    "{} taken by other files: move or merge by hand",
                    targets
                        .iter()
                        .map(|t| format!("`{t}`"))
                        .collect::<Vec<_>>()
                        .join(" and ")
                        + if targets.len() > 1 { " are" } else { " is" }
                )),
            ));
            continue;
        };
        let selector = to[MANIFESTS_DIR.len() + 1..].to_string();
        if let Some(why) = bad_selector(&selector) {
            items.push(item(Action::Manual, None, Some(why.to_string())));
            continue;
        }
        claimed.insert(to.to_lowercase(), c.path.clone());
        items.push(Item {
            selector: Some(selector),
            changes: migrated.changes.clone(),
            text: Some(migrated.text.clone()),
            ..item(Action::Move, Some(to), None)
        });
    }
    items.sort_by(|a, b| a.path.cmp(&b.path));
    items
}

#[cfg(test)]
mod tests {
    use super::*;

    fn candidate(path: &str, text: &str) -> Candidate {
        Candidate {
            path: path.into(),
            bytes: text.as_bytes().to_vec(),
            migrated: Ok(Migrated {
                text: text.into(),
                changes: Vec::new(),
            }),
        }
    }

    #[test]
    fn collisions_fall_back_then_conflict_and_same_bytes_are_duplicates() {
        let existing = |path: &str| match path {
            "aichor_manifests/manifest.yaml" => Some(b"other".to_vec()),
            "aichor_manifests/x.yaml" => Some(b"same".to_vec()),
            "aichor_manifests/y.yaml" | "aichor_manifests/manifests/y.yaml" => {
                Some(b"other".to_vec())
            }
            _ => None,
        };
        let items = plan(
            &[
                candidate("manifest.yaml", "root"),
                candidate("manifests/x.yaml", "same"),
                candidate("manifests/y.yaml", "mine"),
                candidate("demo/manifests/manifest.yaml", "demo"),
            ],
            &existing,
        );
        let got: Vec<(&str, Action, Option<&str>)> = items
            .iter()
            .map(|i| (i.path.as_str(), i.action, i.to.as_deref()))
            .collect();
        assert_eq!(
            got,
            [
                (
                    "demo/manifests/manifest.yaml",
                    Action::Move,
                    Some("aichor_manifests/demo/manifest.yaml")
                ),
                // At the root there is no folder to keep: the same target twice.
                ("manifest.yaml", Action::Conflict, None),
                (
                    "manifests/x.yaml",
                    Action::Duplicate,
                    Some("aichor_manifests/x.yaml")
                ),
                ("manifests/y.yaml", Action::Conflict, None),
            ]
        );
    }
}
