"""The syntax scorer."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from luaurft.scoring.registry import rule_costs
from luaurft.scoring.rule import Finding, RuleContext
from luaurft.scoring.scorer import Scorer, penalty

COMPILE_FAIL_CEILING = 0.4
COMPILE_FAIL_BASE = 0.3
COMPILES_FLOOR = 0.5


class SyntaxScorer(Scorer):
    name = "syntax"
    formula: ClassVar[str] = (
        "Blank code: 0. Code the Luau compiler rejects: max(0, 0.3 - penalty(syntax findings) / 2), "
        "so at most 0.3 and always within the 0.4 cap on failing code; the findings say why it "
        "fails (the compile error itself costs 0) and more reasons to fail score lower. "
        "Code that compiles: 1 - penalty(syntax findings), floored at 0.5: habits that "
        "compile but misbehave (`len(t)`, `None`) cost a little, never as much as a failure."
    )

    def score(self, ctx: RuleContext, findings: Sequence[Finding]) -> float:
        if ctx.source.is_blank:
            return 0.0
        costs = rule_costs(self.name)
        lost = penalty(findings, costs)
        if not ctx.source.compiles:
            return min(COMPILE_FAIL_CEILING, max(0.0, COMPILE_FAIL_BASE - lost * 0.5))
        return max(COMPILES_FLOOR, 1.0 - lost)
