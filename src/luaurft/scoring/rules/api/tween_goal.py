"""api/tween-goal: a `TweenService:Create` goal names a property the target cannot tween.

`TweenService:Create(instance, info, goal)` errors when a key of the goal is no
property of the instance (`Transparancy`), is read-only, or holds a type tweens
cannot move (a string, a BrickColor, an Instance, ...). Only goals written as a
table in the call are read, on a target whose Roblox class is known: a name is
reported missing only when no class that is one of those has it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING

from luaurft.roblox.surface import members_below, resolve_member
from luaurft.scoring.analysis.bindings import TypeKind, bindings_for, string_literal
from luaurft.scoring.analysis.nodes import named_children
from luaurft.scoring.rule import Finding, Rule, RuleContext, Severity
from luaurft.scoring.rules.api._helpers import accesses, closest, receiver_types

if TYPE_CHECKING:
    from tree_sitter import Node

# The runtime's list of the value types a tween moves (`typeof` names) is the one home
# of that fact: read from there.
_TWEENABLE_LINE = re.compile(r"local TWEENABLE = \{([^}]*)\}")


@cache
def tweenable_types() -> frozenset[str]:
    """The `typeof` names of the values TweenService can tween (the mock runtime's)."""
    text = resources.files("luaurft.roblox").joinpath("runtime", "tween.luau").read_text("utf-8")
    found = _TWEENABLE_LINE.search(text)
    if found is None:
        raise RuntimeError("tween.luau no longer spells `local TWEENABLE = { ... }`")
    return frozenset(re.findall(r"(\w+)\s*=\s*true", found.group(1)))


def _typeof_of(tag: str) -> str:
    """The `typeof` of a value of a property of this surface type tag."""
    if tag in ("int", "number"):
        return "number"
    if tag == "bool":
        return "boolean"
    if tag.startswith("Enum:"):
        return "EnumItem"
    if tag.startswith("Instance"):
        return "Instance"
    if tag == "Content":
        return "string"
    return tag


def _goal_keys(ctx: RuleContext, goal: Node) -> Iterator[tuple[Node, str]]:
    """(key node, name) of each named or string-keyed field of a goal table."""
    for field in named_children(goal):
        if field.type != "field":
            continue
        key = field.child_by_field_name("name")
        if key is None:
            continue
        if key.type == "identifier" and field.children[0].type != "[":
            yield key, ctx.source.node_text(key)
        elif key.type == "string":
            name = string_literal(ctx.source, key)
            if name is not None:
                yield key, name


class TweenGoalRule(Rule):
    id = "api/tween-goal"
    scorer = "api"
    severity = Severity.ERROR
    summary = (
        "A `TweenService:Create` goal key that is no property of the target, is read-only, or "
        "holds a type tweens cannot move (a string, a BrickColor): the call errors."
    )
    bad = (
        'local TweenService = game:GetService("TweenService")\n'
        'local part = Instance.new("Part")\n'
        "TweenService:Create(part, TweenInfo.new(1), { Transparancy = 1 }):Play()\n"
    )
    good = (
        'local TweenService = game:GetService("TweenService")\n'
        'local part = Instance.new("Part")\n'
        "TweenService:Create(part, TweenInfo.new(1), { Transparency = 1 }):Play()\n"
    )

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        found = accesses(ctx)
        if not any(a.method and a.name == "Create" for a in found):
            return
        for access, receiver in zip(found, receiver_types(ctx), strict=True):
            if (
                not access.method
                or access.name != "Create"
                or access.call is None
                or receiver is None
                or receiver.name != "TweenService"
            ):
                continue
            arguments = access.call.child_by_field_name("arguments")
            args = named_children(arguments) if arguments is not None else []
            if len(args) < 3 or args[2].type != "table_constructor":
                continue
            target = bindings_for(ctx).type_of(args[0])
            if target is None or target.kind is not TypeKind.CLASS:
                continue
            yield from self._judge_goal(ctx, target.name, args[2])

    def _judge_goal(self, ctx: RuleContext, class_name: str, goal: Node) -> Iterator[Finding]:
        for key, name in _goal_keys(ctx, goal):
            member = resolve_member(class_name, name)
            if member is None or member[1] != "p":
                if name in members_below(class_name):
                    continue  # a subclass of the target's class may have it
                names = sorted(m for m in members_below(class_name) if m[:1].isupper())
                guess = closest(name, names)
                yield self.at(
                    ctx,
                    key,
                    f"{class_name} has no property {name} to tween",
                    f"did you mean {guess}?" if guess else "tween a property the target has",
                )
                continue
            fields = member[2].split("\t")
            tag = fields[0]
            flags = fields[1].split() if len(fields) > 1 else []
            if "r" in flags:
                yield self.at(
                    ctx,
                    key,
                    f"{class_name}.{name} is read-only: a tween cannot set it",
                    "tween a property scripts can set",
                )
            elif _typeof_of(tag) not in tweenable_types() and tag != "any":
                yield self.at(
                    ctx,
                    key,
                    f"{class_name}.{name} holds a {_typeof_of(tag)}, which a tween cannot move",
                    "set it directly before or after the tween",
                )
