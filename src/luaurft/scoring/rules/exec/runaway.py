"""exec/timeout, exec/memory, exec/output-limit, exec/crashed: the run was stopped.

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
from luaurft.scoring.execution import EXEC_LIMITS, execute
from luaurft.scoring.rule import Finding, Rule, RuleContext, Severity

if TYPE_CHECKING:
    from luaurft.roblox.mock import ScriptRun


class _StoppedRule(Rule):
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


class TimeoutRule(_StoppedRule):
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


class MemoryRule(_StoppedRule):
    id = "exec/memory"
    scorer = "exec"
    severity = Severity.ERROR
    summary = "The script grew past the sandbox's memory cap."
    bad = "local chunks = {}\nwhile true do\n\ttable.insert(chunks, table.create(1000, 0))\nend\n"
    good = (
        "local chunks = {}\nfor i = 1, 100 do\n\ttable.insert(chunks, table.create(1000, 0))\nend\n"
    )
    status = RunStatus.MEMORY
    what = (
        f"the script exceeded the memory cap ({EXEC_LIMITS.memory_bytes // (1024 * 1024)} MiB): "
        "something here grows without bound"
    )


class OutputLimitRule(_StoppedRule):
    id = "exec/output-limit"
    scorer = "exec"
    severity = Severity.WARNING
    summary = "The script printed so much that the sandbox stopped it."
    bad = "for i = 1, 1000000 do\n\tprint(i)\nend\n"
    good = "for i = 1, 10 do\n\tprint(i)\nend\n"
    status = RunStatus.OUTPUT_LIMIT
    what = (
        f"the script printed more than {EXEC_LIMITS.output_lines} lines: "
        "output in a hot loop floods the console"
    )


class CrashedRule(_StoppedRule):
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
