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
            "  operator: ray\n",
            "7:13: error [spec.operator]: `ray` is not one of pytorch, jax, xgboost, jobset, kuberay",
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
    assert_eq!(branches.len(), 5);
    let pytorch = &branches[0]["then"]["properties"]["types"];
    assert_eq!(pytorch["required"], serde_json::json!(["worker"]));
    assert_eq!(pytorch["additionalProperties"], false);
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
    warning: m.yaml:3:1: still invalid []: missing `builder`
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
