"""api/unknown-class: `Instance.new` of a class that does not exist or cannot be created."""

from __future__ import annotations

from collections.abc import Iterator

from luaurft.scoring.analysis.bindings import api_index_for
from luaurft.scoring.rule import Finding, Rule, RuleContext, Severity
from luaurft.scoring.rules.api._helpers import closest
from luaurft.scoring.rules.api._instance_new import instance_new_calls


class UnknownClassRule(Rule):
    id = "api/unknown-class"
    scorer = "api"
    severity = Severity.ERROR
    summary = (
        "`Instance.new` is given a class that does not exist or cannot be created "
        "(an abstract class such as BasePart, or a service); it raises at run time."
    )
    bad = 'local part = Instance.new("BasePart")\nlocal light = Instance.new("Pointlight")\n'
    good = 'local part = Instance.new("Part")\nlocal light = Instance.new("PointLight")\n'

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        index = api_index_for(ctx)
        for _call, args, name in instance_new_calls(ctx):
            if name is None or index.is_creatable(name):
                continue
            info = index.get_class(name)
            guess = closest(name, index.creatable_names)
            fix = f'Instance.new("{guess}")' if guess else None
            if info is None:
                message = f'"{name}" is not a Roblox class'
            elif info.service:
                message = f"{name} is a service: get it with game:GetService, never create it"
                fix = f'game:GetService("{name}")'
            else:
                message = f"{name} is an abstract class: Instance.new cannot create it"
            yield self.at(ctx, args[0], message, fix)
