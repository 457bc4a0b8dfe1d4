//! Block-level three-way merge of a manifest, for when its line merge conflicts: a block (a
//! key's value: `resources`, `types`, `spec.command`) that the pack changed and the user left
//! exactly as generated takes the new version's lines whole; a block both sides changed is
//! merged key by key below it; anything else keeps the conflict. The same replacements are
//! made in the base, so a line merge of the two results then only sees what is left: the
//! user's own lines (a note at the end of the file, a comment above `env`) on one side, the
//! pack's lines outside those blocks (the header comment) on the other. Pure.
//!
//! Why: the profile's `resources` block ends the generated manifest, so a user's comment at
//! the end of the file sits next to it, and a line merge calls that a conflict.

use saphyr::{LoadableYamlNode, MarkedYaml, YamlData};

/// Lines `first..=last` (0-based) of a document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Lines {
    first: usize,
    last: usize,
}

/// One replacement: the block at `ours` in the user's text, and at `base` in the base,
/// becomes `with` (no lines: removed).
struct Edit {
    base: Lines,
    ours: Lines,
    with: Vec<String>,
}

/// A side: its text split in lines (each with its `\n`) and its parsed document.
struct Side<'a> {
    lines: Vec<&'a str>,
}

impl<'a> Side<'a> {
    fn new(text: &'a str) -> Side<'a> {
        Side {
            lines: text.split_inclusive('\n').collect(),
        }
    }

    fn text(&self, at: Lines) -> Vec<&'a str> {
        self.lines
            .get(at.first..=at.last.min(self.lines.len().saturating_sub(1)))
            .unwrap_or_default()
            .to_vec()
    }
}

/// The base and the user's text with the pack's block changes made in both, for a line
/// merge with the new version; `None` when a block changed differently on both sides (or a
/// side is not YAML this can follow): the caller keeps the line merge's markers then.
pub(super) fn align(base: &str, ours: &str, theirs: &str) -> Option<(String, String)> {
    for text in [base, ours, theirs] {
        crate::manifest::yaml::check_bounds(text).ok()?;
    }
    let docs = |text: &str| MarkedYaml::load_from_str(text).ok();
    let (base_docs, ours_docs, theirs_docs) = (docs(base)?, docs(ours)?, docs(theirs)?);
    let (b, o, t) = (base_docs.first()?, ours_docs.first()?, theirs_docs.first()?);
    let sides = [Side::new(base), Side::new(ours), Side::new(theirs)];
    let mut edits = Vec::new();
    walk(&sides, b, o, t, &mut edits)?;
    let base = apply(&sides[0], &edits, |e| e.base);
    let ours = apply(&sides[1], &edits, |e| e.ours);
    // The result must still be one YAML document, or the merge is not to be trusted.
    MarkedYaml::load_from_str(&ours).ok()?.first()?;
    Some((base, ours))
}

/// `side` with each edit's lines (`at` picks which side's) replaced, bottom up so earlier
/// line numbers stay valid.
fn apply(side: &Side<'_>, edits: &[Edit], at: impl Fn(&Edit) -> Lines) -> String {
    let mut order: Vec<&Edit> = edits.iter().collect();
    order.sort_by_key(|e| std::cmp::Reverse(at(e).first));
    let mut lines: Vec<String> = side.lines.iter().map(|l| (*l).to_string()).collect();
    for edit in order {
        let range = at(edit);
        let end = (range.last + 1).min(lines.len());
        lines.splice(range.first.min(end)..end, edit.with.iter().cloned());
    }
    lines.concat()
}

