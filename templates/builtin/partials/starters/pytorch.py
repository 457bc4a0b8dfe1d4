"""Starter for {{ name }} on AIchor's pytorch operator.

Every process trains the same small model on its own shard of synthetic data;
DistributedDataParallel averages the gradients so all replicas stay in step.

Environment injected by the operator (absent locally, where we run as 1 of 1):
  WORLD_SIZE   number of processes
  RANK         index of this process, 0..WORLD_SIZE-1
  MASTER_ADDR  host of rank 0
  MASTER_PORT  port of the rendezvous on rank 0
  LOCAL_RANK   index of the process on its machine (set by torchrun)

AICHOR_RENDEZVOUS_TIMEOUT (seconds, default 600) bounds the wait for every process to join
and each collective: a missing peer fails the run instead of billing it for torch's default
30 minutes.

Rank 0 saves a checkpoint every AICHOR_CHECKPOINT_EVERY steps (default 10) and when the
pod is told to stop (SIGTERM: preemption, a cancelled run), under AICHOR_CHECKPOINT_PATH
(default: <AICHOR_OUTPUT_PATH>checkpoints/); a run that finds one resumes from it.

Rank 0 writes a JSON summary to AICHOR_OUTPUT_PATH (the experiment's output
prefix on AIchor, ./outputs locally).
{%- if accelerator == "gpu" %}
This project targets a GPU profile: with no GPU visible it stops with an error
rather than training on the CPU.
{%- endif %}
"""

import argparse
import io
import json
import os
import signal
import socket
import sys
import time
from datetime import timedelta

import torch
import torch.distributed as dist
{%- if tensorboard %}
from tensorboardX import SummaryWriter
{%- endif %}
from torch import nn
from torch.nn.parallel import DistributedDataParallel

FEATURES = 16
BATCH_SIZE = 64
STEPS = 50
LEARNING_RATE = 0.05


{% include "starters/env.py" %}{%- if tensorboard %}


def tensorboard_logdir(rank: int, world_size: int) -> str:
    """AICHOR_TENSORBOARD_PATH on AIchor, ./runs locally; one folder per process."""
    base = os.environ.get("AICHOR_TENSORBOARD_PATH") or "runs"
    return f"{base.rstrip('/')}/rank-{rank}" if world_size > 1 else base
{%- endif %}
{% include "starters/outputs.py" %}
{%- include "starters/checkpoint.py" %}


def unwrapped(model: nn.Module) -> nn.Module:
    """The model DistributedDataParallel wraps: its state_dict has no `module.` prefix."""
    return model.module if isinstance(model, DistributedDataParallel) else model


def make_batch(generator: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
    """Synthetic regression data: y = x . w + noise, with the same w everywhere."""
    true_weights = torch.linspace(-1.0, 1.0, FEATURES)
    x = torch.randn(BATCH_SIZE, FEATURES, generator=generator)
    noise = 0.1 * torch.randn(BATCH_SIZE, generator=generator)
    return x, (x @ true_weights + noise).unsqueeze(1)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--steps", type=int, default=STEPS, help=f"training steps (default {STEPS})"
    )
    args = parser.parse_args()
    if args.steps < 1:
        parser.error("--steps must be at least 1")
    return args


