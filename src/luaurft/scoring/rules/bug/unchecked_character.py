"""bug/unchecked-character: `player.Character.Humanoid` with nothing checking Character.

`Player.Character` is nil until the character spawns (so always nil inside a
`PlayerAdded` handler or at the top of a LocalScript) and again after it is
removed, so indexing through it errors ("attempt to index nil with
'Humanoid'"). The usual fixes are `player.Character or
player.CharacterAdded:Wait()`, a `CharacterAdded` handler, or an `if` on
Character first; code in a function that already tests or waits for the
character before the access is left alone.

Two handlers run only while the character exists, so they are left alone too:
`ProximityPrompt.Triggered` for its own player (the engine fires it for a player
whose character stood within reach of the prompt), and `Tool.Equipped` for the
script's player (a tool is equipped only while parented to its holder's
character), also in a named function that only such a handler calls.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from luaurft.scoring.analysis.calls import CallIndex, callee_name, calls
from luaurft.scoring.analysis.handlers import connected_signal, function_uses
from luaurft.scoring.analysis.nodes import FUNCTION_NODES
from luaurft.scoring.analysis.scope import FunctionInfo, ScopeAnalysis, scope_analysis
from luaurft.scoring.rule import Finding, Rule, RuleContext, Severity

if TYPE_CHECKING:
    from tree_sitter import Node

    from luaurft.luau.source import LuauSource

# Something before the access in the same function that handles a missing
# character: a condition or an `and`/`or` on it, a wait for it, an assert.
_HANDLED = re.compile(
    r"\b(?:if|elseif|while|until|and|or|not|assert)\b[^\n]*\bCharacter\b"
    r"|\bCharacter\b[^\n]*\b(?:and|or)\b"
    r"|CharacterAdded|CharacterAppearanceLoaded|LoadCharacter"
)


# Roots that are never a Player: `ServerScriptService.Character.CharacterClass`
# is a folder named Character, `Enum.RenderPriority.Character` an enum item, not a
# character that may be missing.
_NOT_A_PLAYER = frozenset({"game", "workspace", "Workspace", "script", "Enum"})


def _root(node: Node | None) -> Node | None:
    """The identifier an index chain starts from (`ServerScriptService` in
    `ServerScriptService.Character.X`), or None when it starts from a call."""
    current: Node | None = node
    while current is not None and current.type == "dot_index_expression":
        current = current.child_by_field_name("table")
    return current if current is not None and current.type == "identifier" else None


def _is_service_root(ctx: RuleContext, root: Node) -> bool:
    from luaurft.roblox.api import curated_index

    name = ctx.source.node_text(root)
    if name in _NOT_A_PLAYER or curated_index().is_service(name):
        return True
    # A local that holds the service itself, not something reached from it
    # (`local player = game:GetService("Players").LocalPlayer` is a Player).
    scopes = scope_analysis(ctx)
    declaration = scopes.declaration(root)
    if declaration is None or declaration.value is None or declaration.writes:
        return False
    value = declaration.value
    return value.type == "function_call" and callee_name(ctx.source, value) == "game:GetService"


def _code_between(source: LuauSource, start: int, end: int) -> str:
    """The code from byte `start` to `end` with its comments blanked: a comment that
    talks about the character (`-- Character or not ...`) checks nothing."""
    data = bytearray(source.bytes[start:end])
    for comment in source.comments:
        if comment.end_byte > start and comment.start_byte < end:
            a, b = max(comment.start_byte, start) - start, min(comment.end_byte, end) - start
            data[a:b] = b" " * (b - a)
    return data.decode("utf-8", "replace")


def _enclosing_start(node: Node) -> int:
    current = node.parent
    while current is not None:
        if current.type in FUNCTION_NODES:
            return current.start_byte
        current = current.parent
    return 0


# How many named functions deep a call chain from a handler is followed.
_CALLER_DEPTH = 3


def _runs_with_character(
    ctx: RuleContext,
    scopes: ScopeAnalysis,
    index: CallIndex,
    info: FunctionInfo | None,
    root: Node,
    depth: int = 0,
) -> bool:
    """True when `info` runs only while `root`'s character exists: it is a Triggered
    handler and `root` its player parameter, or an Equipped handler and `root` a player
    bound outside it, or a named function every use of which is a call from such code."""
    if info is None or depth > _CALLER_DEPTH:
        return False
    uses = function_uses(scopes, info)
    direct = [info.node] if info.node.type == "function_definition" else []
    signals = [connected_signal(ctx.source, index, node) for node in direct]
    signals += [connected_signal(ctx.source, index, ref.node) for ref in uses or []]
    declaration = scopes.declaration(root)
    for signal in signals:
        if signal is None:
            continue
        if signal.endswith(".Triggered"):
            return bool(info.parameters) and declaration is info.parameters[0]
        if signal.endswith(".Equipped"):
            return declaration is None or not info.contains(declaration.node)
        return False
    if not uses:
        return False
    for ref in uses:
        call = ref.node.parent
        if call is None or call.type != "function_call" or index.of(call) is None:
            return False
        caller = scopes.enclosing_function(call)
        if not _runs_with_character(ctx, scopes, index, caller, root, depth + 1):
            return False
    return True


class UncheckedCharacterRule(Rule):
    id = "bug/unchecked-character"
    scorer = "bug"
    severity = Severity.WARNING
    summary = (
        "`player.Character.X` with nothing checking Character first: it is nil until the "
        "character spawns (always, inside PlayerAdded) and after it is removed."
    )
    bad = (
        "local Players = game:GetService('Players')\n"
        "Players.PlayerAdded:Connect(function(player)\n"
        "\tplayer.Character.Humanoid.WalkSpeed = 24\n"
        "end)\n"
    )
    good = (
        "local Players = game:GetService('Players')\n"
        "Players.PlayerAdded:Connect(function(player)\n"
        "\tplayer.CharacterAdded:Connect(function(character)\n"
        "\t\tcharacter:WaitForChild('Humanoid').WalkSpeed = 24\n"
        "\tend)\n"
        "end)\n"
    )

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        source = ctx.source
        if ".Character." not in source.text and ".Character:" not in source.text:
            return
        reported: set[int] = set()
        scopes = scope_analysis(ctx)
        index = calls(ctx)
        for access in source.nodes("dot_index_expression"):
            field = access.child_by_field_name("field")
            if field is None or source.node_text(field) != "Character":
                continue
            outer = access.parent
            if outer is None or outer.type not in (
                "dot_index_expression",
                "method_index_expression",
            ):
                continue
            if outer.child_by_field_name("table") != access:
                continue
            root = _root(access.child_by_field_name("table"))
            if root is not None and _is_service_root(ctx, root):
                continue
            parent = outer.parent
            # `player.Character.Humanoid = x` cannot happen; only reads through Character count.
            if parent is not None and parent.type == "assignment_statement":
                continue
            start = _enclosing_start(access)
            before = _code_between(source, start, access.start_byte)
            line = access.start_point[0]
            if _HANDLED.search(before) or line in reported:
                continue
            if root is not None and _runs_with_character(
                ctx, scopes, index, scopes.enclosing_function(access), root
            ):
                continue
            reported.add(line)
            yield self.at(
                ctx,
                access,
                f"`{source.node_text(access)}` is nil until the character spawns and after it "
                "is removed; indexing through it then errors",
                "use `player.Character or player.CharacterAdded:Wait()`, a CharacterAdded "
                "handler, or check Character first",
            )
