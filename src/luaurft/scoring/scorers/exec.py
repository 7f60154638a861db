"""The execution scorer (not part of the composite; see `luaurft.scoring.execution`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from luaurft.scoring.execution import exec_score_of
from luaurft.scoring.rule import Finding, RuleContext
from luaurft.scoring.scorer import Scorer


class ExecScorer(Scorer):
    name = "exec"
    formula: ClassVar[str] = (
        "Runs the code once in the mock Roblox world as its kind (5 virtual seconds, standard "
        "stimulus, 1 s CPU). Blank code, code that does not compile, a timeout or the memory cap: 0. "
        "Otherwise 1 - penalty(exec findings), at most 0.4 when the main chunk died with an error "
        "and at most 0.5 when the output limit stopped the run. Reported beside the composite, "
        "never part of it."
    )

    def score(self, ctx: RuleContext, findings: Sequence[Finding]) -> float:
        return exec_score_of(ctx, list(findings))
