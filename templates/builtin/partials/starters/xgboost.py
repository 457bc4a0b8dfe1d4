"""Starter for {{ name }} on AIchor's xgboost operator.

Every process holds its own shard of the training data; XGBoost's collective
(Rabit) joins them so that all processes grow the same trees together.

Environment injected by the operator (absent locally, where we run as 1 of 1):
  WORLD_SIZE   number of processes (containers)
  RANK         index of this process, 0..WORLD_SIZE-1
  MASTER_ADDR  host of rank 0, which runs the Rabit tracker
  MASTER_PORT  port of the Rabit tracker

AICHOR_RENDEZVOUS_TIMEOUT (seconds, default 600) bounds the wait for every process to join:
a missing peer fails the run instead of billing it until the experiment's own timeout.

Rank 0 saves the model every AICHOR_CHECKPOINT_EVERY rounds (default 10) and when the pod
is told to stop (SIGTERM: preemption, a cancelled run), under AICHOR_CHECKPOINT_PATH
(default: <AICHOR_OUTPUT_PATH>checkpoints/); a run that finds one resumes from it.
"""

import argparse
import json
import os
{%- if accelerator == "gpu" %}
import shutil
{%- endif %}
import signal
import socket
{%- if accelerator == "gpu" %}
import subprocess
{%- endif %}
import sys
import time

import numpy as np
import xgboost as xgb
{%- if tensorboard %}
from tensorboardX import SummaryWriter
{%- endif %}
from xgboost import collective
from xgboost.tracker import RabitTracker

from {{ package }} import container_cpus

DEVICE = "{% if accelerator == "gpu" %}cuda{% else %}cpu{% endif %}"
ROWS_PER_PROCESS = 5_000
FEATURES = 16
ROUNDS = 10


{% include "starters/env.py" %}{%- if accelerator == "gpu" %}


def require_gpu() -> None:
    """A GPU profile must train on the GPU: fail instead of falling back to the CPU."""
    if not xgb.build_info().get("USE_CUDA"):
        raise SystemExit("this xgboost build has no CUDA support (install `xgboost`)")
    smi = shutil.which("nvidia-smi")
    gpus = []
    if smi:
        listing = subprocess.run(
            [smi, "-L"], capture_output=True, text=True, check=False
        )
        gpus = [line for line in listing.stdout.splitlines() if line.startswith("GPU ")]
    if not gpus:
        raise SystemExit(
            "no GPU is visible to this container (nvidia-smi lists none), "
            "but the profile asks for one: check the manifest's accelerators"
        )
{%- endif %}
{% include "starters/outputs.py" %}
{%- include "starters/checkpoint.py" %}


class Checkpoint(xgb.callback.TrainingCallback):
    """Rank 0 saves the model every few rounds; every rank stops when one was told to."""

    def __init__(self, rank: int, world_size: int, rounds: int) -> None:
        self.rank, self.world_size, self.rounds = rank, world_size, rounds
        self.every = checkpoint_every()
        self.stopped_at: int | None = None

    def after_iteration(self, model: xgb.Booster, epoch: int, evals_log: dict) -> bool:
        stop = stop_requested()
        if self.world_size > 1:
            flags = np.array([float(stop)], dtype=np.float64)
            stop = collective.allreduce(flags, collective.Op.MAX)[0] > 0
        done = model.num_boosted_rounds()
        if done < self.rounds and (stop or done % self.every == 0):
            if self.rank == 0:
                where = save_checkpoint("xgboost.ubj", bytes(model.save_raw("ubj")))
                if stop:
                    print(
                        f"[rank 0] SIGTERM: saved round {done} to {where}", flush=True
                    )
            if stop:
                self.stopped_at = done
        return bool(stop)  # True ends training after this round


def make_shard(rank: int) -> tuple[np.ndarray, np.ndarray]:
    """Synthetic binary classification data; every rank draws different rows."""
    weights = np.random.default_rng(0).normal(size=FEATURES)  # same on all ranks
    rng = np.random.default_rng(1_000 + rank)
    x = rng.normal(size=(ROWS_PER_PROCESS, FEATURES)).astype(np.float32)
    noise = rng.normal(scale=0.5, size=ROWS_PER_PROCESS)
    y = (x @ weights + noise > 0).astype(np.float32)
    return x, y
{%- if tensorboard %}


def tensorboard_logdir() -> str:
    """AICHOR_TENSORBOARD_PATH on AIchor, ./runs locally (written by rank 0 only)."""
    return os.environ.get("AICHOR_TENSORBOARD_PATH") or "runs"
{%- endif %}


