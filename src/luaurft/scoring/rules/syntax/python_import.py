"""syntax/python-import: Python `import` instead of `require` or `game:GetService`.

One of the Python habits a model trained on Python reaches for, reported where
it stands so the feedback says why the code fails.
"""

from __future__ import annotations

from collections.abc import Iterator

from luaurft.luau.lexer import TokenKind
from luaurft.scoring.lexical import CodeView, code_view
from luaurft.scoring.rule import Finding, Rule, RuleContext, Severity


class PythonImportRule(Rule):
    id = "syntax/python-import"
    scorer = "syntax"
    severity = Severity.ERROR
    summary = "Python `import`/`from ... import` instead of `require` or `game:GetService`."
    bad = "import math\nfrom roblox import Players\n"
    good = "local Players = game:GetService('Players')\nlocal Util = require(script.Parent.Util)\n"

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        if ctx.source.compiles:
            return
        view = code_view(ctx)
        code = view.code
        for i in view.positions("import", "from"):
            tok = code[i]
            if not tok.is_name("import", "from") or not view.at_statement_start(i):
                continue
            nxt = view.next(i)
            if nxt is None or nxt.line != tok.line or nxt.kind is not TokenKind.NAME:
                continue
            if tok.is_name("import") and not _from_a_string(view, i):
                # (`import X from "m"` is TypeScript: syntax/ts-import reports it.)
                yield self._finding(ctx, tok.line, tok.column, "import")
            elif tok.is_name("from") and any(
                t.is_name("import") for t in code[i + 2 : i + 12] if t.line == tok.line
            ):
                yield self._finding(ctx, tok.line, tok.column, "from ... import")

    def _finding(self, ctx: RuleContext, line: int, column: int, what: str) -> Finding:
        return self.at(
            ctx,
            (line, column),
            f'`{what}` is Python; Roblox gets services with `game:GetService("Name")` '
            "and modules with `require(moduleScript)`",
            fix='local Name = game:GetService("Name")',
        )


def _from_a_string(view: CodeView, i: int) -> bool:
    line = view.code[i].line
    rest = [t for t in view.code[i + 1 : i + 40] if t.line == line]
    return any(
        t.is_name("from") and rest[k + 1].kind is TokenKind.STRING for k, t in enumerate(rest[:-1])
    )
