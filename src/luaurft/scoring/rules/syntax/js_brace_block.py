"""syntax/js-brace-block: a `{ ... }` block where Luau uses `then`/`do` ... `end`.

One of the JavaScript habits in Luau, reported where it stands so the feedback
says why the compiler refused the code.
"""

from __future__ import annotations

from collections.abc import Iterator

from luaurft.scoring.lexical import code_view
from luaurft.scoring.rule import Finding, Rule, RuleContext, Severity


class JsBraceBlockRule(Rule):
    id = "syntax/js-brace-block"
    scorer = "syntax"
    severity = Severity.ERROR
    summary = "A `{ ... }` block (JavaScript, C) where Luau uses `then`/`do` ... `end`."
    bad = "if (health <= 0) {\n\tprint('dead')\n}\n"
    good = (
        "if health <= 0 then\n\tprint('dead')\nend\n"
        "local config = setmetatable({}, {\n\t__index = function() return 0 end,\n})\n"
    )

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        if ctx.source.compiles:
            return
        view = code_view(ctx)
        for j in view.brace_blocks:
            tok = view.code[j]
            yield self.at(
                ctx,
                (tok.line, tok.column),
                "`{` does not open a block in Luau (braces build tables); blocks are "
                "`if ... then ... end`, `while ... do ... end`, `function ... end`",
                fix="then / do ... end",
            )
