"""Exceptions a user can cause. Each message says what to do next; the CLI prints it without a traceback."""

from __future__ import annotations


class LuaurftError(Exception):
    """Base class for errors caused by input or configuration, not by a bug in luaurft."""


class SourceDecodeError(LuaurftError):
    """Bytes that are not UTF-8 text were given where Luau source was expected."""

    def __init__(self, position: int, reason: str, origin: str | None = None) -> None:
        where = f"{origin}: " if origin else ""
        super().__init__(
            f"{where}not UTF-8 text (invalid byte at offset {position}: {reason}); "
            "save the file as UTF-8 or pass text, not binary data"
        )
        self.position = position
        self.origin = origin


class UnknownRuleError(LuaurftError):
    """A rule id that is not in the registry."""


class ConfigError(LuaurftError):
    """A configuration value or file that cannot be used."""


class UnreadableFileError(LuaurftError):
    """A path that is not a regular file within the size limit (a FIFO, a device,
    a symlink loop, a file too large): reported, never read."""


class SourceTooLargeError(LuaurftError):
    """Source beyond what the scorers analyse in bounded time and memory."""
