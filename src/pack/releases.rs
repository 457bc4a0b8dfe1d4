//! Every released version of the built-in pack, embedded from `templates/releases/` (one
//! folder per version, `builtin-<version>/`, never edited once released). `update` renders a
//! project's base (what the recorded version generated) from them, so a later binary can
//! still update a project an earlier one created. Tests pin each release's digest.

use include_dir::{Dir, include_dir};

use super::{Pack, PackFile, collect_embedded};
use crate::error::{Error, Result};

static RELEASES: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/templates/releases");

/// The versions frozen in this binary, as `templates/releases/builtin-<version>` names them.
pub fn versions() -> Vec<String> {
    let mut out: Vec<String> = RELEASES
        .dirs()
        .filter_map(|d| {
            d.path()
                .to_str()
                .and_then(|n| n.strip_prefix("builtin-"))
                .map(str::to_string)
        })
        .collect();
    out.sort_by(
        |a, b| match (semver::Version::parse(a), semver::Version::parse(b)) {
            (Ok(a), Ok(b)) => a.cmp(&b),
            _ => a.cmp(b),
        },
    );
    out
}

/// The files of the frozen release `version`, if this binary has it.
pub fn files(version: &str) -> Option<Vec<PackFile>> {
    let dir = RELEASES.get_dir(format!("builtin-{version}"))?;
    let mut all = Vec::new();
    collect_embedded(dir, &mut all);
    // Paths relative to the release folder, as the pack loader expects.
    let prefix = format!("builtin-{version}/");
    for f in &mut all {
        if let Some(rest) = f.path.strip_prefix(&prefix) {
            f.path = rest.to_string();
        }
    }
    all.sort_by(|a, b| a.path.cmp(&b.path));
    Some(all)
}

/// The built-in pack as release `version` shipped it: the current one when the versions
/// match, else a frozen release.
pub fn builtin_at(version: &str) -> Result<Pack> {
    let current = Pack::builtin()?;
    if current.info.version == version {
        return Ok(current);
    }
    let all = files(version).ok_or_else(|| Error::BaseUnavailable {
        pack: format!("builtin@{version}"),
        reason: format!(
            "this aichor embeds built-in versions {} and {} (current)",
            versions().join(", "),
            current.info.version
        ),
        help: "use an aichor release that has it (one at least as new as the one that generated the project)".into(),
    })?;
    Pack::parse(super::BUILTIN_NAME, &all, super::PackSource::Builtin)
}

/// A digest of a set of pack files (FNV-1a 64 over sorted paths and bytes): enough to notice
/// that a frozen release was edited, which must never happen.
pub fn digest(files: &[PackFile]) -> String {
    let mut sorted: Vec<&PackFile> = files.iter().collect();
    sorted.sort_by(|a, b| a.path.cmp(&b.path));
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let mut eat = |bytes: &[u8]| {
        for b in bytes {
            hash ^= u64::from(*b);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    };
    for f in sorted {
        eat(f.path.as_bytes());
        eat(&[0]);
        eat(&(f.contents.len() as u64).to_le_bytes());
        eat(&f.contents);
    }
    format!("{hash:016x}")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Released versions and their digests. A release is immutable: if this test fails, the
    /// frozen copy was edited; put it back (`git checkout templates/releases`) and change
    /// `templates/builtin` instead, with a new version.
    const PINNED: &[(&str, &str)] = &[
        ("0.1.0", "078ba2d283c17789"),
        ("0.2.0", "98167698ec4ba3ad"),
        ("0.3.0", "23d4fa156fadd36c"),
        ("0.4.0", "1e03084829bcb303"),
    ];

    #[test]
    fn frozen_releases_never_change() {
        let found: Vec<(String, String)> = versions()
            .into_iter()
            .map(|v| {
                let d = digest(&files(&v).unwrap());
                (v, d)
            })
            .collect();
        let pinned: Vec<(String, String)> = PINNED
            .iter()
            .map(|(v, d)| ((*v).to_string(), (*d).to_string()))
            .collect();
        assert_eq!(
            found, pinned,
            "a frozen release changed, or a new one is not pinned"
        );
    }

    #[test]
    fn every_frozen_release_loads() {
        for v in versions() {
            let pack = builtin_at(&v).unwrap();
            assert_eq!(pack.info.version, v);
            assert_eq!(pack.info.name, "builtin");
        }
    }

    /// The current pack may carry a released version only if it is that release, byte for
    /// byte: a change to `templates/builtin` needs a new version (and, once released, a
    /// frozen copy).
    #[test]
    fn current_builtin_differs_from_releases_only_with_a_new_version() {
        let mut current = Vec::new();
        collect_embedded(&super::super::BUILTIN, &mut current);
        let current_digest = digest(&current);
        let version = Pack::builtin().unwrap().info.version;
        for v in versions() {
            if v == version {
                assert_eq!(
                    digest(&files(&v).unwrap()),
                    current_digest,
                    "templates/builtin changed but kept the released version {v}: bump [pack] version in templates/builtin/pack.toml"
                );
            }
        }
    }
}
