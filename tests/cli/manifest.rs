//! `aichor manifest validate | migrate | schema` against the real manifests in
//! `tests/conformance/` (before and after the platform's own migration) and hand-made
//! invalid variants.

use std::path::{Path, PathBuf};

use crate::support::{aichor, aichor_snapshot, stderr};

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/conformance")
}

pub(crate) fn yaml_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let p = entry.unwrap().path();
        if p.is_dir() {
            out.extend(yaml_files(&p));
        } else if p.extension().is_some_and(|e| e == "yaml") {
            out.push(p);
        }
    }
    out.sort();
    out
}

fn parse(text: &str) -> yaml_serde::Value {
    yaml_serde::from_str(text).unwrap()
}

#[test]
fn every_current_manifest_is_valid() {
    let files = yaml_files(&corpus().join("current"));
    assert!(
        !files.is_empty(),
        "the corpus in tests/conformance/current is empty"
    );
    let out = aichor()
        .args(["manifest", "validate"])
        .arg(corpus().join("current"))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}{}", stderr(&out));
    // One `valid` line per file, each naming it.
    assert_eq!(stdout.matches(": valid ").count(), files.len(), "{stdout}");
    for file in &files {
        let rel = file.strip_prefix(corpus().join("current")).unwrap();
        assert!(
            stdout.contains(&format!("{}: valid ", rel.display())),
            "{} not reported valid:\n{stdout}",
            rel.display()
        );
    }
    assert!(!stdout.contains(": error"), "{stdout}");
}

#[test]
fn legacy_manifests_fail_with_the_migration_hint_and_migrate_to_their_twin() {
    let legacies = yaml_files(&corpus().join("legacy"));
    assert!(
        !legacies.is_empty(),
        "the corpus in tests/conformance/legacy is empty"
    );
    let rel = |dir: &str, files: &[PathBuf]| -> Vec<PathBuf> {
        files
            .iter()
            .map(|f| f.strip_prefix(corpus().join(dir)).unwrap().to_path_buf())
            .collect()
    };
    assert_eq!(
        rel("legacy", &legacies),
        rel("current", &yaml_files(&corpus().join("current"))),
        "every legacy manifest has its current twin, and the other way round"
    );
    // Upstream migrated every pytorch, xgboost and jax manifest (their type names changed);
    // jobset and kuberay ones only gained the modeline.
    let expected_migrations = legacies
        .iter()
        .filter(|f| {
            let m = parse(&std::fs::read_to_string(f).unwrap());
            let op = m["spec"]["operator"]
                .as_str()
                .unwrap_or_default()
                .to_string();
            ["pytorch", "xgboost", "jax"].contains(&op.as_str())
        })
        .count();
    assert!(
        expected_migrations > 0,
        "no legacy manifest needs migrating"
    );
    let mut migrated = 0;
    for legacy in legacies {
        let rel = legacy.strip_prefix(corpus().join("legacy")).unwrap();
        let current = corpus().join("current").join(rel);
        let legacy_text = std::fs::read_to_string(&legacy).unwrap();
        let current_text = std::fs::read_to_string(&current).unwrap();
        let needs_migration = parse(&legacy_text) != parse(&current_text);

        let out = aichor()
            .args(["manifest", "validate"])
            .arg(&legacy)
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        if needs_migration {
            assert_eq!(out.status.code(), Some(1), "{}: {stdout}", rel.display());
            assert!(
                stdout.contains("pre-0.2.3 shape") && stdout.contains("aichor manifest migrate"),
                "{stdout}"
            );
        } else {
            assert!(out.status.success(), "{}: {stdout}", rel.display());
        }

        let out = aichor()
            .args(["manifest", "migrate"])
            .arg(&legacy)
            .output()
            .unwrap();
        assert!(out.status.success(), "{}: {}", rel.display(), stderr(&out));
        let result = String::from_utf8(out.stdout).unwrap();
        assert_eq!(parse(&result), parse(&current_text), "{}", rel.display());
        if needs_migration {
            migrated += 1;
        }
    }
    assert_eq!(migrated, expected_migrations);
}

#[test]
fn migrate_keeps_comments_and_warns_when_resources_differ() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("manifest.yaml");
    std::fs::copy(
        corpus().join("legacy/pytorch-demo/manifests/manifest.yaml"),
        &file,
    )
    .unwrap();
    let out = aichor()
        .args(["manifest", "migrate", "--write"])
        .arg(&file)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("different resources"),
        "{}",
        stderr(&out)
    );
    let written = std::fs::read_to_string(&file).unwrap();
    // The platform's maintainers made the same edit by hand: same text, comments included.
    let expected =
        std::fs::read_to_string(corpus().join("current/pytorch-demo/manifests/manifest.yaml"))
            .unwrap();
    assert_eq!(written, expected);
    assert!(written.contains("accelerators: # optional"));

    // A second run has nothing to do.
    let out = aichor()
        .args(["manifest", "migrate", "--write"])
        .arg(&file)
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(
        stderr(&out).contains("already in today's shape"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn tf_cannot_be_migrated_automatically() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("m.yaml");
    std::fs::write(&file, "builder:\n  image: a\nspec:\n  operator: tf\n  image: a\n  command: x\n  types:\n    Worker:\n      resources: {ramRatio: 2}\n").unwrap();
    let out = aichor()
        .args(["manifest", "migrate"])
        .arg(&file)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("no automatic migration"),
        "{}",
        stderr(&out)
    );
    let out = aichor()
        .args(["manifest", "validate"])
        .arg(&file)
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("`tf` was removed in apiVersion 0.2.3"));
}

