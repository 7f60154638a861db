"""Using a bridge that another process runs (`luaurft studio serve`).

`luaurft studio serve` records its address and pairing token in a file only the
user can read (`bridge_state_path(port)`, in the user cache folder); `assist
--studio` and `mcp --studio` find it with `find_running_bridge(port)` and send
their operations through it (`POST /api/request`), so Studio stays paired with
the one token it was given. When no bridge runs there they start their own.
"""

from __future__ import annotations

import contextlib
import json
import os
from pathlib import Path
from typing import Any

import httpx

from luaurft.studio.errors import (
    StudioBridgeError,
    StudioOperationError,
    StudioRequestError,
    StudioTimeoutError,
)
from luaurft.studio.protocol import PROTOCOL_VERSION


def bridge_state_path(port: int) -> Path:
    """Where the bridge on `port` records its address and token."""
    from luaurft.roblox.api import user_cache_dir

    return user_cache_dir() / f"studio-bridge-{port}.json"


def write_bridge_state(url: str, port: int, token: str, session_id: str) -> Path:
    """Record a running bridge (readable by this user only)."""
    path = bridge_state_path(port)
    path.parent.mkdir(parents=True, exist_ok=True)
    data = json.dumps(
        {"url": url, "port": port, "token": token, "session_id": session_id, "pid": os.getpid()}
    )
    with contextlib.suppress(FileNotFoundError):
        path.unlink()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as file:
        file.write(data)
    return path


def clear_bridge_state(port: int, token: str) -> None:
    """Forget the record of the bridge on `port`, if it is still this one's."""
    path = bridge_state_path(port)
    with contextlib.suppress(OSError, ValueError):
        if json.loads(path.read_text("utf-8")).get("token") == token:
            path.unlink()


class RemoteBridge:
    """A bridge run by another process, with `request()` like `StudioBridge`'s."""

    def __init__(self, url: str, token: str, *, port: int) -> None:
        self.url = url
        self.token = token
        self.port = port

    def _client(self, timeout: float) -> httpx.Client:
        return httpx.Client(
            base_url=self.url,
            headers={"X-Luaurft-Token": self.token},
            timeout=httpx.Timeout(timeout, connect=5.0),
        )

    def status(self) -> dict[str, Any]:
        try:
            with self._client(10.0) as client:
                response = client.get("/api/status")
        except httpx.HTTPError as exc:
            raise StudioBridgeError(f"the bridge at {self.url} does not answer: {exc}") from None
        if response.status_code != 200:
            raise StudioBridgeError(f"the bridge at {self.url} refused: {_message(response)}")
        body = response.json()
        return body if isinstance(body, dict) else {}

    @property
    def running(self) -> bool:
        return True  # found answering by `find_running_bridge`; a stop shows on the next call

    @property
    def plugin(self) -> dict[str, Any] | None:
        """What the connected plugin said about itself, or None before one registered."""
        try:
            plugin = self.status().get("plugin")
        except StudioBridgeError:
            return None
        return plugin if isinstance(plugin, dict) else None

    def connected(self) -> bool:
        try:
            return bool(self.status().get("connected"))
        except StudioBridgeError:
            return False

    def request(
        self, op_type: str, payload: dict[str, Any] | None = None, timeout: float = 60.0
    ) -> dict[str, Any]:
        body = {
            "v": PROTOCOL_VERSION,
            "type": op_type,
            "payload": payload or {},
            "timeout": timeout,
        }
        try:
            with self._client(timeout + 10.0) as client:
                response = client.post("/api/request", json=body)
        except httpx.HTTPError as exc:
            raise StudioBridgeError(f"the bridge at {self.url} does not answer: {exc}") from None
        if response.status_code == 200:
            result = response.json().get("result")
            return result if isinstance(result, dict) else {}
        message = _message(response)
        if response.status_code == 400:
            raise StudioRequestError(message)
        if response.status_code == 504:
            raise StudioTimeoutError(message)
        if response.status_code == 502:
            raise StudioOperationError(message)
        raise StudioBridgeError(message)


def _message(response: httpx.Response) -> str:
    try:
        error = response.json().get("error") or {}
        return str(error.get("message") or response.status_code)
    except ValueError:
        return f"HTTP {response.status_code}"


def find_running_bridge(port: int) -> RemoteBridge | None:
    """The bridge `luaurft studio serve` runs on `port`, when it runs and answers."""
    path = bridge_state_path(port)
    try:
        state = json.loads(path.read_text("utf-8"))
        url, token = str(state["url"]), str(state["token"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    remote = RemoteBridge(url, token, port=port)
    try:
        remote.status()
    except StudioBridgeError:
        return None  # a stale record (the bridge stopped without cleaning up)
    return remote


__all__ = [
    "RemoteBridge",
    "bridge_state_path",
    "clear_bridge_state",
    "find_running_bridge",
    "write_bridge_state",
]
