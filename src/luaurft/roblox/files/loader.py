"""Load a place or model file, whichever format it is in (decided by its bytes,
not its extension: Studio users rename files)."""

from __future__ import annotations

import os
from pathlib import Path

from luaurft.roblox.files.binary_reader import is_binary, read_binary
from luaurft.roblox.files.errors import RobloxFileError
from luaurft.roblox.files.tree import RobloxTree
from luaurft.roblox.files.xml_reader import read_xml

PLACE_SUFFIXES = (".rbxl", ".rbxlx", ".rbxm", ".rbxmx")
_BOM = b"\xef\xbb\xbf"


def is_roblox_file(path: str | os.PathLike[str]) -> bool:
    """Whether a path names a place or model file by its extension."""
    return Path(path).suffix.lower() in PLACE_SUFFIXES


def read_roblox_bytes(data: bytes, origin: str = "<memory>") -> RobloxTree:
    """The tree of a binary or XML place/model file's bytes."""
    if is_binary(data):
        return read_binary(data, origin)
    text = data[len(_BOM) :] if data.startswith(_BOM) else data
    head = text.lstrip()[:64]
    if head.startswith(b"<roblox") or head.startswith(b"<?xml"):
        return read_xml(text, origin)
    raise RobloxFileError(
        origin,
        0,
        "not a Roblox place or model file (neither the binary `<roblox!` header nor "
        "an XML `<roblox>` root)",
    )


def load_roblox_file(path: str | os.PathLike[str]) -> RobloxTree:
    """The instance tree of a `.rbxl` / `.rbxlx` / `.rbxm` / `.rbxmx` file."""
    origin = str(path)
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise RobloxFileError(origin, None, f"cannot open the file ({exc.strerror})") from None
    return read_roblox_bytes(data, origin)
