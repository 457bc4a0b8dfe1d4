//! The environment, read once: every variable `aichor` reads for itself, and the user's
//! folders (config, cache) derived from them. The binary reads the process's environment at
//! start and hands this to the commands; the library never calls `std::env::var`, so a test
//! (or an embedding program) gives it exactly the environment it means.

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::path::{Path, PathBuf};

/// A pack name given without `--template`.
pub const TEMPLATE: &str = "AICHOR_TEMPLATE";
/// Folders searched for packs by name, before `<config>/aichor/templates/`.
pub const TEMPLATE_PATH: &str = "AICHOR_TEMPLATE_PATH";
/// Replaces the cache folder (git packs).
pub const CACHE_DIR: &str = "AICHOR_CACHE_DIR";
/// The uv program to run.
pub const UV: &str = "AICHOR_UV";
/// Replaces the config file's location (tests, a team's shared file).
pub const CONFIG_FILE: &str = "AICHOR_CONFIG_FILE";
/// Set to a true value to read no config file at all.
pub const NO_CONFIG: &str = "AICHOR_NO_CONFIG";

/// The variables read besides `AICHOR_*`: where the user's folders and programs are.
const FOLDER_VARS: &[&str] = &[
    "PATH",
    "HOME",
    "XDG_CONFIG_HOME",
    "XDG_CACHE_HOME",
    "APPDATA",
    "LOCALAPPDATA",
];

/// What git tells the hooks it runs: `GIT_INDEX_FILE` (set for every commit hook: what the
/// commit will contain) and `GIT_EDITOR` (`:` when no editor is opened for the message, which
/// decides whether git strips its comment lines).
pub const GIT_HOOK_VARS: &[&str] = &["GIT_INDEX_FILE", "GIT_EDITOR"];

/// A snapshot of the variables `aichor` reads. `Environment::default()` is an empty one: no
/// home, no config folder, no cache, no `AICHOR_*` (what the library's own tests use).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Environment {
    vars: BTreeMap<String, OsString>,
}

impl Environment {
    /// The process's environment: `AICHOR_*` and the folder variables, read now.
    pub fn from_process() -> Environment {
        Environment::from_vars(std::env::vars_os())
    }

    /// The variables `aichor` reads among `vars` (the rest are dropped).
    pub fn from_vars<K, V>(vars: impl IntoIterator<Item = (K, V)>) -> Environment
    where
        K: Into<OsString>,
        V: Into<OsString>,
    {
        let vars = vars
            .into_iter()
            .filter_map(|(k, v)| {
                let key = k.into().into_string().ok()?;
                let read = key.starts_with("AICHOR_")
                    || FOLDER_VARS.contains(&key.as_str())
                    || GIT_HOOK_VARS.contains(&key.as_str());
                read.then(|| (key, v.into()))
            })
            .collect();
        Environment { vars }
    }

    /// `name`'s value, when it is set and not empty.
    pub fn var_os(&self, name: &str) -> Option<&OsString> {
        self.vars.get(name).filter(|v| !v.is_empty())
    }

    /// `name`'s value as text (`None` when unset, empty or not UTF-8).
    pub fn var(&self, name: &str) -> Option<&str> {
        self.var_os(name).and_then(|v| v.to_str())
    }

    /// Every `AICHOR_*` variable that is text (question defaults are read from these once the
    /// pack's questions are known).
    pub fn aichor_vars(&self) -> BTreeMap<String, String> {
        self.vars
            .iter()
            .filter(|(k, _)| k.starts_with("AICHOR_"))
            .filter_map(|(k, v)| Some((k.clone(), v.to_str()?.to_string())))
            .collect()
    }

    /// The user's config folder: `$XDG_CONFIG_HOME`, else `~/.config` (also on macOS, where
    /// CLI users expect it), `%APPDATA%` on Windows. A relative `XDG_CONFIG_HOME` is
    /// ignored, as the XDG spec requires.
    pub fn config_dir(&self) -> Option<PathBuf> {
        if let Some(dir) = self
            .var_os("XDG_CONFIG_HOME")
            .filter(|d| Path::new(d).is_absolute())
        {
            return Some(PathBuf::from(dir));
        }
        if cfg!(windows) {
            return self.var_os("APPDATA").map(PathBuf::from);
        }
        self.var_os("HOME")
            .map(|h| PathBuf::from(h).join(".config"))
    }

