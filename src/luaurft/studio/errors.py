"""Errors of the Studio bridge. Each message says what the user can do about it."""

from __future__ import annotations

from luaurft.errors import LuaurftError


class StudioError(LuaurftError):
    """Base class for everything that goes wrong between luaurft and Roblox Studio."""


class StudioBridgeError(StudioError):
    """The bridge server cannot start, or was used while stopped."""


class StudioRequestError(StudioError):
    """An operation the Python side asked for is malformed (bad type or payload)."""


class StudioTimeoutError(StudioError):
    """The Studio plugin did not answer an operation in time."""


class StudioOperationError(StudioError):
    """The Studio plugin answered, but reported that the operation failed."""


class PluginInstallError(StudioError):
    """The plugin file cannot be built or installed on this machine."""
