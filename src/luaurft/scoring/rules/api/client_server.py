"""api/client-only-api and api/server-only-api: APIs used on the wrong side of the
client/server boundary, from the script kind (Script or LocalScript; ModuleScripts
run on either side and are not checked)."""

from __future__ import annotations

from collections.abc import Iterator

import tree_sitter

from luaurft.luau.kind import ScriptKind
from luaurft.roblox.api import SideRestriction
from luaurft.scoring.analysis.bindings import (
    Certainty,
    TypeKind,
    api_index_for,
    bindings_for,
    call_arguments,
)
from luaurft.scoring.rule import Finding, Rule, RuleContext, Severity
from luaurft.scoring.rules.api._helpers import accesses, first_string_argument


def side_uses(
    ctx: RuleContext, side: str
) -> Iterator[tuple[tree_sitter.Node, str, SideRestriction]]:
    """(node, what, restriction) for every use of an API that only works on `side`."""
    index = api_index_for(ctx)
    bindings = bindings_for(ctx)
    src = ctx.source
    for access in accesses(ctx):
        receiver = bindings.type_of(access.receiver)
        service: str | None = None
        # game:GetService("X") and game.X
        if (
            receiver is not None
            and receiver.kind is TypeKind.CLASS
            and receiver.certainty >= Certainty.ISA
            and index.is_a(receiver.name, "ServiceProvider")
        ):
            if access.method and access.name in ("GetService", "FindService") and access.call:
                service = first_string_argument(src, call_arguments(access.call))
            elif not access.method and index.is_service(access.name):
                service = access.name
        if service is not None:
            restriction = index.service_side(service)
            if restriction is not None and restriction.side == side:
                yield access.node, service, restriction
            continue
        found: SideRestriction | None = None
        owner = None
        known = (
            receiver is not None
            and receiver.kind is TypeKind.CLASS
            and index.member(receiver.name, access.name) is not None
        )
        if known and receiver is not None:
            found = index.member_side(receiver.name, access.name)
            owner = receiver.name
        elif (
            receiver is None or receiver.kind is TypeKind.CLASS
        ) and access.name not in bindings.defined_member_names:
            # Unknown receiver, or one only known as a base class (WaitForChild
            # gives an Instance): recognise the member by its name.
            by_name = index.side_by_member_name(access.name)
            if by_name is not None:
                owner, found = by_name
        if found is not None and found.side == side:
            yield access.name_node, f"{owner}.{access.name}", found


class ClientOnlyApiRule(Rule):
    id = "api/client-only-api"
    scorer = "api"
    severity = Severity.ERROR
    summary = (
        "A server Script uses an API that only works on the client (`Players.LocalPlayer`, "
        "`FireServer`, `OnClientEvent`, UserInputService, `RenderStepped`, ...)."
    )
    bad = (
        "-- kind: Script\n"
        'local Players = game:GetService("Players")\n'
        "local player = Players.LocalPlayer\n"
        "print(player.Name)\n"
    )
    good = (
        "-- kind: Script\n"
        'local Players = game:GetService("Players")\n'
        "Players.PlayerAdded:Connect(function(player)\n\tprint(player.Name)\nend)\n"
    )

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        if ctx.kind is not ScriptKind.SCRIPT:
            return
        for node, what, restriction in side_uses(ctx, "client"):
            yield self.at(
                ctx,
                node,
                f"{what} only works on the client, but this is a server Script: {restriction.reason}",
                "move this code to a LocalScript, or talk to the client through a RemoteEvent",
            )


class ServerOnlyApiRule(Rule):
    id = "api/server-only-api"
    scorer = "api"
    severity = Severity.ERROR
    summary = (
        "A LocalScript uses an API that only works on the server (ServerStorage, "
        "ServerScriptService, DataStoreService, `OnServerEvent`, `FireClient`, ...)."
    )
    bad = (
        "-- kind: LocalScript\n"
        'local DataStoreService = game:GetService("DataStoreService")\n'
        'local store = DataStoreService:GetDataStore("Coins")\n'
    )
    good = (
        "-- kind: LocalScript\n"
        'local ReplicatedStorage = game:GetService("ReplicatedStorage")\n'
        'local remote = ReplicatedStorage:WaitForChild("GetCoins")\n'
        "print(remote:InvokeServer())\n"
    )

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        if ctx.kind is not ScriptKind.LOCAL_SCRIPT:
            return
        for node, what, restriction in side_uses(ctx, "server"):
            yield self.at(
                ctx,
                node,
                f"{what} only works on the server, but this is a LocalScript: {restriction.reason}",
                "move this code to a server Script, or ask the server through a RemoteEvent",
            )
