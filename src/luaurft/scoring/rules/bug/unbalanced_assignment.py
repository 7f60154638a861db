"""bug/unbalanced-assignment: more names than values, or more values than names.

`local a, b = 1` leaves `b` nil; `a, b = 1, 2, 3` drops the `3`. A last value
that is a call or `...` can fill several names and is fine; so is
`local a, b = nil`, which says on purpose that both start nil.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from luaurft.scoring.analysis.nodes import expression_list_of, variable_list_of
from luaurft.scoring.analysis.scope import scope_analysis
from luaurft.scoring.rule import Finding, Rule, RuleContext, Severity

if TYPE_CHECKING:
    from tree_sitter import Node

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
        source = ctx.source
        data = source.bytes
        for statement in source.nodes("assignment_statement"):
            if data.find(b",", statement.start_byte, statement.end_byte) < 0:
                continue  # one name, one value: no comma in either list
            names_node, values_node = _lists(statement)
            if names_node is None or values_node is None:
                continue
            if names_node.child_count == 1 and values_node.child_count == 1:
                continue  # `x = v`, the common case
            # Both lists alternate items and commas; no need to build the items.
            name_count = sum(1 for c in names_node.children if c.type == ",") + 1
            value_count = sum(1 for c in values_node.children if c.type == ",") + 1
            if name_count == value_count or scopes.in_error_region(statement):
                continue
            parent = statement.parent
            where = (
                parent
                if parent is not None and parent.type == "variable_declaration"
                else statement
            )
            names = variable_list_of(statement)
            values = expression_list_of(statement)
            if len(values) > len(names):
                yield self.at(
                    ctx,
                    where,
                    f"{len(names)} name(s) but {len(values)} values: the extra values are dropped",
                    "remove the extra values or add names for them",
                )
            elif len(values) < len(names) and values:
                # `(f())` is one value: the parentheses truncate, so only a bare call counts.
                last = values[-1]
                if last.type in _MULTI_VALUE or (len(values) == 1 and last.type == "nil"):
                    continue
                missing = ", ".join(source.node_text(n) for n in names[len(values) :])
                yield self.at(
                    ctx,
                    where,
                    f"{len(names)} names but {len(values)} value(s): `{missing}` will be nil",
                    "give every name a value (or `nil` on purpose)",
                )


def _lists(statement: Node) -> tuple[Node | None, Node | None]:
    names = values = None
    for child in statement.children:
        if child.type == "variable_list":
            names = child
        elif child.type == "expression_list":
            values = child
    return names, values
