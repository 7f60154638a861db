"""The bug-risk scorer: how free of run-time failure risks the code is."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from luaurft.scoring.registry import rule_costs
from luaurft.scoring.rule import Finding, RuleContext
from luaurft.scoring.scorer import Scorer, penalty


class BugScorer(Scorer):
    name = "bug"
    formula: ClassVar[str] = (
        "Blank code: 0. Otherwise max(0, 1 − penalty(findings)): penalty sums the findings' "
        "costs (error 0.25, warning 0.10, info 0.03 unless the rule sets its own), the n-th "
        "finding of one rule costing cost·0.5^(n−1). Trivial and stub code is held down once, "
        "by the composite's substance gate, not again here."
    )

    def score(self, ctx: RuleContext, findings: Sequence[Finding]) -> float:
        if ctx.source.is_blank:
            return 0.0
        costs = rule_costs(self.name)
        return max(0.0, 1.0 - penalty(findings, costs))
