//! `aichor manifest migrate`: rewrite pre-0.2.3 shapes the way the platform's maintainers did
//! (pytorch/xgboost `Master` count 1 + `Worker` count N → `worker` count N+1 with the
//! `Worker` resources; jax `Worker` → `worker`; batchjob → jobset). Edits are made on the
//! text at the parser's positions, so every comment and the order of everything not
//! rewritten stay as they were.
//!
//! The promise `--write` relies on: a migration refuses, or its result parses and migrating
//! it again changes nothing. The rules keep it (the `migrate` fuzz target and the property
//! tests check [`migrate_unchecked`]); [`migrate`] also checks each result, so a layout the
//! rules did not foresee is refused rather than printed or written broken.

use saphyr::{LoadableYamlNode, MarkedYaml, Scalar, YamlData};
use serde::Serialize;

use super::MODELINE;
use super::yaml::{as_str as str_of, describe, get};

/// The migrated text and what was done.
#[derive(Debug, Default)]
pub struct Migration {
    pub text: String,
    /// One line per change, for the user.
    pub changes: Vec<String>,
    /// Things the user should look at (e.g. resources that differed and were dropped).
    pub warnings: Vec<String>,
}

/// Why a file cannot be migrated automatically, and what to do instead.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Refusal {
    pub message: String,
    /// The fix, for the `help:` line.
    pub help: String,
}

/// What to do when the refusal itself says what is wrong and how it must look.
const BY_HAND: &str = "edit the file by hand (see `aichor manifest validate`)";

impl From<String> for Refusal {
    fn from(message: String) -> Refusal {
        Refusal {
            message,
            help: BY_HAND.into(),
        }
    }
}

impl From<&str> for Refusal {
    fn from(message: &str) -> Refusal {
        Refusal::from(message.to_string())
    }
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

/// One text replacement, in byte offsets.
struct Edit {
    start: usize,
    end: usize,
    with: String,
}

/// Why an entry cannot be edited in place: said when a layout is outside what the rules
/// rewrite (they refuse rather than guess).
const UNUSUAL: &str = "is written in a layout migrate does not rewrite (a complex key, an anchor, a tag or a value on the key's line): write it as `Key:` with its fields on the lines below, then migrate";

/// The text being migrated, with the position conversions the edits need, and what has
/// been decided so far.
struct Migrator<'t> {
    text: &'t str,
    /// Character index → byte offset (the parser's markers count characters).
    offsets: Vec<usize>,
    /// Byte offset of the start of each line (line 1 first).
    line_starts: Vec<usize>,
    edits: Vec<Edit>,
    out: Migration,
}

impl<'t> Migrator<'t> {
    fn new(text: &'t str) -> Migrator<'t> {
        Migrator {
            text,
            offsets: text
                .char_indices()
                .map(|(b, _)| b)
                .chain(std::iter::once(text.len()))
                .collect(),
            line_starts: std::iter::once(0)
                .chain(text.match_indices('\n').map(|(i, _)| i + 1))
                .collect(),
            edits: Vec::new(),
            out: Migration::default(),
        }
    }

    fn byte(&self, char_index: usize) -> usize {
        self.offsets[char_index.min(self.offsets.len() - 1)]
    }

    fn line_start(&self, line: usize) -> usize {
        self.line_starts
            .get(line - 1)
            .copied()
            .unwrap_or(self.text.len())
    }

    /// The text of line `line` (1-based), without its `\n`.
    fn line_text(&self, line: usize) -> &'t str {
        let start = self.line_start(line);
        let end = self
            .line_starts
            .get(line)
            .map_or(self.text.len(), |next| next - 1);
        &self.text[start..end.max(start)]
    }

    /// Replace a whole node (a key or a scalar) with `with`.
    fn replace(&mut self, node: &MarkedYaml, with: &str) {
        self.edits.push(Edit {
            start: self.byte(node.span.start.index()),
            end: self.byte(node.span.end.index()),
            with: with.into(),
        });
    }

