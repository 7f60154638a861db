"""bug/empty-if: an `if`, `elseif` or `else` branch with no statement in it."""

from __future__ import annotations

from collections.abc import Iterator

from luaurft.scoring.rule import Finding, Rule, RuleContext, Severity
from luaurft.scoring.rules.bug._if_chain import chains


class EmptyIfRule(Rule):
    id = "bug/empty-if"
    scorer = "bug"
    severity = Severity.INFO
    summary = (
        "An `if`, `elseif` or `else` branch holds no statement (at most a comment): "
        "unfinished code, or a condition that should be inverted."
    )
    bad = (
        "local function onTouched(hit: BasePart)\n\tif hit.Parent == nil then\n\telse\n"
        "\t\tprint(hit.Name)\n\tend\nend\nreturn onTouched\n"
    )
    good = (
        "local function onTouched(hit: BasePart)\n\tif hit.Parent ~= nil then\n"
        "\t\tprint(hit.Name)\n\tend\nend\nreturn onTouched\n"
    )

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        for _statement, chain in chains(ctx):
            for branch in chain:
                if branch.block is not None:
                    continue
                if branch.keyword == "if" and len(chain) > 1 and branch is chain[0]:
                    fix = "invert the condition and drop the empty branch"
                else:
                    fix = f"remove the empty {branch.keyword} or give it the code it needs"
                yield self.at(ctx, branch.node, f"this {branch.keyword} branch is empty", fix)
