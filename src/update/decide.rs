//! The per-file decision table of an update. For each path: base (what the recorded pack
//! version generated), theirs (what the new version generates), ours (the file on disk).
//!
//! | base | theirs | ours            | outcome                                          |
//! |------|--------|-----------------|--------------------------------------------------|
//! | any  | any    | == theirs       | unchanged                                        |
//! | == theirs     | ≠ theirs        | kept (only you changed it)                       |
//! | –    | yes    | –               | added                                            |
//! | yes  | yes    | –               | kept (you deleted it; not recreated)             |
//! | yes  | yes    | == base         | updated                                          |
//! | yes  | –      | == base         | removed                                          |
//! | yes  | –      | ≠ base          | kept (dropped by the pack, but you changed it)   |
//! | any  | yes    | ≠ base, ≠ theirs| merged, or conflict                              |
//!
//! Pure: the caller reads the disk and writes the outcome.

use crate::layout::PYPROJECT;
use serde::Serialize;

use crate::error::{Error, Result};
use crate::generate::text::{self, Labels};

/// What happens to one file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Already what the new version has.
    Unchanged,
    /// Replaced by the new version (you had not changed it).
    Updated,
    /// Left as you have it.
    Kept,
    /// Your changes and the new version's, combined.
    Merged,
    /// Both changed the same lines: markers in the file, or the new version in `FILE.rej`.
    Conflict,
    /// New in this version.
    Added,
    /// Dropped by the new version (you had not changed it).
    Removed,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Unchanged => "unchanged",
            Status::Updated => "updated",
            Status::Kept => "kept",
            Status::Merged => "merged",
            Status::Conflict => "conflict",
            Status::Added => "added",
            Status::Removed => "removed",
        }
    }
}

/// How conflicts are left for the user.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ConflictStyle {
    /// `<<<<<<<` / `=======` / `>>>>>>>` blocks in the file.
    #[default]
    Inline,
    /// The file keeps your lines where the sides disagree; the new version goes beside it
    /// as `FILE.rej`.
    Rej,
}

/// The three versions of one path.
pub struct Sides<'a> {
    pub base: Option<&'a [u8]>,
    pub theirs: Option<&'a [u8]>,
    pub ours: Option<&'a [u8]>,
}

/// The decision for one path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    pub status: Status,
    /// Why, when the status alone does not say.
    pub detail: Option<String>,
    /// New contents for the path.
    pub write: Option<Vec<u8>>,
    /// Contents of `FILE.rej`.
    pub rej: Option<Vec<u8>>,
    pub remove: bool,
}

impl Decision {
    fn just(status: Status, detail: Option<&str>) -> Decision {
        Decision {
            status,
            detail: detail.map(str::to_string),
            write: None,
            rej: None,
            remove: false,
        }
    }

    fn write(status: Status, contents: Vec<u8>) -> Decision {
        Decision {
            write: Some(contents),
            ..Decision::just(status, None)
        }
    }
}

/// What the caller knows beyond the three sides.
pub struct Context<'a> {
    /// Relative path (for errors and the structured merges).
    pub path: &'a str,
    pub labels: Labels<'a>,
    pub style: ConflictStyle,
    /// `--force`: merge into a file that still has conflict markers.
    pub force: bool,
    /// The project folder (for errors).
    pub project: &'a std::path::Path,
}

pub fn decide(sides: &Sides<'_>, cx: &Context<'_>) -> Result<Decision> {
    let Sides { base, theirs, ours } = *sides;
    if ours == theirs {
        return Ok(Decision::just(Status::Unchanged, None));
    }
    // An earlier update's conflict not yet resolved: whatever this update would do to the
    // file (even nothing, once the record says the new version), it is refused, so the
    // markers are not left behind under an "Up to date".
    if !cx.force && ours.is_some_and(has_markers) {
        return Err(Error::ConflictMarkers {
            path: cx.project.join(cx.path),
        });
    }
    if base == theirs {
        let why = if ours.is_none() {
            "you deleted it"
        } else {
            "your changes; the new version did not change it"
        };
        return Ok(Decision::just(Status::Kept, Some(why)));
    }
    let Some(theirs) = theirs else {
        // The new version drops it (base is present: base ≠ theirs).
        return Ok(if ours == base {
            Decision {
                remove: true,
                ..Decision::just(Status::Removed, None)
            }
        } else {
            Decision::just(
                Status::Kept,
                Some("the new version drops it; kept because you changed it"),
            )
        });
    };
    let Some(ours) = ours else {
        return Ok(if base.is_none() {
            Decision::write(Status::Added, theirs.to_vec())
        } else {
            Decision::just(Status::Kept, Some("you deleted it; not recreated"))
        });
    };
    if Some(ours) == base {
        return Ok(Decision::write(Status::Updated, theirs.to_vec()));
    }
    Ok(merge(base.unwrap_or_default(), ours, theirs, cx))
}

