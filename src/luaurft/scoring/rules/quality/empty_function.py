"""quality/empty-function: a function with an empty body, unless it is written as a no-op.

A no-op says so by its name (`noop`, a `NullLogger`'s methods), by an idiom (a
stand-in `Disconnect`, a read-only table's `__newindex`), by taking nothing as a
callback handed to a call or returned, or by naming every parameter of a method
unused (`_test`). A comment does not excuse an empty body.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from luaurft.luau.source import field_id
from luaurft.scoring.analysis.functions import FunctionInfo, functions, is_empty_body
from luaurft.scoring.analysis.handlers import CONNECT_METHODS
from luaurft.scoring.analysis.protection import PROTECTING_FUNCTIONS
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
_F_METHOD = field_id("method")
_F_NAME = field_id("name")
# An empty handler given to a signal is a stub, whatever it takes.
_HANDLER_METHODS = CONNECT_METHODS | {"Once"}
# ...and so is a function that takes nothing handed to what only runs it: it runs nothing.
_RUNNERS = PROTECTING_FUNCTIONS | {
    "task.spawn",
    "task.defer",
    "task.delay",
    "spawn",
    "delay",
    "coroutine.wrap",
    "coroutine.create",
}


def _is_empty(fn: FunctionInfo) -> bool:
    """`is_empty_body`, answered from the body's first child where that is a statement
    (most bodies): listing all of a body's children costs as much as the rule."""
    body = fn.body
    first = body.named_child(0) if body is not None else None
    if first is not None and first.type in _STATEMENTS and first.type != "empty_statement":
        return False
    return is_empty_body(fn)


def _idiomatic_no_op(source: LuauSource, fn: FunctionInfo) -> bool:
    """A no-op by how it is written: a callback that takes nothing handed to a call
    (`produce(state, function() end)`, not a handler given to `:Connect`) or
    returned (`return function() end`, a cleanup with nothing to clean), or a
    method or field whose every parameter is named unused (`function
    Reporter:onStart(_test) end`, an interface's default)."""
    params = fn.params
    if not params:
        parent = fn.node.parent
        if parent is None:
            return False
        if parent.type == "arguments":
            call = parent.parent
            callee = call.child_by_field_id(_F_NAME) if call is not None else None
            if callee is None:
                return False
            if callee.type != "method_index_expression":
                return source.node_text(callee) not in _RUNNERS
            method = callee.child_by_field_id(_F_METHOD)
            return method is None or source.node_text(method) not in _HANDLER_METHODS
        return parent.type == "expression_list" and (
            parent.parent is not None and parent.parent.type == "return_statement"
        )
    member = fn.name is not None and ("." in fn.name or ":" in fn.name)
    field = fn.node.parent is not None and fn.node.parent.type == "field"
    return (member or field) and all(source.node_text(p).startswith(("_", "...")) for p in params)


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
            if not _is_empty(fn) or _named_no_op(source, fn) or _idiomatic_no_op(source, fn):
                continue
            yield self.at(
                ctx,
                fn.node,
                f"{fn.label} has an empty body",
                "implement it, or remove it if nothing needs it",
            )
