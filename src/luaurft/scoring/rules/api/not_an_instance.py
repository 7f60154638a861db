"""api/not-an-instance: a literal passed where a Roblox method takes an Instance.

The API dump types each method's parameters; where one takes an Instance (a
Player for `RemoteEvent:FireClient`, the item for `Debris:AddItem`), a string,
number, boolean or table written there is never one, and the call errors at
run time ("Unable to cast value to Object"). Only calls on a value whose
Roblox class is known (any certainty) and has that method are checked, so a
module's own `inventory:AddItem("Sword")` is not.
"""

from __future__ import annotations

from collections.abc import Iterator

from luaurft.roblox.surface import instance_params, resolve_member
from luaurft.scoring.analysis.bindings import TypeKind
from luaurft.scoring.analysis.nodes import named_children
from luaurft.scoring.rule import Finding, Rule, RuleContext, Severity
from luaurft.scoring.rules.api._helpers import LITERAL_KINDS, accesses, receiver_types

_ORDINALS = ("1st", "2nd", "3rd")


class NotAnInstanceRule(Rule):
    id = "api/not-an-instance"
    scorer = "api"
    severity = Severity.ERROR
    summary = (
        "A string, number, boolean or table passed where a Roblox method takes an Instance "
        '(`remote:FireClient("hi")` without the player, `Debris:AddItem(5, part)`): it errors.'
    )
    bad = (
        'local Debris = game:GetService("Debris")\n'
        'local part = Instance.new("Part")\n'
        "part.Parent = workspace\n"
        "Debris:AddItem(5, part)\n"
    )
    good = (
        'local Debris = game:GetService("Debris")\n'
        'local part = Instance.new("Part")\n'
        "part.Parent = workspace\n"
        "Debris:AddItem(part, 5)\n"
    )

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        takes = instance_params()
        found = accesses(ctx)
        if not any(a.method and a.name in takes for a in found):
            return
        for access, receiver in zip(found, receiver_types(ctx), strict=True):
            params = takes.get(access.name) if access.method else None
            if (
                params is None
                or access.call is None
                or receiver is None
                or receiver.kind is not TypeKind.CLASS
            ):
                continue
            member = resolve_member(receiver.name, access.name)
            if member is None or member[1] != "f":
                continue
            arguments = access.call.child_by_field_name("arguments")
            args = named_children(arguments) if arguments is not None else []
            for position, (arg, param) in enumerate(zip(args, params, strict=False)):
                what = LITERAL_KINDS.get(arg.type)
                if param is None or what is None:
                    continue
                wanted, name = param
                ordinal = _ORDINALS[position] if position < len(_ORDINALS) else f"{position + 1}th"
                yield self.at(
                    ctx,
                    arg,
                    f"{receiver.name}:{access.name} takes {_article(wanted)} {wanted} as its "
                    f"{ordinal} argument ({name}), not {what}",
                    f"pass the {wanted} ({name}) there",
                )


def _article(word: str) -> str:
    return "an" if word[:1] in "AEIOU" else "a"
