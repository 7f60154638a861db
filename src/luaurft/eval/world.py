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
from functools import cache, lru_cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from luaurft.errors import LuaurftError
from luaurft.eval.checks import CheckReport, CheckResult, clip, failed_report
from luaurft.eval.tasks import Task, TaskError, TaskKind
from luaurft.luau.kind import ScriptKind
from luaurft.luau.sandbox import Limits

if TYPE_CHECKING:
    from luaurft.roblox.checks import CheckReport as WorldReport
    from luaurft.roblox.project import ProjectTree

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
    """`check:LINE:` in a message becomes `check line N:`, N counted within the check
    body (the task file's `body`), so it is never read as a line of the solution."""
    start = starts[index] if 0 <= index < len(starts) else 0

    def local(match: re.Match[str]) -> str:
        return f"check line {max(1, int(match.group(1)) - start + 1)}: "

    return re.sub(rf"\b{CHECK_CHUNK}:(\d+):\s?", local, message)


def run_world_checks(
    task: Task, code: str, *, limits: Limits | None = None, check_seconds: float | None = None
) -> CheckReport:
    """Run `code` as the solution of a Roblox task in a fresh mock world and report."""
    from luaurft.roblox.checks import CheckScriptError, SetupError, run_checks

    if not task.kind.roblox:
        raise TaskError(f"task {task.id} is plain Luau; use luaurft.eval.checks.run_plain_checks")
    kind = ScriptKind(task.kind.value)
    parent, name = script_place(task)
    script_text, starts = check_script(task)
    per_check = float(check_seconds or task.check_seconds or DEFAULT_CHECK_SECONDS)
    prelude = sim_source() + "\n"
    try:
        report = run_checks(
            code,
            script_text,
            kind,
            script_path=f"{parent}.{name}",
            setup=prelude + task.setup if task.setup.strip() else None,
            after_start=prelude + task.stimulus if task.stimulus.strip() else None,
            seconds=task.seconds,
            check_seconds=per_check,
            expected=task.expected,
            limits=limits,
            place=_place_of(task),
        )
    except SetupError as exc:
        return failed_report(task, f"the task's {exc}")
    except CheckScriptError as exc:
        raise TaskError(f"task {task.id}: {exc}") from None
    compile_error = report.compile_error
    if compile_error is not None:
        where = f" (line {compile_error.line})" if compile_error.line else ""
        return failed_report(task, f"the solution does not compile: {compile_error.message}{where}")
    return _task_report(task, report, starts)


def _place_of(task: Task) -> ProjectTree | None:
    """The instances of the task's place file (read once per file version)."""
    if task.place is None:
        return None
    path = Path(task.place)
    try:
        stamp = path.stat().st_mtime_ns
    except OSError:
        raise TaskError(f"task {task.id}: place file {path} cannot be read") from None
    return _load_place(str(path), stamp)


@lru_cache(maxsize=8)
def _load_place(path: str, stamp: int) -> ProjectTree:
    from luaurft.roblox.place import load_place

    try:
        return load_place(path)
    except LuaurftError as exc:
        raise TaskError(f"the task's place file cannot be used: {exc}") from None


def _task_report(task: Task, report: WorldReport, starts: list[int]) -> CheckReport:
    """The world's report in the suite's terms: one result per task check, failure
    messages pointing at lines of the check body rather than of the assembled script."""
    run = report.run
    results: list[CheckResult] = []
    for index, check in enumerate(task.checks, start=1):
        if report.problems:
            results.append(CheckResult(check.name, False, clip("; ".join(report.problems))))
            continue
        outcome = report.results[index - 1] if index <= len(report.results) else None
        if outcome is None:
            results.append(CheckResult(check.name, False, "not reported"))
            continue
        if outcome.passed:
            results.append(CheckResult(check.name, True))
            continue
        text = outcome.message
        if outcome.line is not None:
            text = f"{_relocate(f'{CHECK_CHUNK}:{outcome.line}: ', starts, index - 1)}{text}"
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
