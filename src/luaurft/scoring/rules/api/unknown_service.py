"""api/unknown-service: GetService of a name that is not a Roblox service."""

from __future__ import annotations

from collections.abc import Iterator

from luaurft.scoring.analysis.bindings import Certainty, TypeKind, api_index_for, bindings_for
from luaurft.scoring.rule import Finding, Rule, RuleContext, Severity
from luaurft.scoring.rules.api._helpers import closest, first_string_argument, method_calls


class UnknownServiceRule(Rule):
    id = "api/unknown-service"
    scorer = "api"
    severity = Severity.ERROR
    summary = (
        "`game:GetService` is given a name that is not a Roblox service; it raises at run time."
    )
    bad = 'local Players = game:GetService("Player")\n'
    good = 'local Players = game:GetService("Players")\n'

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        index = api_index_for(ctx)
        bindings = bindings_for(ctx)
        for access, args in method_calls(ctx, ("GetService", "FindService")):
            name = first_string_argument(ctx.source, args)
            if name is None or index.is_service(name):
                continue
            owner = bindings.type_of(access.receiver)
            if (
                owner is None
                or owner.kind is not TypeKind.CLASS
                or owner.certainty < Certainty.ISA
                or not index.is_a(owner.name, "ServiceProvider")
            ):
                continue
            guess = closest(name, index.service_names())
            if index.is_class(name):
                message = f'"{name}" is a class, not a service: GetService cannot return it'
            else:
                message = f'"{name}" is not a Roblox service'
            fix = f'GetService("{guess}")' if guess else None
            yield self.at(ctx, args[0], message, fix)
