//! Key-level three-way merge of `pyproject.toml` (`toml_edit`, editing the user's document in
//! place so comments, order and formatting stay): for each key, the user's value if only
//! the user changed it, the new version's if only the pack did; dependency lists merge per
//! package, so the user's own dependencies and pins stay while the pack's changed ones are
//! updated. Used when the line merge conflicts. Pure.

use toml_edit::{Array, DocumentMut, Item, Table, Value};

use crate::generate::merge::requirement_name;

/// Arrays of requirement strings, merged by package name.
const DEPENDENCY_ARRAYS: &[&str] = &[
    "project.dependencies",
    "dependency-groups.dev",
    "build-system.requires",
];

/// The merged text, or `None` when a key was changed differently on both sides (or a side
/// does not parse): the caller keeps the line merge's markers then.
pub(super) fn merge(base: &str, ours: &str, theirs: &str) -> Option<String> {
    let base: DocumentMut = base.parse().ok()?;
    let mut doc: DocumentMut = ours.parse().ok()?;
    let theirs: DocumentMut = theirs.parse().ok()?;
    let mut clean = true;
    merge_table(
        doc.as_table_mut(),
        Some(base.as_table()),
        theirs.as_table(),
        "",
        &mut clean,
    );
    clean.then(|| doc.to_string())
}

/// An item's value without its formatting, for comparing sides.
fn plain(item: Option<&Item>) -> Option<String> {
    item.map(|i| {
        let mut i = i.clone();
        if let Some(v) = i.as_value_mut() {
            v.decor_mut().clear();
        }
        match &i {
            Item::Value(Value::Array(a)) => a
                .iter()
                .map(|v| v.to_string().trim().to_string())
                .collect::<Vec<_>>()
                .join(","),
            other => other.to_string().trim().to_string(),
        }
    })
}

fn merge_table(
    ours: &mut Table,
    base: Option<&Table>,
    theirs: &Table,
    prefix: &str,
    clean: &mut bool,
) {
    let path = |key: &str| {
        if prefix.is_empty() {
            key.to_string()
        } else {
            format!("{prefix}.{key}")
        }
    };
    // Keys the new version dropped: removed where the user left them as they were.
    if let Some(base) = base {
        for (key, b) in base {
            if theirs.contains_key(key) {
                continue;
            }
            match ours.get(key) {
                Some(o) if plain(Some(o)) == plain(Some(b)) => {
                    ours.remove(key);
                }
                Some(_) => *clean = false,
                None => {}
            }
        }
    }
    for (key, t) in theirs {
        let b = base.and_then(|b| b.get(key));
        let here = path(key);
        match (ours.get_mut(key), t) {
            (Some(Item::Table(o)), Item::Table(tt)) => {
                merge_table(o, b.and_then(Item::as_table), tt, &here, clean);
            }
            (Some(o), _) if DEPENDENCY_ARRAYS.contains(&here.as_str()) => {
                let base_arr = b.and_then(Item::as_array);
                match (o.as_array_mut(), t.as_array()) {
                    (Some(oa), Some(ta)) => merge_requirements(oa, base_arr, ta, clean),
                    _ => *clean = false,
                }
            }
            (Some(o), _) => {
                let (po, pb, pt) = (plain(Some(o)), plain(b), plain(Some(t)));
                if po == pt || pb == pt {
                    // Already there, or the pack did not change it: the user's stays.
                } else if po == pb {
                    replace_keeping_decor(o, t);
                } else {
                    *clean = false;
                }
            }
            (None, _) => {
                // New in this version: added. Deleted by the user (in the base, not in
                // ours): stays deleted unless the pack changed it too.
                match b {
                    None => {
                        ours.insert(key, t.clone());
                    }
                    Some(b) if plain(Some(b)) != plain(Some(t)) => *clean = false,
                    Some(_) => {}
                }
            }
        }
    }
}

/// Put the new value in place, keeping the user's comments around it.
fn replace_keeping_decor(ours: &mut Item, theirs: &Item) {
    match (ours.as_value_mut(), theirs.as_value()) {
        (Some(o), Some(t)) => {
            let decor = o.decor().clone();
            *o = t.clone();
            *o.decor_mut() = decor;
        }
        _ => *ours = theirs.clone(),
    }
}

/// What identifies a requirement across versions: its name, extras and marker, without
/// the version (`jax[cuda12]>=0.5; sys_platform == 'linux'` → `jax[cuda12];sys_platform ==
/// 'linux'`), so a per-platform line is its own entry and a changed pin is the same one.
fn requirement_key(req: &str) -> String {
    let (spec, marker) = match req.split_once(';') {
        Some((s, m)) => (s, Some(m.trim())),
        None => (req, None),
    };
    let name = requirement_name(spec);
    let extras = spec
        .trim_start()
        .split_once('[')
        .and_then(|(before, rest)| {
            // Extras follow the name directly; a `[` later is not one.
            (requirement_name(before) == name && !before.contains(['<', '>', '=', '~', '!']))
                .then(|| rest.split_once(']'))
                .flatten()
                .map(|(e, _)| e.replace(' ', "").to_ascii_lowercase())
        });
    let mut key = name;
    if let Some(e) = extras {
        key.push_str(&format!("[{e}]"));
    }
    if let Some(m) = marker {
        key.push(';');
        key.push_str(m);
    }
    key
}

