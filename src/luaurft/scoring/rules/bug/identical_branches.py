"""bug/identical-branches: two branches of one `if` chain do exactly the same thing."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import TYPE_CHECKING

from luaurft.scoring.rule import Finding, Rule, RuleContext, Severity
from luaurft.scoring.rules.bug._if_chain import Gapless, chains, folded, gapless_keys

if TYPE_CHECKING:
    from tree_sitter import Node


class IdenticalBranchesRule(Rule):
    id = "bug/identical-branches"
    scorer = "bug"
    severity = Severity.INFO
    summary = (
        "Two branches of one `if` chain hold the same code, so the condition between them "
        "changes nothing (often a copy-paste slip where one branch was meant to differ)."
    )
    bad = (
        "local function reward(score: number): number\n\tlocal coins = 0\n"
        "\tif score > 100 then\n\t\tcoins = 10\n\telse\n\t\tcoins = 10\n\tend\n"
        "\treturn coins\nend\nreturn reward\n"
    )
    good = (
        "local function reward(score: number): number\n\tlocal coins = 0\n"
        "\tif score > 100 then\n\t\tcoins = 10\n\telse\n\t\tcoins = 5\n\tend\n"
        "\treturn coins\nend\nreturn reward\n"
    )

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        gapless: Gapless | None = None
        for _statement, chain in chains(ctx):
            seen: dict[str, int] = {}
            if sum(1 for branch in chain if branch.block is not None) < 2:
                continue  # at most one branch with code: spare reading the blocks
            compared = [
                branch
                for branch in chain
                # `elseif kind == "a" then return 0`: a lookup, merged or not
                if branch.block is not None and not _lone_return(branch.block)
            ]
            if len(compared) < 2:
                continue  # nothing to be the same as: spare folding the code
            if gapless is None:
                gapless = gapless_keys(ctx)
            keys = Counter(gapless(b.block) for b in compared if b.block)
            if max(keys.values()) < 2:
                continue  # no two branches alike even before folding
            for branch in compared:
                assert branch.block is not None
                code = folded(ctx.source, branch.block)
                line = seen.get(code)
                if line is None:
                    seen[code] = branch.block.start_point[0] + 1
                    continue
                yield self.at(
                    ctx,
                    branch.block,
                    f"this {branch.keyword} branch holds the same code as the branch on line {line}",
                    "merge the two conditions with `or`, or make the branch do what it should",
                )


def _lone_return(block: Node) -> bool:
    statements = [c for c in block.named_children if c.type != "comment"]
    return len(statements) == 1 and statements[0].type == "return_statement"
