"""Function calls in a piece of code, taken apart once and shared by rules.

`calls(ctx)` lists every call with its parts: `obj:Method(args)` gives the object
node and the method name; `a.b.c(args)` gives the dotted name `a.b.c`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tree_sitter import Node

    from luaurft.luau.source import LuauSource
    from luaurft.scoring.rule import RuleContext


@dataclass(frozen=True, slots=True, eq=False)
class Call:
    node: Node
    callee: Node
    # `obj:Method()`: the object and the method's name.
    object: Node | None
    method: str | None
    # `a.b.c()` or `f()`: the dotted name; None for other callees (`f()()`, `t[k]()`).
    function: str | None
    args: tuple[Node, ...]

    @property
    def name(self) -> str | None:
        """The called name's last part: the method, or the last segment of the dotted name."""
        if self.method is not None:
            return self.method
        if self.function is not None:
            return self.function.rsplit(".", 1)[-1]
        return None


def dotted_name(source: LuauSource, node: Node | None) -> str | None:
    """`a`, `a.b.c` for identifiers and chains of dot indexes; None for anything else."""
    parts: list[str] = []
    while node is not None:
        if node.type == "identifier":
            parts.append(source.node_text(node))
            return ".".join(reversed(parts))
        if node.type != "dot_index_expression":
            return None
        field = node.child_by_field_name("field")
        if field is None:
            return None
        parts.append(source.node_text(field))
        node = node.child_by_field_name("table")
    return None


def root_identifier(node: Node | None) -> Node | None:
    """The identifier an index/call chain starts from: `a` in `a.b:c().d[e]`."""
    while node is not None:
        kind = node.type
        if kind == "identifier":
            return node
        if kind in ("dot_index_expression", "bracket_index_expression", "method_index_expression"):
            node = node.child_by_field_name("table") or (
                node.named_children[0] if node.named_child_count else None
            )
        elif kind == "function_call":
            node = node.child_by_field_name("name")
        elif kind == "parenthesized_expression":
            node = node.named_children[0] if node.named_child_count else None
        else:
            return None
    return None


def parse_call(source: LuauSource, node: Node) -> Call | None:
    callee = node.child_by_field_name("name")
    if callee is None:
        return None
    args_node = node.child_by_field_name("arguments")
    args: tuple[Node, ...] = ()
    if args_node is not None:
        # `f"str"` and `f{...}` hold the string or table as the one named child.
        args = tuple(c for c in args_node.named_children if c.type != "comment")
    if callee.type == "method_index_expression":
        method = callee.child_by_field_name("method")
        return Call(
            node=node,
            callee=callee,
            object=callee.child_by_field_name("table"),
            method=source.node_text(method) if method is not None else None,
            function=None,
            args=args,
        )
    return Call(
        node=node,
        callee=callee,
        object=None,
        method=None,
        function=dotted_name(source, callee),
        args=args,
    )


@dataclass(frozen=True, slots=True)
class CallIndex:
    all: tuple[Call, ...]
    by_node: dict[int, Call]

    def of(self, node: Node) -> Call | None:
        return self.by_node.get(node.id)


def _index(source: LuauSource) -> CallIndex:
    found: list[Call] = []
    for node in source.nodes("function_call"):
        call = parse_call(source, node)
        if call is not None:
            found.append(call)
    return CallIndex(all=tuple(found), by_node={c.node.id: c for c in found})


def calls(ctx: RuleContext) -> CallIndex:
    """Every call of the context's source, parsed once and shared."""
    result: CallIndex = ctx.memo("calls", lambda: _index(ctx.source))
    return result
