"""Which kind of Roblox script a piece of code is: Script, LocalScript or ModuleScript."""

from __future__ import annotations

import re
import tomllib
from enum import StrEnum
from functools import cache
from pathlib import Path
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

# Where APIs run is a Roblox fact with one home: the table the API rules read
# (`roblox/data/api/context.toml`: client_only, server_only and client_hints).
# It is read here as data, so this bottom layer does not import `roblox/`.
_SIDE_TABLE = Path(__file__).resolve().parent.parent / "roblox" / "data" / "api" / "context.toml"


@cache
def side_hints() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """(client, server) patterns of the API names that lean a script to one side."""
    table = tomllib.loads(_SIDE_TABLE.read_text("utf-8"))
    names: dict[str, set[str]] = {"client": set(), "server": set()}
    for side in names:
        block = table.get(f"{side}_only", {})
        names[side].update(block.get("services", {}))
        names[side].update(key.partition(".")[2] for key in block.get("members", {}))
        names[side].update(table.get(f"{side}_hints", {}).get("names", ()))
    # Each name must start a word; the names lead the patterns (no `\b` first)
    # so the regex engine can skip between their first letters, and
    # `_word_hits` checks the character before each hit.
    client, server = (
        re.compile("|".join(rf"{re.escape(n)}\b" for n in sorted(names[s], key=len, reverse=True)))
        for s in ("client", "server")
    )
    return client, server


_WORD_CHAR = re.compile(r"\w")
_TRAILING_RETURN = re.compile(r"(?:^|\n)[ \t]*return[ \t]+[A-Za-z_{][^\n]*\s*$")
_LINE_START_RETURN = re.compile(r"^[ \t]*return\b", re.MULTILINE)


def _word_hits(pattern: re.Pattern[str], text: str) -> list[str]:
    """The hits of `pattern` that start a word (what a leading `\b` would find)."""
    hits = []
    for hit in pattern.finditer(text):
        start = hit.start()
        if start == 0 or not _WORD_CHAR.match(text, start - 1):
            hits.append(hit.group())
    return hits


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
    """The script kind (see `kind_with_reason`)."""
    return kind_with_reason(text, kind=kind, path=path)[0]


def kind_with_reason(
    text: str | LuauSource, *, kind: str | None = None, path: str | None = None
) -> tuple[ScriptKind, str | None]:
    """The script kind, from (in order) `kind`, a `-- kind:` comment, the file name, inference,
    and, when it was inferred from weak, conflicting or absent signals, why.

    File names follow Rojo's convention: `*.server.luau` is a Script,
    `*.client.luau` a LocalScript. Inference: code whose last statement returns a
    value is a ModuleScript; code that uses more client-side APIs than
    server-side ones (`side_hints`) is a LocalScript; anything else is a server
    Script. The reason is None when the kind was stated or the signals agree.
    """
    if kind:
        return parse_kind(kind), None
    source = None if isinstance(text, str) else text
    code = text if isinstance(text, str) else text.text
    if source is not None:
        path = path or source.path
    head = code[:2000]
    comment = _KIND_COMMENT.search(head) if "kind" in head else None
    if comment:
        try:
            return parse_kind(comment.group(1)), None
        except LuaurftError:
            pass
    if path:
        name = path.replace("\\", "/").rsplit("/", 1)[-1].lower()
        if name.endswith((".server.luau", ".server.lua")):
            return ScriptKind.SCRIPT, None
        if name.endswith((".client.luau", ".client.lua")):
            return ScriptKind.LOCAL_SCRIPT, None
    if _ends_in_return(code, source):
        return ScriptKind.MODULE_SCRIPT, None
    client_pattern, server_pattern = side_hints()
    client, server = _word_hits(client_pattern, code), _word_hits(server_pattern, code)
    if not client and not server:
        return ScriptKind.SCRIPT, "no client or server API in the code: assumed a server Script"
    # Code that mixes both sides is whichever it leans to, so the API rules
    # report the few calls that are on the wrong side rather than the many.
    leaning = ScriptKind.LOCAL_SCRIPT if len(client) > len(server) else ScriptKind.SCRIPT
    if client and server:
        return leaning, (
            f"client APIs ({_listed(client)}) and server APIs ({_listed(server)}) both used: "
            f"taken as a {leaning.value}, the side most of them need"
        )
    return leaning, None


def module_side(code: str) -> str:
    """ "client" for a ModuleScript whose code leans to client APIs (`LocalPlayer`,
    `UserInputService`, ...; the same table and rule as `kind_with_reason`), else
    "server": the side it is required from when it runs alone."""
    client_pattern, server_pattern = side_hints()
    client, server = _word_hits(client_pattern, code), _word_hits(server_pattern, code)
    return "client" if len(client) > len(server) else "server"


def _listed(hits: list[str]) -> str:
    names = sorted(set(hits))
    return ", ".join(names[:3]) + (", ..." if len(names) > 3 else "")
