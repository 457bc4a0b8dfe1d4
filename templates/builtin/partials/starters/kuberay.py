"""Starter for {{ name }} on AIchor's kuberay operator.

On AIchor the Ray cluster (one head, plus worker pods) is already running when
this driver starts, and RAY_ADDRESS points at it. Locally RAY_ADDRESS is absent
and `ray.init()` starts a throwaway single-node cluster instead. Set
RAY_ADDRESS=host:port to use a cluster started with `ray start --head`.
"""

import collections
import os
import socket
import time

import ray
{%- if tensorboard %}
from tensorboardX import SummaryWriter
{%- endif %}

TASKS = 20
# The accelerator of the AIchor profile this project was generated for.
PROFILE_ACCELERATOR = "{{ accelerator }}"


@ray.remote
def square_where(value: int) -> dict:
    """A small unit of work that also reports where it ran."""
    time.sleep(0.25)  # long enough for the tasks to spread over the nodes
    return {
        "value": value,
        "square": value * value,
        "host": socket.gethostname(),
        "node_ip": ray.util.get_node_ip_address(),
        "node_id": ray.get_runtime_context().get_node_id(),
    }


def main() -> None:
    ray.init(address=os.environ.get("RAY_ADDRESS"))  # None: start a local cluster
    try:
        resources = ray.cluster_resources()
        nodes = [node for node in ray.nodes() if node["Alive"]]
        print(f"cluster: {len(nodes)} node(s), resources {resources}", flush=True)
        for accelerator in ("GPU", "TPU"):
            if resources.get(accelerator):
                print(f"cluster: {resources[accelerator]:g} {accelerator}(s)")
        if PROFILE_ACCELERATOR == "tpu" and not resources.get("TPU"):
            print("cluster: no TPU resource visible (expected when run locally)")

        start = time.perf_counter()
        results = ray.get([square_where.remote(i) for i in range(TASKS)])
        elapsed = time.perf_counter() - start
        total = sum(result["square"] for result in results)
        expected = sum(i * i for i in range(TASKS))
        if total != expected:
            raise RuntimeError(f"sum of squares is {total}, expected {expected}")

        per_node = collections.Counter(
            f"{r['host']} ip={r['node_ip']} id={r['node_id'][:8]}" for r in results
        )
        for node, count in sorted(per_node.items()):
            print(f"node {node}: {count} task(s)")
{%- if tensorboard %}

        logdir = os.environ.get("AICHOR_TENSORBOARD_PATH") or "runs"
        writer = SummaryWriter(logdir)
        for step, result in enumerate(results):
            writer.add_scalar("tasks/square", result["square"], step)
        writer.add_scalar("cluster/nodes", len(nodes), 0)
        writer.add_scalar("cluster/cpus", resources.get("CPU", 0), 0)
        writer.close()
{%- endif %}
        print(
            f"[driver] host={socket.gethostname()} tasks={len(results)} "
            f"nodes_used={len(per_node)} sum_of_squares={total} "
            f"(expected {expected}) seconds={elapsed:.2f}",
            flush=True,
        )
    finally:
        ray.shutdown()


if __name__ == "__main__":
    main()
