//! The validator (`aichor manifest validate`): walks the parsed YAML (with positions) against `model` and reports every
//! problem, each with line:column, the key path, what was expected and how to fix it.

use saphyr::{LoadableYamlNode, MarkedYaml};
use serde::Serialize;

use super::model;
use super::walker::Walker;
use super::yaml::{as_str, get, pos};

/// How serious a diagnostic is: only errors make a manifest invalid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
    Note,
}

/// One finding, at a position in the file.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Diagnostic {
    pub severity: Severity,
    /// 1-based line.
    pub line: usize,
    /// 1-based column.
    pub column: usize,
    /// Key path, e.g. `spec.types.worker.resources`.
    pub path: String,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
}

/// A value of the manifest with its position, for checks made elsewhere (repository).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Located {
    pub value: String,
    pub line: usize,
    pub column: usize,
}

/// The result of checking one manifest.
#[derive(Debug, Default)]
pub struct Validation {
    pub diagnostics: Vec<Diagnostic>,
    pub operator: Option<String>,
    pub context: Option<Located>,
    pub dockerfile: Option<Located>,
    /// `spec.command`, for the repository checks of what it runs.
    pub command: Option<Located>,
    /// `spec.rayVersion` (kuberay).
    pub ray_version: Option<Located>,
}

/// Check a manifest's text.
pub fn validate_text(text: &str) -> Validation {
    let mut out = Validation::default();
    if let Err(t) = super::yaml::check_bounds(text) {
        out.diagnostics.push(Diagnostic {
            severity: Severity::Error,
            line: t.line,
            column: t.column,
            path: String::new(),
            message: t.message,
            help: Some("fix the YAML at this position (a manifest is a few levels deep)".into()),
        });
        return out;
    }
    let docs = match MarkedYaml::load_from_str(text) {
        Ok(docs) => docs,
        Err(e) => {
            out.diagnostics.push(Diagnostic {
                severity: Severity::Error,
                line: e.marker().line(),
                column: e.marker().col() + 1,
                path: String::new(),
                message: format!("not valid YAML: {}", e.info()),
                help: Some("fix the YAML syntax at this position".into()),
            });
            return out;
        }
    };
    let root = match docs.as_slice() {
        [doc] => doc,
        [] => {
            out.diagnostics.push(at(
                1,
                1,
                "",
                Severity::Error,
                "the file is empty".into(),
                None,
            ));
            return out;
        }
        [_, second, ..] => {
            let (line, column) = pos(second);
            out.diagnostics.push(at(
                line,
                column,
                "",
                Severity::Error,
                "more than one YAML document".into(),
                Some("keep one manifest per file".into()),
            ));
            return out;
        }
    };
    let spec = get(root, "spec");
    out.operator = spec
        .and_then(|s| get(s, "operator"))
        .and_then(as_str)
        .map(str::to_string);
    let builder = get(root, "builder");
    out.context = builder.and_then(|b| get(b, "context")).and_then(located);
    out.dockerfile = builder.and_then(|b| get(b, "dockerfile")).and_then(located);
    out.command = spec.and_then(|s| get(s, "command")).and_then(located);
    out.ray_version = spec.and_then(|s| get(s, "rayVersion")).and_then(located);
    let mut walker = Walker {
        text,
        operator: out.operator.clone(),
        diags: Vec::new(),
        owner: None,
    };
    walker.walk(root, &model::MANIFEST, "");
    walker.cross_checks(root);
    out.diagnostics = walker.diags;
    out.diagnostics.sort_by_key(|d| (d.line, d.column));
    out
}

pub(super) fn at(
    line: usize,
    column: usize,
    path: &str,
    severity: Severity,
    message: String,
    help: Option<String>,
) -> Diagnostic {
    Diagnostic {
        severity,
        line,
        column,
        path: path.to_string(),
        message,
        help,
    }
}

fn located(node: &MarkedYaml) -> Option<Located> {
    let (line, column) = pos(node);
    as_str(node).map(|v| Located {
        value: v.to_string(),
        line,
        column,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINIMAL: &str = "builder:\n  image: img\n  dockerfile: ./Dockerfile\nspec:\n  operator: jobset\n  image: img\n  command: python3 -u main.py\n  types:\n    worker:\n      resources:\n        ramRatio: 2\n";

    fn errors(text: &str) -> Vec<(usize, usize, String, String)> {
        validate_text(text)
            .diagnostics
            .into_iter()
            .filter(|d| d.severity == Severity::Error)
            .map(|d| (d.line, d.column, d.path, d.message))
            .collect()
    }

    #[test]
    fn minimal_manifest_is_valid() {
        assert_eq!(errors(MINIMAL), vec![]);
    }

    #[test]
    fn reports_every_error_with_its_position() {
        let text = MINIMAL
            .replace("ramRatio: 2", "ramratio: 2\n        cpus: many")
            .replace("image: img\n  command", "image: other\n  command");
        let errs = errors(&text);
        assert_eq!(errs.len(), 4, "{errs:?}");
        assert_eq!(errs[0].2, "builder.image");
        assert!(
            errs.iter()
                .any(|e| e.2 == "spec.types.worker.resources.ramratio" && e.0 == 11 && e.1 == 9)
        );
        assert!(errs.iter().any(
            |e| e.2 == "spec.types.worker.resources.cpus" && e.3.contains("expected a number")
        ));
        assert!(
            errs.iter()
                .any(|e| e.3.contains("set exactly one of `ramRatio` or `memory`"))
        );
    }

    #[test]
    fn yaml_errors_have_a_position() {
        let d = &validate_text("spec:\n  a: [1, 2\n").diagnostics[0];
        assert!(d.message.starts_with("not valid YAML"), "{d:?}");
        assert!(d.line >= 2);
    }
}
