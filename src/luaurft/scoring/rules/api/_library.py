"""Calls and reads of global libraries and functions (`table.find`, `pcall`, `Vector3.new`).

Only names that really are the globals count: a local called `string`, or a
global the script assigns itself, is something else and is never checked.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from luaurft.roblox.api import ApiIndex, default_index
from luaurft.scoring.analysis.builtins import is_real_global
from luaurft.scoring.analysis.calls import Call, calls
from luaurft.scoring.analysis.scope import scope_analysis

if TYPE_CHECKING:
    from tree_sitter import Node

    from luaurft.scoring.rule import RuleContext


def index_for(ctx: RuleContext) -> ApiIndex:
    """The API index the rules use (the same memo key as the other API rules)."""
    index: ApiIndex = ctx.memo("roblox.api_index", default_index)
    return index


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
            if call.method is not None:
                continue  # `obj:m()`: no global function
            # The root first: a dict lookup spares spelling out the names of the
            # many calls of locals and fields.
            callee = call.callee
            if callee.type == "identifier":
                root = callee
            elif callee.child_count:
                root = callee.children[0]
            else:
                continue
            if root.type != "identifier" or not is_real_global(scopes, root):
                continue
            name = call.function
            if name is None or name.count(".") > 1:
                continue
            found.append(GlobalCall(call, name, call.args))
        return found

    result: list[GlobalCall] = ctx.memo("api.global_calls", compute)
    return result