    /// Insert `content` as a line of its own after line `line`. After the last line of a
    /// file without a final newline, the newline comes first: the line must not be glued to
    /// the one before.
    fn insert_line_after(&mut self, line: usize, content: &str) {
        let at = self.line_start(line + 1);
        let newline =
            if at == self.text.len() && !self.text.is_empty() && !self.text.ends_with('\n') {
                "\n"
            } else {
                ""
            };
        self.edits.push(Edit {
            start: at,
            end: at,
            with: format!("{newline}{content}\n"),
        });
    }

    fn change(&mut self, what: impl Into<String>) {
        self.out.changes.push(what.into());
    }

    /// A key of a block mapping that stands alone at the start of its line (after spaces),
    /// followed by `:`: what follows the colon on that line, comment removed. `None` for any
    /// other layout (`? Key`, `- Key:`, a key the rules did not expect).
    fn after_colon(&self, key: &MarkedYaml) -> Option<&'t str> {
        let line = key.span.start.line();
        let start = self.line_start(line);
        let key_start = self.byte(key.span.start.index());
        let key_end = self.byte(key.span.end.index());
        if key_start < start || !self.text[start..key_start].bytes().all(|b| b == b' ') {
            return None;
        }
        let line_end = start + self.line_text(line).len();
        if key_end > line_end {
            return None;
        }
        let rest = self.text[key_end..line_end]
            .trim_start_matches(' ')
            .strip_prefix(':')?;
        let rest = if rest.starts_with(|c: char| c != ' ' && c != '\t') {
            // `Key:value` is not a key followed by a value.
            return None;
        } else {
            rest.trim()
        };
        let without_comment = if rest.starts_with('#') {
            ""
        } else {
            rest.split(" #")
                .next()
                .unwrap_or_default()
                .split("\t#")
                .next()
                .unwrap_or_default()
                .trim()
        };
        Some(without_comment)
    }

    /// The last line of a block mapping entry whose key starts line `key_line` at column
    /// `col`: the last line after it indented deeper than the key, before the first line
    /// of content at the key's column or less. Blank and comment lines at the key's column
    /// or less that follow the entry are not part of it (they usually describe what comes
    /// next). A flow value ends where its closing bracket is.
    fn entry_last_line(&self, key_line: usize, col: usize, value: &MarkedYaml) -> usize {
        let mut last = key_line;
        for line in key_line + 1..=self.line_starts.len() {
            let text = self.line_text(line);
            let content = text.trim_start_matches(' ');
            let indent = text.len() - content.len();
            if content.trim().is_empty() {
                continue;
            }
            if indent > col {
                last = line;
            } else if !content.starts_with('#') {
                break;
            }
        }
        if self.is_flow(value) {
            last = last.max(value.span.end.line());
        }
        last
    }

    /// Whether a collection is written in flow style (`{...}`, `[...]`).
    fn is_flow(&self, node: &MarkedYaml) -> bool {
        matches!(node.data, YamlData::Mapping(_) | YamlData::Sequence(_))
            && self.text[self.byte(node.span.start.index())..].starts_with(['{', '['])
    }

    /// batchjob → jobset, its `Worker` type → `worker`.
    fn batchjob(
        &mut self,
        operator: &MarkedYaml,
        types: Option<&MarkedYaml>,
    ) -> Result<(), String> {
        refuse_aliases(self.text)?;
        self.replace(operator, "jobset");
        self.change("spec.operator: batchjob → jobset (JOB_COMPLETION_INDEX is still injected)");
        self.rename_worker(types)
    }

    /// `Worker` → `worker` (jax, batchjob).
    fn rename_worker(&mut self, types: Option<&MarkedYaml>) -> Result<(), String> {
        if let Some((k, _)) = type_entry(types, "Worker") {
            refuse_duplicate(types)?;
            refuse_aliases(self.text)?;
            self.replace(k, "worker");
            self.change("spec.types: `Worker` → `worker`");
        }
        Ok(())
    }

    /// pytorch/xgboost: `Master` + `Worker` → one `worker`; a lone one is renamed.
    fn master_worker(&mut self, types: Option<&MarkedYaml>) -> Result<(), String> {
        let (master, worker) = (type_entry(types, "Master"), type_entry(types, "Worker"));
        if master.is_none() && worker.is_none() {
            return Ok(());
        }
        if let Some(t) = types
            && self.is_flow(t)
        {
            return Err(
                "`spec.types` is written in flow style (`{...}`): rewrite it in block style, one key per line, then migrate"
                    .into(),
            );
        }
        refuse_duplicate(types)?;
        refuse_aliases(self.text)?;
        match (master, worker) {
            (Some(m), Some(w)) => self.merge_master(m, w)?,
            (Some((mk, _)), None) => {
                self.replace(mk, "worker");
                self.change("spec.types: `Master` → `worker`");
            }
            (None, Some((wk, _))) => {
                self.replace(wk, "worker");
                self.change("spec.types: `Worker` → `worker`");
            }
            (None, None) => {}
        }
        Ok(())
    }

    /// Drop the `Master` entry and give `worker` (the renamed `Worker`) both counts.
    fn merge_master(
        &mut self,
        (mk, mv): (&MarkedYaml, &MarkedYaml),
        (wk, wv): (&MarkedYaml, &MarkedYaml),
    ) -> Result<(), String> {
        for (name, value) in [("Master", mv), ("Worker", wv)] {
            if !matches!(
                value.data,
                YamlData::Mapping(_) | YamlData::Value(Scalar::Null)
            ) {
                return Err(format!(
                    "`spec.types.{name}` is {}, not a mapping: give it `count` and `resources` on the lines below it, then migrate",
                    describe(value)
                ));
            }
        }
        let (mc, wc) = (count_of("Master", mv)?, count_of("Worker", wv)?);
        let total = mc.checked_add(wc).ok_or_else(|| {
            format!("the counts of `Master` ({mc}) and `Worker` ({wc}) add up to more than a whole number holds: fix them, then migrate")
        })?;
        if plain(get(mv, "resources")) != plain(get(wv, "resources")) {
            self.out.warnings.push(format!(
                "`Master` and `Worker` had different resources; `worker` keeps the `Worker` block for all {total} containers (check it fits the coordinator)"
            ));
        }
        // The Master entry: from its key's line to the last line of its value.
        if self.after_colon(mk).is_none() {
            return Err(format!("`spec.types.Master` {UNUSUAL}"));
        }
        let last = self.entry_last_line(mk.span.start.line(), mk.span.start.col(), mv);
        self.edits.push(Edit {
            start: self.line_start(mk.span.start.line()),
            end: self.line_start(last + 1),
            with: String::new(),
        });
        // The Worker entry becomes `worker` with the total count.
        let unusual = || format!("`spec.types.Worker` {UNUSUAL}");
        let rest = self.after_colon(wk).ok_or_else(unusual)?;
        let line = wk.span.start.line();
        match &wv.data {
            YamlData::Mapping(map)
                if rest.is_empty() || (rest.starts_with('{') && self.is_flow(wv)) =>
            {
                if let Some(c) = get(wv, "count") {
                    self.replace(c, &total.to_string());
                } else if self.is_flow(wv) {
                    let at = self.byte(wv.span.start.index()) + 1;
                    let sep = if map.is_empty() { "" } else { ", " };
                    self.edits.push(Edit {
                        start: at,
                        end: at,
                        with: format!("count: {total}{sep}"),
                    });
                } else {
                    let indent = map
                        .iter()
                        .next()
                        .map_or(wk.span.start.col() + 2, |(k, _)| k.span.start.col());
                    self.insert_line_after(line, &format!("{}count: {total}", " ".repeat(indent)));
                }
            }
            YamlData::Value(Scalar::Null)
                if matches!(rest, "" | "~" | "null" | "Null" | "NULL") =>
            {
                if !rest.is_empty() {
                    // `Worker: ~`: the null goes, the count comes below.
                    if wv.span.start.line() != line {
                        return Err(unusual());
                    }
                    self.replace(wv, "");
                }
                let indent = wk.span.start.col() + 2;
                self.insert_line_after(line, &format!("{}count: {total}", " ".repeat(indent)));
            }
            _ => return Err(unusual()),
        }
        self.replace(wk, "worker");
        self.change(format!(
            "spec.types: `Master` (count {mc}) + `Worker` (count {wc}) → `worker` (count {total})"
        ));
        Ok(())
    }

    /// The schema modeline: replace an older URL, or add it.
    fn modeline(&mut self) {
        let first_line_end = self.text.find('\n').unwrap_or(self.text.len());
        let first_line = &self.text[..first_line_end];
        if first_line.starts_with("# yaml-language-server:") {
            if first_line != MODELINE {
                self.edits.push(Edit {
                    start: 0,
                    end: first_line_end,
                    with: MODELINE.into(),
                });
                self.change("schema modeline: updated to the current URL");
            }
        } else {
            self.edits.push(Edit {
                start: 0,
                end: 0,
                with: format!("{MODELINE}\n\n"),
            });
            self.change("schema modeline: added");
        }
    }

    /// Apply the edits, last first so earlier offsets stay valid (at one position, the
    /// longer edit first, so an insertion lands before what follows a deletion). Edits that
    /// overlap or fall outside the text mean the file has a shape the rules did not foresee:
    /// refuse rather than guess.
    fn finish(mut self) -> Result<Migration, String> {
        self.edits
            .sort_by_key(|e| (std::cmp::Reverse(e.start), std::cmp::Reverse(e.end)));
        let mut text = self.text.to_string();
        let mut limit = text.len();
        for e in self.edits {
            let fits = e.start <= e.end
                && e.end <= limit
                && text.is_char_boundary(e.start)
                && text.is_char_boundary(e.end);
            if !fits {
                return Err(
                    "the edits this file needs overlap (an unusual layout): edit it by hand".into(),
                );
            }
            text.replace_range(e.start..e.end, &e.with);
            limit = e.start;
        }
        self.out.text = text;
        Ok(self.out)
    }
}

