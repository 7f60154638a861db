"""Writer for Roblox's XML format: what Studio opens as a `.rbxmx` model (or a
`.rbxlx` place when the roots are services).

Each value's Python type (see `values`) picks its element, as Studio names
them (`CoordinateFrame`, `token`, BrickColor as `int`, ...). Attributes and
tags are encoded back into their blobs; shared strings go to one
`SharedStrings` table keyed by the base64 MD5 of their bytes, as Studio does.
Text that XML would alter on reading (a carriage return) is written as a
character reference, so load -> save -> load keeps every string.
"""

from __future__ import annotations

import base64
import hashlib
import math
import os
from pathlib import Path

from luaurft.roblox.files.attributes import encode_attributes, encode_tags
from luaurft.roblox.files.tree import ATTRIBUTES_PROPERTY, TAGS_PROPERTY, Instance, RobloxTree
from luaurft.roblox.files.values import (
    Axes,
    BrickColor,
    CFrame,
    Color3,
    Color3uint8,
    ColorSequence,
    Content,
    ContentId,
    EnumValue,
    Faces,
    Float64,
    Font,
    Int64,
    NetAssetRef,
    NumberRange,
    NumberSequence,
    OptionalCFrame,
    PhysicalProperties,
    PropertyValue,
    ProtectedString,
    Ray,
    Rect,
    Ref,
    SecurityCapabilities,
    SharedString,
    UDim,
    UDim2,
    UniqueId,
    Vector2,
    Vector3,
    Vector3int16,
)

_HEADER = (
    '<roblox xmlns:xmime="http://www.w3.org/2005/05/xmlmime" '
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
    'xsi:noNamespaceSchemaLocation="http://www.roblox.com/roblox.xsd" version="4">'
)


def _escape(text: str) -> str:
    return (
        text.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&quot;")
        .replace("\r", "&#13;")
    )


def _float(value: float) -> str:
    if math.isnan(value):
        return "NAN"
    if math.isinf(value):
        return "INF" if value > 0 else "-INF"
    text = repr(float(value))
    return text[:-2] if text.endswith(".0") else text


def _fields(**parts: str) -> str:
    return "".join(f"<{k}>{v}</{k}>" for k, v in parts.items())


def _vector3(v: Vector3) -> str:
    return _fields(X=_float(v.x), Y=_float(v.y), Z=_float(v.z))


def _vector2(v: Vector2) -> str:
    return _fields(X=_float(v.x), Y=_float(v.y))


def _cframe(cf: CFrame) -> str:
    names = ("R00", "R01", "R02", "R10", "R11", "R12", "R20", "R21", "R22")
    rotation = "".join(f"<{n}>{_float(r)}</{n}>" for n, r in zip(names, cf.rotation, strict=True))
    return _vector3(cf.position) + rotation


def _content_url(uri: str) -> str:
    return f"<url>{_escape(uri)}</url>" if uri else "<null></null>"


