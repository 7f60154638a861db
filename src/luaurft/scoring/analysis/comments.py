"""Comments, each classified by what it is worth (see `CommentFact`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from luaurft.scoring import prose
from luaurft.scoring.analysis.lines import char_column, comment_only_line_set

if TYPE_CHECKING:
    import tree_sitter

    from luaurft.luau.source import LuauSource
    from luaurft.scoring.rule import RuleContext


@dataclass(frozen=True)
class CommentFact:
    """One comment and what it is worth.

    `kind` is one of: directive (`--!strict`), marker (TODO, placeholder,
    elision), evaluator (addressed to a grader), restating (says what its
    code line says), informative (prose that adds something), label (too short
    to explain anything).
    """

    node: tree_sitter.Node
    line: int
    text: str
    code: str  # the code line it annotates ('' when none)
    kind: str


def _annotated_code(
    source: LuauSource, comment: tree_sitter.Node, comment_lines: frozenset[int]
) -> str:
    """The code a comment talks about: the code before it on its line, else the next code line."""
    row = comment.start_point[0]
    before = source.lines[row][: char_column(source, comment.start_point)]
    if before.strip():
        return before.strip()
    number = comment.end_point[0] + 2
    while number <= len(source.lines):
        text = source.lines[number - 1]
        if not text.strip():
            return ""  # a blank line ends the comment's reach
        if number not in comment_lines:
            return _strip_trailing_comment(text).strip()
        number += 1
    return ""


def _strip_trailing_comment(line: str) -> str:
    # Good enough for the restatement check: a `--` outside quotes starts a comment.
    if "--" not in line:
        return line
    in_quote = ""
    for i, ch in enumerate(line):
        if in_quote:
            if ch == in_quote:
                in_quote = ""
        elif ch in "\"'`":
            in_quote = ch
        elif line.startswith("--", i):
            return line[:i]
    return line


def comment_facts(ctx: RuleContext) -> list[CommentFact]:
    """Every comment, classified (see `CommentFact`)."""

    def compute() -> list[CommentFact]:
        source = ctx.source
        lines = comment_only_line_set(ctx)
        facts = []
        for node in source.comments:
            text = prose.comment_text(source, node)
            code = _annotated_code(source, node, lines)
            single_line = node.start_point[0] == node.end_point[0]
            kind = prose.classify_comment(text, code, single_line)
            facts.append(CommentFact(node, node.start_point[0] + 1, text, code, kind))
        return facts

    result: list[CommentFact] = ctx.memo("comments.facts", compute)
    return result
