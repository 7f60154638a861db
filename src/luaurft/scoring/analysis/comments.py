"""Comments, each classified by what it is worth (see `CommentFact`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

from luaurft.scoring import prose
from luaurft.scoring.analysis.lines import char_column, comment_only_line_set

if TYPE_CHECKING:
    import tree_sitter

    from luaurft.luau.source import LuauSource
    from luaurft.scoring.rule import RuleContext


class CommentFact(NamedTuple):
    """One comment and what it is worth (a tuple: a file has thousands, and a
    frozen dataclass takes three times as long to make).

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
    marks: prose.TextMarks  # what the marker and evaluator detectors say of `text`


def _annotated_code(
    source: LuauSource,
    start: tree_sitter.Point,
    end: tree_sitter.Point,
    comment_lines: frozenset[int],
    reach: dict[int, str],
) -> str:
    """The code a comment talks about: the code before it on its line, else the next code line.

    `reach` maps a comment-only line to the code its run of comments reaches, so a
    run of thousands of comment lines is walked once, not once per comment.
    """
    lines = source.lines
    if start[1]:
        before = lines[start[0]][: char_column(source, start)].strip()
        if before:
            return before
    number = end[0] + 2
    walked = []
    while True:
        if number in reach:
            code = reach[number]
            break
        if number > len(lines) or not lines[number - 1].strip():
            code = ""  # a blank line ends the comment's reach
            break
        if number not in comment_lines:
            code = _strip_trailing_comment(lines[number - 1]).strip()
            break
        walked.append(number)
        number += 1
    for number in walked:
        reach[number] = code
    return code


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
        nodes = source.comments
        texts = [prose.comment_text(source, node) for node in nodes]
        facts = []
        reach: dict[int, str] = {}
        for node, text, marks in zip(nodes, texts, prose.text_marks(texts), strict=True):
            start, end = node.start_point, node.end_point
            code = _annotated_code(source, start, end, lines, reach)
            kind = prose.comment_kind(text, code, start[0] == end[0], marks)
            facts.append(CommentFact(node, start[0] + 1, text, code, kind, marks))
        return facts

    result: list[CommentFact] = ctx.memo("comments.facts", compute)
    return result