/// Migrate `text`; `Err` explains why it cannot be done automatically. A byte-order mark
/// and the file's line endings (`\n`, `\r\n` or `\r`) are kept; the rules work on the text
/// with `\n` endings and no mark, so every position they use means one thing.
///
/// The result is checked before it is returned: it parses, and migrating it again changes
/// nothing. A result that fails either check is refused (a layout the rules did not
/// foresee), never returned broken.
pub fn migrate(text: &str) -> Result<Migration, Refusal> {
    let m = migrate_unchecked(text)?;
    let unforeseen = |what: &str| {
        Refusal {
        message: format!(
            "the migration would leave {what}: this layout is one the rules did not foresee"
        ),
        help: "edit the file by hand (see `aichor manifest validate`), and please report it, with the file, as a bug in aichor".into(),
    }
    };
    let (before, after) = (lf_without_bom(text), lf_without_bom(&m.text));
    let Some(after_docs) = load_bounded(&after) else {
        return Err(unforeseen("text that is not valid YAML"));
    };
    // The input loaded, or `migrate_unchecked` would have refused it.
    let before_docs = load_bounded(&before).unwrap_or_default();
    if before_docs.first().map(kept) != after_docs.first().map(kept) {
        return Err(unforeseen("a value outside `spec.types` changed"));
    }
    match migrate_unchecked(&m.text) {
        Ok(again) if again.text == m.text => Ok(m),
        _ => Err(unforeseen(
            "a file that a second migration would change again",
        )),
    }
}

