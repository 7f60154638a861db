"""Run untrusted code in worker processes that may die without taking the host down.

The sandbox (`luaurft.luau.sandbox`) bounds what a script can do from inside
the VM, but two things escape it: a long call into C (`string.find` of a huge
pattern never reaches the VM interrupt) and a failure inside the VM's own host
callbacks (pluau aborts the process). So every run of untrusted code goes
through one `Executor`: it hands a call to a long-lived worker process and
waits for the answer under a time budget: the worker's own CPU time (so a
loaded machine never turns a run within budget into a timeout), and wall time
up to `WALL_FACTOR` times the budget.

- A worker that overruns its deadline is killed and replaced: the call ends as
  `WorkerFailure(status="timeout")`.
- A worker that dies (a signal, an exit, a closed pipe) is replaced: the call
  ends as `WorkerFailure(status="crashed")`, with the signal or exit code and
  the last lines it wrote to stderr. It is never retried here: the same code
  would kill the next worker too.
- OS limits are the backstop for what the parent cannot see in time: an
  address-space cap (`RLIMIT_AS`) and a loose CPU-time cap (`RLIMIT_CPU`) set in
  the worker before each call, and no core files.

Workers are started from a fork server that has already imported the runtime,
so a new one costs a fork, not an interpreter start; each call still builds a
fresh VM (the worker only keeps compiled bytecode and immutable Python data).
Callers use `isolated(fn, ...)`: inside a worker it calls `fn` directly (the
process is already the isolation) and tells the parent to hold the job to the
call's own wall budget while it runs; elsewhere it goes through the process-wide
`shared_executor()`, which grows to `set_workers(n)` workers as concurrent
callers need them (the MCP server answers one call while another runs).
"""

from __future__ import annotations

import atexit
import contextlib
import importlib
import multiprocessing
import os
import resource
import signal
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any, TypeVar

from luaurft.errors import LuaurftError

T = TypeVar("T")

#: Imported by the fork server once, so every worker forks with them loaded (the
#: runtime compiled, the engine surface read).
PRELOAD = ("luaurft.roblox.warm",)
#: Called once in each new worker before its first call (`module:function`); by
#: default none, the fork server has done the work.
WARM: tuple[str, ...] = ()
#: A worker is replaced after this many calls, so slow leaks stay bounded.
CALLS_PER_WORKER = 2000
#: Address space a worker may grow by past what it had after warming up.
PROCESS_BYTES = 2 * 1024 * 1024 * 1024
_STDERR_TAIL = 600


class ExecutorError(LuaurftError):
    """The executor could not start a worker (the system refused a process)."""


@dataclass(frozen=True, slots=True)
class WorkerFailure:
    """A call that ended without an answer: `timeout` (killed past its time
    budget) or `crashed` (the worker died; `exitcode` is negative for a signal)."""

    status: str
    message: str
    exitcode: int | None = None

    @property
    def crashed(self) -> bool:
        return self.status == "crashed"


# -- the worker side -----------------------------------------------------------

_IN_WORKER = False
# The worker's end of its pipe: a run inside a bigger job tells the parent its
# own deadline through it (see `_run_phase`).
_PARENT: Connection | None = None


def in_worker() -> bool:
    """True inside a worker process."""
    return _IN_WORKER


def _address_space() -> int:
    with open("/proc/self/statm", "rb") as handle:
        pages = int(handle.read().split()[0])
    return pages * os.sysconf("SC_PAGE_SIZE")


def _set_soft_limit(which: int, value: int) -> None:
    _soft, hard = resource.getrlimit(which)
    if hard != resource.RLIM_INFINITY:
        value = min(value, hard)
    with contextlib.suppress(ValueError, OSError):
        resource.setrlimit(which, (value, hard))


@contextlib.contextmanager
def _run_phase(wall_seconds: float) -> Iterator[None]:
    """Inside a worker: while this block runs, the parent holds the job to the run's
    own wall budget, so one long C call costs its run's budget, not the job's."""
    if _PARENT is None:
        yield
        return
    _PARENT.send(("phase", wall_seconds))
    try:
        yield
    finally:
        _PARENT.send(("phase", None))


