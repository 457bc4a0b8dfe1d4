//! Line-level three-way merge of one text file (`similar`'s `TextMerge`, which matches
//! `git merge-file` on the cases that matter here). Line endings and a BOM are normalised
//! first and the user's restored after: one side's CRLF conversion must not turn every line
//! into a conflict.

use similar::{MergeResolution, TextMerge};

/// What the merge produced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Merged {
    /// With conflict markers where the sides disagree (`Conflict::Inline`).
    pub inline: String,
    /// With the user's lines wherever the sides disagree (for `--conflict rej`, where the
    /// new version goes beside the file instead).
    pub ours_on_conflict: String,
    /// Regions both sides changed differently.
    pub conflicts: usize,
}

/// Marker labels: `<<<<<<< yours`, `||||||| base`, `>>>>>>> new`.
pub struct Labels<'a> {
    pub base: &'a str,
    pub new: &'a str,
}

/// Git's test for binary content: a NUL in the first 8,000 bytes.
pub fn is_binary(bytes: &[u8]) -> bool {
    bytes.iter().take(8000).any(|b| *b == 0)
}

/// A conflict block: a `<<<<<<< ` line, then `=======`, then a `>>>>>>> ` line. One of
/// them alone is not (`=======` underlines a Markdown or reST heading).
pub fn has_markers(text: &str) -> bool {
    first_conflict(text).is_some()
}

/// The 1-based line of the `<<<<<<<` that opens the first whole conflict block, and how
/// many blocks the text holds (CRLF lines too).
pub fn first_conflict(text: &str) -> Option<(usize, usize)> {
    let mut stage = 0;
    let mut opened = 0;
    let mut first = None;
    let mut blocks = 0;
    for (i, line) in text.lines().enumerate() {
        let line = line.strip_suffix('\r').unwrap_or(line);
        stage = match stage {
            _ if line.starts_with("<<<<<<< ") || line == "<<<<<<<" => {
                opened = i + 1;
                1
            }
            1 if line == "=======" => 2,
            2 if line.starts_with(">>>>>>> ") || line == ">>>>>>>" => {
                first.get_or_insert(opened);
                blocks += 1;
                0
            }
            s => s,
        };
    }
    first.map(|line| (line, blocks))
}

/// The user's conventions, to restore after merging LF-only text.
struct Style {
    bom: bool,
    crlf: bool,
}

fn normalise(text: &str) -> (String, Style) {
    let (bom, text) = match text.strip_prefix('\u{feff}') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let crlf = text.contains("\r\n");
    (text.replace("\r\n", "\n"), Style { bom, crlf })
}

fn restore(text: &str, style: &Style) -> String {
    let body = if style.crlf {
        text.replace('\n', "\r\n")
    } else {
        text.to_string()
    };
    if style.bom {
        format!("\u{feff}{body}")
    } else {
        body
    }
}

/// `text` (LF or not) with `original`'s line endings and BOM: a file a tool rewrote (`toml_edit`
/// writes LF) stays as the user saved it.
pub fn in_style_of(original: &str, text: &str) -> String {
    let (_, style) = normalise(original);
    let (text, _) = normalise(text);
    restore(&text, &style)
}

/// Run the structured merge `f` on the three texts as LF without a BOM, then give its
/// result `ours`' line endings and BOM back (as `merge` does).
pub fn in_users_style(
    base: &str,
    ours: &str,
    theirs: &str,
    f: impl FnOnce(&str, &str, &str) -> Option<String>,
) -> Option<String> {
    let (base, _) = normalise(base);
    let (theirs, _) = normalise(theirs);
    let (ours, style) = normalise(ours);
    f(&base, &ours, &theirs).map(|merged| restore(&merged, &style))
}

