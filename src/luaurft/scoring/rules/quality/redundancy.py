"""Redundant safety: nil checks on values that cannot be nil, and pcall results thrown away.

Both are what padding code for a reviewer looks like: the check or the wrapper
adds lines and nesting but no safety.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from luaurft.roblox.globals import KNOWN_GLOBALS
from luaurft.scoring import shape
from luaurft.scoring.rule import Finding, Rule, RuleContext, Severity

if TYPE_CHECKING:
    import tree_sitter

    from luaurft.luau.source import LuauSource

# Globals that can be nil in a game script (`plugin` exists only in plugins).
_MAYBE_NIL_GLOBALS = frozenset({"plugin"})
# Calls that always produce a value (or raise): constructors, services, modules.
_NON_NIL_CALL = re.compile(
    r"(?:^|[.:])(?:new|GetService|setmetatable|require|Create)$|^(?:setmetatable|require)$"
)
_NON_NIL_VALUE_TYPES = frozenset(
    {"table_constructor", "string", "number", "true", "false", "function_definition"}
)


def _value_kind(source: LuauSource, value: tree_sitter.Node | None) -> str:
    """'truthy', 'false' (a value, but falsy) or 'unknown'."""
    if value is None:
        return "unknown"
    if value.type == "false":
        return "false"
    if value.type in _NON_NIL_VALUE_TYPES:
        return "truthy"
    if value.type == "function_call" and _NON_NIL_CALL.search(shape.callee_name(source, value)):
        return "truthy"
    return "unknown"


def _bindings(ctx: RuleContext) -> dict[str, set[str]]:
    """For each locally declared name, the kinds of every value ever bound to it."""
    source = ctx.source
    kinds: dict[str, set[str]] = {}
    count: dict[str, int] = {}
    for decl in shape.declarations(ctx):
        count[decl.name] = count.get(decl.name, 0) + 1
        if decl.role == "function":
            kinds.setdefault(decl.name, set()).add("truthy")
    for assignment in source.nodes("assignment_statement"):
        if not assignment.named_children:
            continue
        names = assignment.named_children[0].children_by_field_name("name")
        values_node = next(
            (c for c in assignment.named_children if c.type == "expression_list"), None
        )
        values = values_node.named_children if values_node is not None else []
        for index, target in enumerate(names):
            if target.type != "identifier":
                continue
            # A multi-value call at the end may fill several targets: unknown.
            value = values[index] if index < len(values) and len(values) == len(names) else None
            kinds.setdefault(source.node_text(target), set()).add(_value_kind(source, value))
    for decl in shape.declarations(ctx):
        if decl.role in ("param", "callback-param", "loop"):
            kinds.setdefault(decl.name, set()).add("unknown")
    # `local x` with no value binds nil.
    for statement in source.nodes("variable_declaration"):
        if not any(c.type == "assignment_statement" for c in statement.named_children):
            for child in statement.named_children:
                for ident in child.children_by_field_name("name"):
                    kinds.setdefault(source.node_text(ident), set()).add("unknown")
    return {name: k for name, k in kinds.items() if count.get(name, 0) == 1}


class RedundantNilCheckRule(Rule):
    id = "quality/redundant-nil-check"
    scorer = "quality"
    severity = Severity.INFO
    summary = "A nil check on a value that cannot be nil (a constructor, a service, a builtin): noise, not safety."
    bad = (
        "local Players = game:GetService('Players')\nif Players ~= nil then\n"
        "\tprint(#Players:GetPlayers())\nend\n"
    )
    good = (
        "local Players = game:GetService('Players')\nlocal player = Players:FindFirstChild('Builder')\n"
        "if player ~= nil then\n\tprint(player.Name)\nend\n"
    )
    cost = 0.03
    needs_clean_tree = True

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        source = ctx.source
        declared = {d.name for d in shape.declarations(ctx)}
        bindings = _bindings(ctx)

        def known(node: tree_sitter.Node, allowed: set[str]) -> bool:
            if node.type != "identifier":
                return False
            name = source.node_text(node)
            if name in declared:
                kinds = bindings.get(name)
                return kinds is not None and bool(kinds) and kinds <= allowed
            return name in KNOWN_GLOBALS and name not in _MAYBE_NIL_GLOBALS

        def cannot_be_nil(node: tree_sitter.Node) -> bool:
            return known(node, {"truthy", "false"})

        def always_truthy(node: tree_sitter.Node) -> bool:
            return known(node, {"truthy"})

        for comparison in source.nodes("binary_expression"):
            operator = comparison.child(1)
            if operator is None or operator.type not in ("~=", "=="):
                continue
            left, right = (
                comparison.child_by_field_name("left"),
                comparison.child_by_field_name("right"),
            )
            if left is None or right is None:
                continue
            subject = left if right.type == "nil" else right if left.type == "nil" else None
            if subject is not None and cannot_be_nil(subject):
                yield self.at(
                    ctx,
                    comparison,
                    f"'{source.node_text(subject)}' can never be nil here",
                    "drop the check",
                )
        for statement in source.nodes("if_statement", "elseif_statement", "while_statement"):
            condition = statement.child_by_field_name("condition")
            if condition is not None and always_truthy(condition):
                yield self.at(
                    ctx,
                    condition,
                    f"'{source.node_text(condition)}' is always truthy here",
                    "drop the check",
                )


class DiscardedPcallRule(Rule):
    id = "quality/discarded-pcall"
    scorer = "quality"
    severity = Severity.INFO
    summary = "pcall/xpcall called as a statement: its success flag is thrown away, so failures vanish silently."
    bad = "local function save()\n\terror('disk full')\nend\npcall(save)\nprint('saved')\n"
    good = (
        "local function save()\n\terror('disk full')\nend\nlocal ok, err = pcall(save)\n"
        "if not ok then\n\twarn('save failed: ' .. tostring(err))\nend\n"
    )
    cost = 0.03

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        source = ctx.source
        for call in source.nodes("function_call"):
            if shape.is_statement(call) and shape.callee_name(source, call) in shape.WRAPPER_CALLS:
                yield self.at(
                    ctx,
                    call,
                    "the result of pcall is discarded; errors are swallowed silently",
                    "check the success flag and report the error",
                )
