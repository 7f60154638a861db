"""quality/restating-comment: a comment that repeats its code line in words explains nothing."""

from __future__ import annotations

from collections.abc import Iterator

from luaurft.scoring.analysis.comments import comment_facts
from luaurft.scoring.rule import Finding, Rule, RuleContext, Severity


class RestatingCommentRule(Rule):
    id = "quality/restating-comment"
    scorer = "quality"
    severity = Severity.INFO
    summary = "A comment that only restates its code line (it earns no comment credit and costs a little)."
    bad = "-- get the Players service\nlocal Players = game:GetService('Players')\nprint(#Players:GetPlayers())\n"
    good = (
        "-- Fetched once: GetService is cheap but this keeps every dependency in one place.\n"
        "local Players = game:GetService('Players')\nprint(#Players:GetPlayers())\n"
    )
    cost = 0.015
    reads_tree = False

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        for fact in comment_facts(ctx):
            if fact.kind == "restating":
                yield self.at(
                    ctx, fact.node, "comment restates the code", "say why, or delete the comment"
                )
