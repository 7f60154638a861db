"""quality/placeholder: placeholder text ('your code here') instead of code."""

from __future__ import annotations

from collections.abc import Iterator

from luaurft.scoring.rule import Finding, Rule, RuleContext, Severity
from luaurft.scoring.rules.quality._texts import marked_texts


class PlaceholderRule(Rule):
    id = "quality/placeholder"
    scorer = "quality"
    severity = Severity.ERROR
    summary = (
        "Placeholder text ('your code here', 'implement this', 'not implemented') instead of code."
    )
    bad = "local function onTouched(hit)\n\t-- your code here\n\tprint(hit)\nend\n"
    good = "local function onTouched(hit)\n\t-- Parts without a humanoid are ignored below.\n\tprint(hit)\nend\n"
    cost = 0.2

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        for node, _, _, marks in marked_texts(ctx):
            if marks.placeholder:
                yield self.at(
                    ctx, node, "placeholder instead of an implementation", "write the missing code"
                )
