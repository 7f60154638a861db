"""Function calls in a piece of code, taken apart once and shared by rules.

`calls(ctx)` lists every call with its parts: `obj:Method(args)` gives the object
node and the method name; `a.b.c(args)` gives the dotted name `a.b.c`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from luaurft.luau.source import field_id

if TYPE_CHECKING:
    from tree_sitter import Node

    from luaurft.luau.source import LuauSource
    from luaurft.scoring.rule import RuleContext


# Field ids, looked up once: `child_by_field_id` skips the name lookup on every call.
_F_NAME = field_id("name")
_F_TABLE = field_id("table")


class Call:
    """One call. `obj:Method(args)` sets `object` and `method`; `a.b.c(args)` and `f(args)`
    set `function` to the dotted name (None for other callees: `f()()`, `t[k]()`)."""

    __slots__ = (
        "_args",
        "_args_node",
        "_function",
        "_source",
        "callee",
        "method",
        "node",
        "object",
    )

    def __init__(
        self,
        source: LuauSource,
        node: Node,
        callee: Node,
        args_node: Node | None,
        object: Node | None = None,
        method: str | None = None,
    ) -> None:
        self._source = source
        self.node = node
        self.callee = callee
        self._args_node = args_node
        self.object = object
        self.method = method
        self._args: tuple[Node, ...] | None = None
        self._function: str | bool | None = False

    @property
    def args(self) -> tuple[Node, ...]:
        if self._args is None:
            args_node = self._args_node
            # `f"str"` and `f{...}` hold the string or table as the one named child.
            self._args = (
                tuple(c for c in args_node.named_children if c.type != "comment")
                if args_node is not None
                else ()
            )
        return self._args

    @property
    def function(self) -> str | None:
        if self._function is False:
            self._function = (
                None if self.method is not None else dotted_name(self._source, self.callee)
            )
        return self._function  # type: ignore[return-value]

    @property
    def name(self) -> str | None:
        """The called name's last part: the method, or the last segment of the dotted name."""
        if self.method is not None:
            return self.method
        function = self.function
        if function is not None:
            return function.rsplit(".", 1)[-1]
        return None


# Calls that only wrap other code: the wrapped statements count, the wrapper not.
WRAPPER_CALLS: frozenset[str] = frozenset({"pcall", "xpcall"})


def callee_name(source: LuauSource, call: Node) -> str:
    """`print`, `task.wait`, `Players:GetPlayers` (the call's name part as written)."""
    name = call.child_by_field_id(_F_NAME)
    return source.node_text(name) if name is not None else ""


def dotted_name(source: LuauSource, node: Node | None) -> str | None:
    """`a`, `a.b.c` for identifiers and chains of dot indexes; None for anything else."""
    parts: list[str] = []
    while node is not None:
        kind = node.type
        if kind == "identifier":
            parts.append(source.node_text(node))
            return ".".join(reversed(parts))
        if kind != "dot_index_expression":
            return None
        children = node.children  # table, ".", field
        if len(children) < 3 or children[-1].type != "identifier":
            return None
        parts.append(source.node_text(children[-1]))
        node = children[0]
    return None


def root_identifier(node: Node | None) -> Node | None:
    """The identifier an index/call chain starts from: `a` in `a.b:c().d[e]`."""
    while node is not None:
        kind = node.type
        if kind == "identifier":
            return node
        if kind in ("dot_index_expression", "bracket_index_expression", "method_index_expression"):
            node = node.child_by_field_id(_F_TABLE) or (
                node.named_children[0] if node.named_child_count else None
            )
        elif kind == "function_call":
            node = node.child_by_field_id(_F_NAME)
        elif kind == "parenthesized_expression":
            node = node.named_children[0] if node.named_child_count else None
        else:
            return None
    return None


def parse_call(source: LuauSource, node: Node) -> Call | None:
    children = node.children
    if not children:
        return None
    callee = children[0]
    last = children[-1]
    args_node = last if last.type == "arguments" else None
    if callee.type == "method_index_expression":
        parts = callee.children
        method = parts[-1] if len(parts) >= 3 else None
        return Call(
            source,
            node,
            callee,
            args_node,
            object=parts[0],
            method=source.node_text(method) if method is not None else None,
        )
    return Call(source, node, callee, args_node)


@dataclass(frozen=True, slots=True)
class CallIndex:
    all: tuple[Call, ...]
    by_node: dict[int, Call]

    def of(self, node: Node) -> Call | None:
        return self.by_node.get(node.id)


def _index(source: LuauSource) -> CallIndex:
    found: list[Call] = []
    by_node: dict[int, Call] = {}
    for node in source.nodes("function_call"):
        call = parse_call(source, node)
        if call is not None:
            found.append(call)
            by_node[node.id] = call
    return CallIndex(all=tuple(found), by_node=by_node)


def calls(ctx: RuleContext) -> CallIndex:
    """Every call of the context's source, parsed once and shared."""
    result: CallIndex = ctx.memo("calls", lambda: _index(ctx.source))
    return result
