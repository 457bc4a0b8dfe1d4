//! Values a manifest writes twice that must agree. JobSet does not tell a pod how many
//! completions its job has, so the manifest repeats `completions` in
//! `spec.env.JOBSET_COMPLETIONS`, which the starter shards by: with the two apart, a run
//! does only part of the work (or the same shard twice) and still exits 0.

use super::{Finding, Severity};

/// The findings for the manifest `rel` with text `text` (jobset manifests only).
pub(super) fn check(rel: &str, text: &str, out: &mut Vec<Finding>) {
    let Ok(doc) = yaml_serde::from_str::<serde_json::Value>(text.trim_start_matches('\u{feff}'))
    else {
        return;
    };
    let spec = &doc["spec"];
    if spec["operator"].as_str() != Some("jobset") {
        return;
    }
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
        check("m.yaml", text, &mut out);
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
}
