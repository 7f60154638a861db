#!/usr/bin/env python3
"""Regenerate the mock world's engine surface from the Roblox API dump and rbx-dom's
reflection database.

    python scripts/gen_api_surface.py ../shared/roblox-api/API-Dump.json \
        ../shared/roblox-api/reflection/database.msgpack \
        src/luaurft/roblox/data/api_surface.txt.gz

Every class of the dump with its superclass, whether it can be created and
whether it is a service; every member scripts can name (NotScriptable ones are
left out) with its kind, value type, read-only flag, the security level of
reads and writes, and for properties the default value Studio gives a new
instance (from the reflection database). Only facts are written: names, types,
flags and default values. The runtime reads one class at a time
(`luaurft.roblox.surface`), so a run pays only for the classes it touches.

Format (gzip text): a header line, then per class a line `@Name Super flags`
(flags: c creatable, s service, d deprecated, h not browsable) followed by one
line per member, fields separated by tabs:

    p Name type flags default     property (flags: r read-only, R<level> read
                                  security, W<level> write security, d deprecated)
    f Name category flags params  method returning false/0/""/{} (b n s t), a new
                                  object of class C (oC), a signal (g), the zero
                                  value of datatype T (dT), or nil (v); params: its
                                  instance parameters, `Class/name` each (comma
                                  separated, `-` for any other), when it has one
    e Name flags                  event
    c Name flags                  callback
    d Name default                this class's default of an inherited property

A default is one token: `b1`/`b0`, `n<number>`, `s<text>` (\\t \\n \\\\ escaped),
`E<item name>`, `V<x,y,z>` Vector3, `W<x,y>` Vector2, `C<r,g,b>` Color3,
`U<scale,offset>` UDim, `D<sx,ox,sy,oy>` UDim2, `F<x,y,z,r00..r22>` CFrame,
`K<number>` BrickColor, `R<min,max>` NumberRange, `Q<t,v,e;...>` NumberSequence,
`S<t,r,g,b;...>` ColorSequence, `X<x0,y0,x1,y1>` Rect, `T<family,weight,style>`
Font, `P` default PhysicalProperties, `Z` nil; no token: no known default.
"""

from __future__ import annotations

import gzip
import json
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from luaurft.roblox.reflection import read_reflection

NUMBER_TYPES = {"int", "int64", "float", "double"}
STRING_TYPES = {"string", "ContentId", "BinaryString"}
TABLE_TYPES = {"Array", "Dictionary", "Map", "Objects"}


def type_tag(value_type: dict[str, str] | None) -> str:
    """The runtime's property type tag for an API dump value type."""
    vt = value_type or {}
    category, name = vt.get("Category", ""), vt.get("Name", "")
    if category == "Primitive":
        if name == "bool":
            return "bool"
        if name in ("int", "int64"):
            return "int"
        if name in ("float", "double"):
            return "number"
        if name == "string":
            return "string"
        return "any"
    if category == "Enum":
        return f"Enum:{name}"
    if category == "Class":
        return "Instance" if name == "Instance" else f"Instance:{name}"
    if category == "DataType":
        if name in ("ContentId", "BinaryString"):
            return "Content"
        if name in ("Content", "SecurityCapabilities", "UniqueId"):
            return "any"
        return name
    return "any"


# Datatypes whose zero value (`Vector3.new()`, `CFrame.new()`, ...) a method with no
# behaviour of its own returns.
ZERO_DATATYPES = {"Vector3", "Vector2", "CFrame", "Color3", "UDim", "UDim2", "Rect", "NumberRange"}


def category(value_type: dict[str, str] | list[Any] | None) -> str:
    """b bool, n number, s string, t table, g a signal, d<Type> a datatype's zero
    value, v anything else (nil, also for a tuple)."""
    if not isinstance(value_type, dict):
        return "v"
    name = value_type.get("Name", "")
    if value_type.get("Category") == "DataType":
        if name == "RBXScriptSignal":
            return "g"
        if name in ZERO_DATATYPES:
            return f"d{name}"
    if name == "bool":
        return "b"
    if name in NUMBER_TYPES:
        return "n"
    if name in STRING_TYPES or name == "string":
        return "s"
    if name in TABLE_TYPES:
        return "t"
    return "v"


