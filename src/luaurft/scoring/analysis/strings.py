"""The string literals of a piece of code, their contents decoded once."""

from __future__ import annotations

from typing import TYPE_CHECKING

from luaurft.scoring import prose

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


def string_marks(ctx: RuleContext) -> list[prose.TextMarks]:
    """`prose.string_marks` of each of `string_texts(ctx)`, in the same order."""
    result: list[prose.TextMarks] = ctx.memo(
        "strings.marks", lambda: [prose.string_marks(text) for _, text in string_texts(ctx)]
    )
    return result
