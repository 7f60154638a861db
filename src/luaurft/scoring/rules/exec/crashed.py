"""exec/crashed: the run killed the worker process it ran in."""

from __future__ import annotations

from typing import TYPE_CHECKING

from luaurft.luau.sandbox import RunStatus
from luaurft.scoring.rule import Severity
from luaurft.scoring.rules.exec._stopped import StoppedRule

if TYPE_CHECKING:
    from luaurft.roblox.mock import ScriptRun


class CrashedRule(StoppedRule):
    id = "exec/crashed"
    scorer = "exec"
    severity = Severity.ERROR
    summary = "The run killed the worker process it ran in (the VM itself failed)."
    bad = (
        "-- whatever breaks the VM: an allocation probe at the heap's edge, a crash in\n"
        "-- a library call; the run costs one failed sample, never the host\n"
        "local keep = buffer.create(2 ^ 31)\n"
    )
    good = "local keep = buffer.create(1024)\n"
    status = RunStatus.CRASHED
    what = "the run killed its worker process: this code breaks the VM it runs in"

    def unlocated(self, run: ScriptRun) -> str:
        detail = run.stop.message if run.stop is not None else ""
        return f"{self.what} ({detail})" if detail else self.what
