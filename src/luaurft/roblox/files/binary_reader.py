"""Reader for Roblox's binary format (`.rbxl` places, `.rbxm` models).

A 32-byte header, then chunks (META, SSTR, INST, PROP, PRNT, END), each with a
16-byte header and a body that may be LZ4 or ZSTD compressed. Arrays of numbers
are stored column-wise ("interleaved"): the first byte of every value, then
the second, ... so they decode as numpy column reshapes. Integers are
big-endian and zigzag-transformed, floats are big-endian with the sign bit
moved to the end, referents are deltas from the previous one.

Every length and count is checked against the bytes left before it is used,
and decompressed sizes are bounded, so a corrupt or hostile file raises
`RobloxFileError` (file and byte offset) and never allocates or loops on a
number it does not hold. A well-formed chunk or property type we do not know
is skipped with a `RobloxFileWarning`.
"""

from __future__ import annotations

import struct
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field

import lz4.block
import numpy as np
import zstandard

from luaurft.roblox.files.attributes import decode_attributes, decode_tags
from luaurft.roblox.files.cursor import Cursor, ShortRead
from luaurft.roblox.files.errors import RobloxFileError, RobloxFileWarning
from luaurft.roblox.files.tree import ATTRIBUTES_PROPERTY, TAGS_PROPERTY, Instance, RobloxTree
from luaurft.roblox.files.values import (
    Axes,
    BinaryString,
    BrickColor,
    Bytecode,
    CFrame,
    Color3,
    Color3uint8,
    ColorSequence,
    Content,
    EnumValue,
    Faces,
    Float32,
    Float64,
    Font,
    Int32,
    Int64,
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
    basic_rotation,
    font_style_name,
)

MAGIC = b"<roblox!\x89\xff\r\n\x1a\n"
HEADER_SIZE = 32
CHUNK_HEADER_SIZE = 16
ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"
#: LZ4 cannot expand a block more than ~255 times; a header claiming more is corrupt.
LZ4_MAX_RATIO = 255
#: No real chunk is this large; a header claiming more is corrupt, not a reason to allocate.
MAX_CHUNK_SIZE = 1 << 30
#: Chunks Studio writes that carry nothing a script can observe.
IGNORED_CHUNKS = frozenset({b"SIGN", b"HASH"})
#: String properties the XML format stores as BinaryString (opaque bytes), by name.
BINARY_STRING_PROPERTIES = frozenset(
    {
        "ChildData",
        "CollisionGroupData",
        "LODData",
        "MaterialColors",
        "MeshData",
        "ModelMeshData",
        "PhysicalConfigData",
        "PhysicsData",
        "PhysicsGrid",
        "SerializedEmulatedPolicyInfo",
        "SmoothGrid",
    }
)
SOURCE_PROPERTY = "Source"


def is_binary(data: bytes) -> bool:
    return data.startswith(MAGIC[:8])


def read_binary(data: bytes, origin: str = "<memory>") -> RobloxTree:
    """The tree of a binary place or model file's bytes."""
    return _BinaryReader(bytes(data), origin).read()


# -- numeric columns -----------------------------------------------------------------


def _rows(cursor: Cursor, count: int, width: int) -> np.ndarray:
    """`count` values of `width` bytes stored column-wise, as a (count, width) array."""
    cursor.need(count, width, "interleaved values")
    blob = cursor.take(count * width)
    return np.ascontiguousarray(np.frombuffer(blob, np.uint8).reshape(width, count).T)


#: Below this many values, plain Python beats numpy's per-call overhead.
_NUMPY_FROM = 48


def _u32s(cursor: Cursor, count: int) -> list[int]:
    if count < _NUMPY_FROM:
        cursor.need(count, 4, "interleaved values")
        blob = cursor.take(count * 4)
        return [int.from_bytes(blob[i::count], "big") for i in range(count)]
    return [int(v) for v in _rows(cursor, count, 4).view(">u4").ravel()]


def _i32s(cursor: Cursor, count: int) -> list[int]:
    return [(v >> 1) ^ -(v & 1) for v in _u32s(cursor, count)]


_BIG_F32 = struct.Struct(">f")


def _f32s(cursor: Cursor, count: int) -> list[float]:
    if count < _NUMPY_FROM:
        unpack = _BIG_F32.unpack
        return [
            unpack(((v >> 1) | ((v & 1) << 31)).to_bytes(4, "big"))[0] for v in _u32s(cursor, count)
        ]
    raw = _rows(cursor, count, 4).view(">u4").ravel()
    standard = ((raw >> 1) | ((raw & 1) << 31)).astype(np.uint32)
    return [float(v) for v in standard.view(np.float32)]