/// Merge the block `b`/`o`/`t` (base, ours, theirs), recording edits to the user's text.
/// `None`: both sides changed it in ways this cannot combine.
fn walk(
    sides: &[Side<'_>; 3],
    b: &MarkedYaml<'_>,
    o: &MarkedYaml<'_>,
    t: &MarkedYaml<'_>,
    edits: &mut Vec<Edit>,
) -> Option<()> {
    let (rb, ro, rt) = (lines(b)?, lines(o)?, lines(t)?);
    let (tb, to, tt) = (sides[0].text(rb), sides[1].text(ro), sides[2].text(rt));
    if tb == tt {
        // The pack did not change this block: whatever the user did stands.
        return Some(());
    }
    if to == tb {
        // Only the pack changed it: the new version's lines, whole.
        edits.push(Edit {
            base: rb,
            ours: ro,
            with: tt.iter().map(|l| (*l).to_string()).collect(),
        });
        return Some(());
    }
    // Both changed it: only a mapping can be merged further, key by key.
    let (YamlData::Mapping(mb), YamlData::Mapping(mo), YamlData::Mapping(mt)) =
        (&b.data, &o.data, &t.data)
    else {
        return None;
    };
    let mut keys: Vec<&str> = mt.keys().filter_map(key_name).collect();
    keys.extend(
        mb.keys()
            .filter_map(key_name)
            .filter(|k| find(mt, k).is_none()),
    );
    for key in keys {
        match (find(mb, key), find(mo, key), find(mt, key)) {
            (Some((_, vb)), Some((_, vo)), Some((_, vt))) => walk(sides, vb, vo, vt, edits)?,
            // The pack removed a key the user left as generated: remove it too.
            (Some((kb, vb)), Some((ko, vo)), None) => {
                let (lb, lo) = (lines(vb)?, lines(vo)?);
                if sides[0].text(lb) != sides[1].text(lo) {
                    return None;
                }
                let entry = |key: &MarkedYaml<'_>, value: Lines| {
                    let first = key.span.start.line().checked_sub(1)?;
                    Some(Lines {
                        first,
                        last: value.last.max(first),
                    })
                };
                edits.push(Edit {
                    base: entry(kb, lb)?,
                    ours: entry(ko, lo)?,
                    with: Vec::new(),
                });
            }
            // Gone from both, or only the user's: nothing to do.
            (_, _, None) => {}
            // Deleted by the user, and the pack did not change it: the deletion stands.
            (Some((_, vb)), None, Some((_, vt)))
                if sides[0].text(lines(vb)?) == sides[2].text(lines(vt)?) => {}
            // Added by the pack (where, among the user's keys, is a guess), or deleted by
            // the user while the pack changed it: the user decides.
            (_, None, Some(_)) => return None,
            (None, Some((_, vo)), Some((_, vt))) => {
                if sides[1].text(lines(vo)?) != sides[2].text(lines(vt)?) {
                    return None;
                }
            }
        }
    }
    Some(())
}

/// The entry of `map` under the string key `key`.
fn find<'a, 'y>(
    map: &'a saphyr::AnnotatedMapping<'y, MarkedYaml<'y>>,
    key: &str,
) -> Option<(&'a MarkedYaml<'y>, &'a MarkedYaml<'y>)> {
    map.iter().find(|(k, _)| key_name(k) == Some(key))
}

/// A mapping key's name, when it is a plain string.
fn key_name<'a>(node: &'a MarkedYaml<'_>) -> Option<&'a str> {
    match &node.data {
        YamlData::Value(saphyr::Scalar::String(s)) => Some(s.as_ref()),
        _ => None,
    }
}

/// The lines a node's text spans: from its first line to the last line of its last leaf.
/// Leaves are measured by their own markers; a collection's end marker may sit past the
/// comments and blank lines that follow it, which belong to whatever comes next.
fn lines(node: &MarkedYaml<'_>) -> Option<Lines> {
    let first = node.span.start.line().checked_sub(1)?;
    let last = last_line(node)?;
    Some(Lines {
        first,
        last: last.max(first),
    })
}

/// The 0-based last line of a node's own text.
fn last_line(node: &MarkedYaml<'_>) -> Option<usize> {
    match &node.data {
        YamlData::Mapping(map) => map
            .iter()
            .map(|(k, v)| last_line(v).or_else(|| last_line(k)))
            .max()
            .flatten(),
        YamlData::Sequence(items) => items.iter().map(last_line).max().flatten(),
        _ => {
            let (start, end) = (node.span.start, node.span.end);
            // A marker at the start of a line past the scalar's first line (a block scalar
            // ends where the next token starts) means the line before.
            let line = if end.line() > start.line() && end.col() == 0 {
                end.line() - 1
            } else {
                end.line()
            };
            line.checked_sub(1)
        }
    }
}