/// Both sides changed the file (or both added it: an empty base).
fn merge(base: &[u8], ours: &[u8], theirs: &[u8], cx: &Context<'_>) -> Decision {
    let texts = (
        std::str::from_utf8(base),
        std::str::from_utf8(ours),
        std::str::from_utf8(theirs),
    );
    let (Ok(base), Ok(ours_text), Ok(theirs_text)) = texts else {
        return binary_conflict(theirs, cx.path);
    };
    if [base.as_bytes(), ours, theirs]
        .iter()
        .any(|b| text::is_binary(b))
    {
        return binary_conflict(theirs, cx.path);
    }
    let syntax = Syntax::of(cx.path);
    let merged = text::merge(base, ours_text, theirs_text, &cx.labels);
    if merged.conflicts == 0 && syntax.parses(&merged.inline) {
        return clean(ours, merged.inline, None);
    }
    // Where lines collide in pyproject.toml, its keys may not: the user's added dependency
    // next to the pack's changed one is no conflict. So too where the lines merge into a
    // document that does not parse (a table the user moved, declared again by the pack).
    // Both run on LF text; the user's CRLF and BOM are restored after.
    if cx.path == PYPROJECT
        && let Some(text) = text::in_users_style(base, ours_text, theirs_text, super::toml::merge)
        && syntax.parses(&text)
    {
        return clean(ours, text, Some("merged key by key"));
    }
    // Where lines collide in the manifest, its blocks may not: a note the user added at the
    // end of the file sits next to the `resources` block a new profile rewrites.
    if cx
        .path
        .starts_with(&format!("{}/", crate::layout::MANIFESTS_DIR))
        && let Some(text) = text::in_users_style(base, ours_text, theirs_text, |b, o, t| {
            let (base, ours_aligned) = super::yaml::align(b, o, t)?;
            let again = text::merge(&base, &ours_aligned, t, &cx.labels);
            (again.conflicts == 0).then_some(again.inline)
        })
        && syntax.parses(&text)
    {
        return clean(ours, text, Some("merged block by block"));
    }
    // Nothing `update` writes fails to parse: a clean line merge that does not is a conflict
    // of the whole file, which the user resolves.
    let (merged, why) = if merged.conflicts == 0 {
        (
            text::whole_file_conflict(ours_text, theirs_text, &cx.labels),
            format!(
                "merging the lines gives a file that is not valid {}: the whole file is one conflicting region",
                syntax.name()
            ),
        )
    } else {
        let n = merged.conflicts;
        (merged, format!("{n} conflicting region(s)"))
    };
    let detail = format!(
        "{why}{}",
        match cx.style {
            ConflictStyle::Inline => String::new(),
            ConflictStyle::Rej => format!("; the new version is in {}.rej", cx.path),
        }
    );
    match cx.style {
        ConflictStyle::Inline => Decision {
            detail: Some(detail),
            ..Decision::write(Status::Conflict, merged.inline.into_bytes())
        },
        ConflictStyle::Rej => Decision {
            status: Status::Conflict,
            detail: Some(detail),
            write: (merged.ours_on_conflict.as_bytes() != ours)
                .then(|| merged.ours_on_conflict.into_bytes()),
            rej: Some(theirs.to_vec()),
            remove: false,
        },
    }
}

/// What a merged file must still parse as, by its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Syntax {
    Toml,
    Yaml,
    Other,
}

impl Syntax {
    fn of(path: &str) -> Syntax {
        let ext = std::path::Path::new(path)
            .extension()
            .map(|e| e.to_string_lossy().to_ascii_lowercase());
        match ext.as_deref() {
            Some("toml") => Syntax::Toml,
            Some("yaml" | "yml") => Syntax::Yaml,
            _ => Syntax::Other,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Syntax::Toml => "TOML",
            Syntax::Yaml => "YAML",
            Syntax::Other => "text",
        }
    }

