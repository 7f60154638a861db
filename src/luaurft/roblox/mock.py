"""Run Roblox scripts in the mock world: a sandboxed VM with the Luau runtime loaded.

`MockWorld` is one world for one run: the runtime (package data under
`luaurft/roblox/runtime/`) is loaded into a fresh `Sandbox`, the VM is sealed,
and scripts, setups, modules and checks are loaded into it. `run_script` is the
one-call version: place the script where its code expects to be, drive the
world with the standard stimulus for a virtual duration and report errors,
output, effects and yields that never resumed.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import re
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cache, lru_cache
from importlib import resources
from typing import Any

import pluau

from luaurft.luau.executor import WorkerFailure, in_worker, isolated
from luaurft.luau.kind import ScriptKind, detect_kind, module_side
from luaurft.luau.sandbox import (
    USER_CHUNK,
    Limits,
    LuauError,
    OutputLine,
    RunStatus,
    Sandbox,
    SandboxError,
    compile_chunk,
    failure_status,
    lua_text,
    parse_error,
    to_python,
)
from luaurft.roblox.project import ProjectNode, ProjectTree, dotted
from luaurft.roblox.scaffold import EACH_PLAYER, Placement, infer_placement
from luaurft.roblox.surface import HOST_FUNCTIONS as SURFACE_HOST_FUNCTIONS
from luaurft.roblox.world_export import WorldSnapshot, snapshot_world

RUNTIME_FILES = ("core", "enums", "datatypes", "instance", "classes", "services", "world")
# Generated data chunks (scripts/gen_*.py), each handed to the runtime as rt.<key>.
RUNTIME_DATA = {"enums_data": "enumData", "inert_members": "inertMembers"}
# Runtime parts, loaded into a world only when its code first needs one of their
# classes (`rt.lazyPart` declares each part's classes in the chunk it came from).
RUNTIME_PARTS = ("datastores", "http", "tween", "input", "effects", "sound", "gui")
DEFAULT_SECONDS = 5.0
# Containers a project file can really have: its folder (a service or a Folder), or a
# Model of parts beside it (`Door.model.json` next to the script). A Part, Tool or GUI
# parent comes from a model file the script is not in, so it keeps its inferred one.
_PROJECT_CONTAINERS = frozenset({"default", "model"})


@cache
def _runtime_compiler() -> pluau.Compiler:
    # The runtime is trusted and its line numbers never reach a report (its frames
    # are stripped), so it gets optimisation level 2 (inlining, constant folding):
    # about 4% of a mock run. Debug level 1 keeps function names.
    return pluau.Compiler(2, 1, 0, 0)


@cache
def _runtime_bytecode(name: str) -> bytes:
    """A runtime chunk's bytecode, compiled once per process."""
    source = resources.files("luaurft.roblox").joinpath("runtime", f"{name}.luau")
    return bytes(_runtime_compiler().compile(source.read_text("utf-8")))


@cache
def _runtime_chunks() -> tuple[tuple[str, bytes], ...]:
    """The chunks every runtime VM runs, in order."""
    return tuple((name, _runtime_bytecode(name)) for name in (*RUNTIME_DATA, *RUNTIME_FILES))


def _load_part(lua: Any, args: Sequence[Any]) -> Any:
    """The host end of `rt.loadPart(part)`: the part's chunk, to be called with rt
    (once per VM: its classes stay, its per-world state is reset with the rest)."""
    name = lua_text(args[0]) if args else ""
    if name not in RUNTIME_PARTS:
        raise pluau.RawError(f"runtime: no part {name!r}")
    key = f"luaurft.part.{name}"
    loaded = lua.get_registry_value(key)
    if loaded is None:
        loaded = lua.load_chunk(_runtime_bytecode(name), name=f"=rbx/{name}", is_binary_chunk=True)
        lua.set_registry_value(key, loaded)
    return loaded


