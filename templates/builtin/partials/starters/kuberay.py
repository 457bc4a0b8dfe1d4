"""Starter for {{ name }} on AIchor's kuberay operator.

On AIchor the Ray cluster (the head and the manifest's worker pods) is started
for the experiment, and this driver must join it: it connects to RAY_ADDRESS
(or to the cluster of the node it runs on) and fails if it cannot. Only when no
AIchor variable is set does it start a throwaway one-node cluster; on your
machine run it through scripts/ray_local.py (see README.md, "Run locally").

Then it waits for every worker node to join, runs its tasks in a STRICT_SPREAD
placement group (one bundle per worker node, each asking for the profile's
accelerator; the head has no CPUs for tasks) and fails unless every worker node
took part. Its summary goes to AICHOR_OUTPUT_PATH (./outputs when unset).
{%- if accelerator == "tpu" %}

Asking Ray for the `TPU` resource proves nothing about the chips: on every TPU host
(and on this machine, for a local run) a one-shot task has JAX list the host's devices and
refuses unless they are TPUs. The hosts of a slice then join one JAX cluster (one process per
host) and sum a value over every chip of the slice (pmap/psum across hosts, over ICI): each
must see the slice's whole chip count, or the run fails.
{%- endif %}
"""

import json
{%- if accelerator == "tpu" %}
import math
{%- endif %}
import os
import socket
import time

import ray
from ray.util.placement_group import placement_group, remove_placement_group
from ray.util.scheduling_strategies import PlacementGroupSchedulingStrategy
{%- if tensorboard %}
from tensorboardX import SummaryWriter
{%- endif %}

# Workers[0].count in aichor_manifests/{{ manifest_path }}: change both together.
WORKERS = {{ workers }}
{%- if accelerator == "tpu" %}
# Each worker is one TPU slice of several hosts, and each host is one Ray node.
TPU_TOPOLOGY = "{{ resources.accelerators.tpu.topology }}"
TPU_CHIPS_PER_HOST = {{ resources.accelerators.tpu.tpuChipsCount }}
HOSTS_PER_WORKER = (
    math.prod(int(d) for d in TPU_TOPOLOGY.split("x")) // TPU_CHIPS_PER_HOST
)
# What one task asks for: every TPU chip of one host.
TASK_RESOURCES = {"CPU": 1, "TPU": TPU_CHIPS_PER_HOST}
{%- elif accelerator == "gpu" %}
HOSTS_PER_WORKER = 1
# What one task asks for: the GPUs of one worker pod.
TASK_RESOURCES = {"CPU": 1, "GPU": {{ gpus }}}
{%- else %}
HOSTS_PER_WORKER = 1
TASK_RESOURCES = {"CPU": 1}
{%- endif %}
# AIchor may start worker pods on demand: how long to wait for all of them.
JOIN_TIMEOUT_S = 900
TASKS_PER_NODE = 4
# Set by AIchor (the platform, or KubeRay on the head) and never by a local run.
AICHOR_VARIABLES = (
    "AICHOR_EXPERIMENT_ID",
    "AICHOR_PROJECT_ID",
    "AICHOR_EXPERIMENT_NAME",
    "RAY_CLUSTER_NAME",
)


{% include "starters/env.py" %}


def wait_for_head(address: str) -> None:
    """Wait until the head at RAY_ADDRESS (host:port) takes connections, for at most
    AICHOR_RENDEZVOUS_TIMEOUT seconds (default 600): a wrong address fails the run with what
    it waited for, instead of ray.init retrying for minutes."""
    host, _, port = address.removeprefix("ray://").rpartition(":")
    if not host or not port.isdigit():
        return  # not host:port (`auto`, a URL): ray.init resolves it
    timeout = env_int("AICHOR_RENDEZVOUS_TIMEOUT", 600)
    deadline = time.monotonic() + timeout
    while True:
        try:
            with socket.create_connection((host, int(port)), timeout=5):
                return
        except OSError as exc:
            if time.monotonic() > deadline:
                raise SystemExit(
                    f"error: the Ray head at {address} (RAY_ADDRESS) took no connection "
                    f"within {timeout} s (AICHOR_RENDEZVOUS_TIMEOUT): {exc}"
                ) from exc
            time.sleep(2)


