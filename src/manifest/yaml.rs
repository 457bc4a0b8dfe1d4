//! Reading saphyr's positioned YAML nodes: the helpers the validator and the migration share.

use saphyr::{MarkedYaml, Scalar, YamlData};

/// 1-based line and column of a node.
pub(super) fn pos(node: &MarkedYaml) -> (usize, usize) {
    (node.span.start.line(), node.span.start.col() + 1)
}

/// The scalar a node holds, if it is one.
pub(super) fn scalar<'a>(node: &'a MarkedYaml) -> Option<&'a Scalar<'a>> {
    match &node.data {
        YamlData::Value(s) => Some(s),
        _ => None,
    }
}

/// The string a node holds, if it is one.
pub(super) fn as_str<'a>(node: &'a MarkedYaml) -> Option<&'a str> {
    match scalar(node) {
        Some(Scalar::String(s)) => Some(s.as_ref()),
        _ => None,
    }
}

/// What a node is, in words, for "expected X, found Y".
pub(super) fn describe(node: &MarkedYaml) -> &'static str {
    match &node.data {
        YamlData::Value(Scalar::Null) => "nothing (null)",
        YamlData::Value(Scalar::Boolean(_)) => "true/false",
        YamlData::Value(Scalar::Integer(_)) => "a whole number",
        YamlData::Value(Scalar::FloatingPoint(_)) => "a decimal number",
        YamlData::Value(Scalar::String(_)) => "a string",
        YamlData::Sequence(_) => "a list",
        YamlData::Mapping(_) => "a mapping",
        _ => "an unsupported value",
    }
}

/// The value under `key` of a mapping node.
pub(super) fn get<'a>(node: &'a MarkedYaml<'a>, key: &str) -> Option<&'a MarkedYaml<'a>> {
    match &node.data {
        YamlData::Mapping(map) => map
            .iter()
            .find(|(k, _)| as_str(k) == Some(key))
            .map(|(_, v)| v),
        _ => None,
    }
}

/// Whether `text` uses an alias (`*name`) anywhere. The loader copies an alias's node, with
/// the anchor's positions: an edit made at those positions would change the anchor instead.
pub(super) fn uses_aliases(text: &str) -> bool {
    use saphyr_parser::{Event, Parser};
    Parser::new_from_str(text).any(|item| matches!(item, Ok((Event::Alias(_), _))))
}

/// Deepest nesting of collections accepted. Real manifests nest about 8 deep; the limit
/// keeps recursive walks (ours and the loader's) far from the stack's end on any input.
pub const MAX_DEPTH: usize = 64;

/// Most aliases accepted: manifests and answers files have no use for many, and each one
/// can expand to a whole subtree (the "billion laughs").
pub const MAX_ALIASES: usize = 64;

/// Input that is too deep or too aliased to load safely, with where it went over.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TooComplex {
    pub line: usize,
    pub column: usize,
    pub message: String,
}

/// Check, with the streaming parser (no tree built), that `text` is YAML within `MAX_DEPTH`
/// and `MAX_ALIASES`, before anything loads it into a tree: loaders' work grows with nesting
/// (recursion, quadratic rescans) and aliases. A syntax error is reported here too, so no
/// loader ever sees malformed input.
pub fn check_bounds(text: &str) -> Result<(), TooComplex> {
    use saphyr_parser::{Event, Parser};
    let mut depth = 0usize;
    let mut aliases = 0usize;
    for item in Parser::new_from_str(text) {
        let (event, span) = match item {
            Ok(ok) => ok,
            Err(e) => {
                return Err(TooComplex {
                    line: e.marker().line(),
                    column: e.marker().col() + 1,
                    message: format!("not valid YAML: {}", e.info()),
                });
            }
        };
        let over = |message: String| TooComplex {
            line: span.start.line(),
            column: span.start.col() + 1,
            message,
        };
        match event {
            Event::SequenceStart(..) | Event::MappingStart(..) => {
                depth += 1;
                if depth > MAX_DEPTH {
                    return Err(over(format!(
                        "too complex: nested more than {MAX_DEPTH} levels deep"
                    )));
                }
            }
            Event::SequenceEnd | Event::MappingEnd => depth = depth.saturating_sub(1),
            Event::Alias(_) => {
                aliases += 1;
                if aliases > MAX_ALIASES {
                    return Err(over(format!(
                        "too complex: more than {MAX_ALIASES} aliases (`*name`)"
                    )));
                }
            }
            _ => {}
        }
    }
    Ok(())
}
