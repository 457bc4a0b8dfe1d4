//! Which hook texts aichor wrote: a hook is replaced or removed without `--force` only when
//! it is, byte for byte, what some aichor version wrote (today's text, or one below), so a
//! line the user added to our hook is never lost without consent.

/// The hook texts earlier aichor versions wrote, `{exe}` standing for the quoted path of the
/// binary that installed them (from `git log -p src/hooks.rs`: the text of b56e19f, the first
/// hook, unchanged until b64d07b made it fall back to `aichor-kit`). Append the text of
/// today's `script` here whenever it changes.
pub(super) const EARLIER: &[&str] = &[r#"#!/bin/sh
# aichor-commit-msg-hook: written by `aichor local-repo hooks install`
# Checks the commit message the way AIchor reads it (`aichor[<manifest>]: ...`).
# Remove with `aichor local-repo hooks uninstall`; skip once with `git commit --no-verify`.
legacy="$(dirname "$0")/commit-msg.legacy"
if [ -x "$legacy" ]; then
    "$legacy" "$@" || exit $?
fi
aichor='{exe}'
if [ ! -x "$aichor" ]; then
    aichor=$(command -v aichor) || {
        echo "aichor commit-msg hook: aichor not found (was $aichor); message not checked" >&2
        exit 0
    }
fi
exec "$aichor" local-repo check --commit-msg "$1"
"#];

/// The binary path a hook of ours records (`installed='…'`, or `aichor='…'` in the earlier
/// text), unquoted; `None` without such a line. Rendering a text again with it and comparing
/// is what tells an untouched hook from an edited one, whatever folder aichor was in.
pub(super) fn recorded_exe(text: &str) -> Option<String> {
    text.lines().find_map(|line| {
        ["installed='", "aichor='"]
            .iter()
            .find_map(|start| line.strip_prefix(start))
            .and_then(|rest| rest.strip_suffix('\''))
            .map(|quoted| quoted.replace(r"'\''", "'"))
    })
}

/// The POSIX `sh` single-quoted form of `exe` (without the outer quotes), `/` for `\`.
pub(super) fn quote(exe: &std::path::Path) -> String {
    exe.to_string_lossy()
        .replace('\\', "/")
        .replace('\'', r"'\''")
}

/// Whether `text` is exactly one of the `EARLIER` texts for `exe`.
pub(super) fn is_earlier(text: &str, exe: &std::path::Path) -> bool {
    let exe = quote(exe);
    EARLIER.iter().any(|t| t.replace("{exe}", &exe) == text)
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    #[test]
    fn the_recorded_path_renders_the_same_text_again() {
        let exe = Path::new("/opt/it's/aichor");
        let today = super::super::script(exe);
        assert_eq!(
            super::recorded_exe(&today).as_deref(),
            Some("/opt/it's/aichor")
        );
        let first = super::EARLIER[0].replace("{exe}", &super::quote(exe));
        assert_eq!(
            super::recorded_exe(&first).as_deref(),
            Some("/opt/it's/aichor")
        );
        assert!(super::is_earlier(&first, exe));
        assert!(!super::is_earlier(&format!("{first}# mine\n"), exe));
    }
}
