"""Typed property values of Roblox place and model files.

One Python type per serialized Roblox type, the same whichever format a file
was read from, so a binary and an XML copy of one model load into equal trees.
Scalars that share a Python type but not a file type (Int32 and Int64, float
and double, string and ProtectedString, an enum and a plain int) are thin
subclasses of int / float / str / bytes: they compare equal to plain values and
still tell the XML writer which element to write.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Union

if TYPE_CHECKING:
    from luaurft.roblox.files.tree import Instance


class Int32(int):
    """`int` in XML, Int32 in binary."""


class Int64(int):
    """`int64`."""


class Float32(float):
    """`float` (single precision in the file)."""


class Float64(float):
    """`double`."""


class EnumValue(int):
    """`token`: an enum item's Value (the enum itself is the property's, not the file's)."""


class BrickColor(int):
    """A BrickColor's Number (XML writes it as `int`)."""


class SecurityCapabilities(int):
    """A SecurityCapabilities bit set (stored like an Int64)."""


class ProtectedString(str):
    """Script source: kept byte for byte."""


class ContentId(str):
    """A legacy content URI (`rbxassetid://...`); empty when it has none."""


class BinaryString(bytes):
    """Opaque bytes (base64 in XML)."""


class SharedString(bytes):
    """A string stored once per file and referred to by hash (SSTR / SharedStrings)."""


class NetAssetRef(bytes):
    """A NetAssetRef: stored like a SharedString."""


class Bytecode(bytes):
    """Signed Luau bytecode: kept as-is, never run or interpreted."""


@dataclass(frozen=True, slots=True)
class Vector2:
    x: float
    y: float


@dataclass(frozen=True, slots=True)
class Vector3:
    x: float
    y: float
    z: float


@dataclass(frozen=True, slots=True)
class Vector3int16:
    x: int
    y: int
    z: int


@dataclass(frozen=True, slots=True)
class UDim:
    scale: float
    offset: int


@dataclass(frozen=True, slots=True)
class UDim2:
    x: UDim
    y: UDim


@dataclass(frozen=True, slots=True)
class Ray:
    origin: Vector3
    direction: Vector3


@dataclass(frozen=True, slots=True)
class Faces:
    """Bit field: Right, Top, Back, Left, Bottom, Front from bit 0 (XML's order)."""

    bits: int


@dataclass(frozen=True, slots=True)
class Axes:
    """Bit field: X, Y, Z from bit 0."""

    bits: int


@dataclass(frozen=True, slots=True)
class Color3:
    r: float
    g: float
    b: float


@dataclass(frozen=True, slots=True)
class Color3uint8:
    r: int
    g: int
    b: int


IDENTITY_ROTATION = (1.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 1.0)


@dataclass(frozen=True, slots=True)
class CFrame:
    """Position and the row-major rotation matrix R00 R01 R02 R10 ... R22."""

    position: Vector3
    rotation: tuple[float, ...] = IDENTITY_ROTATION


@dataclass(frozen=True, slots=True)
class OptionalCFrame:
    value: CFrame | None


@dataclass(frozen=True, slots=True)
class NumberRange:
    min: float
    max: float


@dataclass(frozen=True, slots=True)
class NumberSequence:
    """Keypoints as (time, value, envelope)."""

    keypoints: tuple[tuple[float, float, float], ...]


@dataclass(frozen=True, slots=True)
class ColorSequence:
    """Keypoints as (time, color, envelope)."""

    keypoints: tuple[tuple[float, Color3, float], ...]


@dataclass(frozen=True, slots=True)
class Rect:
    min: Vector2
    max: Vector2


@dataclass(frozen=True, slots=True)
class PhysicalProperties:
    """Custom physical properties; `custom=False` means the material's own (the other
    fields are then meaningless and zero)."""

    custom: bool
    density: float = 0.0
    friction: float = 0.0
    elasticity: float = 0.0
    friction_weight: float = 0.0
    elasticity_weight: float = 0.0
    acoustic_absorption: float = 1.0


@dataclass(frozen=True, slots=True)
class UniqueId:
    """As the binary format stores it (XML rotates `random` left by one bit)."""

    index: int
    time: int
    random: int


@dataclass(frozen=True, slots=True)
class Font:
    family: str
    weight: int
    style: str  # "Normal" or "Italic"
    cached_face_id: str = ""


@dataclass(frozen=True, slots=True)
class Content:
    """The `Content` type: a URI, an object reference, or nothing."""

    uri: str | None = None
    object_ref: Ref | None = None


@dataclass(frozen=True, slots=True)
class EnumItem:
    """An enum attribute: unlike a property, an attribute names its enum."""

    enum: str
    value: int


class Ref:
    """A property pointing at another instance of the same file (None: unset).

    Compared by identity of the target, never recursively, so two trees can hold
    refs without their comparison walking a cycle."""

    __slots__ = ("target",)

    def __init__(self, target: Instance | None) -> None:
        self.target = target

    def __repr__(self) -> str:
        if self.target is None:
            return "Ref(None)"
        return f"Ref({self.target.full_name})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Ref) and other.target is self.target

    def __hash__(self) -> int:
        return id(self.target)


PropertyValue = Union[  # noqa: UP007 - a runtime alias read by isinstance-free code
    bool,
    int,
    float,
    str,
    bytes,
    Vector2,
    Vector3,
    Vector3int16,
    UDim,
    UDim2,
    Ray,
    Faces,
    Axes,
    Color3,
    Color3uint8,
    CFrame,
    OptionalCFrame,
    NumberRange,
    NumberSequence,
    ColorSequence,
    Rect,
    PhysicalProperties,
    UniqueId,
    Font,
    Content,
    EnumItem,
    Ref,
]

FONT_STYLES = ("Normal", "Italic")


def font_style_name(code: int) -> str:
    """FontStyle's name for its value (binary stores the number, XML the name)."""
    return FONT_STYLES[code] if 0 <= code < len(FONT_STYLES) else str(code)


def font_style_code(name: str) -> int:
    if name in FONT_STYLES:
        return FONT_STYLES.index(name)
    return int(name) if name.isdigit() else 0


_AXIS_DIRECTIONS = (
    (1.0, 0.0, 0.0),
    (0.0, 1.0, 0.0),
    (0.0, 0.0, 1.0),
    (-1.0, 0.0, 0.0),
    (0.0, -1.0, 0.0),
    (0.0, 0.0, -1.0),
)


def basic_rotation(rotation_id: int) -> tuple[float, ...] | None:
    """The rotation matrix of an axis-aligned rotation id of the binary and attribute
    formats, or None when the id is not one of the 24.

    An id is 6 * (direction of the right vector) + (direction of the up vector) + 1,
    directions numbered +X +Y +Z -X -Y -Z; the look axis follows from the two.
    """
    code = rotation_id - 1
    right_code, up_code = divmod(code, 6)
    if code < 0 or right_code > 5 or right_code % 3 == up_code % 3:
        return None
    right = _AXIS_DIRECTIONS[right_code]
    up = _AXIS_DIRECTIONS[up_code]
    back = (
        right[1] * up[2] - right[2] * up[1],
        right[2] * up[0] - right[0] * up[2],
        right[0] * up[1] - right[1] * up[0],
    )
    # Columns are the right, up and back vectors; stored row by row.
    return tuple(v + 0.0 for row in zip(right, up, back, strict=True) for v in row)
