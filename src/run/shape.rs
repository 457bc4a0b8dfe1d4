//! What a local run needs from a manifest: the operator, `spec.command`, `spec.env` and the
//! shape of `spec.types` (workers, jobset groups, the Ray head and worker groups), read from a
//! manifest the validator already passed.

use std::collections::BTreeMap;

use serde_json::Value;

/// One resources block, as far as a local run cares.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Pod {
    /// CPUs requested (`resources.cpus`, default 1).
    pub cpus: f64,
    /// GPUs per pod (`resources.accelerators.gpu.count`).
    pub gpus: u64,
    /// A TPU slice was asked for.
    pub tpu: bool,
}

/// One jobset group: `count` Jobs of `completions` pods, `parallelisms` at once.
#[derive(Debug, Clone, PartialEq)]
pub struct JobGroup {
    pub name: String,
    pub count: u32,
    pub completions: u32,
    pub parallelism: u32,
    pub pod: Pod,
}

/// One kuberay worker group.
#[derive(Debug, Clone, PartialEq)]
pub struct RayGroup {
    pub name: String,
    pub count: u32,
    pub params: Vec<(String, String)>,
    pub pod: Pod,
}

/// `spec.types`, per operator.
#[derive(Debug, Clone, PartialEq)]
pub enum Types {
    /// pytorch, xgboost, jax: `worker.count` containers; container 0 coordinates.
    Workers { count: u32, pod: Pod },
    /// jobset: groups in the manifest's order.
    Jobset(Vec<JobGroup>),
    /// kuberay: a head (with its `rayStartParams`) and worker groups.
    Ray {
        head_params: Vec<(String, String)>,
        head: Pod,
        groups: Vec<RayGroup>,
    },
}

/// The parts of a manifest a local run uses.
#[derive(Debug, Clone, PartialEq)]
pub struct Shape {
    pub operator: String,
    pub command: String,
    pub env: BTreeMap<String, String>,
    /// `builder.context`, the folder the image copies (the processes' working folder).
    pub context: String,
    pub types: Types,
}

/// Why a manifest cannot be run here (the caller adds where and how to fix).
pub type Refusal = String;

impl Shape {
    /// Read a manifest's text. The validator ran first, so a shape it accepts is assumed;
    /// anything else is a refusal, never a panic.
    pub fn parse(text: &str) -> Result<Shape, Refusal> {
        let doc: Value = yaml_serde::from_str(text).map_err(|e| format!("not YAML: {e}"))?;
        let spec = doc.get("spec").ok_or("no `spec`")?;
        let operator = str_of(spec.get("operator")).ok_or("no `spec.operator`")?;
        let command = match spec.get("command") {
            Some(Value::String(s)) => s.clone(),
            _ => return Err("no `spec.command`".into()),
        };
        let env = string_map(spec.get("env"));
        let context = doc
            .get("builder")
            .and_then(|b| str_of(b.get("context")))
            .unwrap_or_else(|| ".".into());
        let types = spec.get("types").ok_or("no `spec.types`")?;
        let types = match operator.as_str() {
            "pytorch" | "xgboost" | "jax" => {
                let worker = types
                    .get("worker")
                    .ok_or("no `spec.types.worker` (the 0.2.3 shape)")?;
                Types::Workers {
                    count: count(worker.get("count"), 1),
                    pod: pod(worker),
                }
            }
            "jobset" => {
                let Value::Object(groups) = types else {
                    return Err("`spec.types` is not a mapping of groups".into());
                };
                Types::Jobset(
                    groups
                        .iter()
                        .map(|(name, g)| JobGroup {
                            name: name.clone(),
                            count: count(g.get("count"), 1),
                            completions: count(g.get("completions"), 1),
                            parallelism: count(g.get("parallelisms"), 1).max(1),
                            pod: pod(g),
                        })
                        .collect(),
                )
            }
            "kuberay" => {
                let head = types.get("Head").ok_or("no `spec.types.Head`")?;
                let groups = match types.get("Workers") {
                    Some(Value::Array(items)) => items
                        .iter()
                        .map(|w| RayGroup {
                            name: str_of(w.get("name")).unwrap_or_else(|| "workers".into()),
                            count: count(w.get("count"), 0),
                            params: pairs(w.get("rayStartParams")),
                            pod: pod(w),
                        })
                        .collect(),
                    _ => Vec::new(),
                };
                Types::Ray {
                    head_params: pairs(head.get("rayStartParams")),
                    head: pod(head),
                    groups,
                }
            }
            other => {
                return Err(format!(
                    "operator `{other}` has no local run (it runs on the platform's engines only)"
                ));
            }
        };
        Ok(Shape {
            operator,
            command,
            env,
            context,
            types,
        })
    }
}

fn str_of(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn count(v: Option<&Value>, default: u32) -> u32 {
    v.and_then(Value::as_u64)
        .map_or(default, |n| u32::try_from(n).unwrap_or(u32::MAX))
}

fn string_map(v: Option<&Value>) -> BTreeMap<String, String> {
    pairs(v).into_iter().collect()
}

/// A mapping's scalar entries in the manifest's order.
fn pairs(v: Option<&Value>) -> Vec<(String, String)> {
    match v {
        Some(Value::Object(map)) => map
            .iter()
            .filter_map(|(k, v)| Some((k.clone(), str_of(Some(v))?)))
            .collect(),
        _ => Vec::new(),
    }
}

fn pod(group: &Value) -> Pod {
    let res = group.get("resources");
    let get = |path: &[&str]| {
        let mut v = res?;
        for key in path {
            v = v.get(key)?;
        }
        Some(v)
    };
    Pod {
        cpus: get(&["cpus"]).and_then(Value::as_f64).unwrap_or(1.0),
        gpus: get(&["accelerators", "gpu", "count"])
            .and_then(Value::as_u64)
            .unwrap_or(0),
        tpu: get(&["accelerators", "tpu"]).is_some(),
    }
}
