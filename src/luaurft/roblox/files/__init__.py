"""Roblox place and model files (`.rbxl` `.rbxlx` `.rbxm` `.rbxmx`).

Read either format into one typed instance tree, write it back as XML, and
compare two trees. See docs/places.md for what is read, what is skipped and
which errors a file can cause.
"""

from luaurft.roblox.files.compare import same_value, tree_differences
from luaurft.roblox.files.errors import RobloxFileError, RobloxFileWarning
from luaurft.roblox.files.loader import (
    PLACE_SUFFIXES,
    is_roblox_file,
    load_roblox_file,
    read_roblox_bytes,
)
from luaurft.roblox.files.tree import Instance, RobloxTree
from luaurft.roblox.files.xml_writer import save_xml, write_xml

__all__ = [
    "PLACE_SUFFIXES",
    "Instance",
    "RobloxFileError",
    "RobloxFileWarning",
    "RobloxTree",
    "is_roblox_file",
    "load_roblox_file",
    "read_roblox_bytes",
    "same_value",
    "save_xml",
    "tree_differences",
    "write_xml",
]
