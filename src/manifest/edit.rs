//! Setting one scalar of a manifest in its text (`manifest new --command`, another image or
//! Dockerfile): the value is replaced at the parser's position, so comments, order and
//! formatting around it stay as the pack wrote them.

use saphyr::{LoadableYamlNode, MarkedYaml};

use super::yaml::get;

/// `text` with the scalar at `path` (e.g. `["spec", "command"]`) replaced by `value`, written
/// as a double-quoted YAML string. `Err` says what is missing when the path is not a scalar
/// of the document.
pub fn set_scalar(text: &str, path: &[&str], value: &str) -> Result<String, String> {
    let docs = MarkedYaml::load_from_str(text).map_err(|e| format!("not valid YAML: {e}"))?;
    let root = docs
        .first()
        .ok_or_else(|| "the manifest is empty".to_string())?;
    let mut node = root;
    for key in path {
        node = get(node, key).ok_or_else(|| format!("it has no `{}`", path.join(".")))?;
    }
    if !matches!(node.data, saphyr::YamlData::Value(_)) {
        return Err(format!("`{}` is not a single value", path.join(".")));
    }
    // The parser's markers count characters; the edit is made in bytes.
    let byte = |chars: usize| {
        text.char_indices()
            .nth(chars)
            .map_or(text.len(), |(b, _)| b)
    };
    let start = byte(node.span.start.index());
    let end = quoted_end(text, start).unwrap_or_else(|| byte(node.span.end.index()));
    // A JSON string is a valid YAML double-quoted scalar, whatever the value holds.
    let quoted = serde_json::to_string(value).unwrap_or_else(|_| format!("{value:?}"));
    Ok(format!("{}{quoted}{}", &text[..start], &text[end..]))
}

/// Where a quoted scalar starting at `start` ends (after its closing quote): the parser's
/// end marker for one lies past the whitespace and comment that follow it.
fn quoted_end(text: &str, start: usize) -> Option<usize> {
    let rest = &text[start..];
    let quote = rest.chars().next().filter(|c| *c == '"' || *c == '\'')?;
    let mut chars = rest.char_indices().skip(1);
    while let Some((i, c)) = chars.next() {
        match c {
            '\\' if quote == '"' => {
                chars.next();
            }
            // `''` is a quote inside a single-quoted scalar.
            '\'' if quote == '\'' && rest[i + 1..].starts_with('\'') => {
                chars.next();
            }
            c if c == quote => return Some(start + i + 1),
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "# head\nbuilder:\n  image: \"demo\"  # same as spec.image\n  dockerfile: ./Dockerfile\n  context: 'it''s' # here\nspec:\n  command: python -u -m démo.main  # plain\n  types: {}\n";

    #[test]
    fn a_scalar_is_replaced_and_everything_else_kept() {
        let out = set_scalar(TEXT, &["builder", "dockerfile"], "./docker/ray.Dockerfile").unwrap();
        assert_eq!(
            out,
            TEXT.replace("./Dockerfile", "\"./docker/ray.Dockerfile\"")
        );
        let out = set_scalar(TEXT, &["builder", "image"], "demo-ray").unwrap();
        assert!(
            out.contains("  image: \"demo-ray\"  # same as spec.image\n"),
            "{out}"
        );
        // After a non-ASCII character: positions are characters, edits bytes.
        let out = set_scalar(TEXT, &["spec", "command"], "echo \"hi\" # no comment").unwrap();
        assert!(
            out.contains("  command: \"echo \\\"hi\\\" # no comment\"  # plain\n  types: {}\n"),
            "{out}"
        );
        let out = set_scalar(TEXT, &["builder", "context"], "src").unwrap();
        assert!(out.contains("  context: \"src\" # here\n"), "{out}");
        let out = set_scalar(&out, &["builder", "image"], "a\"b").unwrap();
        let again = set_scalar(&out, &["builder", "image"], "c").unwrap();
        assert!(
            again.contains("  image: \"c\"  # same as spec.image\n"),
            "{again}"
        );
    }

    #[test]
    fn a_missing_or_non_scalar_path_is_refused() {
        assert_eq!(
            set_scalar(TEXT, &["spec", "image"], "x").unwrap_err(),
            "it has no `spec.image`"
        );
        assert_eq!(
            set_scalar(TEXT, &["spec", "types"], "x").unwrap_err(),
            "`spec.types` is not a single value"
        );
    }
}
