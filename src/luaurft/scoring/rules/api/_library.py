"""Calls and reads of global libraries and functions (`table.find`, `pcall`, `Vector3.new`).

Only names that really are the globals count: a local called `string`, or a
global the script assigns itself, is something else and is never checked.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from luaurft.roblox.api import ApiIndex, default_index
from luaurft.scoring.analysis.calls import Call, calls
from luaurft.scoring.analysis.scope import ScopeAnalysis, scope_analysis

if TYPE_CHECKING:
    from tree_sitter import Node

    from luaurft.luau.source import LuauSource
    from luaurft.scoring.rule import RuleContext


def index_for(ctx: RuleContext) -> ApiIndex:
    """The API index the rules use (the same memo key as the other API rules)."""
    index: ApiIndex = ctx.memo("roblox.api_index", default_index)
    return index


def is_real_global(scopes: ScopeAnalysis, identifier: Node) -> bool:
    """`identifier` reads a global that the code never declares or assigns."""
    ref = scopes.reference(identifier)
    if ref is None or not ref.is_global or ref.write:
        return False
    return ref.name not in scopes.global_writes and not scopes.in_error_region(identifier)


@dataclass(frozen=True, slots=True)
class GlobalCall:
    """A call of `name` (`pcall`, `table.insert`, `Vector3.new`) whose root is the real global."""

    call: Call
    name: str
    args: tuple[Node, ...]

    @property
    def open_ended(self) -> bool:
        """The last argument is a call or `...`: it may pass any number of values."""
        return bool(self.args) and self.args[-1].type in ("function_call", "vararg_expression")


def global_calls(ctx: RuleContext) -> list[GlobalCall]:
    """Calls of global functions and of `Global.member(...)` (one dot), computed once."""

    def compute() -> list[GlobalCall]:
        scopes = scope_analysis(ctx)
        found: list[GlobalCall] = []
        for call in calls(ctx).all:
            name = call.function
            if name is None or name.count(".") > 1:
                continue
            callee = call.callee
            root = callee if callee.type == "identifier" else callee.children[0]
            if root.type != "identifier" or not is_real_global(scopes, root):
                continue
            found.append(GlobalCall(call, name, call.args))
        return found

    result: list[GlobalCall] = ctx.memo("api.global_calls", compute)
    return result


def number_value(source: LuauSource, node: Node) -> float | None:
    """The value of a number literal, negated or parenthesised; None for anything else."""
    sign = 1.0
    while True:
        if node.type == "parenthesized_expression" and node.named_child_count == 1:
            node = node.named_children[0]
        elif node.type == "unary_expression" and node.children[0].type == "-":
            sign = -sign
            node = node.children[-1]
        else:
            break
    if node.type != "number":
        return None
    text = source.node_text(node).replace("_", "")
    try:
        value = float(int(text, 0)) if text.lower().startswith(("0x", "0b")) else float(text)
    except ValueError:
        return None
    return sign * value
