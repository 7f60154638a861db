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
    text_lines = source.lines
    ascii_text = source.is_ascii
    for comment in source.comments:
        start, end = comment.start_point, comment.end_point
        first, last = start[0], end[0]
        if ascii_text:  # `char_column` is the byte column, sliced
            before, after = text_lines[first][: start[1]], text_lines[last][end[1] :]
        else:
            before = text_lines[first][: char_column(source, start)]
            after = text_lines[last][char_column(source, end) :]
        # The first and last lines count unless code shares them.
        code_before, code_after = bool(before.strip()), bool(after.strip())
        if first == last:
            if not (code_before or code_after):
                lines.add(first + 1)
        else:
            lines.update(range(first + 1 + code_before, last + 2 - code_after))
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
