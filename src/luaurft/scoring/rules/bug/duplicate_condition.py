"""bug/duplicate-condition: an `elseif` that tests a condition the chain already tested."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from luaurft.scoring.rule import Finding, Rule, RuleContext, Severity
from luaurft.scoring.rules.bug._if_chain import Gapless, chains, folded, gapless_keys

if TYPE_CHECKING:
    from tree_sitter import Node


class DuplicateConditionRule(Rule):
    id = "bug/duplicate-condition"
    scorer = "bug"
    severity = Severity.WARNING
    summary = (
        "An `elseif` repeats an earlier condition of the same chain, so its branch can never "
        "run (a condition that calls a function is left alone: the call may differ)."
    )
    bad = (
        "local function label(health: number): string\n"
        '\tif health <= 0 then\n\t\treturn "dead"\n'
        '\telseif health <= 0 then\n\t\treturn "hurt"\n\tend\n\treturn "fine"\nend\n'
        "return label\n"
    )
    good = (
        "local function label(health: number): string\n"
        '\tif health <= 0 then\n\t\treturn "dead"\n'
        '\telseif health < 50 then\n\t\treturn "hurt"\n\tend\n\treturn "fine"\nend\n'
        "return label\n"
    )

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        gapless: Gapless | None = None
        for _statement, chain in chains(ctx):
            seen: dict[str, int] = {}
            tested = [branch for branch in chain if branch.condition is not None]
            if len(tested) < 2:
                continue  # a lone `if`: no other condition to repeat
            if gapless is None:
                gapless = gapless_keys(ctx)
            keys = {gapless(b.condition) for b in tested if b.condition}
            if len(keys) == len(tested):
                continue  # no two conditions alike even before folding
            for branch in tested:
                condition = branch.condition
                if condition is None or _calls(condition):
                    continue
                code = folded(ctx.source, condition)
                line = seen.get(code)
                if line is None:
                    seen[code] = branch.node.start_point[0] + 1
                    continue
                yield self.at(
                    ctx,
                    condition,
                    f"`{ctx.source.node_text(condition)}` is already tested on line {line}, "
                    "so this branch never runs",
                    "test the condition this branch was meant for",
                )


def _calls(node: Node) -> bool:
    stack = [node]
    while stack:
        current = stack.pop()
        if current.type == "function_call":
            return True
        stack.extend(current.children)
    return False
