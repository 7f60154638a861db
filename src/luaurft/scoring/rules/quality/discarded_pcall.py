"""quality/discarded-pcall: pcall/xpcall as a statement, its success flag thrown away.

The wrapper looks like safety but hides every failure.
"""

from __future__ import annotations

from collections.abc import Iterator

from luaurft.scoring.analysis.calls import WRAPPER_CALLS, callee_name
from luaurft.scoring.analysis.statements import is_statement
from luaurft.scoring.rule import Finding, Rule, RuleContext, Severity


class DiscardedPcallRule(Rule):
    id = "quality/discarded-pcall"
    scorer = "quality"
    severity = Severity.INFO
    summary = "pcall/xpcall called as a statement: its success flag is thrown away, so failures vanish silently."
    bad = "local function save()\n\terror('disk full')\nend\npcall(save)\nprint('saved')\n"
    good = (
        "local function save()\n\terror('disk full')\nend\nlocal ok, err = pcall(save)\n"
        "if not ok then\n\twarn('save failed: ' .. tostring(err))\nend\n"
    )
    cost = 0.03

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        source = ctx.source
        data = source.bytes
        for call in source.nodes("function_call"):
            if not data.startswith((b"pcall", b"xpcall"), call.start_byte):
                continue
            if is_statement(call) and callee_name(source, call) in WRAPPER_CALLS:
                yield self.at(
                    ctx,
                    call,
                    "the result of pcall is discarded; errors are swallowed silently",
                    "check the success flag and report the error",
                )