class _RuntimeVM:
    """A sandboxed VM with the mock runtime built in it, once: its chunks run, so
    its classes, enums and caches stay for every world the VM serves, while what
    a world changes is put back before the next (`api.newWorld`, the runtime's
    `rt.perWorld` resets), and the DataModel is built anew for each world."""

    def __init__(self, limits: Limits | None) -> None:
        self.sandbox = Sandbox(limits)
        try:
            self.api = self._build_runtime()
        except BaseException:
            self.sandbox.close()
            raise
        #: The heap with the runtime built and no world.
        self.bare_bytes = self.sandbox.memory_used()
        self.worlds = 0
        #: The configuration table of a world with the default options, once built.
        self.default_config: pluau.Table | None = None
        #: The runtime's `api` functions the host has called, by name.
        self.api_functions: dict[str, pluau.Function] = {}

    def _build_runtime(self) -> pluau.Table:
        # No local holds the VM: a traceback keeping it alive would make it close
        # (and announce itself on stdout) outside Sandbox.close.
        sandbox = self.sandbox
        rt = sandbox.lua.create_table()
        rt.set("prelude", sandbox.prelude)
        rt.set("host", sandbox.host)
        # The engine surface stays in this process: the runtime asks for a class
        # when a script first touches it.
        for key, fn in SURFACE_HOST_FUNCTIONS.items():
            rt.set(key, sandbox.host_function(fn))
        rt.set("loadPart", sandbox.host_function(_load_part))
        api: Any = None
        for name, bytecode in _runtime_chunks():
            result = sandbox.load(bytecode, name=f"rbx/{name}", binary=True).call(rt)
            if name in RUNTIME_DATA:
                rt.set(RUNTIME_DATA[name], result[0])
            elif name == "world":
                api = result[0]
        vector_meta = rt.get("vectorMeta")
        assert isinstance(vector_meta, pluau.Table) and isinstance(api, pluau.Table)
        sandbox.lua.set_type_metatable(pluau.LuaType.Vector, vector_meta)
        # Building each world's DataModel and globals is trusted work too (about
        # 3,100 interrupts), and so is what the host asks of the world before any
        # script runs (the local player, the scaffold, new script instances: some
        # 450 interrupts a run, none of which could stop anything): the budget's
        # interrupt goes on with the first `Sandbox.call` or `postmortem`, the
        # only ways code that is not the runtime's starts to run.
        sandbox.seal(budget=False)
        return api

    def renew(self) -> bool:
        """Ready for another world; False (and closed) if it cannot be."""
        with contextlib.suppress(Exception):
            sandbox = self.sandbox
            if sandbox.renewable and self.worlds < _WORLDS_PER_VM:
                sandbox.renew(self.bare_bytes)
                # Renewed, the heap holds the runtime's code and nothing of a world
                # but objects no one can reach, up to RENEW_GARBAGE_BYTES (nothing
                # untrusted code can write outlives it: see Sandbox.renew).
                if sandbox.lua.used_memory() <= self.bare_bytes + _RENEWED_SLACK:
                    return True
        self.sandbox.close()
        return False


# How far a renewed heap may sit above a bare one: runtime parts loaded on demand
# and the VM's grown string table and stacks come to about 0.5 MiB, earlier
# worlds' uncollected objects to at most RENEW_GARBAGE_BYTES. Past this
# ceiling something keeps growing; the VM is dropped.
_RENEWED_SLACK = 8 * 1024 * 1024
# Worlds one VM serves before a fresh one replaces it: a slow growth nobody has
# seen (interned strings, the registry) stays bounded.
_WORLDS_PER_VM = 1000


class _VMPool:
    """Runtime VMs kept between worlds in this process, by limits (a VM's memory
    cap is set when it is made). Building the runtime into a fresh VM and dropping
    it cost about a third of a short mock run; a kept VM is renewed instead (see
    `Sandbox.renew`). `enabled = False` makes every world start in a fresh VM."""

    MAX_IDLE = 2

    def __init__(self) -> None:
        self.enabled = True
        self._idle: dict[Limits, list[_RuntimeVM]] = {}
        self._lock = threading.Lock()
        #: Worlds built in a renewed VM, and in a fresh one (for benchmarks and tests).
        self.reused = 0
        self.fresh = 0

    def take(self, limits: Limits | None) -> _RuntimeVM:
        """A VM for one more world: a kept one renewed, else a new one."""
        while True:
            with self._lock:
                idle = self._idle.get(limits or Limits()) if self.enabled else None
                vm = idle.pop() if idle else None
            if vm is None:
                self.fresh += 1
                vm = _RuntimeVM(limits)
            elif vm.renew():
                self.reused += 1
            else:
                continue
            vm.worlds += 1
            return vm

    def give(self, vm: _RuntimeVM) -> None:
        if self.enabled and vm.sandbox.renewable:
            with self._lock:
                idle = self._idle.setdefault(vm.sandbox.limits, [])
                if len(idle) < self.MAX_IDLE:
                    idle.append(vm)
                    return
        vm.sandbox.close()

    def clear(self) -> None:
        """Drop every idle VM (quietly)."""
        with self._lock:
            idle = [vm for vms in self._idle.values() for vm in vms]
            self._idle.clear()
        for vm in idle:
            vm.sandbox.close()


VM_POOL = _VMPool()
atexit.register(VM_POOL.clear)


@dataclass(frozen=True, slots=True)
class DataStoreOptions:
    """In-memory DataStores: `failures` makes the next N calls of a method fail
    (e.g. {"GetAsync": 2}); `fail_all` fails every call; `throttle` exhausts the
    request budget (requests queue with a warning); `initial` pre-fills stores."""

    failures: Mapping[str, int] = field(default_factory=dict)
    fail_all: bool = False
    throttle: bool = False
    latency: float = 0.05
    initial: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)


_DEFAULT_DATASTORE = DataStoreOptions()


