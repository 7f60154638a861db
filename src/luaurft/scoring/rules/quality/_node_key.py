"""A hashable key for a node (its byte span), for per-function tallies."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import tree_sitter


NodeKey = tuple[int, int]


def node_key(node: tree_sitter.Node | None) -> NodeKey:
    return (-1, -1) if node is None else (node.start_byte, node.end_byte)
