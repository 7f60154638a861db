"""The two blobs every instance carries: attributes (`AttributesSerialize`) and
CollectionService tags (`Tags`).

Both formats store them the same way (a BinaryString in XML, a String in
binary), so one decoder and one encoder serve both readers and the writer. The
attribute blob is a count, then name / type byte / value, little-endian,
IEEE floats (unlike the binary format's own encodings).
"""

from __future__ import annotations

import struct
from collections.abc import Mapping

from luaurft.roblox.files.cursor import Cursor, ShortRead
from luaurft.roblox.files.values import (
    BinaryString,
    BrickColor,
    CFrame,
    Color3,
    ColorSequence,
    EnumItem,
    Float32,
    Float64,
    Font,
    Int32,
    NumberRange,
    NumberSequence,
    PropertyValue,
    Rect,
    UDim,
    UDim2,
    Vector2,
    Vector3,
    basic_rotation,
    font_style_code,
    font_style_name,
)


class UnknownAttributeType(Exception):
    """An attribute type byte this decoder does not know; its length is unknown, so
    the attributes after it cannot be found."""

    def __init__(self, name: str, type_id: int) -> None:
        super().__init__(f"attribute {name!r} has unknown type 0x{type_id:02x}")
        self.name = name
        self.type_id = type_id


def decode_tags(blob: bytes) -> list[str]:
    """Tags are their UTF-8 names joined by a zero byte."""
    if not blob:
        return []
    return [part.decode("utf-8", "replace") for part in blob.split(b"\0") if part]


def encode_tags(tags: list[str]) -> bytes:
    return b"\0".join(tag.encode("utf-8") for tag in tags)


def _text(raw: bytes) -> str | BinaryString:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return BinaryString(raw)


def _vector3(cursor: Cursor) -> Vector3:
    return Vector3(*cursor.f32s(3))


def _cframe(cursor: Cursor) -> CFrame:
    position = _vector3(cursor)
    rotation_id = cursor.u8()
    if rotation_id == 0:
        x, y, z = cursor.f32s(3), cursor.f32s(3), cursor.f32s(3)
        # Stored as the right, up and back vectors (columns); kept row by row.
        return CFrame(position, tuple(v for row in zip(x, y, z, strict=True) for v in row))
    rotation = basic_rotation(rotation_id)
    if rotation is None:
        raise ShortRead(cursor.pos - 1, f"CFrame attribute has rotation id {rotation_id}")
    return CFrame(position, rotation)


def _value(cursor: Cursor, name: str, type_id: int) -> PropertyValue:
    match type_id:
        case 0x02:
            return _text(cursor.string())
        case 0x03:
            return cursor.u8() != 0
        case 0x04:
            return Int32(cursor.i32())
        case 0x05:
            return Float32(cursor.f32())
        case 0x06:
            return Float64(cursor.f64())
        case 0x09:
            return UDim(cursor.f32(), cursor.i32())
        case 0x0A:
            return UDim2(UDim(cursor.f32(), cursor.i32()), UDim(cursor.f32(), cursor.i32()))
        case 0x0E:
            return BrickColor(cursor.u32())
        case 0x0F:
            return Color3(*cursor.f32s(3))
        case 0x10:
            return Vector2(*cursor.f32s(2))
        case 0x11:
            return _vector3(cursor)
        case 0x14:
            return _cframe(cursor)
        case 0x15:
            enum = cursor.string().decode("utf-8", "replace")
            return EnumItem(enum, cursor.u32())
        case 0x17:
            count = cursor.need(cursor.u32(), 12, "NumberSequence keypoints")
            points = []
            for _ in range(count):
                envelope, time, value = cursor.f32s(3)
                points.append((time, value, envelope))
            return NumberSequence(tuple(points))
        case 0x19:
            count = cursor.need(cursor.u32(), 20, "ColorSequence keypoints")
            colors = []
            for _ in range(count):
                envelope, time, r, g, b = cursor.f32s(5)
                colors.append((time, Color3(r, g, b), envelope))
            return ColorSequence(tuple(colors))
        case 0x1B:
            return NumberRange(*cursor.f32s(2))
        case 0x1C:
            a, b, c, d = cursor.f32s(4)
            return Rect(Vector2(a, b), Vector2(c, d))
        case 0x21:
            weight = cursor.u16()
            style = cursor.u8()
            family = cursor.string().decode("utf-8", "replace")
            cached = cursor.string().decode("utf-8", "replace")
            return Font(family, weight, font_style_name(style), cached)
    raise UnknownAttributeType(name, type_id)


