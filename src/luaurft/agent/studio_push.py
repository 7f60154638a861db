"""Pushing a version into Studio through the bridge, then reading what Output said.

Before the first push the Output cursor is taken, so only messages written
after the push are read. Each later push of a path already written carries the
hash Studio reported for it (``expectOldSha256``): if the developer edited that
script in Studio meanwhile, the plugin refuses the batch instead of
overwriting their work.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Any, Protocol

from luaurft.agent.result import ScoredFile, StudioPush
from luaurft.agent.studio_logs import attribute_errors, pushed_scripts
from luaurft.studio.errors import StudioError
from luaurft.studio.protocol import ScriptFile, apply_scripts_payload

# Studio keeps 500 Output entries in the plugin's ring; asking for more reads them all.
_ALL_LOGS = 1000


class BridgeLike(Protocol):
    """What the assistant needs from `luaurft.studio.StudioBridge`."""

    def request(
        self, op_type: str, payload: dict[str, Any] | None = None, timeout: float = 60.0
    ) -> dict[str, Any]: ...


class StudioSession:
    """Pushes versions through one bridge and remembers the Output cursor and file hashes."""

    def __init__(
        self,
        bridge: BridgeLike,
        *,
        apply_timeout: float = 300.0,
        logs_wait: float = 2.0,
        request_timeout: float = 30.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.bridge = bridge
        self.apply_timeout = apply_timeout
        self.logs_wait = logs_wait
        self.request_timeout = request_timeout
        self._sleep = sleep
        self._cursor: int | None = None
        self._hashes: dict[str, str] = {}

    def _log_cursor(self) -> int:
        if self._cursor is None:
            result = self.bridge.request(
                "get_logs", {"since": 0, "max": _ALL_LOGS, "types": ["error"]}, self.request_timeout
            )
            self._cursor = _int(result.get("next"), 0)
        return self._cursor

    def push(self, files: Sequence[ScoredFile], title: str) -> StudioPush:
        """Apply `files` as one change in Studio; wait; collect Output errors from them."""
        try:
            cursor = self._log_cursor()
            payload = apply_scripts_payload(
                [
                    ScriptFile(
                        path=f.path,
                        source=f.source,
                        class_name=f.kind.value,
                        expect_old_sha256=self._hashes.get(f.path.lower()),
                    )
                    for f in files
                ],
                title=title,
            )
            result = self.bridge.request("apply_scripts", payload, self.apply_timeout)
        except StudioError as exc:
            return StudioPush(status="error", message=str(exc))
        status = str(result.get("status", "failed"))
        reports = tuple(e for e in result.get("files") or [] if isinstance(e, dict))
        message = str(result.get("message", ""))
        if status != "applied":
            return StudioPush(status=status, message=message, files=reports)
        for entry in reports:
            path, digest = entry.get("path"), entry.get("sha256")
            if isinstance(path, str) and isinstance(digest, str):
                self._hashes[path.lower()] = digest
        if self.logs_wait > 0:
            self._sleep(self.logs_wait)
        try:
            logs = self.bridge.request(
                "get_logs", {"since": cursor, "max": _ALL_LOGS}, self.request_timeout
            )
        except StudioError as exc:
            return StudioPush(
                status=status, message=f"applied; Output not read: {exc}", files=reports
            )
        self._cursor = max(cursor, _int(logs.get("next"), cursor))
        entries = [e for e in logs.get("entries") or [] if isinstance(e, dict)]
        errors = attribute_errors(entries, pushed_scripts(result))
        return StudioPush(
            status=status, message=message, files=reports, errors=tuple(errors), logs_checked=True
        )


def _int(value: object, default: int) -> int:
    if isinstance(value, bool):
        return default
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return default


__all__ = ["BridgeLike", "StudioSession"]
