"""Lines: which hold code and which hold nothing but comment text."""

from __future__ import annotations

from collections.abc import Iterator, Set
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import tree_sitter

    from luaurft.luau.source import LuauSource
    from luaurft.scoring.rule import RuleContext


def comment_only_lines(source: LuauSource) -> set[int]:
    """1-based lines that hold nothing but comment text."""
    lines: set[int] = set()
    for comment in source.comments:
        first, last = comment.start_point[0], comment.end_point[0]
        before = source.lines[first][: char_column(source, comment.start_point)]
        after = source.lines[last][char_column(source, comment.end_point) :]
        for row in range(first, last + 1):
            if (row == first and before.strip()) or (row == last and after.strip()):
                continue
            lines.add(row + 1)
    return lines


def char_column(source: LuauSource, point: tree_sitter.Point) -> int:
    """The character column of a point (tree-sitter counts bytes)."""
    row, byte_col = point
    if source.is_ascii:
        return min(byte_col, len(source.lines[row]))
    return len(
        source.lines[row].encode("utf-8", "surrogatepass")[:byte_col].decode("utf-8", "replace")
    )


def comment_only_line_set(ctx: RuleContext) -> frozenset[int]:
    """`comment_only_lines` of the context's source, computed once."""
    result: frozenset[int] = ctx.memo(
        "lines.comment_only", lambda: frozenset(comment_only_lines(ctx.source))
    )
    return result


def code_line_set(ctx: RuleContext) -> frozenset[int]:
    """`code_lines` of the context's source, computed once."""
    result: frozenset[int] = ctx.memo(
        "lines.code", lambda: frozenset(code_lines(ctx.source, comment_only_line_set(ctx)))
    )
    return result


def code_lines(source: LuauSource, comment_lines: Set[int] | None = None) -> Iterator[int]:
    """1-based lines with code on them (not blank, not comment-only; those lines
    are computed here unless given)."""
    if comment_lines is None:
        comment_lines = comment_only_lines(source)
    for number, text in enumerate(source.lines, start=1):
        if text.strip() and number not in comment_lines:
            yield number
