//! `spec.timeout`'s duration grammar, defined once: the manifest validator, its JSON Schema
//! and a pack's `profiles.toml` all accept exactly the same strings.
//!
//! The platform's documentation and manifests only show a whole number and one unit (`2m`,
//! `6h`, `12h`, `1d`); what else it would take is unknown, so nothing else is accepted.
//! Zero is refused: a run that must end after no time at all is always a mistake, as
//! `activeDeadlineSeconds: 0` is (the validator wants at least 1 there too).

/// The grammar as a JSON Schema `pattern` (for editors); the same language as
/// [`is_duration`], which a test checks on the edge cases.
pub const PATTERN: &str = "^[0-9]*[1-9][0-9]*[smhd]$";

/// What the grammar is, for messages: "expected {WHAT}".
pub const WHAT: &str = "a duration such as `30m`, `6h` or `1d` (a whole number above 0 and one \
                        unit: s, m, h or d)";

/// A whole number above zero (ASCII digits, leading zeros allowed) and one unit of `s`, `m`,
/// `h` or `d`: `30m`, `6h`, `1d`; not `0m`, `m`, `1.5h`, `1 h`, `1H`, `1h30m` or `-1h`.
pub fn is_duration(text: &str) -> bool {
    let Some(number) = text.strip_suffix(['s', 'm', 'h', 'd']) else {
        return false;
    };
    !number.is_empty()
        && number.bytes().all(|b| b.is_ascii_digit())
        && number.bytes().any(|b| b != b'0')
}

#[cfg(test)]
mod tests {
    use super::*;

    const ACCEPTED: &[&str] = &["1s", "30m", "6h", "24h", "1d", "007m", "10m", "100000d"];
    const REFUSED: &[&str] = &[
        "", "m", "0m", "00h", "0", "30", "1.5h", "1 h", " 1h", "1h ", "1H", "1w", "1ms", "1h30m",
        "-1h", "+1h", "1é", "é", "١h", "1mm",
    ];

    #[test]
    fn a_positive_whole_number_and_one_unit() {
        for text in ACCEPTED {
            assert!(is_duration(text), "{text:?} should be accepted");
        }
        for text in REFUSED {
            assert!(!is_duration(text), "{text:?} should be refused");
        }
    }

    /// The JSON Schema an editor checks with says the same as the validator.
    #[test]
    fn the_schema_pattern_agrees() {
        let re = regex_lite::Regex::new(PATTERN).unwrap();
        for text in ACCEPTED.iter().chain(REFUSED) {
            assert_eq!(re.is_match(text), is_duration(text), "{text:?}");
        }
    }
}