    /// aichor's cache folder (git packs): `AICHOR_CACHE_DIR`, else `$XDG_CACHE_HOME/aichor`,
    /// `%LOCALAPPDATA%\aichor\cache` on Windows, else `~/.cache/aichor`.
    pub fn cache_dir(&self) -> Option<PathBuf> {
        if let Some(dir) = self.var_os(CACHE_DIR) {
            return Some(PathBuf::from(dir));
        }
        if let Some(dir) = self.var_os("XDG_CACHE_HOME") {
            return Some(PathBuf::from(dir).join("aichor"));
        }
        if cfg!(windows) {
            return self
                .var_os("LOCALAPPDATA")
                .map(|d| PathBuf::from(d).join("aichor").join("cache"));
        }
        self.var_os("HOME")
            .map(|h| PathBuf::from(h).join(".cache").join("aichor"))
    }

    /// A program on `PATH` (none without one).
    pub fn program(&self, name: &str) -> Option<PathBuf> {
        let path = self.var_os("PATH")?;
        let cwd = std::env::current_dir().unwrap_or_default();
        which::which_in(name, Some(path), cwd).ok()
    }

    /// The folders of `AICHOR_TEMPLATE_PATH`, in order (empty entries skipped).
    pub fn template_path(&self) -> Vec<PathBuf> {
        self.var_os(TEMPLATE_PATH)
            .map(|p| {
                std::env::split_paths(p)
                    .filter(|d| !d.as_os_str().is_empty())
                    .collect()
            })
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_variables_aichor_reads_are_kept() {
        let env = Environment::from_vars([
            ("AICHOR_OPERATOR", "jax"),
            ("HOME", "/home/u"),
            ("TERM", "xterm"),
            ("GIT_DIR", "/x"),
        ]);
        assert_eq!(env.var("AICHOR_OPERATOR"), Some("jax"));
        assert_eq!(env.var("TERM"), None);
        assert_eq!(env.var("GIT_DIR"), None);
        assert_eq!(
            env.aichor_vars().into_iter().collect::<Vec<_>>(),
            [("AICHOR_OPERATOR".to_string(), "jax".to_string())]
        );
    }

    #[cfg(unix)]
    #[test]
    fn folders_follow_xdg_then_home() {
        let home = Environment::from_vars([("HOME", "/home/u")]);
        assert_eq!(home.config_dir(), Some(PathBuf::from("/home/u/.config")));
        assert_eq!(
            home.cache_dir(),
            Some(PathBuf::from("/home/u/.cache/aichor"))
        );
        let xdg = Environment::from_vars([
            ("HOME", "/home/u"),
            ("XDG_CONFIG_HOME", "relative/is/ignored"),
            ("XDG_CACHE_HOME", "/c"),
        ]);
        assert_eq!(xdg.config_dir(), Some(PathBuf::from("/home/u/.config")));
        assert_eq!(xdg.cache_dir(), Some(PathBuf::from("/c/aichor")));
        let chosen = Environment::from_vars([("AICHOR_CACHE_DIR", "/mine"), ("HOME", "/h")]);
        assert_eq!(chosen.cache_dir(), Some(PathBuf::from("/mine")));
        assert_eq!(Environment::default().config_dir(), None);
        assert_eq!(Environment::default().cache_dir(), None);
    }

    #[test]
    fn the_template_path_skips_empty_entries() {
        let sep = if cfg!(windows) { ";" } else { ":" };
        let env = Environment::from_vars([("AICHOR_TEMPLATE_PATH", format!("a{sep}{sep}b"))]);
        assert_eq!(
            env.template_path(),
            [PathBuf::from("a"), PathBuf::from("b")]
        );
    }
}
