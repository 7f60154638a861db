"""exec/timeout: the run spent its CPU budget (or its worker's time budget)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from luaurft.luau.sandbox import RunStatus
from luaurft.scoring.execution import EXEC_LIMITS
from luaurft.scoring.rule import Severity
from luaurft.scoring.rules.exec._stopped import StoppedRule

if TYPE_CHECKING:
    from luaurft.roblox.mock import ScriptRun


class TimeoutRule(StoppedRule):
    id = "exec/timeout"
    scorer = "exec"
    severity = Severity.ERROR
    summary = "The script ran until the sandbox's CPU budget was spent (a loop that never yields)."
    bad = "local total = 0\nwhile true do\n\ttotal += 1\nend\n"
    good = "local total = 0\nwhile true do\n\ttotal += 1\n\ttask.wait(1)\nend\n"
    status = RunStatus.TIMEOUT
    what = (
        f"the script used its whole CPU budget ({EXEC_LIMITS.cpu_seconds:g} s) without "
        "finishing or yielding: a loop here never waits"
    )

    def unlocated(self, run: ScriptRun) -> str:
        return (
            f"the script ran past its worker's time budget ({EXEC_LIMITS.wall_budget():g} s) "
            "inside one library call (a huge string search or pattern?) and was killed"
        )
