"""quality/truncated-code: the code stops mid-statement."""

from __future__ import annotations

from collections.abc import Iterator

from luaurft.scoring.rule import Finding, Rule, RuleContext, Severity


class TruncatedCodeRule(Rule):
    id = "quality/truncated-code"
    scorer = "quality"
    severity = Severity.ERROR
    summary = "The code stops mid-statement: the compiler reaches the end of the text inside an unfinished construct."
    bad = "local Players = game:GetService('Players')\nPlayers.PlayerAdded:Connect(function(player)\n\tprint(player.Name ..\n"
    good = "local Players = game:GetService('Players')\nPlayers.PlayerAdded:Connect(function(player)\n\tprint(player.Name .. ' joined')\nend)\n"
    cost = 0.3
    reads_tree = False

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        source = ctx.source
        result = source.compiled
        if result.ok or result.error is None or source.is_blank:
            return
        last = max(i for i, text in enumerate(source.lines, start=1) if text.strip())
        message = result.error.message
        at_end = "<eof>" in message or (
            message.startswith("Malformed") and result.error.line >= last
        )
        if at_end:
            yield self.at(
                ctx,
                last,
                f"the code ends mid-statement ({message})",
                "finish the last statement and close every block",
            )
