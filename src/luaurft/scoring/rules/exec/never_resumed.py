"""exec/never-resumed: a thread waited for something that never came.

Reported for `WaitForChild` without a timeout that was still waiting at the end
of the run (Roblox warns "Infinite yield possible" after five seconds), a main
chunk suspended by a bare `coroutine.yield()`, and remote or bindable calls
that waited for a callback nobody set.
"""

from __future__ import annotations

from collections.abc import Iterator

from luaurft.scoring.execution import execute
from luaurft.scoring.rule import Finding, Rule, RuleContext, Severity

_FIX = {
    "infinite-yield": "give WaitForChild a timeout and handle nil, or create the instance first",
    "raw-yield": "wait with task.wait or an event's :Wait(); a bare coroutine.yield() is never resumed",
    "callback": "set the callback (OnServerInvoke, OnInvoke...) before anything invokes it",
    "invoke": "make sure the invoked callback returns",
}


class NeverResumedRule(Rule):
    id = "exec/never-resumed"
    scorer = "exec"
    severity = Severity.WARNING
    summary = "A thread yielded and was never resumed during the run (an infinite yield)."
    bad = 'local config = workspace:WaitForChild("GameConfig")\nprint(config.Name)\n'
    good = 'local config = workspace:WaitForChild("GameConfig", 2)\nif config then\n\tprint(config.Name)\nend\n'

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        run = execute(ctx)
        if run is None:
            return
        last_line = max(len(ctx.source.lines), 1)
        seen: set[tuple[int, str]] = set()
        for pending in run.never_resumed:
            line = min(max(pending.line or 1, 1), last_line)
            # The same wait in a handler that ran for two players is one problem.
            if (line, pending.kind) in seen:
                continue
            seen.add((line, pending.kind))
            yield self.at(ctx, line, f"{pending.what} never resumed", _FIX.get(pending.kind))
