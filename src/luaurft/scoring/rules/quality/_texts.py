"""The prose inside the code: comment texts and string contents, where markers of unfinished work hide."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from luaurft.scoring.analysis.comments import comment_facts
from luaurft.scoring.analysis.strings import string_texts
from luaurft.scoring.rule import RuleContext

if TYPE_CHECKING:
    import tree_sitter


def comment_and_string_texts(ctx: RuleContext) -> Iterator[tuple[tree_sitter.Node, str]]:
    """Comment texts and string contents, with the node each sits in."""
    for fact in comment_facts(ctx):
        yield fact.node, fact.text
    yield from string_texts(ctx)
