//! The user's standing defaults: `<config>/aichor/config.toml` and `AICHOR_<KEY>`
//! environment variables. Both sit below everything given for one run, in this order
//! (highest first): flag > `--set` > answers file > environment > config file > pack
//! default. They are defaults, not answers: in a terminal the question is still asked, with
//! the default preselected; with `--no-input` the default is used (and validated like any
//! answer, the error naming the file or variable).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::environment::Environment;
use crate::error::{Error, Origin, Result};

/// Replaces the config file's location (tests, a team's shared file).
pub const FILE_VAR: &str = crate::environment::CONFIG_FILE;
/// Set to a true value to read no config file at all.
pub const NO_CONFIG_VAR: &str = crate::environment::NO_CONFIG;
/// The pack used when `--template` and the answers file say nothing.
pub const TEMPLATE_VAR: &str = crate::environment::TEMPLATE;

/// Variables the tool reads for itself: a question whose `AICHOR_<KEY>` would be one of
/// these is not read from the environment (a pack question `uv` must not take `AICHOR_UV`).
const RESERVED_VARS: &[&str] = &[
    "AICHOR_UV",
    "AICHOR_TEMPLATE",
    "AICHOR_TEMPLATE_PATH",
    "AICHOR_CACHE_DIR",
    "AICHOR_NO_INPUT",
    "AICHOR_NO_PROGRESS",
    "AICHOR_CONFIG_FILE",
    "AICHOR_NO_CONFIG",
    "AICHOR_COLOR",
    "AICHOR_BIN",
];

/// A boolean as people write them: `1/0`, `true/false`, `yes/no`, `on/off`, `y/n`, any
/// case. `None` for anything else (the caller decides what empty means).
pub fn boolish(raw: &str) -> Option<bool> {
    match raw.trim().to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" | "on" | "y" => Some(true),
        "0" | "false" | "no" | "off" | "n" => Some(false),
        _ => None,
    }
}

/// When to colour stderr.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Color {
    /// On a terminal, unless `NO_COLOR` is set.
    #[default]
    Auto,
    Always,
    Never,
}

/// `config.toml` as written by the user. Unknown top-level keys are refused (a typo would
/// otherwise be silently ignored); `[defaults]` takes any question key, since a default may
/// be meant for a team pack's question.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct File {
    template: Option<String>,
    hooks: Option<bool>,
    color: Option<Color>,
    #[serde(default)]
    defaults: BTreeMap<String, serde_json::Value>,
}

/// A value and where it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Setting<T> {
    pub value: T,
    pub origin: Origin,
}

/// The user's configuration, resolved from the file and the environment.
#[derive(Debug, Default)]
pub struct Config {
    /// Where the file is looked for (`None`: no config folder, or `AICHOR_NO_CONFIG`).
    pub path: Option<PathBuf>,
    /// Whether the file was there and read.
    pub loaded: bool,
    pub template: Option<Setting<String>>,
    pub hooks: Option<Setting<bool>>,
    pub color: Option<Setting<Color>>,
    /// Question defaults from the file, as typed (validated when used).
    pub defaults: BTreeMap<String, Setting<String>>,
}

impl Config {
    /// The config file's location: `AICHOR_CONFIG_FILE`, else `<config>/aichor/config.toml`
    /// (the folder that also holds `templates/`); `None` with `AICHOR_NO_CONFIG`.
    pub fn location(env: &Environment) -> Option<PathBuf> {
        if env
            .var(NO_CONFIG_VAR)
            .is_some_and(|v| boolish(v) == Some(true))
        {
            return None;
        }
        if let Some(file) = env.var_os(FILE_VAR) {
            return Some(PathBuf::from(file));
        }
        default_location(env)
    }

    /// Read the config file (a missing one is no config) and the variables that override it.
    pub fn load(env: &Environment) -> Result<Config> {
        let chosen = env.var_os(FILE_VAR).is_some();
        let mut config = match Config::location(env) {
            // Found by discovery in a home we may not read (`sudo -u nobody`, a service
            // account): no file of this user's can be there, so there is no config. A file
            // named by AICHOR_CONFIG_FILE must be readable.
            Some(path) if !chosen && !readable_or_absent(&path) => Config {
                path: Some(path),
                ..Config::default()
            },
            // A file named on purpose must be there: a typo in the variable would otherwise
            // drop every default without a word (uv and cargo refuse a missing one too).
            Some(path) if chosen && fs_err::symlink_metadata(&path).is_err() => {
                return Err(Error::ConfigFileMissing {
                    path,
                    default: default_location(env),
                });
            }
            Some(path) => Config::read(&path)?,
            None => Config::default(),
        };
        config.apply_env(|name| env.var(name).map(str::to_string));
        Ok(config)
    }

