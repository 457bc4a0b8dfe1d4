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