/// `text` with `\n` line endings and no byte-order mark.
fn lf_without_bom(text: &str) -> String {
    text.trim_start_matches('\u{feff}')
        .replace("\r\n", "\n")
        .replace('\r', "\n")
}

/// The one document of `text`, within the loader's bounds.
fn load_bounded(text: &str) -> Option<Vec<MarkedYaml<'_>>> {
    super::yaml::check_bounds(text).ok()?;
    MarkedYaml::load_from_str(text)
        .ok()
        .filter(|docs| docs.len() == 1)
}

/// A manifest's data without what a migration rewrites (`spec.operator` and the legacy and
/// current worker entries of `spec.types`): what must come out of it unchanged.
fn kept(root: &MarkedYaml) -> serde_json::Value {
    let mut data = plain(Some(root));
    if let Some(spec) = data.get_mut("spec").and_then(|s| s.as_object_mut()) {
        spec.remove("operator");
        if let Some(types) = spec.get_mut("types").and_then(|t| t.as_object_mut()) {
            for name in ["Master", "Worker", "worker"] {
                types.remove(name);
            }
        }
    }
    data
}

/// `migrate` without the final check of its result: the rules alone, for the fuzz target
/// and the property tests, which check that the rules keep the promise themselves.
#[doc(hidden)]
pub fn migrate_unchecked(text: &str) -> Result<Migration, Refusal> {
    let (bom, body) = match text.strip_prefix('\u{feff}') {
        Some(rest) => ("\u{feff}", rest),
        None => ("", text),
    };
    let eol = line_ending(body)?;
    let mut m = if eol == "\n" {
        migrate_lf(body)?
    } else {
        migrate_lf(&body.replace(eol, "\n"))?
    };
    if eol != "\n" {
        m.text = m.text.replace('\n', eol);
    }
    m.text.insert_str(0, bom);
    Ok(m)
}

