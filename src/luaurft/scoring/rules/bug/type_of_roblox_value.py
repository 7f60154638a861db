"""bug/type-of-roblox-value: `type(x) == "Instance"` is never true; `typeof` was meant."""

from __future__ import annotations

from collections.abc import Iterator

from luaurft.luau.source import field_id
from luaurft.roblox.globals import ROBLOX_GLOBALS
from luaurft.scoring.analysis.builtins import is_real_global
from luaurft.scoring.analysis.nodes import operator_of, unparenthesize
from luaurft.scoring.analysis.scope import scope_analysis
from luaurft.scoring.rule import Finding, Rule, RuleContext, Severity
from luaurft.scoring.rules.bug._binary import binary_expressions

_LEFT = field_id("left")
_NAME = field_id("name")
_RIGHT = field_id("right")

# What `type` can return: anything else compared with it is a mistake.
_TYPE_RESULTS = frozenset(
    {
        "nil",
        "boolean",
        "number",
        "string",
        "table",
        "function",
        "thread",
        "userdata",
        "vector",
        "buffer",
    }
)


_ROBLOX_TYPES = ROBLOX_GLOBALS | {"EnumItem", "Enums", "RBXScriptSignal", "RBXScriptConnection"}


class TypeOfRobloxValueRule(Rule):
    id = "bug/type-of-roblox-value"
    scorer = "bug"
    severity = Severity.WARNING
    summary = (
        '`type(x) == "Instance"` (or "Vector3", "CFrame", ...) is always false: `type` says '
        '"userdata" for every Roblox value; `typeof` gives the Roblox type.'
    )
    bad = (
        "local function isPart(value)\n"
        '\treturn type(value) == "Instance" and value:IsA("BasePart")\nend\n'
    )
    good = (
        "local function isPart(value)\n"
        '\treturn typeof(value) == "Instance" and value:IsA("BasePart")\nend\n'
    )

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        if "type(" not in ctx.source.text:
            return
        scopes = scope_analysis(ctx)
        text = ctx.source.node_text
        for node in binary_expressions(ctx, "==", "~="):
            left, right = node.child_by_field_id(_LEFT), node.child_by_field_id(_RIGHT)
            if left is None or right is None:
                continue
            for call, other in ((unparenthesize(left), right), (unparenthesize(right), left)):
                other = unparenthesize(other)
                if call.type != "function_call" or other.type != "string":
                    continue
                callee = call.child_by_field_id(_NAME)
                if callee is None or callee.type != "identifier" or text(callee) != "type":
                    continue
                if not is_real_global(scopes, callee):
                    continue
                name = text(other)[1:-1]
                if name in _TYPE_RESULTS:
                    continue
                if name in _ROBLOX_TYPES:
                    message = (
                        f'type() never returns "{name}" (it says "userdata" for Roblox values)'
                    )
                    fix = f"typeof{text(call)[4:]} {operator_of(node)} {text(other)}"
                else:
                    message = f'type() never returns "{name}"'
                    fix = "compare with one of: " + ", ".join(sorted(_TYPE_RESULTS))
                yield self.at(ctx, node, message, fix)