const VALID: &str = "\
kind: AIchorManifest
apiVersion: 0.2.3
builder:
  image: demo
  dockerfile: ./Dockerfile
spec:
  operator: jobset
  image: demo
  command: python -u -m demo.main
  types:
    workers:
      count: 2
      resources:
        cpus: 2
        ramRatio: 2
";

/// Validate `text` as `aichor_manifests/manifest.yaml` of a repository with a Dockerfile;
/// returns (exit code, stdout).
fn validate(text: &str) -> (i32, String) {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::create_dir(tmp.path().join("aichor_manifests")).unwrap();
    std::fs::write(tmp.path().join("Dockerfile"), "FROM scratch\n").unwrap();
    std::fs::write(tmp.path().join("aichor_manifests/manifest.yaml"), text).unwrap();
    let out = aichor()
        .current_dir(tmp.path())
        .args(["manifest", "validate"])
        .output()
        .unwrap();
    assert!(!stderr(&out).contains("panicked"));
    (
        out.status.code().unwrap(),
        String::from_utf8(out.stdout).unwrap(),
    )
}

#[test]
fn a_valid_manifest_prints_its_trigger() {
    let (code, out) = validate(VALID);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains(
            "valid jobset manifest; run it with: git commit -m \"aichor[manifest.yaml]: <message>\""
        ),
        "{out}"
    );
}

#[test]
fn invalid_variants_give_the_expected_error_at_the_expected_line() {
    let cases: &[(&str, &str, &str)] = &[
        // (replace, with, expected "line:col: error [path]: message" fragment)
        (
            "        ramRatio: 2\n",
            "        ramratio: 2\n",
            "15:9: error [spec.types.workers.resources.ramratio]: unknown key `ramratio`",
        ),
        (
            "        ramRatio: 2\n",
            "        ramratio: 2\n",
            "help: did you mean `ramRatio`?",
        ),
        (
            "        ramRatio: 2\n",
            "        ramRatio: 2\n        memory: 8\n",
            "13:7: error [spec.types.workers.resources]: set exactly one of `ramRatio` or `memory`: both are set",
        ),
        (
            "      count: 2\n",
            "      count: -1\n",
            "12:14: error [spec.types.workers.count]: -1 is less than 0",
        ),
        (
            "        cpus: 2\n",
            "        cpus: two\n",
            "14:15: error [spec.types.workers.resources.cpus]: expected a number, found a string",
        ),
        (
            "    workers:\n",
            "    Workers_1:\n",
            "11:5: error [spec.types.Workers_1]: `Workers_1` is not valid",
        ),
        (
            "  image: demo\n  command",
            "  image: other\n  command",
            "4:10: error [builder.image]: `demo` differs from spec.image `other`",
        ),
        (
            "  operator: jobset\n",
            "  operator: pytroch\n",
            "7:13: error [spec.operator]: `pytroch` is not one of pytorch, jax, xgboost, jobset, kuberay, vertexai\n    help: did you mean `pytorch`?",
        ),
        (
            "  command: python -u -m demo.main\n",
            "",
            "6:1: error [spec]: missing `command`",
        ),
        (
            "apiVersion: 0.2.3\n",
            "apiVersion: 0.3\n",
            "2:13: error [apiVersion]: expected a string, one of",
        ),
        (
            "spec:\n",
            "spec:\n  timeout: soon\n",
            "7:12: error [spec.timeout]: `soon` is not valid",
        ),
        (
            "spec:\n",
            "spec:\n  timeout: 0m\n",
            "7:12: error [spec.timeout]: `0m` is not valid: expected a duration such as `30m`",
        ),
        // A unit that is not one byte used to panic (the number was sliced mid-character).
        (
            "spec:\n",
            "spec:\n  timeout: 1é\n",
            "7:12: error [spec.timeout]: `1é` is not valid",
        ),
        (
            "spec:\n",
            "spec:\n  rayVersion: \"2.9.0\"\n",
            "error [spec.rayVersion]: only the kuberay operator takes `rayVersion`",
        ),
        (
            "  types:\n",
            "  tensorboard: yes\n  types:\n",
            "10:16: error [spec.tensorboard]: expected a mapping, found a string",
        ),
        (
            "      count: 2\n",
            "      count: 2\n      count: 3\n",
            "not valid YAML",
        ),
        (
            "  image: demo\n  dockerfile",
            "  image: [demo\n  dockerfile",
            "error: not valid YAML",
        ),
    ];
    for (replace, with, expected) in cases {
        assert!(VALID.contains(replace), "{replace:?}");
        let (code, out) = validate(&VALID.replacen(replace, with, 1));
        assert_eq!(code, 1, "{with:?}: {out}");
        assert!(
            out.contains(expected),
            "{with:?}: expected `{expected}` in:\n{out}"
        );
    }
}

