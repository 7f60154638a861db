"""Execution checks for tasks: a check script asserts on the world a solution built.

A check script is Luau whose top level declares checks::

    check("every player gets leaderstats with Coins", function()
        local player = world.join("Alice")
        world.advance(1)
        local stats = player:FindFirstChild("leaderstats")
        expect(stats and stats:IsA("Folder"), "no leaderstats Folder")
        local coins = stats:FindFirstChild("Coins")
        expect(coins and coins:IsA("IntValue"), "no Coins IntValue")
    end)

Besides the script globals, a check sees `check`, `expect(cond, msg)`,
`expectEqual(actual, expected, msg)` and `world` (join/leave/spawn players,
advance the clock, touch parts, fire remotes, click, trigger prompts, press
keys, read output and DataStores, inject DataStore failures).

Why the solution cannot forge a pass: the check script's top level runs before
any solution code, in its own environment, and fixes how many checks there
are. Each body runs afterwards in a harness thread; the harness uses its own
copies of pcall/error/tostring taken before user code existed, and reports each
result through a host function that exists only in the harness's closure (never
a global, never in the solution's reach) together with a per-run random nonce.
Printed text is never read. A check passes only if its body returned without
error within its time; a check that is not reported (the run crashed, timed out,
ran out of memory) fails; a second report for one check is treated as tampering
and fails the whole run.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from luaurft.errors import LuaurftError
from luaurft.luau.kind import ScriptKind, detect_kind
from luaurft.luau.sandbox import USER_CHUNK, Limits, RunStatus, SandboxError, lua_text, parse_error
from luaurft.roblox.mock import (
    DataStoreOptions,
    MockWorld,
    ScriptError,
    ScriptRun,
    _compile_script_error,
    build_tree,
    needs_animate,
)
from luaurft.roblox.project import ProjectTree
from luaurft.roblox.scaffold import infer_placement

CHECK_CHUNK = "check"
SETUP_CHUNK = "setup"
AFTER_START_CHUNK = "stimulus"


class CheckScriptError(LuaurftError):
    """The check script itself is broken (does not compile, errors while declaring checks)."""


class SetupError(CheckScriptError):
    """The task's setup (trusted code run before the solution) errors or never finishes."""


@dataclass(frozen=True, slots=True)
class CheckResult:
    index: int
    name: str
    passed: bool
    message: str = ""
    line: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "name": self.name,
            "passed": self.passed,
            "message": self.message,
            "line": self.line,
        }


@dataclass
class CheckReport:
    """Per-check results, how many checks were declared, and the run behind them.
    `passed` is true only when every declared check reported a pass, once."""

    expected: int
    results: list[CheckResult]
    run: ScriptRun
    problems: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return (
            self.expected > 0
            and not self.problems
            and len(self.results) == self.expected
            and all(r.passed for r in self.results)
        )

    @property
    def passed_count(self) -> int:
        return sum(1 for r in self.results if r.passed)

    @property
    def compile_error(self) -> ScriptError | None:
        """The compiler's verdict when the solution does not compile (nothing ran)."""
        return next((e for e in self.run.errors if e.context == "compile"), None)

    @property
    def fraction(self) -> float:
        return self.passed_count / self.expected if self.expected else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "passed": self.passed,
            "expected": self.expected,
            "passed_count": self.passed_count,
            "results": [r.to_dict() for r in self.results],
            "problems": self.problems,
            "run": self.run.to_dict(),
        }