def train(rank: int, world_size: int, rounds: int) -> None:
    x, y = make_shard(rank)
    split = int(0.8 * len(x))
    dtrain = xgb.DMatrix(x[:split], label=y[:split])
    dvalid = xgb.DMatrix(x[split:], label=y[split:])

    # A collective sanity check: every rank contributes its row count.
    rows = collective.allreduce(np.array([len(x)], dtype=np.float64), collective.Op.SUM)
    if int(rows[0]) != world_size * ROWS_PER_PROCESS:
        raise RuntimeError(f"allreduce gave {rows[0]}, expected {world_size} shards")

    params = {
        "objective": "binary:logistic",
        "eval_metric": ["logloss", "error"],
        "tree_method": "hist",
        "device": DEVICE,
        "nthread": container_cpus(),
        "max_depth": 4,
        "eta": 0.3,
    }
    # Every rank resumes from the same model (rank 0 saved it).
    resumed = None
    saved = load_checkpoint("xgboost.ubj")
    if saved is not None:
        resumed = xgb.Booster(model_file=bytearray(saved))
        print(
            f"[rank {rank}] resumed at round {resumed.num_boosted_rounds()}", flush=True
        )
    done = resumed.num_boosted_rounds() if resumed is not None else 0
    checkpoint = Checkpoint(rank, world_size, rounds)
    history: dict = {}
    start = time.perf_counter()
    booster = xgb.train(
        params,
        dtrain,
        num_boost_round=max(0, rounds - done),
        evals=[(dtrain, "train"), (dvalid, "valid")],
        evals_result=history,
        verbose_eval=False,
        xgb_model=resumed,
        callbacks=[checkpoint],
    )
    elapsed = time.perf_counter() - start
    if checkpoint.stopped_at is not None:
        sys.exit(128 + signal.SIGTERM)
    # The device XGBoost actually used (it falls back to the CPU with only a warning).
    config = json.loads(booster.save_config())
    device = config["learner"]["generic_param"].get("device", DEVICE)
{%- if accelerator == "gpu" %}
    if not device.startswith("cuda"):
        raise SystemExit(
            f"XGBoost trained on {device!r}, not the GPU the profile asks for"
        )
{%- endif %}

    # With several processes the metrics are already aggregated over all shards, and every
    # rank holds the same model: only rank 0 (the coordinator) saves and logs them.
    valid = history["valid"]
    if rank == 0:
{%- if tensorboard %}
        writer = SummaryWriter(tensorboard_logdir())
        for split_name, metrics in history.items():
            for metric, values in metrics.items():
                for step, value in enumerate(values):
                    writer.add_scalar(f"{split_name}/{metric}", value, step)
        writer.close()
{%- endif %}
        summary = {
            "world_size": world_size,
            "rows_total": int(rows[0]),
            "rounds": booster.num_boosted_rounds(),
            "valid_error": valid["error"][-1],
            "device": device,
        }
        write_output("model.json", bytes(booster.save_raw("json")))
        written = write_output("summary.json", json.dumps(summary).encode())
        print(f"[rank 0] saved the model and {written}", flush=True)
        clear_checkpoint("xgboost.ubj")
    print(
        f"[rank {rank}/{world_size}] host={socket.gethostname()} device={device} "
        f"nthread={params['nthread']} "
        f"rows_total={int(rows[0])} rounds={booster.num_boosted_rounds()} "
        f"valid_logloss={valid['logloss'][0]:.4f}->{valid['logloss'][-1]:.4f} "
        f"valid_error={valid['error'][-1]:.4f} train_seconds={elapsed:.2f}",
        flush=True,
    )


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--rounds", type=int, default=ROUNDS, help=f"boosting rounds (default {ROUNDS})"
    )
    args = parser.parse_args()
    if args.rounds < 1:
        parser.error("--rounds must be at least 1")
    return args


def main() -> None:
    args = parse_args()
    stop_on_sigterm()
{%- if accelerator == "gpu" %}
    require_gpu()
{%- endif %}
    world_size = env_int("WORLD_SIZE", 1)
    rank = env_int("RANK", 0)
    if world_size <= 1:
        train(0, 1, args.rounds)
        return

    if not 0 <= rank < world_size:
        sys.exit(
            f"error: RANK={rank} is not in 0..{world_size - 1} (WORLD_SIZE={world_size})"
        )
    host = os.environ.get("MASTER_ADDR", "localhost")
    port = env_int("MASTER_PORT", 9999)
    timeout = env_int("AICHOR_RENDEZVOUS_TIMEOUT", 600)
    tracker = None
    try:
        if rank == 0:
            # Rank 0 also hosts the tracker that introduces the workers to each other: on
            # every interface (MASTER_ADDR is how the others reach it), ranking workers by
            # task id so that each one's collective rank is its RANK.
            tracker = RabitTracker(
                n_workers=world_size,
                host_ip="0.0.0.0",
                port=port,
                sortby="task",
                timeout=timeout,
            )
            tracker.start()
        collective.init(
            dmlc_tracker_uri=host,
            dmlc_tracker_port=port,
            dmlc_task_id=str(rank),
            dmlc_retry=10,  # tolerate workers that start before the tracker listens
            dmlc_timeout=timeout,
        )
    except Exception as e:  # noqa: BLE001 - any failure to join ends the run, loudly
        sys.exit(
            f"error: [rank {rank}] the {world_size} processes did not all join through "
            f"{host}:{port} within {timeout} s (AICHOR_RENDEZVOUS_TIMEOUT): {e}"
        )
    try:
        train(rank, world_size, args.rounds)
    finally:
        collective.finalize()
    if tracker is not None:
        tracker.wait_for(timeout)


if __name__ == "__main__":
    main()
