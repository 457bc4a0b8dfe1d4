//! The AIchor manifest model (apiVersion 0.2.3): typed fields plus the rules serde cannot
//! express (per-operator `spec.types` shapes, exactly one of `ramRatio`/`memory`, jobset
//! group names, `builder.image` = `spec.image`). `init` checks every manifest it renders
//! with it, so no template can write an invalid manifest silently.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::profile::Resources;

/// Accepted `apiVersion` values; the platform validates all of them with 0.2.3 shapes.
const API_VERSIONS: &[&str] = &["0.2.1", "0.2.2", "0.2.3"];

/// A manifest problem: the key path where it is, and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub key: String,
    pub message: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct Manifest {
    kind: Option<String>,
    api_version: Option<String>,
    #[allow(dead_code)]
    name: Option<String>,
    builder: Builder,
    #[allow(dead_code)]
    clone: Option<CloneSpec>,
    spec: Spec,
    /// Undocumented, seen in platform-run manifests.
    #[allow(dead_code)]
    engine_name: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct Builder {
    image: Option<String>,
    dockerfile: Option<String>,
    #[allow(dead_code)]
    context: Option<String>,
    #[allow(dead_code)]
    build_args: Option<BTreeMap<String, yaml_serde::Value>>,
    #[allow(dead_code)]
    registry: Option<String>,
    #[allow(dead_code)]
    target: Option<String>,
    #[allow(dead_code)]
    skip_build: Option<yaml_serde::Value>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct CloneSpec {
    #[allow(dead_code)]
    depth: Option<u32>,
    #[allow(dead_code)]
    include_dot_git: Option<bool>,
    #[allow(dead_code)]
    submodules: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[allow(dead_code)]
struct Spec {
    operator: String,
    image: String,
    command: String,
    types: yaml_serde::Value,
    tensorboard: Option<Tensorboard>,
    timeout: Option<String>,
    active_deadline_seconds: Option<u64>,
    env: Option<BTreeMap<String, String>>,
    ray_version: Option<String>,
    debug: Option<yaml_serde::Value>,
    storage: Option<yaml_serde::Value>,
    engine_name: Option<String>,
    graceful_termination: Option<yaml_serde::Value>,
    restart_policy: Option<yaml_serde::Value>,
    security_context: Option<yaml_serde::Value>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Tensorboard {
    #[allow(dead_code)]
    enabled: bool,
}

/// `worker` of pytorch / jax / xgboost.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Worker {
    #[allow(dead_code)]
    count: Option<u64>,
    resources: Resources,
}

/// One jobset group.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct JobsetGroup {
    count: Option<u64>,
    completions: Option<u64>,
    parallelisms: Option<u64>,
    resources: Resources,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[allow(dead_code)]
struct RayHead {
    resources: Resources,
    ray_start_params: Option<BTreeMap<String, String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[allow(dead_code)]
struct RayWorkers {
    name: String,
    count: Option<u64>,
    resources: Resources,
    ray_start_params: Option<BTreeMap<String, String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RayTypes {
    #[serde(rename = "Head")]
    head: RayHead,
    #[serde(rename = "Workers", default)]
    workers: Vec<RayWorkers>,
}

/// Check a manifest's text; returns every problem found (empty = valid).
pub fn check(text: &str) -> Vec<Problem> {
    let problem = |key: &str, message: String| Problem {
        key: key.into(),
        message,
    };
    let manifest: Manifest = match yaml_serde::from_str(text) {
        Ok(m) => m,
        Err(e) => return vec![problem("", e.to_string())],
    };
    let mut problems = Vec::new();
    if let Some(kind) = &manifest.kind
        && kind != "AIchorManifest"
    {
        problems.push(problem("kind", format!("`{kind}` is not `AIchorManifest`")));
    }
    if let Some(v) = &manifest.api_version
        && !API_VERSIONS.contains(&v.as_str())
    {
        problems.push(problem(
            "apiVersion",
            format!("`{v}` is not one of {}", API_VERSIONS.join(", ")),
        ));
    }
    match &manifest.builder.image {
        Some(img) if *img != manifest.spec.image => problems.push(problem(
            "builder.image",
            format!("`{img}` differs from spec.image `{}`", manifest.spec.image),
        )),
        None => problems.push(problem(
            "builder.image",
            "missing; it must equal spec.image".into(),
        )),
        _ => {}
    }
    if manifest.builder.dockerfile.is_none() {
        problems.push(problem("builder.dockerfile", "missing".into()));
    }
    if manifest.spec.command.trim().is_empty() {
        problems.push(problem("spec.command", "empty".into()));
    }
    let types = &manifest.spec.types;
    match manifest.spec.operator.as_str() {
        "pytorch" | "jax" | "xgboost" => {
            let op = &manifest.spec.operator;
            match typed::<BTreeMap<String, Worker>>(types) {
                Ok(map) => {
                    for key in map.keys().filter(|k| *k != "worker") {
                        let hint = if key == "Master" || key == "Worker" {
                            " (a pre-0.2.3 shape: merge into one lowercase `worker` whose count is the sum)"
                        } else {
                            ""
                        };
                        problems.push(problem(
                            &format!("spec.types.{key}"),
                            format!("`{op}` takes only `worker`{hint}"),
                        ));
                    }
                    match map.get("worker") {
                        Some(w) => check_resources(
                            "spec.types.worker.resources",
                            &w.resources,
                            &mut problems,
                        ),
                        None => problems.push(problem(
                            "spec.types",
                            format!("`{op}` needs a `worker` type"),
                        )),
                    }
                }
                Err(e) => problems.push(problem("spec.types", e)),
            }
        }
        "jobset" => match typed::<BTreeMap<String, JobsetGroup>>(types) {
            Ok(map) if map.is_empty() => problems.push(problem(
                "spec.types",
                "jobset needs at least one group".into(),
            )),
            Ok(map) => {
                for (name, group) in &map {
                    if !jobset_name_ok(name) {
                        problems.push(problem(
                            &format!("spec.types.{name}"),
                            "group names must match ^[a-z0-9-]+$ and not start with a digit or `-`"
                                .into(),
                        ));
                    }
                    check_resources(
                        &format!("spec.types.{name}.resources"),
                        &group.resources,
                        &mut problems,
                    );
                }
            }
            Err(e) => problems.push(problem("spec.types", e)),
        },
        "kuberay" => match typed::<RayTypes>(types) {
            Ok(ray) => {
                check_resources(
                    "spec.types.Head.resources",
                    &ray.head.resources,
                    &mut problems,
                );
                for (i, w) in ray.workers.iter().enumerate() {
                    if !jobset_name_ok(&w.name) {
                        problems.push(problem(
                            &format!("spec.types.Workers[{i}].name"),
                            "must match ^[a-z0-9-]+$".into(),
                        ));
                    }
                    check_resources(
                        &format!("spec.types.Workers[{i}].resources"),
                        &w.resources,
                        &mut problems,
                    );
                }
            }
            Err(e) => problems.push(problem("spec.types", e)),
        },
        "tf" | "batchjob" => problems.push(problem(
            "spec.operator",
            format!(
                "`{}` was removed in apiVersion 0.2.3; use `jobset`",
                manifest.spec.operator
            ),
        )),
        other => problems.push(problem(
            "spec.operator",
            format!("`{other}` is not one of pytorch, jax, xgboost, jobset, kuberay"),
        )),
    }
    if manifest.spec.ray_version.is_some() && manifest.spec.operator != "kuberay" {
        problems.push(problem(
            "spec.rayVersion",
            "only valid with the kuberay operator".into(),
        ));
    }
    problems
}

fn typed<T: serde::de::DeserializeOwned>(v: &yaml_serde::Value) -> Result<T, String> {
    yaml_serde::from_value(v.clone()).map_err(|e| e.to_string())
}

fn check_resources(key: &str, r: &Resources, problems: &mut Vec<Problem>) {
    if r.ram_ratio.is_some() == r.memory.is_some() {
        problems.push(Problem {
            key: key.into(),
            message: "set exactly one of `ramRatio` or `memory`".into(),
        });
    }
}

fn jobset_name_ok(name: &str) -> bool {
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !name.starts_with(|c: char| c.is_ascii_digit() || c == '-')
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINIMAL: &str = "builder:\n  image: img\n  dockerfile: ./Dockerfile\nspec:\n  operator: jobset\n  image: img\n  command: python3 -u main.py\n  types:\n    worker:\n      resources:\n        ramRatio: 2\n        cpus: 1\n";

    #[test]
    fn minimal_manifest_is_valid() {
        assert_eq!(check(MINIMAL), vec![]);
    }

    #[test]
    fn catches_the_common_mistakes() {
        let both = MINIMAL.replace("ramRatio: 2", "ramRatio: 2\n        memory: 8");
        assert_eq!(check(&both)[0].key, "spec.types.worker.resources");
        let mismatch = MINIMAL.replacen("image: img", "image: other", 1);
        assert_eq!(check(&mismatch)[0].key, "builder.image");
        let bad_group = MINIMAL.replace("    worker:", "    Worker:");
        assert_eq!(check(&bad_group)[0].key, "spec.types.Worker");
        let legacy = MINIMAL
            .replace("jobset", "pytorch")
            .replace("    worker:", "    Master:");
        assert!(
            check(&legacy)
                .iter()
                .any(|p| p.message.contains("pre-0.2.3"))
        );
        let unknown = MINIMAL.replace("ramRatio", "ramratio");
        assert!(!check(&unknown).is_empty());
    }
}
