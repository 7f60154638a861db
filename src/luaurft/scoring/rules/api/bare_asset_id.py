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

from luaurft.scoring.analysis.bindings import string_literal
from luaurft.scoring.rule import Finding, Rule, RuleContext, Severity
from luaurft.scoring.rules.api._helpers import literal_property_writes

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
        source = ctx.source
        for write in literal_property_writes(ctx):
            value = write.value
            if write.type != _CONTENT or value.type not in ("string", "number"):
                continue
            number = (
                string_literal(source, value) if value.type == "string" else source.node_text(value)
            )
            if number is None or _DIGITS.fullmatch(number.strip()) is None:
                continue
            yield self.at(
                ctx,
                value,
                f"{write.class_name}.{write.access.name} takes a content URL, not a bare number: "
                "the asset never loads",
                f'write "rbxassetid://{number.strip()}"',
            )
