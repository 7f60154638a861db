"""syntax/markdown-fence: the code is wrapped in a markdown fence.

The reference prompt asks for "only code, no markdown"; a model that answers in
chat form wraps its code in a fence, which does not compile. A fence inside a
long comment or long string is documentation and is left alone.
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
