"""quality/dead-code: branches that never run, code after an unconditional exit, padding."""

from __future__ import annotations

from collections.abc import Iterator

from luaurft.scoring.analysis.dead_code import dead_code
from luaurft.scoring.rule import Finding, Rule, RuleContext, Severity


class DeadCodeRule(Rule):
    id = "quality/dead-code"
    scorer = "quality"
    severity = Severity.WARNING
    summary = "Code that never runs (`if false then`, after a `do return end`) or does nothing (`local _ = 1`)."
    bad = "local Players = game:GetService('Players')\nif false then\n\tprint('never')\nend\nprint(#Players:GetPlayers())\n"
    good = "local Players = game:GetService('Players')\nif #Players:GetPlayers() == 0 then\n\tprint('empty server')\nend\n"
    needs_clean_tree = True

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        for dead in dead_code(ctx):
            yield self.at(ctx, dead.node, dead.reason, "delete the dead code")
