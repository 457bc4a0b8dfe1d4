//! `adopt --uv` and the build's `.dockerignore`: uv's step bind-mounts `pyproject.toml` and
//! `uv.lock` (and a `--find-links` folder) from the build context, so a `.dockerignore` that
//! excludes them (an allow-list, `*` then `!requirements.txt`, excludes everything else)
//! would fail the build. They are re-included with `!` lines at its end, where the last
//! matching pattern wins; a file it cannot edit leaves the context to the user, with why.

use std::path::Path;

use super::uv::Refusal;
use crate::check::dockerignore::DockerIgnore;
use crate::txn::guard::{OnDisk, read_ours};

/// The `.dockerignore` a build of `context` with `dockerfile` reads (`BuildKit`'s order: the
/// Dockerfile's own `<Dockerfile>.dockerignore`, else the context's), relative to `root`,
/// with the text that re-includes `needed` (paths relative to the context); `None` when
/// nothing of `needed` is excluded.
pub(super) fn reinclude(
    root: &Path,
    context: &str,
    dockerfile: &str,
    needed: &[&str],
) -> Result<Option<(String, String)>, Refusal> {
    let own = format!("{dockerfile}.dockerignore");
    let shared = super::layout_join(context, ".dockerignore");
    let Some(file) = [own, shared].into_iter().find(|f| root.join(f).exists()) else {
        return Ok(None);
    };
    let refuse = |reason: String| Refusal {
        path: file.clone(),
        reason,
    };
    let bytes = match read_ours(root, &file) {
        Ok(OnDisk::File(bytes)) => bytes,
        Ok(_) => {
            let names = needed.join("`, `");
            return Err(refuse(format!(
                "is a symbolic link (or not a file): --uv edits only plain files; make sure it does not exclude `{names}`, which the build now reads"
            )));
        }
        Err(e) => return Err(refuse(format!("cannot be read: {e}"))),
    };
    // Read as the builder reads it; edited only as the text it is.
    let rules = DockerIgnore::parse(&String::from_utf8_lossy(&bytes));
    let excluded: Vec<&str> = needed
        .iter()
        .copied()
        .filter(|p| rules.excludes(p).is_some())
        .collect();
    if excluded.is_empty() {
        return Ok(None);
    }
    let text = String::from_utf8(bytes).map_err(|_| {
        refuse(format!(
            "excludes `{}`, which the build now reads, and is not UTF-8 text: add `!{}` at its end by hand",
            excluded[0], excluded[0]
        ))
    })?;
    let newline = if text.contains("\r\n") { "\r\n" } else { "\n" };
    let mut out = text.clone();
    if !out.is_empty() && !out.ends_with('\n') {
        out.push_str(newline);
    }
    out.push_str("# The uv step reads these (`aichor local-repo adopt --uv`)");
    out.push_str(newline);
    for path in &excluded {
        out.push('!');
        out.push_str(path);
        out.push_str(newline);
    }
    // A pattern `!` cannot undo (a folder above excluded with a rule `BuildKit` keeps) is
    // the user's to sort out, never a build left failing.
    let after = DockerIgnore::parse(&out);
    if let Some(still) = excluded.iter().find(|p| after.excludes(p).is_some()) {
        return Err(refuse(format!(
            "excludes `{still}`, which the build now reads, and a `!{still}` line does not bring it back: re-include it by hand"
        )));
    }
    Ok(Some((file, out)))
}

#[cfg(test)]
mod tests {
    #[test]
    fn an_allow_list_gets_the_uv_files_back() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        fs_err::write(root.join(".dockerignore"), "*\r\n!requirements.txt").unwrap();
        let (file, text) =
            super::reinclude(root, ".", "Dockerfile", &["pyproject.toml", "uv.lock"])
                .unwrap()
                .unwrap();
        assert_eq!(file, ".dockerignore");
        assert_eq!(
            text,
            "*\r\n!requirements.txt\r\n# The uv step reads these (`aichor local-repo adopt --uv`)\r\n!pyproject.toml\r\n!uv.lock\r\n"
        );
        // Nothing excluded: nothing to edit.
        fs_err::write(root.join(".dockerignore"), ".git\n*.pyc\n").unwrap();
        assert_eq!(
            super::reinclude(root, ".", "Dockerfile", &["uv.lock"]).unwrap(),
            None
        );
    }
}