def _i64s(cursor: Cursor, count: int) -> list[int]:
    raw = _rows(cursor, count, 8).view(">u8").ravel().astype(np.uint64)
    untransformed = (raw >> np.uint64(1)) ^ (np.uint64(0) - (raw & np.uint64(1)))
    return [int(v) for v in untransformed.view(np.int64)]


def _referents(cursor: Cursor, count: int) -> list[int]:
    deltas = _i32s(cursor, count)
    total = 0
    out = []
    for delta in deltas:
        total += delta
        out.append(total)
    return out


def _vector3s(cursor: Cursor, count: int) -> list[Vector3]:
    xs, ys, zs = _f32s(cursor, count), _f32s(cursor, count), _f32s(cursor, count)
    return [Vector3(x, y, z) for x, y, z in zip(xs, ys, zs, strict=True)]


def _cframes(cursor: Cursor, count: int) -> list[CFrame]:
    rotations: list[tuple[float, ...]] = []
    for _ in range(count):
        rotation_id = cursor.u8()
        if rotation_id == 0:
            rotations.append(cursor.f32s(9))
            continue
        rotation = basic_rotation(rotation_id)
        if rotation is None:
            raise ShortRead(cursor.pos - 1, f"CFrame rotation id {rotation_id} is not defined")
        rotations.append(rotation)
    positions = _vector3s(cursor, count)
    return [CFrame(p, r) for p, r in zip(positions, rotations, strict=True)]


@dataclass
class _PendingRef:
    instance: Instance
    property: str
    referent: int


@dataclass
class _Class:
    name: str
    instances: list[Instance] = field(default_factory=list)