@dataclass(frozen=True, slots=True)
class ScriptError:
    """An uncaught error in a script thread: where it ran (main chunk, a handler...)
    and, when it is in the user's code, the line."""

    message: str
    line: int | None
    traceback: tuple[str, ...]
    context: str
    time: float
    chunk: str | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "message": self.message,
            "line": self.line,
            "context": self.context,
            "time": round(self.time, 3),
            "chunk": self.chunk,
            "traceback": list(self.traceback),
        }


@dataclass(frozen=True, slots=True)
class PendingYield:
    """A thread still waiting at the end of the run on something that never came."""

    kind: str
    line: int | None
    what: str

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "line": self.line, "what": self.what}


@dataclass
class ScriptRun:
    """What happened when a script ran in the mock world."""

    status: RunStatus
    kind: ScriptKind
    errors: list[ScriptError] = field(default_factory=list)
    stop: LuauError | None = None
    output: list[OutputLine] = field(default_factory=list)
    effects: dict[str, Any] = field(default_factory=dict)
    never_resumed: list[PendingYield] = field(default_factory=list)
    module: dict[str, Any] | None = None
    virtual_seconds: float = 0.0
    cpu_seconds: float = 0.0
    memory_bytes: int = 0
    placement: str = ""
    #: Faults of the mock runtime itself (never the script's); tests keep this empty.
    engine_errors: list[str] = field(default_factory=list)
    #: The world just before the script started and after the run, when asked
    #: (`run_script(export_world=True)`); None when it was not, or could not be read.
    world_before: WorldSnapshot | None = None
    world_after: WorldSnapshot | None = None

    @property
    def error(self) -> LuauError | None:
        """The error that best explains the status: the stop reason, else the first
        error in the user's code, else the first error."""
        if self.stop is not None:
            return self.stop
        for e in self.errors:
            if e.chunk == USER_CHUNK:
                return LuauError(e.message, e.line, e.traceback)
        if self.errors:
            e = self.errors[0]
            return LuauError(e.message, e.line, e.traceback)
        return None

    def to_dict(self) -> dict[str, Any]:
        error = self.error
        return {
            "status": self.status.value,
            "kind": self.kind.value,
            "error": None if error is None else {"message": error.message, "line": error.line},
            "errors": [e.to_dict() for e in self.errors],
            "output": [o.to_dict() for o in self.output],
            "effects": self.effects,
            "never_resumed": [p.to_dict() for p in self.never_resumed],
            "module": self.module,
            "virtual_seconds": round(self.virtual_seconds, 3),
            "cpu_seconds": round(self.cpu_seconds, 4),
            "memory_bytes": self.memory_bytes,
            "placement": self.placement,
            "engine_errors": self.engine_errors,
        }


_LOCATION = re.compile(r"^([A-Za-z_][\w./:-]*):(\d+):")


def _trusted_chunk(name: str) -> bool:
    return name == "sandbox" or name.startswith("rbx/")


def _script_error(raw: Mapping[str, Any]) -> ScriptError:
    message = str(raw.get("message", ""))
    traceback = str(raw.get("traceback", ""))
    chunk: str | None = None
    located = _LOCATION.match(message)
    if located and not _trusted_chunk(located.group(1)):
        chunk = located.group(1)
    else:
        for frame in traceback.splitlines():
            frame = frame.strip()
            m = re.match(r"^([A-Za-z_][\w./:-]*):(\d+)", frame)
            if m and not _trusted_chunk(m.group(1)):
                chunk = m.group(1)
                break
    parsed = parse_error(message, traceback, chunk or USER_CHUNK)
    return ScriptError(
        message=parsed.message,
        line=parsed.line if chunk is not None else None,
        traceback=parsed.traceback,
        context=str(raw.get("context", "thread")),
        time=float(raw.get("time") or 0.0),
        chunk=chunk,
    )


def _as_list(value: Any) -> list[Any]:
    if isinstance(value, list):
        return value
    if isinstance(value, dict):
        return [value[k] for k in sorted(value, key=lambda k: (not isinstance(k, int), str(k)))]
    return []


