"""Multi-file answers: splitting a model's reply into named scripts.

The convention told to the model (see `FILE_CONVENTION`): each script starts
with a marker line of its own,

    -- file: ServerScriptService/Shop.server.luau

and the path's suffix says what the script is, as Rojo and the Studio plugin
read it: ``.server.luau`` is a Script, ``.client.luau`` a LocalScript, any
other ``.luau`` a ModuleScript. Models that ignore the convention and answer in
Markdown are met half way: a fenced block whose info string, or the line just
above it (``**Shop.server.luau**``, ``### `Shop.server.luau` ``, ``File:
Shop.server.luau``), names a ``.luau``/``.lua`` path is that file.

An answer without any file name is one script; it gets a name from the task
and a suffix from the kind inferred from its code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from luaurft.llm.completion import (
    FENCE_OPEN,
    FencedBlock,
    extract_code,
    fenced_blocks,
    strip_reasoning,
)
from luaurft.luau.kind import ScriptKind, detect_kind

FILE_CONVENTION = (
    "If the answer needs more than one script, start each script with its own marker "
    "line `-- file: <Service>/<Path>/<Name>.<suffix>`, for example "
    "`-- file: ServerScriptService/Shop.server.luau` (a Script), "
    "`-- file: StarterPlayer/StarterPlayerScripts/ShopUI.client.luau` (a LocalScript) or "
    "`-- file: ReplicatedStorage/ShopConfig.luau` (a ModuleScript). "
    "A single script needs no marker."
)

_PATH_CHARS = r"[A-Za-z0-9_./\\\- ]*?[A-Za-z0-9_\-]\.(?:luau|lua)"
# A marker line: "-- file: path", also "--- File: path" and "-- filename: path".
_MARKER = re.compile(
    rf"^[ \t]*-{{2,3}}[ \t]*(?:file|filename|path)[ \t]*:[ \t]*[`\"']?(?P<path>{_PATH_CHARS})[`\"']?[ \t]*$",
    re.IGNORECASE,
)
# A path on its own line above a fence, dressed in the usual Markdown.
_HEADING_PATH = re.compile(
    rf"^[ \t]*(?:#{{1,6}}[ \t]*)?(?:[-*][ \t]+)?(?:\*\*|__)?`?"
    rf"(?:(?:file|filename|path)[ \t]*:[ \t]*)?`?(?:\*\*|__)?`?(?P<path>{_PATH_CHARS})`?"
    rf"(?:\*\*|__)?`?[ \t]*:?[ \t]*(?:\*\*|__)?[ \t]*(?:\([^)]*\))?[ \t]*$",
    re.IGNORECASE,
)
_INFO_PATH = re.compile(r"(?:title=)?[\"']?(?P<path>[^\s\"'`]*\.(?:luau|lua))[\"']?", re.IGNORECASE)

# Rojo's default project layout, so "src/server/X.server.luau" lands where Rojo would put it.
_ROJO_ROOTS = (
    ("src/server/", "ServerScriptService/"),
    ("src/client/", "StarterPlayer/StarterPlayerScripts/"),
    ("src/shared/", "ReplicatedStorage/"),
)
_TASK_STOPWORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "the",
        "of",
        "to",
        "for",
        "in",
        "on",
        "with",
        "that",
        "which",
        "who",
        "build",
        "make",
        "create",
        "write",
        "add",
        "implement",
        "roblox",
        "luau",
        "lua",
        "script",
        "scripts",
        "system",
        "please",
        "me",
        "my",
        "some",
        "using",
        "code",
        "simple",
        "basic",
        "game",
        "i",
        "want",
        "need",
        "can",
        "you",
    ]
)


@dataclass(frozen=True, slots=True)
class AnswerFile:
    """One script of an answer: a slash-separated path and its source."""

    path: str
    source: str

    @property
    def name(self) -> str:
        return self.path.rsplit("/", 1)[-1]

    @property
    def kind(self) -> ScriptKind:
        return kind_from_path(self.path)


def kind_from_path(path: str) -> ScriptKind:
    """The script kind a file name declares, as the Studio plugin reads it."""
    name = path.rsplit("/", 1)[-1].lower()
    if name.endswith((".server.luau", ".server.lua")):
        return ScriptKind.SCRIPT
    if name.endswith((".client.luau", ".client.lua")):
        return ScriptKind.LOCAL_SCRIPT
    return ScriptKind.MODULE_SCRIPT


def normalise_path(raw: str) -> str | None:
    """A clean slash-separated path, or None when nothing usable is left.

    Leading "./", drive letters, "..", empty segments and Rojo's ``src/server``
    style prefixes are removed or mapped, so the path is one the plugin accepts.
    """
    path = raw.strip().strip("`\"'").replace("\\", "/")
    path = re.sub(r"^[A-Za-z]:/", "", path)
    segments = [s.strip() for s in path.split("/")]
    segments = [s for s in segments if s and s not in {".", ".."}]
    if not segments or not re.search(r"\.(luau|lua)$", segments[-1], re.IGNORECASE):
        return None
    joined = "/".join(segments)
    lowered = joined.lower()
    for prefix, root in _ROJO_ROOTS:
        if lowered.startswith(prefix):
            joined = root + joined[len(prefix) :]
            break
    if re.fullmatch(r"(?i)\.?(server|client)?\.?(luau|lua)", segments[-1]):
        return None  # a suffix without a name
    return joined


def default_script_name(task: str) -> str:
    """A PascalCase script name from the first content words of the task."""
    words = [
        w for w in re.findall(r"[A-Za-z][A-Za-z0-9]*", task) if w.lower() not in _TASK_STOPWORDS
    ]
    name = "".join(w[:1].upper() + w[1:].lower() for w in words[:3])
    return name[:40] or "Main"


def default_path(source: str, task: str) -> str:
    """Where a lone script goes: its name from the task, its suffix from its inferred kind."""
    kind = detect_kind(source)
    name = default_script_name(task)
    suffix = {
        ScriptKind.SCRIPT: ".server.luau",
        ScriptKind.LOCAL_SCRIPT: ".client.luau",
        ScriptKind.MODULE_SCRIPT: ".luau",
    }[kind]
    return name + suffix


def _split_on_markers(text: str) -> tuple[str, list[tuple[str, str]]]:
    """(text before the first marker, [(path, body)]) for marker lines in `text`."""
    lead: list[str] = []
    files: list[tuple[str, list[str]]] = []
    for line in text.split("\n"):
        match = _MARKER.match(line)
        path = normalise_path(match.group("path")) if match else None
        if path is not None:
            files.append((path, []))
        elif files:
            files[-1][1].append(line)
        else:
            lead.append(line)
    return "\n".join(lead), [(p, "\n".join(body)) for p, body in files]


def _heading_above(lines: list[str], block: FencedBlock) -> str | None:
    """The nearest non-blank line above the block's opening fence."""
    k = block.start - 1
    while k >= 0 and not lines[k].strip():
        k -= 1
    return lines[k] if k >= 0 else None


