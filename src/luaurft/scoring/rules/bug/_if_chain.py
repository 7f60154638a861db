"""The branches of an `if ... elseif ... else ... end` chain, for the rules that compare them."""

from __future__ import annotations

from bisect import bisect_left
from typing import TYPE_CHECKING, NamedTuple

from luaurft.luau.source import field_id
from luaurft.scoring.analysis.spaces import ASCII_SPACE, squeezable

if TYPE_CHECKING:
    from tree_sitter import Node

    from luaurft.luau.source import LuauSource
    from luaurft.scoring.rule import RuleContext

_CONDITION = field_id("condition")
_CONSEQUENCE = field_id("consequence")


class Branch(NamedTuple):
    """One branch: `node` is where it starts (the if statement, an elseif or the else);
    `condition` is None for `else`; `block` is None when the branch has no statement."""

    keyword: str
    node: Node
    condition: Node | None
    block: Node | None


def _block(node: Node) -> Node | None:
    block = node.child_by_field_id(_CONSEQUENCE)
    if block is None:
        block = next((c for c in node.named_children if c.type == "block"), None)
        if block is None:
            return None
    # Most blocks open with a statement: spare listing all their children.
    first = block.named_child(0)
    if first is None:
        return None
    if first.type != "comment" or any(c.type != "comment" for c in block.named_children):
        return block
    return None


def chains(ctx: RuleContext) -> list[tuple[Node, list[Branch]]]:
    """Every `if` statement with its branches, listed once for the rules that compare them."""
    found: list[tuple[Node, list[Branch]]] = ctx.memo(
        "bug.if_chains", lambda: [(s, branches(s)) for s in ctx.source.nodes("if_statement")]
    )
    return found


def branches(if_statement: Node) -> list[Branch]:
    found = [
        Branch("if", if_statement, if_statement.child_by_field_id(_CONDITION), _block(if_statement))
    ]
    for child in if_statement.named_children:
        if child.type == "elseif_statement":
            found.append(
                Branch("elseif", child, child.child_by_field_id(_CONDITION), _block(child))
            )
        elif child.type == "else_statement":
            found.append(Branch("else", child, None, _block(child)))
    return found


def folded(source: LuauSource, node: Node) -> str:
    """The code of `node` with comments left out and whitespace folded, for comparing."""
    parts: list[str] = []
    stack = [node]
    while stack:
        current = stack.pop()
        if current.type == "comment":
            continue
        if current.child_count == 0 or current.type == "string":
            parts.append(source.node_text(current))
            continue
        stack.extend(reversed(current.children))
    return " ".join(parts)


class Gapless:
    """The text of a node without its comments and whitespace: equal for any two nodes
    whose `folded` texts are equal, so most pairs are told apart without folding.

    Made once per source (`gapless_keys`): what every key needs to know about the
    source (where its comments start, how its spaces can be deleted) is read once.
    """

    def __init__(self, source: LuauSource) -> None:
        self.source = source
        self.comments = source.comments
        self.comment_starts = [c.start_byte for c in self.comments]
        self.squeezable = squeezable(source)

    def __call__(self, node: Node) -> bytes | str:
        data = self.source.bytes
        end = node.end_byte
        at = node.start_byte
        parts: list[bytes] = []
        comments = self.comments
        for i in range(bisect_left(self.comment_starts, at), len(comments)):
            comment = comments[i]
            if comment.start_byte >= end:
                break
            parts.append(data[at : comment.start_byte])
            at = max(at, comment.end_byte)
        parts.append(data[at:end])
        if self.squeezable:
            # The same spaces deleted without decoding and splitting into words.
            return b"".join(parts).translate(None, ASCII_SPACE)
        return "".join(b"".join(parts).decode("utf-8", "replace").split())


def gapless_keys(ctx: RuleContext) -> Gapless:
    """The `Gapless` of the context's source, shared by the rules that compare branches."""
    found: Gapless = ctx.memo("bug.gapless", lambda: Gapless(ctx.source))
    return found
