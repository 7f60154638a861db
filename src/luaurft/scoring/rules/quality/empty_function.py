"""quality/empty-function: a function with an empty body, unless its name says it is a no-op."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from luaurft.scoring.analysis.functions import FunctionInfo, functions, is_empty_body
from luaurft.scoring.analysis.statements import STATEMENT_TYPES
from luaurft.scoring.rule import Finding, Rule, RuleContext, Severity

if TYPE_CHECKING:
    from luaurft.luau.source import LuauSource


# A no-op is legitimate when its name says so. A comment cannot excuse an empty
# body: "-- intentionally empty" on every stub would otherwise game the rule.
_NO_OP_NAME = re.compile(
    r"(?:^|[._:])(?:no_?op|do_?nothing|nothing|ignore|discard)$", re.IGNORECASE
)
# ...or when what it belongs to says so: every method of a `NoopRenderer` or a
# `NullLogger` is meant to do nothing.
_NO_OP_OWNER = re.compile(r"(?:^|[._:])(?:no_?op|null|dummy)[A-Z_a-z]*[.:]", re.IGNORECASE)
# A stand-in connection (`return { Disconnect = function() end }`) is an idiom:
# there is nothing to disconnect. So is a metatable's empty `__newindex`: writes
# to the table are dropped, which is what makes it read-only.
_NO_OP_FIELDS = frozenset({"Disconnect", "disconnect", "__newindex"})
_STATEMENTS = frozenset(STATEMENT_TYPES)


def _is_empty(fn: FunctionInfo) -> bool:
    """`is_empty_body`, answered from the body's first child where that is a statement
    (most bodies): listing all of a body's children costs as much as the rule."""
    body = fn.body
    first = body.named_child(0) if body is not None else None
    if first is not None and first.type in _STATEMENTS and first.type != "empty_statement":
        return False
    return is_empty_body(fn)


def _named_no_op(source: LuauSource, fn: FunctionInfo) -> bool:
    if fn.name:
        return bool(_NO_OP_NAME.search(fn.name) or _NO_OP_OWNER.search(fn.name))
    parent = fn.node.parent
    if parent is None or parent.type != "field":
        return False
    key = parent.child_by_field_name("name")
    return key is not None and source.node_text(key) in _NO_OP_FIELDS


class EmptyFunctionRule(Rule):
    id = "quality/empty-function"
    scorer = "quality"
    severity = Severity.WARNING
    summary = "A function with an empty body (a stub), unless its name says it is a no-op (`noop`)."
    bad = "local Shop = {}\nfunction Shop.buy(player, item)\nend\nreturn Shop\n"
    good = "local Shop = {}\nfunction Shop.buy(player, item)\n\treturn item.Price <= player.Coins\nend\nreturn Shop\n"

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        source = ctx.source
        if source.compiles and source.tree_has_errors:
            return  # partial analysis: a misparsed body may look empty
        for fn in functions(ctx):
            if not _is_empty(fn) or _named_no_op(source, fn):
                continue
            yield self.at(
                ctx,
                fn.node,
                f"{fn.label} has an empty body",
                "implement it, or remove it if nothing needs it",
            )
