#!/usr/bin/env bash
# Does a third-party validator agree with `aichor manifest validate`, using the schema that
# `aichor manifest schema` exports? check-jsonschema (from PyPI) and aichor must accept and
# reject the same files: the conformance corpus, every template-tests variant's manifest, a
# vertexai manifest, and hand-made invalid variants. Also checks the GitHub Actions workflow the pack can write
# against GitHub's workflow schema. Prints a summary; exits 1 on any disagreement.
set -euo pipefail
cd "$(dirname "$0")/.."
# The binary sees none of the user's aichor, git or virtualenv settings.
source scripts/sandbox.sh

venv=target/ci-schema
if ! "$venv/bin/check-jsonschema" --version >/dev/null 2>&1; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check "check-jsonschema==0.39.0"
fi
bin=${AICHOR_BIN:-target/debug/aichor}
[ -x "$bin" ] || cargo build --quiet
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$bin" manifest schema > "$work/schema.json"

agree=0; disagree=0
# check FILE EXPECT: EXPECT is valid|invalid|any (any: only agreement matters).
check() {
  local file=$1 expect=$2 ours theirs
  if "$bin" manifest validate "$file" >/dev/null 2>&1; then ours=valid; else ours=invalid; fi
  if "$venv/bin/check-jsonschema" --schemafile "$work/schema.json" "$file" >/dev/null 2>&1; then theirs=valid; else theirs=invalid; fi
  if [ "$ours" = "$theirs" ] && { [ "$expect" = any ] || [ "$expect" = "$ours" ]; }; then
    agree=$((agree + 1))
  else
    disagree=$((disagree + 1))
    echo "DISAGREE $file: aichor=$ours check-jsonschema=$theirs expected=$expect"
  fi
}

for f in $(find tests/conformance/current -name '*.yaml' | sort); do check "$f" valid; done
for f in $(find tests/conformance/legacy -name '*.yaml' | sort); do check "$f" any; done

for dir in template-tests/*/; do
  name=$(basename "$dir")
  AICHOR_UV=/nonexistent "$bin" local-repo init "$work/$name" --answers "$dir/answers.yaml" --no-input >/dev/null 2>&1
  check "$work/$name/aichor_manifests/manifest.yaml" valid
done

# The GitHub Actions workflow the pack writes on request (xgboost-cpu asks for it) against
# GitHub's workflow schema, as check-jsonschema ships it; a broken copy must be refused.
workflows=0
for wf in "$work"/*/.github/workflows/*.yml; do
  [ -e "$wf" ] || continue
  workflows=$((workflows + 1))
  if "$venv/bin/check-jsonschema" --builtin-schema vendor.github-workflows "$wf" >/dev/null 2>&1; then
    agree=$((agree + 1))
  else
    disagree=$((disagree + 1)); echo "INVALID workflow $wf"
  fi
  sed 's/runs-on:/runs_on:/' "$wf" > "$work/bad-workflow.yml"
  if "$venv/bin/check-jsonschema" --builtin-schema vendor.github-workflows "$work/bad-workflow.yml" >/dev/null 2>&1; then
    disagree=$((disagree + 1)); echo "a broken workflow was accepted: the workflow check proves nothing"
  fi
done
[ "$workflows" -ge 1 ] || { echo "no variant wrote a GitHub Actions workflow"; disagree=$((disagree + 1)); }

# Hand-made invalid variants of a generated manifest (the image mismatch cross-check is
# beyond JSON Schema, so it is not among them).
base="$work/jobset-workers-4/aichor_manifests/manifest.yaml"
variant() { # NAME SED-EXPRESSION
  sed -e "$2" "$base" > "$work/bad-$1.yaml"
  check "$work/bad-$1.yaml" invalid
}
variant unknown-key 's/ramRatio:/ramratio:/'
variant both-ram 's/^\( *\)ramRatio: \(.*\)$/\1ramRatio: \2\n\1memory: 8/'
variant negative-count 's/count: 4/count: -1/'
variant bad-group 's/^    worker:/    Worker_1:/'
variant wrong-type 's/cpus: 8/cpus: eight/'
variant bad-operator 's/operator: jobset/operator: tf/'
variant no-command '/command:/d'
variant ray-operator 's/operator: jobset/operator: ray/'
variant slurm-operator 's/operator: jobset/operator: slurm/'

# vertexai (GCP engines) has no template-tests variant: a manifest of its own, and invalid
# variants of its worker pools.
cat > "$work/vertexai.yaml" <<'YAML'
kind: AIchorManifest
apiVersion: 0.2.3
builder:
  image: demo
  dockerfile: ./Dockerfile
spec:
  operator: vertexai
  image: demo
  command: python -u -m demo.main
  types:
    workerPoolSpecs:
      - machineSpec:
          machineType: n1-standard-8
          acceleratorType: NVIDIA_TESLA_T4
          acceleratorCount: 1
        replicaCount: 1
      - machineSpec: {machineType: n1-standard-4}
        replicaCount: 2
YAML
check "$work/vertexai.yaml" valid
base="$work/vertexai.yaml"
variant vertexai-no-pools '/workerPoolSpecs:/,$c\    workerPoolSpecs: []'
variant vertexai-count 's/replicaCount: 2/count: 2/'
variant vertexai-no-machine-type 's/machineType: n1-standard-8/machinetype: n1-standard-8/'
variant vertexai-no-replicas '/replicaCount: 1/d'
variant vertexai-worker 's/workerPoolSpecs:/worker:/'

echo "check-jsonschema $("$venv/bin/check-jsonschema" --version | awk '{print $NF}'): $agree agree, $disagree disagree"
[ "$disagree" -eq 0 ]