#[test]
fn all_errors_of_a_file_are_reported() {
    let text = VALID
        .replace("ramRatio: 2", "ramratio: 2")
        .replace("count: 2", "count: -2")
        .replace("image: demo\n  command", "image: x\n  command");
    let (code, out) = validate(&text);
    assert_eq!(code, 1);
    assert_eq!(out.matches(": error").count(), 4, "{out}");
}

#[test]
fn undocumented_fields_are_accepted_with_a_note() {
    let (code, out) = validate(&VALID.replace(
        "spec:\n",
        "spec:\n  engineName: main-aws-dev\n  restartPolicy:\n    backoffLimit: 2\n",
    ));
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("note [spec.engineName]: `engineName` is accepted but undocumented"),
        "{out}"
    );
}

#[test]
fn repository_checks_are_warnings_unless_strict() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("elsewhere.yaml");
    std::fs::write(&file, VALID).unwrap();
    let out = aichor()
        .args(["manifest", "validate"])
        .arg(&file)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}");
    assert!(
        stdout.contains("not under `aichor_manifests/`")
            && stdout.contains("no Dockerfile at `./Dockerfile`"),
        "{stdout}"
    );
    let out = aichor()
        .args(["manifest", "validate", "--strict"])
        .arg(&file)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn json_report_and_usage_errors() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(tmp.path().join("aichor_manifests/sub")).unwrap();
    std::fs::write(
        tmp.path().join("aichor_manifests/sub/train.yml"),
        VALID.replace("ramRatio", "ramratio"),
    )
    .unwrap();
    let out = aichor()
        .current_dir(tmp.path())
        .args(["manifest", "validate", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report[0]["valid"], false);
    assert_eq!(report[0]["trigger"], "aichor[sub/train.yml]: <message>");
    let d = report[0]["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["path"] == "spec.types.workers.resources.ramratio")
        .unwrap();
    assert_eq!(
        (d["line"].as_u64(), d["column"].as_u64()),
        (Some(15), Some(9))
    );

    let empty = tempfile::tempdir().unwrap();
    let out = aichor()
        .current_dir(empty.path())
        .args(["manifest", "validate"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("no manifests found under `aichor_manifests`"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn schema_is_draft_2020_12_and_describes_the_operators() {
    let out = aichor().args(["manifest", "schema"]).output().unwrap();
    assert!(out.status.success());
    let schema: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        schema["$schema"],
        "https://json-schema.org/draft/2020-12/schema"
    );
    assert_eq!(schema["required"], serde_json::json!(["builder", "spec"]));
    let branches = schema["properties"]["spec"]["allOf"].as_array().unwrap();
    assert_eq!(branches.len(), 6);
    let pytorch = &branches[0]["then"]["properties"]["types"];
    assert_eq!(pytorch["required"], serde_json::json!(["worker"]));
    assert_eq!(pytorch["additionalProperties"], false);
    assert_eq!(
        schema["properties"]["spec"]["properties"]["operator"]["enum"],
        serde_json::json!(["pytorch", "jax", "xgboost", "jobset", "kuberay", "vertexai"])
    );
    let vertexai = &branches[5];
    assert_eq!(
        vertexai["if"]["properties"]["operator"]["const"],
        "vertexai"
    );
    let pools = &vertexai["then"]["properties"]["types"]["properties"]["workerPoolSpecs"];
    assert_eq!(pools["minItems"], 1);
    assert_eq!(
        pools["items"]["required"],
        serde_json::json!(["machineSpec", "replicaCount"])
    );
}

/// `--write` never leaves a file worse: a result that would still be invalid is not written,
/// and a symlinked manifest has its target rewritten, the link kept.
#[cfg(unix)]
#[test]
fn migrate_write_only_writes_valid_results_and_follows_symlinks() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("aichor_manifests");
    std::fs::create_dir(&dir).unwrap();
    let legacy =
        std::fs::read_to_string(corpus().join("legacy/pytorch-demo/manifests/manifest.yaml"))
            .unwrap();

    // Still invalid after migration (an unknown key): the file stays byte for byte.
    let broken = dir.join("broken.yaml");
    let text = legacy.replacen("spec:", "spec:\n  colour: red", 1);
    std::fs::write(&broken, &text).unwrap();
    let out = aichor()
        .args(["manifest", "migrate", "--write"])
        .arg(&broken)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).contains("not written"), "{}", stderr(&out));
    assert_eq!(std::fs::read_to_string(&broken).unwrap(), text);

    // Through a symlink: the target is migrated, the link is still a link.
    let target = tmp.path().join("real.yaml");
    std::fs::write(&target, &legacy).unwrap();
    let link = dir.join("manifest.yaml");
    std::os::unix::fs::symlink(&target, &link).unwrap();
    let out = aichor()
        .args(["manifest", "migrate", "--write"])
        .arg(&link)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    let migrated = std::fs::read_to_string(&target).unwrap();
    assert!(
        migrated.contains("worker:") && !migrated.contains("Master"),
        "{migrated}"
    );
}

/// One file that is not UTF-8 is that file's error; the others are still checked and the
/// JSON report lists them all.
#[test]
fn a_non_utf8_file_does_not_hide_the_others() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("aichor_manifests");
    std::fs::create_dir(&dir).unwrap();
    let good = yaml_files(&corpus().join("current"))[0].clone();
    std::fs::copy(&good, dir.join("a.yaml")).unwrap();
    std::fs::write(dir.join("b.yaml"), b"spec:\n  operator: \xff\n").unwrap();
    let out = aichor()
        .args(["manifest", "validate", "--format", "json"])
        .arg(&dir)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let files = report.as_array().unwrap();
    assert_eq!(files.len(), 2);
    let b = &files[1];
    assert_eq!(b["valid"], false);
    assert_eq!(b["diagnostics"][0]["line"], 2);
    assert!(
        b["diagnostics"][0]["message"]
            .as_str()
            .unwrap()
            .contains("not UTF-8"),
        "{b}"
    );
}

