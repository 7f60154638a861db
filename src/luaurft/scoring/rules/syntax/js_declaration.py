"""syntax/js-declaration: JavaScript `let`/`const`/`var` instead of `local`.

One of the JavaScript habits in Luau, reported where it stands so the feedback
says why the compiler refused the code.
"""

from __future__ import annotations

from collections.abc import Iterator

from luaurft.luau.lexer import TokenKind
from luaurft.scoring.lexical import code_view
from luaurft.scoring.rule import Finding, Rule, RuleContext, Severity

_DECLARATIONS = frozenset({"let", "const", "var"})


class JsDeclarationRule(Rule):
    id = "syntax/js-declaration"
    scorer = "syntax"
    severity = Severity.ERROR
    summary = "JavaScript `let`/`const`/`var` instead of Luau `local`."
    bad = "let speed = 16\nconst MAX = 100\n"
    good = "local speed = 16\nlocal MAX = 100\nlocal let = 'a name'\nprint(let, speed, MAX)\n"

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        if ctx.source.compiles:
            return
        view = code_view(ctx)
        for i in view.positions(*_DECLARATIONS):
            tok = view.code[i]
            if tok.kind is not TokenKind.NAME or tok.text not in _DECLARATIONS:
                continue
            nxt = view.next(i)
            if (
                nxt is not None
                and nxt.line == tok.line
                and (nxt.kind is TokenKind.NAME or nxt.is_op("{", "["))
                and view.at_statement_start(i)
            ):
                yield self.at(
                    ctx,
                    (tok.line, tok.column),
                    f"`{tok.text}` is JavaScript; Luau declares variables with `local`",
                    fix="local",
                )