class MockWorld:
    """A sandboxed VM with the mock Roblox runtime loaded and the world built.

    Load chunks with `load_script`, `load_module`, `run_setup`; drive with `drive`;
    read the outcome with `report`. Close it (or use `with`) to drop the VM.
    """

    def __init__(
        self, limits: Limits | None = None, datastore: DataStoreOptions | None = None
    ) -> None:
        self._vm: _RuntimeVM | None = VM_POOL.take(limits)
        self.sandbox = self._vm.sandbox
        try:
            self._build(self._vm, datastore)
        except BaseException:
            self._vm = None
            self.sandbox.close()
            raise

    def _build(self, vm: _RuntimeVM, datastore: DataStoreOptions | None) -> None:
        self.api: pluau.Table | None = vm.api
        self._api("newWorld")()
        options = datastore or _DEFAULT_DATASTORE
        if options == _DEFAULT_DATASTORE:
            # The runtime only reads its configuration: one table serves every world
            # the VM builds with the default options.
            if vm.default_config is None:
                vm.default_config = self._config(options)
            config = vm.default_config
        else:
            config = self._config(options)
        self._api("configure")(config)

    def _api(self, name: str) -> pluau.Function:
        if self.api is None or self._vm is None:
            raise RuntimeError("the world is closed")
        # A handle costs more to get out of the VM than the call made with it: the
        # VM keeps each one it has handed out.
        fns = self._vm.api_functions
        fn = fns.get(name)
        if fn is None:
            got = self.api.get(name)
            assert isinstance(got, pluau.Function), name
            fn = fns[name] = got
        return fn

    def _table(self) -> pluau.Table:
        return self.sandbox.lua.create_table()

    def _config(self, ds: DataStoreOptions) -> pluau.Table:
        config = self._table()
        store = self._table()
        failures = self._table()
        for method, count in ds.failures.items():
            failures.set(method, int(count))
        store.set("failures", failures)
        store.set("failAll", ds.fail_all)
        store.set("throttle", ds.throttle)
        store.set("latency", float(ds.latency))
        initial = self._table()
        for store_name, entries in ds.initial.items():
            t = self._table()
            for key, value in entries.items():
                t.set(str(key), self._to_lua(value))
            initial.set(store_name, t)
        store.set("initial", initial)
        config.set("dataStore", store)
        return config

    def _to_lua(self, value: Any) -> Any:
        if isinstance(value, dict):
            t = self._table()
            for k, v in value.items():
                t.set(k, self._to_lua(v))
            return t
        if isinstance(value, list | tuple):
            t = self._table()
            for v in value:
                t.push(self._to_lua(v))
            return t
        return value

    # -- lifecycle ------------------------------------------------------------

    def __enter__(self) -> MockWorld:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close(keep_vm=exc[0] is None)

    def close(self, *, keep_vm: bool = True) -> None:
        """End the world. Its VM goes back to `VM_POOL` for a later world (renewed
        there first) unless `keep_vm` is False or its run was stopped."""
        self.api = None
        vm, self._vm = self._vm, None
        if vm is None:
            return
        if keep_vm and vm.sandbox.renewable:
            VM_POOL.give(vm)
        else:
            vm.sandbox.close()

    # -- building ---------------------------------------------------------------

    def scaffold(self, placement: Placement, *, provided: Iterable[str] = ()) -> None:
        """Build what the script expects to find, and tell the stimulus what its
        remote handlers expect to be sent. `provided`: dotted paths something else
        puts there (ModuleScripts given with the run), left alone."""
        skip = set(provided)
        plan = self._table()
        every_player = self._table()
        for item in placement.scaffold:
            parent = item["parent"]
            if parent == EACH_PLAYER or parent.startswith(f"{EACH_PLAYER}."):
                # Built in each player, below it: the rest of the path.
                below = parent.removeprefix(EACH_PLAYER).removeprefix(".")
                every_player.push(self._to_lua({**item, "parent": below}))
            elif f"{parent}.{item['name']}" not in skip:
                plan.push(self._to_lua(item))
        self._api("scaffold")(plan)
        if len(every_player):
            self._api("playerScaffold")(every_player)
        hints = self._table()
        for line, tags in placement.remote_args.items():
            hints.set(int(line), self._to_lua(list(tags)))
        self._api("remoteArgs")(hints)

    def new_script(
        self, class_name: str, name: str, path: str | None, side: str | None = None
    ) -> tuple[Any, pluau.Table]:
        proxy, env = self._api("newScript")(class_name, name, path or "", side)
        return proxy, env

    def load_script(
        self, code: str, *, class_name: str, name: str, path: str | None, chunk: str = USER_CHUNK
    ) -> tuple[Any, pluau.Function]:
        """Create a script instance and compile its chunk (SandboxError if it does not compile)."""
        proxy, env = self.new_script(class_name, name, path)
        fn = self.sandbox.load(code, name=chunk, env=env)
        return proxy, fn

    def launch(self, proxy: Any, fn: pluau.Function) -> tuple[bool, LuauError | None]:
        ok, _, error = self.sandbox.call(self._api("launch"), proxy, fn)
        return ok, error

    def load_module(
        self,
        code: str | bytes,
        *,
        name: str,
        path: str | None,
        chunk: str,
        track_return: bool = False,
        binary: bool = False,
    ) -> Any:
        """Create a ModuleScript and register its chunk (text, or bytecode with
        `binary=True`); SandboxError if the text does not compile."""
        proxy, env = self.new_script("ModuleScript", name, path)
        fn = self.sandbox.load(code, name=chunk, env=env, binary=binary)
        self._api("registerModule")(proxy, fn, track_return)
        return proxy

    def run_setup(self, code: str, *, chunk: str = "setup") -> tuple[bool, LuauError | None]:
        """Run trusted task code (it sees the `world` helper) until it finishes (up to
        30 virtual seconds): (whether it ran to the end, the error it died of)."""
        env = self._api("setupEnv")()[0]
        fn = self.sandbox.load(code, name=chunk, env=env)
        ok, values, error = self.sandbox.call(self._api("runSetup"), fn)
        finished = ok and bool(values and values[0])
        if error is None and len(values) > 1 and values[1] is not None:
            error = parse_error(lua_text(values[1]), "", chunk)
        return finished, error

    def character_options(self, *, animate: bool) -> None:
        """How characters are built: `animate` fills the Animate script with its
        StringValues and Animations (see `needs_animate`)."""
        self._api("characterOptions")(animate)

    def join_local_player(self, name: str = "Player1", *, spawn_character: bool = False) -> Any:
        return self._api("joinLocalPlayer")(name, spawn_character)[0]

    def declare_checks(
        self,
        checks: str,
        report: Callable[[Any, Sequence[Any]], None],
        nonce: str,
        *,
        chunk: str = "check",
    ) -> tuple[Any | None, str | None]:
        """Compile a check script in its own environment and run its top level, which
        may only declare checks (`check(name, fn)`), before any solution code exists.

        `report(lua, args)` is the host end of the report channel: it receives
        `nonce` first in every report ("declare", "expect", "error", or a check's
        index with its outcome). It is handed to the harness only, never to a
        global. Returns (the runner for `run_declared_checks`, None) or (None, the
        reason). Raises `SandboxError` when the script does not compile.
        """
        env = self._api("checkEnv")()[0]
        fn = self.sandbox.load(checks, name=chunk, env=env)
        report_fn = self.sandbox.host_function(report)
        ok, values, error = self.sandbox.call(self._api("installChecks"), fn, report_fn, nonce)
        # The VM keeps the only reference the harness needs.
        del report_fn
        if not ok or not values or values[0] is None:
            return None, error.message if error else None
        return values[0], None

    def run_declared_checks(self, runner: Any, check_seconds: float) -> None:
        """Run every declared check, each for up to `check_seconds` of virtual time;
        outcomes reach the report channel given to `declare_checks`."""
        self.sandbox.call(runner, float(check_seconds))

    def require_from_engine(
        self, module_proxy: Any, side: str = "server"
    ) -> tuple[bool, LuauError | None]:
        ok, _, error = self.sandbox.call(self._api("requireFrom"), module_proxy, side)
        return ok, error

    def drive(
        self,
        seconds: float,
        kind: ScriptKind,
        *,
        stimulus: bool = True,
        close: bool = True,
        respawn: bool = False,
        hostile_remotes: bool = False,
    ) -> tuple[bool, LuauError | None]:
        ok, _, error = self.sandbox.call(
            self._api("drive"),
            float(seconds),
            kind.value,
            stimulus,
            close,
            respawn,
            hostile_remotes,
        )
        return ok, error

    def report(self) -> dict[str, Any]:
        # The report only reads what the run left (the runtime's own records and
        # the instance tree), so it runs unmetered.
        values = self.sandbox.call_unmetered(self._api("report"))
        if not values:
            return {}
        report = to_python(values[0], max_items=500)
        return report if isinstance(report, dict) else {}

    # -- outcome ------------------------------------------------------------------

    def script_run(self, kind: ScriptKind, placement: str = "") -> ScriptRun:
        report = self.report()
        errors = [_script_error(e) for e in _as_list(report.get("errors")) if isinstance(e, dict)]
        pending = [
            PendingYield(
                kind=str(p.get("kind", "")),
                line=int(p["line"]) if isinstance(p.get("line"), int | float) else None,
                what=str(p.get("what", "")),
            )
            for p in _as_list(report.get("neverResumed"))
            if isinstance(p, dict)
        ]
        effects = report.get("effects") if isinstance(report.get("effects"), dict) else {}
        assert isinstance(effects, dict)
        effects = {k: (v if v != {} else {}) for k, v in effects.items()}
        if isinstance(effects.get("dataStoreWrites"), dict):
            effects["dataStoreWrites"] = _as_list(effects["dataStoreWrites"])
        stopped = self.sandbox.status
        status = stopped or (RunStatus.ERROR if errors else RunStatus.OK)
        module = report.get("module") if isinstance(report.get("module"), dict) else None
        return ScriptRun(
            status=status,
            kind=kind,
            errors=errors,
            stop=self.sandbox.stop_error if stopped else None,
            output=list(self.sandbox.output),
            effects=effects,
            never_resumed=pending,
            module=module,
            virtual_seconds=float(report.get("clock") or 0.0),
            cpu_seconds=self.sandbox.cpu_seconds,
            memory_bytes=self.sandbox.memory_used(),
            placement=placement,
            engine_errors=[str(e) for e in _as_list(report.get("engineErrors"))],
        )