/// The file's one line ending; a mix is refused (rewriting it would change every line).
fn line_ending(text: &str) -> Result<&'static str, String> {
    let crlf = text.matches("\r\n").count();
    let cr = text.matches('\r').count() - crlf;
    let lf = text.matches('\n').count() - crlf;
    match (crlf > 0, cr > 0, lf > 0) {
        (false, false, _) => Ok("\n"),
        (true, false, false) => Ok("\r\n"),
        (false, true, false) => Ok("\r"),
        _ => Err(format!(
            "mixed line endings ({lf} LF, {crlf} CRLF, {cr} CR): make them one kind first"
        )),
    }
}

/// `migrate` on text with `\n` line endings and no byte-order mark.
fn migrate_lf(text: &str) -> Result<Migration, Refusal> {
    super::yaml::check_bounds(text)
        .map_err(|t| Refusal::from(format!("{} at {}:{}", t.message, t.line, t.column)))?;
    let docs = MarkedYaml::load_from_str(text).map_err(|e| {
        Refusal::from(format!(
            "not valid YAML at {}:{}: {}",
            e.marker().line(),
            e.marker().col() + 1,
            e.info()
        ))
    })?;
    let [root] = docs.as_slice() else {
        return Err("expected exactly one YAML document".into());
    };
    let spec = get(root, "spec").ok_or("no `spec`")?;
    let operator_node = get(spec, "operator").ok_or("no `spec.operator`")?;
    let operator = str_of(operator_node).ok_or("`spec.operator` is not a string")?;
    let types = get(spec, "types");
    let mut m = Migrator::new(text);
    if let Some((message, help)) = super::model::unchecked_operator(operator) {
        return Err(Refusal {
            message: message.into(),
            help: help.into(),
        });
    }
    match operator {
        "batchjob" => m.batchjob(operator_node, types)?,
        "jax" => m.rename_worker(types)?,
        "pytorch" | "xgboost" => m.master_worker(types)?,
        _ => {}
    }
    m.modeline();
    Ok(m.finish()?)
}

/// A `types` that already has today's `worker` next to a legacy key: renaming would make
/// two `worker` keys, and which one the user meant is theirs to say.
fn refuse_duplicate(types: Option<&MarkedYaml>) -> Result<(), String> {
    if type_entry(types, "worker").is_some() {
        return Err(
            "`spec.types` has both `worker` and a legacy `Master`/`Worker`: keep one, then migrate"
                .into(),
        );
    }
    Ok(())
}

/// Aliases make the loader copy nodes with their anchor's positions: an edit there would
/// change the anchor (and every other alias of it) instead.
fn refuse_aliases(text: &str) -> Result<(), String> {
    if super::yaml::uses_aliases(text) {
        return Err(
            "the file uses YAML aliases (`*name`), which migrate does not rewrite: write the aliased values out in full, then migrate"
                .into(),
        );
    }
    Ok(())
}

/// The count of a legacy `Master`/`Worker` entry: 1 when not given.
fn count_of(name: &str, value: &MarkedYaml) -> Result<i64, String> {
    match get(value, "count") {
        None => Ok(1),
        Some(c) => match c.data {
            YamlData::Value(Scalar::Integer(i)) if i >= 0 => Ok(i),
            _ => Err(format!(
                "`spec.types.{name}.count` is {}, not a whole number ≥ 0: fix it, then migrate",
                if matches!(c.data, YamlData::Value(Scalar::Integer(_))) {
                    "negative"
                } else {
                    describe(c)
                }
            )),
        },
    }
}

