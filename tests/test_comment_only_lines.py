"""Which lines hold nothing but comment text (`analysis.lines.comment_only_lines`)."""

from __future__ import annotations

import pytest

from luaurft.luau.source import LuauSource
from luaurft.scoring.analysis.lines import comment_only_lines


@pytest.mark.parametrize(
    ("code", "lines"),
    [
        ("-- alone\nlocal a = 1 -- after code\nprint(a)\n", {1}),
        # a block comment: its first line is shared with code, its last is not
        ("local a = 1 --[[ one\ntwo\nthree ]]\nprint(a)\n", {2, 3}),
        # code after the block's end on its last line
        ("--[[ one\ntwo ]] local a = 1\nprint(a)\n", {1}),
        ("local b = --[[ inline ]] 2\nprint(b)\n", set()),
        # non-ASCII before the comment: columns are characters, not bytes
        ('local s = "é" -- note\n-- é alone\nprint(s)\n', {2}),
        ('--[[ é\n]] local s = "é"\nprint(s)\n', {1}),
    ],
)
def test_comment_only_lines(code: str, lines: set[int]) -> None:
    assert comment_only_lines(LuauSource(code)) == lines
