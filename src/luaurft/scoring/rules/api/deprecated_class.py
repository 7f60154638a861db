"""api/deprecated-class: creating a deprecated class (body movers, Hat, Message, ...) or
getting a deprecated service."""

from __future__ import annotations

from collections.abc import Iterator

from luaurft.scoring.analysis.bindings import Certainty, TypeKind, api_index_for, bindings_for
from luaurft.scoring.rule import Finding, Rule, RuleContext, Severity
from luaurft.scoring.rules.api._helpers import first_string_argument, method_calls
from luaurft.scoring.rules.api._instance_new import instance_new_calls


class DeprecatedClassRule(Rule):
    id = "api/deprecated-class"
    scorer = "api"
    severity = Severity.WARNING
    summary = (
        "A deprecated class is created (BodyVelocity, BodyGyro, BodyPosition, BodyForce, "
        "Hat, Message, ...) or a deprecated service fetched; the fix names what replaces it "
        "(LinearVelocity, AlignOrientation, AlignPosition, VectorForce, ...)."
    )
    bad = 'local mover = Instance.new("BodyVelocity")\nmover.Velocity = Vector3.new(0, 50, 0)\n'
    good = (
        'local mover = Instance.new("LinearVelocity")\n'
        "mover.VectorVelocity = Vector3.new(0, 50, 0)\n"
    )

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        index = api_index_for(ctx)
        for _call, args, name in instance_new_calls(ctx):
            info = index.get_class(name) if name else None
            if info is not None and info.deprecated:
                fix = (
                    f'use Instance.new("{info.replacement}")'
                    if info.replacement and info.replacement.isidentifier()
                    else (f"use {info.replacement}" if info.replacement else None)
                )
                yield self.at(ctx, args[0], f"{name} is deprecated", fix)
        bindings = bindings_for(ctx)
        for access, args in method_calls(ctx, ("GetService", "FindService")):
            name = first_string_argument(ctx.source, args)
            info = index.get_class(name) if name else None
            if info is None or not info.service or not info.deprecated:
                continue
            owner = bindings.type_of(access.receiver)
            if owner is None or owner.kind is not TypeKind.CLASS or owner.certainty < Certainty.ISA:
                continue
            fix = f"use {info.replacement}" if info.replacement else None
            yield self.at(ctx, args[0], f"the {name} service is deprecated", fix)
