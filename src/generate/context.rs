//! Resolve stage: validated answers become the typed, immutable context every template sees
//! (derived names, the chosen profile's resources, the operator's type layout). Pure.

use serde::Serialize;

use super::questions::{Answers, Value};
use crate::error::{Error, Result};
use crate::names::Names;
use crate::operator::Operator;
use crate::pack::{Pack, PackInfo};
use crate::profile::Resources;

/// The manifest `init` writes, relative to `aichor_manifests/`.
pub const DEFAULT_MANIFEST: &str = "manifest.yaml";

/// Everything a template may use. Field names are the template variable names.
#[derive(Debug, Clone, Serialize)]
pub struct Context {
    #[serde(flatten)]
    pub names: Names,
    pub operator: Operator,
    pub operator_description: &'static str,
    pub profile: String,
    pub profile_description: String,
    /// `2 CPUs · 4 GB RAM · 1× GPU nvidia-tesla-t4`, as shown at the prompt.
    pub profile_summary: String,
    /// `cpu`, `gpu` or `tpu`.
    pub accelerator: &'static str,
    /// GPUs per container.
    pub gpus: u64,
    /// Resources of each worker container.
    pub resources: Resources,
    /// KubeRay head resources.
    pub head_resources: Resources,
    /// The profile's `spec.timeout`, if it sets one.
    pub profile_timeout: Option<String>,
    /// Name of the type/group in `spec.types` (jobset group, kuberay worker group).
    pub worker_group: String,
    pub workers: u32,
    /// `3.11`.
    pub python: String,
    /// `311`, as used in image tags.
    pub python_tag: String,
    pub tensorboard: bool,
    /// The manifest's path relative to `aichor_manifests/` (its commit-message selector):
    /// `manifest.yaml` for `init`, the new one's for `manifest new`.
    pub manifest_path: String,
    /// A dependency group the image installs besides the project's dependencies (`manifest
    /// new` for another operator or accelerator); `None` for `init`.
    pub dependency_group: Option<String>,
    /// The pack's shared values (`[vars]` in pack.toml).
    pub vars: serde_json::Map<String, serde_json::Value>,
    pub pack: PackInfo,
    pub aichor_version: &'static str,
    /// The pack's own answers by key (`null` when a question's `when` was false).
    #[serde(flatten)]
    pub extra: std::collections::BTreeMap<String, serde_json::Value>,
}

impl Context {
    /// Build the context. `collect` validated every answer, so one missing or mistyped here
    /// is a bug, reported as such rather than blamed on a flag.
    pub fn resolve(answers: &Answers, pack: &Pack) -> Result<Context> {
        let bug = |key: &str| Error::Internal {
            what: format!("the `{key}` answer is missing or mistyped after validation"),
            source: None,
        };
        let name = answers.str("name").ok_or_else(|| bug("name"))?;
        let names = Names::derive(name).map_err(|_| bug("name"))?;
        let operator = answers.operator().ok_or_else(|| bug("operator"))?;
        let profile_id = answers.str("profile").ok_or_else(|| bug("profile"))?;
        let profile = pack.profile(profile_id).ok_or_else(|| bug("profile"))?;
        let python = answers
            .str("python")
            .ok_or_else(|| bug("python"))?
            .to_string();
        let accelerator = profile.accelerator();
        // The head only schedules work: a small CPU block unless the profile says otherwise.
        let head_resources = profile
            .head
            .clone()
            .or_else(|| pack.default_head.clone())
            .ok_or_else(|| Error::Pack {
                pack: pack.info.name.clone(),
                file: "profiles.toml".into(),
                message: format!(
                    "profile `{}` has no `head` and there is no `default-head`",
                    profile.id
                ),
            })?;
        let worker_group = match operator {
            Operator::Kuberay => format!("{accelerator}-workers"),
            _ => "worker".to_string(),
        };
        Ok(Context {
            operator,
            operator_description: operator.description(),
            profile: profile.id.clone(),
            profile_description: profile.description.clone(),
            profile_summary: profile.resources.summary(),
            accelerator,
            gpus: profile.resources.gpus(),
            resources: profile.resources.clone(),
            head_resources,
            profile_timeout: profile.timeout.clone(),
            worker_group,
            workers: answers
                .int("workers")
                .and_then(|w| u32::try_from(w).ok())
                .ok_or_else(|| bug("workers"))?,
            extra: pack
                .questions
                .iter()
                .map(|q| {
                    (
                        q.key.clone(),
                        answers
                            .get(&q.key)
                            .map_or(serde_json::Value::Null, Value::to_json),
                    )
                })
                .collect(),
            python_tag: python.replace('.', ""),
            python,
            tensorboard: answers
                .bool("tensorboard")
                .ok_or_else(|| bug("tensorboard"))?,
            manifest_path: DEFAULT_MANIFEST.into(),
            dependency_group: None,
            vars: pack.vars.clone(),
            pack: pack.info.clone(),
            aichor_version: env!("CARGO_PKG_VERSION"),
            names,
        })
    }

    /// The context as Tera sees it.
    pub fn tera_context(&self) -> Result<tera::Context> {
        tera::Context::from_serialize(self)
            .map_err(|e| Error::internal("the template context cannot be built", e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generate::answers::{ProvidedAnswers, collect};
    use crate::generate::questions::{FlagStyle, Questions};

    #[test]
    fn every_context_variable_is_reserved_from_pack_questions() {
        let pack = Pack::builtin().unwrap();
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
        let serde_json::Value::Object(vars) = serde_json::to_value(&ctx).unwrap() else {
            panic!("the context serializes to a map");
        };
        for key in vars.keys() {
            let from_pack = pack.questions.iter().any(|q| &q.key == key);
            assert!(
                from_pack || crate::pack::RESERVED_KEYS.contains(&key.as_str()),
                "`{key}` is a template variable a pack question could shadow"
            );
        }
    }
}
