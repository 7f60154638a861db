"""bug/connection-leak: a connection made over and over (in a loop or an event handler) and never ended.

Each run of the loop or the handler adds one more live connection: handlers pile
up, run many times per event and keep their upvalues alive. The rule looks at
`:Connect` calls inside a `while`/`repeat` loop or inside a function connected to
an event (a literal or a local function passed to `:Connect`). It stays silent
when:

- the signal belongs to an object the loop iteration or handler obtained itself
  (`player.CharacterAdded` in a PlayerAdded handler, `humanoid.Died` for a
  humanoid found in a CharacterAdded handler): it goes away with that object,
  also when the handler first stores that object in an outer variable
  (`char = newChar; char.ChildAdded:Connect(...)`): each run connects to a new
  object's signal, so nothing piles up on one;
- the connection is kept: stored in a local that is used again (to disconnect
  it), in a field or table, passed to a function (a maid/janitor/trove, or
  `table.insert`) or returned;
- it is `:Once`, which ends by itself.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from luaurft.scoring.analysis.calls import Call, CallIndex, calls, root_identifier
from luaurft.scoring.analysis.handlers import CONNECT_METHODS, handler_signal
from luaurft.scoring.analysis.nodes import ancestors, contains, same
from luaurft.scoring.analysis.scope import ScopeAnalysis, scope_analysis
from luaurft.scoring.rule import Finding, Rule, RuleContext, Severity

if TYPE_CHECKING:
    from tree_sitter import Node

    from luaurft.luau.source import LuauSource

_REPEATING_LOOPS = frozenset({"while_statement", "repeat_statement"})
_WRAPPERS = frozenset({"parenthesized_expression", "cast_expression"})


def _kept(scopes: ScopeAnalysis, call: Call) -> bool:
    """True when the connection object is stored, passed on or returned."""
    value = call.node
    parent = value.parent
    while parent is not None and parent.type in _WRAPPERS:
        value = parent
        parent = value.parent
    if parent is None:
        return False
    kind = parent.type
    if kind in ("arguments", "field", "return_statement", "binary_expression", "if_expression"):
        return True
    if kind != "expression_list":
        return False
    holder = parent.parent
    if holder is not None and holder.type == "return_statement":
        return True
    if holder is None or holder.type != "assignment_statement":
        return False
    values = [c for c in parent.named_children if c.type != "comment"]
    position = next((i for i, v in enumerate(values) if same(v, value)), -1)
    targets: list[Node] = []
    for child in holder.children:
        if child.type == "variable_list":
            targets = [c for c in child.named_children if c.type not in ("comment", "attribute")]
    if position < 0 or position >= len(targets):
        return False
    target = targets[position]
    if target.type != "identifier":
        return True  # a field or table slot
    decl = scopes.declaration(target)
    if decl is None:
        return True  # a global: visible to other code
    return bool(decl.reads)


def _assigned_own_object(scopes: ScopeAnalysis, root: Node, context: Node, call: Call) -> bool:
    """True when an outer variable `root` was set, inside `context` and before `call`, to
    something reached from a name `context` declares (a handler parameter, a local of it)."""
    decl = scopes.declaration(root)
    if decl is None:
        return False
    for write in decl.writes:
        if not contains(context, write.node) or write.node.start_byte >= call.node.start_byte:
            continue
        source_root = root_identifier(write.value)
        if source_root is None:
            continue
        source_decl = scopes.declaration(source_root)
        if source_decl is not None and contains(context, source_decl.node):
            return True
    return False


class ConnectionLeakRule(Rule):
    id = "bug/connection-leak"
    scorer = "bug"
    severity = Severity.WARNING
    summary = (
        "A connection made inside a loop or an event handler to a signal that outlives it "
        "is never disconnected, so handlers pile up each time."
    )
    bad = (
        'local Players = game:GetService("Players")\n'
        'local RunService = game:GetService("RunService")\n'
        "Players.PlayerAdded:Connect(function(player)\n"
        "\tRunService.Heartbeat:Connect(function()\n"
        "\t\tprint(player.Name)\n"
        "\tend)\n"
        "end)\n"
    )
    good = (
        'local Players = game:GetService("Players")\n'
        'local RunService = game:GetService("RunService")\n'
        "Players.PlayerAdded:Connect(function(player)\n"
        "\tlocal heartbeat = RunService.Heartbeat:Connect(function()\n"
        "\t\tprint(player.Name)\n"
        "\tend)\n"
        "\tplayer.AncestryChanged:Connect(function()\n"
        "\t\tif not player.Parent then\n"
        "\t\t\theartbeat:Disconnect()\n"
        "\t\tend\n"
        "\tend)\n"
        "end)\n"
    )

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        scopes = scope_analysis(ctx)
        index = calls(ctx)
        for call in index.all:
            if call.method not in CONNECT_METHODS or call.object is None:
                continue
            if scopes.in_error_region(call.node):
                continue
            context, where = self._repeating_context(ctx.source, scopes, index, call)
            if context is None:
                continue
            root = root_identifier(call.object)
            if root is None:
                continue
            decl = scopes.declaration(root)
            if decl is not None and contains(context, decl.node):
                continue
            if _assigned_own_object(scopes, root, context, call):
                continue
            if _kept(scopes, call):
                continue
            signal = ctx.source.node_text(call.object)
            yield self.at(
                ctx,
                call.node,
                f"`{signal}` is connected {where} and never disconnected: every run adds "
                "another connection",
                "keep the connection and :Disconnect() it when done, or use :Once()",
            )

    def _repeating_context(
        self, source: LuauSource, scopes: ScopeAnalysis, index: CallIndex, call: Call
    ) -> tuple[Node | None, str]:
        for parent in ancestors(call.node):
            if parent.type in _REPEATING_LOOPS:
                return parent, "inside a loop"
            if parent.type in ("function_declaration", "function_definition"):
                info = scopes.function_info(parent)
                if info is None:
                    return None, ""
                signal = handler_signal(source, scopes, index, info)
                if signal is None:
                    return None, ""
                return parent, f"inside a `{signal}` handler"
        return None, ""
