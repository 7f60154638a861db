"""The binary expressions of the code by operator, listed once for the bug rules that
look for one kind (`x / 0`, `t == {}`, `type(x) == "Instance"`, `"a" + b`, NaN tests)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from luaurft.scoring.analysis.nodes import operator_of

if TYPE_CHECKING:
    from tree_sitter import Node

    from luaurft.scoring.rule import RuleContext

# operator -> (position in document order, expression) of every binary expression
_Index = dict[str | None, list[tuple[int, "Node"]]]


def binary_expressions(ctx: RuleContext, *operators: str) -> list[Node]:
    """The binary expressions whose operator (`operator_of`) is one of `operators`,
    in document order."""
    index: _Index = ctx.memo("bug.binary_by_operator", lambda: _by_operator(ctx))
    found = [entry for op in operators for entry in index.get(op, ())]
    if len(operators) > 1:
        found.sort(key=_position)
    return [node for _, node in found]


def _position(entry: tuple[int, Node]) -> int:
    return entry[0]


def _by_operator(ctx: RuleContext) -> _Index:
    index: _Index = {}
    for i, node in enumerate(ctx.source.nodes("binary_expression")):
        index.setdefault(operator_of(node), []).append((i, node))
    return index
