//! Resource profiles: named `resources` blocks (CPUs, RAM, accelerators) that a pack ships as
//! data in `profiles.toml`. The keys mirror the manifest's, so a block can be copied from a
//! real manifest as is.

use serde::{Deserialize, Serialize};

use crate::operator::Operator;

/// A number as the manifest writes it: integers stay integers (`cpus: 2`, not `2.0`).
#[derive(Debug, Clone, Copy, PartialEq, Deserialize, Serialize)]
#[serde(untagged)]
pub enum Num {
    Int(u64),
    Float(f64),
}

impl Num {
    // Counts in a profile are far below 2^52: no precision is lost.
    #[allow(clippy::cast_precision_loss)]
    fn as_f64(self) -> f64 {
        match self {
            Num::Int(i) => i as f64,
            Num::Float(f) => f,
        }
    }
}

/// One manifest `resources` block.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Resources {
    /// CPU request; the platform's default is 1.
    #[serde(default = "one_cpu")]
    pub cpus: Num,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ram_ratio: Option<Num>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub memory: Option<Num>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cpu_limit_ratio: Option<Num>,
    #[serde(rename = "shmSizeGB", skip_serializing_if = "Option::is_none")]
    pub shm_size_gb: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub accelerators: Option<Accelerators>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rdma: Option<Rdma>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub extra_selectors: Option<std::collections::BTreeMap<String, String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub extra_tolerations: Option<Vec<Toleration>>,
}

/// `resources.rdma`: NICs mounted for RDMA (cluster-specific).
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Rdma {
    pub devices: Vec<String>,
}

/// One Kubernetes toleration in `resources.extraTolerations`.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Toleration {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub operator: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub effect: Option<String>,
}

/// `resources.accelerators`.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Accelerators {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gpu: Option<Gpu>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tpu: Option<Tpu>,
}

/// `resources.accelerators.gpu`.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Gpu {
    pub count: u64,
    #[serde(rename = "type")]
    pub kind: String,
    pub product: String,
}

/// `resources.accelerators.tpu`.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Tpu {
    #[serde(rename = "type")]
    pub kind: String,
    pub topology: String,
    pub tpu_chips_count: u64,
}

fn one_cpu() -> Num {
    Num::Int(1)
}

impl Resources {
    /// RAM in GB, from `memory` or `cpus × ramRatio`.
    pub fn ram_gb(&self) -> Option<f64> {
        match (self.memory, self.ram_ratio) {
            (Some(m), _) => Some(m.as_f64()),
            (None, Some(r)) => Some(self.cpus.as_f64() * r.as_f64()),
            (None, None) => None,
        }
    }

    /// GPUs per container (0 without a GPU).
    pub fn gpus(&self) -> u64 {
        self.accelerators
            .as_ref()
            .and_then(|a| a.gpu.as_ref())
            .map_or(0, |g| g.count)
    }

    /// The TPU block, if any.
    pub fn tpu(&self) -> Option<&Tpu> {
        self.accelerators.as_ref().and_then(|a| a.tpu.as_ref())
    }

    /// `2 CPUs · 4 GB RAM · 1× nvidia-tesla-t4`, as shown in prompts and lists.
    pub fn summary(&self) -> String {
        let cpus = self.cpus.as_f64();
        let mut parts = vec![format!(
            "{} CPU{}",
            fmt_num(cpus),
            if (cpus - 1.0).abs() < f64::EPSILON {
                ""
            } else {
                "s"
            }
        )];
        if let Some(ram) = self.ram_gb() {
            parts.push(format!("{} GB RAM", fmt_num(ram)));
        }
        if let Some(gpu) = self.accelerators.as_ref().and_then(|a| a.gpu.as_ref()) {
            parts.push(format!("{}× GPU {}", gpu.count, gpu.product));
        }
        if let Some(tpu) = self.tpu() {
            parts.push(format!(
                "TPU {} ({} chips/host)",
                tpu.topology, tpu.tpu_chips_count
            ));
        }
        parts.join(" · ")
    }
}

