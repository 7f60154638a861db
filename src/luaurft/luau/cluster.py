"""The executor's jobs on a Ray cluster: the same job functions, results in order.

`ray_map(fn, items, address=..., wall_seconds=..., **kwargs)` is
`shared_executor().map(...)` spread over Ray: items go out in chunks, one Ray
task per chunk, and each task runs its items through the executor of the Ray
worker it lands on (one worker process, OS limits and a time budget per
item, exactly as on one machine). The driver gets the results back chunk by
chunk in the order of `items`, so whatever it writes (a report, the run store)
it writes once, in order, and identical to an in-process run.

A Ray worker that dies (killed, out of memory, its node lost) is retried by
Ray (`RAY_TASK_RETRIES` times); the retry computes the chunk again and the
driver still receives it once. A run that kills its executor worker costs that
item a `WorkerFailure`, as it does locally.

Ray is the optional `ray` extra (`uv sync --extra ray`). `address` is what
`ray.init` takes: `auto` joins the cluster `ray start` runs on this machine (or
`RAY_ADDRESS`) and else starts a local Ray instance for this process;
`ray://HOST:10001` or `HOST:6379` joins a remote one. Every node needs luaurft
installed (the same version) and, for jobs that read files (`luaurft score
DIR`), the same paths (a shared filesystem).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from luaurft.errors import LuaurftError
from luaurft.luau.executor import WorkerFailure, set_workers, shared_executor

#: Ray retries a chunk whose worker died this many times before the run fails.
RAY_TASK_RETRIES = 3
#: Items per Ray task: enough to amortise a task's overhead, few enough to spread a folder.
DEFAULT_CHUNK = 8

_remote: Any = None


class RayUnavailableError(LuaurftError):
    """Ray is not installed, or the cluster cannot be reached."""


def connect(address: str) -> None:
    """Join (or start) the Ray cluster `address` names, once per process."""
    try:
        import ray
    except ImportError:
        raise RayUnavailableError(
            "--ray needs Ray: install the ray extra (uv sync --extra ray, or pip install ray)"
        ) from None
    if ray.is_initialized():
        return
    options: dict[str, Any] = {"include_dashboard": False, "log_to_driver": False}
    try:
        if address == "auto":
            try:
                ray.init(address="auto", **options)
            except ConnectionError:
                ray.init(**options)  # no cluster on this machine: a local instance
        else:
            ray.init(address=address, **options)
    except Exception as exc:
        raise RayUnavailableError(
            f"could not join the Ray cluster at {address!r}: {exc}; start one with "
            "`ray start --head` (then --ray auto) or pass its address (ray://HOST:10001)"
        ) from exc


def _run_chunk(
    fn: Callable[..., Any], chunk: list[Any], wall_seconds: float, kwargs: dict[str, Any]
) -> list[Any]:
    """One Ray task: every item of `chunk` through this Ray worker's executor (one worker
    process, since Ray already gives each task its own CPU)."""
    set_workers(1)
    return list(shared_executor().map(fn, chunk, wall_seconds=wall_seconds, **kwargs))


def _remote_chunk() -> Any:
    global _remote
    if _remote is None:
        import ray

        _remote = ray.remote(num_cpus=1, max_retries=RAY_TASK_RETRIES)(_run_chunk)
    return _remote


def ray_map[T](
    fn: Callable[..., T],
    items: Iterable[Any],
    *,
    address: str,
    wall_seconds: float,
    chunk: int = DEFAULT_CHUNK,
    **kwargs: Any,
) -> Iterator[T | WorkerFailure]:
    """`fn(item, **kwargs)` for every item on the Ray cluster at `address`, in order."""
    import ray

    connect(address)
    listed = list(items)
    size = max(1, chunk)
    remote = _remote_chunk()
    refs = [
        remote.remote(fn, listed[start : start + size], wall_seconds, kwargs)
        for start in range(0, len(listed), size)
    ]
    done = 0
    try:
        for ref in refs:
            yield from ray.get(ref)
            done += 1
    finally:
        # Stopped early (an error, or the caller gave up): drop the chunks not yet read.
        # Finished chunks are left alone (cancelling one that completes races Ray).
        for ref in refs[done + 1 :]:
            ray.cancel(ref)


def cluster_cpus(address: str) -> int:
    """CPUs the cluster offers (after `connect`)."""
    import ray

    connect(address)
    return int(ray.cluster_resources().get("CPU", os.cpu_count() or 1))


__all__ = ["DEFAULT_CHUNK", "RAY_TASK_RETRIES", "RayUnavailableError", "connect", "ray_map"]