def main() -> None:
    args = parse_args()
    stop_on_sigterm()
    world_size = env_int("WORLD_SIZE", 1)
    rank = env_int("RANK", 0)
    local_rank = env_int("LOCAL_RANK", 0)
    distributed = world_size > 1
    # Input data would be read from AICHOR_INPUT_PATH (s3://<project>-inputs/ on
    # AIchor, e.g. f"{os.environ['AICHOR_INPUT_PATH']}train.parquet"); this
    # starter makes synthetic data instead.
{%- if accelerator == "gpu" %}

    gpus = torch.cuda.device_count()
    if gpus == 0:
        sys.exit(
            f"error: [rank {rank}] no GPU is visible (torch.cuda.device_count() == 0); "
            "this project targets a GPU profile and does not fall back to the CPU. "
            "Check the manifest's accelerators and the image's torch build "
            f"(torch {torch.__version__}, CUDA {torch.version.cuda})."
        )
    device = torch.device("cuda", local_rank % gpus)
    torch.cuda.set_device(device)
    # NCCL refuses two ranks on one GPU. More processes than GPUs on a node is a
    # misconfiguration on AIchor (the profile's GPUs and launch's --nproc-per-node
    # disagree): refuse it. AICHOR_SHARE_GPUS=1 lets a local test share GPUs over gloo.
    backend = "nccl"
    if env_int("LOCAL_WORLD_SIZE", 1) > gpus:
        share = os.environ.get("AICHOR_SHARE_GPUS", "").strip().lower()
        if share not in ("1", "true", "yes"):
            sys.exit(
                f"error: [rank {rank}] {env_int('LOCAL_WORLD_SIZE', 1)} processes on this "
                f"node share {gpus} GPU(s): start one process per GPU (launch's "
                "--nproc-per-node), or set AICHOR_SHARE_GPUS=1 to test on fewer GPUs "
                "over gloo (slow; never on AIchor)"
            )
        backend = "gloo"
{%- else %}
    if torch.cuda.is_available():
        device = torch.device("cuda", local_rank % torch.cuda.device_count())
        torch.cuda.set_device(device)
        backend = "nccl"
    else:
        device = torch.device("cpu")
        backend = "gloo"
{%- endif %}
    if distributed:
        if not 0 <= rank < world_size:
            sys.exit(
                f"error: RANK={rank} is not in 0..{world_size - 1} (WORLD_SIZE={world_size})"
            )
        timeout = env_int("AICHOR_RENDEZVOUS_TIMEOUT", 600)
        try:
            # env:// reads MASTER_ADDR, MASTER_PORT, WORLD_SIZE and RANK.
            dist.init_process_group(
                backend=backend,
                init_method="env://",
                world_size=world_size,
                rank=rank,
                timeout=timedelta(seconds=timeout),
            )
        except Exception as e:  # noqa: BLE001 - any failure to join ends the run, loudly
            sys.exit(
                f"error: [rank {rank}] the {world_size} processes did not all join through "
                f"{os.environ.get('MASTER_ADDR')}:{os.environ.get('MASTER_PORT')} within "
                f"{timeout} s (AICHOR_RENDEZVOUS_TIMEOUT): {e}"
            )

    try:
        # 1. A collective check: every rank contributes rank + 1.
        check = torch.tensor([float(rank + 1)], device=device)
        if distributed:
            dist.all_reduce(check, op=dist.ReduceOp.SUM)
        expected = world_size * (world_size + 1) / 2
        if check.item() != expected:
            raise RuntimeError(f"all_reduce gave {check.item()}, expected {expected}")

        # 2. A few training steps; DDP averages the gradients over all ranks.
        torch.manual_seed(0)  # same initial weights everywhere (DDP syncs them too)
        model: nn.Module = nn.Linear(FEATURES, 1).to(device)
        if distributed:
            model = DistributedDataParallel(
                model, device_ids=[device.index] if device.type == "cuda" else None
            )
        optimizer = torch.optim.SGD(model.parameters(), lr=LEARNING_RATE)
        # Every rank resumes from the same checkpoint (rank 0 wrote it).
        first_step, losses = 0, []
        saved = load_checkpoint("pytorch.pt")
        if saved is not None:
            state = torch.load(io.BytesIO(saved), map_location=device)
            unwrapped(model).load_state_dict(state["model"])
            optimizer.load_state_dict(state["optimizer"])
            first_step = state["step"]
            losses = state["losses"]  # the first and the last
            print(
                f"[rank {rank}] resumed at step {first_step} from {checkpoint_prefix()}",
                flush=True,
            )
        # Own data per rank, and new data after a resume.
        generator = torch.Generator().manual_seed(1_000 + rank + 7_919 * first_step)
{%- if tensorboard %}
        writer = SummaryWriter(tensorboard_logdir(rank, world_size))
{%- endif %}

        start = time.perf_counter()
        every = checkpoint_every()
        for step in range(first_step, args.steps):
            x, y = (t.to(device) for t in make_batch(generator))
            loss = nn.functional.mse_loss(model(x), y)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
{%- if tensorboard %}
            writer.add_scalar("train/loss", losses[-1], step)
{%- endif %}
            if step % 10 == 0 or step == args.steps - 1:
                print(f"[rank {rank}] step {step:3d} loss {losses[-1]:.4f}", flush=True)
            # Every rank stops at the same step when any of them was told to.
            stop = torch.tensor([float(stop_requested())], device=device)
            if distributed:
                dist.all_reduce(stop, op=dist.ReduceOp.MAX)
            done = step + 1
            if done < args.steps and (stop.item() or done % every == 0):
                if rank == 0:
                    state = {
                        "step": done,
                        "model": unwrapped(model).state_dict(),
                        "optimizer": optimizer.state_dict(),
                        "losses": [losses[0], losses[-1]],
                    }
                    buffer = io.BytesIO()
                    torch.save(state, buffer)
                    where = save_checkpoint("pytorch.pt", buffer.getvalue())
                if stop.item():
                    if rank == 0:
                        print(
                            f"[rank 0] SIGTERM: saved step {done} to {where}",
                            flush=True,
                        )
                    sys.exit(128 + signal.SIGTERM)
        elapsed = time.perf_counter() - start
{%- if tensorboard %}
        writer.close()
{%- endif %}

        # The mean of the final loss over all ranks.
        final = torch.tensor([losses[-1]], device=device)
        if distributed:
            dist.all_reduce(final, op=dist.ReduceOp.SUM)
        print(
            f"[rank {rank}/{world_size}] host={socket.gethostname()} "
            f"backend={backend if distributed else 'none'} device={device} "
            f"all_reduce={check.item():g} (expected {expected:g}) "
            f"loss={losses[0]:.4f}->{losses[-1]:.4f} "
            f"mean_final_loss={final.item() / world_size:.4f} "
            f"train_seconds={elapsed:.2f}",
            flush=True,
        )
        if rank == 0:
            # Where a real job would save its model (e.g. torch.save to a local
            # file, then upload it the same way).
            summary = {
                "world_size": world_size,
                "backend": backend if distributed else "none",
                "device": str(device),
                "torch": torch.__version__,
                "first_loss": losses[0],
                "final_loss": losses[-1],
                "mean_final_loss": final.item() / world_size,
                "train_seconds": elapsed,
            }
            written = write_output(
                "summary.json", (json.dumps(summary, indent=2) + "\n").encode()
            )
            print(f"[rank 0] wrote {written}", flush=True)
            clear_checkpoint("pytorch.pt")
    finally:
        if distributed:
            dist.destroy_process_group()


if __name__ == "__main__":
    main()
