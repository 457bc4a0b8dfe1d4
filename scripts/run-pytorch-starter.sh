#!/usr/bin/env bash
# Run a generated pytorch project's starter: as 1 process, as 2 "containers" given the
# variables AIchor's pytorch operator injects (MASTER_ADDR, MASTER_PORT, WORLD_SIZE, RANK),
# through the shell-free launcher (`python -m <pkg>.launch`, what multi-GPU manifests run) as
# 2 containers of 1 process and as 1 container of 2 processes. Each must exit 0, and rank 0
# must write summary.json to AICHOR_OUTPUT_PATH. Then preemption: 2 containers on a long run,
# SIGTERM to rank 1 only; both must exit 143 with rank 0's checkpoint saved, and a second run
# must resume from it, finish and delete it.
#
#   scripts/run-pytorch-starter.sh <project-dir>
#
# Not part of CI: torch is several hundred MB (CPU build) to GBs (CUDA build). Run it where
# torch can be installed (the project's `uv sync` pulls it from download.pytorch.org) or is
# already installed: PYTORCH_PYTHON=<python> uses that interpreter (it needs torch and the
# project's other dependencies) instead of `uv run`.
# GPU projects (torch from a /whl/cu12x index): without a GPU, only checks that the starter
# refuses to run (exit 1, "no GPU is visible"); with 1 GPU, 2 launcher processes must be
# refused (more processes than GPUs) unless AICHOR_SHARE_GPUS=1, with which they share it over
# gloo, and the 2-container runs are skipped (NCCL refuses two ranks on one GPU); with 2+
# GPUs, each container gets its own GPU and NCCL. CPU projects hide the GPUs.
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
    echo "== uv sync --locked (installs torch from download.pytorch.org: CPU build ~200 MB, CUDA build GBs)"
    "$uv" sync --locked
    run=("$uv" run --locked --no-sync python)
