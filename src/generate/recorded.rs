//! The `manifests:` section of `.aichor-answers.yaml`: what `manifest new` made, recorded so
//! `local-repo update` can render it again. Per manifest (its path under
//! `aichor_manifests/`, as a commit message names it): the answers given for it over the
//! project's (`--profile`, `--operator`, `--workers`, `--set`) and the flags that replaced
//! the pack's (`--command`, `--dockerfile`). `init --answers` ignores the section.

use std::collections::BTreeMap;

use serde::Serialize;

/// The top-level key of the section.
pub const KEY: &str = "manifests";

/// One manifest `manifest new` made.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct RecordedManifest {
    /// The answers given for it, as typed, over the project's.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub answers: BTreeMap<String, String>,
    /// `--command`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub command: Option<String>,
    /// `--dockerfile`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dockerfile: Option<String>,
}

/// Every recorded manifest, by its path under `aichor_manifests/`.
pub type RecordedManifests = BTreeMap<String, RecordedManifest>;

/// The section of a record's parsed YAML (none: empty); a malformed one is an `Err` saying
/// what is wrong.
pub fn read(doc: &yaml_serde::Value) -> Result<RecordedManifests, String> {
    let Some(section) = doc.get(KEY) else {
        return Ok(RecordedManifests::new());
    };
    let yaml_serde::Value::Mapping(section) = section else {
        return Err(format!("`{KEY}` is not a mapping"));
    };
    let text = |v: &yaml_serde::Value| match v {
        yaml_serde::Value::String(s) => Some(s.clone()),
        yaml_serde::Value::Number(n) => Some(n.to_string()),
        yaml_serde::Value::Bool(b) => Some(b.to_string()),
        _ => None,
    };
    let mut out = RecordedManifests::new();
    for (selector, entry) in section {
        let Some(selector) = selector.as_str() else {
            return Err(format!("a key of `{KEY}` is not a manifest path"));
        };
        let field = |key: &str| match entry.get(key) {
            None | Some(yaml_serde::Value::Null) => Ok(None),
            Some(v) => text(v)
                .map(Some)
                .ok_or_else(|| format!("`{KEY}.{selector}.{key}` is not a single value")),
        };
        let mut answers = BTreeMap::new();
        match entry.get("answers") {
            None | Some(yaml_serde::Value::Null) => {}
            Some(yaml_serde::Value::Mapping(m)) => {
                for (k, v) in m {
                    let (Some(k), Some(v)) = (k.as_str(), text(v)) else {
                        return Err(format!(
                            "`{KEY}.{selector}.answers` holds something other than `key: value`"
                        ));
                    };
                    answers.insert(k.to_string(), v);
                }
            }
            Some(_) => return Err(format!("`{KEY}.{selector}.answers` is not a mapping")),
        }
        out.insert(
            selector.to_string(),
            RecordedManifest {
                answers,
                command: field("command")?,
                dockerfile: field("dockerfile")?,
            },
        );
    }
    Ok(out)
}

/// `record` (a record's text) with its `manifests:` section replaced by `manifests`, at the
/// end (none: the section removed). The rest of the text stays as it is.
pub fn with_manifests(record: &str, manifests: &RecordedManifests) -> String {
    #[derive(Serialize)]
    struct Section<'a> {
        manifests: &'a RecordedManifests,
    }
    let mut kept = String::new();
    let mut skipping = false;
    for line in record.split_inclusive('\n') {
        let top_level = !line.starts_with([' ', '\t', '\r', '\n']);
        if top_level {
            skipping = line
                .strip_prefix(KEY)
                .is_some_and(|rest| rest.trim_start().starts_with(':'));
        }
        if !skipping {
            kept.push_str(line);
        }
    }
    if manifests.is_empty() {
        return kept;
    }
    if !kept.is_empty() && !kept.ends_with('\n') {
        kept.push('\n');
    }
    // Strings and maps of strings: serialising cannot fail.
    kept.push_str(&yaml_serde::to_string(&Section { manifests }).unwrap_or_default());
    kept
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_section_round_trips_and_replaces_the_old_one() {
        let mut manifests = RecordedManifests::new();
        manifests.insert(
            "gpu.yaml".into(),
            RecordedManifest {
                answers: [("profile".to_string(), "gpu-t4".to_string())].into(),
                ..RecordedManifest::default()
            },
        );
        manifests.insert(
            "eval/run.yaml".into(),
            RecordedManifest {
                answers: [("python".to_string(), "3.10".to_string())].into(),
                command: Some("python -m demo.eval".into()),
                dockerfile: None,
            },
        );
        let record = "# replay\npack: builtin@0.2.0\nanswers:\n  name: demo\n";
        let text = with_manifests(record, &manifests);
        assert!(text.starts_with(record), "{text}");
        let doc: yaml_serde::Value = yaml_serde::from_str(&text).unwrap();
        assert_eq!(read(&doc).unwrap(), manifests);
        // Written again with one more: one section.
        manifests.insert("x.yaml".into(), RecordedManifest::default());
        let again = with_manifests(&text, &manifests);
        assert_eq!(again.matches("manifests:").count(), 1, "{again}");
        let doc: yaml_serde::Value = yaml_serde::from_str(&again).unwrap();
        assert_eq!(read(&doc).unwrap(), manifests);
        assert_eq!(with_manifests(&again, &RecordedManifests::new()), record);
    }

    #[test]
    fn a_section_before_other_keys_is_replaced_in_place_of_none() {
        let record = "manifests:\n  a.yaml: {}\npack: builtin@0.2.0\n";
        assert_eq!(
            with_manifests(record, &RecordedManifests::new()),
            "pack: builtin@0.2.0\n"
        );
        let doc: yaml_serde::Value = yaml_serde::from_str("manifests: [1]\n").unwrap();
        assert!(read(&doc).is_err());
    }
}
