"""bug/type-check-inside-call: `type(x == "string")`, the comparison written inside the call."""

from __future__ import annotations

from collections.abc import Iterator

from luaurft.scoring.analysis.builtins import is_real_global
from luaurft.scoring.analysis.calls import calls
from luaurft.scoring.analysis.nodes import operator_of, unparenthesize
from luaurft.scoring.analysis.scope import scope_analysis
from luaurft.scoring.rule import Finding, Rule, RuleContext, Severity


class TypeCheckInsideCallRule(Rule):
    id = "bug/type-check-inside-call"
    scorer = "bug"
    severity = Severity.WARNING
    summary = (
        '`type(x == "string")` asks the type of a boolean, so it is always "boolean"; '
        'the comparison belongs outside the call: `type(x) == "string"`.'
    )
    bad = 'local function isName(value)\n\treturn type(value == "string")\nend\n'
    good = 'local function isName(value)\n\treturn type(value) == "string"\nend\n'

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        if "type(" not in ctx.source.text:
            return
        scopes = scope_analysis(ctx)
        text = ctx.source.node_text
        for call in calls(ctx).all:
            if call.function not in ("type", "typeof") or len(call.args) != 1:
                continue
            inner = unparenthesize(call.args[0])
            operator = operator_of(inner) if inner.type == "binary_expression" else None
            if operator not in ("==", "~="):
                continue
            left, right = inner.child_by_field_name("left"), inner.child_by_field_name("right")
            if left is None or right is None or unparenthesize(right).type != "string":
                continue
            if not is_real_global(scopes, call.callee):
                continue
            yield self.at(
                ctx,
                call.node,
                f'{call.function}() is given a comparison, so it always says "boolean"',
                f"{call.function}({text(left)}) {operator} {text(right)}",
            )