fn fmt_num(x: f64) -> String {
    if x.fract() == 0.0 {
        format!("{x:.0}")
    } else {
        format!("{x}")
    }
}

/// Profiles as aligned lines: id, resources, then the `extra` columns, then the description,
/// every column but the last padded to its widest cell (a `header` row counts too and comes
/// first). The prompt and `aichor profiles list` both use it, so the two always read the same.
pub fn table(
    header: Option<&[&str]>,
    profiles: &[&Profile],
    extra: &dyn Fn(&Profile) -> Vec<String>,
) -> Vec<String> {
    let mut rows: Vec<Vec<String>> = Vec::new();
    if let Some(h) = header {
        rows.push(h.iter().map(|c| (*c).to_string()).collect());
    }
    for p in profiles {
        let mut row = vec![p.id.clone(), p.resources.summary()];
        row.extend(extra(p));
        row.push(p.description.clone());
        rows.push(row);
    }
    let columns = rows.iter().map(Vec::len).max().unwrap_or(0);
    // Widths in characters, not bytes: summaries hold `·` and `×`.
    let widths: Vec<usize> = (0..columns)
        .map(|c| {
            rows.iter()
                .filter_map(|r| r.get(c))
                .map(|cell| cell.chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    rows.iter()
        .map(|row| {
            let mut line = String::new();
            for (i, cell) in row.iter().enumerate() {
                line.push_str(cell);
                if i + 1 < row.len() {
                    line.push_str(&" ".repeat(widths[i] - cell.chars().count() + 2));
                }
            }
            line
        })
        .collect()
}

/// A named resource profile.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Profile {
    /// What `--profile` takes.
    pub id: String,
    /// One line on what it is for.
    pub description: String,
    /// Operators it is valid for; empty means all.
    #[serde(default)]
    pub operators: Vec<Operator>,
    /// Default number of containers (workers) for this profile.
    pub default_workers: u32,
    /// Resources of each worker container.
    pub resources: Resources,
    /// KubeRay head resources (the head does no accelerated work).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub head: Option<Resources>,
    /// The manifest's `spec.timeout` (`24h`): the experiment ends after this long, so a run
    /// wedged on paid accelerators stops billing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout: Option<String>,
}

impl Profile {
    /// Whether the profile may be used with `op`.
    pub fn supports(&self, op: Operator) -> bool {
        self.operators.is_empty() || self.operators.contains(&op)
    }

    /// `cpu`, `gpu` or `tpu`: what the starter and Dockerfile adapt to.
    pub fn accelerator(&self) -> &'static str {
        if self.resources.tpu().is_some() {
            "tpu"
        } else if self.resources.gpus() > 0 {
            "gpu"
        } else {
            "cpu"
        }
    }
}

/// The `profiles.toml` file of a pack.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[serde(rename_all = "kebab-case")]
pub struct ProfileFile {
    /// KubeRay head resources for profiles that do not set `head`.
    #[serde(default)]
    pub default_head: Option<Resources>,
    #[serde(rename = "profile", default)]
    pub profiles: Vec<Profile>,
}

impl ProfileFile {
    /// Check what serde cannot: unique ids, exactly one of ramRatio/memory.
    pub fn validate(&self) -> Result<(), String> {
        let mut seen = std::collections::BTreeSet::new();
        for p in &self.profiles {
            if !seen.insert(p.id.as_str()) {
                return Err(format!("profile `{}` is defined twice", p.id));
            }
            if let Some(t) = &p.timeout
                && !crate::duration::is_duration(t)
            {
                return Err(format!(
                    "profile `{}`: timeout `{t}` is not {}",
                    p.id,
                    crate::duration::WHAT
                ));
            }
            let head = p.head.as_ref().or(self.default_head.as_ref());
            for (what, r) in [("resources", Some(&p.resources)), ("head", head)] {
                if let Some(r) = r
                    && r.ram_ratio.is_some() == r.memory.is_some()
                {
                    return Err(format!(
                        "profile `{}`: `{what}` must set exactly one of `ramRatio` or `memory`",
                        p.id
                    ));
                }
            }
        }
        Ok(())
    }
}