def _worker_main(conn: Connection, stderr_path: str, warm: Sequence[str]) -> None:
    global _IN_WORKER, _PARENT
    _IN_WORKER = True
    _PARENT = conn
    # The parent owns Ctrl-C; a worker just finishes or is killed.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # pluau announces dropped VMs on stdout and a dying VM writes to stderr:
    # neither may reach the host's output, and stderr is kept for the crash report.
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.close(devnull)
    err = os.open(stderr_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.dup2(err, 2)
    os.close(err)
    # Both ends hold the file open now (the parent reads the tail through its own
    # descriptor): unlinked, it goes with the processes however they end.
    with contextlib.suppress(OSError):
        os.unlink(stderr_path)
    _set_soft_limit(resource.RLIMIT_CORE, 0)
    for target in warm:
        module, _, name = target.partition(":")
        with contextlib.suppress(Exception):
            getattr(importlib.import_module(module), name)()
    base = _address_space()
    conn.send(("ready", os.getpid()))
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):
            return
        fn, args, kwargs, wall_seconds, cwd = message
        # Relative paths mean what they mean to the caller.
        if cwd is not None and cwd != _caller_cwd():
            with contextlib.suppress(OSError):
                os.chdir(cwd)
        cpu = resource.getrusage(resource.RUSAGE_SELF)
        spent = cpu.ru_utime + cpu.ru_stime
        # Loose on purpose: the parent's deadline ends an overrun; this only ends a
        # worker the parent can no longer watch, never a run that is within budget.
        _set_soft_limit(resource.RLIMIT_CPU, int(spent + 4 * wall_seconds) + 30)
        _set_soft_limit(resource.RLIMIT_AS, base + PROCESS_BYTES)
        try:
            reply: tuple[str, Any] = ("ok", fn(*args, **kwargs))
        except BaseException as exc:  # the caller gets it back, as raised
            reply = ("raise", exc)
        try:
            conn.send(reply)
        except Exception as exc:  # an unpicklable value or exception
            conn.send(("raise", RuntimeError(f"{type(exc).__name__}: {exc}")))


# -- the parent side -----------------------------------------------------------


def _caller_cwd() -> str | None:
    """The caller's working folder, or None when it was deleted under it."""
    try:
        return os.getcwd()
    except FileNotFoundError:
        return None