def run_script(
    code: str,
    *,
    kind: str | ScriptKind | None = None,
    path: str | None = None,
    seconds: float = DEFAULT_SECONDS,
    stimulus: bool = True,
    setup: str | None = None,
    modules: Mapping[str, str] | None = None,
    limits: Limits | None = None,
    datastore: DataStoreOptions | None = None,
    hostile_remotes: bool = False,
    project: ProjectTree | None = None,
    path_in_project: str | os.PathLike[str] | None = None,
    isolate: bool = True,
    export_world: bool = False,
) -> ScriptRun:
    """Run one script as its kind in a fresh mock world and report what happened.

    A Script runs on the server (a player joins, characters spawn, parts are touched,
    remotes fire, a second player joins and leaves, BindToClose runs at the end); a
    LocalScript runs as the local player's client (keys are pressed, buttons clicked);
    a ModuleScript is required from a server Script and must return exactly one value.
    `setup` is trusted Luau run first with a `world` helper; `modules` maps dotted
    paths ("ReplicatedStorage.Config") to ModuleScript sources the script may require.

    Remotes are fired with what a well-behaved client would send (arguments typed
    from each handler's parameters). `hostile_remotes=True` also fires every remote
    the server listens to with arguments no client should send (nothing, nils,
    wrong types, NaN, huge numbers, a long string): a handler that validates its
    input still runs clean, one that trusts the client errors. The exec score
    never uses it; it is a separate probe (`luaurft run --hostile-remotes`).

    With `project` (a `luaurft.roblox.project.ProjectTree`) and `path_in_project`
    (the file `code` comes from), the script runs in its project: it sits at its
    instance path and every other file of the tree is there too, ModuleScripts
    requireable with their own source, Scripts and LocalScripts present but not
    started, so only `code` is exercised. Its kind is the one its file name
    declares unless `kind` says otherwise.

    The run happens in a worker process (`luaurft.luau.executor`) under the wall
    budget of `limits`: a worker that dies or overruns ends the run as `crashed`
    or `timeout`. `isolate=False` runs it in this process (benchmarks, and
    callers already inside a worker).

    `export_world=True` snapshots the world just before the script starts and
    after the run (`ScriptRun.world_before` / `world_after`, see
    `luaurft.roblox.world_export`), for the world diff and `--save-world`; the
    whole project is built then, not only what `code` names.
    """
    if isolate and not in_worker():
        outcome = isolated(
            _run_script_in_worker,
            code,
            kind=kind,
            path=path,
            seconds=seconds,
            stimulus=stimulus,
            setup=setup,
            modules=None if modules is None else dict(modules),
            limits=limits,
            datastore=datastore,
            hostile_remotes=hostile_remotes,
            project=project,
            path_in_project=None if path_in_project is None else os.fspath(path_in_project),
            isolate=False,
            export_world=export_world,
            wall_seconds=(limits or Limits()).wall_budget(),
        )
        if isinstance(outcome, WorkerFailure):
            return _failed_run(outcome, code, kind, path, project, path_in_project)
        return outcome
    node = _project_node(project, path_in_project)
    if node is not None and kind is None:
        kind = node.kind
    script_kind = kind if isinstance(kind, ScriptKind) else detect_kind(code, kind=kind, path=path)
    placement = infer_placement(code, script_kind)
    # A script whose code says its parent is a Part, a Tool, a GUI... cannot get
    # that parent from files (in a Rojo project it lives in a model): it keeps
    # its inferred container, and the rest of the project is still there.
    in_tree = node is not None and placement.container in _PROJECT_CONTAINERS
    if project is not None and node is not None:
        if in_tree:
            known_parent = (dotted(node.path[:-1]), _class_at(project, node.path[:-1]))
            placement = infer_placement(code, script_kind, known_parent=known_parent)
        placement = replace(placement, script_name=node.name)
    with MockWorld(limits, datastore) as world:
        others = [n.source for n in project.nodes] if project is not None else []
        world.character_options(
            animate=needs_animate(code, setup, *(modules or {}).values(), *others)
        )
        # A module of client code is required by a client (it reads LocalPlayer).
        side = module_side(code) if script_kind is ScriptKind.MODULE_SCRIPT else "server"
        if script_kind is ScriptKind.LOCAL_SCRIPT or side == "client":
            # The client starts with its character (PlayerGui and Backpack are filled on spawn).
            world.join_local_player(spawn_character=True)
        if not in_tree:
            world.scaffold(placement, provided=modules or ())
        under_test: tuple[Any, pluau.Function | None] | None = None
        if project is not None and node is not None:
            try:
                under_test = _build_project(
                    world,
                    project,
                    node,
                    code,
                    script_kind,
                    at=None if in_tree else placement.script_path,
                    whole=export_world,
                )
            except SandboxError as exc:
                return _rejected_run(exc, script_kind, placement.script_path)
        if in_tree:
            # After the project: what the code expects beyond it, never in place of it.
            world.scaffold(placement, provided=modules or ())
        if modules:
            for module_path, source in modules.items():
                parent, _, name = module_path.rpartition(".")
                # A module that does not compile fails its require(), as in Roblox.
                with contextlib.suppress(SandboxError):
                    world.load_module(
                        source, name=name, path=parent or None, chunk=f"module:{name}"
                    )
        if setup:
            world.run_setup(setup)
        main: pluau.Function | None
        try:
            if under_test is not None:
                proxy, main = under_test
            elif script_kind is ScriptKind.MODULE_SCRIPT:
                proxy = world.load_module(
                    code,
                    name=placement.script_name,
                    path=placement.script_path,
                    chunk=USER_CHUNK,
                    track_return=True,
                )
                main = None
            else:
                class_name = "LocalScript" if script_kind is ScriptKind.LOCAL_SCRIPT else "Script"
                proxy, main = world.load_script(
                    code,
                    class_name=class_name,
                    name=placement.script_name,
                    path=placement.script_path,
                )
        except SandboxError as exc:
            return _rejected_run(exc, script_kind, placement.script_path)
        sources: dict[str, str] = {}
        before = None
        if export_world:
            # Sources by where each script sits: a place's or project's own, and this one.
            for n in project.nodes if project is not None else ():
                if n.source is not None:
                    sources[dotted(n.path)] = n.source
            sources.update(modules or {})
            script_at = dotted(node.path) if in_tree and node is not None else None
            sources[script_at or f"{placement.script_path}.{placement.script_name}"] = code
            before = snapshot_world(world, sources=sources)
        if main is None:
            world.require_from_engine(proxy, side)
        else:
            world.launch(proxy, main)
        _, drive_error = world.drive(
            seconds,
            script_kind,
            stimulus=stimulus,
            close=script_kind is not ScriptKind.LOCAL_SCRIPT,
            respawn=placement.container in ("default", "project"),
            hostile_remotes=hostile_remotes,
        )
        run = world.script_run(script_kind, placement.script_path)
        if drive_error is not None and run.stop is None:
            run.engine_errors.append(f"driver: {drive_error.message}")
        if export_world:
            run.world_before = before
            run.world_after = snapshot_world(world, sources=sources)
        return run


