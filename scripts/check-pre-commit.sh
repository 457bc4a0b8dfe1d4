#!/usr/bin/env bash
# .pre-commit-hooks.yaml, tried with the real pre-commit (PyPI) the way a team uses it, in a
# throwaway repository made by `aichor local-repo init`: `pre-commit try-repo` on a valid
# manifest, then the hooks adopted (.pre-commit-config.yaml, `pre-commit install`) and real
# `git commit`s: a valid manifest with a good message goes in; a broken manifest and a
# near-miss message (`aichor[manifest.yml]:`, no such file) are refused. Each install makes
# pre-commit build this repository's wheel (maturin, from pyproject.toml's build-system) and
# run `aichor-kit`.
#
#   scripts/check-pre-commit.sh [--release]
#
# pre-commit installs the repository as pip does (PEP 517), and maturin makes that a release
# build: a full optimised compile in a fresh target folder, as a user's first install runs
# it (`--release` here; see CONTRIBUTING.md for the time it takes). By default, the `.ci/run`
# stage, the build is pointed at the dev profile and this repository's target/ folder
# (MATURIN_PEP517_ARGS, CARGO_TARGET_DIR: pip passes the environment on), reusing the
# compiled dependencies. pre-commit comes from PyPI into target/ci-tools/.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/sandbox.sh

release=false
if [[ ${1:-} == --release ]]; then
    release=true
elif [[ $# -gt 0 ]]; then
    echo "usage: scripts/check-pre-commit.sh [--release]" >&2
    exit 2
fi

tools=target/ci-tools
[[ -x $tools/bin/python ]] || python3 -m venv "$tools"
"$tools/bin/python" -m pip freeze 2>/dev/null | grep -qix "pre-commit==4.7.0" \
    || "$tools/bin/python" -m pip install --quiet --disable-pip-version-check "pre-commit==4.7.0"
pre_commit=$PWD/$tools/bin/pre-commit
"$pre_commit" --version

repo=$PWD
work=$(mktemp -d "${TMPDIR:-/tmp}/aichor-pre-commit.XXXXXX")
trap 'rm -rf "$work"' EXIT
# pre-commit's own cache (the hook environments) is fresh: the wheel is built every run.
export PRE_COMMIT_HOME=$work/cache
if ! $release; then
    export CARGO_TARGET_DIR=$repo/target MATURIN_PEP517_ARGS="--profile dev"
fi

fail() {
    echo "error: $*" >&2
    exit 1
}

# A project the way init writes it, committed: its manifest is valid.
mkdir "$work/projects"
(cd "$work/projects" && cargo run --quiet --manifest-path "$repo/Cargo.toml" --bin aichor -- \
    local-repo init demo --no-input --operator jax --no-lock --quiet)
demo=$work/projects/demo
git -C "$demo" init --quiet
git -C "$demo" add -A
git -C "$demo" commit --quiet --no-verify -m "aichor[manifest.yaml]: first run"

# The hooks as this working tree has them, committed in a throwaway clone (what a team's
# `rev:` would pin; try-repo on a dirty repository would make such a commit itself).
git clone --quiet --no-hardlinks "$repo" "$work/hooks-repo"
git -C "$repo" ls-files -z --cached --others --exclude-standard \
    | (cd "$repo" && tar --null -T - -cf - 2>/dev/null) | tar -C "$work/hooks-repo" -xf -
git -C "$work/hooks-repo" add -A
git -C "$work/hooks-repo" commit --quiet --no-verify --allow-empty -m "the working tree of $repo"
rev=$(git -C "$work/hooks-repo" rev-parse HEAD)

# 1. `pre-commit try-repo`, as a team tries the hooks before adopting them (it installs
#    into a store of its own each time, so it runs once here).
start=$SECONDS
(cd "$demo" && "$pre_commit" try-repo "$work/hooks-repo" aichor-manifest-validate --all-files) \
    > "$work/try.log" 2>&1 || { cat "$work/try.log"; fail "try-repo: a valid manifest was refused"; }
try_s=$((SECONDS - start))
grep -q "aichor manifest validate.*Passed" "$work/try.log" || { cat "$work/try.log"; fail "try-repo did not run the hook"; }

# 2. Adopted: the config a team writes, the hooks installed into git, real commits.
cat > "$demo/.pre-commit-config.yaml" <<YAML
default_install_hook_types: [pre-commit, commit-msg]
repos:
  - repo: $work/hooks-repo
    rev: $rev
    hooks:
      - id: aichor-manifest-validate
      - id: aichor-commit-msg
YAML
(cd "$demo" && "$pre_commit" install --install-hooks) > "$work/install.log" 2>&1 \
    || { cat "$work/install.log"; fail "pre-commit install failed"; }
commit() { # MESSAGE: git commit of everything, hooks on; the log in $work/commit.log
    git -C "$demo" add -A
    (cd "$demo" && git commit --quiet -m "$1") > "$work/commit.log" 2>&1
}

commit "aichor[manifest.yaml]: adopt pre-commit" \
    || { cat "$work/commit.log"; fail "a commit with a valid manifest and a good message was refused"; }

sed -i 's/operator: jax/operator: jaxx/' "$demo/aichor_manifests/manifest.yaml"
if commit "aichor[manifest.yaml]: break it"; then
    fail "a manifest with an unknown operator was committed"
fi
grep -q "jaxx" "$work/commit.log" || { cat "$work/commit.log"; fail "the refusal does not name the bad value"; }
git -C "$demo" checkout --quiet HEAD -- aichor_manifests/manifest.yaml

echo "# more" >> "$demo/README.md"
if commit "aichor[manifest.yml]: second run"; then
    fail "a message naming a missing manifest was committed"
fi
grep -q "manifest.yml" "$work/commit.log" || { cat "$work/commit.log"; fail "the refusal does not name the manifest"; }
commit "aichor[manifest.yaml]: second run" \
    || { cat "$work/commit.log"; fail "a good commit message was refused"; }
[[ $(git -C "$demo" log --format=%s) == "aichor[manifest.yaml]: second run"* ]] \
    || fail "the good commit is not there"

profile=dev
$release && profile=release
echo "pre-commit: a valid manifest and a good message passed, a bad manifest and a near-miss message were refused"
echo "first install (the wheel built, $profile profile): ${try_s} s with try-repo"
