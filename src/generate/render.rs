//! Render stage: the pack's files and the context become an in-memory plan of files (path,
//! mode, bytes). Nothing touches the disk here; the manifest in the plan is checked by the
//! manifest model before anything can be written.

use tera::{Kwargs, State, Tera};

use super::context::Context;
use crate::error::{Error, Result};
use crate::manifest;
use crate::pack::Pack;

pub use crate::txn::plan::{Plan, PlannedFile};

/// Template suffix: files ending with it are rendered (and lose it); others are copied.
const TERA_SUFFIX: &str = ".tera";

/// A Tera engine with the pack's partials and templates loaded.
pub struct Engine {
    tera: Tera,
    pack_name: String,
}

impl Engine {
    /// Register our filters, then load every template in one batch (Tera 2 checks at load
    /// time that each filter used exists, and batch loading is linear).
    pub fn new(pack: &Pack) -> Result<Engine> {
        let mut tera = Tera::default();
        // Nothing we generate is HTML: never escape.
        tera.autoescape_on(Vec::<&str>::new());
        tera.register_filter("yaml_str", |s: &str, _: Kwargs, _: &State| quote_json(s));
        tera.register_filter("toml_str", |s: &str, _: Kwargs, _: &State| {
            toml_edit::Value::from(s).to_string().trim().to_string()
        });
        tera.register_filter("to_yaml", |v: tera::Value, _: Kwargs, _: &State| {
            yaml_serde::to_string(&v)
                .map(|s| s.trim_end().to_string())
                .map_err(|e| tera::Error::message(e.to_string()))
        });
        let mut templates = Vec::new();
        for f in &pack.partials {
            templates.push((
                f.path.clone(),
                utf8(pack, &format!("partials/{}", f.path), &f.contents)?,
            ));
        }
        for f in pack.files.iter().filter(|f| f.path.ends_with(TERA_SUFFIX)) {
            let name = format!("files/{}", f.path);
            templates.push((name.clone(), utf8(pack, &name, &f.contents)?));
        }
        tera.add_raw_templates(templates)
            .map_err(|source| Error::PackTemplates {
                pack: pack.info.name.clone(),
                source,
            })?;
        Ok(Engine {
            tera,
            pack_name: pack.info.name.clone(),
        })
    }

    /// Render a one-off string (a path, a next step) with `ctx`.
    pub fn render_str(&self, what: &str, input: &str, ctx: &tera::Context) -> Result<String> {
        if !input.contains("{{") && !input.contains("{%") {
            return Ok(input.to_string());
        }
        self.tera
            .render_str(input, ctx, false)
            .map_err(|source| Error::Render {
                template: what.to_string(),
                source,
            })
    }
}

fn utf8(pack: &Pack, name: &str, bytes: &[u8]) -> Result<String> {
    String::from_utf8(bytes.to_vec()).map_err(|_| Error::Pack {
        pack: pack.info.name.clone(),
        file: name.to_string(),
        message: "a `.tera` template must be UTF-8 text".into(),
    })
}

/// A JSON string is a valid YAML double-quoted scalar: safe for any value.
fn quote_json(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| format!("{s:?}"))
}

