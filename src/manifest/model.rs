//! The manifest's rules as data: every field with its type, constraints, whether it is
//! required and whether it is documented. The validator (`check`) and the JSON Schema
//! export (`schema`) both read this one table, so a rule exists once.

/// What a value must be.
#[derive(Debug)]
pub(super) enum Kind {
    /// A string.
    Str,
    /// A string matching a pattern (`check` and the JSON Schema `pattern` agree).
    Pattern {
        regex: &'static str,
        check: fn(&str) -> bool,
        what: &'static str,
    },
    /// One of these strings.
    Enum(&'static [&'static str]),
    Bool,
    /// An integer, at least `min`.
    Int {
        min: i64,
    },
    /// A number (integer or decimal), at least `min`.
    Num {
        min: f64,
    },
    /// A string, boolean or number (build arguments).
    Scalar,
    /// A mapping with string keys and values of one kind.
    MapOf(&'static Kind),
    /// A list of `min` items at least.
    List {
        item: &'static Kind,
        min: usize,
    },
    /// A mapping with known fields.
    Object(&'static Object),
    /// A mapping whose keys are names (`key` checks them) and whose values share one shape;
    /// `min` entries at least (jobset groups).
    NamedMap {
        key: &'static Kind,
        value: &'static Kind,
        min: usize,
    },
    /// `spec.types`: its shape depends on `spec.operator`.
    Types,
}

/// A mapping with known fields; any other key is an error.
#[derive(Debug)]
pub(super) struct Object {
    pub fields: &'static [Field],
    /// Sets of fields of which exactly one must be present.
    pub exactly_one_of: &'static [&'static str],
}

/// One field of an object.
#[derive(Debug)]
pub(super) struct Field {
    pub name: &'static str,
    pub kind: &'static Kind,
    pub required: bool,
    /// Shown in the schema (IDE hover) and in notes.
    pub doc: &'static str,
    /// Seen in manifests the platform ran, but not in its documentation.
    pub undocumented: bool,
}

const fn f(name: &'static str, kind: &'static Kind, doc: &'static str) -> Field {
    Field {
        name,
        kind,
        required: false,
        doc,
        undocumented: false,
    }
}

const fn req(name: &'static str, kind: &'static Kind, doc: &'static str) -> Field {
    Field {
        name,
        kind,
        required: true,
        doc,
        undocumented: false,
    }
}

const fn undoc(name: &'static str, kind: &'static Kind, doc: &'static str) -> Field {
    Field {
        name,
        kind,
        required: false,
        doc,
        undocumented: true,
    }
}

/// apiVersion values the platform accepts (it validates all with the 0.2.3 shapes).
pub(super) const API_VERSIONS: &[&str] = &["0.2.1", "0.2.2", "0.2.3"];

/// `spec.operator` values a 0.2.3 manifest may name: the operators `init` generates for
/// (`Operator::IDS`, in their order) and `vertexai`, which runs on GCP engines only and has no
/// starter (a test keeps the two lists in step).
pub(super) const OPERATORS: &[&str] =
    &["pytorch", "jax", "xgboost", "jobset", "kuberay", "vertexai"];

static STR: Kind = Kind::Str;
static BOOL: Kind = Kind::Bool;
static SCALAR: Kind = Kind::Scalar;
static COUNT: Kind = Kind::Int { min: 0 };
static POSITIVE: Kind = Kind::Int { min: 1 };
static NUMBER: Kind = Kind::Num { min: 0.0 };
static STR_MAP: Kind = Kind::MapOf(&STR);
static STR_LIST: Kind = Kind::List { item: &STR, min: 0 };

/// `^[a-z0-9-]+$`, not starting with a digit or `-` (jobset groups, kuberay worker groups).
pub(super) fn group_name_ok(name: &str) -> bool {
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !name.starts_with(|c: char| c.is_ascii_digit() || c == '-')
}

