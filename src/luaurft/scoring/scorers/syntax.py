"""The syntax scorer."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from luaurft.scoring.registry import rules_for
from luaurft.scoring.rule import Finding, RuleContext
from luaurft.scoring.scorer import Scorer, penalty

COMPILE_FAIL_CEILING = 0.4
COMPILE_FAIL_BASE = 0.3
COMPILES_FLOOR = 0.5


class SyntaxScorer(Scorer):
    name = "syntax"
    formula: ClassVar[str] = (
        "Blank code: 0. Code the Luau compiler rejects: 0.3 - penalty(other syntax findings), "
        "within [0, 0.4] (the findings explain why it fails). Code that compiles: "
        "1 - penalty(findings), floored at 0.5: style-isms cost a little, never a failure."
    )

    def score(self, ctx: RuleContext, findings: Sequence[Finding]) -> float:
        if ctx.source.is_blank:
            return 0.0
        costs = {r.id: r.cost for r in rules_for(self.name)}
        lost = penalty(findings, costs)
        if not ctx.source.compiles:
            return min(COMPILE_FAIL_CEILING, max(0.0, COMPILE_FAIL_BASE - lost * 0.5))
        return max(COMPILES_FLOOR, 1.0 - lost)
