//! `aichor manifest migrate`: rewrite pre-0.2.3 shapes the way the platform's maintainers did
//! (pytorch/xgboost `Master` count 1 + `Worker` count N → `worker` count N+1 with the
//! `Worker` resources; jax `Worker` → `worker`; batchjob → jobset). Edits are made on the
//! text at the parser's positions, so every comment and the order of everything not
//! rewritten stay as they were.

use saphyr::{LoadableYamlNode, MarkedYaml, Scalar, YamlData};

use super::MODELINE;
use super::yaml::{as_str as str_of, get};

/// The migrated text and what was done.
#[derive(Debug, Default)]
pub struct Migration {
    pub text: String,
    /// One line per change, for the user.
    pub changes: Vec<String>,
    /// Things the user should look at (e.g. resources that differed and were dropped).
    pub warnings: Vec<String>,
}

/// One text replacement, in byte offsets.
struct Edit {
    start: usize,
    end: usize,
    with: String,
}

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

    /// Replace a whole node (a key or a scalar) with `with`.
    fn replace(&mut self, node: &MarkedYaml, with: &str) {
        self.edits.push(Edit {
            start: self.byte(node.span.start.index()),
            end: self.byte(node.span.end.index()),
            with: with.into(),
        });
    }

    fn change(&mut self, what: impl Into<String>) {
        self.out.changes.push(what.into());
    }

    /// batchjob → jobset, its `Worker` type → `worker`.
    fn batchjob(
        &mut self,
        operator: &MarkedYaml,
        types: Option<&MarkedYaml>,
    ) -> Result<(), String> {
        self.replace(operator, "jobset");
        self.change("spec.operator: batchjob → jobset (JOB_COMPLETION_INDEX is still injected)");
        self.rename_worker(types)
    }

    /// `Worker` → `worker` (jax, batchjob).
    fn rename_worker(&mut self, types: Option<&MarkedYaml>) -> Result<(), String> {
        if let Some(k) = type_key(types, "Worker") {
            refuse_duplicate(types)?;
            self.replace(k, "worker");
            self.change("spec.types: `Worker` → `worker`");
        }
        Ok(())
    }

    /// pytorch/xgboost: `Master` + `Worker` → one `worker`; a lone one is renamed.
    fn master_worker(&mut self, types: Option<&MarkedYaml>) -> Result<(), String> {
        let (master, worker) = (type_key(types, "Master"), type_key(types, "Worker"));
        if let Some(t) = types
            && (master.is_some() || worker.is_some())
            && self.text[self.byte(t.span.start.index())..].starts_with(['{', '['])
        {
            return Err(
                "`spec.types` is written in flow style (`{...}`): rewrite it in block style, one key per line, then migrate"
                    .into(),
            );
        }
        if master.is_some() || worker.is_some() {
            refuse_duplicate(types)?;
        }
        match (master, worker) {
            (Some(mk), Some(wk)) => self.merge_master(types, mk, wk)?,
            (Some(mk), None) => {
                self.replace(mk, "worker");
                self.change("spec.types: `Master` → `worker`");
            }
            (None, Some(wk)) => {
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
        types: Option<&MarkedYaml>,
        mk: &MarkedYaml,
        wk: &MarkedYaml,
    ) -> Result<(), String> {
        let value = |name: &str| types.and_then(|t| get(t, name));
        let count = |name: &str| {
            value(name)
                .and_then(|v| get(v, "count"))
                .and_then(|c| match c.data {
                    YamlData::Value(Scalar::Integer(i)) => Some(i),
                    _ => None,
                })
        };
        let (mc, wc) = (count("Master").unwrap_or(1), count("Worker").unwrap_or(1));
        let total = mc + wc;
        let mv = value("Master").ok_or("`Master` has no value")?;
        let wv = value("Worker").ok_or("`Worker` has no value")?;
        if plain(get(mv, "resources")) != plain(get(wv, "resources")) {
            self.out.warnings.push(format!(
                "`Master` and `Worker` had different resources; `worker` keeps the `Worker` block for all {total} containers (check it fits the coordinator)"
            ));
        }
        // The Master entry runs from its key's line to the last line of its value: before the
        // next key of `types` (block spans can reach into it), or where its value ends.
        let next_key_line = match types.map(|t| &t.data) {
            Some(YamlData::Mapping(map)) => map
                .iter()
                .map(|(k, _)| k.span.start)
                .filter(|s| s.index() > mk.span.start.index())
                .map(|s| s.line())
                .min(),
            _ => None,
        };
        let last = last_line(self.text, mv, next_key_line);
        self.edits.push(Edit {
            start: self.line_start(mk.span.start.line()),
            end: self.line_start(last + 1),
            with: String::new(),
        });
        self.replace(wk, "worker");
        if let Some(c) = get(wv, "count") {
            self.replace(c, &total.to_string());
        } else {
            let indent = match &wv.data {
                YamlData::Mapping(map) => map.iter().next().map_or(6, |(k, _)| k.span.start.col()),
                _ => 6,
            };
            let at = self.line_start(wk.span.start.line() + 1);
            self.edits.push(Edit {
                start: at,
                end: at,
                with: format!("{}count: {total}\n", " ".repeat(indent)),
            });
        }
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

    /// Apply the edits, last first so earlier offsets stay valid. Edits that overlap or fall
    /// outside the text mean the file has a shape the rules did not foresee: refuse rather
    /// than guess.
    fn finish(mut self) -> Result<Migration, String> {
        self.edits.sort_by_key(|e| std::cmp::Reverse(e.start));
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
pub fn migrate(text: &str) -> Result<Migration, String> {
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
fn migrate_lf(text: &str) -> Result<Migration, String> {
    super::yaml::check_bounds(text)
        .map_err(|t| format!("{} at {}:{}", t.message, t.line, t.column))?;
    let docs = MarkedYaml::load_from_str(text).map_err(|e| {
        format!(
            "not valid YAML at {}:{}: {}",
            e.marker().line(),
            e.marker().col() + 1,
            e.info()
        )
    })?;
    let [root] = docs.as_slice() else {
        return Err("expected exactly one YAML document".into());
    };
    let spec = get(root, "spec").ok_or("no `spec`")?;
    let operator_node = get(spec, "operator").ok_or("no `spec.operator`")?;
    let operator = str_of(operator_node).ok_or("`spec.operator` is not a string")?;
    let types = get(spec, "types");
    let mut m = Migrator::new(text);
    match operator {
        "tf" => {
            return Err(
                "the `tf` operator was removed in 0.2.3 and has no automatic migration: \
                port the job to `jobset` (TF_CONFIG is not injected there)"
                    .into(),
            );
        }
        "batchjob" => m.batchjob(operator_node, types)?,
        "jax" => m.rename_worker(types)?,
        "pytorch" | "xgboost" => m.master_worker(types)?,
        _ => {}
    }
    m.modeline();
    m.finish()
}

/// A `types` that already has today's `worker` next to a legacy key: renaming would make
/// two `worker` keys, and which one the user meant is theirs to say.
fn refuse_duplicate(types: Option<&MarkedYaml>) -> Result<(), String> {
    if type_key(types, "worker").is_some() {
        return Err(
            "`spec.types` has both `worker` and a legacy `Master`/`Worker`: keep one, then migrate"
                .into(),
        );
    }
    Ok(())
}

/// The key `name` of the `types` mapping, if present.
fn type_key<'a>(types: Option<&'a MarkedYaml<'a>>, name: &str) -> Option<&'a MarkedYaml<'a>> {
    match &types?.data {
        YamlData::Mapping(map) => map
            .iter()
            .find(|(k, _)| str_of(k) == Some(name))
            .map(|(k, _)| k),
        _ => None,
    }
}

/// The last line holding content of a block value: before `next_key_line` when there is a
/// following key, else where its span ends; trailing blank and comment lines are kept.
fn last_line(text: &str, node: &MarkedYaml, next_key_line: Option<usize>) -> usize {
    let end = node.span.end;
    let mut line = match next_key_line {
        Some(next) => next - 1,
        None if end.col() == 0 => end.line().saturating_sub(1),
        None => end.line(),
    };
    // Step back over blank and comment-only lines that follow the value.
    let lines: Vec<&str> = text.lines().collect();
    while line > node.span.start.line() {
        match lines.get(line - 1).map(|l| l.trim()) {
            Some(l) if l.is_empty() || l.starts_with('#') => line -= 1,
            _ => break,
        }
    }
    line
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
        assert!(migrate(&mixed).unwrap_err().contains("mixed line endings"));
        let flow = "spec:\n  operator: xgboost\n  types: {Master: {count: 1, resources: {ramRatio: 2}}, Worker: {count: 2, resources: {ramRatio: 2}}}\n";
        assert!(migrate(flow).unwrap_err().contains("flow style"));
    }

    /// Found by the `migrate` fuzz target: renaming `Worker` next to an existing `worker`
    /// made a duplicate key.
    #[test]
    fn a_worker_next_to_a_legacy_key_is_refused() {
        let both = LEGACY.replace("    Master:", "    worker:");
        assert!(migrate(&both).unwrap_err().contains("both `worker`"));
        let jax = "spec:\n  operator: jax\n  types:\n    worker: {}\n    Worker: {}\n";
        assert!(migrate(jax).unwrap_err().contains("both `worker`"));
    }

    #[test]
    fn deep_input_is_refused_not_a_stack_overflow() {
        let deep = format!("{}1\n", "- ".repeat(20_000));
        assert!(migrate(&deep).unwrap_err().contains("too complex"));
    }
}