    /// The file at `path`; a missing file is an empty config (the path is kept for
    /// `config path`).
    pub fn read(path: &Path) -> Result<Config> {
        let text = match fs_err::read_to_string(path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Ok(Config {
                    path: Some(path.to_path_buf()),
                    ..Config::default()
                });
            }
            Err(e) if e.kind() == std::io::ErrorKind::InvalidData => {
                return Err(Error::ConfigNotText {
                    path: path.to_path_buf(),
                });
            }
            Err(e) => return Err(Error::io(path, "cannot be read", e)),
        };
        Config::parse(path, &text)
    }

    /// Parse the text of the file at `path`.
    pub fn parse(path: &Path, text: &str) -> Result<Config> {
        let file: File = toml_edit::de::from_str(text).map_err(|source| Error::Config {
            path: path.to_path_buf(),
            source: Box::new(source),
        })?;
        let origin = Origin::ConfigFile(path.to_path_buf());
        if file.template.as_ref().is_some_and(|t| t.trim().is_empty()) {
            return Err(Error::ConfigValue {
                path: path.to_path_buf(),
                key: "template".into(),
                problem:
                    "is empty: name a pack (a folder, a git URL or a pack name), or remove the line"
                        .into(),
            });
        }
        // Floats as written: `python = 3.10` is the float 3.1 to TOML, and a version is text.
        let doc = text.parse::<toml_edit::DocumentMut>().ok();
        let written = |key: &str| {
            let value = doc.as_ref()?.get("defaults")?.get(key)?.as_value()?;
            match value {
                toml_edit::Value::Float(f) => Some(f.display_repr().trim().to_string()),
                _ => None,
            }
        };
        let mut defaults = BTreeMap::new();
        for (key, value) in file.defaults {
            let raw = match value {
                serde_json::Value::String(s) => s,
                serde_json::Value::Number(n) => written(&key).unwrap_or_else(|| n.to_string()),
                serde_json::Value::Bool(b) => b.to_string(),
                _ => {
                    return Err(Error::ConfigValue {
                        path: path.to_path_buf(),
                        key: format!("defaults.{key}"),
                        problem: "must be a string, a number or true/false".into(),
                    });
                }
            };
            defaults.insert(key, setting(raw, &origin));
        }
        Ok(Config {
            path: Some(path.to_path_buf()),
            loaded: true,
            template: file.template.map(|v| setting(v, &origin)),
            hooks: file.hooks.map(|v| setting(v, &origin)),
            color: file.color.map(|v| setting(v, &origin)),
            defaults,
        })
    }

    /// `AICHOR_TEMPLATE` over the file's `template`. Question defaults from the
    /// environment depend on the pack's questions: see `env_defaults`.
    pub fn apply_env(&mut self, var: impl Fn(&str) -> Option<String>) {
        if let Some(t) = var(TEMPLATE_VAR).filter(|t| !t.trim().is_empty()) {
            self.template = Some(Setting {
                value: t,
                origin: Origin::Env(TEMPLATE_VAR.into()),
            });
        }
    }

    /// The question defaults for `keys`: `AICHOR_<KEY>` over the config file's `[defaults]`.
    /// Empty variables count as unset (`AICHOR_PROFILE=` in a CI template).
    pub fn question_defaults(
        &self,
        keys: &[String],
        env: &Environment,
    ) -> BTreeMap<String, Setting<String>> {
        let mut out = BTreeMap::new();
        for key in keys {
            if let Some(d) = self.defaults.get(key) {
                out.insert(key.clone(), d.clone());
            }
            let name = env_name(key);
            if RESERVED_VARS.contains(&name.as_str()) {
                continue;
            }
            if let Some(v) = env.var(&name).filter(|v| !v.trim().is_empty()) {
                out.insert(
                    key.clone(),
                    Setting {
                        // Trimmed as any answer is: `config show` shows what will be used.
                        value: v.trim().to_string(),
                        origin: Origin::Env(name),
                    },
                );
            }
        }
        out
    }
}