class _BinaryReader:
    def __init__(self, data: bytes, origin: str) -> None:
        self.data = data
        self.origin = origin
        self.tree = RobloxTree(origin=origin)
        self.classes: dict[int, _Class] = {}
        self.by_referent: dict[int, Instance] = {}
        self.order: list[int] = []
        self.shared: list[bytes] = []
        self.pending_refs: list[_PendingRef] = []
        self.handlers: dict[bytes, Callable[[Cursor], None]] = {
            b"META": self.meta,
            b"SSTR": self.sstr,
            b"INST": self.inst,
            b"PROP": self.prop,
            b"PRNT": self.prnt,
        }

    # -- framing ----------------------------------------------------------------------

    def fail(self, offset: int | None, reason: str) -> RobloxFileError:
        return RobloxFileError(self.origin, offset, reason)

    def warn(self, message: str) -> None:
        self.tree.warnings.append(message)
        warnings.warn(f"{self.origin}: {message}", RobloxFileWarning, stacklevel=4)

    def read(self) -> RobloxTree:
        data = self.data
        if len(data) < HEADER_SIZE:
            if is_binary(data) or not data:
                raise self.fail(len(data), "the file ends inside its 32-byte header")
            raise self.fail(0, "not a binary Roblox file (it does not start with `<roblox!`)")
        if data[:14] != MAGIC:
            raise self.fail(0, "not a binary Roblox file (bad magic number or signature)")
        version = int.from_bytes(data[14:16], "little")
        if version != 0:
            raise self.fail(14, f"format version {version} is not supported (only 0)")
        pos = HEADER_SIZE
        while True:
            if pos + CHUNK_HEADER_SIZE > len(data):
                raise self.fail(pos, "the file ends before its END chunk (truncated)")
            name = data[pos : pos + 4].rstrip(b"\0")
            compressed = int.from_bytes(data[pos + 4 : pos + 8], "little")
            size = int.from_bytes(data[pos + 8 : pos + 12], "little")
            body_start = pos + CHUNK_HEADER_SIZE
            stored = compressed or size
            if stored > len(data) - body_start:
                raise self.fail(
                    pos,
                    f"chunk {_label(name)} claims {stored} bytes but only "
                    f"{len(data) - body_start} are left (truncated or wrong chunk length)",
                )
            body = self.body(name, pos, data[body_start : body_start + stored], compressed, size)
            if name == b"END":
                break
            self.chunk(name, pos, body, body_start if not compressed else None)
            pos = body_start + stored
        self.finish()
        return self.tree

    def body(self, name: bytes, pos: int, stored: bytes, compressed: int, size: int) -> bytes:
        if not compressed:
            return stored
        if size > MAX_CHUNK_SIZE:
            raise self.fail(pos, f"chunk {_label(name)} claims {size} bytes uncompressed")
        try:
            if stored.startswith(ZSTD_MAGIC):
                body = _zstd(stored, size)
            else:
                if size > LZ4_MAX_RATIO * compressed + 64:
                    raise self.fail(
                        pos, f"chunk {_label(name)} claims {size} bytes from {compressed}"
                    )
                body = lz4.block.decompress(stored, uncompressed_size=size)
        except (lz4.block.LZ4BlockError, zstandard.ZstdError, ValueError) as exc:
            raise self.fail(pos, f"chunk {_label(name)} does not decompress ({exc})") from None
        if len(body) != size:
            raise self.fail(
                pos,
                f"chunk {_label(name)} decompresses to {len(body)} bytes, not the "
                f"{size} its header says",
            )
        return body

    def chunk(self, name: bytes, pos: int, body: bytes, data_start: int | None) -> None:
        handler = self.handlers.get(name)
        if handler is None:
            if name not in IGNORED_CHUNKS:
                self.warn(f"unknown chunk {_label(name)} at byte {pos} skipped")
            return
        try:
            handler(Cursor(body))
        except ShortRead as short:
            # Inside an uncompressed chunk the file offset is exact; inside a
            # compressed one, name the chunk's offset and the offset in its data.
            offset = data_start + short.offset if data_start is not None else pos
            where = "" if data_start is not None else f" (byte {short.offset} of its data)"
            raise self.fail(
                offset, f"chunk {_label(name)} at byte {pos}{where}: {short.reason}"
            ) from None

    # -- chunks -----------------------------------------------------------------------

    def meta(self, cursor: Cursor) -> None:
        count = cursor.need(cursor.u32(), 8, "META entries")
        for _ in range(count):
            key = cursor.string().decode("utf-8", "replace")
            self.tree.meta[key] = cursor.string().decode("utf-8", "replace")

    def sstr(self, cursor: Cursor) -> None:
        cursor.u32()  # version, always 0
        count = cursor.need(cursor.u32(), 20, "shared strings")
        for _ in range(count):
            cursor.take(16, "an MD5 hash")  # not used by Roblox either
            self.shared.append(cursor.string())

    def inst(self, cursor: Cursor) -> None:
        class_id = cursor.u32()
        class_name = cursor.string().decode("utf-8", "replace")
        service = cursor.u8()
        count = cursor.need(cursor.u32(), 4, "instances")
        referents = _referents(cursor, count)
        if service:
            cursor.take(count, "service markers")
        if class_id in self.classes:
            raise ShortRead(0, f"class id {class_id} is defined twice")
        group = _Class(class_name)
        self.classes[class_id] = group
        for referent in referents:
            if referent in self.by_referent:
                raise ShortRead(0, f"referent {referent} is used by two instances")
            instance = Instance(class_name)
            self.by_referent[referent] = instance
            self.order.append(referent)
            group.instances.append(instance)

    def prop(self, cursor: Cursor) -> None:
        class_id = cursor.u32()
        name = cursor.string().decode("utf-8", "replace")
        type_id = cursor.u8()
        group = self.classes.get(class_id)
        if group is None:
            raise ShortRead(0, f"property {name!r} is for class id {class_id}, never defined")
        decoder = _DECODERS.get(type_id)
        if decoder is None:
            self.warn(f"property {group.name}.{name} has unknown type 0x{type_id:02x}; skipped")
            return
        count = len(group.instances)
        if type_id == 0x13:
            for instance, referent in zip(group.instances, _referents(cursor, count), strict=True):
                instance.properties[name] = Ref(None)
                if referent != -1:
                    self.pending_refs.append(_PendingRef(instance, name, referent))
            return
        if type_id == 0x1C:
            values: list[PropertyValue] = [self.shared_string(i) for i in _u32s(cursor, count)]
        elif type_id == 0x22:
            values = self.contents(cursor, group, name)
        else:
            values = decoder(cursor, count)
        for instance, value in zip(group.instances, values, strict=True):
            self.assign(instance, name, value)

    def prnt(self, cursor: Cursor) -> None:
        if cursor.u8() != 0:
            raise ShortRead(0, "PRNT version is not 0")
        count = cursor.need(cursor.u32(), 8, "parent links")
        children = _referents(cursor, count)
        parents = _referents(cursor, count)
        seen: set[int] = set()
        for child_ref, parent_ref in zip(children, parents, strict=True):
            child = self.by_referent.get(child_ref)
            parent = self.by_referent.get(parent_ref) if parent_ref != -1 else None
            if child is None or (parent is None and parent_ref != -1):
                missing = child_ref if child is None else parent_ref
                raise ShortRead(0, f"PRNT names referent {missing}, which no INST defines")
            if child_ref in seen:
                raise ShortRead(0, f"referent {child_ref} is parented twice")
            seen.add(child_ref)
            if parent is not None:
                parent.add_child(child)

    # -- values needing the file's tables ----------------------------------------------

    def shared_string(self, index: int) -> SharedString:
        if not 0 <= index < len(self.shared):
            raise ShortRead(0, f"shared string {index} is not in the SSTR chunk")
        return SharedString(self.shared[index])

    def contents(self, cursor: Cursor, group: _Class, name: str) -> list[PropertyValue]:
        count = len(group.instances)
        kinds = _i32s(cursor, count)  # ContentSourceType, zigzag-transformed
        uris = [
            cursor.string().decode("utf-8", "replace")
            for _ in range(cursor.need(cursor.u32(), 4, "Content URIs"))
        ]
        objects = _referents(cursor, cursor.need(cursor.u32(), 4, "Content objects"))
        _referents(cursor, cursor.need(cursor.u32(), 4, "external Content objects"))
        values: list[PropertyValue] = []
        uri_iter, object_iter = iter(uris), iter(objects)
        for instance, kind in zip(group.instances, kinds, strict=True):
            if kind == 1:
                values.append(Content(uri=next(uri_iter, "")))
            elif kind == 2:
                referent = next(object_iter, -1)
                ref = Ref(None)
                if referent != -1:
                    self.pending_refs.append(_PendingRef(instance, name, referent))
                values.append(Content(object_ref=ref))
            else:
                values.append(Content())
        return values

    def assign(self, instance: Instance, name: str, value: PropertyValue) -> None:
        if name == ATTRIBUTES_PROPERTY and isinstance(value, (str, bytes)):
            raw = value.encode("utf-8") if isinstance(value, str) else bytes(value)
            try:
                attributes, problem = decode_attributes(raw)
            except ShortRead as short:
                self.warn(
                    f"attributes of a {instance.class_name} are corrupt ({short.reason}); "
                    "kept as raw bytes"
                )
                instance.properties[name] = BinaryString(raw)
                return
            instance.attributes = attributes
            if problem:
                self.warn(f"{instance.class_name}: {problem}")
            return
        if name == TAGS_PROPERTY and isinstance(value, (str, bytes)):
            raw = value.encode("utf-8") if isinstance(value, str) else bytes(value)
            instance.tags = decode_tags(raw)
            return
        if isinstance(value, bytes) and type(value) is bytes:
            value = _string_value(name, value)
        instance.properties[name] = value

    def finish(self) -> None:
        for pending in self.pending_refs:
            target = self.by_referent.get(pending.referent)
            if target is None:
                self.warn(
                    f"{pending.instance.class_name}.{pending.property} points at referent "
                    f"{pending.referent}, outside the file; left empty"
                )
                continue
            current = pending.instance.properties.get(pending.property)
            if isinstance(current, Content):
                pending.instance.properties[pending.property] = Content(object_ref=Ref(target))
            else:
                pending.instance.properties[pending.property] = Ref(target)
        roots = [self.by_referent[r] for r in self.order if self.by_referent[r].parent is None]
        self.tree.roots = roots
        reachable = sum(1 for _ in self.tree.instances())
        if reachable != len(self.by_referent):
            raise self.fail(None, "the PRNT chunk links instances into a cycle")


