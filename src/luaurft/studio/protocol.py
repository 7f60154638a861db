"""The versioned JSON protocol spoken between the bridge and the Studio plugin.

Every operation the Python side sends is one message
``{v, sessionId, cursor, id, type, payload}``. ``cursor`` grows by one per
message within a session, so a plugin that lost its connection polls again
with the last cursor it handled and receives everything after it; ``id`` is
unique per operation, and both sides apply an id at most once.

Messages never carry JSON ``null``: Roblox's ``HttpService:JSONDecode`` turns
it into a hole in Luau tables, so optional fields are omitted instead.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from luaurft.studio.errors import StudioRequestError

PROTOCOL_VERSION: Final = 1

OP_APPLY_SCRIPTS: Final = "apply_scripts"
OP_GET_SELECTION: Final = "get_selection"
OP_GET_TREE: Final = "get_tree"
OP_READ_SCRIPT: Final = "read_script"
OP_GET_LOGS: Final = "get_logs"
OPERATIONS: Final = (OP_APPLY_SCRIPTS, OP_GET_SELECTION, OP_GET_TREE, OP_READ_SCRIPT, OP_GET_LOGS)

SCRIPT_CLASSES: Final = ("Script", "LocalScript", "ModuleScript")

_SHA256_HEX = re.compile(r"^[0-9a-f]{64}$")
# Characters Studio cannot show in an instance name, or that would make a path ambiguous.
_BAD_SEGMENT = re.compile(r"[\x00-\x1f]")


def source_sha256(source: str) -> str:
    """The hex sha256 of a script's Source as UTF-8, the form `expectOldSha256` takes."""
    return hashlib.sha256(source.encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class ScriptFile:
    """One script to write into Studio.

    ``path`` is slash-separated; its last segment is the script name with an
    optional ``.server.luau`` / ``.client.luau`` / ``.luau`` suffix, earlier
    segments are folders (the first may name a service such as
    ``ReplicatedStorage``). ``expect_old_sha256`` makes the plugin refuse the
    whole batch if the script's current Source hashes differently.
    """

    path: str
    source: str
    class_name: str | None = None
    expect_old_sha256: str | None = None

    def to_payload(self) -> dict[str, Any]:
        entry: dict[str, Any] = {"path": self.path, "source": self.source}
        if self.class_name is not None:
            entry["className"] = self.class_name
        if self.expect_old_sha256 is not None:
            entry["expectOldSha256"] = self.expect_old_sha256
        return entry


def apply_scripts_payload(
    files: Sequence[ScriptFile | Mapping[str, Any]], title: str = "luaurft"
) -> dict[str, Any]:
    """Build (and validate) the payload of an ``apply_scripts`` operation."""
    entries = [f.to_payload() if isinstance(f, ScriptFile) else dict(f) for f in files]
    payload = {"title": title, "files": entries}
    validate_payload(OP_APPLY_SCRIPTS, payload)
    return payload


def _require(condition: bool, message: str) -> None:
    if not condition:
        raise StudioRequestError(message)


def _validate_path(path: object, where: str) -> None:
    _require(
        isinstance(path, str) and path.strip() != "", f"{where}: 'path' must be a non-empty string"
    )
    assert isinstance(path, str)
    segments = path.replace("\\", "/").split("/")
    for segment in segments:
        _require(
            segment != "", f"{where}: path {path!r} has an empty segment (double or trailing '/')"
        )
        _require(segment not in {".", ".."}, f"{where}: path {path!r} must not use '.' or '..'")
        _require(
            not _BAD_SEGMENT.search(segment), f"{where}: path {path!r} has a control character"
        )


def _validate_apply_scripts(payload: Mapping[str, Any]) -> None:
    title = payload.get("title", "luaurft")
    _require(isinstance(title, str), "apply_scripts: 'title' must be a string")
    files = payload.get("files")
    _require(
        isinstance(files, list) and len(files) > 0,
        "apply_scripts: 'files' must be a non-empty list",
    )
    assert isinstance(files, list)
    seen: set[str] = set()
    for index, entry in enumerate(files):
        where = f"apply_scripts: files[{index}]"
        _require(isinstance(entry, Mapping), f"{where} must be an object")
        _validate_path(entry.get("path"), where)
        key = entry["path"].replace("\\", "/").lower()
        _require(key not in seen, f"{where}: path {entry['path']!r} appears twice in one batch")
        seen.add(key)
        _require(isinstance(entry.get("source"), str), f"{where}: 'source' must be a string")
        class_name = entry.get("className")
        _require(
            class_name is None or class_name in SCRIPT_CLASSES,
            f"{where}: 'className' must be one of {', '.join(SCRIPT_CLASSES)} (got {class_name!r})",
        )
        expected = entry.get("expectOldSha256")
        _require(
            expected is None or (isinstance(expected, str) and bool(_SHA256_HEX.match(expected))),
            f"{where}: 'expectOldSha256' must be 64 lowercase hex digits (see source_sha256)",
        )
        unknown = set(entry) - {"path", "source", "className", "expectOldSha256"}
        _require(not unknown, f"{where}: unknown field(s) {sorted(unknown)}")


def validate_payload(op_type: str, payload: Mapping[str, Any]) -> None:
    """Raise `StudioRequestError` unless `payload` is a well-formed `op_type` operation."""
    _require(
        op_type in OPERATIONS,
        f"unknown Studio operation {op_type!r}; use one of {', '.join(OPERATIONS)}",
    )
    _require(isinstance(payload, Mapping), f"{op_type}: payload must be an object")
    _require(
        all(value is not None for value in payload.values()),
        f"{op_type}: omit optional fields instead of sending null",
    )
    if op_type == OP_APPLY_SCRIPTS:
        _validate_apply_scripts(payload)
    elif op_type == OP_READ_SCRIPT:
        _validate_path(payload.get("path"), OP_READ_SCRIPT)
    elif op_type == OP_GET_TREE:
        depth = payload.get("depth", 2)
        _require(
            isinstance(depth, int) and not isinstance(depth, bool) and depth >= 0,
            "get_tree: 'depth' must be a non-negative integer",
        )
        root = payload.get("root")
        if root is not None:
            _validate_path(root, OP_GET_TREE)
    elif op_type == OP_GET_LOGS:
        since = payload.get("since", 0)
        _require(
            isinstance(since, int) and not isinstance(since, bool) and since >= 0,
            "get_logs: 'since' must be a non-negative integer (a log sequence number)",
        )