/// Merge `ours` (the file on disk) and `theirs` (the new pristine render) from `base` (the
/// old pristine render); `base` is empty when both sides added the file.
pub fn merge(base: &str, ours: &str, theirs: &str, labels: &Labels<'_>) -> Merged {
    let (base, _) = normalise(base);
    let (theirs, _) = normalise(theirs);
    let (ours, style) = normalise(ours);
    let mut merge = TextMerge::from_lines(base.as_str(), ours.as_str(), theirs.as_str());
    merge.labels(labels.base, "yours", labels.new);
    let inline = merge.to_string();
    let mut preferred = String::new();
    for region in merge.regions() {
        if region.resolution() == MergeResolution::Theirs {
            for i in region.theirs_range() {
                preferred.push_str(merge.theirs_line(i).unwrap_or_default());
            }
        } else {
            for i in region.ours_range() {
                preferred.push_str(merge.ours_line(i).unwrap_or_default());
            }
        }
    }
    Merged {
        inline: restore(&inline, &style),
        ours_on_conflict: restore(&preferred, &style),
        conflicts: merge.conflict_count(),
    }
}

/// The whole file as one conflicting region, for when merging line by line gives a file that
/// is clean but broken (a TOML table declared twice): yours, then the new version, in your
/// line endings and BOM.
pub fn whole_file_conflict(ours: &str, theirs: &str, labels: &Labels<'_>) -> Merged {
    let (theirs, _) = normalise(theirs);
    let (ours, style) = normalise(ours);
    let end = |s: &str| {
        if s.is_empty() || s.ends_with('\n') {
            ""
        } else {
            "\n"
        }
    };
    let inline = format!(
        "<<<<<<< yours\n{ours}{}=======\n{theirs}{}>>>>>>> {}\n",
        end(&ours),
        end(&theirs),
        labels.new
    );
    Merged {
        inline: restore(&inline, &style),
        ours_on_conflict: restore(&ours, &style),
        conflicts: 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const L: Labels<'static> = Labels {
        base: "pack builtin@0.1.0",
        new: "pack builtin@0.2.0",
    };

    #[test]
    fn disjoint_edits_merge_cleanly() {
        let m = merge("a\nb\nc\nd\n", "A\nb\nc\nd\n", "a\nb\nc\nD\n", &L);
        assert_eq!(m.conflicts, 0);
        assert_eq!(m.inline, "A\nb\nc\nD\n");
        assert_eq!(m.ours_on_conflict, m.inline);
    }

    #[test]
    fn same_lines_conflict_with_labelled_markers() {
        let m = merge("a\nb\nc\n", "a\nB1\nc\n", "a\nB2\nc\n", &L);
        assert_eq!(m.conflicts, 1);
        assert_eq!(
            m.inline,
            "a\n<<<<<<< yours\nB1\n=======\nB2\n>>>>>>> pack builtin@0.2.0\nc\n"
        );
        assert_eq!(m.ours_on_conflict, "a\nB1\nc\n");
        assert!(has_markers(&m.inline));
    }

    #[test]
    fn the_users_crlf_and_bom_survive_without_conflicts() {
        let m = merge(
            "a\nb\nc\n",
            "\u{feff}a\r\nb\r\nc\r\nmine\r\n",
            "a\nB\nc\n",
            &L,
        );
        assert_eq!(m.conflicts, 0);
        assert_eq!(m.inline, "\u{feff}a\r\nB\r\nc\r\nmine\r\n");
    }

    #[test]
    fn only_a_whole_block_is_a_conflict() {
        assert!(!has_markers("Title\n=======\n\ntext\n"));
        assert!(!has_markers(">>>>>>> quoted\n<<<<<<< x\n"));
        assert!(!has_markers("<<<<<<< yours\nB1\n"));
        assert!(has_markers(
            "a\r\n<<<<<<< yours\r\nB1\r\n=======\r\nB2\r\n>>>>>>> new\r\n"
        ));
    }

    #[test]
    fn a_whole_file_conflict_is_one_block_in_the_users_style() {
        let m = whole_file_conflict("a\r\nb", "c\n", &L);
        assert_eq!(m.conflicts, 1);
        assert_eq!(
            m.inline,
            "<<<<<<< yours\r\na\r\nb\r\n=======\r\nc\r\n>>>>>>> pack builtin@0.2.0\r\n"
        );
        assert_eq!(m.ours_on_conflict, "a\r\nb");
        assert!(has_markers(&m.inline));
    }

    #[test]
    fn binary_is_a_nul_early_on() {
        assert!(is_binary(b"PNG\0\x01"));
        assert!(!is_binary(b"plain text"));
    }
}
