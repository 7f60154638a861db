"""Run untrusted Luau in a fresh, sandboxed pluau VM with hard limits.

One `Sandbox` is one VM for one run. It is sealed with Luau's sandbox mode
(libraries, built-in metatables and globals read-only) and untrusted chunks
see only the globals the trusted prelude hands out: no `os` beyond the clock,
no `io`, no `debug` beyond `traceback`/`info`, no `loadstring`, `getfenv`,
`setfenv` or `require`.

Limits, all enforced from inside the VM so the host never has to kill it:

- memory: the VM's allocator refuses to grow past `Limits.memory_bytes`;
- CPU: the VM interrupt (called at every loop back-edge and call, coroutines
  included) checks this thread's CPU time and, once the budget is spent, raises
  on *every* later call until the stack has unwound to the host, so a `pcall`
  in the script cannot swallow it;
- output: `print`/`warn` go to a host buffer that stops the run at a cap.

How a run ended is a `RunStatus`; errors carry the message and the line in the
user's chunk (chunks are loaded under a known name, so messages read
`user:12: ...`). pluau prints "Lua VM is being closed" on stdout when a VM is
dropped; `Sandbox.close` drops it with fd 1 pointed at /dev/null.
"""

from __future__ import annotations

import contextlib
import gc
import os
import re
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cache
from importlib import resources
from typing import Any

import pluau

from luaurft.errors import LuaurftError
from luaurft.luau.executor import WorkerFailure, in_worker, isolated

USER_CHUNK = "user"
MAX_FRAMES = 20
_CONTINUE = pluau.VmState.Continue
# How many interrupts pass between two looks at the CPU clock: the interrupt
# fires on every loop iteration, and reading the clock costs more than the check.
_CLOCK_EVERY = 0xFF
_ABORT_TEXT = "luaurft: run stopped"


class RunStatus(StrEnum):
    """How a run ended."""

    OK = "ok"
    ERROR = "error"
    TIMEOUT = "timeout"
    MEMORY = "memory"
    OUTPUT_LIMIT = "output-limit"
    #: The worker process running it died (see `luaurft.luau.executor`).
    CRASHED = "crashed"


@dataclass(frozen=True, slots=True)
class Limits:
    """What one run may use. `cpu_seconds` is CPU time of the running thread;
    `wall_seconds` is the time budget of the worker process running it (its
    CPU time; wall time up to `executor.WALL_FACTOR` times it)
    (None: `wall_budget()`'s default, a small multiple of the CPU budget)."""

    memory_bytes: int = 64 * 1024 * 1024
    cpu_seconds: float = 2.0
    output_lines: int = 5000
    output_bytes: int = 512 * 1024
    line_chars: int = 2000
    source_bytes: int = 1024 * 1024
    wall_seconds: float | None = None

    def wall_budget(self) -> float:
        """The worker's time budget: `wall_seconds`, else three times the CPU budget
        plus two seconds (room for a loaded machine and the run's set-up)."""
        if self.wall_seconds is not None and self.wall_seconds > 0:
            return self.wall_seconds
        return 3.0 * self.cpu_seconds + 2.0


class SandboxError(LuaurftError):
    """Code that cannot be loaded into the sandbox (too large, or rejected by the compiler)."""


@dataclass(frozen=True, slots=True)
class LuauError:
    """An error raised by sandboxed code, located in the user's chunk where possible.

    `message` has the `user:12:` prefix removed; `line` is the user's line (from
    the message, else the innermost user frame); `traceback` lists the user's
    frames innermost first, as `user:12 function name`.
    """

    message: str
    line: int | None = None
    traceback: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"message": self.message, "line": self.line, "traceback": list(self.traceback)}


@dataclass(frozen=True, slots=True)
class OutputLine:
    """One line the script wrote: stream is print, warn, error or info."""

    stream: str
    text: str

    def to_dict(self) -> dict[str, str]:
        return {"stream": self.stream, "text": self.text}


@dataclass
class RunResult:
    """The outcome of one run: status, error (also for timeout/memory/output-limit,
    saying where it stopped when known), output, returned values, resources used."""

    status: RunStatus
    error: LuauError | None = None
    output: list[OutputLine] = field(default_factory=list)
    values: list[Any] = field(default_factory=list)
    cpu_seconds: float = 0.0
    memory_bytes: int = 0

    @property
    def ok(self) -> bool:
        return self.status is RunStatus.OK

    def to_dict(self) -> dict[str, Any]:
        return {
            "status": self.status.value,
            "error": None if self.error is None else self.error.to_dict(),
            "output": [o.to_dict() for o in self.output],
            "values": self.values,
            "cpu_seconds": round(self.cpu_seconds, 4),
            "memory_bytes": self.memory_bytes,
        }