/// Where the config file is found without `AICHOR_CONFIG_FILE`:
/// `<config>/aichor/config.toml` (the folder that also holds `templates/`).
pub fn default_location(env: &Environment) -> Option<PathBuf> {
    env.config_dir()
        .map(|d| d.join("aichor").join("config.toml"))
}

/// False when the file's folder cannot be searched or the file cannot be opened for lack
/// of permission.
fn readable_or_absent(path: &Path) -> bool {
    match fs_err::File::open(path) {
        Ok(_) => true,
        Err(e) => e.kind() != std::io::ErrorKind::PermissionDenied,
    }
}

fn setting<T>(value: T, origin: &Origin) -> Setting<T> {
    Setting {
        value,
        origin: origin.clone(),
    }
}

/// `AICHOR_<KEY>` for a question key: upper case, `-` as `_` (`cost-centre` →
/// `AICHOR_COST_CENTRE`).
pub fn env_name(key: &str) -> String {
    format!("AICHOR_{}", key.to_ascii_uppercase().replace('-', "_"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Config> {
        Config::parse(Path::new("/c/config.toml"), text)
    }

    #[test]
    fn reads_every_setting_with_its_origin() {
        let c = parse(
            "template = \"team\"\nhooks = true\ncolor = \"never\"\n[defaults]\nprofile = \"gpu-t4\"\nworkers = 4\ntensorboard = false\n",
        )
        .unwrap();
        assert!(c.loaded);
        assert_eq!(c.template.unwrap().value, "team");
        assert!(c.hooks.unwrap().value);
        assert_eq!(c.color.unwrap().value, Color::Never);
        let d: Vec<_> = c
            .defaults
            .iter()
            .map(|(k, v)| (k.as_str(), v.value.as_str()))
            .collect();
        assert_eq!(
            d,
            [
                ("profile", "gpu-t4"),
                ("tensorboard", "false"),
                ("workers", "4")
            ]
        );
    }

    #[test]
    fn a_version_written_as_a_float_keeps_its_text() {
        for text in [
            "[defaults]\npython = 3.10\nworkers = 2\n",
            "defaults = { python = 3.10, workers = 2 }\n",
        ] {
            let c = parse(text).unwrap();
            assert_eq!(c.defaults["python"].value, "3.10", "{text}");
            assert_eq!(c.defaults["workers"].value, "2", "{text}");
        }
    }

    #[test]
    fn refuses_unknown_keys_and_bad_values() {
        let e = parse("profile = \"gpu-t4\"\n").unwrap_err();
        assert!(
            e.causes().join(" ").contains("unknown field `profile`"),
            "{e:?}"
        );
        assert!(parse("color = \"sometimes\"\n").is_err());
        assert!(parse("[defaults]\nprofile = [1]\n").is_err());
        // An empty pack name was looked up as the pack `` ("cannot find template pack ``").
        let e = parse("template = \"  \"\n").unwrap_err();
        assert!(e.to_string().contains("`template` is empty"), "{e}");
        assert!(parse("not toml").is_err());
    }

    #[test]
    fn the_environment_wins_over_the_file_and_empty_is_unset() {
        let c = parse("template = \"team\"\n[defaults]\nprofile = \"gpu-t4\"\npython = \"3.12\"\n")
            .unwrap();
        let env = Environment::from_vars([
            ("AICHOR_PROFILE", " cpu-small\t"),
            ("AICHOR_PYTHON", ""),
            ("AICHOR_UV", "/bin/uv"),
        ]);
        let keys = ["profile", "python", "uv"].map(String::from);
        let d = c.question_defaults(&keys, &env);
        assert_eq!(d["profile"].value, "cpu-small");
        assert_eq!(d["profile"].origin, Origin::Env("AICHOR_PROFILE".into()));
        assert_eq!(d["python"].value, "3.12");
        assert!(
            !d.contains_key("uv"),
            "AICHOR_UV is the tool's own variable"
        );
    }

    #[test]
    fn booleans_read_as_people_write_them() {
        for raw in ["1", "TRUE", "Yes", "on", "y", " true "] {
            assert_eq!(boolish(raw), Some(true), "{raw:?}");
        }
        for raw in ["0", "false", "NO", "off", "n"] {
            assert_eq!(boolish(raw), Some(false), "{raw:?}");
        }
        for raw in ["", "maybe", "2"] {
            assert_eq!(boolish(raw), None, "{raw:?}");
        }
    }
}