class _Writer:
    def __init__(self) -> None:
        self.referents: dict[int, str] = {}
        self.shared: dict[str, bytes] = {}
        self.out: list[str] = []

    def referent(self, instance: Instance) -> str:
        key = id(instance)
        if key not in self.referents:
            self.referents[key] = f"RBX{len(self.referents):08X}"
        return self.referents[key]

    def shared_key(self, blob: bytes) -> str:
        key = base64.b64encode(hashlib.md5(blob, usedforsecurity=False).digest()).decode()
        self.shared[key] = bytes(blob)
        return key

    def value(self, value: PropertyValue) -> tuple[str, str]:
        """(element name, inner XML) of a value."""
        match value:
            case bool():
                return "bool", "true" if value else "false"
            case ProtectedString():
                if "\r" in value or "]]>" in value:
                    return "ProtectedString", _escape(value)
                return "ProtectedString", f"<![CDATA[{value}]]>"
            case ContentId():
                return "ContentId", _content_url(value)
            case str():
                return "string", _escape(value)
            case NetAssetRef():
                return "NetAssetRef", self.shared_key(value)
            case SharedString():
                return "SharedString", self.shared_key(value)
            case bytes():
                return "BinaryString", base64.b64encode(value).decode()
            case EnumValue():
                return "token", str(int(value))
            case BrickColor():
                return "int", str(int(value))
            case SecurityCapabilities():
                return "SecurityCapabilities", str(int(value))
            case Int64():
                return "int64", str(int(value))
            case int():
                return "int", str(int(value))
            case Float64():
                return "double", _float(value)
            case float():
                return "float", _float(value)
            case Vector2():
                return "Vector2", _vector2(value)
            case Vector3():
                return "Vector3", _vector3(value)
            case Vector3int16():
                return "Vector3int16", _fields(X=str(value.x), Y=str(value.y), Z=str(value.z))
            case UDim():
                return "UDim", _fields(S=_float(value.scale), O=str(value.offset))
            case UDim2():
                return "UDim2", _fields(
                    XS=_float(value.x.scale),
                    XO=str(value.x.offset),
                    YS=_float(value.y.scale),
                    YO=str(value.y.offset),
                )
            case Ray():
                return "Ray", _fields(
                    origin=_vector3(value.origin), direction=_vector3(value.direction)
                )
            case Rect():
                return "Rect2D", _fields(min=_vector2(value.min), max=_vector2(value.max))
            case Faces():
                return "Faces", _fields(faces=str(value.bits))
            case Axes():
                return "Axes", _fields(axes=str(value.bits))
            case Color3():
                return "Color3", _fields(R=_float(value.r), G=_float(value.g), B=_float(value.b))
            case Color3uint8():
                packed = 0xFF000000 | (value.r << 16) | (value.g << 8) | value.b
                return "Color3uint8", str(packed)
            case CFrame():
                return "CoordinateFrame", _cframe(value)
            case OptionalCFrame():
                inner = f"<CFrame>{_cframe(value.value)}</CFrame>" if value.value else ""
                return "OptionalCoordinateFrame", inner
            case NumberRange():
                return "NumberRange", f"{_float(value.min)} {_float(value.max)} "
            case NumberSequence():
                flat = (_float(x) for point in value.keypoints for x in point)
                return "NumberSequence", "".join(f"{x} " for x in flat)
            case ColorSequence():
                parts: list[float] = []
                for time, color, envelope in value.keypoints:
                    parts.extend((time, color.r, color.g, color.b, envelope))
                return "ColorSequence", "".join(f"{_float(x)} " for x in parts)
            case PhysicalProperties():
                if not value.custom:
                    return "PhysicalProperties", "<CustomPhysics>false</CustomPhysics>"
                return "PhysicalProperties", "<CustomPhysics>true</CustomPhysics>" + _fields(
                    Density=_float(value.density),
                    Friction=_float(value.friction),
                    Elasticity=_float(value.elasticity),
                    FrictionWeight=_float(value.friction_weight),
                    ElasticityWeight=_float(value.elasticity_weight),
                    AcousticAbsorption=_float(value.acoustic_absorption),
                )
            case UniqueId():
                raw = value.random & ((1 << 64) - 1)
                stored = (raw >> 1) | ((raw & 1) << 63)  # XML holds it rotated right
                blob = (
                    stored.to_bytes(8, "big")
                    + (value.time & 0xFFFFFFFF).to_bytes(4, "big")
                    + (value.index & 0xFFFFFFFF).to_bytes(4, "big")
                )
                return "UniqueId", blob.hex()
            case Font():
                cached = (
                    f"<CachedFaceId>{_content_url(value.cached_face_id)}</CachedFaceId>"
                    if value.cached_face_id
                    else ""
                )
                return "Font", (
                    f"<Family>{_content_url(value.family)}</Family>"
                    f"<Weight>{value.weight}</Weight><Style>{_escape(value.style)}</Style>" + cached
                )
            case Content():
                if value.object_ref is not None:
                    target = value.object_ref.target
                    return "Content", f"<Ref>{self.referent(target) if target else 'null'}</Ref>"
                if value.uri is not None:
                    return "Content", f"<uri>{_escape(value.uri)}</uri>"
                return "Content", "<null></null>"
            case Ref():
                return "Ref", self.referent(value.target) if value.target else "null"
        raise TypeError(f"no XML form for a {type(value).__name__}")

    def item(self, instance: Instance, depth: int) -> None:
        pad = "\t" * depth
        self.out.append(
            f'{pad}<Item class="{_escape(instance.class_name)}" '
            f'referent="{self.referent(instance)}">\n{pad}\t<Properties>\n'
        )
        properties: dict[str, PropertyValue] = dict(instance.properties)
        # A blob the reader could not decode stays in `properties`, raw, as it was.
        if instance.attributes or ATTRIBUTES_PROPERTY not in properties:
            properties[ATTRIBUTES_PROPERTY] = encode_attributes(instance.attributes)
        properties[TAGS_PROPERTY] = encode_tags(instance.tags)
        for name in sorted(properties):
            tag, inner = self.value(properties[name])
            self.out.append(f'{pad}\t\t<{tag} name="{_escape(name)}">{inner}</{tag}>\n')
        self.out.append(f"{pad}\t</Properties>\n")
        for child in instance.children:
            self.item(child, depth + 1)
        self.out.append(f"{pad}</Item>\n")

    def document(self, tree: RobloxTree) -> str:
        for instance in tree.instances():
            self.referent(instance)  # stable ids in tree order, whatever refs point first
        self.out.append(_HEADER + "\n")
        for key, value in tree.meta.items():
            self.out.append(f'\t<Meta name="{_escape(key)}">{_escape(value)}</Meta>\n')
        self.out.append("\t<External>null</External>\n\t<External>nil</External>\n")
        for root in tree.roots:
            self.item(root, 1)
        if self.shared:
            self.out.append("\t<SharedStrings>\n")
            for key, blob in self.shared.items():
                encoded = base64.b64encode(blob).decode()
                self.out.append(f'\t\t<SharedString md5="{key}">{encoded}</SharedString>\n')
            self.out.append("\t</SharedStrings>\n")
        self.out.append("</roblox>\n")
        return "".join(self.out)


def write_xml(tree: RobloxTree) -> str:
    """The XML text of a tree (`.rbxmx` for a model, `.rbxlx` for a place)."""
    return _Writer().document(tree)


def save_xml(tree: RobloxTree, path: str | os.PathLike[str]) -> Path:
    """Write a tree to `path` as XML; returns the path."""
    target = Path(path)
    target.write_text(write_xml(tree), encoding="utf-8", newline="\n")
    return target