def connect() -> bool:
    """Join the experiment's Ray cluster; True when a local one was started."""
    address = os.environ.get("RAY_ADDRESS")
    aichor = [key for key in AICHOR_VARIABLES if os.environ.get(key)]
    if not address and not aichor:
        ray.init(address="local")  # not on AIchor: a throwaway one-node cluster
        return True
    if address:
        wait_for_head(address)
    try:
        # No RAY_ADDRESS: the cluster of the node this driver runs on.
        ray.init(address=address or "auto")
    except ConnectionError as exc:
        raise SystemExit(
            f"error: cannot connect to the Ray cluster at {address or 'auto'} "
            f"(RAY_ADDRESS={address!r}, AIchor variables: {aichor}): {exc}"
        ) from exc
    return False


def head_node_id() -> str:
    for node in ray.nodes():
        if node["Alive"] and "node:__internal_head__" in node["Resources"]:
            return node["NodeID"]
    raise RuntimeError("no alive Ray head node in ray.nodes()")


def wait_for_workers(expected: int) -> list[dict]:
    """The alive worker nodes once `expected` have joined; fail after JOIN_TIMEOUT_S."""
    deadline = time.monotonic() + JOIN_TIMEOUT_S
    while True:
        head = head_node_id()
        workers = [n for n in ray.nodes() if n["Alive"] and n["NodeID"] != head]
        if len(workers) >= expected:
            return workers
        if time.monotonic() > deadline:
            raise RuntimeError(
                f"only {len(workers)} of {expected} Ray worker node(s) joined within "
                f"{JOIN_TIMEOUT_S} s; cluster resources: {ray.cluster_resources()}"
            )
        print(f"waiting for worker nodes: {len(workers)}/{expected}", flush=True)
        time.sleep(5)


@ray.remote
def square_where(value: int) -> dict:
    """A small unit of work that also reports where it ran."""
    time.sleep(0.1)
    context = ray.get_runtime_context()
    return {
        "value": value,
        "square": value * value,
        "host": socket.gethostname(),
        "node_id": context.get_node_id(),
        "accelerators": {k: v for k, v in context.get_accelerator_ids().items() if v},
    }
{%- if accelerator == "tpu" %}


# max_calls=1: the worker process exits after the call, releasing the TPU, which libtpu
# lets only one process of the host hold at a time.
@ray.remote(max_calls=1)
def tpu_proof(slice_hosts: int) -> dict:
    """JAX on this host sees TPU chips; with the other `slice_hosts - 1` hosts of its slice
    (running this task at the same time) it forms one JAX cluster, and a psum over every chip
    of the slice gives the slice's chip count on every host."""
    import jax
    import jax.numpy as jnp

    host = socket.gethostname()
    if slice_hosts > 1:
        # On a TPU slice the coordinator, the process count and this host's index come from
        # the TPU environment (GKE sets them); bounded, so a missing host fails the run.
        timeout = env_int("AICHOR_RENDEZVOUS_TIMEOUT", 600)
        try:
            jax.distributed.initialize(initialization_timeout=timeout)
        except Exception as exc:  # JAX raises several types here
            raise RuntimeError(
                f"{host}: the {slice_hosts} hosts of the TPU slice did not form one JAX "
                f"cluster within {timeout} s (AICHOR_RENDEZVOUS_TIMEOUT): {exc}"
            ) from exc
    devices = jax.local_devices()
    platforms = sorted({d.platform for d in devices})
    if platforms != ["tpu"]:
        raise RuntimeError(
            f"JAX on {host} sees no TPU (devices: {devices}): the profile asks for TPU "
            "slices; check the manifest's accelerators and that jax[tpu] is installed"
        )
    expected = slice_hosts * len(devices)
    if jax.process_count() != slice_hosts or jax.device_count() != expected:
        raise RuntimeError(
            f"{host}: JAX sees {jax.process_count()} host(s) and {jax.device_count()} "
            f"chip(s) in its slice, expected {slice_hosts} and {expected} "
            f"(topology {TPU_TOPOLOGY}, {TPU_CHIPS_PER_HOST} chips per host)"
        )
    # pmap over this host's chips; psum's axis spans every chip of the slice.
    ones = jnp.ones(len(devices))
    total = jax.pmap(lambda x: jax.lax.psum(x, "chips"), axis_name="chips")(ones)
    if float(total[0]) != expected:
        raise RuntimeError(f"{host}: psum over {expected} TPU chips gave {total[0]}")
    return {
        "host": host,
        "node_id": ray.get_runtime_context().get_node_id(),
        "tpu_chips": len(devices),
        "slice_chips": expected,
        "slice_process": jax.process_index(),
        "device_kind": devices[0].device_kind,
    }
{%- endif %}
{% include "starters/outputs.py" %}