class _Channel:
    """The host end of the harness's report channel. Holds no reference to the VM."""

    def __init__(self, nonce: str) -> None:
        self.nonce = nonce
        self.expected: int | None = None
        self.names: dict[int, str] = {}
        self.results: dict[int, tuple[bool, str, str]] = {}
        self.problems: list[str] = []
        self.declaration_error: str | None = None

    def __call__(self, lua: Any, args: Sequence[Any]) -> None:
        values = [
            lua_text(a) if not isinstance(a, bool | int | float) and a is not None else a
            for a in args
        ]
        if not values or values[0] != self.nonce:
            self.problems.append("a report arrived without the run's nonce")
            return
        what = values[1] if len(values) > 1 else None
        if what == "expect":
            if self.expected is not None:
                self.problems.append("the number of checks was reported twice")
            else:
                self.expected = int(values[2]) if isinstance(values[2], int | float) else 0
        elif what == "declare":
            if isinstance(values[2], int | float):
                self.names[int(values[2])] = str(values[3])
        elif what == "error":
            self.declaration_error = str(values[2]) if len(values) > 2 else "error"
        elif isinstance(what, int | float):
            index = int(what)
            if index in self.results:
                self.problems.append(f"check {index} was reported twice")
                return
            passed = values[2] is True
            message = str(values[3]) if len(values) > 3 and values[3] is not None else ""
            traceback = str(values[4]) if len(values) > 4 and values[4] is not None else ""
            self.results[index] = (passed, message, traceback)
        else:
            self.problems.append(f"unexpected report {what!r}")


def run_checks(
    solution: str,
    checks: str,
    kind: str | ScriptKind | None = None,
    *,
    setup: str | None = None,
    modules: Mapping[str, str] | None = None,
    seconds: float = 2.0,
    check_seconds: float = 10.0,
    stimulus: bool = False,
    expected: int | None = None,
    limits: Limits | None = None,
    datastore: DataStoreOptions | None = None,
    script_path: str | None = None,
    scaffold: bool | None = None,
    after_start: str | None = None,
    place: ProjectTree | None = None,
) -> CheckReport:
    """Run `solution` as `kind` in a fresh mock world for `seconds` of virtual time,
    then run the checks of `checks` (each with up to `check_seconds`) and report.

    Where the solution goes: `script_path` is the dotted path of the script itself
    ("ServerScriptService.Solution", "Workspace.Door.DoorScript"; its parent must
    exist once `setup` has run, else the script runs unparented). Without it the
    place is inferred from the solution's own code, as `run_script` does.
    `scaffold` builds what the code expects to find there (the containers and
    instances it waits for); it defaults to on only when the place is inferred, so
    that a task that fixes the place also fixes the world the solution finds.

    `place` (a place file's instances, `luaurft.roblox.place.load_place`) is built
    before anything else: the map, remotes and modules a task's world has.
    `setup` (trusted Luau with `world`) runs before the solution; `after_start`
    (trusted Luau with `world`) runs right after the solution's main chunk started,
    before the clock advances. `modules` maps dotted paths to ModuleScript sources.
    `expected`, when given, is the number of checks the task declares; a check
    script that declares another number fails. `stimulus=True` also applies the
    standard exec stimulus while the solution runs.

    A check script that does not compile or fails while declaring its checks raises
    `CheckScriptError`; a `setup` that errors or never finishes raises `SetupError`
    (both are faults of the task, never of the solution). A solution that does not
    compile is a failed report (`CheckReport.compile_error`), not an exception.
    """
    script_kind = kind if isinstance(kind, ScriptKind) else detect_kind(solution, kind=kind)
    if script_path is not None:
        parent, _, name = script_path.strip().rpartition(".")
        if not name:
            raise LuaurftError(f"script_path {script_path!r} does not name a script")
        container: str | None = parent or None
        placement = infer_placement(solution, script_kind) if scaffold else None
    else:
        placement = infer_placement(solution, script_kind)
        container, name = placement.script_path, placement.script_name
        if scaffold is False:
            placement = None
    nonce = secrets.token_hex(16)
    channel = _Channel(nonce)
    with MockWorld(limits, datastore) as world:
        sources = (solution, checks, setup, after_start, *(modules or {}).values())
        world.character_options(animate=needs_animate(*sources))
        if place is not None:
            build_tree(world, place)
        if script_kind is ScriptKind.LOCAL_SCRIPT:
            world.join_local_player(spawn_character=True)
        if placement is not None:
            world.scaffold(placement, provided=modules or ())
        # The check script is compiled and its checks declared before any solution code runs.
        try:
            runner, error = world.declare_checks(checks, channel, nonce, chunk=CHECK_CHUNK)
        except SandboxError as exc:
            raise CheckScriptError(f"the check script does not compile: {exc}") from None
        if runner is None or channel.declaration_error is not None:
            detail = channel.declaration_error or error or "unknown error"
            raise CheckScriptError(f"the check script failed while declaring checks: {detail}")
        declared = channel.expected or 0
        if declared == 0:
            raise CheckScriptError(
                "the check script declares no checks; declare them with check(name, fn)"
            )
        if modules:
            for dotted, source in modules.items():
                mod_parent, _, mod_name = dotted.rpartition(".")
                world.load_module(
                    source, name=mod_name, path=mod_parent or None, chunk=f"module:{mod_name}"
                )
        if setup:
            try:
                done, setup_error = world.run_setup(setup, chunk=SETUP_CHUNK)
            except SandboxError as exc:
                raise SetupError(f"setup does not compile: {exc}") from None
            if not done:
                why = setup_error.message if setup_error else "it did not finish"
                raise SetupError(f"setup failed: {why}")
        compile_error = None
        try:
            if script_kind is ScriptKind.MODULE_SCRIPT:
                proxy = world.load_module(solution, name=name, path=container, chunk=USER_CHUNK)
                world.require_from_engine(proxy)
            else:
                class_name = "LocalScript" if script_kind is ScriptKind.LOCAL_SCRIPT else "Script"
                proxy, fn = world.load_script(
                    solution, class_name=class_name, name=name, path=container
                )
                world.launch(proxy, fn)
        except SandboxError as exc:
            compile_error = _compile_script_error(str(exc))
        if compile_error is None:
            if after_start:
                # Trusted task code; whether it finishes depends on the solution, so
                # its outcome is for the checks to judge.
                world.run_setup(after_start, chunk=AFTER_START_CHUNK)
            world.drive(seconds, script_kind, stimulus=stimulus, close=False)
            world.run_declared_checks(runner, check_seconds)
        del runner
        run = world.script_run(script_kind, container or "")
        if compile_error is not None:
            run.status = RunStatus.ERROR
            run.errors.insert(0, compile_error)
    return _report(channel, declared, expected, run)