# Methods that make an object, or fetch one with a web call, always hand one back
# (`AssetService:CreateEditableMesh`, `AvatarEditorService:SearchCatalogAsync`); a
# lookup (`GetFocusedTextBox`, `GetMaterialVariant`) may answer nil.
FACTORY_PREFIXES = ("Create", "Derive")
# Too general to make one of.
ABSTRACT_RETURNS = {"Instance", "Object"}


def return_category(member: dict[str, Any]) -> str:
    """`category` of a method's return, or `o<Class>` for a method that always
    returns a new object of that class: a factory or a call that yields."""
    value_type = member.get("ReturnType")
    if isinstance(value_type, dict) and value_type.get("Category") == "Class":
        name, returned = member["Name"], value_type.get("Name", "")
        yields = "Yields" in member.get("Tags", []) or name.endswith("Async")
        if returned not in ABSTRACT_RETURNS and (yields or name.startswith(FACTORY_PREFIXES)):
            return f"o{returned}"
    return category(value_type)


def instance_params(member: dict[str, Any]) -> str:
    """A method's parameters as `Class/name` where they take an instance, `-`
    elsewhere; "" when none takes one."""
    fields = []
    for param in member.get("Parameters") or ():
        value_type = param.get("Type") or {}
        if value_type.get("Category") == "Class":
            fields.append(f"{value_type.get('Name', 'Instance')}/{param.get('Name', '')}")
        else:
            fields.append("-")
    return ",".join(fields) if any(f != "-" for f in fields) else ""


def _num(x: Any) -> str:
    f = float(x)
    if f.is_integer() and abs(f) < 1e15:
        return str(int(f))
    # Defaults are float32 in the database: 7 significant digits say the same value.
    return f"{f:.7g}" if abs(f) < 1e15 else repr(f)


def _nums(xs: Any) -> str:
    return ",".join(_num(x) for x in xs)


def _text(s: str) -> str:
    return s.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")


def encode_default(value: dict[str, Any], enum_names: dict[str, dict[int, str]], tag: str) -> str:
    """One default token, or "" where the runtime has no way to build the value."""
    ((kind, v),) = value.items()
    if kind == "Bool":
        return "b1" if v else "b0"
    if kind in ("Float32", "Float64", "Int32", "Int64"):
        return "n" + _num(v)
    if kind in ("String", "ContentId", "BinaryString"):
        return "s" + _text(v if isinstance(v, str) else "")
    if kind == "Content":
        return "s" if tag == "Content" else ""
    if kind == "Enum":
        if not tag.startswith("Enum:"):
            return ""
        item = enum_names.get(tag[5:], {}).get(int(v))
        return "E" + item if item else ""
    if kind == "Vector3":
        return "V" + _nums(v)
    if kind == "Vector2":
        return "W" + _nums(v)
    if kind == "Color3":
        return "C" + _nums(v)
    if kind == "Color3uint8":
        return "C" + _nums(c / 255 for c in v)
    if kind == "UDim":
        return "U" + _nums(v)
    if kind == "UDim2":
        return "D" + _nums([*v[0], *v[1]])
    if kind == "CFrame":
        pos, rows = v
        return "F" + _nums([*pos, *rows[0], *rows[1], *rows[2]])
    if kind == "BrickColor":
        return "K" + _num(v)
    if kind == "NumberRange":
        return "R" + _nums(v)
    if kind == "NumberSequence":
        return "Q" + ";".join(_nums(k) for k in v[0])
    if kind == "ColorSequence":
        return "S" + ";".join(_nums([k[0], *k[1]]) for k in v[0])
    if kind == "Rect":
        return "X" + _nums([*v[0], *v[1]])
    if kind == "Font":
        return "T" + ",".join(_text(str(x)).replace(",", "") for x in v[:3])
    if kind == "PhysicalProperties":
        return "P" if v == "Default" else ""
    if kind in ("Ref", "OptionalCFrame") and v is None:
        return "Z"
    return ""


def _security(member: dict[str, Any]) -> tuple[str, str]:
    sec = member.get("Security", "None")
    if isinstance(sec, str):
        return sec, sec
    return sec.get("Read", "None"), sec.get("Write", "None")