def _string_value(name: str, raw: bytes) -> PropertyValue:
    if name in BINARY_STRING_PROPERTIES:
        return BinaryString(raw)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return BinaryString(raw)
    return ProtectedString(text) if name == SOURCE_PROPERTY else text


def _zstd(stored: bytes, size: int) -> bytes:
    """At most `size + 1` bytes of a ZSTD frame, read in steps so that a header
    claiming a huge size allocates only what the frame really holds."""
    reader = zstandard.ZstdDecompressor().stream_reader(stored)
    parts: list[bytes] = []
    total = 0
    while total <= size:
        part = reader.read(min(size + 1 - total, 1 << 20))
        if not part:
            break
        parts.append(part)
        total += len(part)
    return b"".join(parts)


def _label(name: bytes) -> str:
    return repr(name.decode("latin-1"))


# -- per-type decoders: (cursor, count) -> values ---------------------------------------


def _strings(cursor: Cursor, count: int) -> list[PropertyValue]:
    cursor.need(count, 4, "strings")
    return [cursor.string() for _ in range(count)]


def _bools(cursor: Cursor, count: int) -> list[PropertyValue]:
    return [b != 0 for b in cursor.take(count, "bools")]


def _int32s(cursor: Cursor, count: int) -> list[PropertyValue]:
    return [Int32(v) for v in _i32s(cursor, count)]


