"""Starter for {{ name }} on AIchor's jobset operator.

JobSet runs `count` jobs of `completions` pods each and tells each pod which one
it is. There is no coordinator: each pod takes its own share of a work list,
reports a partial result as one JSON line (and a file under AICHOR_OUTPUT_PATH),
and the partial results add up to the answer.

Environment injected by the operator (absent locally, where we run as 1 of 1):
  JOB_GLOBAL_INDEX         index of this pod's job across the whole JobSet
  JOB_INDEX                index of the job within its replicated job (fallback)
  JOB_COMPLETION_INDEX     index of this pod within its job (0..completions-1)
  GLOBAL_REPLICAS          number of jobs across the whole JobSet
  REPLICATED_JOB_REPLICAS  jobs of this replicated job (fallback)
  REPLICATED_JOB_NAME      the manifest's type name this pod belongs to
  JOBSET_NAME              name of the JobSet
Set by the manifest (`spec.env`), since the platform does not inject it:
  JOBSET_COMPLETIONS       pods per job: keep it equal to the manifest's `completions`
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
{% include "starters/outputs.py" %}
{%- if tensorboard %}


def tensorboard_logdir(index: int, total: int) -> str:
    """AICHOR_TENSORBOARD_PATH on AIchor, ./runs locally; one folder per process."""
    base = os.environ.get("AICHOR_TENSORBOARD_PATH") or "runs"
    return f"{base.rstrip('/')}/rank-{index}" if total > 1 else base
{%- endif %}


def shard() -> tuple[int, int]:
    """This pod's share of the work: (index, total) over every pod of every job.

    Pods of one job share the job index and differ by JOB_COMPLETION_INDEX, so sharding on
    the job index alone would make every pod of a job repeat the same work.
    """
    completions = env_int("JOBSET_COMPLETIONS", default=1)
    job = env_int("JOB_GLOBAL_INDEX", "JOB_INDEX", default=0)
    jobs = env_int("GLOBAL_REPLICAS", "REPLICATED_JOB_REPLICAS", default=1)
    completion = env_int("JOB_COMPLETION_INDEX", default=0)
    if not 0 <= completion < completions:
        raise SystemExit(
            f"JOB_COMPLETION_INDEX {completion} is outside 0..{completions - 1}: "
            "is JOBSET_COMPLETIONS in the manifest's spec.env equal to `completions`?"
        )
    index, total = job * completions + completion, jobs * completions
    if not 0 <= index < total:
        raise SystemExit(f"index {index} is outside 0..{total - 1}")
    return index, total


def main() -> None:
    index, total = shard()
    group = os.environ.get("REPLICATED_JOB_NAME", "local")
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
    # No coordinator: every pod saves its own share of the result.
    summary["saved_to"] = write_output(
        f"result-{index:05d}-of-{total:05d}.json", json.dumps(summary).encode()
    )
    print(json.dumps(summary), flush=True)


if __name__ == "__main__":
    main()
