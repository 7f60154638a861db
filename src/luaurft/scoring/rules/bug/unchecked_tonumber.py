"""bug/unchecked-tonumber: `tonumber(...)`'s result used as a number before a nil check.

`tonumber("abc")` is nil, and text from a player, a TextBox or an attribute is
whatever was typed: `local amount = tonumber(box.Text); coins.Value += amount`
raises "attempt to perform arithmetic on a nil value" on the first bad input.
A use is guarded the way `bug/unchecked-find` guards one (an enclosing `if`,
an `and`/`or` left operand, an earlier `if ... then return end`, `assert`), and
`tonumber(x) or 0` is never nil.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from luaurft.scoring.analysis.calls import calls
from luaurft.scoring.analysis.nodes import operator_of
from luaurft.scoring.analysis.scope import scope_analysis
from luaurft.scoring.rule import Finding, Rule, RuleContext, Severity
from luaurft.scoring.rules.bug._nil_guards import Guards, lift, mentions_declaration

if TYPE_CHECKING:
    from tree_sitter import Node

# Operators that raise on nil (`==`/`~=` and `and`/`or` do not).
_NUMERIC_OPERATORS = frozenset({"+", "-", "*", "/", "//", "%", "^", "<", ">", "<=", ">=", ".."})
_UPDATE_OPERATORS = frozenset({"+=", "-=", "*=", "/=", "//=", "%=", "^=", "..="})


class UncheckedTonumberRule(Rule):
    id = "bug/unchecked-tonumber"
    scorer = "bug"
    severity = Severity.WARNING
    summary = (
        "`tonumber(...)` returns nil for text that is not a number; its result is used in "
        "arithmetic or a comparison before any nil check."
    )
    bad = (
        "local box = script.Parent\n"
        "box.FocusLost:Connect(function()\n"
        "\tlocal amount = tonumber(box.Text)\n"
        "\tprint(amount * 2)\n"
        "end)\n"
    )
    good = (
        "local box = script.Parent\n"
        "box.FocusLost:Connect(function()\n"
        "\tlocal amount = tonumber(box.Text)\n"
        "\tif not amount then\n\t\treturn\n\tend\n"
        "\tprint(amount * 2)\n"
        "end)\n"
    )

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        if "tonumber" not in ctx.source.text:
            return
        scopes = scope_analysis(ctx)
        guards = Guards(ctx.source, scopes)
        by_value = {d.value.id: d for d in scopes.declarations if d.value is not None}
        for call in calls(ctx).all:
            if call.function != "tonumber" or scopes.in_error_region(call.node):
                continue
            decl = by_value.get(lift(call.node).id)
            if decl is None or decl.writes or decl.name.startswith("_"):
                continue
            mentions = mentions_declaration(scopes, decl)
            for ref in decl.reads:
                if not _used_as_number(ref.node) or guards.guarded(ref.node, mentions, None):
                    continue
                yield self.at(
                    ctx,
                    ref.node,
                    f"`{decl.name}` comes from `tonumber(...)`, which is nil for text that is "
                    "not a number, and is used as a number without a nil check",
                    f"check it first: `if not {decl.name} then return end` "
                    "(or give a default: `tonumber(text) or 0`)",
                )
                break


def _used_as_number(node: Node) -> bool:
    value = lift(node)
    parent = value.parent
    if parent is None:
        return False
    if parent.type == "binary_expression":
        return operator_of(parent) in _NUMERIC_OPERATORS
    if parent.type == "unary_expression":
        return operator_of(parent) == "-"
    if parent.type == "expression_list" and parent.parent is not None:
        # `coins.Value += amount`: the value side of a compound assignment.
        update = parent.parent
        return update.type == "update_statement" and operator_of(update) in _UPDATE_OPERATORS
    return False
