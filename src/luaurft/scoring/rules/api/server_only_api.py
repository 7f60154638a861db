"""api/server-only-api: a LocalScript uses an API that only works on the server."""

from __future__ import annotations

from collections.abc import Iterator

from luaurft.luau.kind import ScriptKind
from luaurft.scoring.rule import Finding, Rule, RuleContext, Severity
from luaurft.scoring.rules.api._side import side_uses


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
