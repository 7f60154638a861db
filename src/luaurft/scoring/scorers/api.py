"""The Roblox API scorer."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from luaurft.scoring.registry import rule_costs
from luaurft.scoring.rule import Finding, RuleContext
from luaurft.scoring.scorer import Scorer, penalty


class ApiScorer(Scorer):
    """How well the code uses the Roblox API: services, classes, members, deprecations, sides.

    Code that touches no Roblox API scores like code that uses it without a
    mistake. That is deliberate: a pure-logic ModuleScript is not worse Roblox
    code for having no API calls, and trivial or padded code is the quality
    scorer's job (it scores completeness and substance), not this one's. Blank
    code has nothing to judge and scores 0, like the syntax scorer.
    """

    name = "api"
    formula: ClassVar[str] = (
        "Blank code: 0. Otherwise 1 - penalty(api findings), floored at 0: each finding costs "
        "its rule's cost (by severity: error 0.25, warning 0.10, info 0.03) and repeats of one "
        "rule halve each time, so one rule takes at most twice its cost. Code with no Roblox "
        "API use scores as clean API use; triviality is scored by the quality scorer."
    )

    def score(self, ctx: RuleContext, findings: Sequence[Finding]) -> float:
        if ctx.source.is_blank:
            return 0.0
        costs = rule_costs(self.name)
        return max(0.0, 1.0 - penalty(findings, costs))
