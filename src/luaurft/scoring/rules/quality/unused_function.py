"""quality/unused-function: a script-private function that nothing calls or passes on."""

from __future__ import annotations

from collections.abc import Iterator

from luaurft.scoring.analysis.functions import unused_local_functions
from luaurft.scoring.rule import Finding, Rule, RuleContext, Severity


class UnusedFunctionRule(Rule):
    id = "quality/unused-function"
    scorer = "quality"
    severity = Severity.WARNING
    summary = "A local function that nothing calls or passes on: dead weight."
    bad = "local function helper(x)\n\treturn x * 2\nend\nprint('ready')\n"
    good = "local function helper(x)\n\treturn x * 2\nend\nprint(helper(21))\n"
    cost = 0.08
    needs_clean_tree = True

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        for fn in unused_local_functions(ctx):
            yield self.at(
                ctx, fn.name_node or fn.node, f"{fn.label} is never used", "call it or delete it"
            )
