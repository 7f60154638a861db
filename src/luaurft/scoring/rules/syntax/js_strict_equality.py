"""syntax/js-strict-equality: `===`/`!==` instead of `==`/`~=`.

One of the JavaScript habits in Luau, reported where it stands so the feedback
says why the compiler refused the code.
"""

from __future__ import annotations

from collections.abc import Iterator

from luaurft.scoring.lexical import code_view
from luaurft.scoring.rule import Finding, Rule, RuleContext, Severity


class JsStrictEqualityRule(Rule):
    id = "syntax/js-strict-equality"
    scorer = "syntax"
    severity = Severity.ERROR
    summary = "JavaScript `===`/`!==` instead of Luau `==`/`~=`."
    bad = "if a === b then\n\tprint('same')\nelseif a !== c then\n\tprint('not c')\nend\n"
    good = "if a == b then\n\tprint('same')\nelseif a ~= c then\n\tprint('not c')\nend\n"

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        if ctx.source.compiles:
            return
        view = code_view(ctx)
        for i in view.positions("===", "!=="):
            tok = view.code[i]
            if tok.is_op("===", "!=="):
                luau = "==" if tok.text == "===" else "~="
                yield self.at(
                    ctx,
                    (tok.line, tok.column),
                    f"`{tok.text}` is JavaScript; Luau compares with `{luau}`",
                    fix=luau,
                )
