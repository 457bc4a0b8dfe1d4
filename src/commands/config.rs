//! `aichor config path|show`: where the user's config file is, and every default in effect
//! with where it came from (the environment, the config file, the pack).

use aichor::environment::Environment;

use aichor::config::{Config, env_name};
use aichor::error::{Origin, Result};
use aichor::generate::questions::{FlagStyle, Questions};
use aichor::pack::Pack;
use aichor::printer::{Format, Printer};
use serde::Serialize;

pub(super) fn path(printer: &Printer, env: &Environment) {
    match Config::location(env) {
        Some(path) => {
            printer.data(&path.display().to_string());
            if path.is_dir() {
                printer.note("(a folder is there, not a file: commands that read the config fail until it is moved away)");
            } else if !path.is_file() {
                printer.note("(no file there yet: every default is the pack's)");
            }
        }
        None => printer.note(&format!(
            "no config file is read: {} is set, or no config folder could be found",
            aichor::config::NO_CONFIG_VAR
        )),
    }
}

/// One default in effect.
#[derive(Serialize)]
struct Row {
    key: String,
    value: Option<String>,
    /// `environment`, `config file`, `pack` or `built-in`.
    source: &'static str,
    /// The variable or file, when there is one.
    from: Option<String>,
}

#[derive(Serialize)]
struct Report {
    config_file: Option<String>,
    loaded: bool,
    pack: String,
    settings: Vec<Row>,
    /// `[defaults]` keys no question of the pack has (they may be meant for another pack).
    unused: Vec<String>,
}

fn row<T: ToString>(
    key: &str,
    setting: Option<&aichor::config::Setting<T>>,
    fallback: &str,
) -> Row {
    match setting {
        Some(s) => {
            let (source, from) = describe(&s.origin);
            Row {
                key: key.into(),
                value: Some(s.value.to_string()),
                source,
                from,
            }
        }
        None => Row {
            key: key.into(),
            value: Some(fallback.into()),
            source: "built-in",
            from: None,
        },
    }
}

fn describe(origin: &Origin) -> (&'static str, Option<String>) {
    match origin {
        Origin::Env(var) => ("environment", Some(var.clone())),
        Origin::ConfigFile(path) => ("config file", Some(path.display().to_string())),
        _ => ("built-in", None),
    }
}

pub(super) fn show(
    template: Option<&str>,
    format: Format,
    printer: &Printer,
    env: &Environment,
    config: Result<Config>,
) -> Result<()> {
    let config = config?;
    let pack_spec = template.or(config.template.as_ref().map(|t| t.value.as_str()));
    let pack = Pack::load(pack_spec, env)?;
    let questions = Questions {
        pack: &pack,
        flags: FlagStyle::Init,
    };
    let keys = questions.keys();
    let defaults = config.question_defaults(&keys, env);
    let mut settings = vec![
        row("template", config.template.as_ref(), "builtin"),
        row("hooks", config.hooks.as_ref(), "false"),
        row(
            "color",
            config
                .color
                .as_ref()
                .map(|c| aichor::config::Setting {
                    value: format!("{:?}", c.value).to_lowercase(),
                    origin: c.origin.clone(),
                })
                .as_ref(),
            "auto",
        ),
    ];
    let empty = aichor::generate::questions::Answers::default();
    for key in &keys {
        // The project name comes from the destination; it is never a standing default.
        if key == "name" {
            continue;
        }
        settings.push(match defaults.get(key) {
            Some(d) => {
                let (source, from) = describe(&d.origin);
                Row {
                    key: key.clone(),
                    value: Some(d.value.clone()),
                    source,
                    from,
                }
            }
            None => Row {
                key: key.clone(),
                value: questions
                    .default(key, &empty)
                    .ok()
                    .flatten()
                    .map(|v| v.display()),
                source: "pack",
                from: None,
            },
        });
    }
    let unused: Vec<String> = config
        .defaults
        .keys()
        .filter(|k| !keys.contains(k))
        .cloned()
        .collect();
    let report = Report {
        config_file: config.path.as_ref().map(|p| p.display().to_string()),
        loaded: config.loaded,
        pack: format!("{} {}", pack.info.name, pack.info.version),
        settings,
        unused,
    };
    if format == Format::Json {
        return printer.json(&report);
    }
    printer.data(&text(&report));
    Ok(())
}

/// What is asked, having no default.
const ASKED: &str = "(asked)";

/// The report as an aligned table: key, value, where it comes from.
fn text(report: &Report) -> String {
    let mut out = String::new();
    let file = match (&report.config_file, report.loaded) {
        (Some(path), true) => path.clone(),
        (Some(path), false) => format!("{path} (not there)"),
        (None, _) => format!("none ({} is set)", aichor::config::NO_CONFIG_VAR),
    };
    out.push_str(&format!("config file: {file}\npack: {}\n\n", report.pack));
    let width = report
        .settings
        .iter()
        .map(|r| r.key.len())
        .max()
        .unwrap_or(0);
    let value_width = report
        .settings
        .iter()
        .map(|r| r.value.as_deref().unwrap_or(ASKED).chars().count())
        .max()
        .unwrap_or(0);
    for r in &report.settings {
        let value = r.value.as_deref().unwrap_or(ASKED);
        let source = match &r.from {
            Some(from) => format!("{} {from}", r.source),
            None => r.source.to_string(),
        };
        out.push_str(&format!(
            "{:<width$}  {value:<value_width$}  {source}\n",
            r.key
        ));
    }
    if !report.unused.is_empty() {
        out.push_str(&format!(
            "\nnot a question of this pack (kept for others): {}\n",
            report.unused.join(", ")
        ));
    }
    out.push_str(&format!(
        "\nEach question's default can also come from `{}`-style variables (above the file).\n",
        env_name("<key>")
    ));
    out
}