/// Input deep enough to overflow a recursive parser is refused with a position.
#[test]
fn deeply_nested_input_is_refused_not_a_crash() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("deep.yaml");
    std::fs::write(&file, format!("{}1\n", "- ".repeat(20_000))).unwrap();
    for args in [&["validate"][..], &["migrate"][..]] {
        let out = aichor()
            .arg("manifest")
            .args(args)
            .arg(&file)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1), "{args:?}: {}", stderr(&out));
        let all = format!("{}{}", String::from_utf8_lossy(&out.stdout), stderr(&out));
        assert!(all.contains("too complex"), "{args:?}: {all}");
    }
}

/// #25: a file that ends right after an empty `Worker:` (no final newline, `Master: ` with a
/// trailing space). The count was glued to the key (`worker:      count: 2`) and the result
/// was not YAML; now it is the `worker` block, and the file ends with a newline.
#[test]
fn migrate_a_file_that_ends_without_a_newline() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(
        tmp.path().join("m.yaml"),
        "spec:\n  operator: pytorch\n  types:\n    Master: \n    Worker:",
    )
    .unwrap();
    aichor_snapshot!(aichor().current_dir(tmp.path()).args(["manifest", "migrate", "m.yaml"]), @"
    success: false
    exit_code: 1
    ----- stdout -----
    # yaml-language-server: $schema=https://instadeep.aichor.ai/schema/latest/manifest.schema.json

    spec:
      operator: pytorch
      types:
        worker:
          count: 2

    ----- stderr -----
    warning: m.yaml:3:1: still invalid [spec]: missing `image`
    warning: m.yaml:3:1: still invalid [spec]: missing `command`
    warning: m.yaml:3:1: still invalid: missing `builder`
    warning: m.yaml:6:5: still invalid [spec.types.worker]: missing `resources`
      Migrated spec.types: `Master` (count 1) + `Worker` (count 1) → `worker` (count 2)
      Migrated schema modeline: added
    error: 1 of 1 manifest(s) invalid
      help: fix the errors above; `aichor manifest schema` gives your editor the same rules
    ");
}

/// A legacy entry that is not a mapping (`Worker: count# x` is the string `count# x`) has no
/// count to add: refused, saying what it is, rather than a `count:` line under a string.
#[test]
fn migrate_refuses_a_worker_that_is_not_a_mapping() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(
        tmp.path().join("m.yaml"),
        "spec:\n  operator: pytorch\n  types:\n    Master:\n      count: 1\n    Worker: count# x\n",
    )
    .unwrap();
    aichor_snapshot!(aichor().current_dir(tmp.path()).args(["manifest", "migrate", "m.yaml"]), @"
    success: false
    exit_code: 1
    ----- stdout -----

    ----- stderr -----
    error: cannot migrate `m.yaml`: `spec.types.Worker` is a string, not a mapping: give it `count` and `resources` on the lines below it, then migrate
      help: edit the file by hand (see `aichor manifest validate`)
    ");
}

