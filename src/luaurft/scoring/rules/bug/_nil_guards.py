"""Nil guards: whether a use of a value that may be nil is tested before it.

Shared by bug/unchecked-find and bug/unchecked-tonumber. A use is guarded by an
enclosing `if`/`elseif`/`while`/if-expression condition or an `and`/`or` left
operand that tests the value, or by an earlier `if` that tests it and leaves
(`return`, `break`, `continue`, `error`), or by `assert`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from luaurft.scoring.analysis.nodes import (
    FUNCTION_NODES,
    STATEMENT_CONTAINERS,
    ancestors,
    contains,
    named_children,
    operator_of,
    same,
)
from luaurft.scoring.analysis.scope import Declaration, ScopeAnalysis

if TYPE_CHECKING:
    from tree_sitter import Node

    from luaurft.luau.source import LuauSource


_WRAPPERS = frozenset({"cast_expression", "parenthesized_expression"})
_CONDITIONAL = frozenset(
    {"if_statement", "elseif_statement", "while_statement", "if_expression", "elseif_clause"}
)
_LEAVING = frozenset({"return_statement", "break_statement", "continue_statement"})

Mentions = Callable[["Node"], bool]


def lift(node: Node) -> Node:
    """The outermost `(...)`/`::` wrapper around a value."""
    return lifted(node)[0]


def lifted(node: Node) -> tuple[Node, Node | None]:
    """`lift(node)` and its parent (asking tree-sitter for a parent walks down from the root)."""
    parent = node.parent
    while parent is not None and parent.type in _WRAPPERS:
        node = parent
        parent = node.parent
    return node, parent


class Guards:
    def __init__(self, source: LuauSource, scopes: ScopeAnalysis) -> None:
        self.source = source
        self.scopes = scopes
        # Block id -> its statements that can guard what follows them (an `if` that
        # leaves: its condition; an `assert` call: itself), with where each starts.
        # Read once per block: a block of thousands of uses was listed per use.
        self._exits: dict[int, list[tuple[int, Node]]] = {}

    def guarded(self, use: Node, mentions: Mentions, limit: Node | None) -> bool:
        """True when `use` runs only after something tested the value (see module doc)."""
        child = use
        for parent in ancestors(use):
            kind = parent.type
            if kind == "binary_expression":
                left = parent.child_by_field_name("left")
                operator = operator_of(parent)
                if (
                    operator in ("and", "or")
                    and left is not None
                    and not contains(left, child)
                    and mentions(left)
                ):
                    return True
            elif kind in _CONDITIONAL:
                if self._condition_mentions(parent, child, mentions):
                    return True
            elif kind in STATEMENT_CONTAINERS and self._earlier_exit(parent, child, mentions):
                return True
            if limit is not None and same(parent, limit):
                break
            child = parent
        return False

    def _condition_mentions(self, node: Node, branch: Node, mentions: Mentions) -> bool:
        condition = node.child_by_field_name("condition")
        if condition is None or contains(condition, branch):
            return False
        if mentions(condition):
            return True
        # `if a then ... elseif b then <use> end`: the chain's first condition also tests.
        if node.type in ("elseif_statement", "elseif_clause") and node.parent is not None:
            return self._condition_mentions(node.parent, branch, mentions)
        return False

    def _earlier_exit(self, block: Node, statement: Node, mentions: Mentions) -> bool:
        for start, tested in self._exits_of(block):
            if start >= statement.start_byte:
                return False
            if mentions(tested):
                return True
        return False

    def _exits_of(self, block: Node) -> list[tuple[int, Node]]:
        found = self._exits.get(block.id)
        if found is None:
            found = []
            for earlier in named_children(block):
                kind = earlier.type
                if kind == "if_statement":
                    condition = earlier.child_by_field_name("condition")
                    if condition is not None and _leaves(earlier):
                        found.append((earlier.start_byte, condition))
                elif kind == "function_call" and self._is_assert(earlier):
                    found.append((earlier.start_byte, earlier))
            self._exits[block.id] = found
        return found

    def _is_assert(self, call: Node) -> bool:
        callee = call.child_by_field_name("name")
        return callee is not None and self.source.node_text(callee) == "assert"


def _leaves(statement: Node) -> bool:
    """True when some path through `statement` returns, breaks, continues or errors."""
    stack = [statement]
    while stack:
        node = stack.pop()
        if node.type in FUNCTION_NODES:
            continue
        if node.type in _LEAVING:
            return True
        if node.type == "function_call":
            callee = node.child_by_field_name("name")
            if callee is not None and callee.type == "identifier" and callee.text == b"error":
                return True
        stack.extend(node.children)
    return False


def mentions_declaration(
    scopes: ScopeAnalysis, decl: Declaration, proxies: tuple[Declaration, ...] = ()
) -> Mentions:
    """Whether a node reads `decl`, or a local that is nil whenever `decl` is (`proxies`)."""
    wanted = (decl, *proxies)

    def mentions(node: Node) -> bool:
        stack = [node]
        while stack:
            current = stack.pop()
            if current.type == "identifier" and any(
                scopes.declaration(current) is d for d in wanted
            ):
                return True
            stack.extend(current.children)
        return False

    return mentions


def lift_down(node: Node) -> Node:
    """Inside `(...)` and `::` wrappers."""
    while node.type in _WRAPPERS and node.named_children:
        node = node.named_children[0]
    return node
