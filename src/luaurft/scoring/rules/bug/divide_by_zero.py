"""bug/divide-by-zero: dividing by a literal zero (`x / 0`, `x % 0`)."""

from __future__ import annotations

from collections.abc import Iterator

from luaurft.luau.source import field_id
from luaurft.scoring.analysis.builtins import number_value
from luaurft.scoring.analysis.nodes import operator_of
from luaurft.scoring.rule import Finding, Rule, RuleContext, Severity
from luaurft.scoring.rules.bug._binary import binary_expressions

_LEFT = field_id("left")
_RIGHT = field_id("right")


class DivideByZeroRule(Rule):
    id = "bug/divide-by-zero"
    scorer = "bug"
    severity = Severity.INFO
    summary = (
        "A division by a literal zero gives inf, -inf or NaN (and `x % 0` NaN); write "
        "`math.huge` when infinity is meant, or divide by the value meant."
    )
    bad = "local function average(total: number)\n\treturn total / 0\nend\n"
    good = "local function average(total: number, count: number)\n\treturn total / count\nend\n"

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        if (
            "/ 0" not in ctx.source.text
            and "/0" not in ctx.source.text
            and "%" not in ctx.source.text
        ):
            return
        for node in binary_expressions(ctx, "/", "//", "%"):
            operator = operator_of(node)
            right = node.child_by_field_id(_RIGHT)
            left = node.child_by_field_id(_LEFT)
            if right is None or left is None or number_value(ctx.source, right) != 0:
                continue
            numerator = number_value(ctx.source, left)
            if numerator == 0 and operator == "/":
                continue  # `0/0` is how Luau code writes NaN
            if operator == "/" and numerator is not None:
                fix = "math.huge" if numerator > 0 else "-math.huge"
            else:
                fix = "divide by the value meant, or guard a zero divisor"
            yield self.at(ctx, node, f"`{ctx.source.node_text(node)}` divides by zero", fix)
