"""The mock world as a place file's instance tree: what a script built, changed
and destroyed, in the form the `.rbxmx` writer saves and the world diff compares.

`snapshot_world` reads the world at one moment (every service but Players, and
what is in them, player characters left out: the stimulus made those) as flat
records, so a snapshot taken in a worker process pickles without recursion.
`WorldSnapshot.tree()` turns it into a `RobloxTree`: each property the script
side holds under its file name (`Size` of a part is `size`, its `Color` is
`Color3uint8`), each value as the writer's type (a number property the API says
is an `int` is an Int32, any other number a float; attribute numbers are
doubles, as in Roblox). Values with no file form (functions, a
PhysicalProperties, an instance outside the export as an attribute) are left
out. Scripts get their source when the run knows it.

A world of more than `limit` instances, or deeper than `EXPORT_DEPTH_LIMIT`
levels, is cut (every service is kept, what is inside them stops at the limit):
the snapshot says how many instances the world held and where it was cut.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from luaurft.luau.sandbox import to_python
from luaurft.roblox.files.tree import SCRIPT_CLASSES, Instance, RobloxTree
from luaurft.roblox.files.values import (
    BrickColor,
    CFrame,
    Color3,
    Color3uint8,
    ColorSequence,
    ContentId,
    EnumItem,
    EnumValue,
    Float32,
    Float64,
    Font,
    Int32,
    NumberRange,
    NumberSequence,
    PropertyValue,
    ProtectedString,
    Ray,
    Rect,
    Ref,
    UDim,
    UDim2,
    Vector2,
    Vector3,
)
from luaurft.roblox.place import SERIALIZED_NAMES, script_property_name
from luaurft.roblox.surface import enum_item_value, resolve_default, resolve_member

if TYPE_CHECKING:
    from luaurft.roblox.mock import MockWorld

#: Instances a snapshot holds at most (a place of a real game is a few thousand).
DEFAULT_EXPORT_LIMIT = 10_000
#: Levels below a service a snapshot goes down (the writer and pickling recurse).
EXPORT_DEPTH_LIMIT = 100
#: CPU seconds the export may take inside the VM after the run.
_EXPORT_CPU_SECONDS = 5.0
_INT32 = range(-(2**31), 2**31)


@dataclass(frozen=True, slots=True)
class WorldSnapshot:
    """The mock world's instances at one moment, as the runtime exported them:
    records in tree order (`parent` is the index of its parent record counted
    from 1, 0 for a service)."""

    records: tuple[dict[str, Any], ...]
    #: Instances the exported services held, past the limits included.
    total: int
    limit: int
    #: Source of scripts by dotted instance path (the run's own and its project's).
    sources: Mapping[str, str] = field(default_factory=dict)

    @property
    def truncated(self) -> bool:
        return self.total > len(self.records)

    def cut_paths(self) -> frozenset[str]:
        """Dotted paths of the exported instances some of whose children were not
        exported (past the limits): what is below them is unknown, not absent."""
        names: list[str] = []
        cut: set[str] = set()
        for record in self.records:
            parent = _index(record.get("parent"))
            name = str(record.get("name", record.get("class", "")))
            path = f"{names[parent - 1]}.{name}" if 0 < parent <= len(names) else name
            names.append(path)
            if record.get("cut") is True:
                cut.add(path)
        return frozenset(cut)

    def tree(self) -> RobloxTree:
        """The snapshot as the tree the `.rbxmx` writer saves."""
        made: list[Instance] = []
        roots: list[Instance] = []
        for record in self.records:
            instance = Instance(str(record.get("class", "Folder")))
            instance.properties["Name"] = str(record.get("name", instance.class_name))
            parent = _index(record.get("parent"))
            if 0 < parent <= len(made):
                made[parent - 1].add_child(instance)
            else:
                roots.append(instance)
            made.append(instance)
        for record, instance in zip(self.records, made, strict=True):
            _fill(instance, record, made)
            if instance.class_name in SCRIPT_CLASSES:
                source = self.sources.get(instance.full_name)
                if source is not None:
                    instance.properties["Source"] = ProtectedString(source)
        return RobloxTree(roots=roots, meta={}, origin="<mock world>")


def snapshot_world(
    world: MockWorld,
    *,
    limit: int = DEFAULT_EXPORT_LIMIT,
    sources: Mapping[str, str] | None = None,
) -> WorldSnapshot | None:
    """The world's instances now (see the module docstring); None when the runtime
    could not export them (the VM is out of memory, say)."""
    values = world.sandbox.postmortem(
        world._api("exportWorld"), int(limit), EXPORT_DEPTH_LIMIT, cpu_seconds=_EXPORT_CPU_SECONDS
    )
    if not values:
        return None
    # Services come on top of the limit (a few dozen at most).
    raw = to_python(values[0], max_items=limit + 1000)
    if not isinstance(raw, dict):
        return None
    items = raw.get("items")
    records = items if isinstance(items, list) else []
    return WorldSnapshot(
        records=tuple(r for r in records if isinstance(r, dict)),
        total=_index(raw.get("total")),
        limit=limit,
        sources=dict(sources or {}),
    )


def _index(value: object) -> int:
    return int(value) if isinstance(value, int | float) and not isinstance(value, bool) else 0


def _fill(instance: Instance, record: dict[str, Any], made: list[Instance]) -> None:
    props = record.get("props")
    for name, raw in sorted(props.items() if isinstance(props, dict) else ()):
        if not isinstance(name, str) or name == "Name":
            continue
        stored_as, value = _stored(instance.class_name, name, raw, made)
        if value is not None:
            instance.properties[stored_as] = value
    attrs = record.get("attrs")
    for name, raw in sorted(attrs.items() if isinstance(attrs, dict) else ()):
        attribute = _attribute_value(raw)
        if isinstance(name, str) and attribute is not None:
            instance.attributes[name] = attribute
    tags = record.get("tags")
    instance.tags = sorted(t for t in tags if isinstance(t, str)) if isinstance(tags, list) else []


def _stored(
    class_name: str, name: str, raw: object, made: list[Instance]
) -> tuple[str, PropertyValue | None]:
    """The file name and writer's value of property `name` (as scripts call it)
    of a `class_name` holding the exported value `raw`."""
    member = resolve_member(class_name, name)
    declared_by, type_tag = (member[0], member[2].split("\t")[0]) if member else ("", "")
    stored_as = SERIALIZED_NAMES.get((declared_by, name), name)
    value = _property_value(raw, type_tag, made)
    if stored_as == "Color3uint8" and isinstance(value, Color3):
        value = Color3uint8(*(_byte(c) for c in (value.r, value.g, value.b)))
    return stored_as, value


def property_default(class_name: str, stored_name: str) -> PropertyValue | None:
    """The value a new `class_name` holds for the property a file stores as
    `stored_name` (Studio's default, from the engine surface), as the writer's
    type: what the export leaves out because the instance still holds it. None
    when the surface records none, or one the export has no form for (a
    PhysicalProperties, an enum item the runtime's enum data lacks)."""
    name = script_property_name(stored_name)
    token = resolve_default(class_name, name)
    member = resolve_member(class_name, name)
    type_tag = member[2].split("\t")[0] if member else ""
    raw = _default_raw(token, type_tag) if token else None
    return None if raw is None else _stored(class_name, name, raw, [])[1]


#: Default tokens of datatypes (see `scripts/gen_api_surface.py`) by their export name.
_TOKEN_DATATYPES = {
    "V": "Vector3",
    "W": "Vector2",
    "C": "Color3",
    "U": "UDim",
    "D": "UDim2",
    "F": "CFrame",
    "K": "BrickColor",
    "R": "NumberRange",
    "X": "Rect",
    "Q": "NumberSequence",
    "S": "ColorSequence",
}
_TOKEN_ESCAPE = re.compile(r"\\(.)")


def _default_raw(token: str, type_tag: str) -> object:
    """A surface default token of a property typed `type_tag` as the runtime's
    export gives that value; None for one it has no form for."""
    kind, body = token[0], token[1:]
    try:
        if kind == "b":
            return body == "1"
        if kind == "n":
            number = float(body)
            return int(number) if number.is_integer() else number
        if kind == "s":
            return _TOKEN_ESCAPE.sub(lambda m: {"t": "\t", "n": "\n"}.get(m[1], m[1]), body)
        if kind == "Z":
            return {"t": "nil"}
        if kind == "T":
            family, weight, style = body.split(",")
            font = {"family": family, "style": style}
            weight_value = enum_item_value("FontWeight", weight)
            return None if weight_value is None else {"t": "Font", "v": [weight_value], **font}
        if kind == "E" and type_tag.startswith("Enum:"):
            item = enum_item_value(type_tag[5:], body)
            return None if item is None else {"t": "EnumItem", "v": [item]}
        if kind in _TOKEN_DATATYPES:
            numbers = [float(x) for x in body.replace(";", ",").split(",")] if body else []
            return {"t": _TOKEN_DATATYPES[kind], "v": numbers}
    except ValueError:
        return None
    return None


def _byte(channel: float) -> int:
    return max(0, min(255, round(channel * 255)))


def _numbers(raw: object, count: int) -> list[float] | None:
    """The `count` numbers (any number for -1) of an exported value, or None when
    it has other ones."""
    v = raw.get("v") if isinstance(raw, dict) else None
    if isinstance(v, dict) and not v:
        v = []
    if not isinstance(v, list) or (count >= 0 and len(v) != count):
        return None
    if not all(isinstance(x, int | float) and not isinstance(x, bool) for x in v):
        return None
    return [float(x) for x in v]


def _property_value(raw: object, type_tag: str, made: list[Instance]) -> PropertyValue | None:
    match raw:
        case bool():
            return raw
        case int() | float():
            if type_tag == "int" and float(raw).is_integer() and int(raw) in _INT32:
                return Int32(int(raw))
            return Float32(raw)
        case str():
            if type_tag == "Content":
                return ContentId(raw)
            if type_tag == "ProtectedString":
                return ProtectedString(raw)
            return raw
        case {"t": "nil"}:
            return Ref(None) if type_tag.startswith("Instance") else None
        case {"t": "Instance"}:
            target = _numbers(raw, 1)
            if target is None:
                return None
            index = int(target[0])
            return Ref(made[index - 1] if 0 < index <= len(made) else None)
        case {"t": "EnumItem"}:
            number = _numbers(raw, 1)
            return None if number is None else EnumValue(int(number[0]))
        case dict():
            return _datatype(raw)
    return None


def _attribute_value(raw: object) -> PropertyValue | None:
    match raw:
        case bool() | str():
            return raw
        case int() | float():
            return Float64(raw)
        case {"t": "EnumItem", "enum": str(enum)}:
            number = _numbers(raw, 1)
            return None if number is None else EnumItem(enum, int(number[0]))
        case {"t": "Instance" | "nil" | "EnumItem"}:
            return None
        case dict():
            return _datatype(raw)
    return None


def _datatype(raw: dict[str, Any]) -> PropertyValue | None:
    """A Roblox datatype value (anything but numbers, strings, enums and refs)."""
    kind = raw.get("t")
    if kind in ("NumberSequence", "ColorSequence"):
        flat = _numbers(raw, -1)
        width = 3 if kind == "NumberSequence" else 4
        if flat is None or len(flat) % width:
            return None
        rows = [flat[i : i + width] for i in range(0, len(flat), width)]
        if kind == "NumberSequence":
            return NumberSequence(tuple((t, v, e) for t, v, e in rows))
        return ColorSequence(tuple((t, Color3(r, g, b), 0.0) for t, r, g, b in rows))
    sizes = {
        "Vector3": 3,
        "Vector2": 2,
        "CFrame": 12,
        "Color3": 3,
        "BrickColor": 1,
        "UDim": 2,
        "UDim2": 4,
        "NumberRange": 2,
        "Rect": 4,
        "Ray": 6,
        "Font": 1,
    }
    if kind not in sizes:
        return None
    v = _numbers(raw, sizes[str(kind)])
    if v is None:
        return None
    match kind:
        case "Vector3":
            return Vector3(*v)
        case "Vector2":
            return Vector2(*v)
        case "CFrame":
            return CFrame(Vector3(*v[:3]), tuple(v[3:]))
        case "Color3":
            return Color3(*v)
        case "BrickColor":
            return BrickColor(int(v[0]))
        case "UDim":
            return UDim(v[0], int(v[1]))
        case "UDim2":
            return UDim2(UDim(v[0], int(v[1])), UDim(v[2], int(v[3])))
        case "NumberRange":
            return NumberRange(*v)
        case "Rect":
            return Rect(Vector2(v[0], v[1]), Vector2(v[2], v[3]))
        case "Ray":
            return Ray(Vector3(*v[:3]), Vector3(*v[3:]))
    family, style = raw.get("family"), raw.get("style")
    if isinstance(family, str) and isinstance(style, str):
        return Font(family, int(v[0]), style)
    return None