/// Dependencies by package: the pack's changes applied (added, updated, removed) wherever
/// the user kept the pack's line; the user's own lines kept.
fn merge_requirements(ours: &mut Array, base: Option<&Array>, theirs: &Array, clean: &mut bool) {
    let by_name = |a: Option<&Array>| -> Vec<(String, String)> {
        a.map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(|r| (requirement_key(r), r.to_string()))
                .collect()
        })
        .unwrap_or_default()
    };
    let base = by_name(base);
    let theirs_reqs = by_name(Some(theirs));
    let find = |list: &[(String, String)], name: &str| {
        list.iter()
            .filter(|(n, _)| n == name)
            .map(|(_, r)| r.clone())
            .collect::<Vec<_>>()
    };
    // Names the pack dropped: removed where the user's line is the pack's old one. A line
    // of that name the user changed (a pin on `jax[cuda12]`, which a CPU profile drops) is
    // a conflict, as a file the new version drops is when you changed it: keeping it would
    // say the user's version already has the new changes, which it does not.
    for (name, req) in &base {
        if find(&theirs_reqs, name).is_empty() {
            remove_keeping_comments(ours, req);
            let base_reqs = find(&base, name);
            if ours
                .iter()
                .filter_map(Value::as_str)
                .any(|r| requirement_key(r) == *name && !base_reqs.iter().any(|b| b == r))
            {
                *clean = false;
            }
        }
    }
    for (name, req) in &theirs_reqs {
        let ours_reqs: Vec<String> = ours
            .iter()
            .filter_map(Value::as_str)
            .filter(|r| requirement_key(r) == *name)
            .map(str::to_string)
            .collect();
        let base_reqs = find(&base, name);
        if ours_reqs.contains(req) || base_reqs.contains(req) {
            continue;
        }
        if ours_reqs.is_empty() {
            if base_reqs.is_empty() {
                // With the pack's own comment and indentation.
                let value = theirs
                    .iter()
                    .find(|v| v.as_str() == Some(req.as_str()))
                    .cloned()
                    .unwrap_or_else(|| Value::from(req.as_str()));
                ours.push_formatted(value);
            }
            // else: the user removed it; the pack changed it; a conflict.
            else {
                *clean = false;
            }
            continue;
        }
        // The pack changed this package: take the change where the user kept the old line
        // (one line per name; several lines, e.g. per platform, need both sides equal).
        if let Some(old) = ours_reqs.iter().find(|r| base_reqs.contains(r)) {
            for v in ours.iter_mut() {
                if v.as_str() == Some(old.as_str()) {
                    let decor = v.decor().clone();
                    *v = Value::from(req.as_str());
                    *v.decor_mut() = decor;
                    break;
                }
            }
        } else {
            *clean = false;
        }
    }
}