# -- error text ---------------------------------------------------------------


def _location_pattern(chunk: str) -> re.Pattern[str]:
    return re.compile(rf"(?:^|[\s\[])({re.escape(chunk)}):(\d+):?\s?")


_TRUSTED_LOCATION = re.compile(r"^(?:sandbox|rbx/\w+):\d+:\s?")


def parse_error(message: str, traceback: str = "", chunk: str = USER_CHUNK) -> LuauError:
    """Locate an error in `chunk`: strip its `chunk:N:` prefix, keep the chunk's frames."""
    frames = tuple(
        line.strip() for line in traceback.splitlines() if line.strip().startswith(f"{chunk}:")
    )[:MAX_FRAMES]
    text = message.strip()
    line: int | None = None
    prefix = re.match(rf"^{re.escape(chunk)}:(\d+):\s?", text)
    if prefix:
        line = int(prefix.group(1))
        text = text[prefix.end() :]
    else:
        # Raised inside trusted code (the prelude, a runtime chunk): the position
        # means nothing to the user, who gets the line of their innermost frame.
        trusted = _TRUSTED_LOCATION.match(text)
        if trusted:
            text = text[trusted.end() :]
    if line is None:
        for frame in frames:
            found = re.match(rf"^{re.escape(chunk)}:(\d+)", frame)
            if found:
                line = int(found.group(1))
                break
    return LuauError(message=text, line=line, traceback=frames)


def lua_text(value: Any) -> str:
    """A Lua string (or anything) as Python text; invalid UTF-8 is replaced, never raised."""
    if isinstance(value, pluau.String):
        return value.as_bytes().decode("utf-8", "replace")  # as_bytes gives bytes
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return str(value)


def to_python(value: Any, *, depth: int = 0, max_items: int = 1000) -> Any:
    """A Lua value as plain Python data (tables become dicts or lists; functions, threads
    and userdata become a short description). Bounded in depth and size."""
    return _converted(value, depth, max_items)


def _converted(value: Any, depth: int, max_items: int) -> Any:
    # By exact type first, and a table's string keys and plain values without a
    # call each (`lua_text` spelt in place): a mock run's report converts dozens
    # of values, most of them strings, numbers and small tables.
    kind = type(value)
    if kind is _LUA_STRING:
        return value.as_bytes().decode("utf-8", "replace")
    if value is None or kind in _PLAIN:
        return value
    if kind is _LUA_TABLE or isinstance(value, pluau.Table):
        if depth >= 8:
            return "<table>"
        out: dict[Any, Any] = {}
        inner = depth + 1
        for count, (k, v) in enumerate(value):
            if count >= max_items:
                break
            if type(k) is _LUA_STRING:
                key = k.as_bytes().decode("utf-8", "replace")
            else:
                key = _converted(k, inner, max_items)
                if isinstance(key, dict | list):
                    key = repr(key)
            kind = type(v)
            if kind is _LUA_STRING:
                out[key] = v.as_bytes().decode("utf-8", "replace")
            elif v is None or kind in _PLAIN:
                out[key] = v
            else:
                out[key] = _converted(v, inner, max_items)
        if out:
            keys = list(out)
            ordinals = list(range(1, len(keys) + 1))
            # Luau lists an array's keys in order: compared as they come before a sort.
            if all(isinstance(k, int) for k in keys) and (
                keys == ordinals or sorted(keys) == ordinals
            ):
                return list(out.values()) if keys == ordinals else [out[i] for i in ordinals]
        return out
    if isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, pluau.String | bytes):
        return lua_text(value)
    if isinstance(value, pluau.Vector):
        return [value.x, value.y, value.z]
    return f"<{type(value).__name__.lower()}>"


_LUA_STRING = pluau.String
_LUA_TABLE = pluau.Table
_PLAIN = frozenset({bool, int, float, str})


# -- run state (no reference to the VM, so callbacks never form a cycle with it) --


