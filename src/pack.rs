//! A template pack: `pack.toml` (identity and shared values), `profiles.toml`, `files/` (the
//! tree written into the project; `*.tera` files are rendered, others copied byte for byte)
//! and `partials/` (templates that files include, never written themselves). The built-in
//! pack is embedded from `templates/builtin` at compile time.

use include_dir::{Dir, include_dir};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::profile::{Profile, ProfileFile, Resources};

static BUILTIN: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/templates/builtin");

/// `[pack]` in `pack.toml`.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct PackInfo {
    pub name: String,
    pub version: String,
    pub description: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PackToml {
    pack: PackInfo,
    /// Values shared by several files (pinned versions, URLs): one place to bump them.
    #[serde(default)]
    vars: toml::Table,
    /// Shown after a successful init; Tera strings, one per step.
    #[serde(default, rename = "next-steps")]
    next_steps: Vec<String>,
}

/// One file of a pack, by its path relative to the pack's folder (`files/...`, `partials/...`).
#[derive(Debug, Clone)]
pub struct PackFile {
    pub path: String,
    pub contents: &'static [u8],
}

/// A loaded, checked template pack.
#[derive(Debug)]
pub struct Pack {
    pub info: PackInfo,
    pub vars: toml::Table,
    /// Steps printed after init (Tera strings; `cd` holds the path to change into).
    pub next_steps: Vec<String>,
    pub profiles: Vec<Profile>,
    /// KubeRay head resources for profiles without their own `head`.
    pub default_head: Option<Resources>,
    /// Files under `files/`, path relative to `files/`.
    pub files: Vec<PackFile>,
    /// Files under `partials/`, path relative to `partials/`.
    pub partials: Vec<PackFile>,
}

impl Pack {
    /// The pack compiled into the binary.
    pub fn builtin() -> Result<Pack> {
        let mut all = Vec::new();
        collect(&BUILTIN, &mut all);
        Pack::from_files("builtin", all)
    }

    fn from_files(id: &str, all: Vec<PackFile>) -> Result<Pack> {
        let err = |file: &str, message: String| Error::Pack {
            pack: id.to_string(),
            file: file.to_string(),
            message,
        };
        let text = |name: &str| -> Result<Option<&str>> {
            all.iter()
                .find(|f| f.path == name)
                .map(|f| std::str::from_utf8(f.contents).map_err(|e| err(name, e.to_string())))
                .transpose()
        };
        let pack_toml = text("pack.toml")?.ok_or_else(|| err("pack.toml", "missing".into()))?;
        let PackToml {
            pack: info,
            vars,
            next_steps,
        } = toml::from_str(pack_toml).map_err(|e| err("pack.toml", e.to_string()))?;
        let profiles = match text("profiles.toml")? {
            Some(t) => {
                let file: ProfileFile =
                    toml::from_str(t).map_err(|e| err("profiles.toml", e.to_string()))?;
                file.check().map_err(|m| err("profiles.toml", m))?;
                file
            }
            None => ProfileFile {
                default_head: None,
                profiles: Vec::new(),
            },
        };
        let under = |prefix: &str| -> Vec<PackFile> {
            all.iter()
                .filter_map(|f| {
                    f.path.strip_prefix(prefix).map(|rest| PackFile {
                        path: rest.to_string(),
                        contents: f.contents,
                    })
                })
                .collect()
        };
        Ok(Pack {
            info,
            vars,
            next_steps,
            profiles: profiles.profiles,
            default_head: profiles.default_head,
            files: under("files/"),
            partials: under("partials/"),
        })
    }

    /// The profile `id`, if the pack has it.
    pub fn profile(&self, id: &str) -> Option<&Profile> {
        self.profiles.iter().find(|p| p.id == id)
    }
}

/// Every file under `dir`, skipping editor and OS droppings that include_dir embeds too.
fn collect(dir: &'static Dir<'static>, out: &mut Vec<PackFile>) {
    for file in dir.files() {
        let path = file.path().to_string_lossy().replace('\\', "/");
        let base = path.rsplit('/').next().unwrap_or(&path);
        if base == ".DS_Store" || base.ends_with(".swp") || base.ends_with('~') {
            continue;
        }
        out.push(PackFile {
            path,
            contents: file.contents(),
        });
    }
    for sub in dir.dirs() {
        collect(sub, out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_pack_loads_with_required_profiles() {
        let pack = Pack::builtin().unwrap();
        for id in [
            "cpu-small",
            "cpu-large",
            "gpu-t4",
            "gpu-a100-80gb",
            "gpu-h100x8",
            "tpu-v5e-4x4",
        ] {
            assert!(pack.profile(id).is_some(), "{id}");
        }
        assert_eq!(
            pack.profiles[0].id, "cpu-small",
            "the first profile is the default"
        );
        assert!(
            pack.files
                .iter()
                .any(|f| f.path == "aichor_manifests/manifest.yaml.tera")
        );
    }
}