def main() -> None:
    local = connect()
    try:
        # Locally there is one node and no accelerator: the work runs there on CPU.
        # A head-only cluster (WORKERS = 0) runs it on the head, which has CPUs then.
        expected = 0 if local else WORKERS * HOSTS_PER_WORKER
        wanted = TASK_RESOURCES if expected else {"CPU": 1}
        workers = wait_for_workers(expected)
        resources = ray.cluster_resources()
        print(
            f"cluster: {len(workers) + 1} node(s) ({len(workers)} worker(s), "
            f"{expected} expected), resources {resources}",
            flush=True,
        )

        # One bundle per node, never two on the same node (STRICT_SPREAD).
        bundles = max(expected, 1)
        group = placement_group([wanted] * bundles, strategy="STRICT_SPREAD")
        if not group.wait(timeout_seconds=300):
            raise RuntimeError(
                f"placement group of {bundles} × {wanted} (STRICT_SPREAD) not "
                f"placed within 300 s; cluster resources: {resources}"
            )
        asks = {
            "num_cpus": wanted["CPU"],
            "num_gpus": wanted.get("GPU", 0),
            "resources": {k: v for k, v in wanted.items() if k not in ("CPU", "GPU")},
        }
{%- if accelerator == "tpu" %}
        # First, each host (bundle) proves its chips, all at once: the hosts of a slice
        # compute together. Locally, this machine is one host and must have a TPU.
        slice_hosts = 1 if local else HOSTS_PER_WORKER
        proofs = ray.get(
            [
                tpu_proof.options(
                    **asks,
                    scheduling_strategy=PlacementGroupSchedulingStrategy(
                        group, placement_group_bundle_index=i
                    ),
                ).remote(slice_hosts)
                for i in range(bundles)
            ]
        )
        for proof in proofs:
            print(
                f"host {proof['host']}: {proof['tpu_chips']} × {proof['device_kind']}, "
                f"process {proof['slice_process']} of a {proof['slice_chips']}-chip slice",
                flush=True,
            )
{%- endif %}
        count = bundles * TASKS_PER_NODE
        start = time.perf_counter()
        results = ray.get(
            [
                square_where.options(
                    **asks,
                    scheduling_strategy=PlacementGroupSchedulingStrategy(
                        group, placement_group_bundle_index=i % bundles
                    ),
                ).remote(i)
                for i in range(count)
            ]
        )
        elapsed = time.perf_counter() - start
        remove_placement_group(group)

        total = sum(result["square"] for result in results)
        expected_total = sum(i * i for i in range(count))
        if total != expected_total:
            raise RuntimeError(f"sum of squares is {total}, expected {expected_total}")
        used = sorted({result["node_id"] for result in results})
        head = head_node_id()
        for node_id in used:
            ran = [r for r in results if r["node_id"] == node_id]
            role = "head" if node_id == head else "worker"
            print(
                f"node {node_id[:8]} ({role}, {ran[0]['host']}): {len(ran)} task(s), "
                f"accelerators {ran[0]['accelerators']}",
                flush=True,
            )
        if len(used) < bundles:
            raise RuntimeError(f"{len(used)} node(s) took part, {bundles} requested")
        if expected and head in used:
            raise RuntimeError("tasks ran on the head; they belong on the workers")
        if len(wanted) > 1 and not all(r["accelerators"] for r in results):
            raise RuntimeError(f"tasks asked for {wanted} but got no accelerator IDs")
{%- if tensorboard %}

        logdir = os.environ.get("AICHOR_TENSORBOARD_PATH") or "runs"
        writer = SummaryWriter(logdir)
        for step, result in enumerate(results):
            writer.add_scalar("tasks/square", result["square"], step)
        writer.add_scalar("cluster/nodes", len(workers) + 1, 0)
        writer.add_scalar("cluster/cpus", resources.get("CPU", 0), 0)
        writer.close()
{%- endif %}

        summary = {
            "driver_host": socket.gethostname(),
            "local_cluster": local,
            "worker_nodes_expected": expected,
            "worker_nodes_joined": len(workers),
            "nodes_used": len(used),
            "task_resources": wanted,
            "tasks": count,
            "sum_of_squares": total,
            "seconds": round(elapsed, 3),
{%- if accelerator == "tpu" %}
            "tpu_hosts": proofs,
{%- endif %}
        }
        where = write_output(
            "summary.json", (json.dumps(summary, indent=2) + "\n").encode()
        )
        print(
            f"[driver] host={socket.gethostname()} tasks={count} "
            f"nodes_used={len(used)} workers={len(workers)}/{expected} "
            f"sum_of_squares={total} (expected {expected_total}) "
            f"seconds={elapsed:.2f} summary={where}",
            flush=True,
        )
    finally:
        ray.shutdown()


if __name__ == "__main__":
    main()
