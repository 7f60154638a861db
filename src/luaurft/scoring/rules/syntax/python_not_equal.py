"""syntax/python-not-equal: `!=` instead of `~=`.

One of the Python habits a model trained on Python reaches for, reported where
it stands so the feedback says why the code fails.
"""

from __future__ import annotations

from collections.abc import Iterator

from luaurft.scoring.lexical import code_view
from luaurft.scoring.rule import Finding, Rule, RuleContext, Severity


class PythonNotEqualRule(Rule):
    id = "syntax/python-not-equal"
    scorer = "syntax"
    severity = Severity.ERROR
    summary = "`!=` (Python, JavaScript, C) instead of Luau's `~=`."
    bad = "if a != b then\n\tprint('different')\nend\n"
    good = "if a ~= b then\n\tprint('different')\nend\n"

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        if ctx.source.compiles:
            return
        view = code_view(ctx)
        for i in view.positions("!="):
            tok = view.code[i]
            if tok.is_op("!="):
                yield self.at(
                    ctx,
                    (tok.line, tok.column),
                    "`!=` is not Luau; inequality is written `~=`",
                    fix="~=",
                )
