"""Starter for {{ name }} on AIchor's jax operator.

All processes join one JAX runtime, so `jax.devices()` lists the devices of every
process. Arrays sharded over all of them are reduced with real collectives.

Environment injected by the operator (absent locally, where we run as 1 of 1):
  JAXOPERATOR_COORDINATOR_ADDRESS  host:port of process 0
  JAXOPERATOR_NUM_PROCESSES        number of processes (containers)
  JAXOPERATOR_PROCESS_ID           index of this process, 0 is the coordinator

AICHOR_RENDEZVOUS_TIMEOUT (seconds, default 600) bounds the wait for every process to join.
Process 0 saves a checkpoint every AICHOR_CHECKPOINT_EVERY steps (default 10) and when the
pod is told to stop (SIGTERM: preemption, a cancelled run), under AICHOR_CHECKPOINT_PATH
(default: <AICHOR_OUTPUT_PATH>checkpoints/); a run that finds one resumes from it.
"""

import argparse
import io
import json
import os
import signal
import socket
import sys
import time

import jax
import jax.numpy as jnp
import numpy as np
from jax.sharding import NamedSharding
from jax.sharding import PartitionSpec as P
{%- if tensorboard %}
from tensorboardX import SummaryWriter
{%- endif %}

ROWS_PER_DEVICE = 8
FEATURES = 4
STEPS = 20
LEARNING_RATE = 0.1


{% include "starters/env.py" %}


def init_distributed() -> None:
    """Join the other processes; must run before anything touches a device."""
    coordinator = os.environ.get("JAXOPERATOR_COORDINATOR_ADDRESS")
    if not coordinator:
        return  # one local process: nothing to join
    # gloo gives CPU devices cross-process collectives. It is the default from
    # jax 0.5.1 on; setting it explicitly is harmless and helps older versions.
    jax.config.update("jax_cpu_collectives_implementation", "gloo")
    processes = env_int("JAXOPERATOR_NUM_PROCESSES", 1)
    process_id = env_int("JAXOPERATOR_PROCESS_ID", 0)
    if not 0 <= process_id < processes:
        sys.exit(
            f"error: JAXOPERATOR_PROCESS_ID={process_id} is not in 0..{processes - 1} "
            f"(JAXOPERATOR_NUM_PROCESSES={processes})"
        )
    timeout = env_int("AICHOR_RENDEZVOUS_TIMEOUT", 600)
    try:
        jax.distributed.initialize(
            coordinator_address=coordinator,
            num_processes=processes,
            process_id=process_id,
            initialization_timeout=timeout,
        )
    except Exception as e:  # noqa: BLE001 - any failure to join ends the run, loudly
        sys.exit(
            f"error: [process {process_id}] the {processes} processes did not all join "
            f"through {coordinator} within {timeout} s (AICHOR_RENDEZVOUS_TIMEOUT): {e}"
        )
{%- if tensorboard %}


def tensorboard_logdir() -> str:
    """AICHOR_TENSORBOARD_PATH on AIchor, ./runs locally (written by process 0 only)."""
    return os.environ.get("AICHOR_TENSORBOARD_PATH") or "runs"
{%- endif %}
{% include "starters/outputs.py" %}
{%- include "starters/checkpoint.py" %}


def sharded(mesh: jax.sharding.Mesh, data: jax.Array) -> jax.Array:
    """Spread `data` row-wise over every device of every process.

    Each process only places the rows that belong to its own devices.
    """
    sharding = NamedSharding(mesh, P("devices"))
    return jax.make_array_from_callback(data.shape, sharding, lambda idx: data[idx])


def loss_fn(weights: jax.Array, x: jax.Array, y: jax.Array) -> jax.Array:
    return jnp.mean((x @ weights - y) ** 2)


