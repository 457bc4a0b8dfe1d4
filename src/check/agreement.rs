//! Values written twice that must agree. JobSet does not tell a pod how many completions its
//! job has, so the manifest repeats `completions` in `spec.env.JOBSET_COMPLETIONS`, which the
//! starter shards by: with the two apart, a run does only part of the work (or the same
//! shard twice) and still exits 0. A KubeRay driver waits for `WORKERS` worker nodes, a copy
//! of the manifest's worker count in the module `spec.command` runs.

use super::{Finding, Severity};

/// The findings for the manifest `rel` with text `text`; `runs` are the files its
/// `spec.command` runs (path relative to the root, text).
pub(super) fn check(rel: &str, text: &str, runs: &[(String, String)], out: &mut Vec<Finding>) {
    let Ok(doc) = yaml_serde::from_str::<serde_json::Value>(text.trim_start_matches('\u{feff}'))
    else {
        return;
    };
    let spec = &doc["spec"];
    match spec["operator"].as_str() {
        Some("jobset") => completions(rel, spec, out),
        Some("kuberay") => ray_workers(rel, spec, runs, out),
        _ => {}
    }
}

/// The KubeRay driver waits for `WORKERS` worker nodes (the platform does not tell it how
/// many the manifest starts): a copy of `Workers[0].count` that must agree.
fn ray_workers(
    rel: &str,
    spec: &serde_json::Value,
    runs: &[(String, String)],
    out: &mut Vec<Finding>,
) {
    let Some([group]) = spec["types"]["Workers"].as_array().map(Vec::as_slice) else {
        return;
    };
    let count = scalar_int(&group["count"]).unwrap_or(0);
    for (file, source) in runs {
        let Some((line, workers)) = source.lines().enumerate().find_map(|(n, l)| {
            let value = l.strip_prefix("WORKERS = ")?;
            Some((n + 1, value.split('#').next()?.trim().parse::<u64>().ok()?))
        }) else {
            continue;
        };
        if workers != count {
            out.push(
                Finding::new(
                    Severity::Error,
                    "agreement",
                    format!(
                        "`WORKERS = {workers}` but the manifest `{rel}` starts {count} Ray worker group pod(s) (`spec.types.Workers[0].count`): the driver would wait for nodes that never come, or leave some idle"
                    ),
                )
                .at(file, Some(line), Some(1))
                .key("spec.types.Workers[0].count")
                .help(format!(
                    "make them equal: `WORKERS = {count}` (the platform does not tell the driver how many worker pods the manifest starts)"
                )),
            );
        }
    }
}

/// JobSet's `completions` and the starter's copy in `spec.env.JOBSET_COMPLETIONS`.
fn completions(rel: &str, spec: &serde_json::Value, out: &mut Vec<Finding>) {
    let Some(declared) = scalar_int(&spec["env"]["JOBSET_COMPLETIONS"]) else {
        return;
    };
    let Some(types) = spec["types"].as_object() else {
        return;
    };
    for (name, job) in types {
        // Absent, JobSet's default: 1 completion.
        let completions = scalar_int(&job["completions"]).unwrap_or(1);
        if completions != declared {
            out.push(
                Finding::new(
                    Severity::Error,
                    "agreement",
                    format!(
                        "`spec.env.JOBSET_COMPLETIONS` is {declared} but `spec.types.{name}.completions` is {completions}: the starter shards the work by the variable, so a run would do {declared} of {completions} shares per job (or repeat some) and still exit 0"
                    ),
                )
                .at(rel, None, None)
                .key(&format!("spec.types.{name}.completions"))
                .help(format!(
                    "make them equal: `JOBSET_COMPLETIONS: \"{completions}\"` (JobSet does not tell a pod how many completions its job has)"
                )),
            );
        }
    }
}

/// A whole number written as a YAML number or string (`"2"`, as `spec.env` values are).
fn scalar_int(v: &serde_json::Value) -> Option<u64> {
    v.as_u64()
        .or_else(|| v.as_str().and_then(|s| s.trim().parse().ok()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn findings(text: &str) -> Vec<String> {
        let mut out = Vec::new();
        check("m.yaml", text, &[], &mut out);
        out.into_iter().map(|f| f.message).collect()
    }

    #[test]
    fn completions_and_their_copy_must_agree() {
        let manifest = |env: &str, completions: &str| {
            format!(
                "spec:\n  operator: jobset\n  env:\n    JOBSET_COMPLETIONS: \"{env}\"\n  types:\n    worker:\n      count: 2\n      completions: {completions}\n"
            )
        };
        assert!(findings(&manifest("2", "2")).is_empty());
        let drift = findings(&manifest("2", "4"));
        assert_eq!(drift.len(), 1, "{drift:?}");
        assert!(drift[0].contains("is 2 but `spec.types.worker.completions` is 4"));
        // No copy (a manifest written by hand): nothing to agree with.
        assert!(
            findings("spec:\n  operator: jobset\n  types:\n    w:\n      completions: 3\n")
                .is_empty()
        );
        // Other operators are not concerned.
        assert!(
            findings("spec:\n  operator: jax\n  env:\n    JOBSET_COMPLETIONS: \"2\"\n").is_empty()
        );
    }

    #[test]
    fn the_ray_drivers_workers_and_the_manifests_count_must_agree() {
        let manifest = "spec:\n  operator: kuberay\n  types:\n    Head: {}\n    Workers:\n      - name: w\n        count: 3\n";
        let driver = |n: u32| {
            vec![(
                "src/demo/main.py".to_string(),
                format!("import ray\n\n# keep equal\nWORKERS = {n}\n"),
            )]
        };
        let mut out = Vec::new();
        check("m.yaml", manifest, &driver(3), &mut out);
        assert!(out.is_empty());
        check("m.yaml", manifest, &driver(2), &mut out);
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].line, Some(4));
        assert!(
            out[0]
                .message
                .contains("`WORKERS = 2` but the manifest `m.yaml` starts 3")
        );
    }
}
