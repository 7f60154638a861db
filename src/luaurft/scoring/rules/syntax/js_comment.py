"""syntax/js-comment: `//` or `/* */` used as a comment.

One of the JavaScript habits in Luau, reported where it stands so the feedback
says why the compiler refused the code.
"""

from __future__ import annotations

from collections.abc import Iterator

from luaurft.scoring.lexical import code_view
from luaurft.scoring.rule import Finding, Rule, RuleContext, Severity


class JsCommentRule(Rule):
    id = "syntax/js-comment"
    scorer = "syntax"
    severity = Severity.ERROR
    summary = (
        "`//` or `/* */` used as a comment (JavaScript); Luau comments are `--` and `--[[ ]]`."
    )
    bad = "local speed = 16 // walk speed\n// main loop\nprint(speed)\n"
    good = "local speed = 16 -- walk speed\nlocal half = speed // 2\nprint(half)\n"

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        if ctx.source.compiles:
            return
        for tok in code_view(ctx).foreign_comments:
            if tok.text.startswith("//"):
                yield self.at(
                    ctx,
                    (tok.line, tok.column),
                    "`//` does not start a comment in Luau (it is floor division); comments start with `--`",
                    fix="-- " + tok.text[2:].strip(),
                )
            elif tok.text.startswith("/*"):
                yield self.at(
                    ctx,
                    (tok.line, tok.column),
                    "`/* */` is not a Luau comment; block comments are `--[[ ... ]]`",
                    fix="--[[ ... ]]",
                )