static GROUP_NAME: Kind = Kind::Pattern {
    regex: "^[a-z][a-z0-9-]*$",
    check: group_name_ok,
    what: "lowercase letters, digits and `-`, starting with a letter",
};

static GPU: Kind = Kind::Object(&Object {
    fields: &[
        req("count", &COUNT, "GPUs per pod"),
        f("type", &Kind::Enum(&["gpu"]), "always `gpu`"),
        req(
            "product",
            &STR,
            "the GPU label of the engine's nodes, e.g. NVIDIA-A100-SXM4-80GB",
        ),
    ],
    exactly_one_of: &[],
});

static TPU: Kind = Kind::Object(&Object {
    fields: &[
        req(
            "type",
            &STR,
            "GKE TPU accelerator, e.g. tpu-v5-lite-podslice",
        ),
        req("topology", &STR, "slice topology, e.g. 4x4"),
        f("tpuChipsCount", &POSITIVE, "chips per TPU VM"),
    ],
    exactly_one_of: &[],
});

static ACCELERATORS: Kind = Kind::Object(&Object {
    fields: &[
        f("gpu", &GPU, "GPUs per pod"),
        f("tpu", &TPU, "a TPU slice"),
    ],
    exactly_one_of: &[],
});

static TOLERATION: Kind = Kind::Object(&Object {
    fields: &[
        f("key", &STR, "taint key"),
        f(
            "operator",
            &Kind::Enum(&["Equal", "Exists"]),
            "Kubernetes toleration operator",
        ),
        f("value", &STR, "taint value"),
        f(
            "effect",
            &Kind::Enum(&["NoSchedule", "PreferNoSchedule", "NoExecute"]),
            "taint effect",
        ),
        f("tolerationSeconds", &COUNT, "for NoExecute"),
    ],
    exactly_one_of: &[],
});

/// One `resources` block.
pub(super) static RESOURCES: Kind = Kind::Object(&Object {
    fields: &[
        f("cpus", &NUMBER, "CPU request (default 1)"),
        f(
            "ramRatio",
            &NUMBER,
            "RAM in GB per CPU (RAM = cpus × ramRatio)",
        ),
        f("memory", &NUMBER, "RAM in GB"),
        f(
            "cpuLimitRatio",
            &NUMBER,
            "CPU limit = cpus × cpuLimitRatio (default 2)",
        ),
        f("shmSizeGB", &COUNT, "size of /dev/shm in GB"),
        f("accelerators", &ACCELERATORS, "GPUs or TPUs"),
        f(
            "rdma",
            &Kind::Object(&Object {
                fields: &[req("devices", &STR_LIST, "NICs to mount, cluster-specific")],
                exactly_one_of: &[],
            }),
            "RDMA network devices (multi-node)",
        ),
        f(
            "extraSelectors",
            &STR_MAP,
            "extra Kubernetes node selectors",
        ),
        f(
            "extraTolerations",
            &Kind::List {
                item: &TOLERATION,
                min: 0,
            },
            "extra Kubernetes tolerations",
        ),
        undoc("ephemeralStorageRequest", &STR, "ephemeral storage request"),
        undoc("ephemeralStorageLimit", &STR, "ephemeral storage limit"),
    ],
    exactly_one_of: &["ramRatio", "memory"],
});

/// `worker` of pytorch, jax and xgboost.
pub(super) static WORKER: Kind = Kind::Object(&Object {
    fields: &[
        f(
            "count",
            &COUNT,
            "containers (default 1); container 0 coordinates",
        ),
        req("resources", &RESOURCES, "resources of each container"),
    ],
    exactly_one_of: &[],
});

static JOBSET_GROUP: Kind = Kind::Object(&Object {
    fields: &[
        f("count", &COUNT, "Jobs in the group (default 1)"),
        f("completions", &COUNT, "pods per Job (default 1)"),
        f(
            "parallelisms",
            &COUNT,
            "pods of a Job running at once (default 1)",
        ),
        req("resources", &RESOURCES, "resources of each pod"),
    ],
    exactly_one_of: &[],
});

