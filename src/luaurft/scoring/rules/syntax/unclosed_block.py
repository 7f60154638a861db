"""syntax/unclosed-block: a block opener that lost its `end` (see `_balance` for how it is found)."""

from __future__ import annotations

from collections.abc import Iterator

from luaurft.scoring.rule import Finding, Rule, RuleContext, Severity
from luaurft.scoring.rules.syntax._balance import unclosed


class UnclosedBlockRule(Rule):
    id = "syntax/unclosed-block"
    scorer = "syntax"
    severity = Severity.ERROR
    summary = "A block (`function`, `if`, `for`, `while`, `do`, `repeat`) that is never closed."
    bad = (
        "local function check(player)\n\tif player.Team then\n\t\tprint(player.Name)\n"
        "end\n\nreturn check\n"
    )
    good = (
        "local function check(player)\n\tif player.Team then\n\t\tprint(player.Name)\n\tend\n"
        "end\n\nreturn check\n"
    )

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        for tok, message, closer in unclosed(ctx, "unclosed-block"):
            yield self.at(ctx, (tok.line, tok.column), message, fix=closer)