/// A vertexai manifest (GCP engines): its `workerPoolSpecs` shape is checked like the other
/// operators' types (it was refused as an unknown operator, with no help).
#[test]
fn vertexai_is_checked_with_its_worker_pools() {
    let vertexai = VALID.replace("operator: jobset", "operator: vertexai").replace(
        "    workers:\n      count: 2\n      resources:\n        cpus: 2\n        ramRatio: 2\n",
        "    workerPoolSpecs:\n      - machineSpec:\n          machineType: n1-standard-8\n          acceleratorType: NVIDIA_TESLA_T4\n          acceleratorCount: 1\n        replicaCount: 1\n      - machineSpec: {machineType: n1-standard-4}\n        replicaCount: 2\n",
    );
    let (code, out) = validate(&vertexai);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("valid vertexai manifest"), "{out}");

    let cases: &[(&str, &str, &str)] = &[
        (
            "          machineType: n1-standard-8\n",
            "          machinetype: n1-standard-8\n",
            "13:11: error [spec.types.workerPoolSpecs[0].machineSpec.machinetype]: unknown key `machinetype`",
        ),
        (
            "        replicaCount: 2\n",
            "        count: 2\n",
            "18:9: error [spec.types.workerPoolSpecs[1].count]: unknown key `count`",
        ),
        (
            "        replicaCount: 1\n",
            "        replicaCount: -1\n",
            "16:23: error [spec.types.workerPoolSpecs[0].replicaCount]: -1 is less than 0",
        ),
        (
            "    workerPoolSpecs:\n      - machineSpec:\n          machineType: n1-standard-8\n          acceleratorType: NVIDIA_TESLA_T4\n          acceleratorCount: 1\n        replicaCount: 1\n      - machineSpec: {machineType: n1-standard-4}\n        replicaCount: 2\n",
            "    workerPoolSpecs: []\n",
            "11:22: error [spec.types.workerPoolSpecs]: needs at least 1 item",
        ),
        (
            "    workerPoolSpecs:",
            "    worker:\n      resources: {ramRatio: 2}\n    workerPoolSpecs:",
            "error [spec.types.worker]: unknown key `worker`",
        ),
    ];
    for (replace, with, expected) in cases {
        assert!(vertexai.contains(replace), "{replace:?}");
        let (code, out) = validate(&vertexai.replacen(replace, with, 1));
        assert_eq!(code, 1, "{with:?}: {out}");
        assert!(
            out.contains(expected),
            "{with:?}: expected `{expected}` in:\n{out}"
        );
    }
}

/// Operators this tool cannot check (`slurm`, the 2023 `ray`) and `tf` (removed, nothing to
/// migrate it to automatically): named as such, with what to do instead.
#[test]
fn operators_this_tool_cannot_check_say_so_and_what_to_do() {
    let tmp = tempfile::tempdir().unwrap();
    for op in ["slurm", "ray", "tf"] {
        std::fs::write(
            tmp.path().join(format!("{op}.yaml")),
            VALID.replace("operator: jobset", &format!("operator: {op}")),
        )
        .unwrap();
    }
    aichor_snapshot!(
        aichor().current_dir(tmp.path()).args(["manifest", "validate", "slurm.yaml", "ray.yaml", "tf.yaml"]),
        @"
    success: false
    exit_code: 1
    ----- stdout -----
    slurm.yaml:1:1: warning: not under `aichor_manifests/`: AIchor only reads manifests from there
        help: move it to `aichor_manifests/` at the repository root
    slurm.yaml:5:15: warning [builder.dockerfile]: no Dockerfile at `./Dockerfile` (context `.`, repository root `[TEMP]`)
        help: the build will fail: fix `builder.context` / `builder.dockerfile`
    slurm.yaml:7:13: error [spec.operator]: `slurm` (AWS ParallelCluster engines) is an operator this tool cannot check or migrate: its manifest shape is not published
        help: submit it as it is (AIchor checks it when the experiment starts); this tool checks the Kubernetes operators and vertexai
    ray.yaml:1:1: warning: not under `aichor_manifests/`: AIchor only reads manifests from there
        help: move it to `aichor_manifests/` at the repository root
    ray.yaml:5:15: warning [builder.dockerfile]: no Dockerfile at `./Dockerfile` (context `.`, repository root `[TEMP]`)
        help: the build will fail: fix `builder.context` / `builder.dockerfile`
    ray.yaml:7:13: error [spec.operator]: `ray` is the 2023 Ray operator, which this tool cannot check or migrate: the platform replaced it with `kuberay`
        help: port it to `kuberay` by hand: set `operator: kuberay`, keep `Head`, make `Workers` a list of groups (`- name: workers` with `count` and `resources`) and drop `Job` (spec.command runs from a submitter pod)
    tf.yaml:1:1: warning: not under `aichor_manifests/`: AIchor only reads manifests from there
        help: move it to `aichor_manifests/` at the repository root
    tf.yaml:5:15: warning [builder.dockerfile]: no Dockerfile at `./Dockerfile` (context `.`, repository root `[TEMP]`)
        help: the build will fail: fix `builder.context` / `builder.dockerfile`
    tf.yaml:7:13: error [spec.operator]: `tf` was removed in apiVersion 0.2.3 and has no automatic migration
        help: port the job by hand: a single worker (no TF_CONFIG) runs unchanged as `operator: jobset` with `Worker` renamed to a lowercase group such as `worker`; multi-worker TensorFlow (TF_CONFIG) has no 0.2.3 operator: move the training to `jax` or `pytorch`, which inject their coordinator's address, or split it into independent `jobset` shards

    ----- stderr -----
    error: 3 of 3 manifest(s) invalid
      help: fix the errors above; `aichor manifest schema` gives your editor the same rules
    "
    );
    // migrate does not offer what validate says it cannot do: tf's help ports it by hand.
    aichor_snapshot!(
        aichor().current_dir(tmp.path()).args(["manifest", "migrate", "tf.yaml"]),
        @"
    success: false
    exit_code: 1
    ----- stdout -----

    ----- stderr -----
    error: cannot migrate `tf.yaml`: `tf` was removed in apiVersion 0.2.3 and has no automatic migration
      help: port the job by hand: a single worker (no TF_CONFIG) runs unchanged as `operator: jobset` with `Worker` renamed to a lowercase group such as `worker`; multi-worker TensorFlow (TF_CONFIG) has no 0.2.3 operator: move the training to `jax` or `pytorch`, which inject their coordinator's address, or split it into independent `jobset` shards
    "
    );
    aichor_snapshot!(
        aichor().current_dir(tmp.path()).args(["manifest", "migrate", "ray.yaml"]),
        @"
    success: false
    exit_code: 1
    ----- stdout -----

    ----- stderr -----
    error: cannot migrate `ray.yaml`: `ray` is the 2023 Ray operator, which this tool cannot check or migrate: the platform replaced it with `kuberay`
      help: port it to `kuberay` by hand: set `operator: kuberay`, keep `Head`, make `Workers` a list of groups (`- name: workers` with `count` and `resources`) and drop `Job` (spec.command runs from a submitter pod)
    "
    );
}

