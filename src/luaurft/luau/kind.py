"""Which kind of Roblox script a piece of code is: Script, LocalScript or ModuleScript."""

from __future__ import annotations

import re
from enum import StrEnum

from luaurft.errors import LuaurftError


class ScriptKind(StrEnum):
    SCRIPT = "Script"
    LOCAL_SCRIPT = "LocalScript"
    MODULE_SCRIPT = "ModuleScript"


_ALIASES = {
    "script": ScriptKind.SCRIPT,
    "server": ScriptKind.SCRIPT,
    "serverscript": ScriptKind.SCRIPT,
    "localscript": ScriptKind.LOCAL_SCRIPT,
    "local": ScriptKind.LOCAL_SCRIPT,
    "client": ScriptKind.LOCAL_SCRIPT,
    "modulescript": ScriptKind.MODULE_SCRIPT,
    "module": ScriptKind.MODULE_SCRIPT,
}

_KIND_COMMENT = re.compile(r"^\s*--\s*kind\s*:\s*([A-Za-z]+)", re.MULTILINE)
_CLIENT_HINTS = re.compile(
    r"\bLocalPlayer\b|\bUserInputService\b|\bContextActionService\b|\bRenderStepped\b|"
    r"\bPlayerGui\b|\bGetMouse\s*\(|\bCurrentCamera\b|\bFireServer\s*\(|\bOnClientEvent\b"
)
_SERVER_HINTS = re.compile(
    r"\bOnServerEvent\b|\bOnServerInvoke\b|\bFireClient\s*\(|\bFireAllClients\s*\(|"
    r"\bInvokeClient\s*\(|\bDataStoreService\b|\bServerStorage\b|\bServerScriptService\b|"
    r"\bProcessReceipt\b|\bMessagingService\b|\bMemoryStoreService\b"
)
_TRAILING_RETURN = re.compile(r"(?:^|\n)\s*return\s+[A-Za-z_{][^\n]*\s*$")


def parse_kind(value: str) -> ScriptKind:
    """Parse a user-supplied kind ('Script', 'client', 'module', ...)."""
    kind = _ALIASES.get(value.strip().lower().replace("_", "").replace("-", ""))
    if kind is None:
        raise LuaurftError(
            f"unknown script kind {value!r}; use Script, LocalScript or ModuleScript"
        )
    return kind


def detect_kind(text: str, *, kind: str | None = None, path: str | None = None) -> ScriptKind:
    """The script kind, from (in order) `kind`, a `-- kind:` comment, the file name, inference.

    File names follow Rojo's convention: `*.server.luau` is a Script,
    `*.client.luau` a LocalScript. Inference: code whose last statement returns a
    value is a ModuleScript; code that uses more client-only APIs than
    server-only ones is a LocalScript; anything else is a server Script.
    """
    if kind:
        return parse_kind(kind)
    comment = _KIND_COMMENT.search(text[:2000])
    if comment:
        try:
            return parse_kind(comment.group(1))
        except LuaurftError:
            pass
    if path:
        name = path.replace("\\", "/").rsplit("/", 1)[-1].lower()
        if name.endswith((".server.luau", ".server.lua")):
            return ScriptKind.SCRIPT
        if name.endswith((".client.luau", ".client.lua")):
            return ScriptKind.LOCAL_SCRIPT
    if _TRAILING_RETURN.search(text.rstrip()):
        return ScriptKind.MODULE_SCRIPT
    # Code that mixes both sides is whichever it leans to, so the API rules
    # report the few calls that are on the wrong side rather than the many.
    client = len(_CLIENT_HINTS.findall(text))
    if client and client > len(_SERVER_HINTS.findall(text)):
        return ScriptKind.LOCAL_SCRIPT
    return ScriptKind.SCRIPT
