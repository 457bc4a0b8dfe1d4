//! The AIchor operators (execution runtimes) `init` can target. The table below is the one
//! place an operator is named: the enum, its manifest id, the list the manifest model accepts,
//! the `--operator` help and the prompt's descriptions all come from it.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Python versions a generated project may target, oldest first.
pub const PYTHON_VERSIONS: &[&str] = &["3.10", "3.11", "3.12", "3.13"];
/// The Python a project gets unless asked otherwise.
pub const DEFAULT_PYTHON: &str = "3.12";

macro_rules! operators {
    ($($variant:ident => $id:literal, $description:literal;)*) => {
        /// An AIchor operator, as written in `spec.operator`.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Operator {
            $(#[doc = $description] $variant,)*
        }

        impl Operator {
            /// Every operator, in prompt order.
            pub const ALL: &'static [Operator] = &[$(Operator::$variant),*];
            /// Every operator id, in the same order (what `spec.operator` accepts).
            pub const IDS: &'static [&'static str] = &[$($id),*];

            /// The value written in the manifest and accepted by `--operator`.
            pub fn id(self) -> &'static str {
                match self {
                    $(Operator::$variant => $id,)*
                }
            }

            /// What the operator runs, in one line.
            pub fn description(self) -> &'static str {
                match self {
                    $(Operator::$variant => $description,)*
                }
            }
        }
    };
}

operators! {
    Pytorch => "pytorch", "torch.distributed across N containers (rank 0 coordinates)";
    Jax => "jax", "jax.distributed across N processes (process 0 coordinates)";
    Xgboost => "xgboost", "distributed XGBoost: a tracker on rank 0, every rank trains";
    Jobset => "jobset", "N indexed pods, each works on its own share (no coordinator)";
    Kuberay => "kuberay", "a Ray cluster (head + worker group) running your Ray driver";
}

impl Operator {
    /// Parse an operator id.
    pub fn parse(id: &str) -> Option<Operator> {
        Operator::ALL.iter().copied().find(|op| op.id() == id)
    }

    /// `pytorch | jax | xgboost | jobset | kuberay`, for help texts.
    pub fn choices() -> String {
        Operator::IDS.join(" | ")
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
            Operator::Kuberay => &PYTHON_VERSIONS[..3],
            _ => PYTHON_VERSIONS,
        }
    }
}

impl std::fmt::Display for Operator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.id())
    }
}

impl Serialize for Operator {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.id())
    }
}

impl<'de> Deserialize<'de> for Operator {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let id = String::deserialize(d)?;
        Operator::parse(&id).ok_or_else(|| {
            serde::de::Error::custom(format!(
                "unknown operator `{id}`, expected one of {}",
                Operator::IDS.join(", ")
            ))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip() {
        assert_eq!(Operator::ALL.len(), Operator::IDS.len());
        for op in Operator::ALL {
            assert_eq!(Operator::parse(op.id()), Some(*op));
        }
        assert_eq!(
            Operator::python_versions(Operator::Kuberay),
            ["3.10", "3.11", "3.12"]
        );
        assert!(PYTHON_VERSIONS.contains(&DEFAULT_PYTHON));
    }
}
