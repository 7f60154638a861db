"""api/readonly-property: an assignment to a read-only property."""

from __future__ import annotations

from collections.abc import Iterator

from luaurft.roblox.api import MemberKind
from luaurft.scoring.analysis.bindings import Certainty, TypeKind, api_index_for
from luaurft.scoring.rule import Finding, Rule, RuleContext, Severity
from luaurft.scoring.rules.api._helpers import accesses, receiver_types


class ReadOnlyPropertyRule(Rule):
    id = "api/readonly-property"
    scorer = "api"
    severity = Severity.ERROR
    summary = (
        "A read-only property is assigned (`part.AssemblyMass = ...`, `player.AccountAge = ...`); "
        "it raises at run time."
    )
    bad = 'local part = Instance.new("Part")\npart.AssemblyMass = 10\n'
    good = (
        'local part = Instance.new("Part")\n'
        "part.CustomPhysicalProperties = PhysicalProperties.new(10, 0.3, 0.5)\n"
    )

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        index = api_index_for(ctx)
        for access, receiver in zip(accesses(ctx), receiver_types(ctx), strict=True):
            if not access.assigned or access.method:
                continue
            if (
                receiver is None
                or receiver.kind is not TypeKind.CLASS
                or receiver.certainty < Certainty.ISA
            ):
                continue
            member = index.member(receiver.name, access.name)
            if member is None or member.kind is not MemberKind.PROPERTY or not member.readonly:
                continue
            yield self.at(
                ctx,
                access.name_node,
                f"{member.owner}.{member.name} is read-only",
                None,
            )
