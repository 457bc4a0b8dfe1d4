//! The AIchor operators (execution runtimes) `init` can target, with the one-line
//! description shown at the prompt and in `--help`.

use serde::Serialize;

/// An AIchor operator, as written in `spec.operator`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Operator {
    Pytorch,
    Jax,
    Xgboost,
    Jobset,
    Kuberay,
}

impl Operator {
    /// Every operator, in prompt order.
    pub const ALL: [Operator; 5] = [
        Operator::Pytorch,
        Operator::Jax,
        Operator::Xgboost,
        Operator::Jobset,
        Operator::Kuberay,
    ];

    /// The value written in the manifest and accepted by `--operator`.
    pub fn id(self) -> &'static str {
        match self {
            Operator::Pytorch => "pytorch",
            Operator::Jax => "jax",
            Operator::Xgboost => "xgboost",
            Operator::Jobset => "jobset",
            Operator::Kuberay => "kuberay",
        }
    }

    /// What the operator runs, in one line.
    pub fn description(self) -> &'static str {
        match self {
            Operator::Pytorch => "torch.distributed across N containers (rank 0 coordinates)",
            Operator::Jax => "jax.distributed across N processes (process 0 coordinates)",
            Operator::Xgboost => "distributed XGBoost: a tracker on rank 0, every rank trains",
            Operator::Jobset => "N indexed pods, each works on its own share (no coordinator)",
            Operator::Kuberay => "a Ray cluster (head + worker group) running your Ray driver",
        }
    }

    /// Parse an operator id.
    pub fn parse(id: &str) -> Option<Operator> {
        Operator::ALL.into_iter().find(|op| op.id() == id)
    }

    /// Smallest worker count that makes sense: a KubeRay cluster may be head-only.
    pub fn min_workers(self) -> u32 {
        match self {
            Operator::Kuberay => 0,
            _ => 1,
        }
    }

    /// Python versions whose images and wheels this operator's starter is known to work with.
    pub fn python_versions(self) -> &'static [&'static str] {
        match self {
            // rayproject/ray publishes py310–py312 images for the pinned Ray release.
            Operator::Kuberay => &["3.10", "3.11", "3.12"],
            _ => &["3.10", "3.11", "3.12", "3.13"],
        }
    }
}

impl std::fmt::Display for Operator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.id())
    }
}