/// Remove the lines that are exactly `req`, keeping the user's comments that `toml_edit` hangs
/// on them: the first line of an item's prefix is the comment after the item before it
/// (`"pandas>=2",  # for the loader`), which goes on to the next item (or the array's end).
/// What follows the removed item on its own line was about it, and goes with it.
fn remove_keeping_comments(array: &mut Array, req: &str) {
    // Up to and including the first newline, and the rest; all is rest without one.
    fn first_line(s: &str) -> (&str, &str) {
        s.find('\n').map_or(("", s), |i| s.split_at(i + 1))
    }
    let raw =
        |s: Option<&toml_edit::RawString>| s.and_then(|r| r.as_str()).unwrap_or("").to_string();
    loop {
        let found = array.iter().position(|v| v.as_str() == Some(req));
        let Some(i) = found else { break };
        let removed = array.remove(i);
        let prefix = raw(removed.decor().prefix());
        let (kept, _) = first_line(&prefix);
        if kept.trim().is_empty() {
            continue;
        }
        if let Some(next) = array.get_mut(i) {
            let theirs = raw(next.decor().prefix());
            let (_, rest) = first_line(&theirs);
            next.decor_mut().set_prefix(format!("{kept}{rest}"));
        } else {
            let trailing = raw(Some(array.trailing()));
            let (_, rest) = first_line(&trailing);
            array.set_trailing(format!("{kept}{rest}"));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_dependency_and_pin_stay_while_the_pack_updates_its_own() {
        let base = "[project]\nname = \"demo\"\ndependencies = [\n    \"torch>=2.5\",\n    \"boto3>=1.34\",\n]\n\n[tool.uv.sources]\ntorch = [{ index = \"pytorch-cpu\" }]\n";
        let ours = "[project]\nname = \"demo\"  # mine\ndependencies = [\n    \"torch>=2.5\",\n    \"boto3==1.35.0\",  # pinned\n    \"pandas>=2\",\n]\n\n[tool.uv.sources]\ntorch = [{ index = \"pytorch-cpu\" }]\n";
        let theirs = "[project]\nname = \"demo\"\ndependencies = [\n    \"torch>=2.6\",\n    \"boto3>=1.34\",\n    \"tensorboardX>=2.6\",\n]\n\n[tool.uv.sources]\ntorch = [{ index = \"pytorch-cu126\" }]\n";
        let merged = merge(base, ours, theirs).unwrap();
        assert!(merged.contains("name = \"demo\"  # mine"), "{merged}");
        assert!(merged.contains("\"torch>=2.6\""), "{merged}");
        assert!(merged.contains("\"boto3==1.35.0\",  # pinned"), "{merged}");
        assert!(merged.contains("\"pandas>=2\""), "{merged}");
        assert!(merged.contains("tensorboardX>=2.6"), "{merged}");
        assert!(merged.contains("pytorch-cu126"), "{merged}");
        assert!(!merged.contains("pytorch-cpu"), "{merged}");
    }

    #[test]
    fn a_users_pin_next_to_a_line_the_pack_adds_merges() {
        let base = "[project]\ndependencies = [\n    \"jax>=0.5.1\",\n    \"boto3>=1.34\",\n]\n";
        let ours = "[project]\ndependencies = [\n    \"jax==0.5.3\",\n    \"boto3>=1.34\",\n]\n";
        let theirs = "[project]\ndependencies = [\n    \"jax>=0.5.1\",\n    # CUDA wheels\n    \"jax[cuda12]>=0.5.1; sys_platform == 'linux'\",\n    \"boto3>=1.34\",\n]\n";
        let merged = merge(base, ours, theirs).unwrap();
        assert!(merged.contains("\"jax==0.5.3\""), "{merged}");
        assert!(
            merged.contains("# CUDA wheels\n    \"jax[cuda12]>=0.5.1; sys_platform == 'linux'\""),
            "{merged}"
        );
    }

    #[test]
    fn a_line_the_pack_drops_that_the_user_changed_is_not_merged() {
        // GPU -> CPU: the pack drops `jax[cuda12]`, which the user pinned.
        let base = "[project]\ndependencies = [\n    \"jax>=0.5.1\",\n    \"jax[cuda12]>=0.5.1; sys_platform == 'linux'\",\n    \"boto3>=1.34\",\n]\n";
        let ours = "[project]\ndependencies = [\n    \"jax>=0.5.1\",\n    \"jax[cuda12]==0.5.3; sys_platform == 'linux'\",\n    \"boto3>=1.34\",\n]\n";
        let theirs = "[project]\ndependencies = [\n    \"jax>=0.5.1\",\n    \"boto3>=1.34\",\n]\n";
        assert_eq!(merge(base, ours, theirs), None);
        // Left as the pack wrote it, it goes.
        let merged = merge(base, base, theirs).unwrap();
        assert!(!merged.contains("cuda12"), "{merged}");
    }

    #[test]
    fn a_comment_after_a_line_survives_the_removal_of_the_next() {
        // toml_edit hangs `# for the loader` on the line after pandas, which the pack drops.
        let base = "[project]\ndependencies = [\n    \"jax>=0.5.1\",\n    \"boto3>=1.34\",\n]\n";
        let ours = "[project]\ndependencies = [\n    \"pandas>=2\",  # for the loader\n    \"jax>=0.5.1\",  # jax's own\n    \"boto3>=1.34\",\n]\n";
        let theirs = "[project]\ndependencies = [\n    \"boto3>=1.34\",\n]\n";
        let merged = merge(base, ours, theirs).unwrap();
        assert_eq!(
            merged,
            "[project]\ndependencies = [\n    \"pandas>=2\",  # for the loader\n    \"boto3>=1.34\",\n]\n"
        );
        // The last line: the comment goes to the array's end.
        let base = "[project]\ndependencies = [\n    \"jax>=0.5.1\",\n]\n";
        let ours = "[project]\ndependencies = [\n    \"pandas>=2\",  # for the loader\n    \"jax>=0.5.1\",\n]\n";
        let theirs = "[project]\ndependencies = [\n]\n";
        let merged = merge(base, ours, theirs).unwrap();
        assert_eq!(
            merged,
            "[project]\ndependencies = [\n    \"pandas>=2\",  # for the loader\n]\n"
        );
    }

    #[test]
    fn requirement_keys_keep_extras_and_markers_apart() {
        assert_eq!(requirement_key("jax>=0.5.1"), "jax");
        assert_eq!(requirement_key("JAX==0.5.3"), "jax");
        assert_eq!(
            requirement_key("jax[CUDA12]>=0.5.1; sys_platform == 'linux'"),
            "jax[cuda12];sys_platform == 'linux'"
        );
    }

    #[test]
    fn a_key_both_sides_changed_differently_is_not_merged() {
        let base = "[project]\nrequires-python = \">=3.11\"\n";
        let ours = "[project]\nrequires-python = \">=3.12\"\n";
        let theirs = "[project]\nrequires-python = \">=3.10\"\n";
        assert_eq!(merge(base, ours, theirs), None);
    }
}
