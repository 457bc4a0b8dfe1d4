//! Commit messages as AIchor reads them. Only the subject (the first line after git's
//! cleanup) matters: the platform's two patterns are anchored at its start,
//! `^aichor\((?<selector>[^)]+\.ya?ml)\):` and `^aichor\[(?<selector>[^\]]+)\]:`, and the
//! selector (a path relative to `aichor_manifests/`) must not start with `/`, must not hold
//! `\` or `../`, and must end in `.yaml`/`.yml`. A subject starting with `exp` and a
//! non-alphanumeric character is the legacy trigger (the root `manifest.yaml`).
//! `parse` is pure, for unit tests and fuzzing.

use crate::manifest::repo::MANIFESTS_DIR;

/// What a commit message does on AIchor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Trigger {
    /// No experiment.
    None,
    /// Runs `aichor_manifests/<selector>`.
    Manifest { selector: String },
    /// The legacy `exp` prefix.
    Legacy,
    /// `aichor: <rest>`: the prefix of a trigger with no manifest named, so nothing runs
    /// (maybe a message about aichor itself; maybe a run that was meant).
    Unnamed { rest: String },
    /// Looks meant to trigger, but the platform will not run it (or not what was meant).
    NearMiss {
        /// What is wrong, each problem a phrase.
        problems: Vec<String>,
        /// The subject as it should be written, when it can be worked out.
        corrected: Option<String>,
    },
}

/// The subject git will record, with its 1-based line in `message`: comment lines (`#`)
/// and everything from the scissors line down are dropped, then leading blank lines (git's
/// default cleanup); the first line left.
pub fn subject_line(message: &str) -> (usize, &str) {
    subject_line_with(message, "#")
}

/// `subject_line` with git's `core.commentChar` (`#` by default, any string since git 2.45).
pub fn subject_line_with<'a>(message: &'a str, comment: &str) -> (usize, &'a str) {
    let scissors = format!("{comment} ------------------------ >8 ------------------------");
    message
        .lines()
        .enumerate()
        .take_while(|(_, l)| !l.starts_with(&scissors))
        .filter(|(_, l)| !l.starts_with(comment))
        .map(|(i, l)| (i + 1, l.trim_end()))
        .find(|(_, l)| !l.is_empty())
        .unwrap_or((1, ""))
}

/// Whether git drops comment lines from the message: its cleanup mode decides.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Comments {
    /// `strip` (the default when the message was edited in the editor).
    Dropped,
    /// `whitespace`, `scissors`, `verbatim` (the default with `-m`/`-F` and no editor):
    /// `# wip` stays, and is the subject.
    Kept,
}

/// How git will clean this message up. `cleanup` is `commit.cleanup` (`None` when unset);
/// `editor` is whether git opened the editor for it: known in the hook (git sets
/// `GIT_EDITOR=:` for its hooks when it will not), `None` elsewhere. Git's default is
/// `strip` when the message was edited, `whitespace` otherwise. Unknown, the message is
/// read as given with `-m`/`-F` (or as a pushed commit's, already cleaned), unless it ends
/// with the editor's template (two comment lines or more) or holds the `-v` scissors line:
/// only the editor writes those.
pub fn comments(
    message: &str,
    comment: &str,
    cleanup: Option<&str>,
    editor: Option<bool>,
) -> Comments {
    match cleanup.map(str::trim) {
        Some("strip") => Comments::Dropped,
        Some("whitespace" | "verbatim" | "scissors") => Comments::Kept,
        _ => {
            let edited = editor.unwrap_or_else(|| from_the_editor(message, comment));
            if edited {
                Comments::Dropped
            } else {
                Comments::Kept
            }
        }
    }
}

/// Whether the message carries what only git's editor template writes.
fn from_the_editor(message: &str, comment: &str) -> bool {
    let scissors = format!("{comment} ------------------------ >8 ------------------------");
    if message.lines().any(|l| l.starts_with(&scissors)) {
        return true;
    }
    message
        .lines()
        .rev()
        .skip_while(|l| l.trim().is_empty())
        .take_while(|l| l.starts_with(comment))
        .count()
        >= 2
}

