"""api/color3-range: `Color3.new` given 0-255 channel values (it takes 0 to 1)."""

from __future__ import annotations

from collections.abc import Iterator

from luaurft.scoring.analysis.builtins import number_value
from luaurft.scoring.rule import Finding, Rule, RuleContext, Severity
from luaurft.scoring.rules.api._library import global_calls


class Color3RangeRule(Rule):
    id = "api/color3-range"
    scorer = "api"
    severity = Severity.WARNING
    summary = (
        "`Color3.new` takes channels from 0 to 1; given 0-255 values (`Color3.new(255, 0, 0)`) "
        "it makes an out-of-range colour instead of the one meant, which `Color3.fromRGB` makes."
    )
    bad = 'local part = Instance.new("Part")\npart.Color = Color3.new(255, 128, 0)\n'
    good = 'local part = Instance.new("Part")\npart.Color = Color3.fromRGB(255, 128, 0)\n'

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        for found in global_calls(ctx):
            if found.name != "Color3.new":
                continue
            values = [number_value(ctx.source, arg) for arg in found.args]
            if not any(v is not None and (v > 1 or v < 0) for v in values):
                continue
            args = ", ".join(ctx.source.node_text(a) for a in found.args)
            yield self.at(
                ctx,
                found.call.node,
                "Color3.new takes channels from 0 to 1; these look like 0-255 values",
                f"Color3.fromRGB({args})",
            )
