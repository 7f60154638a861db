"""syntax/js-logical-operator: `&&`, `||`, `!` instead of `and`, `or`, `not`.

One of the JavaScript habits in Luau, reported where it stands so the feedback
says why the compiler refused the code.
"""

from __future__ import annotations

from collections.abc import Iterator

from luaurft.luau.lexer import TokenKind
from luaurft.scoring.lexical import code_view
from luaurft.scoring.rule import Finding, Rule, RuleContext, Severity

_LOGICAL = {"&&": "and", "||": "or", "!": "not"}


class JsLogicalOperatorRule(Rule):
    id = "syntax/js-logical-operator"
    scorer = "syntax"
    severity = Severity.ERROR
    summary = "`&&`, `||` or `!` instead of Luau's `and`, `or`, `not`."
    bad = "if alive && !paused || debug then\n\tstep()\nend\n"
    good = "if alive and not paused or debug then\n\tstep()\nend\n"

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        if ctx.source.compiles:
            return
        view = code_view(ctx)
        for i in view.positions(*_LOGICAL):
            tok = view.code[i]
            if tok.kind is TokenKind.OP and tok.text in _LOGICAL:
                luau = _LOGICAL[tok.text]
                yield self.at(
                    ctx,
                    (tok.line, tok.column),
                    f"`{tok.text}` is not Luau; write `{luau}`",
                    fix=luau,
                )