def _failed_run(
    failure: WorkerFailure,
    code: str,
    kind: str | ScriptKind | None,
    path: str | None,
    project: ProjectTree | None,
    path_in_project: str | os.PathLike[str] | None,
) -> ScriptRun:
    """The run of a script whose worker never answered (it died, or overran)."""
    node = None
    with contextlib.suppress(ValueError):
        node = _project_node(project, path_in_project)
    if node is not None and kind is None:
        kind = node.kind
    script_kind = kind if isinstance(kind, ScriptKind) else detect_kind(code, kind=kind, path=path)
    return ScriptRun(
        status=failure_status(failure),
        kind=script_kind,
        stop=LuauError(message=failure.message),
    )


def _run_script_in_worker(code: str, **kwargs: Any) -> ScriptRun:
    # Pickled by name, so a caller that wraps `run_script` still reaches the real one.
    return run_script(code, **kwargs)


def warm_worker() -> None:
    """Compile the runtime and read the engine surface once per process (the
    executor's fork server does it before it forks workers: `roblox/warm.py`)."""
    from luaurft.roblox.surface import surface_classes

    _runtime_chunks()
    surface_classes()


def needs_animate(*sources: str | None) -> bool:
    """Whether code can reach the Animate script's children: it names them (or
    Animation objects) somewhere. Characters are built without them otherwise."""
    return any(source is not None and "Animat" in source for source in sources)


