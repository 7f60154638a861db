"""syntax/python-def: Python `def` instead of a Luau function declaration.

One of the Python habits a model trained on Python reaches for, reported where
it stands so the feedback says why the code fails.
"""

from __future__ import annotations

from collections.abc import Iterator

from luaurft.luau.lexer import TokenKind
from luaurft.scoring.lexical import code_view
from luaurft.scoring.rule import Finding, Rule, RuleContext, Severity


class PythonDefRule(Rule):
    id = "syntax/python-def"
    scorer = "syntax"
    severity = Severity.ERROR
    summary = "Python `def` instead of a Luau function declaration."
    bad = "def greet(name):\n\tprint('hi ' .. name)\n"
    good = "local function greet(name)\n\tprint('hi ' .. name)\nend\n"

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        if ctx.source.compiles:
            return
        view = code_view(ctx)
        code = view.code
        for i in view.positions("def"):
            tok = code[i]
            nxt, prev = view.next(i), view.prev(i)
            if (
                tok.is_name("def")
                and nxt is not None
                and nxt.kind is TokenKind.NAME
                and nxt.line == tok.line
                and (
                    view.at_statement_start(i)
                    or (prev is not None and prev.is_name("async") and prev.line == tok.line)
                )
            ):
                yield self.at(
                    ctx,
                    (tok.line, tok.column),
                    f"`def {nxt.text}` is Python; Luau declares functions with "
                    f"`local function {nxt.text}(...) ... end`",
                    fix=f"local function {nxt.text}(...) ... end",
                )
