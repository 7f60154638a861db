"""bug/table-literal-comparison: `x == {}` compares identity with a brand-new table."""

from __future__ import annotations

from collections.abc import Iterator

from luaurft.luau.source import field_id
from luaurft.scoring.analysis.nodes import operator_of, unparenthesize
from luaurft.scoring.rule import Finding, Rule, RuleContext, Severity
from luaurft.scoring.rules.bug._binary import binary_expressions

_LEFT = field_id("left")
_RIGHT = field_id("right")


class TableLiteralComparisonRule(Rule):
    id = "bug/table-literal-comparison"
    scorer = "bug"
    severity = Severity.WARNING
    summary = (
        "`t == {}` (or `~=`) compares with a table created on the spot, so it is always "
        "false (`~=`: true); test emptiness with `next(t) == nil`."
    )
    bad = "local function isEmpty(items)\n\treturn items == {}\nend\n"
    good = "local function isEmpty(items)\n\treturn next(items) == nil\nend\n"

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        for node in binary_expressions(ctx, "==", "~="):
            operator = operator_of(node)
            left, right = node.child_by_field_id(_LEFT), node.child_by_field_id(_RIGHT)
            if left is None or right is None:
                continue
            sides = [unparenthesize(left), unparenthesize(right)]
            tables = [s for s in sides if s.type == "table_constructor"]
            if not tables:
                continue
            other = sides[1] if sides[0].type == "table_constructor" else sides[0]
            empty = tables[0].named_child_count == 0
            value = ctx.source.node_text(other)
            if empty and len(tables) == 1:
                fix = f"next({value}) {'==' if operator == '==' else '~='} nil"
            else:
                fix = "compare the fields (or the elements) one by one"
            result = "false" if operator == "==" else "true"
            yield self.at(
                ctx,
                node,
                f"comparing with a new table is always {result}: tables compare by identity",
                fix,
            )
