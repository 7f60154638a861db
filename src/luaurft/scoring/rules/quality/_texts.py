"""The prose inside the code: comment texts and string contents, where markers of unfinished work hide."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from luaurft.scoring import prose
from luaurft.scoring.analysis.comments import comment_facts
from luaurft.scoring.analysis.strings import string_marks, string_texts
from luaurft.scoring.rule import RuleContext

if TYPE_CHECKING:
    import tree_sitter


def marked_texts(
    ctx: RuleContext,
) -> Iterator[tuple[tree_sitter.Node, str, str, prose.TextMarks]]:
    """Comment texts, then string contents: the node each sits in, the text, what it is
    ("comment" or "string") and its `prose.TextMarks`."""
    for fact in comment_facts(ctx):
        yield fact.node, fact.text, "comment", fact.marks
    for (node, text), marks in zip(string_texts(ctx), string_marks(ctx), strict=True):
        yield node, text, "string", marks
