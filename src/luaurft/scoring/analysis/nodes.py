"""Small questions about tree-sitter nodes that several rules ask."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tree_sitter import Node

    from luaurft.luau.source import LuauSource

FUNCTION_NODES = frozenset({"function_declaration", "function_definition"})
STATEMENT_CONTAINERS = frozenset({"block", "chunk"})
LITERAL_TYPES: frozenset[str] = frozenset({"number", "string", "true", "false", "nil"})


def ancestors(node: Node) -> Iterator[Node]:
    """The parents of `node`, innermost first."""
    parent = node.parent
    while parent is not None:
        yield parent
        parent = parent.parent


def contains(outer: Node, inner: Node) -> bool:
    return outer.start_byte <= inner.start_byte and inner.end_byte <= outer.end_byte


def same(a: Node | None, b: Node | None) -> bool:
    return a is not None and b is not None and a.id == b.id


def statement_of(node: Node) -> Node | None:
    """The statement that holds `node` directly in a block (or the chunk)."""
    current = node
    parent = node.parent
    while parent is not None:
        if parent.type in STATEMENT_CONTAINERS:
            return current
        current, parent = parent, parent.parent
    return None


def named_children(node: Node | None) -> list[Node]:
    """Named children without comments."""
    if node is None:
        return []
    return [c for c in node.named_children if c.type != "comment"]


def expression_list_of(node: Node) -> list[Node]:
    """The values of an assignment or local declaration (`= a, b`)."""
    for child in node.children:
        if child.type == "expression_list":
            return named_children(child)
        if child.type == "assignment_statement":
            return expression_list_of(child)
    return []


def variable_list_of(node: Node) -> list[Node]:
    """The targets of an assignment or local declaration, without type annotations."""
    for child in node.children:
        if child.type == "variable_list":
            targets: list[Node] = []
            after_colon = False
            for item in child.children:
                if item.type == ":":
                    after_colon = True
                elif not item.is_named or item.type in ("attribute", "comment"):
                    continue
                elif after_colon:
                    after_colon = False
                else:
                    targets.append(item)
            return targets
        if child.type == "assignment_statement":
            return variable_list_of(child)
    return []


def field_writes(source: LuauSource, field: str) -> Iterator[tuple[Node, Node]]:
    """(target, value) of each assignment to a field of that name (`x.Name = value`,
    `MarketplaceService.ProcessReceipt = f`), in reading order."""
    for statement in source.nodes("assignment_statement"):
        pairs = zip(variable_list_of(statement), expression_list_of(statement), strict=False)
        for target, value in pairs:
            if target.type != "dot_index_expression":
                continue
            name = target.child_by_field_name("field")
            if name is not None and source.node_text(name) == field:
                yield target, value


def operator_of(expression: Node) -> str | None:
    """The operator token of a binary or unary expression (`+`, `==`, `and`, `#`, ...)."""
    for child in expression.children:
        if not child.is_named:
            return child.type
    return None


def unparenthesize(node: Node) -> Node:
    while node.type == "parenthesized_expression" and node.named_child_count:
        node = node.named_children[0]
    return node


def walk_within_function(node: Node) -> Iterator[Node]:
    """`node` and its descendants, not entering nested function bodies."""
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        if current.type in FUNCTION_NODES and current.id != node.id:
            continue
        stack.extend(reversed(current.children))


def is_literal(node: Node) -> bool:
    """A constant: a number, string, boolean, nil, or a table of constants."""
    # Every part must be constant: the parts still to check wait in a list, so
    # deeply nested tables or `not not ... x` cannot exhaust Python's stack.
    pending = [node]
    while pending:
        current = pending.pop()
        kind = current.type
        if kind in LITERAL_TYPES:
            if any(c.type == "interpolation" for c in current.children):
                return False
        elif kind == "table_constructor":
            for field in current.named_children:
                if field.type != "field":
                    continue
                value = field.child_by_field_name("value")
                if value is None:
                    return False
                pending.append(value)
        elif kind == "unary_expression":
            operand = current.child_by_field_name("operand")
            if operand is None:
                return False
            pending.append(operand)
        else:
            return False
    return True


def first_of_type(node: Node, kind: str) -> Node | None:
    """The first named child of type `kind`."""
    for child in node.named_children:
        if child.type == kind:
            return child
    return None
