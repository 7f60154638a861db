"""bug/almost-swapped: `a = b` then `b = a`, which does not swap (both end up as b)."""

from __future__ import annotations

from collections.abc import Iterator
from itertools import pairwise
from typing import TYPE_CHECKING

from luaurft.scoring.analysis.nodes import expression_list_of, variable_list_of
from luaurft.scoring.analysis.statements import statements
from luaurft.scoring.rule import Finding, Rule, RuleContext, Severity

if TYPE_CHECKING:
    from tree_sitter import Node

    from luaurft.luau.source import LuauSource


class AlmostSwappedRule(Rule):
    id = "bug/almost-swapped"
    scorer = "bug"
    severity = Severity.WARNING
    summary = (
        "`a = b` followed by `b = a` looks like a swap but leaves both holding b's old "
        "value; Luau swaps with one multiple assignment."
    )
    bad = "local first, second = 1, 2\nfirst = second\nsecond = first\nprint(first, second)\n"
    good = "local first, second = 1, 2\nfirst, second = second, first\nprint(first, second)\n"

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        # Neighbours from the shared block lists: asking each assignment for its
        # parent and next sibling walks the tree down from the root every time.
        for _block, stmts in statements(ctx):
            if len(stmts) < 2:
                continue
            # Each statement's type once: a node builds its type string on every ask.
            assigning = [s.type == "assignment_statement" for s in stmts]
            for k, (statement, following) in enumerate(pairwise(stmts)):
                if not (assigning[k] and assigning[k + 1]):
                    continue
                pair = _single(ctx.source, statement)
                after = _single(ctx.source, following)
                if pair is None or after is None:
                    continue
                (a, b), (c, d) = pair, after
                if a == d and b == c and a != b and _next_after(statement) == following:
                    yield self.at(
                        ctx,
                        statement,
                        f"`{a} = {b}` then `{b} = {a}` does not swap them: both end up as `{b}`",
                        f"{a}, {b} = {b}, {a}",
                    )


def _next_after(statement: Node) -> Node | None:
    """What follows the statement, comments aside (a block lists statements only, so
    a stray node between two of them shows here)."""
    following = statement.next_named_sibling
    while following is not None and following.type == "comment":
        following = following.next_named_sibling
    return following


def _single(source: LuauSource, statement: Node) -> tuple[str, str] | None:
    """(target, value) of a one-target, one-value assignment, whitespace folded."""
    targets, values = variable_list_of(statement), expression_list_of(statement)
    if len(targets) != 1 or len(values) != 1:
        return None
    target, value = source.node_text(targets[0]), source.node_text(values[0])
    return " ".join(target.split()), " ".join(value.split())
