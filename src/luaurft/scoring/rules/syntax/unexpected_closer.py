"""syntax/unexpected-closer: a closer with nothing open to close."""

from __future__ import annotations

from collections.abc import Iterator

from luaurft.scoring.rule import Finding, Rule, RuleContext, Severity
from luaurft.scoring.rules.syntax._balance import imbalances


class UnexpectedCloserRule(Rule):
    id = "syntax/unexpected-closer"
    scorer = "syntax"
    severity = Severity.ERROR
    summary = "A closer (`end`, `until`, `else`, `)`, `]`, `}`) with nothing open to close."
    bad = "local function f()\n\treturn 1\nend\nend\nprint(f()))\n"
    good = "local function f()\n\treturn 1\nend\nprint(f())\n"

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        for problem in imbalances(ctx):
            if problem.kind != "unexpected-closer":
                continue
            tok = problem.token
            yield self.at(
                ctx,
                (tok.line, tok.column),
                f"`{tok.text}` here closes nothing: remove it, or find the opener it was meant for",
                fix="remove it",
            )
