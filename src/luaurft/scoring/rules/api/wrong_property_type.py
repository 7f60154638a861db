"""api/wrong-property-type: a literal of a type the property never takes.

Roblox converts some values when a property is set (a number to a string
property, a numeric string to a number property, an item's name or number to
an Enum property) and refuses the rest: `part.BrickColor = "Bright red"`,
`part.Color = "Red"`, `part.Size = {4, 1, 2}`, `part.Anchored = "true"` and
`part.Parent = "Workspace"` each error ("Unable to assign property"). The
property's type comes from the API dump; only literals are judged, on a value
whose Roblox class is known (any certainty) and has the property.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from luaurft.scoring.analysis.nodes import named_children
from luaurft.scoring.rule import Finding, Rule, RuleContext, Severity
from luaurft.scoring.rules.api._helpers import LITERAL_KINDS, literal_property_writes

if TYPE_CHECKING:
    from tree_sitter import Node

# The property types that take each kind of literal (as Roblox converts on assignment).
_TAKEN_BY: dict[str, frozenset[str]] = {
    "string": frozenset({"string", "Content", "number", "int", "any"}),
    "number": frozenset({"string", "Content", "number", "int", "any"}),
    "true": frozenset({"bool", "any"}),
    "false": frozenset({"bool", "any"}),
    "table_constructor": frozenset({"any"}),
}
_NAMED = {"bool": "a boolean", "int": "an integer"}
# How to write a value of the types a literal is most often mistaken for.
_MADE_WITH = {
    "BrickColor": 'BrickColor.new("Bright red")',
    "Color3": "Color3.fromRGB(255, 0, 0)",
    "Vector3": "Vector3.new(4, 1, 2)",
    "Vector2": "Vector2.new(0, 0)",
    "UDim2": "UDim2.fromScale(0.5, 0.5)",
    "UDim": "UDim.new(0, 8)",
    "CFrame": "CFrame.new(0, 5, 0)",
    "bool": "true or false",
}


class WrongPropertyTypeRule(Rule):
    id = "api/wrong-property-type"
    scorer = "api"
    severity = Severity.ERROR
    summary = (
        'A property set to a literal of a type it never takes (`part.BrickColor = "Red"`, '
        '`part.Size = {4, 1, 2}`, `part.Anchored = "true"`): the assignment errors.'
    )
    bad = (
        'local part = Instance.new("Part")\n'
        'part.BrickColor = "Bright red"\n'
        "part.Size = {4, 1, 2}\n"
        "part.Parent = workspace\n"
    )
    good = (
        'local part = Instance.new("Part")\n'
        'part.BrickColor = BrickColor.new("Bright red")\n'
        "part.Size = Vector3.new(4, 1, 2)\n"
        "part.Parent = workspace\n"
    )

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        for write in literal_property_writes(ctx):
            value, wanted = write.value, write.type
            if wanted in _TAKEN_BY[value.type] or (
                wanted.startswith("Enum:") and value.type in ("string", "number")
            ):
                continue
            shown = (
                f"an Enum.{wanted[5:]} item"
                if wanted.startswith("Enum:")
                else "an Instance"
                if wanted.startswith("Instance")
                else _NAMED.get(wanted, f"a {wanted}")
            )
            yield self.at(
                ctx,
                value,
                f"{write.class_name}.{write.access.name} takes {shown}, not "
                f"{LITERAL_KINDS[value.type]}: setting it errors",
                _fix(ctx, wanted, value),
            )


def _fix(ctx: RuleContext, wanted: str, value: Node) -> str:
    """How to write the value the property takes, from the literal where it says enough."""
    text = ctx.source.node_text(value)
    if wanted == "BrickColor" and value.type == "string":
        return f"write BrickColor.new({text})"
    if wanted in ("Vector3", "Vector2", "UDim2") and value.type == "table_constructor":
        items = [ctx.source.node_text(v) for v in named_children(value)]
        if items and all(
            v.type == "field" and v.named_child_count == 1 for v in named_children(value)
        ):
            return f"write {wanted}.new({', '.join(items)})"
    if wanted.startswith("Enum:"):
        return f"write Enum.{wanted[5:]}.<item>"
    if wanted.startswith("Instance"):
        return "assign the Instance itself, not its name"
    example = _MADE_WITH.get(wanted)
    return f"write {example}" if example else f"assign a {wanted}"