# Garbage a renewed VM may carry into its next run uncollected. A full collection
# marks everything the VM keeps (a mock world's runtime: about 1.8 MiB, 0.2 ms),
# however little the last run left; below this the collector's own incremental
# cycles, which start when the heap has grown by as much again, take the
# remains while later runs go on, so a kept VM pays a full mark every few runs
# instead of every one.
RENEW_GARBAGE_BYTES = 4 * 1024 * 1024


class _RunState:
    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        #: Whether the interrupt is installed (the VM's state, not the run's).
        self.interrupting = False
        self.reset()

    def reset(self, carried_bytes: int = 0) -> None:
        # In place: the VM's host functions are bound to this object.
        #: Heap a renewed VM holds that a fresh one would not (see `Sandbox.renew`):
        #: not the run's, so neither counted against the cap nor reported.
        self.carried_bytes = carried_bytes
        self.cap_bytes = self.limits.memory_bytes + carried_bytes
        self.abort: RunStatus | None = None
        self.abort_error: LuauError | None = None
        self.output: list[OutputLine] = []
        self.output_bytes = 0
        self.ticks = 0
        self.deadline = float("inf")
        self.cpu_spent = 0.0
        self.running_since: float | None = None

    def cpu_used(self) -> float:
        if self.running_since is None:
            return self.cpu_spent
        return self.cpu_spent + time.thread_time() - self.running_since

    def trip(self, status: RunStatus, message: str, lua: Any | None) -> pluau.RawError:
        """Record why the run stops (first reason wins) and return the error that unwinds it."""
        if lua is not None:
            make_room(lua)
        if self.abort is None:
            where = ""
            if lua is not None:
                try:
                    where = lua.current_thread().traceback()
                except Exception:
                    where = ""
            self.abort = status
            self.abort_error = parse_error(message, where)
        return pluau.RawError(f"{_ABORT_TEXT} ({self.abort.value})")

    def switch(self, lua: Any, on: bool) -> None:
        """Install the interrupt (`on`) or remove it."""
        if on != self.interrupting:
            if on:
                lua.set_interrupt(self.interrupt)
            else:
                lua.remove_interrupt()
            self.interrupting = on

    def budget(self, lua: Any, args: Sequence[Any]) -> None:
        """The host end of `host.budget(on)`: trusted code that runs long stretches
        in which no untrusted code can run (the mock world's scheduler between the
        threads it resumes) turns the interrupt off for them, and on again before
        untrusted code runs. `Sandbox.call` turns it on whatever was left."""
        on = bool(args and args[0])
        # What the trusted stretch allocated is checked as the interrupt would have.
        if on and lua.used_memory() > self.cap_bytes:
            raise self.trip(RunStatus.MEMORY, _memory_message(self.limits), lua)
        self.switch(lua, on)

    # Called by the VM at every loop back-edge and call.
    def interrupt(self, lua: Any) -> Any:
        if self.abort is not None:
            raise pluau.RawError(f"{_ABORT_TEXT} ({self.abort.value})")
        # The memory total is read on every interrupt: reading it every few would
        # save a little time but make the reported line depend on the tick phase,
        # which varies from run to run (tables keyed by objects iterate by address).
        if lua.used_memory() > self.cap_bytes:
            raise self.trip(RunStatus.MEMORY, _memory_message(self.limits), lua)
        self.ticks += 1
        if not self.ticks & _CLOCK_EVERY and time.thread_time() > self.deadline:
            raise self.trip(
                RunStatus.TIMEOUT,
                f"script exceeded its CPU budget of {self.limits.cpu_seconds:g} s",
                lua,
            )
        return _CONTINUE

    def emit(self, lua: Any, args: Sequence[Any]) -> None:
        if self.abort is not None:
            raise pluau.RawError(f"{_ABORT_TEXT} ({self.abort.value})")
        stream = lua_text(args[0]) if args else "print"
        text = lua_text(args[1]) if len(args) > 1 else ""
        limits = self.limits
        if len(text) > limits.line_chars:
            text = text[: limits.line_chars] + "..."
        if (
            len(self.output) >= limits.output_lines
            or self.output_bytes + len(text) > limits.output_bytes
        ):
            raise self.trip(
                RunStatus.OUTPUT_LIMIT,
                f"script wrote more than {limits.output_lines} lines "
                f"or {limits.output_bytes} bytes of output",
                lua,
            )
        self.output_bytes += len(text) + 1
        self.output.append(OutputLine(stream, text))

    def memory(self, lua: Any, args: Sequence[Any]) -> None:
        what = lua_text(args[0]) if args else "allocation"
        raise self.trip(
            RunStatus.MEMORY,
            f"script exceeded the memory cap of {self.limits.memory_bytes // (1024 * 1024)} MiB ({what})",
            lua,
        )