def _block_path(block: FencedBlock, heading: str | None) -> str | None:
    for word in block.info.split()[1:] if block.info else []:
        match = _INFO_PATH.fullmatch(word)
        if match:
            return normalise_path(match.group("path"))
    if block.info and "." in block.info.split()[0]:
        match = _INFO_PATH.fullmatch(block.info.split()[0])
        if match:
            return normalise_path(match.group("path"))
    if heading is not None and not FENCE_OPEN.match(heading):
        match = _HEADING_PATH.match(heading)
        if match:
            return normalise_path(match.group("path"))
    return None


def _clean_body(body: str) -> str:
    code = extract_code(body).code if body.strip() else ""
    return code.strip("\n") + "\n" if code.strip() else ""


def split_answer(text: str, task: str = "") -> list[AnswerFile]:
    """The scripts in a model's answer (see module docstring); empty when it holds no code.

    A path named twice keeps its last version: a model that repeats a file
    usually repeats it corrected.
    """
    normalised = strip_reasoning(text.replace("\r\n", "\n").replace("\r", "\n"))
    lines = normalised.split("\n")
    found: list[tuple[str, str]] = []
    for block in fenced_blocks(lines):
        # Blocks with neither a path nor markers are usage snippets or sample output.
        path = _block_path(block, _heading_above(lines, block))
        lead, marked = _split_on_markers(block.body)
        if path is not None:
            found.append((path, lead))
        found.extend(marked)
    if not found:
        code = extract_code(normalised).code
        lead, marked = _split_on_markers(code)
        if marked:
            found.extend(marked)
            lead_code = _clean_body(lead)
            if lead_code and _looks_like_code(lead_code):
                found.insert(0, (default_path(lead_code, task), lead_code))
        else:
            single = _clean_body(code)
            if single:
                found.append((default_path(single, task), single))
    files: dict[str, AnswerFile] = {}
    for path, body in found:
        source = _clean_body(body)
        if not source:
            continue
        files.pop(path.lower(), None)
        files[path.lower()] = AnswerFile(path=path, source=source)
    return list(files.values())


def _looks_like_code(text: str) -> bool:
    """Whether text before the first marker is code rather than comments or a preamble."""
    for line in text.split("\n"):
        stripped = line.strip()
        if stripped and not stripped.startswith("--"):
            return True
    return False


def render_answer(files: list[AnswerFile]) -> str:
    """Files back into the marker convention (a lone script without a marker)."""
    if len(files) == 1:
        return files[0].source
    return "\n".join(f"-- file: {f.path}\n{f.source.rstrip()}\n" for f in files)


__all__ = [
    "FILE_CONVENTION",
    "AnswerFile",
    "default_path",
    "default_script_name",
    "kind_from_path",
    "normalise_path",
    "render_answer",
    "split_answer",
]
