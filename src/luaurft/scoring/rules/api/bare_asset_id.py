"""api/bare-asset-id: a content property set to a bare asset number.

Content properties (`Sound.SoundId`, `Animation.AnimationId`, `Decal.Texture`,
`ImageLabel.Image`, ...) take a content URL: `"rbxassetid://1234567"`. A bare
number, as a string or a number, is no URL, so the asset never loads (a sound
that stays silent, an animation that never plays). The property's type comes
from the API dump; only literals are judged, on a value whose Roblox class is
known and has the property.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from luaurft.roblox.surface import resolve_member
from luaurft.scoring.analysis.bindings import TypeKind, string_literal
from luaurft.scoring.rule import Finding, Rule, RuleContext, Severity
from luaurft.scoring.rules.api._helpers import accesses, assigned_value, receiver_types

_CONTENT = "Content"
_DIGITS = re.compile(r"\d+")


class BareAssetIdRule(Rule):
    id = "api/bare-asset-id"
    scorer = "api"
    severity = Severity.WARNING
    summary = (
        'A content property (SoundId, AnimationId, Image, Texture) set to a bare number (`"123"`): '
        'it takes a URL, `"rbxassetid://123"`, and the asset never loads.'
    )
    bad = 'local sound = Instance.new("Sound")\nsound.SoundId = "1843463175"\nsound.Parent = workspace\n'
    good = (
        'local sound = Instance.new("Sound")\n'
        'sound.SoundId = "rbxassetid://1843463175"\n'
        "sound.Parent = workspace\n"
    )

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        found = accesses(ctx)
        if not any(a.assigned for a in found):
            return
        source = ctx.source
        for access, receiver in zip(found, receiver_types(ctx), strict=True):
            if not access.assigned or receiver is None or receiver.kind is not TypeKind.CLASS:
                continue
            value = assigned_value(access.node)
            if value is None or value.type not in ("string", "number"):
                continue
            number = (
                string_literal(source, value) if value.type == "string" else source.node_text(value)
            )
            if number is None or _DIGITS.fullmatch(number.strip()) is None:
                continue
            member = resolve_member(receiver.name, access.name)
            if member is None or member[1] != "p" or member[2].split("\t", 1)[0] != _CONTENT:
                continue
            yield self.at(
                ctx,
                value,
                f"{receiver.name}.{access.name} takes a content URL, not a bare number: the "
                "asset never loads",
                f'write "rbxassetid://{number.strip()}"',
            )
