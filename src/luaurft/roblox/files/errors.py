"""What a Roblox file reader reports: an error for a corrupt file, a warning for
a well-formed part it does not understand (and skips)."""

from __future__ import annotations

from luaurft.errors import LuaurftError


class RobloxFileError(LuaurftError):
    """A place or model file that cannot be read: not a Roblox file, truncated, or
    with a corrupt chunk. Names the file and the byte offset where reading stopped."""

    def __init__(self, origin: str, offset: int | None, reason: str) -> None:
        where = f" at byte {offset}" if offset is not None else ""
        super().__init__(
            f"{origin}: cannot read this Roblox file{where}: {reason}; "
            "re-save it from Roblox Studio (File > Save to File) or check that it was "
            "copied whole"
        )
        self.origin = origin
        self.offset = offset
        self.reason = reason


class RobloxFileWarning(UserWarning):
    """A well-formed part of a file the reader does not know (a chunk, a property or
    an attribute type) was skipped; the rest of the file loaded."""
