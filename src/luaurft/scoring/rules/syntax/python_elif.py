"""syntax/python-elif: Python `elif` instead of `elseif`.

One of the Python habits a model trained on Python reaches for, reported where
it stands so the feedback says why the code fails.
"""

from __future__ import annotations

from collections.abc import Iterator

from luaurft.scoring.lexical import code_view
from luaurft.scoring.rule import Finding, Rule, RuleContext, Severity


class PythonElifRule(Rule):
    id = "syntax/python-elif"
    scorer = "syntax"
    severity = Severity.ERROR
    summary = "Python `elif` instead of Luau `elseif`."
    bad = "if n > 0 then\n\tprint('positive')\nelif n < 0 then\n\tprint('negative')\nend\n"
    good = "if n > 0 then\n\tprint('positive')\nelseif n < 0 then\n\tprint('negative')\nend\n"

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        if ctx.source.compiles:
            return
        view = code_view(ctx)
        for i in view.positions("elif"):
            tok = view.code[i]
            nxt = view.next(i)
            if (
                tok.is_name("elif")
                and i in view.line_first
                and nxt is not None
                and nxt.line == tok.line
                and not nxt.is_op("=", ".", ":", "(", "[", ",")
            ):
                yield self.at(
                    ctx,
                    (tok.line, tok.column),
                    "`elif` is Python; Luau writes `elseif ... then`",
                    fix="elseif",
                )
