"""bug/remote-missing-player: a server remote handler whose first parameter is not the player.

On the server, `OnServerEvent` handlers and `OnServerInvoke` callbacks receive
the sending player first, then what the client sent. A handler written as
`function(amount)` treats the player as the amount (and never sees the
amount). The first parameter's name tells: one named like data (`amount`,
`data`, `value`, `message`, `itemName`, ...) is this mistake.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from luaurft.scoring.analysis.calls import calls
from luaurft.scoring.analysis.handlers import handler_function, signal_field
from luaurft.scoring.analysis.nodes import FUNCTION_NODES, unparenthesize
from luaurft.scoring.analysis.scope import FunctionInfo, scope_analysis
from luaurft.scoring.rule import Finding, Rule, RuleContext, Severity

# Names that say "a value sent over the remote", never "the player who sent it".
_DATA_NAME = re.compile(
    r"^(?:amount|data|value|val|message|msg|text|args?|payload|info|count|quantity|qty|"
    r"item|item_?name|item_?id|id|index|price|cost|damage|speed|position|pos|choice|"
    r"option|settings?|request|action|command|cmd|key|number|num|score|coins?)$",
    re.IGNORECASE,
)


class RemoteMissingPlayerRule(Rule):
    id = "bug/remote-missing-player"
    scorer = "bug"
    severity = Severity.WARNING
    summary = (
        "A server remote handler (`OnServerEvent`, `OnServerInvoke`) whose first parameter is "
        "named like data: Roblox passes the sending player first."
    )
    bad = (
        "local remote = game:GetService('ReplicatedStorage'):WaitForChild('Buy')\n"
        "remote.OnServerEvent:Connect(function(itemName)\n"
        "\tprint('buying', itemName)\n"
        "end)\n"
    )
    good = (
        "local remote = game:GetService('ReplicatedStorage'):WaitForChild('Buy')\n"
        "remote.OnServerEvent:Connect(function(player, itemName)\n"
        "\tprint(player.Name, 'buying', itemName)\n"
        "end)\n"
    )

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        source = ctx.source
        if "OnServerEvent" not in source.text and "OnServerInvoke" not in source.text:
            return
        scopes = scope_analysis(ctx)
        handlers: list[tuple[str, FunctionInfo]] = []
        for call in calls(ctx).all:
            if call.method == "Connect" and signal_field(source, call) == "OnServerEvent":
                handler = handler_function(scopes, call)
                if handler is not None:
                    handlers.append(("OnServerEvent", handler))
        for statement in source.nodes("assignment_statement"):
            text = source.node_text(statement)
            if "OnServerInvoke" not in text.split("=", 1)[0]:
                continue
            values = next(
                (c for c in statement.named_children if c.type == "expression_list"), None
            )
            value = (
                unparenthesize(values.named_children[0])
                if values and values.named_children
                else None
            )
            if value is not None and value.type in FUNCTION_NODES:
                info = scopes.function_info(value)
                if info is not None:
                    handlers.append(("OnServerInvoke", info))
        for signal, handler in handlers:
            if not handler.parameters:
                continue
            first = handler.parameters[0]
            if _DATA_NAME.match(first.name):
                yield self.at(
                    ctx,
                    first.node,
                    f"`{first.name}` receives the player who fired {signal}, not the value the "
                    "client sent (that comes second)",
                    f"add the player first: `function(player, {first.name})`",
                )