static RAY_HEAD: Kind = Kind::Object(&Object {
    fields: &[
        req("resources", &RESOURCES, "resources of the head pod"),
        f(
            "rayStartParams",
            &STR_MAP,
            "`ray start` flags, values as strings",
        ),
    ],
    exactly_one_of: &[],
});

static RAY_WORKERS: Kind = Kind::Object(&Object {
    fields: &[
        req("name", &GROUP_NAME, "worker group name"),
        f("count", &COUNT, "pods in the group (default 0)"),
        req("resources", &RESOURCES, "resources of each pod"),
        f(
            "rayStartParams",
            &STR_MAP,
            "`ray start` flags, values as strings",
        ),
    ],
    exactly_one_of: &[],
});

/// `spec.types` for pytorch, jax and xgboost.
pub(super) static WORKER_TYPES: Kind = Kind::Object(&Object {
    fields: &[req(
        "worker",
        &WORKER,
        "all containers; container 0 coordinates",
    )],
    exactly_one_of: &[],
});

/// `spec.types` for jobset.
pub(super) static JOBSET_TYPES: Kind = Kind::NamedMap {
    key: &GROUP_NAME,
    value: &JOBSET_GROUP,
    min: 1,
};

/// `spec.types` for kuberay.
pub(super) static KUBERAY_TYPES: Kind = Kind::Object(&Object {
    fields: &[
        req("Head", &RAY_HEAD, "the Ray head"),
        f(
            "Workers",
            &Kind::List {
                item: &RAY_WORKERS,
                min: 0,
            },
            "Ray worker groups",
        ),
    ],
    exactly_one_of: &[],
});

/// Operators a manifest may name that this tool neither checks nor migrates, with the
/// message and the help both `validate` and `migrate` give: `tf` (removed in 0.2.3, no
/// automatic migration), the 2023 `ray` (replaced by `kuberay`) and `slurm`
/// (`ParallelCluster` engines, no published shape).
pub(super) fn unchecked_operator(operator: &str) -> Option<(&'static str, &'static str)> {
    match operator {
        "tf" => Some((
            "`tf` was removed in apiVersion 0.2.3 and has no automatic migration",
            "port the job by hand: a single worker (no TF_CONFIG) runs unchanged as `operator: jobset` with `Worker` renamed to a lowercase group such as `worker`; multi-worker TensorFlow (TF_CONFIG) has no 0.2.3 operator: move the training to `jax` or `pytorch`, which inject their coordinator's address, or split it into independent `jobset` shards",
        )),
        "ray" => Some((
            "`ray` is the 2023 Ray operator, which this tool cannot check or migrate: the platform replaced it with `kuberay`",
            "port it to `kuberay` by hand: set `operator: kuberay`, keep `Head`, make `Workers` a list of groups (`- name: workers` with `count` and `resources`) and drop `Job` (spec.command runs from a submitter pod)",
        )),
        "slurm" => Some((
            "`slurm` (AWS ParallelCluster engines) is an operator this tool cannot check or migrate: its manifest shape is not published",
            "submit it as it is (AIchor checks it when the experiment starts); this tool checks the Kubernetes operators and vertexai",
        )),
        _ => None,
    }
}

/// One Vertex AI worker pool: a machine and how many replicas of it (a Vertex AI `CustomJob`'s
/// `workerPoolSpecs` entry; AIchor gives every pool the manifest's image and command).
static WORKER_POOL: Kind = Kind::Object(&Object {
    fields: &[
        req(
            "machineSpec",
            &Kind::Object(&Object {
                fields: &[
                    req(
                        "machineType",
                        &STR,
                        "Compute Engine machine type, e.g. n1-standard-8",
                    ),
                    f(
                        "acceleratorType",
                        &STR,
                        "Vertex AI accelerator, e.g. NVIDIA_TESLA_T4",
                    ),
                    f("acceleratorCount", &COUNT, "accelerators per replica"),
                ],
                exactly_one_of: &[],
            }),
            "the machine each replica runs on",
        ),
        req("replicaCount", &COUNT, "replicas of this pool"),
    ],
    exactly_one_of: &[],
});

