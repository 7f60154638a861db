"""syntax/python-block-colon: a Python block header ending in `:`.

One of the Python habits a model trained on Python reaches for, reported where
it stands so the feedback says why the code fails.
"""

from __future__ import annotations

from collections.abc import Iterator

from luaurft.scoring.lexical import code_view
from luaurft.scoring.rule import Finding, Rule, RuleContext, Severity


class PythonBlockColonRule(Rule):
    id = "syntax/python-block-colon"
    scorer = "syntax"
    severity = Severity.ERROR
    summary = "A Python block header ending in `:` (`if x:`, `for ...:`) instead of `then`/`do` ... `end`."
    bad = "if health <= 0:\n\tprint('dead')\n"
    good = (
        "if health <= 0 then\n\tprint('dead')\nend\nlocal part = workspace:FindFirstChild('Part')\n"
    )

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        if ctx.source.compiles:
            return
        view = code_view(ctx)
        for i in view.python_headers:
            tok = view.code[i]
            if tok.text == "def":
                continue  # python-def already says how a Luau function is written
            yield self.at(
                ctx,
                (tok.line, tok.column),
                f"`{tok.text} ...:` is a Python block header; Luau writes "
                + _LUAU_BLOCK.get(tok.text, "blocks that end with `end`"),
            )


_LUAU_BLOCK = {
    "if": "`if ... then ... end`",
    "elif": "`elseif ... then`",
    "else": "`else ... end`",
    "for": "`for ... do ... end`",
    "while": "`while ... do ... end`",
    "class": "classes as tables with a metatable",
}
