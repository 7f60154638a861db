"""Markdown and prose around the code: the reference prompt asks for "only code, no markdown".

A model that answers in chat form wraps its code in a fence and explains it in
sentences; neither compiles. A fence inside a long comment or long string is
documentation and is left alone.
"""

from __future__ import annotations

from collections.abc import Iterator

from luaurft.scoring.lexical import code_view
from luaurft.scoring.rule import Finding, Rule, RuleContext, Severity


class MarkdownFenceRule(Rule):
    id = "syntax/markdown-fence"
    scorer = "syntax"
    severity = Severity.ERROR
    summary = "The code is wrapped in a markdown fence (```lua ... ```); output only the code."
    bad = "```lua\nprint('hello')\n```\n"
    good = "--[[\nUsage:\n```lua\nprint('hello')\n```\n]]\nprint('hello')\n"

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        if ctx.source.compiles:
            return
        for fence in code_view(ctx).fences:
            yield self.at(
                ctx,
                (fence.line, 1),
                f"markdown code fence `{fence.text}`: the code is wrapped in markdown; "
                "output only the Luau code, without fences",
                fix="remove the fence line",
            )


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
