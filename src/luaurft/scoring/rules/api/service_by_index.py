"""api/service-by-index: a service reached as `game.Players` instead of through GetService.

`game.Players` finds a child by name, so it breaks when the service is renamed or not
yet created. `game.Workspace` and `game.RunService` are not such lookups: they are
properties of DataModel (not deprecated) that always hold the service, so they are
left alone; the deprecated lower-case `game.workspace` is api/deprecated-member's.
"""

from __future__ import annotations

from collections.abc import Iterator

from luaurft.luau.source import field_id
from luaurft.roblox.api import MemberKind
from luaurft.scoring.analysis.bindings import TypeKind, api_index_for, bindings_for, string_literal
from luaurft.scoring.rule import Finding, Rule, RuleContext, Severity
from luaurft.scoring.rules.api._helpers import accesses

_TABLE = field_id("table")
_FIELD = field_id("field")


class ServiceByIndexRule(Rule):
    id = "api/service-by-index"
    scorer = "api"
    severity = Severity.WARNING
    summary = (
        "A service is reached by indexing `game` (`game.Players`) instead of "
        '`game:GetService("Players")`, which works even when the service is renamed or '
        "not yet created."
    )
    bad = "local players = game.Players\nprint(#players:GetPlayers())\n"
    good = 'local Players = game:GetService("Players")\nprint(#Players:GetPlayers())\n'

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        index = api_index_for(ctx)
        services = index.services
        src = ctx.source
        # (node, table, service name) of every `x.Service` and `x["Service"]`. The
        # dot form's names are at hand in the access list, so only a service's name
        # costs a look at the tree.
        found = [
            (access.node, access.receiver, access.name)
            for access in accesses(ctx)
            if access.name in services and not access.method
        ]
        brackets = []
        for node in src.nodes("bracket_index_expression"):
            table = node.child_by_field_id(_TABLE)
            field = node.child_by_field_id(_FIELD)
            if table is None or field is None:
                continue
            name = string_literal(src, field)
            if name and name in services:
                brackets.append((node, table, name))
        if brackets:
            # In reading order; at one start, the `.` form before the `[]` one.
            found = sorted([*found, *brackets], key=lambda f: f[0].start_byte)
        if not found:
            return
        bindings = bindings_for(ctx)
        for node, table, name in found:
            owner = bindings.type_of(table)
            if owner is None or owner.kind is not TypeKind.CLASS or owner.name != "DataModel":
                continue
            if owner.certainty < 2:
                continue
            member = index.member("DataModel", name)
            if member is not None and member.kind is MemberKind.PROPERTY:
                continue
            holder = src.node_text(table)
            fix = f'use {holder}:GetService("{name}")'
            yield self.at(
                ctx,
                node,
                f"`{holder}.{name}` reaches a service by indexing; get it with GetService",
                fix,
            )
