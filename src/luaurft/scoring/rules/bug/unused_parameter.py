"""bug/unused-parameter: a function's last parameters are never used."""

from __future__ import annotations

from collections.abc import Iterator

from luaurft.scoring.analysis.nodes import named_children
from luaurft.scoring.analysis.scope import scope_analysis
from luaurft.scoring.rule import Finding, Rule, RuleContext, Severity
from luaurft.scoring.rules.bug._unused import trailing_unused


class UnusedParameterRule(Rule):
    id = "bug/unused-parameter"
    scorer = "bug"
    severity = Severity.INFO
    summary = (
        "A function's last parameters are never used: the caller's value is ignored, "
        "which is often a sign that the body uses the wrong name."
    )
    bad = "local function damage(humanoid, amount)\n\thumanoid:TakeDamage(10)\nend\n"
    good = "local function damage(humanoid, amount)\n\thumanoid:TakeDamage(amount)\nend\n"

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        scopes = scope_analysis(ctx)
        for info in scopes.functions:
            if not info.parameters or not named_children(info.body):
                continue
            if info.uses_vararg:
                # `function(self, ...)` that reads `...`: every named parameter
                # holds a place, or the values would shift into the wrong names.
                continue
            if not scopes.reliable(info.parameters[0]):
                continue
            for unused in trailing_unused(scopes, info.parameters):
                yield self.at(
                    ctx,
                    unused.node,
                    f"parameter `{unused.name}` is never used",
                    f"remove it, or name it `_{unused.name}` if callers must pass it",
                )
