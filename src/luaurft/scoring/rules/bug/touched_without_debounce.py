"""bug/touched-without-debounce: a `Touched` handler that changes state on every touch.

`Touched` fires many times per contact (every limb, every physics step), so a
handler that awards, damages, clones, fires remotes or counts must remember that
it already acted. The rule only looks at handlers that change state in a way
that accumulates: `+=`-style updates, `x = x + ...`, `TakeDamage`, `Clone`,
`Instance.new`, `table.insert`, remote/bindable `Fire*`, DataStore writes, badge
awards and purchase prompts. Setting a property to a value (`Health = 0`) is
the same on every touch and is not flagged.

A debounce is any condition in the handler that tests a variable the script
changes (a boolean flag, a table of who touched, a timestamp), an attribute
(`GetAttribute`) or the clock; or a handler that ends its own connection,
destroys the touched part, sets `CanTouch = false` or disables its script.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from luaurft.scoring.analysis.calls import Call, CallIndex, calls, root_identifier
from luaurft.scoring.analysis.handlers import handler_function, signal_field
from luaurft.scoring.analysis.nodes import FUNCTION_NODES, named_children, operator_of
from luaurft.scoring.analysis.scope import Declaration, FunctionInfo, ScopeAnalysis, scope_analysis
from luaurft.scoring.rule import Finding, Rule, RuleContext, Severity

if TYPE_CHECKING:
    from tree_sitter import Node

    from luaurft.luau.source import LuauSource

ACCUMULATING_METHODS = frozenset(
    {
        "TakeDamage",
        "Clone",
        "Fire",
        "FireClient",
        "FireAllClients",
        "FireServer",
        "IncrementAsync",
        "SetAsync",
        "UpdateAsync",
        "AwardBadge",
        "AwardBadgeAsync",
        "PromptPurchase",
        "PromptProductPurchase",
        "PromptGamePassPurchase",
        "ApplyImpulse",
        "LoadCharacter",
    }
)
ACCUMULATING_FUNCTIONS = frozenset({"Instance.new", "table.insert"})
CLOCK_FUNCTIONS = frozenset({"os.clock", "os.time", "tick", "time", "DateTime.now"})
CLOCK_METHODS = frozenset({"GetAttribute", "GetServerTimeNow", "HasTag"})
# Helpers named for what they check (`debounce()`, `isOnCooldown(player)`, `canUse()`).
_GUARD_NAME = re.compile(r"debounce|cooldown|can[A-Z_]|ready|throttle|recent", re.IGNORECASE)
_MUTATING_TABLE_FUNCTIONS = frozenset({"table.insert", "table.remove", "table.clear"})


def mutated_declarations(
    source: LuauSource, scopes: ScopeAnalysis, index: CallIndex
) -> set[Declaration]:
    """Declarations whose variable, field or element is assigned anywhere."""
    found: set[Declaration] = set()
    for kind in ("assignment_statement", "update_statement"):  # a set: order is moot
        for statement in source.nodes(kind):
            for child in statement.children:
                if child.type != "variable_list":
                    continue
                for target in named_children(child):
                    root = root_identifier(target)
                    decl = scopes.declaration(root) if root is not None else None
                    if decl is not None:
                        found.add(decl)
    for call in index.all:
        if call.function in _MUTATING_TABLE_FUNCTIONS and call.args:
            root = root_identifier(call.args[0])
            decl = scopes.declaration(root) if root is not None else None
            if decl is not None:
                found.add(decl)
    return found


class _Handler:
    def __init__(
        self,
        source: LuauSource,
        scopes: ScopeAnalysis,
        index: CallIndex,
        mutated: set[Declaration],
    ) -> None:
        self.source = source
        self.scopes = scopes
        self.calls = index
        self.mutated = mutated

    def _outside(self, decl: Declaration | None, handler: FunctionInfo) -> bool:
        return decl is not None and not handler.contains(decl.node)

    def accumulates(self, handler: FunctionInfo, depth: int = 0) -> Node | None:
        """The first statement or call in the handler that changes state cumulatively."""
        body = handler.body
        if body is None:
            return None
        stack = list(reversed(body.children))
        while stack:
            node = stack.pop()
            kind = node.type
            if kind in FUNCTION_NODES:
                continue
            if kind == "update_statement" and self._changes_outer(node, handler):
                return node
            if kind == "assignment_statement" and self._self_referencing(node):
                return node
            if kind == "function_call":
                call = self.calls.of(node)
                if call is not None:
                    if (
                        call.method in ACCUMULATING_METHODS
                        or call.function in ACCUMULATING_FUNCTIONS
                    ):
                        return node
                    if depth < 2 and self._calls_accumulating_local(call, depth):
                        return node
            stack.extend(reversed(node.children))
        return None

    def _changes_outer(self, update: Node, handler: FunctionInfo) -> bool:
        for child in update.children:
            if child.type == "variable_list":
                for target in named_children(child):
                    if target.type != "identifier":
                        return True
                    decl = self.scopes.declaration(target)
                    if decl is None or self._outside(decl, handler):
                        return True
        return False

    def _self_referencing(self, assignment: Node) -> bool:
        # `coins.Value = coins.Value + 1`: the new value is built from the old one.
        targets: list[Node] = []
        values: list[Node] = []
        for child in assignment.children:
            if child.type == "variable_list":
                targets = named_children(child)
            elif child.type == "expression_list":
                values = named_children(child)
        for target, value in zip(targets, values, strict=False):
            if value.type == "binary_expression" and self.source.node_text(
                target
            ) in self.source.node_text(value):
                return True
        return False

    def _local_function(self, call: Call) -> FunctionInfo | None:
        if call.function is None or "." in call.function:
            return None
        decl = self.scopes.declaration(call.callee)
        if decl is None or decl.value is None or decl.value.type not in FUNCTION_NODES:
            return None
        return self.scopes.function_info(decl.value)

    def _calls_accumulating_local(self, call: Call, depth: int) -> bool:
        info = self._local_function(call)
        return info is not None and self.accumulates(info, depth + 1) is not None

    def debounced(self, handler: FunctionInfo, touched_object: str, depth: int = 0) -> bool:
        """True when the handler, or a local function it calls, guards or ends itself."""
        body = handler.body
        if body is None:
            return True
        stack = [body]
        while stack:
            node = stack.pop()
            kind = node.type
            if kind in FUNCTION_NODES:
                continue
            if kind in ("if_statement", "elseif_statement", "while_statement", "if_expression"):
                if self._tests_state(node.child_by_field_name("condition"), handler):
                    return True
            elif kind == "binary_expression" and operator_of(node) in ("and", "or"):
                if self._tests_state(node.child_by_field_name("left"), handler):
                    return True
            elif kind == "function_call":
                call = self.calls.of(node)
                if call is not None and self._ends_itself(call, touched_object):
                    return True
                callee = self._local_function(call) if call is not None and depth < 2 else None
                if callee is not None and self.debounced(callee, touched_object, depth + 1):
                    return True
            elif kind == "assignment_statement":
                text = " ".join(self.source.node_text(node).split())
                if text in ("script.Disabled = true", "script.Enabled = false") or (
                    ".CanTouch = false" in text
                ):
                    return True
            stack.extend(node.children)
        return False

    def _tests_state(self, condition: Node | None, handler: FunctionInfo, depth: int = 0) -> bool:
        """True when `condition` reads state the script changes, an attribute or the clock."""
        if condition is None:
            return False
        stack = [condition]
        while stack:
            node = stack.pop()
            if node.type == "identifier":
                decl = self.scopes.declaration(node)
                if decl is None:
                    # A global flag (`debounce = true` without `local`) works the same way.
                    name = self.source.node_text(node)
                    if name in self.scopes.global_writes:
                        return True
                elif self._outside(decl, handler) and decl in self.mutated:
                    return True
            elif node.type == "function_call":
                call = self.calls.of(node)
                if call is not None and (
                    call.function in CLOCK_FUNCTIONS or call.method in CLOCK_METHODS
                ):
                    return True
                if call is not None and call.name is not None and _GUARD_NAME.search(call.name):
                    return True
                # `if canDamage() then`: a local helper that checks a timestamp or flag.
                callee = self._local_function(call) if call is not None and depth < 2 else None
                if callee is not None and self._tests_state(callee.body, callee, depth + 1):
                    return True
            stack.extend(node.children)
        return False

    def _ends_itself(self, call: Call, touched_object: str) -> bool:
        if call.method == "Disconnect":
            return True
        if call.method == "Destroy" and call.object is not None:
            target = self.source.node_text(call.object)
            return target in (touched_object, "script")
        return False


class TouchedWithoutDebounceRule(Rule):
    id = "bug/touched-without-debounce"
    scorer = "bug"
    severity = Severity.WARNING
    summary = (
        "A Touched handler that awards, damages, spawns or counts must debounce: Touched "
        "fires many times for one contact."
    )
    bad = (
        'local Players = game:GetService("Players")\n'
        "local pad = script.Parent\n"
        "pad.Touched:Connect(function(hit)\n"
        "\tlocal player = Players:GetPlayerFromCharacter(hit.Parent)\n"
        "\tif player then\n"
        "\t\tplayer.leaderstats.Coins.Value += 10\n"
        "\tend\n"
        "end)\n"
    )
    good = (
        'local Players = game:GetService("Players")\n'
        "local pad = script.Parent\n"
        "local rewarded: { [Player]: boolean } = {}\n"
        "pad.Touched:Connect(function(hit)\n"
        "\tlocal player = Players:GetPlayerFromCharacter(hit.Parent)\n"
        "\tif player and not rewarded[player] then\n"
        "\t\trewarded[player] = true\n"
        "\t\tplayer.leaderstats.Coins.Value += 10\n"
        "\tend\n"
        "end)\n"
    )

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        if "Touched" not in ctx.source.text:
            return
        scopes = scope_analysis(ctx)
        index = calls(ctx)
        checker: _Handler | None = None
        for call in index.all:
            if call.method != "Connect" or call.object is None:
                continue
            if signal_field(ctx.source, call) != "Touched":
                continue
            handler = handler_function(scopes, call)
            if handler is None or scopes.in_error_region(handler.node):
                continue
            if checker is None:
                checker = _Handler(
                    ctx.source, scopes, index, mutated_declarations(ctx.source, scopes, index)
                )
            change = checker.accumulates(handler)
            if change is None:
                continue
            table = call.object.child_by_field_name("table")
            touched = ctx.source.node_text(table) if table is not None else ""
            if checker.debounced(handler, touched):
                continue
            line = change.start_point[0] + 1
            yield self.at(
                ctx,
                call.node,
                f"this Touched handler changes state (line {line}) on every touch with no "
                "debounce; one contact fires Touched many times",
                "keep a per-player table or a cooldown time and return early when it is set",
            )
