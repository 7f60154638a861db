"""Which kind of Roblox script a piece of code is: Script, LocalScript or ModuleScript."""

from __future__ import annotations

import re
from enum import StrEnum
from typing import TYPE_CHECKING

from luaurft.errors import LuaurftError

if TYPE_CHECKING:
    from luaurft.luau.source import LuauSource


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
# API names that lean a script to one side. Each must start a word; the names
# lead the patterns (no `\b` first) so the regex engine can skip between their
# first letters, and `_count_words` checks the character before each hit.
_CLIENT_HINTS = re.compile(
    r"LocalPlayer\b|UserInputService\b|ContextActionService\b|RenderStepped\b|"
    r"PlayerGui\b|GetMouse\s*\(|CurrentCamera\b|FireServer\s*\(|OnClientEvent\b"
)
_SERVER_HINTS = re.compile(
    r"OnServerEvent\b|OnServerInvoke\b|FireClient\s*\(|FireAllClients\s*\(|"
    r"InvokeClient\s*\(|DataStoreService\b|ServerStorage\b|ServerScriptService\b|"
    r"ProcessReceipt\b|MessagingService\b|MemoryStoreService\b"
)
_WORD_CHAR = re.compile(r"\w")
_TRAILING_RETURN = re.compile(r"(?:^|\n)\s*return\s+[A-Za-z_{][^\n]*\s*$")
_LINE_START_RETURN = re.compile(r"^[ \t]*return\b", re.MULTILINE)


def _count_words(pattern: re.Pattern[str], text: str) -> int:
    """How many hits of `pattern` start a word (what a leading `\b` would count)."""
    count = 0
    for hit in pattern.finditer(text):
        start = hit.start()
        if start == 0 or not _WORD_CHAR.match(text, start - 1):
            count += 1
    return count


def _ends_in_return(text: str, source: LuauSource | None = None) -> bool:
    """The chunk's last statement returns a value (`return Module`, a multi-line
    `return { ... }`, `return function(...) ... end`)."""
    trimmed = text.rstrip()
    # Fast path: `return <name or table>` on the last line, or on the last non-blank
    # line before it; a match can only begin there, so only that tail is searched.
    before = trimmed[: trimmed.rfind("\n") + 1].rstrip()
    start = before.rfind("\n") + 1 if before else 0
    if _TRAILING_RETURN.search(trimmed[start:]) is not None:
        return True
    if _LINE_START_RETURN.search(text) is None:
        return False
    # A value spread over lines: ask the parse tree (the caller's, or one shared
    # through LuauSource's cache, so scoring does not parse twice).
    if source is None:
        from luaurft.luau.source import LuauSource

        source = LuauSource.of(text)
    statements = [c for c in source.root.named_children if c.type != "comment"]
    if not statements or statements[-1].type != "return_statement":
        return False
    return any(c.type == "expression_list" for c in statements[-1].named_children)


def parse_kind(value: str) -> ScriptKind:
    """Parse a user-supplied kind ('Script', 'client', 'module', ...)."""
    kind = _ALIASES.get(value.strip().lower().replace("_", "").replace("-", ""))
    if kind is None:
        raise LuaurftError(
            f"unknown script kind {value!r}; use Script, LocalScript or ModuleScript"
        )
    return kind


def detect_kind(
    text: str | LuauSource, *, kind: str | None = None, path: str | None = None
) -> ScriptKind:
    """The script kind, from (in order) `kind`, a `-- kind:` comment, the file name, inference.

    File names follow Rojo's convention: `*.server.luau` is a Script,
    `*.client.luau` a LocalScript. Inference: code whose last statement returns a
    value is a ModuleScript; code that uses more client-only APIs than
    server-only ones is a LocalScript; anything else is a server Script.
    """
    if kind:
        return parse_kind(kind)
    source = None if isinstance(text, str) else text
    code = text if isinstance(text, str) else text.text
    if source is not None:
        path = path or source.path
    head = code[:2000]
    comment = _KIND_COMMENT.search(head) if "kind" in head else None
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
    if _ends_in_return(code, source):
        return ScriptKind.MODULE_SCRIPT
    # Code that mixes both sides is whichever it leans to, so the API rules
    # report the few calls that are on the wrong side rather than the many.
    client = _count_words(_CLIENT_HINTS, code)
    if client and client > _count_words(_SERVER_HINTS, code):
        return ScriptKind.LOCAL_SCRIPT
    return ScriptKind.SCRIPT