# -- quiet drop --------------------------------------------------------------

_DROP_LOCK = threading.Lock()


def _drop_quietly(holder: list[Any]) -> None:
    """Release the last reference to a VM with fd 1 pointed at /dev/null.

    pluau announces every closed VM on stdout; a program printing JSON must not
    get that line. The lock keeps two threads from interleaving redirections.
    """
    with _DROP_LOCK:
        with contextlib.suppress(OSError, ValueError):
            sys.stdout.flush()
        try:
            saved = os.dup(1)
        except OSError:
            holder.clear()
            return
        devnull = os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(devnull, 1)
            weak = holder[0].weak() if holder else None
            holder.clear()
            if weak is not None and not weak.is_destroyed():
                # Something else still holds the VM (a cycle through a callback);
                # collect it now, while stdout is redirected.
                gc.collect()
        finally:
            os.dup2(saved, 1)
            os.close(saved)
            os.close(devnull)


# -- compiled chunks ----------------------------------------------------------


@cache
def _compiler() -> pluau.Compiler:
    # Optimisation 1 keeps line info exact; debug level 1 keeps function names in tracebacks.
    return pluau.Compiler(1, 1, 0, 0)


def compile_chunk(text: str) -> bytes:
    """Luau bytecode for `text` (compile errors raise SandboxError)."""
    try:
        return bytes(_compiler().compile(text))
    except RuntimeError as exc:
        raise SandboxError(f"the Luau compiler rejected the code: {exc}") from None


@cache
def _prelude_bytecode() -> bytes:
    text = resources.files("luaurft.luau").joinpath("prelude.luau").read_text(encoding="utf-8")
    return compile_chunk(text)


# -- the sandbox --------------------------------------------------------------


