"""syntax/python-comment: `#` used as a comment.

One of the Python habits a model trained on Python reaches for, reported where
it stands so the feedback says why the code fails.
"""

from __future__ import annotations

from collections.abc import Iterator

from luaurft.scoring.lexical import code_view
from luaurft.scoring.rule import Finding, Rule, RuleContext, Severity


class PythonCommentRule(Rule):
    id = "syntax/python-comment"
    scorer = "syntax"
    severity = Severity.ERROR
    summary = "`#` used as a comment (Python); in Luau `#` is the length operator and comments start with `--`."
    bad = "local speed = 16 # walk speed\n# main loop\nprint(speed)\n"
    good = "local speed = 16 -- walk speed\nlocal count = #game:GetService('Players'):GetPlayers()\nprint(speed, count)\n"

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        if ctx.source.compiles:
            return
        for tok in code_view(ctx).foreign_comments:
            if tok.text.startswith("#"):
                yield self.at(
                    ctx,
                    (tok.line, tok.column),
                    "`#` does not start a comment in Luau (it is the length operator); "
                    "comments start with `--`",
                    fix="-- " + tok.text.lstrip("#!").strip(),
                )