def _float32s(cursor: Cursor, count: int) -> list[PropertyValue]:
    return [Float32(v) for v in _f32s(cursor, count)]


def _float64s(cursor: Cursor, count: int) -> list[PropertyValue]:
    cursor.need(count, 8, "doubles")
    return [Float64(cursor.f64()) for _ in range(count)]


def _udims(cursor: Cursor, count: int) -> list[PropertyValue]:
    scales, offsets = _f32s(cursor, count), _i32s(cursor, count)
    return [UDim(s, o) for s, o in zip(scales, offsets, strict=True)]


def _udim2s(cursor: Cursor, count: int) -> list[PropertyValue]:
    xs, ys = _f32s(cursor, count), _f32s(cursor, count)
    xo, yo = _i32s(cursor, count), _i32s(cursor, count)
    return [UDim2(UDim(a, b), UDim(c, d)) for a, b, c, d in zip(xs, xo, ys, yo, strict=True)]


def _rays(cursor: Cursor, count: int) -> list[PropertyValue]:
    cursor.need(count, 24, "rays")
    out: list[PropertyValue] = []
    for _ in range(count):
        ox, oy, oz, dx, dy, dz = cursor.f32s(6)
        out.append(Ray(Vector3(ox, oy, oz), Vector3(dx, dy, dz)))
    return out


def _faces(cursor: Cursor, count: int) -> list[PropertyValue]:
    return [Faces(b) for b in cursor.take(count, "faces")]


def _axes(cursor: Cursor, count: int) -> list[PropertyValue]:
    return [Axes(b) for b in cursor.take(count, "axes")]


def _brick_colors(cursor: Cursor, count: int) -> list[PropertyValue]:
    return [BrickColor(v) for v in _u32s(cursor, count)]


def _color3s(cursor: Cursor, count: int) -> list[PropertyValue]:
    rs, gs, bs = _f32s(cursor, count), _f32s(cursor, count), _f32s(cursor, count)
    return [Color3(r, g, b) for r, g, b in zip(rs, gs, bs, strict=True)]


def _vector2s(cursor: Cursor, count: int) -> list[PropertyValue]:
    xs, ys = _f32s(cursor, count), _f32s(cursor, count)
    return [Vector2(x, y) for x, y in zip(xs, ys, strict=True)]


def _vector3_values(cursor: Cursor, count: int) -> list[PropertyValue]:
    return list(_vector3s(cursor, count))


def _cframe_values(cursor: Cursor, count: int) -> list[PropertyValue]:
    return list(_cframes(cursor, count))


def _enums(cursor: Cursor, count: int) -> list[PropertyValue]:
    return [EnumValue(v) for v in _u32s(cursor, count)]


def _vector3int16s(cursor: Cursor, count: int) -> list[PropertyValue]:
    cursor.need(count, 6, "Vector3int16 values")
    raw = np.frombuffer(cursor.take(count * 6), "<i2").reshape(count, 3)
    return [Vector3int16(int(x), int(y), int(z)) for x, y, z in raw]


def _number_sequences(cursor: Cursor, count: int) -> list[PropertyValue]:
    out: list[PropertyValue] = []
    for _ in range(cursor.need(count, 4, "NumberSequences")):
        points = cursor.need(cursor.u32(), 12, "NumberSequence keypoints")
        flat = cursor.f32s(points * 3)
        out.append(NumberSequence(tuple(zip(flat[0::3], flat[1::3], flat[2::3], strict=True))))
    return out


def _color_sequences(cursor: Cursor, count: int) -> list[PropertyValue]:
    out: list[PropertyValue] = []
    for _ in range(cursor.need(count, 4, "ColorSequences")):
        points = cursor.need(cursor.u32(), 20, "ColorSequence keypoints")
        flat = cursor.f32s(points * 5)
        out.append(
            ColorSequence(
                tuple(
                    (flat[i], Color3(flat[i + 1], flat[i + 2], flat[i + 3]), flat[i + 4])
                    for i in range(0, len(flat), 5)
                )
            )
        )
    return out


