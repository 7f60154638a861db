"""Read rbx-dom's reflection database (`database.msgpack`): class tree, property
kinds and the default value of every property as Roblox Studio creates the
instance. Used by `scripts/gen_api_surface.py` and the tests that check the
generated surface against it; the runtime itself reads only the generated data.

The database is MessagePack; the subset it uses is decoded here so that reading
it needs no extra dependency.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path
from typing import Any


class _Reader:
    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 0

    def take(self, n: int) -> bytes:
        chunk = self.data[self.pos : self.pos + n]
        if len(chunk) != n:
            raise ValueError("truncated MessagePack data")
        self.pos += n
        return chunk

    def uint(self, n: int) -> int:
        return int.from_bytes(self.take(n), "big")

    def value(self) -> Any:
        b = self.take(1)[0]
        if b <= 0x7F:
            return b
        if b >= 0xE0:
            return b - 0x100
        if 0x80 <= b <= 0x8F:
            return self.map(b & 0x0F)
        if 0x90 <= b <= 0x9F:
            return [self.value() for _ in range(b & 0x0F)]
        if 0xA0 <= b <= 0xBF:
            return self.take(b & 0x1F).decode("utf-8", "replace")
        simple: dict[int, Any] = {0xC0: None, 0xC2: False, 0xC3: True}
        if b in simple:
            return simple[b]
        if b in (0xC4, 0xC5, 0xC6):
            return self.take(self.uint(1 << (b - 0xC4)))
        if b == 0xCA:
            return struct.unpack(">f", self.take(4))[0]
        if b == 0xCB:
            return struct.unpack(">d", self.take(8))[0]
        if 0xCC <= b <= 0xCF:
            return self.uint(1 << (b - 0xCC))
        if 0xD0 <= b <= 0xD3:
            n = 1 << (b - 0xD0)
            return int.from_bytes(self.take(n), "big", signed=True)
        if b in (0xD9, 0xDA, 0xDB):
            return self.take(self.uint(1 << (b - 0xD9))).decode("utf-8", "replace")
        if b in (0xDC, 0xDD):
            return [self.value() for _ in range(self.uint(2 if b == 0xDC else 4))]
        if b in (0xDE, 0xDF):
            return self.map(self.uint(2 if b == 0xDE else 4))
        raise ValueError(f"unsupported MessagePack type byte 0x{b:02x}")

    def map(self, n: int) -> dict[Any, Any]:
        out: dict[Any, Any] = {}
        for _ in range(n):
            key = self.value()
            out[key if not isinstance(key, list) else tuple(key)] = self.value()
        return out


def unpack(data: bytes) -> Any:
    """Decode one MessagePack value (the types the reflection database uses)."""
    return _Reader(data).value()


@dataclass(frozen=True, slots=True)
class ReflectedClass:
    name: str
    tags: tuple[str, ...]
    superclass: str | None
    #: property name -> (scriptability, data type, tags, kind)
    properties: dict[str, tuple[Any, ...]]
    #: property name -> typed default, e.g. {"Vector3": [4, 1.2, 2]}
    defaults: dict[str, dict[str, Any]]


def read_reflection(path: str | Path) -> tuple[str, dict[str, ReflectedClass]]:
    """(version, classes by name) from a `database.msgpack`."""
    raw = unpack(Path(path).read_bytes())
    version, classes = raw[0], raw[1]
    out: dict[str, ReflectedClass] = {}
    for name, entry in classes.items():
        cname, tags, superclass, properties, defaults = entry
        out[name] = ReflectedClass(
            name=cname,
            tags=tuple(tags or ()),
            superclass=superclass,
            properties={k: tuple(v[1:]) for k, v in (properties or {}).items()},
            defaults=dict(defaults or {}),
        )
    return str(version), out