/// A repository's root holds YAML that is not a manifest (`.aichor-answers.yaml`, GitHub
/// workflows): a folder walk skips it by content (`-v` lists it), a broken manifest is still
/// reported, and a file named on the command line is validated as a manifest whatever it is.
#[test]
fn a_folder_walk_skips_yaml_that_is_not_a_manifest() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    std::fs::create_dir_all(root.join("aichor_manifests")).unwrap();
    std::fs::create_dir_all(root.join(".github/workflows")).unwrap();
    std::fs::write(root.join("Dockerfile"), "FROM scratch\n").unwrap();
    std::fs::write(root.join("aichor_manifests/manifest.yaml"), VALID).unwrap();
    std::fs::write(
        root.join("aichor_manifests/no-kind.yaml"),
        VALID.replace("kind: AIchorManifest\n", ""),
    )
    .unwrap();
    // Under aichor_manifests/ every YAML file is a manifest: one without `builder` and
    // `kind` is reported, not passed over.
    std::fs::write(
        root.join("aichor_manifests/no-builder.yaml"),
        VALID
            .replace("kind: AIchorManifest\n", "")
            .replace("builder:\n  image: demo\n  dockerfile: ./Dockerfile\n", ""),
    )
    .unwrap();
    std::fs::write(
        root.join("stray.yaml"),
        VALID
            .replace("kind: AIchorManifest\n", "")
            .replace("builder:\n  image: demo\n  dockerfile: ./Dockerfile\n", ""),
    )
    .unwrap();
    std::fs::write(
        root.join("aichor_manifests/broken.yaml"),
        VALID.replace(
            "  image: demo\n  dockerfile",
            "  image: [demo\n  dockerfile",
        ),
    )
    .unwrap();
    std::fs::write(
        root.join(".aichor-answers.yaml"),
        "_pack: builtin@1.0.0\nproject_name: demo\noperator: jobset\n",
    )
    .unwrap();
    std::fs::write(
        root.join(".github/workflows/ci.yaml"),
        "name: ci\non: push\njobs:\n  check:\n    runs-on: ubuntu-latest\n    steps:\n      - run: aichor manifest validate\n",
    )
    .unwrap();
    aichor_snapshot!(aichor().current_dir(root).args(["manifest", "validate", "."]), @r#"
    success: false
    exit_code: 1
    ----- stdout -----
    ./aichor_manifests/broken.yaml:5:13: error: not valid YAML: illegal placement of ':' indicator
        help: fix the YAML at this position (a manifest is a few levels deep)
    ./aichor_manifests/manifest.yaml: valid jobset manifest; run it with: git commit -m "aichor[manifest.yaml]: <message>"
    ./aichor_manifests/no-builder.yaml:1:1: error: missing `builder`
        help: add `builder` (how the image is built)
    ./aichor_manifests/no-kind.yaml: valid jobset manifest; run it with: git commit -m "aichor[no-kind.yaml]: <message>"

    ----- stderr -----
    error: 2 of 4 manifest(s) invalid
      help: fix the errors above; `aichor manifest schema` gives your editor the same rules
    "#);
    aichor_snapshot!(
        aichor().current_dir(root).args(["manifest", "validate", "-v", "."]),
        @r#"
    success: false
    exit_code: 1
    ----- stdout -----
    ./aichor_manifests/broken.yaml:5:13: error: not valid YAML: illegal placement of ':' indicator
        help: fix the YAML at this position (a manifest is a few levels deep)
    ./aichor_manifests/manifest.yaml: valid jobset manifest; run it with: git commit -m "aichor[manifest.yaml]: <message>"
    ./aichor_manifests/no-builder.yaml:1:1: error: missing `builder`
        help: add `builder` (how the image is built)
    ./aichor_manifests/no-kind.yaml: valid jobset manifest; run it with: git commit -m "aichor[no-kind.yaml]: <message>"

    ----- stderr -----
      verbose: skipped `./.aichor-answers.yaml`: not a manifest (no `kind: AIchorManifest`, no `builder` with `spec.operator`)
      verbose: skipped `./.github/workflows/ci.yaml`: not a manifest (no `kind: AIchorManifest`, no `builder` with `spec.operator`)
      verbose: skipped `./stray.yaml`: not a manifest (no `kind: AIchorManifest`, no `builder` with `spec.operator`)
    error: 2 of 4 manifest(s) invalid
      help: fix the errors above; `aichor manifest schema` gives your editor the same rules
    "#
    );
    // Named, it is checked as a manifest (and is not one).
    let out = aichor()
        .current_dir(root)
        .args(["manifest", "validate", ".aichor-answers.yaml"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("missing `builder`"), "{stdout}");
    // A folder with no manifest at all says how many files it skipped.
    aichor_snapshot!(
        aichor().current_dir(root).args(["manifest", "validate", ".github"]),
        @"
    success: false
    exit_code: 2
    ----- stdout -----

    ----- stderr -----
    error: no manifests found under `.github` (1 YAML file(s) there are not manifests; `-v` lists them)
      help: pass manifest files or folders: `aichor manifest validate PATH...`
    "
    );
}

/// Several files and folders: every file is tried, each reported, one summary at the end;
/// `--write` rewrites the ones whose result is valid (a still-invalid or refused one stays
/// byte for byte), and the run fails when any file was not migrated.
#[test]
fn migrate_takes_several_files_and_folders() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    let dir = root.join("smoke-test/manifests");
    std::fs::create_dir_all(&dir).unwrap();
    let legacy =
        std::fs::read_to_string(corpus().join("legacy/jax-demo/manifests/manifest.yaml")).unwrap();
    let current =
        std::fs::read_to_string(corpus().join("current/jax-demo/manifests/manifest.yaml")).unwrap();
    std::fs::write(dir.join("a-legacy.yaml"), &legacy).unwrap();
    std::fs::write(dir.join("b-current.yaml"), &current).unwrap();
    let tf = VALID.replace("operator: jobset", "operator: tf");
    std::fs::write(dir.join("c-tf.yaml"), &tf).unwrap();
    let invalid = legacy.replacen("spec:", "spec:\n  colour: red", 1);
    std::fs::write(dir.join("d-invalid.yaml"), &invalid).unwrap();
    std::fs::write(dir.join("e-workflow.yaml"), "name: ci\non: push\n").unwrap();
    let other = root.join("other.yaml");
    std::fs::write(&other, &legacy).unwrap();

    // Without --write: the results on stdout, nothing written.
    let out = aichor()
        .current_dir(root)
        .args(["manifest", "migrate", "smoke-test/manifests", "other.yaml"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(
        stdout.contains("─── smoke-test/manifests/a-legacy.yaml ───\n# yaml-language-server")
            && stdout.contains("─── other.yaml ───\n")
            && !stdout.contains("b-current.yaml"),
        "{stdout}"
    );
    assert_eq!(std::fs::read_to_string(&other).unwrap(), legacy);

    aichor_snapshot!(
        aichor().current_dir(root).args(["manifest", "migrate", "--write", "smoke-test/manifests", "other.yaml"]),
        @"
    success: false
    exit_code: 1
    ----- stdout -----

    ----- stderr -----
      Migrated smoke-test/manifests/a-legacy.yaml: spec.types: `Worker` → `worker`
      Migrated smoke-test/manifests/a-legacy.yaml: schema modeline: added
         Wrote smoke-test/manifests/a-legacy.yaml
     Unchanged smoke-test/manifests/b-current.yaml is already in today's shape
    error: cannot migrate `smoke-test/manifests/c-tf.yaml`: `tf` was removed in apiVersion 0.2.3 and has no automatic migration
      help: port the job by hand: a single worker (no TF_CONFIG) runs unchanged as `operator: jobset` with `Worker` renamed to a lowercase group such as `worker`; multi-worker TensorFlow (TF_CONFIG) has no 0.2.3 operator: move the training to `jax` or `pytorch`, which inject their coordinator's address, or split it into independent `jobset` shards
    warning: smoke-test/manifests/d-invalid.yaml:12:3: still invalid [spec.colour]: unknown key `colour`
     Unchanged smoke-test/manifests/d-invalid.yaml (not written: the result is still invalid)
      Migrated other.yaml: spec.types: `Worker` → `worker`
      Migrated other.yaml: schema modeline: added
         Wrote other.yaml
       Summary 5 manifests: 2 written, 1 already in today's shape, 1 still invalid (not written), 1 not migrated automatically
    error: 2 of 5 manifest(s) not migrated
      help: fix those as said above, then run `aichor manifest migrate` again; the others migrate cleanly
    "
    );
    assert_eq!(
        std::fs::read_to_string(dir.join("a-legacy.yaml")).unwrap(),
        current
    );
    assert_eq!(std::fs::read_to_string(&other).unwrap(), current);
    assert_eq!(
        std::fs::read_to_string(dir.join("b-current.yaml")).unwrap(),
        current
    );
    assert_eq!(std::fs::read_to_string(dir.join("c-tf.yaml")).unwrap(), tf);
    assert_eq!(
        std::fs::read_to_string(dir.join("d-invalid.yaml")).unwrap(),
        invalid
    );

    // Migrated: a second run has nothing left to do but the two it cannot.
    let out = aichor()
        .current_dir(root)
        .args([
            "manifest",
            "migrate",
            "--write",
            "smoke-test/manifests",
            "other.yaml",
        ])
        .output()
        .unwrap();
    assert!(
        stderr(&out).contains("5 manifests: 3 already in today's shape, 1 still invalid (not written), 1 not migrated automatically"),
        "{}",
        stderr(&out)
    );
}

/// `--format json`: one document, a report per file (outcome, changes, warnings, remaining
/// errors, why it was refused), whether or not the run succeeds.
#[test]
fn migrate_reports_json() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    std::fs::copy(
        corpus().join("legacy/pytorch-demo/manifests/manifest.yaml"),
        root.join("a.yaml"),
    )
    .unwrap();
    std::fs::write(
        root.join("b.yaml"),
        VALID.replace("operator: jobset", "operator: tf"),
    )
    .unwrap();
    let out = aichor()
        .current_dir(root)
        .args([
            "manifest", "migrate", "--write", "--format", "json", "a.yaml", "b.yaml",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["schema_version"], 1);
    assert_eq!(report["ok"], false);
    assert_eq!(report["write"], true);
    let a = &report["files"][0];
    assert_eq!(a["file"], "a.yaml");
    assert_eq!(a["outcome"], "written");
    assert_eq!(
        a["changes"][0],
        "spec.types: `Master` (count 1) + `Worker` (count 2) → `worker` (count 3)"
    );
    assert!(
        a["warnings"][0]
            .as_str()
            .unwrap()
            .contains("different resources"),
        "{a}"
    );
    assert_eq!(a["errors"], serde_json::json!([]));
    assert!(a.get("text").is_none(), "{a}");
    let b = &report["files"][1];
    assert_eq!(b["outcome"], "refused");
    assert!(
        b["reason"]["message"]
            .as_str()
            .unwrap()
            .contains("no automatic migration"),
        "{b}"
    );
    assert!(
        b["reason"]["help"].as_str().unwrap().contains("jobset"),
        "{b}"
    );

    // Without --write, one file already migrated: unchanged, its text in the report, exit 0.
    let out = aichor()
        .current_dir(root)
        .args(["manifest", "migrate", "--format", "json", "a.yaml"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["ok"], true);
    assert_eq!(report["files"][0]["outcome"], "unchanged");
    assert_eq!(
        report["files"][0]["text"].as_str().unwrap(),
        std::fs::read_to_string(root.join("a.yaml")).unwrap()
    );
}

/// What a crash during `migrate --write` leaves beside the manifest
/// (`.aichor-staging-<pid>-<name>`) is removed by the next run that reads that folder,
/// wherever it is run from, and is never read as a manifest (issue 20, "Also": recovery
/// looked only at the working folder and its parent).
#[test]
fn an_interrupted_write_is_cleared_by_the_next_run_on_its_folder() {
    let tmp = tempfile::tempdir().unwrap();
    let sub = tmp.path().join("aichor_manifests/team/gpu");
    std::fs::create_dir_all(&sub).unwrap();
    let legacy =
        std::fs::read_to_string(corpus().join("legacy/pytorch-demo/manifests/manifest.yaml"))
            .unwrap();
    std::fs::write(sub.join("manifest.yaml"), &legacy).unwrap();
    // A pid no live process has: its writer is gone.
    let leftover = sub.join(".aichor-staging-4194303-manifest.yaml");
    std::fs::write(&leftover, &legacy[..legacy.len() / 2]).unwrap();
    let out = aichor()
        .args([
            "manifest",
            "migrate",
            "--format",
            "json",
            "aichor_manifests",
        ])
        .current_dir(tmp.path())
        .output()
        .unwrap();
    assert!(!leftover.exists(), "{}", stderr(&out));
    assert!(stderr(&out).contains("Recovered"), "{}", stderr(&out));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let files: Vec<&str> = report["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["file"].as_str().unwrap())
        .collect();
    assert_eq!(files, ["aichor_manifests/team/gpu/manifest.yaml"]);
    // `validate` of one file clears its folder too.
    std::fs::write(&leftover, "kind: AIchorManifest\n").unwrap();
    let out = aichor()
        .args(["manifest", "validate"])
        .arg(sub.join("manifest.yaml"))
        .current_dir(tmp.path())
        .output()
        .unwrap();
    assert!(!leftover.exists(), "{}", stderr(&out));
}
