"""api/unknown-enum: `Enum.X` that is not an enum, or `Enum.X.Y` that is not one of its items."""

from __future__ import annotations

from collections.abc import Iterator

from luaurft.scoring.analysis.bindings import TypeKind, api_index_for
from luaurft.scoring.rule import Finding, Rule, RuleContext, Severity
from luaurft.scoring.rules.api._helpers import accesses, closest, receiver_types


class UnknownEnumRule(Rule):
    id = "api/unknown-enum"
    scorer = "api"
    severity = Severity.ERROR
    summary = (
        "An enum or enum item that does not exist (`Enum.EasingStyle.Smooth`, "
        "`Enum.Keycode.E`); indexing it raises at run time."
    )
    bad = "local info = TweenInfo.new(1, Enum.EasingStyle.Smooth)\n"
    good = "local info = TweenInfo.new(1, Enum.EasingStyle.Sine)\n"

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        index = api_index_for(ctx)
        for access, owner in zip(accesses(ctx), receiver_types(ctx), strict=True):
            if access.method:
                continue
            if owner is None:
                continue
            if owner.kind is TypeKind.ENUMS and index.enum(access.name) is None:
                guess = closest(access.name, index.enums)
                yield self.at(
                    ctx,
                    access.name_node,
                    f"Enum.{access.name} is not a Roblox enum",
                    f"Enum.{guess}" if guess else None,
                )
            elif owner.kind is TypeKind.ENUM:
                enum = index.enum(owner.name)
                if enum is None or enum.items is None or access.name in enum.items:
                    continue
                if access.name in ("GetEnumItems", "FromName", "FromValue"):
                    continue
                guess = closest(access.name, enum.items)
                yield self.at(
                    ctx,
                    access.name_node,
                    f"{access.name} is not an item of Enum.{owner.name}",
                    f"Enum.{owner.name}.{guess}" if guess else None,
                )
