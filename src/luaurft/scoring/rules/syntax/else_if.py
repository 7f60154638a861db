"""syntax/else-if: `else if` where `elseif` would balance the file."""

from __future__ import annotations

from collections.abc import Iterator

from luaurft.scoring.rule import Finding, Rule, RuleContext, Severity
from luaurft.scoring.rules.syntax._balance import balance


class ElseIfRule(Rule):
    id = "syntax/else-if"
    scorer = "syntax"
    severity = Severity.ERROR
    summary = (
        "`else if` (two words) opens a nested `if` that needs its own `end`; Luau writes `elseif`."
    )
    bad = "if a then\n\tprint(1)\nelse if b then\n\tprint(2)\nend\n"
    good = "if a then\n\tprint(1)\nelseif b then\n\tprint(2)\nend\n"

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        for tok in balance(ctx).else_ifs:
            yield self.at(
                ctx,
                (tok.line, tok.column),
                "`else if` opens a nested `if` that needs its own `end`: write `elseif`",
                fix="elseif",
            )
