"""Starter for {{ name }} on AIchor's jobset operator.

JobSet runs several copies of this program and tells each one which copy it is.
There is no coordinator: each process takes its own share of a work list,
reports a partial result as one JSON line, and the lines add up to the answer.

Environment injected by the operator (absent locally, where we run as 1 of 1):
  JOB_GLOBAL_INDEX         index of this process across the whole JobSet
  JOB_INDEX                index within its replicated job (fallback)
  JOB_COMPLETION_INDEX     Kubernetes indexed-job index (fallback)
  GLOBAL_REPLICAS          number of processes across the whole JobSet
  REPLICATED_JOB_REPLICAS  replicas of this replicated job (fallback)
  REPLICATED_JOB_NAME      the manifest's type name this process belongs to
  JOBSET_NAME              name of the JobSet
"""

import json
import os
import socket
import time
{%- if tensorboard %}

from tensorboardX import SummaryWriter
{%- endif %}

# The work list: the integers 1..N. Each process sums the squares of its share.
N = 1_000_000


def env_int(*names: str, default: int) -> int:
    """Return the first of the environment variables `names` that is set."""
    for var in names:
        value = os.environ.get(var, "").strip()
        if value:
            return int(value)
    return default
{%- if tensorboard %}


def tensorboard_logdir(index: int, total: int) -> str:
    """AICHOR_TENSORBOARD_PATH on AIchor, ./runs locally; one folder per process."""
    base = os.environ.get("AICHOR_TENSORBOARD_PATH") or "runs"
    return f"{base.rstrip('/')}/rank-{index}" if total > 1 else base
{%- endif %}


def main() -> None:
    index = env_int("JOB_GLOBAL_INDEX", "JOB_INDEX", "JOB_COMPLETION_INDEX", default=0)
    total = env_int("GLOBAL_REPLICAS", "REPLICATED_JOB_REPLICAS", default=1)
    group = os.environ.get("REPLICATED_JOB_NAME", "local")
    if not 0 <= index < total:
        raise SystemExit(f"index {index} is outside 0..{total - 1}")
{%- if tensorboard %}
    writer = SummaryWriter(tensorboard_logdir(index, total))
{%- endif %}

    start = time.perf_counter()
    share = range(index + 1, N + 1, total)
    partial = sum(value * value for value in share)
    elapsed = time.perf_counter() - start
{%- if tensorboard %}
    writer.add_scalar("work/items", len(share), 0)
    writer.add_scalar("work/partial_sum_of_squares", partial, 0)
    writer.add_scalar("work/seconds", elapsed, 0)
    writer.close()
{%- endif %}

    summary = {
        "jobset": os.environ.get("JOBSET_NAME", "local"),
        "replicated_job": group,
        "host": socket.gethostname(),
        "index": index,
        "total": total,
        "items": len(share),
        "partial_sum_of_squares": partial,
        "full_sum_of_squares": N * (N + 1) * (2 * N + 1) // 6,
        "seconds": round(elapsed, 3),
    }
    print(json.dumps(summary), flush=True)


if __name__ == "__main__":
    main()
