"""The string literals of a piece of code, their contents decoded once."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import tree_sitter

    from luaurft.scoring.rule import RuleContext


def string_texts(ctx: RuleContext) -> list[tuple[tree_sitter.Node, str]]:
    """Every string literal's content node with its text, decoded once."""

    def compute() -> list[tuple[tree_sitter.Node, str]]:
        text = ctx.source.node_text
        return [(node, text(node)) for node in ctx.source.nodes("string_content")]

    result: list[tuple[tree_sitter.Node, str]] = ctx.memo("strings.texts", compute)
    return result