/// Render every file of the pack into a plan, and check the manifests in it.
pub fn plan(ctx: &Context, pack: &Pack, engine: &Engine) -> Result<Plan> {
    let tctx = ctx.tera_context()?;
    let mut files = Vec::new();
    for f in &pack.files {
        // `[[files]]` rules: a file is written only when every condition on it holds, and
        // is executable when any rule says so.
        let mut wanted = true;
        let mut executable = false;
        for rule in pack.file_rules.iter().filter(|r| r.path == f.path) {
            executable |= rule.executable;
            if let Some(when) = &rule.when {
                let test = crate::pack::when_template(when);
                wanted &=
                    engine.render_str(&format!("[[files]] `{}` when", rule.path), &test, &tctx)?
                        == "1";
            }
        }
        if !wanted {
            continue;
        }
        let rendered_path = render_path(engine, &f.path, &tctx)?;
        let (path, contents) = match rendered_path.strip_suffix(TERA_SUFFIX) {
            Some(stripped) => {
                let name = format!("files/{}", f.path);
                let text = engine
                    .tera
                    .render(&name, &tctx)
                    .map_err(|source| Error::Render {
                        template: name.clone(),
                        source,
                    })?;
                (stripped.to_string(), text.into_bytes())
            }
            None => (rendered_path, f.contents.to_vec()),
        };
        files.push(PlannedFile {
            path,
            executable,
            contents,
        });
    }
    if let Some(f) = files
        .iter()
        .find(|f| gitmodules_runs_code(&f.path, &f.contents))
    {
        return Err(Error::UnsafePath {
            path: f.path.clone(),
            reason: "`update = !command` runs that command on `git submodule update`".into(),
        });
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
    if let Some(dup) = files.windows(2).find(|w| w[0].path == w[1].path) {
        return Err(Error::Pack {
            pack: engine.pack_name.clone(),
            file: format!("files/{}", dup[0].path),
            message: "two templates render to the same path".into(),
        });
    }
    for f in files.iter().filter(|f| is_manifest(&f.path)) {
        let text = String::from_utf8_lossy(&f.contents);
        let validation = manifest::validate::validate_text(&text);
        if let Some(d) = validation
            .diagnostics
            .iter()
            .find(|d| d.severity == manifest::validate::Severity::Error)
        {
            return Err(Error::Manifest {
                file: format!("{}:{}:{}", f.path, d.line, d.column),
                key: d.path.clone(),
                message: d.message.clone(),
            });
        }
    }
    Ok(Plan { files })
}

/// Manifests are the YAML files under `aichor_manifests/`.
pub fn is_manifest(path: &str) -> bool {
    path.starts_with("aichor_manifests/")
        && std::path::Path::new(path)
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("yaml") || e.eq_ignore_ascii_case("yml"))
}

/// Why a path component would let the pack run code later, if it would: a version-control
/// folder's config runs commands (`core.fsmonitor`, hooks) when the user follows the next
/// steps (`git init && git add -A`). Compared without case: case-insensitive filesystems
/// treat `.GIT` as `.git`.
fn runs_code(component: &str) -> Option<&'static str> {
    let lower = component.to_ascii_lowercase();
    // Windows ignores trailing dots and spaces: `.git.` is `.git` there.
    let name = lower.trim_end_matches(['.', ' ']);
    match name {
        ".git" | ".hg" | ".svn" | ".bzr" => {
            Some("a version-control folder's config can run commands; packs may not write it")
        }
        _ => None,
    }
}

/// `.gitmodules` whose `update = !command` runs that command on `git submodule update`.
fn gitmodules_runs_code(path: &str, contents: &[u8]) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    name.eq_ignore_ascii_case(".gitmodules")
        && String::from_utf8_lossy(contents).lines().any(|l| {
            let l = l.trim();
            l.split_once('=').is_some_and(|(k, v)| {
                k.trim().eq_ignore_ascii_case("update") && v.trim_start().starts_with('!')
            })
        })
}

