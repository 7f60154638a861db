"""api/udim2-two-numbers: `UDim2.new(a, b)` with two numbers (it takes two UDims or four numbers)."""

from __future__ import annotations

from collections.abc import Iterator

from luaurft.scoring.analysis.builtins import number_value
from luaurft.scoring.rule import Finding, Rule, RuleContext, Severity
from luaurft.scoring.rules.api._library import global_calls


class UDim2TwoNumbersRule(Rule):
    id = "api/udim2-two-numbers"
    scorer = "api"
    severity = Severity.WARNING
    summary = (
        "`UDim2.new` with two numbers (`UDim2.new(0.5, 0.5)`) reads them as X scale and X "
        "offset and leaves Y at 0; `UDim2.fromScale` or `UDim2.fromOffset` was meant."
    )
    bad = 'local frame = Instance.new("Frame")\nframe.Size = UDim2.new(0.5, 0.5)\n'
    good = 'local frame = Instance.new("Frame")\nframe.Size = UDim2.fromScale(0.5, 0.5)\n'

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        for found in global_calls(ctx):
            if found.name != "UDim2.new" or len(found.args) != 2:
                continue
            values = [number_value(ctx.source, arg) for arg in found.args]
            if any(v is None for v in values):
                continue
            args = ", ".join(ctx.source.node_text(a) for a in found.args)
            offsets = all(v is not None and (v > 1 or v < -1) for v in values)
            instead = "fromOffset" if offsets else "fromScale"
            yield self.at(
                ctx,
                found.call.node,
                "UDim2.new with two numbers sets X scale and X offset, not X and Y",
                f"UDim2.{instead}({args})",
            )
