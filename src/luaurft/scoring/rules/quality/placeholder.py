"""quality/placeholder: placeholder text ('your code here') instead of code."""

from __future__ import annotations

from collections.abc import Iterator

from luaurft.scoring import prose
from luaurft.scoring.rule import Finding, Rule, RuleContext, Severity
from luaurft.scoring.rules.quality._texts import comment_and_string_texts


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
        for node, text in comment_and_string_texts(ctx):
            if prose.is_placeholder(text):
                yield self.at(
                    ctx, node, "placeholder instead of an implementation", "write the missing code"
                )
