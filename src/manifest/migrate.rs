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

/// Migrate `text`; `Err` explains why it cannot be done automatically.
pub fn migrate(text: &str) -> Result<Migration, String> {
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
    // Character index → byte offset (markers count characters).
    let offsets: Vec<usize> = text
        .char_indices()
        .map(|(b, _)| b)
        .chain(std::iter::once(text.len()))
        .collect();
    let byte = |node_index: usize| offsets[node_index.min(offsets.len() - 1)];
    let line_starts: Vec<usize> = std::iter::once(0)
        .chain(text.match_indices('\n').map(|(i, _)| i + 1))
        .collect();
    let line_start = |line: usize| line_starts.get(line - 1).copied().unwrap_or(text.len());

    let mut m = Migration::default();
    let mut edits = Vec::new();
    let spec = get(root, "spec").ok_or("no `spec`")?;
    let operator_node = get(spec, "operator").ok_or("no `spec.operator`")?;
    let operator = str_of(operator_node)
        .ok_or("`spec.operator` is not a string")?
        .to_string();
    let types = get(spec, "types");
    let key_of = |name: &str| -> Option<&MarkedYaml> {
        match &types?.data {
            YamlData::Mapping(map) => map
                .iter()
                .find(|(k, _)| str_of(k) == Some(name))
                .map(|(k, _)| k),
            _ => None,
        }
    };
    let rename = |edits: &mut Vec<Edit>, key: &MarkedYaml, to: &str| {
        edits.push(Edit {
            start: byte(key.span.start.index()),
            end: byte(key.span.end.index()),
            with: to.into(),
        });
    };

    match operator.as_str() {
        "tf" => {
            return Err(
                "the `tf` operator was removed in 0.2.3 and has no automatic migration: \
                port the job to `jobset` (TF_CONFIG is not injected there)"
                    .into(),
            );
        }
        "batchjob" => {
            edits.push(Edit {
                start: byte(operator_node.span.start.index()),
                end: byte(operator_node.span.end.index()),
                with: "jobset".into(),
            });
            m.changes.push(
                "spec.operator: batchjob → jobset (JOB_COMPLETION_INDEX is still injected)".into(),
            );
            if let Some(k) = key_of("Worker") {
                rename(&mut edits, k, "worker");
                m.changes.push("spec.types: `Worker` → `worker`".into());
            }
        }
        "jax" => {
            if let Some(k) = key_of("Worker") {
                rename(&mut edits, k, "worker");
                m.changes.push("spec.types: `Worker` → `worker`".into());
            }
        }
        "pytorch" | "xgboost" => {
            let master = key_of("Master");
            let worker = key_of("Worker");
            let value = |name: &str| types.and_then(|t| get(t, name));
            let count = |name: &str| {
                value(name)
                    .and_then(|v| get(v, "count"))
                    .and_then(|c| match c.data {
                        YamlData::Value(Scalar::Integer(i)) => Some(i),
                        _ => None,
                    })
            };
            match (master, worker) {
                (Some(mk), Some(wk)) => {
                    let (mc, wc) = (count("Master").unwrap_or(1), count("Worker").unwrap_or(1));
                    let total = mc + wc;
                    let mv = value("Master").ok_or("`Master` has no value")?;
                    let wv = value("Worker").ok_or("`Worker` has no value")?;
                    if plain(get(mv, "resources")) != plain(get(wv, "resources")) {
                        m.warnings.push(format!(
                            "`Master` and `Worker` had different resources; `worker` keeps the `Worker` block for all {total} containers (check it fits the coordinator)"
                        ));
                    }
                    // Drop the Master entry: its key line through the last line of its value.
                    let first = mk.span.start.line();
                    // The entry ends before the next key of `types` (block spans can reach
                    // into it), or with its value when it is the last one.
                    let next_key_line = match &types.map(|t| &t.data) {
                        Some(YamlData::Mapping(map)) => map
                            .iter()
                            .map(|(k, _)| k.span.start)
                            .filter(|s| s.index() > mk.span.start.index())
                            .map(|s| s.line())
                            .min(),
                        _ => None,
                    };
                    let last = last_line(text, mv, next_key_line);
                    edits.push(Edit {
                        start: line_start(first),
                        end: line_start(last + 1),
                        with: String::new(),
                    });
                    rename(&mut edits, wk, "worker");
                    if let Some(c) = get(wv, "count") { edits.push(Edit {
                        start: byte(c.span.start.index()),
                        end: byte(c.span.end.index()),
                        with: total.to_string(),
                    }) } else {
                        let indent = match &wv.data {
                            YamlData::Mapping(map) => {
                                map.iter().next().map_or(6, |(k, _)| k.span.start.col())
                            }
                            _ => 6,
                        };
                        let at = line_start(wk.span.start.line() + 1);
                        edits.push(Edit {
                            start: at,
                            end: at,
                            with: format!("{}count: {total}\n", " ".repeat(indent)),
                        });
                    }
                    m.changes.push(format!("spec.types: `Master` (count {mc}) + `Worker` (count {wc}) → `worker` (count {total})"));
                }
                (Some(mk), None) => {
                    rename(&mut edits, mk, "worker");
                    m.changes.push("spec.types: `Master` → `worker`".into());
                }
                (None, Some(wk)) => {
                    rename(&mut edits, wk, "worker");
                    m.changes.push("spec.types: `Worker` → `worker`".into());
                }
                (None, None) => {}
            }
        }
        _ => {}
    }

    // The schema modeline: replace an older URL, or add it.
    let first_line_end = text.find('\n').unwrap_or(text.len());
    let first_line = &text[..first_line_end];
    if first_line.starts_with("# yaml-language-server:") {
        if first_line != MODELINE {
            edits.push(Edit {
                start: 0,
                end: first_line_end,
                with: MODELINE.into(),
            });
            m.changes
                .push("schema modeline: updated to the current URL".into());
        }
    } else {
        edits.push(Edit {
            start: 0,
            end: 0,
            with: format!("{MODELINE}\n\n"),
        });
        m.changes.push("schema modeline: added".into());
    }

    edits.sort_by_key(|e| std::cmp::Reverse(e.start));
    let mut out = text.to_string();
    for e in edits {
        out.replace_range(e.start..e.end, &e.with);
    }
    m.text = out;
    Ok(m)
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