/// The subject git records under `comments`: with `Kept`, the first line that is not blank
/// (cut at the scissors line, which `-v` adds and git always cuts).
pub fn subject_line_as<'a>(
    message: &'a str,
    comment: &str,
    comments: Comments,
) -> (usize, &'a str) {
    if comments == Comments::Dropped {
        return subject_line_with(message, comment);
    }
    let scissors = format!("{comment} ------------------------ >8 ------------------------");
    message
        .lines()
        .enumerate()
        .take_while(|(_, l)| !l.starts_with(&scissors))
        .map(|(i, l)| (i + 1, l.trim_end()))
        .find(|(_, l)| !l.is_empty())
        .unwrap_or((1, ""))
}

/// Parse a whole message (see `subject_line`).
pub fn parse(message: &str) -> Trigger {
    parse_subject(subject_line(message).1)
}

/// Parse a subject line.
pub fn parse_subject(subject: &str) -> Trigger {
    let mut problems = Vec::new();
    // Spaces, and characters that cannot be seen: a byte-order mark (editors on Windows),
    // a zero-width space, a non-breaking space, bytes that were not UTF-8 (`U+FFFD`).
    let start = subject.trim_start_matches(invisible);
    let skipped = &subject[..subject.len() - start.len()];
    if skipped.chars().any(|c| !c.is_ascii_whitespace()) {
        problems.push(
            "the message starts with invisible characters (a byte-order mark, a zero-width or non-breaking space, or bytes that are not UTF-8)"
                .to_string(),
        );
    } else if !skipped.is_empty() {
        problems.push("the message starts with spaces".to_string());
    }
    let Some(prefix) = start.get(..6).filter(|p| p.eq_ignore_ascii_case("aichor")) else {
        return if legacy(subject) {
            Trigger::Legacy
        } else {
            Trigger::None
        };
    };
    if prefix != "aichor" {
        problems.push(format!("`{prefix}` must be written `aichor` (lower case)"));
    }
    let after = &start[6..];
    let open_at = after.len() - after.trim_start().len();
    if open_at > 0 && after.trim_start().starts_with(['[', '(']) {
        problems.push("no space is allowed between `aichor` and the bracket".to_string());
    }
    let after = after.trim_start();
    let (open, close) = match after.chars().next() {
        Some('[') => ('[', ']'),
        Some('(') => ('(', ')'),
        // Brackets the platform does not know: written as `[...]` in the repair.
        Some('{') => ('{', '}'),
        Some('<') => ('<', '>'),
        // `aichor: start training` (or `Aichor: ...`): a trigger without its manifest; the
        // form the warning gives fixes the case and spaces too.
        Some(':') => {
            return Trigger::Unnamed {
                rest: after[1..].trim().to_string(),
            };
        }
        // `aichor is ...`: an ordinary message about aichor.
        _ => return Trigger::None,
    };
    if matches!(open, '{' | '<') {
        problems.push(format!("`{open}{close}` must be `[]` (or `()`)"));
    }
    let Some(end) = after.find(close) else {
        problems.push(format!("`{open}` is never closed with `{close}`"));
        return Trigger::NearMiss {
            problems,
            corrected: None,
        };
    };
    let raw_selector = &after[1..end];
    let mut tail = &after[end + 1..];
    // `aichor[[manifest.yaml]]:`: doubled brackets. The platform reads the selector up to
    // the first closing bracket, so the inner ones are part of the path.
    if raw_selector.contains(open) || tail.starts_with(close) {
        problems.push(format!(
            "the brackets are doubled: write one `{open}` and one `{close}`"
        ));
        tail = tail.trim_start_matches(close);
    }
    let raw_selector = raw_selector.trim_start_matches(open);
    let rest = if let Some(rest) = tail.strip_prefix(':') {
        rest
    } else {
        problems.push(format!("a `:` must follow `{close}`"));
        tail
    };
    let (selector, selector_problems) = fix_selector(raw_selector);
    problems.extend(selector_problems);
    if problems.is_empty() {
        return Trigger::Manifest { selector };
    }
    let climbs = leaves_the_folder(raw_selector.trim().replace('\\', "/").trim_end_matches('/'));
    // Brackets left inside the path: what was meant cannot be told.
    let guessable = !selector.is_empty()
        && !climbs
        && !leaves_the_folder(&selector)
        && !selector.contains(['[', ']', '(', ')', '{', '}', '<', '>']);
    let corrected = guessable.then(|| {
        let rest = rest.trim_start();
        let rest = if rest.is_empty() { "<message>" } else { rest };
        let (open, close) = if open == '(' { ('(', ')') } else { ('[', ']') };
        format!("aichor{open}{selector}{close}: {rest}")
    });
    Trigger::NearMiss {
        problems,
        corrected,
    }
}

