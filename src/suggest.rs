//! "Did you mean …?": the closest known value to a mistyped one.

/// The closest of `candidates` to `input`, if it is close enough to be a likely typo.
pub fn did_you_mean<'a>(
    input: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<String> {
    let input = input.to_ascii_lowercase();
    let candidates: Vec<&str> = candidates.into_iter().collect();
    // A truncated value (`gpu-a100`) means the longer one, whatever the edit distance says.
    if !input.is_empty()
        && let Some(c) = candidates
            .iter()
            .filter(|c| c.to_ascii_lowercase().starts_with(&input))
            .min_by_key(|c| c.len())
    {
        return Some((*c).to_string());
    }
    // Up to one edit per three characters (at least one) reads as a typo, not another word.
    candidates
        .into_iter()
        .map(|c| (strsim::levenshtein(&input, &c.to_ascii_lowercase()), c))
        .filter(|(d, c)| *d <= (c.len() / 3).max(1))
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_close_keys_only() {
        assert_eq!(
            did_you_mean("opertor", ["operator", "profile"]),
            Some("operator".into())
        );
        assert_eq!(did_you_mean("zzz", ["operator", "profile"]), None);
        assert_eq!(
            did_you_mean("gpu-a100", ["gpu-t4", "gpu-a100-80gb"]),
            Some("gpu-a100-80gb".into())
        );
        assert_eq!(did_you_mean("", ["a"]), Some("a".into()));
    }
}