#[cfg(test)]
mod tests {
    /// What `update` does with the aligned sides: a line merge with the new version, clean.
    fn merge(base: &str, ours: &str, theirs: &str) -> Option<String> {
        let (base, ours) = super::align(base, ours, theirs)?;
        let labels = crate::generate::text::Labels {
            base: "base",
            new: "new",
        };
        let merged = crate::generate::text::merge(&base, &ours, theirs, &labels);
        assert_eq!(merged.conflicts, 0, "{}", merged.inline);
        Some(merged.inline)
    }

    const BASE: &str = "\
# manifest for demo: 2 x cpu-small
kind: AIchorManifest
spec:
  operator: jax
  command: \"python -m demo.main\"
  env:
    A: \"1\"
  types:
    # one container per worker
    worker:
      count: 2
      resources:
        cpus: 2
        ramRatio: 2
";

    const THEIRS: &str = "\
# manifest for demo: 3 x cpu-medium
kind: AIchorManifest
spec:
  operator: jax
  command: \"python -m demo.main\"
  env:
    A: \"1\"
  types:
    # one container per worker
    worker:
      count: 3
      resources:
        cpus: 8
        ramRatio: 4
        shmSizeGB: 8
";

    #[test]
    fn a_note_at_the_end_survives_a_new_resources_block() {
        let ours = format!("{BASE}# my note: ask before using GPUs\n");
        let merged = merge(BASE, &ours, THEIRS).expect("merges");
        // The pack's header comment changes too: only the user's line is the user's.
        assert_eq!(
            merged,
            format!("{THEIRS}# my note: ask before using GPUs\n")
        );
    }

    #[test]
    fn the_users_env_and_comments_stay_while_types_change() {
        let ours = BASE
            .replace("    A: \"1\"\n", "    A: \"1\"\n    # mine\n    B: \"2\"\n")
            .replace("        ramRatio: 2\n", "        ramRatio: 2\n# tail\n");
        let merged = merge(BASE, &ours, THEIRS).expect("merges");
        assert!(merged.contains("    # mine\n    B: \"2\"\n"), "{merged}");
        assert!(
            merged.contains("        shmSizeGB: 8\n# tail\n"),
            "{merged}"
        );
        assert!(merged.contains("      count: 3\n"), "{merged}");
    }

    #[test]
    fn the_same_value_changed_both_ways_is_left_to_the_user() {
        let ours = BASE.replace("        cpus: 2\n", "        cpus: 4\n");
        assert_eq!(merge(BASE, &ours, THEIRS), None);
        // A key the pack removed that the user edited, too.
        let theirs = BASE.replace("  env:\n    A: \"1\"\n", "");
        let ours = BASE.replace("    A: \"1\"\n", "    A: \"2\"\n");
        assert_eq!(merge(BASE, &ours, &theirs), None);
    }

    #[test]
    fn a_key_the_pack_removed_goes_when_the_user_left_it() {
        let theirs = BASE.replace("  env:\n    A: \"1\"\n", "");
        let ours = format!("{BASE}# end\n");
        let merged = merge(BASE, &ours, &theirs).expect("merges");
        assert_eq!(merged, format!("{theirs}# end\n"));
    }

    #[test]
    fn a_key_the_user_deleted_stays_deleted_where_the_pack_left_it() {
        let ours = format!("{}# end\n", BASE.replace("  env:\n    A: \"1\"\n", ""));
        let merged = merge(BASE, &ours, THEIRS).expect("merges");
        assert_eq!(
            merged,
            format!("{}# end\n", THEIRS.replace("  env:\n    A: \"1\"\n", ""))
        );
    }

    #[test]
    fn not_yaml_is_left_to_the_line_merge() {
        assert_eq!(merge(BASE, "a: [", THEIRS), None);
    }
}
