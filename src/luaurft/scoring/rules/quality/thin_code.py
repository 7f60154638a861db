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
        full = substance_formula.SUBSTANCE_FULL
        # Name what lowered the factor: too little work, stubs among the functions, or both.
        reasons = []
        # `units` carry the stubs' share already; the work before it is what "little" means.
        share = 1.0 - amount.stubs / amount.functions if amount.stubs else 1.0
        work = amount.units / share if share > 0 else 0.0
        if work < full:
            reasons.append(f"the code does little: {work:.1f} of {full:g} units of real work")
        if amount.stubs:
            reasons.append(
                f"{_stubs_among(amount.stubs, amount.functions)} in code marked unfinished"
            )
        yield self.at(
            ctx,
            (first, 1),
            f"{', and '.join(reasons)}, so its scores are scaled by {amount.factor:.2f}",
            "write the behaviour the task asks for; stubs, empty functions, constants, prints "
            "and service lookups count little or nothing",
        )


def _stubs_among(stubs: int, functions: int) -> str:
    if stubs == functions:
        return (
            "its one function is a stub"
            if stubs == 1
            else f"all {stubs} of its functions are stubs"
        )
    return f"{stubs} of its {functions} functions {'is a stub' if stubs == 1 else 'are stubs'}"
