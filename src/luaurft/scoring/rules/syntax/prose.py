"""syntax/prose: natural-language sentences (an explanation, a preamble) among the code."""

from __future__ import annotations

from collections.abc import Iterator

from luaurft.scoring.lexical import code_view
from luaurft.scoring.rule import Finding, Rule, RuleContext, Severity


class ProseRule(Rule):
    id = "syntax/prose"
    scorer = "syntax"
    severity = Severity.ERROR
    summary = "Natural-language prose (an explanation, a preamble) mixed into the code."
    bad = "Here is the script you asked for:\nprint('hello')\n"
    good = "-- Here is the script you asked for:\nprint('hello')\nlocal note = 'Here is a sentence in a string'\nprint(note)\n"

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        if ctx.source.compiles:
            return
        for run in code_view(ctx).prose:
            first = run.text.split("\n", 1)[0].strip()
            excerpt = first if len(first) <= 60 else first[:57] + "..."
            where = "outside the code fence" if run.fenced else "among the code"
            yield self.at(
                ctx,
                (run.line, 1),
                f"prose {where}: {excerpt!r} is not Luau; output only code "
                "(explanations belong in `--` comments, if anywhere)",
                fix="remove the text or turn it into a `--` comment",
            )
