//! Quoting for the commands aichor prints for the user to paste (next steps, help lines).

/// Quote a path for a POSIX shell when it needs it.
pub(crate) fn shell_quote(s: &str) -> String {
    if s.chars()
        .all(|c| c.is_ascii_alphanumeric() || "-_./".contains(c))
    {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}
