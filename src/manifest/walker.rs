//! The validator's walk: each manifest node checked against its `model::Kind`, then the
//! rules across fields (builder.image = spec.image, kuberay-only keys).

use saphyr::{MarkedYaml, Scalar, YamlData};

use super::model::{self, Field, Kind, Object};
use super::validate::{Diagnostic, Severity, at};
use super::yaml::{as_str, describe, get, pos, scalar};
use crate::suggest::did_you_mean;

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

pub(super) struct Walker<'t> {
    pub(super) text: &'t str,
    pub(super) operator: Option<String>,
    pub(super) diags: Vec<Diagnostic>,
    /// Position of the key whose value is being walked: errors about a whole mapping
    /// (missing field, exactly-one-of) point at `resources:`, not at its first child.
    pub(super) owner: Option<(usize, usize)>,
}

impl Walker<'_> {
    fn error(&mut self, node: &MarkedYaml, path: &str, message: String, help: Option<String>) {
        let (line, column) = pos(node);
        self.diags
            .push(at(line, column, path, Severity::Error, message, help));
    }

    /// The source text of a node (for "quote it" hints: `3.10` parses as 3.1).
    fn source(&self, node: &MarkedYaml) -> String {
        let (start, end) = (node.span.start.index(), node.span.end.index());
        self.text
            .chars()
            .skip(start)
            .take(end.saturating_sub(start))
            .collect::<String>()
            .trim()
            .to_string()
    }

    fn expected(&mut self, node: &MarkedYaml, path: &str, what: &str) {
        let found = describe(node);
        let help = match scalar(node) {
            Some(Scalar::Integer(_) | Scalar::FloatingPoint(_) | Scalar::Boolean(_))
                if what.contains("string") =>
            {
                Some(format!("quote it: `\"{}\"`", self.source(node)))
            }
            Some(Scalar::String(s))
                if what.contains("true/false")
                    && ["true", "false"].contains(&s.to_ascii_lowercase().as_str()) =>
            {
                Some(format!("write `{}` without quotes", s.to_ascii_lowercase()))
            }
            _ => None,
        };
        self.error(node, path, format!("expected {what}, found {found}"), help);
    }

    pub(super) fn walk(&mut self, node: &MarkedYaml, kind: &Kind, path: &str) {
        match kind {
            Kind::Str => {
                if as_str(node).is_none() {
                    self.expected(node, path, "a string");
                }
            }
            Kind::Pattern { check, what, .. } => match as_str(node) {
                Some(s) if check(s) => {}
                Some(s) => self.error(
                    node,
                    path,
                    format!("`{s}` is not valid: expected {what}"),
                    None,
                ),
                None => self.expected(node, path, "a string"),
            },
            Kind::Enum(values) => self.walk_enum(node, values, path),
            Kind::Bool => {
                if !matches!(scalar(node), Some(Scalar::Boolean(_))) {
                    self.expected(node, path, "true/false");
                }
            }
            Kind::Int { min } => match scalar(node) {
                Some(Scalar::Integer(i)) if i >= min => {}
                Some(Scalar::Integer(i)) => self.error(
                    node,
                    path,
                    format!("{i} is less than {min}"),
                    Some(format!("use a whole number ≥ {min}")),
                ),
                _ => self.expected(node, path, "a whole number"),
            },
            Kind::Num { min } => {
                let value = match scalar(node) {
                    // Only compared with a small minimum: precision beyond 2^52 is irrelevant.
                    #[allow(clippy::cast_precision_loss)]
                    Some(Scalar::Integer(i)) => Some(*i as f64),
                    Some(Scalar::FloatingPoint(f)) => Some(f.into_inner()),
                    _ => None,
                };
                match value {
                    Some(v) if v >= *min => {}
                    Some(v) => self.error(node, path, format!("{v} is less than {min}"), None),
                    None => self.expected(node, path, "a number"),
                }
            }
            Kind::Scalar => {
                if !matches!(
                    scalar(node),
                    Some(
                        Scalar::String(_)
                            | Scalar::Boolean(_)
                            | Scalar::Integer(_)
                            | Scalar::FloatingPoint(_)
                    )
                ) {
                    self.expected(node, path, "a string, number or true/false");
                }
            }
            Kind::MapOf(value) => self.walk_map(node, path, &Kind::Str, value, 0),
            Kind::NamedMap { key, value, min } => self.walk_map(node, path, key, value, *min),
            Kind::List { item, min } => match &node.data {
                YamlData::Sequence(items) => {
                    if items.len() < *min {
                        self.error(
                            node,
                            path,
                            format!(
                                "needs at least {min} item{}",
                                if *min == 1 { "" } else { "s" }
                            ),
                            None,
                        );
                    }
                    for (i, it) in items.iter().enumerate() {
                        self.walk(it, item, &format!("{path}[{i}]"));
                    }
                }
                _ => self.expected(node, path, "a list"),
            },
            Kind::Object(obj) => self.walk_object(node, obj, path),
            Kind::Types => self.walk_types(node, path),
        }
    }

    fn walk_enum(&mut self, node: &MarkedYaml, values: &[&str], path: &str) {
        match as_str(node) {
            Some(s) if values.contains(&s) => {}
            Some(s) => {
                if path == "spec.operator"
                    && let Some((message, help)) = model::unchecked_operator(s)
                {
                    return self.error(node, path, message.into(), Some(help.into()));
                }
                let help = match (path, s) {
                    ("spec.operator", "batchjob") => Some(
                        "`batchjob` was removed in apiVersion 0.2.3: run `aichor manifest migrate <FILE>` (batchjob becomes jobset)".to_string(),
                    ),
                    _ => did_you_mean(s, values.iter().copied())
                        .map(|d| format!("did you mean `{d}`?")),
                };
                self.error(
                    node,
                    path,
                    format!("`{s}` is not one of {}", values.join(", ")),
                    help,
                );
            }
            None => {
                let quoted = values
                    .iter()
                    .map(|v| format!("\"{v}\""))
                    .collect::<Vec<_>>()
                    .join(", ");
                self.expected(node, path, &format!("a string, one of {quoted}"));
            }
        }
    }

    fn walk_map(
        &mut self,
        node: &MarkedYaml,
        path: &str,
        key_kind: &Kind,
        value: &Kind,
        min: usize,
    ) {
        let YamlData::Mapping(map) = &node.data else {
            return self.expected(node, path, "a mapping");
        };
        if map.len() < min {
            self.error(
                node,
                path,
                format!(
                    "needs at least {min} entr{}",
                    if min == 1 { "y" } else { "ies" }
                ),
                None,
            );
        }
        for (k, v) in map {
            let name = as_str(k).map_or_else(|| self.source(k), str::to_string);
            let child = join(path, &name);
            self.walk(k, key_kind, &child);
            self.owner = Some(pos(k));
            self.walk(v, value, &child);
        }
    }

    fn walk_object(&mut self, node: &MarkedYaml, obj: &Object, path: &str) {
        let YamlData::Mapping(map) = &node.data else {
            return self.expected(node, path, "a mapping");
        };
        let (line, column) = self.owner.take().unwrap_or_else(|| pos(node));
        let names: Vec<&str> = obj.fields.iter().map(|f| f.name).collect();
        for (k, v) in map {
            let Some(key) = as_str(k) else {
                let text = self.source(k);
                self.error(
                    k,
                    path,
                    format!("key `{text}` is not a string"),
                    Some("keys are field names".into()),
                );
                continue;
            };
            let child = join(path, key);
            if let Some(field) = obj.fields.iter().find(|f| f.name == key) {
                if field.undocumented {
                    let (line, column) = pos(k);
                    self.diags.push(at(line, column, &child, Severity::Note, format!("`{key}` is accepted but undocumented (seen in manifests the platform ran)"), None));
                }
                self.owner = Some(pos(k));
                self.walk(v, field.kind, &child);
            } else {
                let help = did_you_mean(key, names.iter().copied())
                    .map(|d| format!("did you mean `{d}`?"))
                    .or_else(|| Some(format!("allowed here: {}", names.join(", "))));
                self.error(k, &child, format!("unknown key `{key}`"), help);
            }
        }
        let present = |name: &str| map.iter().any(|(k, _)| as_str(k) == Some(name));
        for field in obj.fields.iter().filter(|f| f.required) {
            if !present(field.name) {
                self.diags.push(at(
                    line,
                    column,
                    path,
                    Severity::Error,
                    format!("missing `{}`", field.name),
                    Some(required_help(field)),
                ));
            }
        }
        if !obj.exactly_one_of.is_empty() {
            let set: Vec<&str> = obj
                .exactly_one_of
                .iter()
                .copied()
                .filter(|n| present(n))
                .collect();
            if set.len() != 1 {
                let names = obj
                    .exactly_one_of
                    .iter()
                    .map(|n| format!("`{n}`"))
                    .collect::<Vec<_>>()
                    .join(" or ");
                let found = if set.is_empty() {
                    "neither is set"
                } else {
                    "both are set"
                };
                self.diags.push(at(
                    line,
                    column,
                    path,
                    Severity::Error,
                    format!("set exactly one of {names}: {found}"),
                    Some("`ramRatio` is GB per CPU, `memory` is GB for the pod".into()),
                ));
            }
        }
    }

    fn walk_types(&mut self, node: &MarkedYaml, path: &str) {
        let Some(op) = self.operator.clone() else {
            return;
        };
        let Some(kind) = model::types_for(&op) else {
            return;
        };
        if let YamlData::Mapping(map) = &node.data
            && matches!(op.as_str(), "pytorch" | "xgboost" | "jax")
        {
            let legacy: Vec<&MarkedYaml> = map
                .iter()
                .filter(|(k, _)| matches!(as_str(k), Some("Master" | "Worker")))
                .map(|(k, _)| k)
                .collect();
            if let Some(first) = legacy.first() {
                let what = if op == "jax" {
                    "`Worker`"
                } else {
                    "`Master` + `Worker`"
                };
                let how = if op == "jax" {
                    "rename `Worker` to `worker`"
                } else {
                    "merge them into one lowercase `worker` whose count is the sum"
                };
                self.error(
                    first,
                    &join(path, as_str(first).unwrap_or_default()),
                    format!("{what} is the pre-0.2.3 shape of `{op}` types, which the platform no longer accepts"),
                    Some(format!("run `aichor manifest migrate <FILE> --write` ({how})")),
                );
                return;
            }
        }
        self.walk(node, kind, path);
    }

    /// Rules across fields that the per-field walk cannot see.
    pub(super) fn cross_checks(&mut self, root: &MarkedYaml) {
        let spec = get(root, "spec");
        let spec_image = spec.and_then(|s| get(s, "image")).and_then(as_str);
        match get(root, "builder").and_then(|b| get(b, "image")) {
            Some(node) => {
                if let (Some(b), Some(s)) = (as_str(node), spec_image)
                    && b != s
                {
                    self.error(
                        node,
                        "builder.image",
                        format!("`{b}` differs from spec.image `{s}`"),
                        Some("use the same image name in both".into()),
                    );
                }
            }
            None => {
                if let Some(builder) = get(root, "builder") {
                    let (line, column) = pos(builder);
                    self.diags.push(at(line, column, "builder.image", Severity::Warning, "not set; AIchor builds the image named by `builder.image`, which must equal spec.image".into(), None));
                }
            }
        }
        let kuberay = self.operator.as_deref() == Some("kuberay");
        if let Some(node) = spec.and_then(|s| get(s, "rayVersion"))
            && !kuberay
        {
            self.error(
                node,
                "spec.rayVersion",
                "only the kuberay operator takes `rayVersion`".into(),
                Some("remove it".into()),
            );
        }
        if let Some(node) = spec
            .and_then(|s| get(s, "debug"))
            .and_then(|d| get(d, "jupyter"))
            && !kuberay
        {
            let (line, column) = pos(node);
            self.diags.push(at(
                line,
                column,
                "spec.debug.jupyter",
                Severity::Warning,
                "`debug.jupyter` only has an effect with kuberay".into(),
                None,
            ));
        }
    }
}

fn required_help(field: &Field) -> String {
    format!("add `{}` ({})", field.name, field.doc)
}