@jax.jit
def train_step(
    weights: jax.Array, x: jax.Array, y: jax.Array
) -> tuple[jax.Array, jax.Array]:
    # x and y are sharded over all devices: the mean in the loss, and so the
    # gradient, is reduced across processes by the compiler-inserted collectives.
    loss, grads = jax.value_and_grad(loss_fn)(weights, x, y)
    return weights - LEARNING_RATE * grads, loss


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
    init_distributed()
    # After initialize(): JAX's distributed runtime installs a SIGTERM handler of its own.
    stop_on_sigterm()
{%- if accelerator == "gpu" %}
    # A GPU profile must run on the GPU: never fall back to the CPU silently.
    if jax.default_backend() != "gpu":
        raise SystemExit(
            f"JAX found no GPU (backend {jax.default_backend()!r}): the profile asks for "
            "one; check the manifest's accelerators and that jax[cuda12] is installed"
        )
{%- endif %}
    rank, world_size = jax.process_index(), jax.process_count()
    devices = jax.devices()
    mesh = jax.make_mesh((len(devices),), ("devices",))
    replicated = NamedSharding(mesh, P())

    # 1. A collective check: sum 0..n-1 held across all devices of all processes.
    n = ROWS_PER_DEVICE * len(devices)
    values = sharded(mesh, jnp.arange(n, dtype=jnp.int32))
    total = int(jax.jit(jnp.sum, out_shardings=replicated)(values))
    expected = n * (n - 1) // 2
    if total != expected:
        raise RuntimeError(f"cross-device sum is {total}, expected {expected}")

    # 2. Data-parallel linear regression on a batch sharded over all devices.
    # Every process derives the same batch from the same key and keeps its rows.
    key_x, key_w = jax.random.split(jax.random.key(0))
    true_weights = jax.random.normal(key_w, (FEATURES,))
    x_all = jax.random.normal(key_x, (n, FEATURES))
    x, y = sharded(mesh, x_all), sharded(mesh, x_all @ true_weights)
    # Every process resumes from the same checkpoint (process 0 wrote it).
    first_step, losses, initial = 0, [], np.zeros(FEATURES, dtype=np.float32)
    saved = load_checkpoint("jax.npz")
    if saved is not None:
        with np.load(io.BytesIO(saved)) as state:
            first_step = int(state["step"])
            losses = [float(v) for v in state["losses"]]  # the first and the last
            initial = state["weights"]
        print(f"[process {rank}] resumed at step {first_step}", flush=True)
    weights = jax.device_put(jnp.asarray(initial), replicated)
    start = time.perf_counter()
    every = checkpoint_every()
    for step in range(first_step, args.steps):
        weights, loss = train_step(weights, x, y)
        losses.append(float(loss))
        # Every process stops at the same step when any of them was told to.
        stop = stop_requested()
        if world_size > 1:
            flags = sharded(mesh, jnp.full(len(devices), stop, dtype=jnp.int32))
            stop = bool(jax.jit(jnp.max, out_shardings=replicated)(flags))
        done = step + 1
        if done < args.steps and (stop or done % every == 0):
            if rank == 0:
                buffer = io.BytesIO()
                np.savez(
                    buffer,
                    step=done,
                    losses=np.asarray([losses[0], losses[-1]]),
                    weights=np.asarray(weights),
                )
                where = save_checkpoint("jax.npz", buffer.getvalue())
            if stop:
                if rank == 0:
                    print(
                        f"[process 0] SIGTERM: saved step {done} to {where}", flush=True
                    )
                sys.exit(128 + signal.SIGTERM)
    elapsed = time.perf_counter() - start

    # Every process holds the same replicated weights and losses: only process 0 (the
    # coordinator) logs and saves them.
    if rank == 0:
{%- if tensorboard %}
        writer = SummaryWriter(tensorboard_logdir())
        for step, value in enumerate(losses):
            writer.add_scalar("train/loss", value, step)
        writer.close()
{%- endif %}
        result = {
            "processes": world_size,
            "devices": len(devices),
            "loss": losses[-1],
            "weights": [float(w) for w in weights],
        }
        written = write_output("result.json", json.dumps(result).encode())
        print(f"[process 0] saved {written}", flush=True)
        clear_checkpoint("jax.npz")

    print(
        f"[process {rank}/{world_size}] host={socket.gethostname()} "
        f"backend={jax.default_backend()} local_devices={jax.local_device_count()} "
        f"global_devices={len(devices)} sum={total} (expected {expected}) "
        f"loss={losses[0]:.4f}->{losses[-1]:.4f} train_seconds={elapsed:.2f}",
        flush=True,
    )
    if world_size > 1:
        jax.distributed.shutdown()


if __name__ == "__main__":
    main()