class Sandbox:
    """One fresh sandboxed VM. Use as a context manager, or call `close()`.

    Trusted code (the prelude, a runtime) is loaded with `load(..., trusted=True)`
    before `seal()`; untrusted chunks are loaded afterwards into environments made
    by `make_env`. `call` runs a function under the CPU budget and reports how it
    ended; once the run has been stopped (timeout, memory, output), every later
    call ends the same way at once.
    """

    def __init__(self, limits: Limits | None = None) -> None:
        self.limits = limits or Limits()
        self._state = _RunState(self.limits)
        lua = pluau.Lua()
        # The cap is enforced by the interrupt; the allocator's own limit sits above
        # it so that raising an error from a host callback (which allocates) never
        # meets a full heap: pluau aborts the process when that allocation fails.
        lua.set_memory_limit(self.limits.memory_bytes + memory_headroom(self.limits))
        # The interrupt (a Python call at every Luau call and loop back-edge) is
        # installed by `seal` (or `budget_on`, or the first `call`): trusted code
        # run before it (the prelude, a runtime: some 1,350 interrupts of the mock
        # runtime) needs no budget, and the allocator's limit still bounds it.
        self._lua: pluau.Lua | None = lua
        self._sealed = False
        self._default_globals: pluau.Table | None = None
        self._weak = lua.weak()
        host = lua.create_table()
        host.set("output", lua.create_function(self._state.emit))
        host.set("memory", lua.create_function(self._state.memory))
        host.set("memoryCap", self.limits.memory_bytes)
        host.set("budget", lua.create_function(self._state.budget))
        #: Host functions trusted code may hold (output, memory, budget): never hand them to user code.
        self.host: pluau.Table | None = host
        prelude = lua.load_chunk(_prelude_bytecode(), name="=sandbox", is_binary_chunk=True)
        self.prelude: pluau.Table | None = prelude.call(host)[0]

    # -- lifecycle --------------------------------------------------------

    @property
    def lua(self) -> pluau.Lua:
        if self._lua is None:
            raise RuntimeError("the sandbox is closed")
        return self._lua

    def __enter__(self) -> Sandbox:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __del__(self) -> None:
        # A sandbox nobody closed still goes quietly.
        with contextlib.suppress(Exception):
            self.close()

    def close(self) -> None:
        """Drop the VM (quietly). Handles into it become unusable."""
        if self._lua is None:
            return
        self.prelude = None
        self.host = None
        self._default_globals = None
        holder: list[Any] = [self._lua]
        self._lua = None
        _drop_quietly(holder)

    @property
    def closed(self) -> bool:
        return self._lua is None or self._weak.is_destroyed()

    @property
    def renewable(self) -> bool:
        """Whether `renew` may ready this VM for another run: it is open and its
        run was never stopped (a stopped run may have left the VM at a limit)."""
        return not self.closed and self._state.abort is None

    def renew(self, fresh_bytes: int | None = None) -> None:
        """Ready the VM for a new run as if it were fresh: the budget, output and
        stop reason cleared, the interrupt off until the next `seal`/`call`, the
        random sequence reseeded. Code loaded before stays loaded (what reuse
        saves); every table untrusted code could reach is read-only in sandbox
        mode, so no write of the last run survives unless a caller keeps its own
        state in the VM. Only a `renewable` VM.

        `fresh_bytes`: the heap a fresh VM would have here (its code loaded).
        What the renewed heap holds beyond it (code loaded on demand by earlier
        runs, the grown string table and stacks, and up to `RENEW_GARBAGE_BYTES`
        of earlier runs' objects not yet collected; past that, or without
        `fresh_bytes`, they are collected now) is carried: not counted against
        the new run's cap, so a run may use at least its cap as in a fresh VM, and
        at most what the collector takes of those remains during the run beyond
        it; `memory_used` is the heap less what was carried, give or take the same."""
        if not self.renewable:
            raise RuntimeError("only an open sandbox whose run was not stopped can be renewed")
        lua = self.lua
        self._state.switch(lua, False)
        self._default_globals = None
        lua.sandbox(False)
        full = fresh_bytes is None or lua.used_memory() - fresh_bytes > RENEW_GARBAGE_BYTES
        try:
            self._prelude_fn("renew").call(full)
        finally:
            lua.sandbox(True)
            self._sealed = True
        carried = 0 if fresh_bytes is None else max(0, lua.used_memory() - fresh_bytes)
        self._state.reset(carried)
        lua.set_memory_limit(self.limits.memory_bytes + memory_headroom(self.limits) + carried)

    def seal(self, *, budget: bool = True) -> None:
        """Turn on Luau's sandbox mode and the budget's interrupt; do this after
        loading trusted code. `budget=False` leaves the interrupt off for trusted
        code that must run sealed (the mock world's own building): `budget_on`,
        `load_untrusted` or the first `call` turns it on."""
        if not self._sealed:
            self.lua.sandbox(True)
            self._sealed = True
        if budget:
            self.budget_on()

    def budget_on(self) -> None:
        """Install the interrupt that enforces the memory cap and the CPU budget."""
        self._state.switch(self.lua, True)

    # -- loading ----------------------------------------------------------

    def load(
        self,
        code: str | bytes,
        *,
        name: str = USER_CHUNK,
        env: pluau.Table | None = None,
        binary: bool = False,
    ) -> pluau.Function:
        """Load a chunk named `name` (errors read `name:LINE:`). Text is compiled here;
        `binary=True` takes bytecode from `compile_chunk`."""
        if not binary:
            text = code if isinstance(code, str) else code.decode("utf-8", "replace")
            if len(text.encode("utf-8", "surrogatepass")) > self.limits.source_bytes:
                raise SandboxError(
                    f"code is larger than the sandbox accepts ({self.limits.source_bytes} bytes)"
                )
            code = compile_chunk(text)
        return self.lua.load_chunk(code, name=f"={name}", env=env, is_binary_chunk=True)

    def load_untrusted(
        self, code: str, *, name: str = USER_CHUNK, globals_table: pluau.Table | None = None
    ) -> pluau.Function:
        """Seal the VM and load untrusted `code` into a fresh environment over
        `globals_table` (by default the sandbox's safe globals)."""
        self.seal()
        if globals_table is None:
            globals_table = self.default_globals()
        return self.load(code, name=name, env=self.make_env(globals_table))

    def default_globals(self) -> pluau.Table:
        if self._default_globals is None:
            self._default_globals = self.make_globals()
        return self._default_globals

    def host_function(self, fn: Callable[[Any, Sequence[Any]], Any]) -> pluau.Function:
        """A Lua function backed by `fn(lua, args)`. It must not keep a reference to the
        sandbox or the VM (that would keep the VM alive in a cycle)."""
        return self.lua.create_function(fn)

    def make_globals(self, overrides: dict[str, Any] | pluau.Table | None = None) -> pluau.Table:
        """The frozen table of globals untrusted code may read, plus `overrides`."""
        if isinstance(overrides, dict):
            table = self.lua.create_table()
            for k, v in overrides.items():
                table.set(k, v)
            overrides = table
        return self._prelude_fn("makeGlobals")(overrides)[0]

    def make_env(self, globals_table: pluau.Table) -> pluau.Table:
        """A chunk environment: writes stay local, reads fall through to `globals_table`."""
        return self._prelude_fn("makeEnv")(globals_table)[0]

    def _prelude_fn(self, name: str) -> pluau.Function:
        if self.prelude is None:
            raise RuntimeError("the sandbox is closed")
        fn = self.prelude.get(name)
        assert isinstance(fn, pluau.Function)
        return fn

    # -- running ----------------------------------------------------------

    @property
    def status(self) -> RunStatus | None:
        """Why the run was stopped, or None while it may go on."""
        return self._state.abort

    @property
    def stop_error(self) -> LuauError | None:
        return self._state.abort_error

    @property
    def output(self) -> list[OutputLine]:
        return self._state.output

    @property
    def cpu_seconds(self) -> float:
        return self._state.cpu_used()

    def memory_used(self) -> int:
        """The run's heap: the VM's, less what a renewed VM carried into the run."""
        if self._lua is None:
            return 0
        return max(0, self.lua.used_memory() - self._state.carried_bytes)

    def stop(self, status: RunStatus, message: str) -> None:
        """Stop the run from the host (for example past a time budget)."""
        self._state.trip(status, message, None)

    def postmortem(
        self, fn: pluau.Function, *args: Any, cpu_seconds: float = 0.25
    ) -> list[Any] | None:
        """Call trusted `fn` after the run was stopped (to read what it did), under a
        small fresh budget. Returns its values, or None if it failed too."""
        self.budget_on()
        state = self._state
        saved = (state.abort, state.abort_error, state.cpu_spent)
        state.abort, state.abort_error = None, None
        start = time.thread_time()
        state.running_since = start
        state.deadline = start + cpu_seconds
        try:
            values = fn.call(*args)
        except (RuntimeError, pluau.RawError):
            values = None
        finally:
            state.running_since = None
            state.abort, state.abort_error, state.cpu_spent = saved
        return values

    def call_unmetered(self, fn: pluau.Function, *args: Any) -> list[Any] | None:
        """Call trusted `fn` with the budget's interrupt off, whether or not the run
        was stopped: for host code no untrusted code can enter and whose work the
        world's own size bounds (reading a run's report walks its instances once;
        metered, the interrupt's calls cost more than the walk). Returns its
        values, or None if it failed (a full heap, a tree too deep to walk)."""
        state = self._state
        lua = self.lua
        was_on = state.interrupting
        state.switch(lua, False)
        try:
            return fn.call(*args)
        except (RuntimeError, pluau.RawError):
            return None
        finally:
            state.switch(lua, was_on)

    def call(self, fn: pluau.Function, *args: Any) -> tuple[bool, list[Any], LuauError | None]:
        """Run `fn(*args)` protected under the CPU budget.

        Returns (ok, values, error). When the run is stopped (see `status`), ok is
        False and the error says why and where.
        """
        self.budget_on()
        state = self._state
        if state.abort is not None:
            return False, [], state.abort_error
        protect = self._prelude_fn("protect")
        start = time.thread_time()
        state.running_since = start
        state.deadline = start + max(0.0, self.limits.cpu_seconds - state.cpu_spent)
        try:
            values = protect.call(fn, *args)
        except RuntimeError as exc:
            return False, [], self._classify(str(exc))
        except pluau.RawError as exc:
            return False, [], self._classify(str(exc))
        finally:
            state.cpu_spent += time.thread_time() - start
            state.running_since = None
        if state.abort is not None:
            return False, [], state.abort_error
        if values and values[0] is True:
            return True, list(values[1:]), None
        message = lua_text(values[1]) if len(values) > 1 else "error"
        traceback = lua_text(values[2]) if len(values) > 2 else ""
        if message == "not enough memory":
            state.trip(RunStatus.MEMORY, _memory_message(self.limits), None)
            state.abort_error = parse_error(_memory_message(self.limits), traceback)
            return False, [], state.abort_error
        return False, [], parse_error(message, traceback)

    def _classify(self, raw: str) -> LuauError:
        state = self._state
        if state.abort is None:
            if raw.startswith("memory error") or "not enough memory" in raw:
                state.trip(RunStatus.MEMORY, _memory_message(self.limits), None)
            else:
                # Errors that escape the protected call (error while handling an
                # error, C stack overflow) still end the run, as an error.
                body, _, tb = raw.partition("stack traceback:")
                body = body.removeprefix("runtime error: ").strip()
                return parse_error(body, tb)
        assert state.abort_error is not None
        return state.abort_error

    def result(self, ok: bool, values: list[Any], error: LuauError | None) -> RunResult:
        """A `RunResult` for the outcome of `call` (values converted to plain Python)."""
        status = self._state.abort or (RunStatus.OK if ok else RunStatus.ERROR)
        return RunResult(
            status=status,
            error=None if status is RunStatus.OK else error,
            output=list(self._state.output),
            values=[to_python(v) for v in values] if status is RunStatus.OK else [],
            cpu_seconds=self._state.cpu_used(),
            memory_bytes=self.memory_used(),
        )


