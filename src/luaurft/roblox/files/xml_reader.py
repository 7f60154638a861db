"""Reader for Roblox's XML format (`.rbxlx` places, `.rbxmx` models).

A `<roblox version="4">` root holding `Item`s (class + referent, one
`Properties` element, child `Item`s) and an optional `SharedStrings` table.
A property's element name says its type (`CoordinateFrame`, `token`, ...);
values come out as the same Python types the binary reader builds, so both
copies of a file compare equal. Refs and SharedStrings are resolved once the
whole document is read (they may point forward).

Documents with a DTD are refused (no entity expansion from untrusted files);
an unknown property element is skipped with a warning; a value that does not
parse raises `RobloxFileError` naming the item and property.
"""

from __future__ import annotations

import base64
import binascii
import math
import warnings
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass

from luaurft.roblox.files.attributes import decode_attributes, decode_tags
from luaurft.roblox.files.cursor import ShortRead
from luaurft.roblox.files.errors import RobloxFileError, RobloxFileWarning
from luaurft.roblox.files.tree import ATTRIBUTES_PROPERTY, TAGS_PROPERTY, Instance, RobloxTree
from luaurft.roblox.files.values import (
    Axes,
    BinaryString,
    BrickColor,
    CFrame,
    Color3,
    Color3uint8,
    ColorSequence,
    Content,
    ContentId,
    EnumValue,
    Faces,
    Float32,
    Float64,
    Font,
    Int32,
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

CFRAME_FIELDS = ("X", "Y", "Z", "R00", "R01", "R02", "R10", "R11", "R12", "R20", "R21", "R22")
_SPECIAL_FLOATS = {"INF": math.inf, "+INF": math.inf, "-INF": -math.inf, "NAN": math.nan}


def is_xml(data: bytes) -> bool:
    return data.lstrip()[:7].lower() in (b"<roblox", b"<?xml v")


def read_xml(data: bytes | str, origin: str = "<memory>") -> RobloxTree:
    """The tree of an XML place or model file's text."""
    return _XmlReader(origin).read(data)


class _BadValue(Exception):
    """A property value that does not parse; the reader adds where it was."""


@dataclass
class _PendingShared:
    instance: Instance
    property: str
    key: str
    net_asset: bool


def _float(text: str | None) -> float:
    raw = (text or "").strip()
    special = _SPECIAL_FLOATS.get(raw.upper())
    if special is not None:
        return special
    try:
        return float(raw)
    except ValueError:
        raise _BadValue(f"{raw!r} is not a number") from None


def _int(text: str | None) -> int:
    raw = (text or "").strip()
    try:
        return int(raw)
    except ValueError:
        # Some writers store whole numbers as `1.0`.
        value = _float(raw)
        if not value.is_integer():
            raise _BadValue(f"{raw!r} is not an integer") from None
        return int(value)


def _child(element: ET.Element, name: str) -> ET.Element:
    found = element.find(name)
    if found is None:
        raise _BadValue(f"<{element.tag}> has no <{name}>")
    return found


def _field(element: ET.Element, name: str) -> float:
    return _float(_child(element, name).text)


def _vector3(element: ET.Element) -> Vector3:
    return Vector3(_field(element, "X"), _field(element, "Y"), _field(element, "Z"))


def _vector2(element: ET.Element) -> Vector2:
    return Vector2(_field(element, "X"), _field(element, "Y"))


def _cframe(element: ET.Element) -> CFrame:
    values = [_field(element, name) for name in CFRAME_FIELDS]
    return CFrame(Vector3(*values[:3]), tuple(values[3:]))


def _floats(text: str | None) -> list[float]:
    return [_float(part) for part in (text or "").split()]


def _base64(text: str | None) -> bytes:
    try:
        return base64.b64decode("".join((text or "").split()), validate=True)
    except (binascii.Error, ValueError):
        raise _BadValue("the text is not base64") from None


def _content_text(element: ET.Element | None) -> str:
    """A legacy content value: the `url` child's text, empty for `null` (and for the
    historic `binary` / `hash` forms, which Roblox disregards)."""
    if element is None:
        return ""
    url = element.find("url")
    return (url.text or "") if url is not None else ""


def _color3(element: ET.Element) -> Color3:
    if element.find("R") is None and (element.text or "").strip():
        packed = _int(element.text)  # old files pack a Color3 into one ARGB integer
        return Color3(
            ((packed >> 16) & 255) / 255, ((packed >> 8) & 255) / 255, (packed & 255) / 255
        )
    return Color3(_field(element, "R"), _field(element, "G"), _field(element, "B"))


def _color3uint8(element: ET.Element) -> Color3uint8:
    packed = _int(element.text)
    return Color3uint8((packed >> 16) & 255, (packed >> 8) & 255, packed & 255)


def _number_sequence(element: ET.Element) -> NumberSequence:
    flat = _floats(element.text)
    if len(flat) % 3:
        raise _BadValue("a NumberSequence needs 3 numbers per keypoint")
    return NumberSequence(tuple(zip(flat[0::3], flat[1::3], flat[2::3], strict=True)))


def _color_sequence(element: ET.Element) -> ColorSequence:
    flat = _floats(element.text)
    if len(flat) % 5:
        raise _BadValue("a ColorSequence needs 5 numbers per keypoint")
    return ColorSequence(
        tuple(
            (flat[i], Color3(flat[i + 1], flat[i + 2], flat[i + 3]), flat[i + 4])
            for i in range(0, len(flat), 5)
        )
    )


def _number_range(element: ET.Element) -> NumberRange:
    flat = _floats(element.text)
    if len(flat) != 2:
        raise _BadValue("a NumberRange needs 2 numbers")
    return NumberRange(flat[0], flat[1])


def _physical(element: ET.Element) -> PhysicalProperties:
    custom = _child(element, "CustomPhysics").text
    if (custom or "").strip().lower() != "true":
        return PhysicalProperties(False)
    absorption = element.find("AcousticAbsorption")
    return PhysicalProperties(
        True,
        _field(element, "Density"),
        _field(element, "Friction"),
        _field(element, "Elasticity"),
        _field(element, "FrictionWeight"),
        _field(element, "ElasticityWeight"),
        _float(absorption.text) if absorption is not None else 1.0,
    )


def _unique_id(element: ET.Element) -> UniqueId:
    raw = (element.text or "").strip()
    try:
        blob = bytes.fromhex(raw)
    except ValueError:
        raise _BadValue(f"{raw!r} is not hexadecimal") from None
    if len(blob) != 16:
        raise _BadValue("a UniqueId is 16 bytes")
    stored = int.from_bytes(blob[0:8], "big")
    # The binary form holds the random part rotated left by one bit relative to XML
    # (observed in Studio's own files); the tree keeps the binary form.
    random = ((stored << 1) | (stored >> 63)) & ((1 << 64) - 1)
    if random >= 1 << 63:
        random -= 1 << 64
    return UniqueId(int.from_bytes(blob[12:16], "big"), int.from_bytes(blob[8:12], "big"), random)


def _font(element: ET.Element) -> Font:
    if element.find("Family") is None:
        return Font("", 400, "Normal", "")  # empty <Font/>, written by older Studios
    weight = element.find("Weight")
    style = element.find("Style")
    return Font(
        _content_text(element.find("Family")),
        _int(weight.text) if weight is not None else 400,
        (style.text or "Normal").strip() if style is not None else "Normal",
        _content_text(element.find("CachedFaceId")),
    )


def _bits(name: str) -> Callable[[ET.Element], int]:
    def read(element: ET.Element) -> int:
        inner = element.find(name)
        return _int(inner.text if inner is not None else element.text)

    return read


_PARSERS: dict[str, Callable[[ET.Element], PropertyValue]] = {
    "string": lambda e: e.text or "",
    "ProtectedString": lambda e: ProtectedString(e.text or ""),
    "BinaryString": lambda e: BinaryString(_base64(e.text)),
    "bool": lambda e: (e.text or "").strip().lower() == "true",
    "int": lambda e: Int32(_int(e.text)),
    "int64": lambda e: Int64(_int(e.text)),
    "SecurityCapabilities": lambda e: SecurityCapabilities(_int(e.text)),
    "float": lambda e: Float32(_float(e.text)),
    "double": lambda e: Float64(_float(e.text)),
    "token": lambda e: EnumValue(_int(e.text)),
    "BrickColor": lambda e: BrickColor(_int(e.text)),
    "Color3": _color3,
    "Color3uint8": _color3uint8,
    "Vector2": _vector2,
    "Vector3": _vector3,
    "Vector3int16": lambda e: Vector3int16(
        _int(_child(e, "X").text), _int(_child(e, "Y").text), _int(_child(e, "Z").text)
    ),
    "UDim": lambda e: UDim(_field(e, "S"), _int(_child(e, "O").text)),
    "UDim2": lambda e: UDim2(
        UDim(_field(e, "XS"), _int(_child(e, "XO").text)),
        UDim(_field(e, "YS"), _int(_child(e, "YO").text)),
    ),
    "Ray": lambda e: Ray(_vector3(_child(e, "origin")), _vector3(_child(e, "direction"))),
    "Rect2D": lambda e: Rect(_vector2(_child(e, "min")), _vector2(_child(e, "max"))),
    "Faces": lambda e: Faces(_bits("faces")(e)),
    "Axes": lambda e: Axes(_bits("axes")(e)),
    "CoordinateFrame": _cframe,
    "CFrame": _cframe,
    "OptionalCoordinateFrame": lambda e: OptionalCFrame(_cframe(e[0]) if len(e) else None),
    "NumberRange": _number_range,
    "NumberSequence": _number_sequence,
    "ColorSequence": _color_sequence,
    "PhysicalProperties": _physical,
    "UniqueId": _unique_id,
    "Font": _font,
    "ContentId": lambda e: ContentId(_content_text(e)),
}


class _XmlReader:
    def __init__(self, origin: str) -> None:
        self.origin = origin
        self.tree = RobloxTree(origin=origin)
        self.by_referent: dict[str, Instance] = {}
        self.pending_refs: list[tuple[Instance, str, str, bool]] = []
        self.pending_shared: list[_PendingShared] = []
        self.shared: dict[str, bytes] = {}

    def fail(self, reason: str) -> RobloxFileError:
        return RobloxFileError(self.origin, None, reason)

    def warn(self, message: str) -> None:
        self.tree.warnings.append(message)
        warnings.warn(f"{self.origin}: {message}", RobloxFileWarning, stacklevel=4)

    def read(self, data: bytes | str) -> RobloxTree:
        raw = data if isinstance(data, bytes) else data.encode("utf-8", "surrogatepass")
        # A DTD (where entities are declared) can only come before the root element;
        # script text inside the document may mention one freely.
        root_at = raw.find(b"<roblox")
        if b"<!DOCTYPE" in (raw[:root_at] if root_at >= 0 else raw):
            raise self.fail("XML with a DTD or entities is refused; Roblox never writes them")
        try:
            root = ET.fromstring(data)
        except ET.ParseError as exc:
            line, column = exc.position
            raise self.fail(f"not well-formed XML (line {line}, column {column})") from None
        if root.tag != "roblox":
            raise self.fail(f"the root element is <{root.tag}>, not <roblox>")
        for element in root:
            if element.tag == "Meta":
                self.tree.meta[element.get("name", "")] = element.text or ""
            elif element.tag == "SharedStrings":
                self.shared_strings(element)
        self.items(root)
        self.resolve()
        return self.tree

    def shared_strings(self, table: ET.Element) -> None:
        for entry in table:
            key = entry.get("md5")
            if entry.tag != "SharedString" or key is None:
                continue
            try:
                self.shared[key] = _base64(entry.text)
            except _BadValue as bad:
                raise self.fail(f"SharedString {key!r}: {bad}") from None

    def items(self, root: ET.Element) -> None:
        stack: list[tuple[ET.Element, Instance | None]] = [
            (e, None) for e in reversed(root) if e.tag == "Item"
        ]
        while stack:
            element, parent = stack.pop()
            instance = self.item(element)
            if parent is None:
                self.tree.roots.append(instance)
            else:
                parent.add_child(instance)
            stack.extend((e, instance) for e in reversed(element) if e.tag == "Item")

    def item(self, element: ET.Element) -> Instance:
        class_name = element.get("class")
        if not class_name:
            raise self.fail("an <Item> has no class attribute")
        instance = Instance(class_name)
        referent = element.get("referent")
        if referent:
            if referent in self.by_referent:
                raise self.fail(f"referent {referent!r} is used by two items")
            self.by_referent[referent] = instance
        properties = element.find("Properties")
        for prop in properties if properties is not None else ():
            name = prop.get("name")
            if name is None:
                continue
            try:
                self.property(instance, prop, name)
            except _BadValue as bad:
                raise self.fail(
                    f"property {name!r} of a {class_name} (referent {referent}): {bad}"
                ) from None
        return instance

    def property(self, instance: Instance, prop: ET.Element, name: str) -> None:
        tag = prop.tag
        if tag == "Ref":
            instance.properties[name] = Ref(None)
            target = (prop.text or "").strip()
            if target and target != "null":
                self.pending_refs.append((instance, name, target, False))
            return
        if tag in ("SharedString", "NetAssetRef"):
            key = (prop.text or "").strip()
            self.pending_shared.append(_PendingShared(instance, name, key, tag == "NetAssetRef"))
            return
        if tag == "Content":
            instance.properties[name] = self.content(instance, prop, name)
            return
        parser = _PARSERS.get(tag)
        if parser is None:
            self.warn(f"property {instance.class_name}.{name} has unknown type <{tag}>; skipped")
            return
        value = parser(prop)
        if name == ATTRIBUTES_PROPERTY and isinstance(value, bytes):
            try:
                attributes, problem = decode_attributes(value)
            except ShortRead as short:
                self.warn(
                    f"attributes of a {instance.class_name} are corrupt ({short.reason}); "
                    "kept as raw bytes"
                )
                instance.properties[name] = value
                return
            instance.attributes = attributes
            if problem:
                self.warn(f"{instance.class_name}: {problem}")
            return
        if name == TAGS_PROPERTY and isinstance(value, bytes):
            instance.tags = decode_tags(value)
            return
        instance.properties[name] = value

    def content(self, instance: Instance, prop: ET.Element, name: str) -> PropertyValue:
        """`Content` is two types: before Roblox 645 it was today's ContentId
        (`url` / `null` children); now it is a URI (`uri`), an object (`Ref`) or
        nothing (`null`). `null` reads as an empty ContentId, which the tree
        comparison treats as equal to an empty Content."""
        child = prop[0] if len(prop) else None
        if child is None or child.tag in ("url", "null", "binary", "hash"):
            return ContentId(_content_text(prop))
        if child.tag == "uri":
            return Content(uri=child.text or "")
        if child.tag == "Ref":
            target = (child.text or "").strip()
            if target and target != "null":
                self.pending_refs.append((instance, name, target, True))
            return Content(object_ref=Ref(None))
        raise _BadValue(f"<Content> holds an unknown <{child.tag}>")

    def resolve(self) -> None:
        for instance, name, target, in_content in self.pending_refs:
            found = self.by_referent.get(target)
            if found is None:
                self.warn(
                    f"{instance.class_name}.{name} points at referent {target!r}, which no "
                    "item has; left empty"
                )
                continue
            instance.properties[name] = Content(object_ref=Ref(found)) if in_content else Ref(found)
        for pending in self.pending_shared:
            blob = self.shared.get(pending.key)
            if blob is None:
                raise self.fail(
                    f"{pending.instance.class_name}.{pending.property} names shared string "
                    f"{pending.key!r}, which the SharedStrings table lacks"
                )
            if pending.property == TAGS_PROPERTY:
                pending.instance.tags = decode_tags(blob)
                continue
            pending.instance.properties[pending.property] = (
                NetAssetRef(blob) if pending.net_asset else SharedString(blob)
            )
