"""quality/thin-code: says why a score is low when the code simply does little."""

from __future__ import annotations

from collections.abc import Iterator

from luaurft.scoring import substance as substance_formula
from luaurft.scoring.analysis.lines import code_line_set
from luaurft.scoring.rule import Finding, Rule, RuleContext, Severity


class ThinCodeRule(Rule):
    id = "quality/thin-code"
    scorer = "quality"
    severity = Severity.INFO
    summary = (
        "Trivial code (empty, stubs, constants, prints around nothing): substance below 1 "
        "scales the scores down."
    )
    bad = "local Players = game:GetService('Players')\nprint('loaded')\n"
    good = (
        "local Players = game:GetService('Players')\n"
        "Players.PlayerAdded:Connect(function(player)\n"
        "\tlocal stats = Instance.new('Folder')\n"
        "\tstats.Name = 'leaderstats'\n"
        "\tstats.Parent = player\n"
        "end)\n"
    )
    # The scale already lowers the score; this finding only explains it.
    cost = 0.0
    reads_tree = False

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        if ctx.source.is_blank:
            return
        amount = substance_formula.substance(ctx)
        if amount.factor >= 1.0:
            return
        first = min(code_line_set(ctx), default=1)
        yield self.at(
            ctx,
            (first, 1),
            f"the code does little: {amount.units:.1f} of {substance_formula.SUBSTANCE_FULL:g} units of real "
            f"work, so its scores are scaled by {amount.factor:.2f}",
            "write the behaviour the task asks for; stubs, empty functions, constants, prints "
            "and service lookups count little or nothing",
        )
