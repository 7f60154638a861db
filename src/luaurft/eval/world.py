"""Run a Roblox task's checks in the mock world, with the script where the task puts it.

The world and its unforgeable report channel come from `luaurft.roblox` (the
checks API): the check script is compiled and its checks declared before any
solution code exists, each check runs in its own harness thread, and results
travel through a host function bound to a per-run nonce, so nothing the
solution prints, returns or overrides can make a check pass. What this module
adds is the task's side: the solution script goes at the task's `script_path`
(never where its own code would suggest, so every answer is judged in the same
place), the task's setup and stimulus run around it, and checks speak the `sim`
vocabulary (`sim.luau`), prepended to every setup, stimulus and check script.
"""

from __future__ import annotations

import re
import secrets
from functools import cache
from importlib import resources
from typing import Any

from luaurft.eval.checks import CheckReport, CheckResult, clip, failed_report
from luaurft.eval.tasks import Task, TaskError, TaskKind
from luaurft.luau.kind import ScriptKind
from luaurft.luau.sandbox import USER_CHUNK, Limits, SandboxError, parse_error

CHECK_CHUNK = "check"
# Where a solution goes when the task does not say: the usual home of each kind.
DEFAULT_PATHS = {
    TaskKind.SCRIPT: "ServerScriptService.Solution",
    TaskKind.LOCAL_SCRIPT: "StarterPlayer.StarterPlayerScripts.Solution",
    TaskKind.MODULE_SCRIPT: "ReplicatedStorage.Solution",
}
# A LocalScript runs as the local player's client: it lives in their PlayerScripts.
LOCAL_SCRIPT_HOME = "Players.Player1.PlayerScripts"
# Virtual seconds one check may take before it counts as hung.
DEFAULT_CHECK_SECONDS = 60.0


@cache
def sim_source() -> str:
    return resources.files("luaurft.eval").joinpath("sim.luau").read_text("utf-8")


def check_script(task: Task) -> tuple[str, list[int]]:
    """The check script for a task, and the line of the script each check body starts at."""
    prelude = sim_source().rstrip("\n")
    parts = [prelude]
    line = prelude.count("\n") + 1  # the last line used so far
    starts: list[int] = []
    for check in task.checks:
        body = check.body.rstrip("\n")
        parts.append(f"check({_lua_string(check.name)}, function()")
        starts.append(line + 2)
        parts.append(body)
        parts.append("end)")
        line += 2 + body.count("\n") + 1
    return "\n".join(parts) + "\n", starts


def _lua_string(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "")
    return f'"{escaped}"'


def script_place(task: Task) -> tuple[str, str]:
    """(parent path, script name) of the solution for `task`."""
    if task.kind is TaskKind.LOCAL_SCRIPT and task.script_path is None:
        return LOCAL_SCRIPT_HOME, "Solution"
    path = task.script_path or DEFAULT_PATHS[task.kind]
    parent, _, name = path.rpartition(".")
    return parent, name


def _relocate(message: str, starts: list[int], index: int) -> str:
    """`check:LINE:` in a message becomes the line within the check body."""
    start = starts[index] if 0 <= index < len(starts) else 0

    def local(match: re.Match[str]) -> str:
        return f"line {max(1, int(match.group(1)) - start + 1)}: "

    return re.sub(rf"\b{CHECK_CHUNK}:(\d+):\s?", local, message)


def run_world_checks(
    task: Task, code: str, *, limits: Limits | None = None, check_seconds: float | None = None
) -> CheckReport:
    """Run `code` as the solution of a Roblox task in a fresh mock world and report."""
    from luaurft.roblox.checks import _Channel
    from luaurft.roblox.mock import MockWorld

    if not task.kind.roblox:
        raise TaskError(f"task {task.id} is plain Luau; use luaurft.eval.checks.run_plain_checks")
    kind = ScriptKind(task.kind.value)
    parent, name = script_place(task)
    script_text, starts = check_script(task)
    nonce = secrets.token_hex(16)
    channel = _Channel(nonce)
    per_check = float(check_seconds or task.check_seconds or DEFAULT_CHECK_SECONDS)
    with MockWorld(limits) as world:
        if kind is ScriptKind.LOCAL_SCRIPT:
            world.join_local_player(spawn_character=True)
        env = world._api("checkEnv")()[0]
        try:
            check_fn = world.sandbox.load(script_text, name=CHECK_CHUNK, env=env)
        except SandboxError as exc:
            raise TaskError(f"task {task.id}: its checks do not compile: {exc}") from None
        report_fn = world.sandbox.host_function(channel)
        ok, values, error = world.sandbox.call(
            world._api("installChecks"), check_fn, report_fn, nonce
        )
        del report_fn
        if not ok or channel.declaration_error is not None or not values:
            detail = channel.declaration_error or (error.message if error else "no runner")
            raise TaskError(f"task {task.id}: declaring its checks failed: {detail}")
        runner = values[0]
        if task.setup.strip():
            done, setup_error = world.run_setup(sim_source() + "\n" + task.setup, chunk="setup")
            if not done:
                why = setup_error.message if setup_error else "it did not finish"
                return failed_report(task, f"the task's setup failed: {why}")
        try:
            if kind is ScriptKind.MODULE_SCRIPT:
                proxy = world.load_module(code, name=name, path=parent, chunk=USER_CHUNK)
                world.require_from_engine(proxy)
            else:
                proxy, fn = world.load_script(code, class_name=kind.value, name=name, path=parent)
                world.launch(proxy, fn)
        except SandboxError as exc:
            return failed_report(task, f"the solution does not compile: {exc}")
        if task.stimulus.strip():
            world.run_setup(sim_source() + "\n" + task.stimulus, chunk="stimulus")
        world.drive(task.seconds, kind, stimulus=False, close=False)
        world.sandbox.call(runner, per_check)
        del runner
        run = world.script_run(kind, f"{parent}.{name}")
    return _report(task, channel, run, starts)


def _report(task: Task, channel: Any, run: Any, starts: list[int]) -> CheckReport:
    tampered = list(channel.problems)
    declared = channel.expected or 0
    if declared != task.expected:
        tampered.append(
            f"the check script declared {declared} checks, the task has {task.expected}"
        )
    results: list[CheckResult] = []
    for index, check in enumerate(task.checks, start=1):
        outcome = channel.results.get(index)
        if tampered:
            results.append(CheckResult(check.name, False, clip("; ".join(tampered))))
            continue
        if outcome is None:
            reason = "not reported"
            if run.stop is not None:
                reason = f"the run stopped ({run.status.value}: {run.stop.message})"
            results.append(CheckResult(check.name, False, clip(reason)))
            continue
        passed, message, traceback = outcome
        if passed:
            results.append(CheckResult(check.name, True))
            continue
        located = parse_error(message, traceback, CHECK_CHUNK)
        text = located.message
        if located.line is not None:
            text = f"{_relocate(f'{CHECK_CHUNK}:{located.line}: ', starts, index - 1)}{text}"
        results.append(CheckResult(check.name, False, clip(text)))
    error = run.error
    return CheckReport(
        task_id=task.id,
        expected=task.expected,
        checks=tuple(results),
        status=run.status.value,
        error=None if error is None else clip(error.message),
        output=tuple(line.text for line in run.output[-50:]),
    )


__all__ = ["DEFAULT_PATHS", "check_script", "run_world_checks", "script_place", "sim_source"]