    /// Whether `text` parses (every document of a YAML stream; duplicate keys refused).
    fn parses(self, text: &str) -> bool {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        match self {
            Syntax::Toml => text.parse::<toml_edit::DocumentMut>().is_ok(),
            Syntax::Yaml => yaml_serde::Deserializer::from_str(text)
                .all(|doc| <yaml_serde::Value as serde::Deserialize>::deserialize(doc).is_ok()),
            Syntax::Other => true,
        }
    }
}

/// Whether the file holds a whole conflict block (text only).
fn has_markers(bytes: &[u8]) -> bool {
    !text::is_binary(bytes) && std::str::from_utf8(bytes).is_ok_and(text::has_markers)
}

/// A clean merge; one that changes nothing of the user's file keeps it.
fn clean(ours: &[u8], merged: String, detail: Option<&str>) -> Decision {
    if merged.as_bytes() == ours {
        return Decision::just(
            Status::Kept,
            Some("your version already has the new changes"),
        );
    }
    Decision {
        detail: detail.map(str::to_string),
        ..Decision::write(Status::Merged, merged.into_bytes())
    }
}

/// Binary files are never merged line by line: the user's stays, the new one goes beside.
fn binary_conflict(theirs: &[u8], path: &str) -> Decision {
    Decision {
        status: Status::Conflict,
        detail: Some(format!(
            "not text: yours is kept, the new version is in {path}.rej"
        )),
        write: None,
        rej: Some(theirs.to_vec()),
        remove: false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cx(style: ConflictStyle) -> Context<'static> {
        Context {
            path: "src/demo/main.py",
            labels: Labels {
                base: "pack builtin@0.1.0",
                new: "pack builtin@0.2.0",
            },
            style,
            force: false,
            project: std::path::Path::new("demo"),
        }
    }

    fn run(base: Option<&str>, theirs: Option<&str>, ours: Option<&str>) -> Decision {
        decide(
            &Sides {
                base: base.map(str::as_bytes),
                theirs: theirs.map(str::as_bytes),
                ours: ours.map(str::as_bytes),
            },
            &cx(ConflictStyle::Inline),
        )
        .unwrap()
    }

    #[test]
    fn the_table() {
        let s = |d: Decision| d.status;
        assert_eq!(
            s(run(Some("a\n"), Some("b\n"), Some("b\n"))),
            Status::Unchanged
        );
        assert_eq!(s(run(Some("a\n"), Some("a\n"), Some("x\n"))), Status::Kept);
        assert_eq!(s(run(Some("a\n"), Some("a\n"), None)), Status::Kept);
        assert_eq!(s(run(None, Some("b\n"), None)), Status::Added);
        assert_eq!(s(run(Some("a\n"), Some("b\n"), None)), Status::Kept);
        let updated = run(Some("a\n"), Some("b\n"), Some("a\n"));
        assert_eq!(
            (updated.status, updated.write),
            (Status::Updated, Some(b"b\n".to_vec()))
        );
        let removed = run(Some("a\n"), None, Some("a\n"));
        assert!(removed.remove && removed.status == Status::Removed);
        let kept = run(Some("a\n"), None, Some("x\n"));
        assert!(!kept.remove && kept.status == Status::Kept);
        let merged = run(
            Some("a\nb\nc\nd\n"),
            Some("a\nb\nc\nD\n"),
            Some("A\nb\nc\nd\n"),
        );
        assert_eq!(merged.status, Status::Merged);
        assert_eq!(merged.write.unwrap(), b"A\nb\nc\nD\n");
        assert_eq!(
            s(run(Some("a\n"), Some("b\n"), Some("c\n"))),
            Status::Conflict
        );
    }

    #[test]
    fn rej_style_keeps_the_users_lines_and_puts_the_new_version_beside() {
        let d = decide(
            &Sides {
                base: Some(b"a\nb\n"),
                theirs: Some(b"a\nB2\n"),
                ours: Some(b"a\nB1\n"),
            },
            &cx(ConflictStyle::Rej),
        )
        .unwrap();
        assert_eq!(d.status, Status::Conflict);
        assert_eq!(d.write, None, "the file is left as the user has it");
        assert_eq!(d.rej.unwrap(), b"a\nB2\n");
    }

    #[test]
    fn leftover_markers_are_refused_unless_forced() {
        let sides = Sides {
            base: Some(b"a\n"),
            theirs: Some(b"b\n"),
            ours: Some(b"<<<<<<< yours\nx\n=======\nb\n>>>>>>> new\n"),
        };
        let err = decide(&sides, &cx(ConflictStyle::Inline)).unwrap_err();
        assert!(matches!(err, Error::ConflictMarkers { .. }));
        let mut forced = cx(ConflictStyle::Inline);
        forced.force = true;
        assert_eq!(decide(&sides, &forced).unwrap().status, Status::Conflict);
    }

    #[test]
    fn markers_left_by_an_earlier_update_are_refused_even_when_nothing_would_change() {
        // After a conflicted update the record names the new version: base == theirs.
        let sides = Sides {
            base: Some(b"b\n"),
            theirs: Some(b"b\n"),
            ours: Some(b"<<<<<<< yours\nx\n=======\nb\n>>>>>>> new\n"),
        };
        let err = decide(&sides, &cx(ConflictStyle::Inline)).unwrap_err();
        assert!(matches!(err, Error::ConflictMarkers { .. }));
        let mut forced = cx(ConflictStyle::Inline);
        forced.force = true;
        assert_eq!(decide(&sides, &forced).unwrap().status, Status::Kept);
    }

    #[test]
    fn a_clean_line_merge_that_does_not_parse_is_a_conflict_of_the_whole_file() {
        // Each side adds `b` where the other does not look: clean lines, a duplicate key.
        let sides = Sides {
            base: Some(b"a: 1\n"),
            theirs: Some(b"a: 1\nb: 3\n"),
            ours: Some(b"b: 2\na: 1\n"),
        };
        let mut yaml = cx(ConflictStyle::Inline);
        yaml.path = ".github/workflows/ci.yml";
        let d = decide(&sides, &yaml).unwrap();
        assert_eq!(d.status, Status::Conflict);
        assert_eq!(
            String::from_utf8(d.write.unwrap()).unwrap(),
            "<<<<<<< yours\nb: 2\na: 1\n=======\na: 1\nb: 3\n>>>>>>> pack builtin@0.2.0\n"
        );
        yaml.style = ConflictStyle::Rej;
        let d = decide(&sides, &yaml).unwrap();
        assert_eq!((d.status, d.write), (Status::Conflict, None));
        assert_eq!(d.rej.unwrap(), b"a: 1\nb: 3\n");
        // The same lines in a file of no known syntax merge.
        assert_eq!(
            decide(&sides, &cx(ConflictStyle::Inline)).unwrap().status,
            Status::Merged
        );
    }

    #[test]
    fn a_pyproject_whose_line_merge_does_not_parse_is_merged_key_by_key() {
        let base = "[project]\nname = \"demo\"\n\n[build-system]\nrequires = []\n";
        let ours =
            "[project]\nname = \"demo\"\n\n[tool.x]\na = 1\n\n[build-system]\nrequires = []\n";
        let theirs =
            "[project]\nname = \"demo\"\n\n[build-system]\nrequires = []\n\n[tool.x]\nb = 2\n";
        let mut toml = cx(ConflictStyle::Inline);
        toml.path = PYPROJECT;
        let d = decide(
            &Sides {
                base: Some(base.as_bytes()),
                theirs: Some(theirs.as_bytes()),
                ours: Some(ours.as_bytes()),
            },
            &toml,
        )
        .unwrap();
        assert_eq!(d.status, Status::Merged);
        let merged = String::from_utf8(d.write.unwrap()).unwrap();
        let doc: toml_edit::DocumentMut = merged.parse().unwrap();
        assert_eq!(doc["tool"]["x"]["a"].as_integer(), Some(1), "{merged}");
        assert_eq!(doc["tool"]["x"]["b"].as_integer(), Some(2), "{merged}");
    }

    #[test]
    fn binary_files_are_never_merged() {
        let d = decide(
            &Sides {
                base: Some(b"\0a"),
                theirs: Some(b"\0b"),
                ours: Some(b"\0c"),
            },
            &cx(ConflictStyle::Inline),
        )
        .unwrap();
        assert_eq!((d.status, d.write), (Status::Conflict, None));
        assert_eq!(d.rej.unwrap(), b"\0b");
    }
}