fi
free_port() { "${run[@]}" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

gpus=$("${run[@]}" -c 'import torch; print(torch.cuda.device_count())')
echo "torch $("${run[@]}" -c 'import torch; print(torch.__version__)'), $gpus GPU(s)"
gpu_project=0
grep -q 'download.pytorch.org/whl/cu' pyproject.toml && gpu_project=1
# Per rank of the 2-container runs: the devices it sees.
rank_env=("CUDA_VISIBLE_DEVICES=" "CUDA_VISIBLE_DEVICES=")
if ((gpu_project && gpus >= 2)); then
    rank_env=("CUDA_VISIBLE_DEVICES=0" "CUDA_VISIBLE_DEVICES=1")
elif ((gpu_project)); then
    rank_env=()
fi
((gpu_project)) || echo "(CPU project: the GPUs, if any, are hidden)"
cpu_env=()
((gpu_project)) || cpu_env=(CUDA_VISIBLE_DEVICES=)

out=$(mktemp -d)
trap '[[ -n ${KEEP_OUT:-} ]] || rm -rf "$out"' EXIT
export AICHOR_OUTPUT_PATH=$out/outputs
[[ -n ${AICHOR_TENSORBOARD_PATH:-} ]] || export AICHOR_TENSORBOARD_PATH=$out/runs
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
summary() { # the run wrote summary.json with this world size
    "${run[@]}" -c 'import json, sys; d = json.load(open(sys.argv[1])); assert d["world_size"] == int(sys.argv[2]), d; print("  summary.json:", d)' \
        "$AICHOR_OUTPUT_PATH/summary.json" "$1"
}
one() {
    rm -rf "$AICHOR_OUTPUT_PATH"
    env "${cpu_env[@]}" timeout 300 "${run[@]}" -u -m "$pkg.main" && summary 1
}
no_gpu_refused() { # a GPU project with no GPU visible: exit 1 with a clear message
    local rc=0 log=$out/no-gpu.log
    CUDA_VISIBLE_DEVICES= timeout 300 "${run[@]}" -u -m "$pkg.main" >"$log" 2>&1 || rc=$?
    tail -3 "$log"
    ((rc == 1)) && grep -q "no GPU is visible" "$log"
}
two_containers() { # $1: main or launch
    local port rc0=0 rc1=0 p0 p1 cmd=(-u -m "$pkg.$1")
    [[ $1 == launch ]] && cmd+=(--nproc-per-node 1)
    rm -rf "$AICHOR_OUTPUT_PATH"
    port=$(free_port)
    env "${rank_env[0]}" MASTER_ADDR=localhost MASTER_PORT="$port" WORLD_SIZE=2 RANK=0 \
        timeout 300 "${run[@]}" "${cmd[@]}" & p0=$!
    env "${rank_env[1]}" MASTER_ADDR=localhost MASTER_PORT="$port" WORLD_SIZE=2 RANK=1 \
        timeout 300 "${run[@]}" "${cmd[@]}" & p1=$!
    wait "$p0" || rc0=$?
    wait "$p1" || rc1=$?
    ((rc0 == 0 && rc1 == 0)) && summary 2
}
launch_two() { # one container, two processes, as `launch` runs them locally
    rm -rf "$AICHOR_OUTPUT_PATH"
    env "${cpu_env[@]}" "${share_env[@]}" timeout 300 "${run[@]}" -u -m "$pkg.launch" \
        --nproc-per-node 2 && summary 2
}
shared_gpu_refused() { # 2 processes on 1 GPU without AICHOR_SHARE_GPUS: refused, not gloo
    local rc=0 log=$out/shared.log
    env -u AICHOR_SHARE_GPUS timeout 300 "${run[@]}" -u -m "$pkg.launch" --nproc-per-node 2 \
        >"$log" 2>&1 || rc=$?
    tail -3 "$log"
    ((rc != 0)) && grep -q "AICHOR_SHARE_GPUS=1" "$log"
}
resume() { # SIGTERM to rank 1 of 2 mid-run: both stop with 143, then a second run resumes
    local port p0 p1 rc0=0 rc1=0 ckpt=$AICHOR_OUTPUT_PATH/checkpoints/pytorch.pt log0=$out/r0.log
    rm -rf "$AICHOR_OUTPUT_PATH"
    export AICHOR_CHECKPOINT_EVERY=200
    port=$(free_port)
    env "${rank_env[0]}" MASTER_ADDR=localhost MASTER_PORT="$port" WORLD_SIZE=2 RANK=0 \
        timeout 300 "${run[@]}" -u -m "$pkg.main" --steps 100000000 >"$log0" 2>&1 & p0=$!
    env "${rank_env[1]}" MASTER_ADDR=localhost MASTER_PORT="$port" WORLD_SIZE=2 RANK=1 \
        timeout 300 "${run[@]}" -u -m "$pkg.main" --steps 100000000 >"$out/r1.log" 2>&1 & p1=$!
    for _ in $(seq 1200); do [[ -f $ckpt ]] && break; sleep 0.1; done
    [[ -f $ckpt ]] || { echo "  no periodic checkpoint"; kill "$p0" "$p1"; return 1; }
    kill -TERM "$p1" # `timeout` (and uv) forward it to the starter
    wait "$p0" || rc0=$?
    wait "$p1" || rc1=$?
    tail -2 "$log0"
    ((rc0 == 143 && rc1 == 143)) || { echo "  exit codes $rc0 $rc1, expected 143 143"; return 1; }
    local stopped
    stopped=$(grep -o 'SIGTERM: saved step [0-9]*' "$log0" | grep -o '[0-9]*$') || return 1
    port=$(free_port)
    rc0=0 rc1=0
    env "${rank_env[0]}" MASTER_ADDR=localhost MASTER_PORT="$port" WORLD_SIZE=2 RANK=0 \
        timeout 300 "${run[@]}" -u -m "$pkg.main" --steps $((stopped + 5)) >"$log0" 2>&1 & p0=$!
    env "${rank_env[1]}" MASTER_ADDR=localhost MASTER_PORT="$port" WORLD_SIZE=2 RANK=1 \
        timeout 300 "${run[@]}" -u -m "$pkg.main" --steps $((stopped + 5)) >"$out/r1.log" 2>&1 & p1=$!
    wait "$p0" || rc0=$?
    wait "$p1" || rc1=$?
    unset AICHOR_CHECKPOINT_EVERY
    grep "resumed at step $stopped" "$log0" && ((rc0 == 0 && rc1 == 0)) && [[ ! -f $ckpt ]] && summary 2
}

share_env=()
((gpu_project && gpus < 2)) && share_env=(AICHOR_SHARE_GPUS=1)
if ((gpu_project && gpus == 0)); then
    step "no GPU: refused (exit 1)" no_gpu_refused
    echo "(GPU project on a machine without GPUs: nothing else can run here)"
    exit "$failed"
fi
step "1 process" one
if ((${#rank_env[@]})); then
    step "2 containers (WORLD_SIZE=2)" two_containers main
    step "launch: 2 containers x 1" two_containers launch
else
    echo "(1 GPU: the 2-container runs need a GPU each; skipped)"
fi
((gpu_project && gpus == 1)) && step "1 GPU, 2 processes: refused" shared_gpu_refused
step "launch: 1 container x 2" launch_two
if ((${#rank_env[@]})); then
    step "preempted (SIGTERM rank 1), resumed" resume
fi
exit "$failed"