def decode_attributes(blob: bytes) -> tuple[dict[str, PropertyValue], str | None]:
    """The attributes of a blob, and a problem line when part of it was skipped.

    An unknown type stops decoding there (its length is unknown): the attributes
    before it are kept. A truncated blob raises ShortRead."""
    attributes: dict[str, PropertyValue] = {}
    if not blob:
        return attributes, None
    cursor = Cursor(blob)
    count = cursor.need(cursor.u32(), 5, "attributes")
    for _ in range(count):
        name = cursor.string("an attribute name").decode("utf-8", "replace")
        type_id = cursor.u8()
        try:
            attributes[name] = _value(cursor, name, type_id)
        except UnknownAttributeType as unknown:
            return attributes, f"{unknown}; it and the attributes after it were skipped"
    return attributes, None


# -- encoding ------------------------------------------------------------------------


def _pack_string(raw: bytes) -> bytes:
    return struct.pack("<I", len(raw)) + raw


def _encode_value(value: PropertyValue) -> bytes:
    match value:
        case bool():
            return b"\x03" + bytes([value])
        case str():
            return b"\x02" + _pack_string(value.encode("utf-8"))
        case bytes():
            return b"\x02" + _pack_string(bytes(value))
        case BrickColor():
            return b"\x0e" + struct.pack("<I", value)
        case Int32():
            return b"\x04" + struct.pack("<i", value)
        case Float32():
            return b"\x05" + struct.pack("<f", value)
        case int() | float():
            return b"\x06" + struct.pack("<d", float(value))
        case UDim():
            return b"\x09" + struct.pack("<fi", value.scale, value.offset)
        case UDim2():
            return b"\x0a" + struct.pack(
                "<fifi", value.x.scale, value.x.offset, value.y.scale, value.y.offset
            )
        case Color3():
            return b"\x0f" + struct.pack("<3f", value.r, value.g, value.b)
        case Vector2():
            return b"\x10" + struct.pack("<2f", value.x, value.y)
        case Vector3():
            return b"\x11" + struct.pack("<3f", value.x, value.y, value.z)
        case CFrame():
            p, r = value.position, value.rotation
            columns = (r[0], r[3], r[6], r[1], r[4], r[7], r[2], r[5], r[8])
            return b"\x14" + struct.pack("<3fB9f", p.x, p.y, p.z, 0, *columns)
        case EnumItem():
            return (
                b"\x15" + _pack_string(value.enum.encode("utf-8")) + struct.pack("<I", value.value)
            )
        case NumberSequence():
            body = b"".join(struct.pack("<3f", e, t, v) for t, v, e in value.keypoints)
            return b"\x17" + struct.pack("<I", len(value.keypoints)) + body
        case ColorSequence():
            body = b"".join(struct.pack("<5f", e, t, c.r, c.g, c.b) for t, c, e in value.keypoints)
            return b"\x19" + struct.pack("<I", len(value.keypoints)) + body
        case NumberRange():
            return b"\x1b" + struct.pack("<2f", value.min, value.max)
        case Rect():
            return b"\x1c" + struct.pack("<4f", value.min.x, value.min.y, value.max.x, value.max.y)
        case Font():
            return (
                b"\x21"
                + struct.pack("<HB", value.weight, font_style_code(value.style))
                + _pack_string(value.family.encode("utf-8"))
                + _pack_string(value.cached_face_id.encode("utf-8"))
            )
    raise TypeError(f"an attribute cannot hold a {type(value).__name__}")


def encode_attributes(attributes: Mapping[str, PropertyValue]) -> bytes:
    """The blob of `attributes` (empty when there are none, as Studio writes it)."""
    if not attributes:
        return b""
    parts = [struct.pack("<I", len(attributes))]
    for name, value in attributes.items():
        parts.append(_pack_string(name.encode("utf-8")))
        parts.append(_encode_value(value))
    return b"".join(parts)