def _project_node(
    project: ProjectTree | None, path_in_project: str | os.PathLike[str] | None
) -> ProjectNode | None:
    if project is None:
        return None
    if path_in_project is None:
        raise ValueError("run_script(project=...) needs path_in_project: the file being run")
    node = project.node_for(path_in_project)
    if node is None or node.kind is None:
        raise ValueError(f"{os.fspath(path_in_project)} is not a script of the project")
    return node


def _class_at(project: ProjectTree, path: tuple[str, ...]) -> str:
    for node in project.nodes:
        if node.path == path:
            return node.class_name
    # Not built by the project: a service.
    return path[-1] if len(path) == 1 else "Folder"


@lru_cache(maxsize=4096)
def _module_bytecode(source: str) -> bytes:
    """A project module's bytecode, compiled once per source for all the runs of a
    scoring pass. A module that does not compile gets a chunk that raises the
    compiler's message, so its require() fails with "Requested module experienced
    an error while loading", as in Roblox."""
    try:
        return compile_chunk(source)
    except SandboxError as exc:
        message = str(exc).replace("]==]", "] ==]")
        return compile_chunk(f"error([==[{message}]==], 0)")


def _chunk_name(node: ProjectNode) -> str:
    # Chunk names must read as `name:LINE:` in error messages.
    return "module:" + (re.sub(r"[^\w.-]", "_", node.name) or "module")