def _report(channel: _Channel, declared: int, expected: int | None, run: ScriptRun) -> CheckReport:
    problems = list(channel.problems)
    if expected is not None and declared != expected:
        problems.append(f"the check script declared {declared} checks, the task expects {expected}")
    results: list[CheckResult] = []
    for index in range(1, declared + 1):
        name = channel.names.get(index, f"check {index}")
        outcome = channel.results.get(index)
        if outcome is None:
            reason = "not reported"
            compile_error = next((e for e in run.errors if e.context == "compile"), None)
            if compile_error is not None:
                where = f" (line {compile_error.line})" if compile_error.line else ""
                reason = f"not run: the solution does not compile: {compile_error.message}{where}"
            elif run.stop is not None:
                reason = f"not reported: the run stopped ({run.status.value}: {run.stop.message})"
            results.append(CheckResult(index, name, False, reason))
            continue
        passed, message, traceback = outcome
        located = parse_error(message, traceback, CHECK_CHUNK)
        results.append(
            CheckResult(index, name, passed, located.message if not passed else "", located.line)
        )
    return CheckReport(
        expected=expected if expected is not None else declared,
        results=results,
        run=run,
        problems=problems,
    )


__all__ = [
    "AFTER_START_CHUNK",
    "CHECK_CHUNK",
    "SETUP_CHUNK",
    "CheckReport",
    "CheckResult",
    "CheckScriptError",
    "SetupError",
    "run_checks",
]
