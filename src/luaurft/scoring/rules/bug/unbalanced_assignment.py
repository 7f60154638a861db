"""bug/unbalanced-assignment: more names than values, or more values than names.

`local a, b = 1` leaves `b` nil; `a, b = 1, 2, 3` drops the `3`. A last value
that is a call or `...` can fill several names and is fine; so is
`local a, b = nil`, which says on purpose that both start nil.
"""

from __future__ import annotations

from collections.abc import Iterator

from luaurft.scoring.analysis.nodes import expression_list_of, variable_list_of
from luaurft.scoring.analysis.scope import scope_analysis
from luaurft.scoring.rule import Finding, Rule, RuleContext, Severity

_MULTI_VALUE = frozenset({"function_call", "vararg_expression"})


class UnbalancedAssignmentRule(Rule):
    id = "bug/unbalanced-assignment"
    scorer = "bug"
    severity = Severity.WARNING
    summary = (
        "An assignment lists more names than values (the rest become nil) or more values "
        "than names (the extra values are dropped)."
    )
    bad = "local x, y = 10\nprint(x, y)\n"
    good = "local x, y = 10, 20\nprint(x, y)\n"

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        scopes = scope_analysis(ctx)
        for statement in ctx.source.nodes("variable_declaration", "assignment_statement"):
            if statement.type == "assignment_statement" and (
                statement.parent is not None and statement.parent.type == "variable_declaration"
            ):
                continue  # seen through its `local` declaration
            values = expression_list_of(statement)
            if not values or scopes.in_error_region(statement):
                continue
            names = variable_list_of(statement)
            if len(values) > len(names):
                yield self.at(
                    ctx,
                    statement,
                    f"{len(names)} name(s) but {len(values)} values: the extra values are dropped",
                    "remove the extra values or add names for them",
                )
            elif len(values) < len(names):
                # `(f())` is one value: the parentheses truncate, so only a bare call counts.
                last = values[-1]
                if last.type in _MULTI_VALUE:
                    continue
                if len(values) == 1 and last.type == "nil":
                    continue
                missing = ", ".join(ctx.source.node_text(n) for n in names[len(values) :])
                yield self.at(
                    ctx,
                    statement,
                    f"{len(names)} names but {len(values)} value(s): `{missing}` will be nil",
                    "give every name a value (or `nil` on purpose)",
                )