/// `spec.types` for vertexai (GCP engines only).
pub(super) static VERTEXAI_TYPES: Kind = Kind::Object(&Object {
    fields: &[req(
        "workerPoolSpecs",
        &Kind::List {
            item: &WORKER_POOL,
            min: 1,
        },
        "Vertex AI worker pools; the first one's replica 0 is the chief",
    )],
    exactly_one_of: &[],
});

/// The `spec.types` shape for `operator`, if it is one we know.
pub(super) fn types_for(operator: &str) -> Option<&'static Kind> {
    match operator {
        "pytorch" | "jax" | "xgboost" => Some(&WORKER_TYPES),
        "jobset" => Some(&JOBSET_TYPES),
        "kuberay" => Some(&KUBERAY_TYPES),
        "vertexai" => Some(&VERTEXAI_TYPES),
        _ => None,
    }
}

static BUILDER: Kind = Kind::Object(&Object {
    fields: &[
        f("image", &STR, "image name; must equal spec.image"),
        f("dockerfile", &STR, "path of the Dockerfile"),
        f("context", &STR, "build context directory (default `.`)"),
        f("buildArgs", &Kind::MapOf(&SCALAR), "--build-arg values"),
        f("registry", &STR, "registry prefix"),
        f("target", &STR, "multi-stage build target"),
        f(
            "skipBuild",
            &Kind::Object(&Object {
                fields: &[
                    f("enabled", &BOOL, "reuse another experiment's image"),
                    f("experimentID", &STR, "the experiment whose image is reused"),
                    f(
                        "failIfNotFound",
                        &BOOL,
                        "fail instead of rebuilding when the image is gone",
                    ),
                ],
                exactly_one_of: &[],
            }),
            "reuse an image built by another experiment",
        ),
    ],
    exactly_one_of: &[],
});

static CLONE: Kind = Kind::Object(&Object {
    fields: &[
        f("depth", &POSITIVE, "clone depth (default 1)"),
        f("includeDotGit", &BOOL, "keep .git (needed for submodules)"),
        f(
            "submodules",
            &Kind::Enum(&["false", "true", "recursive"]),
            "a string: \"false\", \"true\" or \"recursive\"",
        ),
    ],
    exactly_one_of: &[],
});

static DEBUG: Kind = Kind::Object(&Object {
    fields: &[
        f("jupyter", &BOOL, "Jupyter on the Ray head (kuberay only)"),
        f(
            "vscode",
            &Kind::Object(&Object {
                fields: &[
                    req("enabled", &BOOL, "open a VS Code tunnel into the container"),
                    f("path", &STR, "VS Code CLI path (default `code`)"),
                    f(
                        "provider",
                        &Kind::Enum(&["github", "microsoft"]),
                        "tunnel login provider",
                    ),
                ],
                exactly_one_of: &[],
            }),
            "VS Code tunnel",
        ),
    ],
    exactly_one_of: &[],
});

static STORAGE: Kind = Kind::Object(&Object {
    fields: &[
        f(
            "sharedVolume",
            &Kind::Object(&Object {
                fields: &[
                    req("mountPoint", &STR, "where it is mounted in every pod"),
                    f("sizeGB", &POSITIVE, "size in GB"),
                    f("storageClass", &STR, "Kubernetes storage class"),
                    f(
                        "accessMode",
                        &Kind::Enum(&["ReadWriteOnce", "ReadWriteMany", "ReadOnlyMany"]),
                        "access mode",
                    ),
                ],
                exactly_one_of: &[],
            }),
            "an ephemeral volume shared by the experiment's pods",
        ),
        f(
            "attachExistingPVCs",
            &Kind::List {
                item: &Kind::Object(&Object {
                    fields: &[
                        req("name", &STR, "PVC name"),
                        req("mountPoint", &STR, "mount point"),
                    ],
                    exactly_one_of: &[],
                }),
                min: 0,
            },
            "project PVCs to mount",
        ),
    ],
    exactly_one_of: &[],
});

