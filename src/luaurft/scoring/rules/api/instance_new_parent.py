"""api/instance-new-parent: `Instance.new(class, parent)` parents before the object is set up."""

from __future__ import annotations

from collections.abc import Iterator

from luaurft.scoring.rule import Finding, Rule, RuleContext, Severity
from luaurft.scoring.rules.api._instance_new import instance_new_calls


class InstanceNewParentRule(Rule):
    id = "api/instance-new-parent"
    scorer = "api"
    severity = Severity.WARNING
    summary = (
        "`Instance.new(class, parent)` parents the object before its properties are set, "
        "so every later change replicates and re-runs listeners; set Parent last, separately."
    )
    bad = 'local part = Instance.new("Part", workspace)\npart.Anchored = true\n'
    good = 'local part = Instance.new("Part")\npart.Anchored = true\npart.Parent = workspace\n'

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        for call, args, name in instance_new_calls(ctx):
            if len(args) < 2 or args[1].type == "nil":
                continue  # `Instance.new(class, nil)` parents nothing
            parent = ctx.source.node_text(args[1])
            cls = f'"{name}"' if name else "class"
            yield self.at(
                ctx,
                call,
                "Instance.new with a parent argument parents the object before it is set up",
                f"local obj = Instance.new({cls}); set its properties; then obj.Parent = {parent}",
            )