/// The entry (key, value) `name` of the `types` mapping, if present.
fn type_entry<'a>(
    types: Option<&'a MarkedYaml<'a>>,
    name: &str,
) -> Option<(&'a MarkedYaml<'a>, &'a MarkedYaml<'a>)> {
    match &types?.data {
        YamlData::Mapping(map) => map.iter().find(|(k, _)| str_of(k) == Some(name)),
        _ => None,
    }
}

/// A node without positions, for comparing two blocks' data.
fn plain(node: Option<&MarkedYaml>) -> serde_json::Value {
    use serde_json::Value;
    let Some(node) = node else { return Value::Null };
    match &node.data {
        YamlData::Value(Scalar::Boolean(b)) => Value::Bool(*b),
        YamlData::Value(Scalar::Integer(i)) => Value::from(*i),
        YamlData::Value(Scalar::FloatingPoint(f)) => Value::from(f.into_inner()),
        YamlData::Value(Scalar::String(s)) => Value::String(s.to_string()),
        YamlData::Sequence(items) => Value::Array(items.iter().map(|i| plain(Some(i))).collect()),
        YamlData::Mapping(map) => Value::Object(
            map.iter()
                .map(|(k, v)| (str_of(k).unwrap_or_default().to_string(), plain(Some(v))))
                .collect(),
        ),
        _ => Value::Null,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LEGACY: &str = "builder:\n  image: img\n  dockerfile: ./Dockerfile\nspec:\n  operator: pytorch\n  image: img\n  command: python -m x\n  types:\n    Master:\n      count: 1\n      resources:\n        cpus: 2\n        ramRatio: 2\n    Worker:\n      count: 2\n      resources:\n        cpus: 2\n        ramRatio: 2\n";

    fn migrated(text: &str) -> String {
        migrate(text).unwrap().text
    }

    #[test]
    fn merges_master_into_worker() {
        let out = migrated(LEGACY);
        assert!(out.starts_with(&format!("{MODELINE}\n\n")), "{out}");
        assert!(!out.contains("Master"), "{out}");
        assert!(out.contains("    worker:\n      count: 3\n"), "{out}");
    }

    #[test]
    fn line_endings_and_the_byte_order_mark_are_kept() {
        let lf = migrated(LEGACY);
        for eol in ["\r\n", "\r"] {
            let text = LEGACY.replace('\n', eol);
            assert_eq!(migrated(&text), lf.replace('\n', eol), "{eol:?}");
        }
        let with_bom = format!("\u{feff}{LEGACY}");
        assert_eq!(migrated(&with_bom), format!("\u{feff}{lf}"));
        // A BOM before an existing modeline: the modeline is found, not added twice.
        let current = format!("\u{feff}{lf}");
        assert_eq!(migrated(&current), current);
    }

    #[test]
    fn mixed_endings_and_flow_style_are_refused() {
        let mixed = LEGACY.replacen('\n', "\r\n", 2);
        assert!(
            migrate(&mixed)
                .unwrap_err()
                .message
                .contains("mixed line endings")
        );
        let flow = "spec:\n  operator: xgboost\n  types: {Master: {count: 1, resources: {ramRatio: 2}}, Worker: {count: 2, resources: {ramRatio: 2}}}\n";
        assert!(migrate(flow).unwrap_err().message.contains("flow style"));
    }

    /// Found by the `migrate` fuzz target: renaming `Worker` next to an existing `worker`
    /// made a duplicate key.
    #[test]
    fn a_worker_next_to_a_legacy_key_is_refused() {
        let both = LEGACY.replace("    Master:", "    worker:");
        assert!(
            migrate(&both)
                .unwrap_err()
                .message
                .contains("both `worker`")
        );
        let jax = "spec:\n  operator: jax\n  types:\n    worker: {}\n    Worker: {}\n";
        assert!(migrate(jax).unwrap_err().message.contains("both `worker`"));
    }

    #[test]
    fn deep_input_is_refused_not_a_stack_overflow() {
        let deep = format!("{}1\n", "- ".repeat(20_000));
        assert!(migrate(&deep).unwrap_err().message.contains("too complex"));
    }
}
