"""api/service-by-index: a service reached as `game.Players` instead of through GetService."""

from __future__ import annotations

from collections.abc import Iterator

from luaurft.scoring.analysis.bindings import TypeKind, api_index_for, bindings_for, string_literal
from luaurft.scoring.rule import Finding, Rule, RuleContext, Severity


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
        bindings = bindings_for(ctx)
        src = ctx.source
        for node in src.nodes("dot_index_expression", "bracket_index_expression"):
            table = node.child_by_field_name("table")
            field = node.child_by_field_name("field")
            if table is None or field is None:
                continue
            name = (
                src.node_text(field)
                if node.type == "dot_index_expression"
                else string_literal(src, field)
            )
            if not name or not index.is_service(name):
                continue
            owner = bindings.type_of(table)
            if owner is None or owner.kind is not TypeKind.CLASS or owner.name != "DataModel":
                continue
            if owner.certainty < 2:
                continue
            holder = src.node_text(table)
            if name == "Workspace":
                fix = "use the `workspace` global"
            else:
                fix = f'use {holder}:GetService("{name}")'
            yield self.at(
                ctx,
                node,
                f"`{holder}.{name}` reaches a service by indexing; get it with GetService",
                fix,
            )