/// The selector as written, repaired where the intent is clear, and what was wrong with it.
/// Repairs are repeated until nothing changes (`/ x` needs the slash and then the space gone).
fn fix_selector(raw: &str) -> (String, Vec<String>) {
    let (mut s, mut problems) = fix_once(raw);
    loop {
        let (next, more) = fix_once(&s);
        if next == s {
            return (s, problems);
        }
        for p in more {
            if !problems.contains(&p) {
                problems.push(p);
            }
        }
        s = next;
    }
}

fn fix_once(raw: &str) -> (String, Vec<String>) {
    let mut problems = Vec::new();
    let mut s = raw.to_string();
    if s.trim() != s {
        problems.push("the manifest path has spaces around it".to_string());
        s = s.trim().to_string();
    }
    if s.is_empty() {
        problems.push("the manifest path is empty".to_string());
        return (s, problems);
    }
    if s.contains('\\') {
        problems.push("the manifest path uses `\\`: write `/`".to_string());
        s = s.replace('\\', "/");
    }
    if s.starts_with('/') {
        problems.push(format!(
            "the manifest path starts with `/`: it is relative to `{MANIFESTS_DIR}/`"
        ));
        s = s.trim_start_matches('/').to_string();
    }
    if let Some(inner) = s
        .strip_prefix(MANIFESTS_DIR)
        .and_then(|r| r.strip_prefix('/'))
    {
        problems.push(format!(
            "the manifest path is relative to `{MANIFESTS_DIR}/`: leave that folder out"
        ));
        s = inner.trim_start_matches('/').to_string();
    }
    if s.is_empty() {
        problems.push("the manifest path names no file".to_string());
        return (s, problems);
    }
    if s.ends_with('/') {
        problems.push("the manifest path ends with `/`: it must name a file".to_string());
        s = s.trim_end_matches('/').to_string();
        if s.is_empty() {
            return (s, problems);
        }
    }
    if leaves_the_folder(&s) {
        problems.push(format!(
            "the manifest path leaves `{MANIFESTS_DIR}/` with `..`"
        ));
    }
    let ext = std::path::Path::new(&s)
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or_default()
        .to_string();
    if !(ext.eq_ignore_ascii_case("yaml") || ext.eq_ignore_ascii_case("yml")) {
        problems.push("the manifest path must end in `.yaml` or `.yml`".to_string());
        s.push_str(".yaml");
    } else if ext != "yaml" && ext != "yml" {
        problems.push("the extension must be lower case (`.yaml` or `.yml`)".to_string());
        s = format!("{}{}", &s[..s.len() - ext.len()], ext.to_ascii_lowercase());
    }
    (s, problems)
}

/// A `..` component: the path climbs out of `aichor_manifests/` (no repair is offered).
/// The platform's rule is the substring `../`; a path that is `..` or ends in `/..` names a
/// folder above too.
fn leaves_the_folder(selector: &str) -> bool {
    selector.contains("../") || selector == ".." || selector.ends_with("/..")
}

/// What may stand unseen before `aichor`: whitespace, and characters no one sees typing.
fn invisible(c: char) -> bool {
    c.is_whitespace()
        || c.is_control()
        || matches!(c, '\u{feff}' | '\u{200b}' | '\u{2060}' | '\u{fffd}')
}

/// The message of a legacy trigger, after `exp` and the separator (`exp: 1543` → `1543`,
/// `EXP Handle SIGTERM` → `Handle SIGTERM`); empty for any other subject.
pub fn legacy_rest(subject: &str) -> &str {
    if !legacy(subject) {
        return "";
    }
    subject[3..]
        .trim_start_matches(|c: char| {
            !c.is_alphanumeric() && !matches!(c, '"' | '\'' | '`' | '(' | '[' | '<')
        })
        .trim_end()
}

