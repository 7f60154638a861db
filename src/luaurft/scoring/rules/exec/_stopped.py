"""The rules for a run the sandbox or the executor stopped: timeout, memory, output limit, crash.

The sandbox stops a run that spends its CPU budget (a loop that never yields,
also inside a coroutine), that grows past the memory cap, or that floods the
output; the executor kills a run that outlives its worker's time budget inside one
long library call, and reports a run whose worker process died. The finding
points at the user's line that was running at that moment, when it is known.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from luaurft.luau.sandbox import RunStatus
from luaurft.scoring.execution import execute
from luaurft.scoring.rule import Finding, Rule, RuleContext

if TYPE_CHECKING:
    from luaurft.roblox.mock import ScriptRun


class StoppedRule(Rule):
    status: RunStatus
    what: str

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        run = execute(ctx)
        if run is None or run.status is not self.status:
            return
        known = run.stop is not None and run.stop.line is not None
        line = run.stop.line if run.stop is not None and run.stop.line else 1
        line = min(max(line, 1), max(len(ctx.source.lines), 1))
        yield self.at(ctx, line, self.what if known else self.unlocated(run))

    def unlocated(self, run: ScriptRun) -> str:
        """The message when the VM could not say where the run was (it was killed)."""
        return self.what