# What a stopped run may still allocate: its traceback, the error that unwinds
# it and every later raise until the host has it back.
TRIP_ROOM = 8 * 1024 * 1024


def make_room(lua: Any) -> None:
    """Let a stopping VM allocate past its limit.

    A memory trip can fire with the heap a few bytes under the allocator's limit
    (a script that probes it with failed allocations); building the traceback or
    the error there fails inside a host callback, which pluau cannot unwind and
    aborts the process. The run is over either way, so it gets `TRIP_ROOM` more."""
    with contextlib.suppress(Exception):
        wanted = lua.used_memory() + TRIP_ROOM
        if wanted > lua.memory_limit():
            lua.set_memory_limit(wanted)


def memory_headroom(limits: Limits) -> int:
    """Bytes the VM may use past the cap before its allocator refuses."""
    return max(16 * 1024 * 1024, limits.memory_bytes // 2)


def _memory_message(limits: Limits) -> str:
    return f"script exceeded the memory cap of {limits.memory_bytes // (1024 * 1024)} MiB"


def run_luau(
    code: str,
    *,
    limits: Limits | None = None,
    chunk_name: str = USER_CHUNK,
    isolate: bool = True,
) -> RunResult:
    """Run plain Luau (no Roblox world) in a fresh sandbox and report how it ended.

    Code the compiler rejects ends as `error` with the compiler's message and line.
    The run happens in a worker process (`luaurft.luau.executor`) under the wall
    budget of `limits`; `isolate=False` runs it in this process (benchmarks, and
    callers that are already inside a worker).
    """
    if isolate and not in_worker():
        budget = (limits or Limits()).wall_budget()
        outcome = isolated(
            _run_luau_in_worker,
            code,
            limits=limits,
            chunk_name=chunk_name,
            isolate=False,
            wall_seconds=budget,
        )
        if isinstance(outcome, WorkerFailure):
            return RunResult(status=failure_status(outcome), error=LuauError(outcome.message))
        return outcome
    with Sandbox(limits) as sandbox:
        try:
            fn = sandbox.load_untrusted(code, name=chunk_name)
        except SandboxError as exc:
            return RunResult(status=RunStatus.ERROR, error=_compile_error(str(exc)))
        ok, values, error = sandbox.call(fn)
        return sandbox.result(ok, values, error)


def _run_luau_in_worker(code: str, **kwargs: Any) -> RunResult:
    # Pickled by name, so a caller that wraps `run_luau` still reaches the real one.
    return run_luau(code, **kwargs)


def failure_status(failure: WorkerFailure) -> RunStatus:
    """The status of a run whose worker never answered."""
    return RunStatus.TIMEOUT if failure.status == "timeout" else RunStatus.CRASHED


def _compile_error(message: str) -> LuauError:
    from luaurft.luau.source import parse_compile_error

    raw = message.split("rejected the code:", 1)[-1].strip()
    parsed = parse_compile_error(raw)
    return LuauError(message=parsed.message, line=parsed.line)


__all__ = [
    "USER_CHUNK",
    "Limits",
    "LuauError",
    "OutputLine",
    "RunResult",
    "RunStatus",
    "Sandbox",
    "SandboxError",
    "compile_chunk",
    "failure_status",
    "parse_error",
    "run_luau",
    "to_python",
]