def _number_ranges(cursor: Cursor, count: int) -> list[PropertyValue]:
    cursor.need(count, 8, "NumberRanges")
    return [NumberRange(*cursor.f32s(2)) for _ in range(count)]


def _rects(cursor: Cursor, count: int) -> list[PropertyValue]:
    a, b, c, d = (_f32s(cursor, count) for _ in range(4))
    return [Rect(Vector2(w, x), Vector2(y, z)) for w, x, y, z in zip(a, b, c, d, strict=True)]


def _physical(cursor: Cursor, count: int) -> list[PropertyValue]:
    out: list[PropertyValue] = []
    for _ in range(cursor.need(count, 1, "PhysicalProperties")):
        flags = cursor.u8()
        if not flags & 1:
            out.append(PhysicalProperties(False))
            continue
        fields = cursor.f32s(6 if flags & 2 else 5)
        out.append(PhysicalProperties(True, *fields))
    return out


def _color3uint8s(cursor: Cursor, count: int) -> list[PropertyValue]:
    rs, gs, bs = (cursor.take(count, "colour bytes") for _ in range(3))
    return [Color3uint8(r, g, b) for r, g, b in zip(rs, gs, bs, strict=True)]


def _int64s(cursor: Cursor, count: int) -> list[PropertyValue]:
    return [Int64(v) for v in _i64s(cursor, count)]


def _capabilities(cursor: Cursor, count: int) -> list[PropertyValue]:
    return [SecurityCapabilities(v) for v in _i64s(cursor, count)]


def _bytecodes(cursor: Cursor, count: int) -> list[PropertyValue]:
    return [Bytecode(s) for s in _strings(cursor, count) if isinstance(s, bytes)]


def _optional_cframes(cursor: Cursor, count: int) -> list[PropertyValue]:
    if cursor.u8() != 0x10:
        raise ShortRead(cursor.pos - 1, "OptionalCoordinateFrame does not hold CFrames")
    frames = _cframes(cursor, count)
    if cursor.u8() != 0x02:
        raise ShortRead(cursor.pos - 1, "OptionalCoordinateFrame has no presence flags")
    present = cursor.take(count, "presence flags")
    return [OptionalCFrame(f if p else None) for f, p in zip(frames, present, strict=True)]


def _unique_ids(cursor: Cursor, count: int) -> list[PropertyValue]:
    rows = _rows(cursor, count, 16)
    out: list[PropertyValue] = []
    for row in rows:
        raw = bytes(row)
        out.append(
            UniqueId(
                int.from_bytes(raw[0:4], "big"),
                int.from_bytes(raw[4:8], "big"),
                int.from_bytes(raw[8:16], "big", signed=True),
            )
        )
    return out


def _fonts(cursor: Cursor, count: int) -> list[PropertyValue]:
    out: list[PropertyValue] = []
    for _ in range(cursor.need(count, 11, "fonts")):
        family = cursor.string().decode("utf-8", "replace")
        weight = cursor.u16()
        style = cursor.u8()
        cached = cursor.string().decode("utf-8", "replace")
        out.append(Font(family, weight, font_style_name(style), cached))
    return out


def _decoded_by_reader(cursor: Cursor, count: int) -> list[PropertyValue]:
    """Refs, shared strings and Content need the file's tables: `prop` decodes them."""
    raise AssertionError("decoded in _BinaryReader.prop")


_DECODERS: dict[int, Callable[[Cursor, int], list[PropertyValue]]] = {
    0x01: _strings,
    0x02: _bools,
    0x03: _int32s,
    0x04: _float32s,
    0x05: _float64s,
    0x06: _udims,
    0x07: _udim2s,
    0x08: _rays,
    0x09: _faces,
    0x0A: _axes,
    0x0B: _brick_colors,
    0x0C: _color3s,
    0x0D: _vector2s,
    0x0E: _vector3_values,
    0x10: _cframe_values,
    0x12: _enums,
    0x13: _decoded_by_reader,
    0x14: _vector3int16s,
    0x15: _number_sequences,
    0x16: _color_sequences,
    0x17: _number_ranges,
    0x18: _rects,
    0x19: _physical,
    0x1A: _color3uint8s,
    0x1B: _int64s,
    0x1C: _decoded_by_reader,
    0x1D: _bytecodes,
    0x1E: _optional_cframes,
    0x1F: _unique_ids,
    0x20: _fonts,
    0x21: _capabilities,
    0x22: _decoded_by_reader,
}
