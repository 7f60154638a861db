"""api/cframe-degrees: rotation constructors given degrees (`CFrame.Angles(0, 90, 0)`)."""

from __future__ import annotations

import math
from collections.abc import Iterator

from luaurft.scoring.analysis.builtins import number_value
from luaurft.scoring.rule import Finding, Rule, RuleContext, Severity
from luaurft.scoring.rules.api._library import global_calls

# Constructors whose numbers are angles in radians.
_RADIANS = frozenset(
    {
        "CFrame.Angles",
        "CFrame.fromEulerAnglesXYZ",
        "CFrame.fromEulerAnglesYXZ",
        "CFrame.fromOrientation",
        "CFrame.fromEulerAngles",
    }
)


class CFrameDegreesRule(Rule):
    id = "api/cframe-degrees"
    scorer = "api"
    severity = Severity.WARNING
    summary = (
        "A CFrame rotation constructor takes radians; a constant beyond a full turn "
        "(`CFrame.Angles(0, 90, 0)`) is degrees written where radians are meant."
    )
    bad = "local turn = CFrame.Angles(0, 90, 0)\n"
    good = "local turn = CFrame.Angles(0, math.rad(90), 0)\n"

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        for found in global_calls(ctx):
            if found.name not in _RADIANS:
                continue
            degrees = [
                arg
                for arg in found.args
                if (v := number_value(ctx.source, arg)) is not None and abs(v) > 2 * math.pi
            ]
            if not degrees:
                continue
            fixed = ", ".join(
                f"math.rad({ctx.source.node_text(a)})" if a in degrees else ctx.source.node_text(a)
                for a in found.args
            )
            yield self.at(
                ctx,
                degrees[0],
                f"{found.name} takes radians; {ctx.source.node_text(degrees[0])} looks like degrees",
                f"{found.name}({fixed})",
            )
