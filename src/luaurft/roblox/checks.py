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
from luaurft.roblox.mock import DataStoreOptions, MockWorld, ScriptRun, _compile_script_error
from luaurft.roblox.scaffold import infer_placement

CHECK_CHUNK = "check"


class CheckScriptError(LuaurftError):
    """The check script itself is broken (does not compile, errors while declaring checks)."""


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
) -> CheckReport:
    """Run `solution` as `kind` in a fresh mock world for `seconds` of virtual time,
    then run the checks of `checks` (each with up to `check_seconds`) and report.

    `setup` (trusted Luau with `world`) runs before the solution; `modules` maps
    dotted paths to ModuleScript sources. `expected`, when given, is the number of
    checks the task declares; a check script that declares another number fails.
    `stimulus=True` also applies the standard exec stimulus while the solution runs.
    Problems in the check script itself raise `CheckScriptError`.
    """
    script_kind = kind if isinstance(kind, ScriptKind) else detect_kind(solution, kind=kind)
    placement = infer_placement(solution, script_kind)
    nonce = secrets.token_hex(16)
    channel = _Channel(nonce)
    with MockWorld(limits, datastore) as world:
        if script_kind is ScriptKind.LOCAL_SCRIPT:
            world.join_local_player(spawn_character=True)
        world.scaffold(placement)
        # The check script is compiled and its checks declared before any solution code runs.
        env = world._api("checkEnv")()[0]
        try:
            check_fn = world.sandbox.load(checks, name=CHECK_CHUNK, env=env)
        except SandboxError as exc:
            raise CheckScriptError(f"the check script does not compile: {exc}") from None
        report_fn = world.sandbox.host_function(channel)
        ok, values, error = world.sandbox.call(
            world._api("installChecks"), check_fn, report_fn, nonce
        )
        del report_fn
        if not ok or channel.declaration_error is not None:
            detail = channel.declaration_error or (error.message if error else "unknown error")
            raise CheckScriptError(f"the check script failed while declaring checks: {detail}")
        runner = values[0] if values else None
        declared = channel.expected or 0
        if declared == 0 or runner is None:
            raise CheckScriptError(
                "the check script declares no checks; declare them with check(name, fn)"
            )
        if modules:
            for dotted, source in modules.items():
                parent, _, name = dotted.rpartition(".")
                world.load_module(source, name=name, path=parent or None, chunk=f"module:{name}")
        if setup:
            world.run_setup(setup)
        compile_error = None
        try:
            if script_kind is ScriptKind.MODULE_SCRIPT:
                proxy = world.load_module(
                    solution,
                    name=placement.script_name,
                    path=placement.script_path,
                    chunk=USER_CHUNK,
                )
                world.require_from_engine(proxy)
            else:
                class_name = "LocalScript" if script_kind is ScriptKind.LOCAL_SCRIPT else "Script"
                proxy, fn = world.load_script(
                    solution,
                    class_name=class_name,
                    name=placement.script_name,
                    path=placement.script_path,
                )
                world.launch(proxy, fn)
        except SandboxError as exc:
            compile_error = _compile_script_error(str(exc))
        if compile_error is None:
            world.drive(seconds, script_kind, stimulus=stimulus, close=False)
            world.sandbox.call(runner, float(check_seconds))
        del runner
        run = world.script_run(script_kind, placement.script_path)
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
            if run.stop is not None:
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


__all__ = ["CheckReport", "CheckResult", "CheckScriptError", "run_checks"]
