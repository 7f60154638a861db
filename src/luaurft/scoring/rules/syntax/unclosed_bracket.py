"""syntax/unclosed-bracket: a `(`, `[` or `{` that is never closed."""

from __future__ import annotations

from collections.abc import Iterator

from luaurft.scoring.rule import Finding, Rule, RuleContext, Severity
from luaurft.scoring.rules.syntax._balance import unclosed


class UnclosedBracketRule(Rule):
    id = "syntax/unclosed-bracket"
    scorer = "syntax"
    severity = Severity.ERROR
    summary = "A `(`, `[` or `{` that is never closed."
    bad = "print(math.max(1, 2)\nlocal t = {1, 2\n"
    good = "print(math.max(1, 2))\nlocal t = {1, 2}\n"

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        for tok, message, closer in unclosed(ctx, "unclosed-bracket"):
            yield self.at(ctx, (tok.line, tok.column), message, fix=closer)
