"""Two questions rules about built-in names and constants ask: is this identifier the
real global (not a local, not a global the script assigns), and what number does a
literal hold."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tree_sitter import Node

    from luaurft.luau.source import LuauSource
    from luaurft.scoring.analysis.scope import ScopeAnalysis


def is_real_global(scopes: ScopeAnalysis, identifier: Node) -> bool:
    """`identifier` reads a global that the code never declares or assigns."""
    ref = scopes.reference(identifier)
    if ref is None or not ref.is_global or ref.write:
        return False
    return ref.name not in scopes.global_writes and not scopes.in_error_region(identifier)


def number_value(source: LuauSource, node: Node) -> float | None:
    """The value of a number literal, negated or parenthesised; None for anything else."""
    sign = 1.0
    while True:
        if node.type == "parenthesized_expression" and node.named_child_count == 1:
            node = node.named_children[0]
        elif node.type == "unary_expression" and node.children[0].type == "-":
            sign = -sign
            node = node.children[-1]
        else:
            break
    if node.type != "number":
        return None
    text = source.node_text(node).replace("_", "")
    try:
        value = float(int(text, 0)) if text.lower().startswith(("0x", "0b")) else float(text)
    except ValueError:
        return None
    return sign * value
