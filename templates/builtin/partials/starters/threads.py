{#- Included by __init__.py, which Python imports before the starter's own imports: thread
    pools size themselves from these variables when numpy, torch or XLA load. -#}
import os


def container_cpus() -> int:
    """CPUs this container may use: its cgroup quota, else the CPUs it may run on.

    os.cpu_count() is the node's count; threads beyond the quota only get throttled.
    """
    quota = _cgroup_quota()
    if quota:
        return quota
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def _cgroup_quota() -> int | None:
    """The CPU quota of cgroup v2 (cpu.max) or v1 (cfs quota/period), rounded up."""
    try:
        with open("/sys/fs/cgroup/cpu.max") as f:
            quota, period = f.read().split()
        return None if quota == "max" else max(1, -(-int(quota) // int(period)))
    except (OSError, ValueError):
        pass
    try:
        with open("/sys/fs/cgroup/cpu/cpu.cfs_quota_us") as f:
            quota_us = int(f.read())
        with open("/sys/fs/cgroup/cpu/cpu.cfs_period_us") as f:
            period_us = int(f.read())
        return None if quota_us <= 0 else max(1, -(-quota_us // period_us))
    except (OSError, ValueError):
        return None


def threads_per_process() -> int:
    """This container's CPUs shared by the processes torchrun starts in it (1 elsewhere)."""
    processes = os.environ.get("LOCAL_WORLD_SIZE", "").strip()
    share = int(processes) if processes.isdigit() else 1
    return max(1, container_cpus() // max(1, share))


def cap_threads() -> None:
    """Size the BLAS/OpenMP (numpy, torch) and XLA thread pools to this process's share.

    Variables the user (or torchrun) already set are kept.
    """
    n = str(threads_per_process())
    for name in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
        os.environ.setdefault(name, n)
{%- if operator == "jax" %}
    # XLA:CPU has no thread-count flag (it sizes its pool from the CPUs the process may run
    # on, not the quota); with a one-CPU share, single-threaded Eigen avoids oversubscribing.
    flags = os.environ.get("XLA_FLAGS", "")
    if n == "1" and "xla_cpu_multi_thread_eigen" not in flags:
        os.environ["XLA_FLAGS"] = f"{flags} --xla_cpu_multi_thread_eigen=false".strip()
{%- endif %}


cap_threads()