static SPEC: Kind = Kind::Object(&Object {
    fields: &[
        req("operator", &Kind::Enum(OPERATORS), "execution runtime"),
        req("image", &STR, "image to run; must equal builder.image"),
        req("command", &STR, "shell command run in each container"),
        req(
            "types",
            &Kind::Types,
            "pods and their resources; shape depends on the operator",
        ),
        f(
            "tensorboard",
            &Kind::Object(&Object {
                fields: &[req(
                    "enabled",
                    &BOOL,
                    "run TensorBoard on $AICHOR_TENSORBOARD_PATH",
                )],
                exactly_one_of: &[],
            }),
            "TensorBoard (disabled by default)",
        ),
        f(
            "timeout",
            &Kind::Pattern {
                regex: crate::duration::PATTERN,
                check: crate::duration::is_duration,
                what: crate::duration::WHAT,
            },
            "maximum run time",
        ),
        f(
            "activeDeadlineSeconds",
            &POSITIVE,
            "maximum run time in seconds",
        ),
        f("env", &STR_MAP, "environment variables for every container"),
        f("rayVersion", &STR, "kuberay: the Ray version in the image"),
        f("debug", &DEBUG, "debugging aids"),
        f("storage", &STORAGE, "volumes"),
        undoc("engineName", &STR, "engine to run on"),
        undoc(
            "gracefulTermination",
            &Kind::Object(&Object {
                fields: &[
                    f("terminationGracePeriodSeconds", &COUNT, "grace period"),
                    f(
                        "shutdownCommand",
                        &STR_LIST,
                        "command run before termination",
                    ),
                ],
                exactly_one_of: &[],
            }),
            "graceful termination",
        ),
        undoc(
            "restartPolicy",
            &Kind::Object(&Object {
                fields: &[f("backoffLimit", &COUNT, "retries")],
                exactly_one_of: &[],
            }),
            "restart policy",
        ),
        undoc(
            "securityContext",
            &Kind::Object(&Object {
                fields: &[f("ptrace", &BOOL, "allow ptrace")],
                exactly_one_of: &[],
            }),
            "security context",
        ),
    ],
    exactly_one_of: &[],
});

/// The whole manifest.
pub(super) static MANIFEST: Kind = Kind::Object(&Object {
    fields: &[
        f(
            "kind",
            &Kind::Enum(&["AIchorManifest"]),
            "always AIchorManifest",
        ),
        f(
            "apiVersion",
            &Kind::Enum(API_VERSIONS),
            "manifest schema version",
        ),
        f("name", &STR, "human-readable name"),
        req("builder", &BUILDER, "how the image is built"),
        f("clone", &CLONE, "how the repository is cloned"),
        req("spec", &SPEC, "what runs"),
        undoc("engineName", &STR, "engine to run on"),
    ],
    exactly_one_of: &[],
});

#[cfg(test)]
mod tests {
    use super::*;

    /// Every operator `init` generates for is one a manifest may name, in the same order,
    /// and each accepted operator has its `spec.types` shape.
    #[test]
    fn the_accepted_operators_are_the_generated_ones_and_vertexai() {
        assert_eq!(
            &OPERATORS[..crate::operator::Operator::IDS.len()],
            crate::operator::Operator::IDS
        );
        assert_eq!(
            &OPERATORS[crate::operator::Operator::IDS.len()..],
            ["vertexai"]
        );
        for op in OPERATORS {
            assert!(types_for(op).is_some(), "{op}");
        }
    }
}
