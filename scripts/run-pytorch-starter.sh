#!/usr/bin/env bash
# Run a generated pytorch project's starter as 1 process, as 2 processes given the variables
# AIchor's pytorch operator injects (MASTER_ADDR, MASTER_PORT, WORLD_SIZE, RANK), and under
# torchrun (2 local processes), like the GPU manifests' command. Each must exit 0.
#
#   scripts/run-pytorch-starter.sh <project-dir>
#
# Not part of CI: torch on PyPI is a multi-GiB CUDA build. Run it where torch can be
# installed (the project's `uv sync` pulls it) or is already installed: PYTORCH_PYTHON=<python>
# uses that interpreter (it needs torch and the project's other dependencies) instead of
# `uv run`. With fewer than 2 GPUs the 2-process runs use the CPU (gloo): two ranks cannot
# share one GPU with NCCL.
set -euo pipefail
[[ $# -eq 1 && -f $1/pyproject.toml ]] || { echo "usage: $0 <generated pytorch project>" >&2; exit 2; }
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$1"
mains=(src/*/main.py)
[[ -f ${mains[0]} ]] || { echo "error: no src/<package>/main.py in $PWD" >&2; exit 2; }
pkg=$(basename "$(dirname "${mains[0]}")")
grep -q '"torch' pyproject.toml || { echo "error: $PWD is not a pytorch project" >&2; exit 2; }

export UV_PYTHON_DOWNLOADS=never
if [[ -n ${PYTORCH_PYTHON:-} ]]; then
    run=("$PYTORCH_PYTHON")
    export PYTHONPATH=$PWD/src${PYTHONPATH:+:$PYTHONPATH}
else
    uv=$(command -v uv || echo "$repo/target/ci-tools/bin/uv")
    [[ -x $uv ]] || { echo "error: uv not found (PATH or $repo/target/ci-tools/bin)" >&2; exit 1; }
    [[ -f uv.lock ]] || "$uv" lock
    echo "== uv sync --locked (installs torch: several GiB from PyPI)"
    "$uv" sync --locked
    run=("$uv" run --locked --no-sync python)
fi
free_port() { "${run[@]}" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

gpus=$("${run[@]}" -c 'import torch; print(torch.cuda.device_count())')
echo "torch $("${run[@]}" -c 'import torch; print(torch.__version__)'), $gpus GPU(s)"
multi_env=()
if ((gpus < 2)); then
    multi_env=(CUDA_VISIBLE_DEVICES=)
    echo "(fewer than 2 GPUs: the 2-process runs use the CPU and gloo)"
fi

failed=0
step() { # label, then the command; prints ok/FAIL with seconds
    local label=$1 start rc=0
    shift
    start=$(date +%s.%N)
    "$@" || rc=$?
    printf '%-32s %s %5.1fs\n' "$label" "$([[ $rc == 0 ]] && echo ok || echo "FAIL (exit $rc)")" \
        "$(echo "$(date +%s.%N) - $start" | bc)"
    [[ $rc == 0 ]] || failed=1
}
two_ranks() {
    local port rc0=0 rc1=0 p0 p1
    port=$(free_port)
    env "${multi_env[@]}" MASTER_ADDR=localhost MASTER_PORT="$port" WORLD_SIZE=2 RANK=0 \
        timeout 300 "${run[@]}" -u -m "$pkg.main" & p0=$!
    env "${multi_env[@]}" MASTER_ADDR=localhost MASTER_PORT="$port" WORLD_SIZE=2 RANK=1 \
        LOCAL_RANK=1 timeout 300 "${run[@]}" -u -m "$pkg.main" & p1=$!
    wait "$p0" || rc0=$?
    wait "$p1" || rc1=$?
    ((rc0 == 0 && rc1 == 0))
}
torchrun_two() {
    env "${multi_env[@]}" timeout 300 "${run[@]}" -m torch.distributed.run --nnodes=1 \
        --nproc-per-node=2 --master-addr=localhost --master-port="$(free_port)" -m "$pkg.main"
}

if [[ -z ${AICHOR_TENSORBOARD_PATH:-} ]]; then
    tb=$(mktemp -d)
    trap 'rm -rf "$tb"' EXIT
    export AICHOR_TENSORBOARD_PATH=$tb # not runs/ inside the project
fi
step "1 process" timeout 300 "${run[@]}" -u -m "$pkg.main"
step "2 processes (WORLD_SIZE=2)" two_ranks
step "torchrun --nproc-per-node=2" torchrun_two
exit "$failed"
