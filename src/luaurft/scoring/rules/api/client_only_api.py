"""api/client-only-api: a server Script uses an API that only works on the client."""

from __future__ import annotations

from collections.abc import Iterator

from luaurft.luau.kind import ScriptKind
from luaurft.scoring.rule import Finding, Rule, RuleContext, Severity
from luaurft.scoring.rules.api._side import side_uses


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