/// Render `{{ ... }}` in each path component and refuse anything that could leave the
/// destination or collapse into another path.
fn render_path(engine: &Engine, path: &str, ctx: &tera::Context) -> Result<String> {
    let mut out = Vec::new();
    for component in path.split('/') {
        let rendered = engine.render_str(&format!("path `{path}`"), component, ctx)?;
        if rendered.is_empty()
            || rendered == "."
            || rendered == ".."
            || rendered.contains(['/', '\\'])
        {
            return Err(Error::BadPath {
                template: format!("files/{path}"),
                message: format!(
                    "path component `{component}` renders to `{rendered}`, which is not a plain file name"
                ),
            });
        }
        if let Some(why) = runs_code(&rendered) {
            return Err(Error::UnsafePath {
                path: format!("files/{path}"),
                reason: format!("renders to `{rendered}`: {why}"),
            });
        }
        out.push(rendered);
    }
    Ok(out.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generate::answers::{ProvidedAnswers, collect};
    use crate::generate::questions::{FlagStyle, Questions};

    fn pack_with(files: &[(&str, &str)]) -> (tempfile::TempDir, Pack) {
        let tmp = tempfile::tempdir().unwrap();
        for (path, text) in files {
            let p = tmp.path().join(path);
            fs_err::create_dir_all(p.parent().unwrap()).unwrap();
            fs_err::write(p, text).unwrap();
        }
        let pack =
            Pack::from_dir(tmp.path(), crate::pack::PackSource::Spec("test".into())).unwrap();
        (tmp, pack)
    }

    fn render(pack: &Pack, operator: &str) -> Plan {
        let mut provided = ProvidedAnswers::default();
        provided.insert("name", "demo", crate::error::Origin::Set);
        provided.insert("operator", operator, crate::error::Origin::Set);
        let answers = collect(
            &Questions {
                pack,
                flags: FlagStyle::Init,
            },
            &provided,
            None,
        )
        .unwrap();
        let ctx = Context::resolve(&answers, pack).unwrap();
        let engine = Engine::new(pack).unwrap();
        plan(&ctx, pack, &engine).unwrap()
    }

    #[test]
    fn version_control_paths_are_refused_in_any_case() {
        for name in [".git", ".GIT", ".Git.", ".hg", ".svn"] {
            assert!(runs_code(name).is_some(), "{name}");
        }
        for name in [".github", ".gitignore", "git", ".gitkeep"] {
            assert!(runs_code(name).is_none(), "{name}");
        }
        assert!(gitmodules_runs_code(
            ".gitmodules",
            b"[submodule \"x\"]\n\tupdate = !sh -c evil\n"
        ));
        assert!(!gitmodules_runs_code(
            ".gitmodules",
            b"[submodule \"x\"]\n\tupdate = rebase\n"
        ));
    }

    #[test]
    fn a_templated_git_folder_is_refused() {
        let head = "[pack]\nname = \"t\"\nversion = \"1.0.0\"\ndescription = \"t\"\nextends = \"builtin\"\n\n[vars]\nd = \".git\"\n";
        let (_tmp, pack) = pack_with(&[
            ("pack.toml", head),
            (
                "files/{{ vars.d }}/config",
                "[core]\nfsmonitor = \"touch /tmp/pwned\"\n",
            ),
        ]);
        let mut provided = ProvidedAnswers::default();
        provided.insert("name", "demo", crate::error::Origin::Set);
        provided.insert("operator", "jax", crate::error::Origin::Set);
        let answers = collect(
            &Questions {
                pack: &pack,
                flags: FlagStyle::Init,
            },
            &provided,
            None,
        )
        .unwrap();
        let ctx = Context::resolve(&answers, &pack).unwrap();
        let engine = Engine::new(&pack).unwrap();
        let err = plan(&ctx, &pack, &engine).unwrap_err();
        assert!(
            matches!(&err, Error::UnsafePath { reason, .. } if reason.contains("`.git`")),
            "{err}"
        );
    }

    #[test]
    fn files_rules_set_conditions_and_the_executable_bit() {
        let head = "[pack]\nname = \"t\"\nversion = \"1.0.0\"\ndescription = \"t\"\nextends = \"builtin\"\n";
        let rules = "[[files]]\npath = \"run.sh\"\nexecutable = true\n\n[[files]]\npath = \"ray-only.txt\"\nwhen = \"operator == 'kuberay'\"\n";
        let (_tmp, pack) = pack_with(&[
            ("pack.toml", &format!("{head}\n{rules}")),
            ("files/run.sh", "#!/bin/sh\n"),
            ("files/ray-only.txt", "ray\n"),
        ]);
        let jax = render(&pack, "jax");
        let run = jax.files.iter().find(|f| f.path == "run.sh").unwrap();
        assert!(run.executable);
        assert!(jax.files.iter().all(|f| f.path != "ray-only.txt"));
        assert!(
            jax.files
                .iter()
                .filter(|f| f.path != "run.sh")
                .all(|f| !f.executable)
        );
        let ray = render(&pack, "kuberay");
        assert!(ray.files.iter().any(|f| f.path == "ray-only.txt"));
    }
}