#: How often the parent looks at a busy worker's clock.
POLL_SECONDS = 0.1
#: A call's wall time may reach this multiple of its budget (its CPU time, the budget).
WALL_FACTOR = 4.0
_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _process_cpu(pid: int | None) -> float | None:
    """CPU seconds process `pid` has used (user + system), or None where /proc is not."""
    if pid is None:
        return None
    try:
        with open(f"/proc/{pid}/stat", "rb") as handle:
            fields = handle.read().rsplit(b")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / _TICKS
    except (OSError, IndexError, ValueError):
        return None


class _Budget:
    """A call's (or a run phase's) budget: CPU seconds of the worker, and wall time."""

    def __init__(self, pid: int | None, seconds: float) -> None:
        self.pid = pid
        self.seconds = seconds
        self.began = time.monotonic()
        self.cpu_began = _process_cpu(pid)

    def overrun(self) -> str | None:
        """Why the call is over its budget, or None while it is not."""
        wall = time.monotonic() - self.began
        cpu_now = _process_cpu(self.pid)
        if self.cpu_began is None or cpu_now is None:
            # No per-process clock here: the wall clock is the budget.
            return f"{wall:.1f} s of wall time" if wall > self.seconds else None
        if cpu_now - self.cpu_began > self.seconds:
            return f"{cpu_now - self.cpu_began:.1f} s of CPU time"
        if wall > WALL_FACTOR * self.seconds:
            return f"{wall:.1f} s of wall time"
        return None


class _Worker:
    def __init__(self, context: Any, warm: Sequence[str]) -> None:
        if _caller_cwd() is None:
            # multiprocessing reads the working folder to start a process; one that
            # was deleted (a scratch folder, a Ray worker's session) would stop it.
            os.chdir(tempfile.gettempdir())
        # The parent keeps the descriptor for the crash report's tail; the worker
        # unlinks the name once it has opened the file (see _worker_main).
        self.stderr_fd, self.stderr_path = tempfile.mkstemp(prefix="luaurft-worker-", suffix=".log")
        self.conn, child = context.Pipe()
        self.process = context.Process(
            target=_worker_main, args=(child, self.stderr_path, tuple(warm)), daemon=True
        )
        try:
            self.process.start()
        except OSError as exc:
            self._release_stderr()
            raise ExecutorError(f"cannot start a worker process: {exc}") from exc
        finally:
            child.close()
        self.calls = 0
        self.ready = False

    def wait_ready(self, timeout: float) -> WorkerFailure | None:
        if self.ready:
            return None
        if self.conn.poll(timeout):
            try:
                self.conn.recv()
                self.ready = True
                return None
            except (EOFError, OSError):
                pass
        return self.failure("the worker did not start")

    def failure(self, what: str) -> WorkerFailure:
        self.process.join(timeout=2.0)
        code = self.process.exitcode
        if code is None:
            self.kill()
            code = self.process.exitcode
        if code is not None and code < 0:
            try:
                name = signal.Signals(-code).name
            except ValueError:
                name = f"signal {-code}"
            how = f"killed by {name}"
        else:
            how = f"exited with code {code}"
        tail = self.stderr_tail()
        message = f"{what}: the worker process {how}"
        if tail:
            message += f" ({tail})"
        return WorkerFailure("crashed", message, code)

    def stderr_tail(self) -> str:
        try:
            size = os.fstat(self.stderr_fd).st_size
            tail = os.pread(self.stderr_fd, _STDERR_TAIL, max(0, size - _STDERR_TAIL))
        except OSError:
            return ""
        text = tail.decode("utf-8", "replace")
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        return lines[-1] if lines else ""

    def kill(self) -> None:
        with contextlib.suppress(Exception):
            self.process.kill()
        self.process.join(timeout=5.0)

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.conn.close()
        if self.process.is_alive():
            self.process.join(timeout=0.5)
        if self.process.is_alive():
            self.kill()
        self._release_stderr()

    def _release_stderr(self) -> None:
        # The name is still there when the worker died before opening the file.
        with contextlib.suppress(OSError):
            os.unlink(self.stderr_path)
        with contextlib.suppress(OSError):
            os.close(self.stderr_fd)
        self.stderr_fd = -1


def _context() -> Any:
    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(list(PRELOAD))
        return context
    return multiprocessing.get_context("spawn")


class Executor:
    """A pool of up to `workers` worker processes, started as calls need them.

    `call(fn, *args, wall_seconds=..., **kwargs)` runs `fn` (a module-level
    function, so it can be pickled by name) in a worker and returns its value,
    re-raises its exception, or returns a `WorkerFailure`. Thread-safe: calls
    from several threads run in parallel on different workers."""

    def __init__(self, workers: int = 1, *, warm: Sequence[str] = WARM) -> None:
        if workers < 1:
            raise ValueError("an executor needs at least one worker")
        self.workers = workers
        self._warm = tuple(warm)
        self._context = _context()
        self._idle: list[_Worker] = []
        self._started = 0
        self._closed = False
        self._lock = threading.Condition()

    def __enter__(self) -> Executor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def resize(self, workers: int) -> None:
        """Allow up to `workers` workers (idle ones past it are closed)."""
        with self._lock:
            self.workers = max(1, workers)
            while self._idle and self._started > self.workers:
                self._idle.pop().close()
                self._started -= 1
            self._lock.notify_all()

    def prestart(self, count: int | None = None) -> None:
        """Start up to `count` workers now (default: as many as allowed), so the first
        concurrent calls do not wait for a worker to start."""
        with self._lock:
            wanted = min(self.workers, count or self.workers) - self._started
            if self._closed or wanted <= 0:
                return
            self._started += wanted
        started = []
        try:
            for _ in range(wanted):
                started.append(_Worker(self._context, self._warm))
        finally:
            with self._lock:
                self._started -= wanted - len(started)
                self._idle.extend(started)
                self._lock.notify_all()

    def _acquire(self) -> _Worker:
        with self._lock:
            while True:
                if self._closed:
                    raise ExecutorError("the executor is closed")
                if self._idle:
                    return self._idle.pop()
                if self._started < self.workers:
                    self._started += 1
                    break
                self._lock.wait()
        try:
            return _Worker(self._context, self._warm)
        except BaseException:
            with self._lock:
                self._started -= 1
                self._lock.notify()
            raise

    def _release(self, worker: _Worker, *, healthy: bool) -> None:
        worker.calls += 1
        keep = healthy and worker.calls < CALLS_PER_WORKER
        with self._lock:
            if keep and not self._closed and self._started <= self.workers:
                self._idle.append(worker)
                self._lock.notify()
                return
            self._started -= 1
            self._lock.notify()
        if healthy:
            worker.close()
        else:
            worker.kill()
            worker.close()

    def call(
        self, fn: Callable[..., T], /, *args: Any, wall_seconds: float, **kwargs: Any
    ) -> T | WorkerFailure:
        """`fn(*args, **kwargs)` in a worker, ended at `wall_seconds` of wall time
        (worker start-up not counted)."""
        worker = self._acquire()
        healthy = False
        try:
            started = worker.wait_ready(timeout=60.0)
            if started is not None:
                return started
            begin = time.monotonic()
            try:
                worker.conn.send((fn, args, kwargs, wall_seconds, _caller_cwd()))
            except (OSError, EOFError):
                return worker.failure("the worker stopped answering")
            # The budget is measured in the worker's own CPU time, so a loaded machine
            # never turns a run within budget into a timeout (results must not depend
            # on what else runs); wall time is capped too, at WALL_FACTOR x the budget,
            # for a worker that stops using CPU without answering.
            job = _Budget(worker.process.pid, wall_seconds)
            phase = job
            while True:
                if not worker.conn.poll(POLL_SECONDS):
                    overrun = phase.overrun()
                    if overrun is None:
                        continue
                    worker.kill()
                    return WorkerFailure(
                        "timeout",
                        f"the run went past its time budget of {phase.seconds:g} s "
                        f"({overrun}; killed after {time.monotonic() - begin:.1f} s)",
                    )
                try:
                    status, value = worker.conn.recv()
                except (EOFError, OSError):
                    return worker.failure("the run ended its worker")
                if status != "phase":
                    break
                # A run inside the job started (its own budget) or ended (the job's again).
                phase = job if value is None else _Budget(worker.process.pid, value)
            healthy = True
            if status == "raise":
                raise value
            return value
        finally:
            self._release(worker, healthy=healthy)

    def map(
        self,
        fn: Callable[..., T],
        items: Iterable[Any],
        *,
        wall_seconds: float,
        **kwargs: Any,
    ) -> Iterator[T | WorkerFailure]:
        """`fn(item, **kwargs)` for every item across the workers, in order."""
        with ThreadPoolExecutor(self.workers) as threads:
            futures = [
                threads.submit(self.call, fn, item, wall_seconds=wall_seconds, **kwargs)
                for item in items
            ]
            try:
                for future in futures:
                    yield future.result()
            finally:
                for future in futures:
                    future.cancel()

    def close(self) -> None:
        with self._lock:
            self._closed = True
            idle, self._idle = self._idle, []
            self._started -= len(idle)
            self._lock.notify_all()
        for worker in idle:
            worker.close()


# -- the process-wide executor -------------------------------------------------

_shared: Executor | None = None
_shared_lock = threading.Lock()
_wanted_workers = max(2, os.cpu_count() or 1)


def set_workers(workers: int) -> None:
    """How many workers the shared executor may run at once (0: one per CPU)."""
    global _wanted_workers
    wanted = workers or os.cpu_count() or 1
    with _shared_lock:
        _wanted_workers = max(1, wanted)
        if _shared is not None:
            _shared.resize(_wanted_workers)


def worker_count(jobs: int, items: int) -> int:
    """Workers to use for `jobs` (0: one per CPU), never more than there are items."""
    if jobs < 0:
        raise LuaurftError(f"--jobs must be 0 (one per CPU) or more, not {jobs}")
    wanted = jobs or os.cpu_count() or 1
    return max(1, min(wanted, items))


def shared_executor() -> Executor:
    """The process-wide executor (started on first use, closed at exit). It may run
    as many workers as `set_workers` allows (by default one per CPU, at least two,
    so one call can be answered while another runs); a caller that makes one call
    at a time only ever starts one."""
    global _shared
    with _shared_lock:
        if _shared is None or _shared._closed:
            _shared = Executor(_wanted_workers)
            atexit.register(_shared.close)
        return _shared


def isolated[T](
    fn: Callable[..., T], /, *args: Any, wall_seconds: float, **kwargs: Any
) -> T | WorkerFailure:
    """`fn(*args, **kwargs)` isolated in a worker (directly, inside one)."""
    if in_worker():
        with _run_phase(wall_seconds):
            return fn(*args, **kwargs)
    return shared_executor().call(fn, *args, wall_seconds=wall_seconds, **kwargs)


__all__ = [
    "CALLS_PER_WORKER",
    "PROCESS_BYTES",
    "Executor",
    "ExecutorError",
    "WorkerFailure",
    "in_worker",
    "isolated",
    "set_workers",
    "shared_executor",
    "worker_count",
]