def _module_loader(
    chunks: Sequence[tuple[str, bytes]],
) -> Callable[[Any, Sequence[Any]], Any]:
    """The host end of lazy module loading: `loader(index, env)` loads chunk `index`.
    It holds only bytes and names, never the VM (see `Sandbox.host_function`)."""

    def load(lua: Any, args: Sequence[Any]) -> Any:
        name, bytecode = chunks[int(args[0])]
        return lua.load_chunk(bytecode, name=f"={name}", env=args[1], is_binary_chunk=True)

    return load


def _project_item(node: ProjectNode, chunks: list[tuple[str, bytes]]) -> dict[str, Any]:
    """What the runtime's `buildProject` needs to create `node` (a ModuleScript's
    bytecode goes to `chunks`, loaded when it is first required)."""
    item: dict[str, Any] = {
        "parent": dotted(node.path[:-1]),
        "name": node.name,
        "class": node.class_name,
    }
    if node.state is not None:
        item["state"] = node.state  # from a place file: properties, attributes, tags
    if node.class_name == "ModuleScript" and node.source is not None:
        item["module"] = len(chunks)
        chunks.append((_chunk_name(node), _module_bytecode(node.source)))
    return item


def build_tree(world: MockWorld, tree: ProjectTree) -> None:
    """Create every instance of `tree` in `world`, parents first: a place a task
    names, or a whole project. Its scripts are present but not started; its
    ModuleScripts are requireable with their own source."""
    chunks: list[tuple[str, bytes]] = []
    items = [_project_item(node, chunks) for node in tree.nodes]
    loader = world.sandbox.host_function(_module_loader(chunks))
    world._api("buildProject")(world._to_lua(items), loader)
    del loader


def _build_project(
    world: MockWorld,
    project: ProjectTree,
    under_test: ProjectNode,
    code: str,
    kind: ScriptKind,
    *,
    at: str | None = None,
    whole: bool = False,
) -> tuple[Any, pluau.Function | None]:
    """Create the instances of `project` that `code` can reach (`whole`: all of
    them, for a world that is exported), parents first, with `code` at its node
    (or in the container `at`, a dotted path, when given).

    Returns the instance under test and its main chunk (None for a ModuleScript,
    which is required from the engine instead). SandboxError when `code` does
    not compile."""
    chunks: list[tuple[str, bytes]] = []
    before: list[dict[str, Any]] = []
    after: list[dict[str, Any]] = []
    items = before
    nodes = (
        sorted(project.nodes, key=lambda n: len(n.path))
        if whole
        else project.needed_by(under_test, code)
    )
    for node in nodes:
        if node is under_test:
            # Its ancestors are in `before`; its descendants (an init file's
            # siblings) must come after it exists.
            items = after
            continue
        items.append(_project_item(node, chunks))
    loader = world.sandbox.host_function(_module_loader(chunks))
    build = world._api("buildProject")
    build(world._to_lua(before), loader)
    parent = at if at is not None else dotted(under_test.path[:-1])
    result: tuple[Any, pluau.Function | None]
    if kind is ScriptKind.MODULE_SCRIPT:
        proxy = world.load_module(
            code, name=under_test.name, path=parent, chunk=USER_CHUNK, track_return=True
        )
        result = (proxy, None)
    else:
        class_name = "LocalScript" if kind is ScriptKind.LOCAL_SCRIPT else "Script"
        result = world.load_script(code, class_name=class_name, name=under_test.name, path=parent)
    build(world._to_lua(after), loader)
    del loader
    return result


def _rejected_run(exc: SandboxError, kind: ScriptKind, placement: str) -> ScriptRun:
    """The run of code the sandbox refused to load (it did not compile, or is too large)."""
    return ScriptRun(
        status=RunStatus.ERROR, kind=kind, errors=[_compile_script_error(str(exc))],
        placement=placement,
    )  # fmt: skip


def _compile_script_error(message: str) -> ScriptError:
    from luaurft.luau.source import parse_compile_error

    parsed = parse_compile_error(message.split("rejected the code:", 1)[-1].strip())
    return ScriptError(
        message=f"compile error: {parsed.message}",
        line=parsed.line,
        traceback=(),
        context="compile",
        time=0.0,
        chunk=USER_CHUNK,
    )


__all__ = [
    "DEFAULT_SECONDS",
    "DataStoreOptions",
    "MockWorld",
    "PendingYield",
    "ScriptError",
    "ScriptRun",
    "build_tree",
    "lua_text",
    "needs_animate",
    "run_script",
]
