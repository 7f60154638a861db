"""Bounds-checked little-endian reads over a byte buffer.

Every read checks what is left first, so a count or length read from a corrupt
file fails at once (`ShortRead`, with the offset) instead of allocating or
looping on a number the data cannot hold.
"""

from __future__ import annotations

import struct
from typing import Any

_U8 = struct.Struct("<B")
_U16 = struct.Struct("<H")
_U32 = struct.Struct("<I")
_I32 = struct.Struct("<i")
_F32 = struct.Struct("<f")
_F64 = struct.Struct("<d")


class ShortRead(Exception):
    """The data ended (or a count overran it) at `offset`; the reader turns this into
    a RobloxFileError naming the file."""

    def __init__(self, offset: int, reason: str) -> None:
        super().__init__(reason)
        self.offset = offset
        self.reason = reason


class Cursor:
    __slots__ = ("data", "pos")

    def __init__(self, data: bytes, pos: int = 0) -> None:
        self.data = data
        self.pos = pos

    @property
    def remaining(self) -> int:
        return len(self.data) - self.pos

    def take(self, size: int, what: str = "data") -> bytes:
        start = self.pos
        end = start + size
        if size < 0 or end > len(self.data):
            raise ShortRead(start, f"{what} needs {size} bytes but only {self.remaining} are left")
        self.pos = end
        return self.data[start:end]

    def need(self, count: int, item_size: int, what: str) -> int:
        """`count`, after checking that `count` items of `item_size` bytes fit."""
        if count < 0 or count * item_size > self.remaining:
            raise ShortRead(
                self.pos,
                f"{what}: {count} items of {item_size} bytes do not fit in the "
                f"{self.remaining} bytes left",
            )
        return count

    def _unpack(self, layout: struct.Struct, what: str) -> tuple[Any, ...]:
        try:
            values = layout.unpack_from(self.data, self.pos)
        except struct.error:
            raise ShortRead(self.pos, f"{what} needs {layout.size} bytes") from None
        self.pos += layout.size
        return values

    def u8(self) -> int:
        return int(self._unpack(_U8, "a byte")[0])

    def u16(self) -> int:
        return int(self._unpack(_U16, "a 16-bit integer")[0])

    def u32(self) -> int:
        return int(self._unpack(_U32, "a 32-bit integer")[0])

    def i32(self) -> int:
        return int(self._unpack(_I32, "a 32-bit integer")[0])

    def f32(self) -> float:
        return float(self._unpack(_F32, "a float")[0])

    def f64(self) -> float:
        return float(self._unpack(_F64, "a double")[0])

    def string(self, what: str = "a string") -> bytes:
        return self.take(self.u32(), what)

    def f32s(self, count: int) -> tuple[float, ...]:
        self.need(count, 4, "floats")
        return struct.unpack(f"<{count}f", self.take(4 * count))