/// `exp` (any case) followed by a character that is not a letter or digit.
fn legacy(subject: &str) -> bool {
    subject
        .get(..3)
        .is_some_and(|p| p.eq_ignore_ascii_case("exp"))
        && subject[3..]
            .chars()
            .next()
            .is_some_and(|c| !c.is_alphanumeric())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(s: &str) -> Trigger {
        Trigger::Manifest {
            selector: s.to_string(),
        }
    }

    fn miss(corrected: Option<&str>) -> impl Fn(&Trigger) -> bool {
        move |t| matches!(t, Trigger::NearMiss { corrected: c, .. } if c.as_deref() == corrected)
    }

    #[test]
    fn triggers() {
        for (message, selector) in [
            ("aichor[manifest.yaml]: first run", "manifest.yaml"),
            ("aichor[sub/manifest.yml]: x", "sub/manifest.yml"),
            ("aichor(manifest.yaml): x", "manifest.yaml"),
            ("aichor[manifest.yaml]:", "manifest.yaml"),
            ("aichor[a.b.yaml]:no space", "a.b.yaml"),
            (
                "\n\naichor[manifest.yaml]: after blank lines",
                "manifest.yaml",
            ),
            (
                "# Please enter the commit message\naichor[manifest.yaml]: x\n\nbody\n",
                "manifest.yaml",
            ),
        ] {
            assert_eq!(parse(message), run(selector), "{message:?}");
        }
    }

    #[test]
    fn comment_lines_follow_git_cleanup() {
        let wip = "# wip\naichor[x.yaml]: y\n";
        // `git commit -m`/`-F` without the editor keeps `# wip`: it is the subject.
        let kept = comments(wip, "#", None, Some(false));
        assert_eq!(kept, Comments::Kept);
        assert_eq!(subject_line_as(wip, "#", kept), (1, "# wip"));
        assert_eq!(comments(wip, "#", None, None), Comments::Kept);
        // From the editor (or `commit.cleanup = strip`) it is dropped.
        assert_eq!(comments(wip, "#", None, Some(true)), Comments::Dropped);
        assert_eq!(
            comments(wip, "#", Some("strip"), Some(false)),
            Comments::Dropped
        );
        assert_eq!(
            comments(wip, "#", Some("whitespace"), Some(true)),
            Comments::Kept
        );
        // Outside the hook, the editor's template tells.
        let edited = "aichor[x.yaml]: y\n\n# Please enter the commit message\n# Lines starting\n";
        assert_eq!(comments(edited, "#", None, None), Comments::Dropped);
        assert_eq!(subject_line_as("\n# x\n", "#", Comments::Kept), (2, "# x"));
    }

    #[test]
    fn comment_lines_follow_core_comment_char() {
        let message = "; Please enter the commit message\n#hashtag first\n";
        assert_eq!(subject_line_with(message, ";"), (2, "#hashtag first"));
        assert_eq!(subject_line(message).1, "; Please enter the commit message");
        let verbose =
            "\n# ------------------------ >8 ------------------------\naichor[x.yaml]: diff\n";
        assert_eq!(subject_line(verbose).1, "");
    }

    #[test]
    fn does_not_trigger() {
        for message in [
            "",
            "fix the loader",
            "# only a comment\n",
            "aichor is the platform",
            "aichor_manifests/manifest.yaml: raise the memory",
            "export the metrics",
            "experiment with the lr",
            "see aichor[manifest.yaml]: later in the line",
            "fix\naichor[manifest.yaml]: on the second line",
        ] {
            assert_eq!(parse(message), Trigger::None, "{message:?}");
        }
        // The trigger's prefix without a manifest: nothing runs, and the check says so.
        assert_eq!(
            parse("aichor: start training"),
            Trigger::Unnamed {
                rest: "start training".into()
            }
        );
        assert_eq!(
            parse("Aichor: start"),
            Trigger::Unnamed {
                rest: "start".into()
            }
        );
        assert_eq!(parse("exp: try"), Trigger::Legacy);
        assert_eq!(parse("EXP foo"), Trigger::Legacy);
        for (subject, rest) in [
            ("exp: 1543", "1543"),
            ("EXP Handle SIGTERM", "Handle SIGTERM"),
            ("exp Fix formatting", "Fix formatting"),
            ("exp:", ""),
            ("exp - (wip) x", "(wip) x"),
            ("export x", ""),
        ] {
            assert_eq!(legacy_rest(subject), rest, "{subject:?}");
        }
    }

    #[test]
    fn near_misses_say_how_to_write_it() {
        for (message, corrected) in [
            (
                "aichor [manifest.yaml]: x",
                Some("aichor[manifest.yaml]: x"),
            ),
            ("Aichor[manifest.yaml]: x", Some("aichor[manifest.yaml]: x")),
            ("AICHOR[manifest.yaml]: x", Some("aichor[manifest.yaml]: x")),
            (
                "aichor[aichor_manifests/manifest.yaml]: x",
                Some("aichor[manifest.yaml]: x"),
            ),
            ("aichor[manifest.yaml] x", Some("aichor[manifest.yaml]: x")),
            (
                "aichor[manifest.yaml]",
                Some("aichor[manifest.yaml]: <message>"),
            ),
            (
                "aichor[/manifest.yaml]: x",
                Some("aichor[manifest.yaml]: x"),
            ),
            ("aichor[sub\\m.yaml]: x", Some("aichor[sub/m.yaml]: x")),
            ("aichor[../other/m.yaml]: x", None),
            ("aichor[manifest]: x", Some("aichor[manifest.yaml]: x")),
            ("aichor(manifest): x", Some("aichor(manifest.yaml): x")),
            ("aichor[manifest.YAML]: x", Some("aichor[manifest.yaml]: x")),
            (
                "aichor[ manifest.yaml ]: x",
                Some("aichor[manifest.yaml]: x"),
            ),
            ("aichor[]: x", None),
            ("aichor[manifest.yaml: x", None),
            (
                "  aichor[manifest.yaml]: x",
                Some("aichor[manifest.yaml]: x"),
            ),
            // Invisible characters before `aichor`: the platform's `^aichor` does not match.
            (
                "\u{feff}aichor[manifest.yaml]: x",
                Some("aichor[manifest.yaml]: x"),
            ),
            (
                "\u{200b}aichor[manifest.yaml]: x",
                Some("aichor[manifest.yaml]: x"),
            ),
            (
                "\u{fffd}\u{fffd}aichor[manifest.yaml]: x",
                Some("aichor[manifest.yaml]: x"),
            ),
            // Doubled brackets: the platform reads `[manifest.yaml` as the path.
            (
                "aichor[[manifest.yaml]]: x",
                Some("aichor[manifest.yaml]: x"),
            ),
            (
                "aichor((manifest.yaml)): x",
                Some("aichor(manifest.yaml): x"),
            ),
            // A trailing `/` (or `\`) names a folder.
            (
                "aichor[manifest.yaml\\]: x",
                Some("aichor[manifest.yaml]: x"),
            ),
            ("aichor[sub/m.yaml/]: x", Some("aichor[sub/m.yaml]: x")),
            // Climbing out of the folder is never repaired, however it is written.
            ("aichor[..]: x", None),
            ("aichor[../]: x", None),
            ("aichor[..\\x.yaml]: x", None),
            ("aichor[a../b.yaml]: x", None),
            // Brackets the platform does not read.
            ("aichor{manifest.yaml}: x", Some("aichor[manifest.yaml]: x")),
            ("aichor<gpu.yaml>: x", Some("aichor[gpu.yaml]: x")),
        ] {
            let got = parse(message);
            assert!(miss(corrected)(&got), "{message:?} gave {got:?}");
        }
    }

    /// A repair is itself a clean trigger: its selector has no brackets, no `..`, no
    /// surrounding `/`, whatever was typed.
    #[test]
    fn repairs_are_clean_triggers() {
        let parts = [
            "aichor",
            "Aichor",
            " ",
            "\u{feff}",
            "[",
            "]",
            "{",
            "}",
            "<",
            ">",
            "(",
            ")",
            ":",
            "/",
            "\\",
            "..",
            "../",
            "manifest",
            ".yaml",
            ".YML",
            "aichor_manifests/",
            "x",
            " msg",
        ];
        // Every sequence of up to four parts.
        let mut inputs = vec![String::new()];
        for _ in 0..4 {
            inputs = inputs
                .iter()
                .flat_map(|i| parts.iter().map(move |p| format!("{i}{p}")))
                .chain(inputs.iter().cloned())
                .collect();
            inputs.sort();
            inputs.dedup();
        }
        for input in inputs
            .iter()
            .map(|i| format!("aichor{i}"))
            .chain(inputs.clone())
        {
            if let Trigger::NearMiss {
                corrected: Some(c), ..
            } = parse(&input)
            {
                let Trigger::Manifest { selector } = parse(&c) else {
                    panic!("{input:?} → {c:?} does not trigger");
                };
                assert!(
                    !selector.contains(['[', ']', '(', ')', '{', '}', '<', '>', '\\'])
                        && !leaves_the_folder(&selector)
                        && !selector.starts_with('/')
                        && !selector.ends_with('/'),
                    "{input:?} → {c:?}"
                );
            }
        }
    }

    #[test]
    fn every_problem_is_named() {
        let Trigger::NearMiss { problems, .. } = parse("Aichor [/x]: y") else {
            panic!("not a near miss");
        };
        assert_eq!(problems.len(), 4, "{problems:?}");
    }
}
