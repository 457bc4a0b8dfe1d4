//! The pure stages after `collect`: `Context::resolve` (answers → template context),
//! `render::plan` (context → files in memory) and `init::build` (both, plus the answers
//! record). Answers are built the way `init` builds them: validated by `collect`.

use aichor::error::Origin;
use aichor::generate::answers::{ProvidedAnswers, collect};
use aichor::generate::context::Context;
use aichor::generate::questions::{Answers, FlagStyle, Questions};
use aichor::generate::render::{Engine, Plan, plan};
use aichor::operator::Operator;
use aichor::pack::Pack;

/// Validated answers from `key=value` pairs (defaults for the rest), as `--set` gives them.
fn answers(pack: &Pack, pairs: &[(&str, &str)]) -> Answers {
    let mut provided = ProvidedAnswers::default();
    for (key, value) in pairs {
        provided.insert(key, *value, Origin::Set);
    }
    collect(
        &Questions {
            pack,
            flags: FlagStyle::Init,
        },
        &provided,
        None,
    )
    .unwrap_or_else(|e| panic!("{pairs:?}: {e}"))
}

fn resolve(pairs: &[(&str, &str)]) -> Context {
    let pack = Pack::builtin().unwrap();
    Context::resolve(&answers(&pack, pairs), &pack).unwrap()
}

fn plan_of(pairs: &[(&str, &str)]) -> Plan {
    let pack = Pack::builtin().unwrap();
    let ctx = Context::resolve(&answers(&pack, pairs), &pack).unwrap();
    let engine = Engine::new(&pack).unwrap();
    plan(&ctx, &pack, &engine).unwrap()
}

fn text<'a>(plan: &'a Plan, path: &str) -> &'a str {
    let file = plan
        .files
        .iter()
        .find(|f| f.path == path)
        .unwrap_or_else(|| panic!("`{path}` not in the plan"));
    std::str::from_utf8(&file.contents).unwrap()
}

fn paths(plan: &Plan) -> Vec<&str> {
    plan.files.iter().map(|f| f.path.as_str()).collect()
}

#[test]
fn kuberay_resolves_its_worker_group_from_the_accelerator() {
    let ctx = resolve(&[("name", "ray-demo"), ("operator", "kuberay")]);
    assert_eq!(ctx.operator, Operator::Kuberay);
    assert_eq!(ctx.profile, "cpu-small");
    assert_eq!(ctx.accelerator, "cpu");
    assert_eq!(ctx.worker_group, "cpu-workers");
    assert_eq!(ctx.gpus, 0);

    let ctx = resolve(&[
        ("name", "ray-demo"),
        ("operator", "kuberay"),
        ("profile", "tpu-v5e-4x4"),
        ("workers", "0"),
    ]);
    assert_eq!(ctx.accelerator, "tpu");
    assert_eq!(ctx.worker_group, "tpu-workers");
    assert_eq!(ctx.workers, 0);
    // The TPU profile has its own head; the others use the pack's default head.
    assert_ne!(
        ctx.head_resources,
        resolve(&[("name", "x"), ("operator", "kuberay")]).head_resources
    );
}

#[test]
fn other_operators_use_a_single_worker_type() {
    for op in ["pytorch", "jax", "xgboost", "jobset"] {
        let ctx = resolve(&[("name", "demo"), ("operator", op)]);
        assert_eq!(ctx.worker_group, "worker", "{op}");
    }
}

#[test]
fn names_python_and_profile_are_derived_once() {
    let ctx = resolve(&[
        ("name", "my-proj-v2"),
        ("operator", "pytorch"),
        ("profile", "gpu-h100x8"),
        ("python", "3.10"),
        ("tensorboard", "off"),
    ]);
    assert_eq!(ctx.names.name, "my-proj-v2");
    assert_eq!(ctx.names.image, "my-proj-v2");
    assert_eq!(ctx.names.package, "my_proj_v2");
    assert_eq!(ctx.python, "3.10");
    assert_eq!(ctx.python_tag, "310");
    assert!(!ctx.tensorboard);
    assert_eq!(ctx.accelerator, "gpu");
    assert_eq!(ctx.gpus, 8);
    assert_eq!(ctx.workers, 1, "gpu-h100x8's default-workers");
    assert!(
        ctx.profile_summary.contains("8× GPU NVIDIA-H100-80GB-HBM3"),
        "{}",
        ctx.profile_summary
    );
    assert_eq!(ctx.aichor_version, env!("CARGO_PKG_VERSION"));
}

#[test]
fn the_plan_holds_each_file_once_sorted_with_the_manifest() {
    for op in Operator::IDS {
        let plan = plan_of(&[("name", "demo"), ("operator", op)]);
        let paths = paths(&plan);
        let mut sorted = paths.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(paths, sorted, "{op}: sorted, no duplicate path");
        for expected in [
            "aichor_manifests/manifest.yaml",
            "Dockerfile",
            "pyproject.toml",
            "src/demo/__init__.py",
            "src/demo/main.py",
        ] {
            assert!(
                paths.contains(&expected),
                "{op}: {expected} missing from {paths:?}"
            );
        }
        assert!(
            !paths
                .iter()
                .any(|p| p.ends_with(".tera") || p.contains("{{")),
            "{op}: rendered paths only: {paths:?}"
        );
        assert!(
            !paths.contains(&".aichor-answers.yaml"),
            "the record is added by `build`, not the plan"
        );
        let manifest = text(&plan, "aichor_manifests/manifest.yaml");
        assert!(
            manifest.contains(&format!("operator: {op}")),
            "{op}: {manifest}"
        );
    }
}

#[test]
fn the_kuberay_manifest_names_the_resolved_worker_group() {
    let plan = plan_of(&[
        ("name", "demo"),
        ("operator", "kuberay"),
        ("profile", "tpu-v5e-4x4"),
    ]);
    let manifest: yaml_serde::Value =
        yaml_serde::from_str(text(&plan, "aichor_manifests/manifest.yaml")).unwrap();
    let group = &manifest["spec"]["types"]["Workers"][0];
    assert_eq!(group["name"].as_str(), Some("tpu-workers"), "{group:?}");
    assert_eq!(group["count"].as_u64(), Some(1));
}

#[test]
fn build_adds_the_answers_record_naming_the_version() {
    let pack = Pack::builtin().unwrap();
    let answers = answers(
        &pack,
        &[("name", "demo"), ("operator", "jobset"), ("workers", "4")],
    );
    let project = aichor::generate::build(&pack, &answers).unwrap();
    let paths = paths(&project.plan);
    assert!(paths.contains(&".aichor-answers.yaml"), "{paths:?}");
    let mut sorted = paths.clone();
    sorted.sort_unstable();
    assert_eq!(paths, sorted);
    let record: yaml_serde::Value =
        yaml_serde::from_str(text(&project.plan, ".aichor-answers.yaml")).unwrap();
    assert_eq!(
        record["aichor-version"].as_str(),
        Some(env!("CARGO_PKG_VERSION"))
    );
    assert_eq!(record["answers"]["operator"].as_str(), Some("jobset"));
    assert_eq!(record["answers"]["workers"].as_u64(), Some(4));
    // Replaying the record gives the same answers.
    let mut provided = ProvidedAnswers::default();
    provided
        .add_file(
            std::path::Path::new(".aichor-answers.yaml"),
            text(&project.plan, ".aichor-answers.yaml"),
        )
        .unwrap();
    assert_eq!(
        collect(
            &Questions {
                pack: &pack,
                flags: FlagStyle::Init
            },
            &provided,
            None
        )
        .unwrap(),
        answers
    );
}