def _flags(member: dict[str, Any], *, readonly: bool = False) -> str:
    read, write = _security(member)
    out = []
    if readonly:
        out.append("r")
    if read != "None":
        out.append("R" + read)
    if write != "None" and write != read:
        out.append("W" + write)
    if "Deprecated" in member.get("Tags", []):
        out.append("d")
    return " ".join(out) or "-"


def build(dump: dict[str, Any], reflection: dict[str, Any]) -> list[str]:
    enum_names = {e["Name"]: {i["Value"]: i["Name"] for i in e["Items"]} for e in dump["Enums"]}
    by_name = {c["Name"]: c for c in dump["Classes"]}

    def declared(cls_name: str, prop: str) -> tuple[str, dict[str, Any]] | None:
        """The ancestor of `cls_name` that declares property `prop`, and the member."""
        c = by_name.get(cls_name)
        while c is not None:
            for m in c["Members"]:
                if m["Name"] == prop and m["MemberType"] == "Property":
                    return c["Name"], m
            c = by_name.get(c.get("Superclass", ""))
        return None

    def token_of(cls_name: str, prop: str, member: dict[str, Any]) -> str:
        reflected = reflection.get(cls_name)
        default = reflected.defaults.get(prop) if reflected is not None else None
        if not default:
            return ""
        return encode_default(default, enum_names, type_tag(member.get("ValueType")))

    lines: list[str] = []
    for cls in sorted(dump["Classes"], key=lambda c: c["Name"]):
        tags = set(cls.get("Tags", []))
        flags = ""
        flags += "" if "NotCreatable" in tags else "c"
        flags += "s" if "Service" in tags else ""
        flags += "d" if "Deprecated" in tags else ""
        flags += "h" if "NotBrowsable" in tags else ""
        superclass = cls.get("Superclass") or "-"
        if superclass == "<<<ROOT>>>":
            superclass = "-"
        lines.append(f"@{cls['Name']} {superclass} {flags or '-'}")
        reflected = reflection.get(cls["Name"])
        defaults = reflected.defaults if reflected is not None else {}
        for m in cls["Members"]:
            mtags = set(m.get("Tags", []))
            if "NotScriptable" in mtags:
                continue
            kind, name = m["MemberType"], m["Name"]
            if kind == "Property":
                tag = type_tag(m.get("ValueType"))
                readonly = "ReadOnly" in mtags
                default = defaults.get(name)
                token = encode_default(default, enum_names, tag) if default else ""
                fields = ["p", name, tag, _flags(m, readonly=readonly)]
                if token:
                    fields.append(token)
                lines.append("\t".join(fields))
            elif kind == "Function":
                fields = ["f", name, return_category(m), _flags(m)]
                params = instance_params(m)
                if params:
                    fields.append(params)
                lines.append("\t".join(fields))
            elif kind == "Event":
                lines.append(f"e\t{name}\t{_flags(m)}")
            elif kind == "Callback":
                lines.append(f"c\t{name}\t{_flags(m)}")
        # Inherited properties whose default differs here (a WedgePart is 4x1.2x2
        # like any Part, a CornerWedgePart 2x2x2): `d Name token`.
        own = {m["Name"] for m in cls["Members"]}
        for prop in sorted(defaults):
            if prop in own:
                continue
            found = declared(cls.get("Superclass", ""), prop)
            if found is None or "NotScriptable" in found[1].get("Tags", []):
                continue
            token = token_of(cls["Name"], prop, found[1])
            if token and token != token_of(found[0], prop, found[1]):
                lines.append(f"d\t{prop}\t{token}")
    return lines


def main(dump_path: str, reflection_path: str, out_path: str) -> None:
    with open(dump_path, encoding="utf-8") as f:
        dump = json.load(f)
    version, reflection = read_reflection(reflection_path)
    header = (
        f"# Derived from the Roblox API dump (API-Dump.json, version {dump.get('Version')}) "
        f"and rbx-dom's reflection database (database.msgpack, {version}) "
        "by scripts/gen_api_surface.py: names, types, flags and default values only."
    )
    text = "\n".join([header, *build(dump, reflection)]) + "\n"
    # mtime=0: the same inputs give the same bytes.
    Path(out_path).write_bytes(gzip.compress(text.encode("utf-8"), 9, mtime=0))


if __name__ == "__main__":
    if len(sys.argv) != 4:
        raise SystemExit(__doc__)
    main(*sys.argv[1:])
