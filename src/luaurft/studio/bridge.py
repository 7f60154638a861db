"""The Studio bridge: a loopback HTTP server the Roblox Studio plugin polls for work.

Security model (the server runs on a developer's machine while a browser is
open): it binds 127.0.0.1 only; it refuses a ``Host`` other than
``127.0.0.1:PORT`` / ``localhost:PORT`` so a DNS-rebound page cannot reach it
under its own name; it refuses a non-loopback ``Origin``; and every request
must carry the pairing token printed at start (``Authorization: Bearer`` or
``X-Luaurft-Token``), compared in constant time. It never sends CORS headers.

Flow: Python code calls `StudioBridge.request(type, payload)`, which queues a
message and blocks; the plugin long-polls ``GET /api/poll?cursor=N``, applies
the operation and posts ``POST /api/result``, which wakes the caller.
"""

from __future__ import annotations

import contextlib
import hmac
import json
import math
import secrets
import socket
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Final
from urllib.parse import parse_qs, urlsplit

from luaurft import __version__
from luaurft.studio.errors import (
    StudioBridgeError,
    StudioOperationError,
    StudioRequestError,
    StudioTimeoutError,
)
from luaurft.studio.protocol import OPERATIONS, PROTOCOL_VERSION, validate_payload

DEFAULT_PORT: Final = 34873
LOOPBACK_HOST: Final = "127.0.0.1"
MAX_POLL_TIMEOUT_S: Final = 15.0
_LOOPBACK_NAMES: Final = frozenset({"127.0.0.1", "localhost", "::1"})
_FINISHED_MEMORY: Final = 1024
MAX_CLIENT_WAIT_S: Final = 3600.0
_CLIENT_ROUTES: Final = frozenset({"/api/status", "/api/request"})


@dataclass(frozen=True, slots=True)
class BridgeLimits:
    """What the bridge accepts; announced to the plugin in ``/api/hello``."""

    max_body_bytes: int = 4 * 1024 * 1024
    poll_timeout_s: float = MAX_POLL_TIMEOUT_S
    max_tree_depth: int = 8
    max_messages_per_poll: int = 16
    max_pending: int = 256

    def __post_init__(self) -> None:
        if not 0 < self.poll_timeout_s <= MAX_POLL_TIMEOUT_S:
            raise StudioBridgeError(
                f"poll timeout must be in (0, {MAX_POLL_TIMEOUT_S:g}] seconds, got {self.poll_timeout_s}"
            )
        if self.max_body_bytes < 1024:
            raise StudioBridgeError("max_body_bytes must be at least 1024")
        if self.max_tree_depth < 0 or self.max_messages_per_poll < 1 or self.max_pending < 1:
            raise StudioBridgeError("bridge limits must be positive")

    def to_json(self) -> dict[str, Any]:
        return {
            "maxBodyBytes": self.max_body_bytes,
            "pollTimeoutSeconds": self.poll_timeout_s,
            "maxTreeDepth": self.max_tree_depth,
            "maxMessagesPerPoll": self.max_messages_per_poll,
        }


@dataclass(frozen=True, slots=True)
class PluginInfo:
    """What the plugin said about itself in ``/api/register``."""

    plugin_version: str
    place_name: str = ""
    place_id: int = 0
    studio_version: str = ""
    registered_at: float = 0.0


@dataclass(slots=True)
class _Operation:
    id: str
    cursor: int
    type: str
    payload: dict[str, Any]
    created: float
    done: threading.Event = field(default_factory=threading.Event)
    state: str = "queued"  # queued -> answered | expired | aborted
    ok: bool = False
    result: dict[str, Any] = field(default_factory=dict)
    error: str = ""
    deliveries: int = 0


class PendingOperation:
    """A queued operation; `wait()` blocks until the plugin answers."""

    def __init__(self, bridge: StudioBridge, op: _Operation) -> None:
        self._bridge = bridge
        self._op = op

    @property
    def id(self) -> str:
        return self._op.id

    @property
    def cursor(self) -> int:
        return self._op.cursor

    @property
    def type(self) -> str:
        return self._op.type

    def done(self) -> bool:
        return self._op.done.is_set()

    def wait(self, timeout: float) -> dict[str, Any]:
        """The plugin's result payload; raises when it fails, times out or the bridge stops.

        A timed-out operation is withdrawn: a plugin that has not taken it yet
        never sees it, and a late answer is refused.
        """
        op = self._op
        if not op.done.wait(timeout):
            self._bridge._expire(op)
        if op.state == "answered":
            if op.ok:
                return op.result
            raise StudioOperationError(
                f"Studio could not {op.type}: {op.error or 'no reason given'}"
            )
        if op.state == "aborted":
            raise StudioBridgeError(
                f"the bridge stopped before Studio answered {op.type} ({op.id})"
            )
        raise StudioTimeoutError(self._bridge._timeout_message(op, timeout))


class StudioBridge:
    """The bridge server. Use as a context manager or call `start()` / `stop()`.

    ``port=0`` picks a free port (tests); `port` then reports the real one.
    """

    def __init__(
        self,
        port: int = DEFAULT_PORT,
        *,
        token: str | None = None,
        limits: BridgeLimits | None = None,
        log: Callable[[str], None] | None = None,
    ) -> None:
        self.token = token or secrets.token_urlsafe(24)
        self.session_id = uuid.uuid4().hex
        self.limits = limits or BridgeLimits()
        self._requested_port = port
        self._log = log
        self._cond = threading.Condition()
        self._queue: list[_Operation] = []
        self._finished: OrderedDict[str, _Operation] = OrderedDict()
        self._next_cursor = 1
        self._closing = False
        self._server: _BridgeServer | None = None
        self._thread: threading.Thread | None = None
        self._plugin: PluginInfo | None = None
        self._last_seen: float | None = None
        self._duplicates = 0

    # -- lifecycle -----------------------------------------------------------------

    def start(self) -> StudioBridge:
        if self._server is not None:
            return self
        try:
            server = _BridgeServer((LOOPBACK_HOST, self._requested_port), _Handler)
        except OSError as exc:
            raise StudioBridgeError(
                f"cannot listen on {LOOPBACK_HOST}:{self._requested_port} ({exc.strerror or exc}); "
                "another bridge may be running there: stop it or pick a free port with --port"
            ) from exc
        server.bridge = self
        self._closing = False
        self._server = server
        # A short poll interval keeps stop() quick; the loop only checks a flag.
        self._thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="luaurft-studio-bridge",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        server, thread = self._server, self._thread
        if server is None:
            return
        with self._cond:
            self._closing = True
            for op in self._queue:
                op.state = "aborted"
                op.done.set()
            self._queue.clear()
            self._cond.notify_all()
        server.shutdown()
        server.server_close()
        server.close_connections()
        if thread is not None:
            thread.join(timeout=5)
        self._server = None
        self._thread = None

    def __enter__(self) -> StudioBridge:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def running(self) -> bool:
        return self._server is not None

    @property
    def port(self) -> int:
        if self._server is None:
            return self._requested_port
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        return f"http://{LOOPBACK_HOST}:{self.port}"

    # -- state for people and programs ------------------------------------------------

    @property
    def plugin(self) -> PluginInfo | None:
        return self._plugin

    def connected(self) -> bool:
        """Whether a plugin has talked to the bridge recently (within two poll periods)."""
        seen = self._last_seen
        return seen is not None and time.monotonic() - seen <= 2 * self.limits.poll_timeout_s + 5

    def status(self) -> dict[str, Any]:
        with self._cond:
            pending = len(self._queue)
            cursor = self._next_cursor - 1
        plugin = self._plugin
        return {
            "url": self.url,
            "sessionId": self.session_id,
            "running": self.running,
            "connected": self.connected(),
            "plugin": None
            if plugin is None
            else {
                "pluginVersion": plugin.plugin_version,
                "placeName": plugin.place_name,
                "placeId": plugin.place_id,
                "studioVersion": plugin.studio_version,
            },
            "pending": pending,
            "cursor": cursor,
            "duplicateResults": self._duplicates,
        }

    # -- the Python API -------------------------------------------------------------

    def submit(self, op_type: str, payload: Mapping[str, Any] | None = None) -> PendingOperation:
        """Queue an operation for the plugin without waiting for it."""
        body = dict(payload or {})
        validate_payload(op_type, body)
        if self._server is None:
            raise StudioBridgeError("the Studio bridge is not running; call start() first")
        with self._cond:
            if len(self._queue) >= self.limits.max_pending:
                raise StudioRequestError(
                    f"{len(self._queue)} operations already wait for Studio; is the plugin connected?"
                )
            op = _Operation(
                id=uuid.uuid4().hex,
                cursor=self._next_cursor,
                type=op_type,
                payload=body,
                created=time.monotonic(),
            )
            self._next_cursor += 1
            self._queue.append(op)
            self._cond.notify_all()
        return PendingOperation(self, op)

    def request(
        self, op_type: str, payload: Mapping[str, Any] | None = None, timeout: float = 60.0
    ) -> dict[str, Any]:
        """Send one operation to Studio and block until the plugin's result payload comes back."""
        return self.submit(op_type, payload).wait(timeout)

    def wait_for_plugin(self, timeout: float) -> PluginInfo:
        """Block until a plugin has registered; raise `StudioTimeoutError` otherwise."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while self._plugin is None:
                remaining = deadline - time.monotonic()
                if remaining <= 0 or self._closing:
                    raise StudioTimeoutError(
                        f"no Studio plugin connected to {self.url} within {timeout:g} s; open Studio, "
                        "click the luaurft toolbar button and paste the pairing token"
                    )
                self._cond.wait(remaining)
            return self._plugin

    # -- internals used by the handler and PendingOperation -------------------------------

    def _expire(self, op: _Operation) -> None:
        with self._cond:
            if op.state != "queued":
                return
            op.state = "expired"
            self._queue.remove(op)
            self._remember(op)
            op.done.set()

    def _remember(self, op: _Operation) -> None:
        self._finished[op.id] = op
        while len(self._finished) > _FINISHED_MEMORY:
            self._finished.popitem(last=False)

    def _timeout_message(self, op: _Operation, timeout: float) -> str:
        if self._plugin is None:
            hint = "no plugin has connected yet: open Studio and connect the luaurft plugin"
        elif not self.connected():
            hint = "the plugin has stopped polling (Studio closed or the plugin disconnected)"
        elif op.deliveries and op.type == "apply_scripts":
            hint = "the plugin received it; the change may still wait for Accept in Studio"
        elif op.deliveries:
            hint = "the plugin received it but did not answer"
        else:
            hint = "the plugin is connected but did not pick it up"
        return f"Studio did not answer {op.type} within {timeout:g} s; {hint}"

    def _touch(self) -> None:
        self._last_seen = time.monotonic()

    def _message(self, op: _Operation) -> dict[str, Any]:
        return {
            "v": PROTOCOL_VERSION,
            "sessionId": self.session_id,
            "cursor": op.cursor,
            "id": op.id,
            "type": op.type,
            "payload": op.payload,
        }

    def _hello(self) -> dict[str, Any]:
        with self._cond:
            cursor = self._next_cursor - 1
        return {
            "v": PROTOCOL_VERSION,
            "server": "luaurft",
            "serverVersion": __version__,
            "sessionId": self.session_id,
            "capabilities": list(OPERATIONS),
            "limits": self.limits.to_json(),
            "cursor": cursor,
        }

    def _register(self, body: Mapping[str, Any]) -> tuple[int, dict[str, Any]]:
        version = body.get("pluginVersion")
        if not isinstance(version, str) or not version:
            return 400, _error("bad_request", "register needs a 'pluginVersion' string")
        place_id = body.get("placeId", 0)
        info = PluginInfo(
            plugin_version=version,
            place_name=str(body.get("placeName", "")),
            place_id=place_id
            if isinstance(place_id, int) and not isinstance(place_id, bool)
            else 0,
            studio_version=str(body.get("studioVersion", "")),
            registered_at=time.time(),
        )
        with self._cond:
            self._plugin = info
            self._cond.notify_all()
        if self._log is not None:
            where = f" ({info.place_name})" if info.place_name else ""
            self._log(f"plugin {info.plugin_version} connected{where}")
        return 200, {"v": PROTOCOL_VERSION, "sessionId": self.session_id, "registered": True}

    def _poll(self, cursor: int, wait_s: float) -> list[dict[str, Any]]:
        deadline = time.monotonic() + wait_s
        with self._cond:
            while True:
                ready = [op for op in self._queue if op.cursor > cursor]
                if ready or self._closing:
                    break
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                self._cond.wait(remaining)
            ready = ready[: self.limits.max_messages_per_poll]
            for op in ready:
                op.deliveries += 1
            return [self._message(op) for op in ready]

    def _client_request(self, body: Mapping[str, Any]) -> tuple[int, dict[str, Any]]:
        """`POST /api/request {v, type, payload, timeout}`: another luaurft process
        (`assist --studio` beside `luaurft studio serve`) sends an operation through
        this bridge and waits for the plugin's result, as `request()` does here."""
        op_type, payload, timeout = body.get("type"), body.get("payload", {}), body.get("timeout")
        if not isinstance(op_type, str) or not isinstance(payload, dict):
            return 400, _error("bad_request", "a request needs 'type' (string) and 'payload'")
        if isinstance(timeout, bool) or not isinstance(timeout, int | float) or timeout <= 0:
            return 400, _error("bad_request", "a request needs a positive 'timeout' in seconds")
        try:
            result = self.request(op_type, payload, float(min(timeout, MAX_CLIENT_WAIT_S)))
        except StudioRequestError as exc:
            return 400, _error("bad_request", str(exc))
        except StudioTimeoutError as exc:
            return 504, _error("timeout", str(exc))
        except StudioOperationError as exc:
            return 502, _error("operation_failed", str(exc))
        except StudioBridgeError as exc:
            return 503, _error("stopped", str(exc))
        return 200, {"v": PROTOCOL_VERSION, "result": result}

    def _result(self, body: Mapping[str, Any]) -> tuple[int, dict[str, Any]]:
        op_id = body.get("id")
        ok = body.get("ok")
        if not isinstance(op_id, str) or not isinstance(ok, bool):
            return 400, _error(
                "bad_request", "a result needs 'id' (string) and 'ok' (true or false)"
            )
        result = body.get("payload", {})
        if isinstance(result, list) and not result:
            result = {}  # Roblox encodes an empty table as []
        if not isinstance(result, dict):
            return 400, _error("bad_request", "a result's 'payload' must be an object")
        with self._cond:
            op = next((o for o in self._queue if o.id == op_id), None)
            if op is None:
                finished = self._finished.get(op_id)
                if finished is None:
                    return 404, _error("unknown_operation", f"no operation {op_id} in this session")
                if finished.state == "expired":
                    return 410, _error(
                        "expired",
                        "the Python side stopped waiting for this operation; nothing was recorded",
                    )
                self._duplicates += 1
                return 200, {"v": PROTOCOL_VERSION, "accepted": True, "duplicate": True}
            op.state = "answered"
            op.ok = ok
            op.result = result
            error = body.get("error", "")
            op.error = error if isinstance(error, str) else json.dumps(error)
            self._queue.remove(op)
            self._remember(op)
            op.done.set()
            self._cond.notify_all()
        return 200, {"v": PROTOCOL_VERSION, "accepted": True, "duplicate": False}


def _error(code: str, message: str) -> dict[str, Any]:
    return {"v": PROTOCOL_VERSION, "error": {"code": code, "message": message}}


class _BridgeServer(ThreadingHTTPServer):
    daemon_threads = True
    # socketserver's default listen backlog is 5: a burst of long-polls (a plugin
    # reconnecting, many Studio windows) then waits in SYN retries (1 s, 3 s, 7 s...)
    # before the bridge even sees it, past the documented 15 s bound. Each accepted
    # connection gets its own thread, so a deep backlog only has to hold the burst.
    request_queue_size = 1024
    bridge: StudioBridge

    def __init__(self, address: tuple[str, int], handler: type[BaseHTTPRequestHandler]) -> None:
        super().__init__(address, handler)
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._connections_lock:
            self._connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._connections_lock:
            self._connections.discard(request)
        super().shutdown_request(request)

    def close_connections(self) -> None:
        # Keep-alive connections outlive serve_forever; a stopped bridge must not answer on them.
        with self._connections_lock:
            connections = list(self._connections)
        for connection in connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)


class _Refused(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "luaurft-bridge"
    sys_version = ""
    server: _BridgeServer
    _body_unread = False

    def setup(self) -> None:
        super().setup()
        # Headers and body go out in two writes; without this, Nagle's algorithm and the
        # client's delayed ACK add ~40 ms to every answer.
        with contextlib.suppress(OSError):
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, format: str, *args: Any) -> None:
        # Request lines would print the path on every poll; the bridge reports events itself.
        return

    # -- dispatch -----------------------------------------------------------------

    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_POST(self) -> None:
        self._dispatch("POST")

    def do_PUT(self) -> None:
        self._dispatch("PUT")

    def do_DELETE(self) -> None:
        self._dispatch("DELETE")

    def do_OPTIONS(self) -> None:
        self._dispatch("OPTIONS")

    def _dispatch(self, method: str) -> None:
        bridge = self.server.bridge
        length = (self.headers.get("Content-Length") or "0").strip()
        self._body_unread = length not in {"", "0"} or "Transfer-Encoding" in self.headers
        try:
            self._check_host(bridge.port)
            self._check_origin()
            self._check_token(bridge.token)
            url = urlsplit(self.path)
            routes: dict[str, str] = {
                "/api/hello": "GET",
                "/api/poll": "GET",
                "/api/register": "POST",
                "/api/result": "POST",
                # For luaurft itself (another process using this bridge), not the plugin.
                "/api/status": "GET",
                "/api/request": "POST",
            }
            expected = routes.get(url.path)
            if expected is None:
                raise _Refused(404, "not_found", f"no endpoint {url.path}")
            if method != expected:
                raise _Refused(405, "method_not_allowed", f"{url.path} takes {expected}")
            if url.path not in _CLIENT_ROUTES:
                bridge._touch()  # the plugin was seen
            status, body = self._route(bridge, url.path, url.query)
        except _Refused as refused:
            self._send(refused.status, _error(refused.code, refused.message))
            return
        if status == 204:
            self._send_empty(204)
        else:
            self._send(status, body)

    def _route(self, bridge: StudioBridge, path: str, query: str) -> tuple[int, dict[str, Any]]:
        if path == "/api/hello":
            return 200, bridge._hello()
        if path == "/api/status":
            return 200, {"v": PROTOCOL_VERSION, **bridge.status()}
        if path == "/api/poll":
            params = parse_qs(query)
            cursor = _int_param(params, "cursor", 0)
            wait_s = min(
                _float_param(params, "timeout", bridge.limits.poll_timeout_s),
                bridge.limits.poll_timeout_s,
            )
            session = params.get("session", [None])[0]
            if session is not None and session != bridge.session_id:
                raise _Refused(
                    409,
                    "session_changed",
                    "the bridge restarted; call /api/hello and poll from cursor 0",
                )
            messages = bridge._poll(cursor, max(wait_s, 0.0))
            if not messages:
                return 204, {}
            body = {
                "v": PROTOCOL_VERSION,
                "sessionId": bridge.session_id,
                "cursor": messages[-1]["cursor"],
                "messages": messages,
            }
            return 200, body
        body = self._read_json(bridge.limits.max_body_bytes)
        version = body.get("v")
        if version != PROTOCOL_VERSION:
            raise _Refused(
                400,
                "protocol_version",
                f"this bridge speaks protocol v{PROTOCOL_VERSION}, the request says v{version}; "
                "rebuild and reinstall the plugin with `luaurft studio plugin --install`",
            )
        session = body.get("sessionId")
        if session is not None and session != bridge.session_id:
            raise _Refused(409, "session_changed", "the bridge restarted; call /api/hello again")
        if path == "/api/register":
            return bridge._register(body)
        if path == "/api/request":
            return bridge._client_request(body)
        return bridge._result(body)

    # -- checks -----------------------------------------------------------------

    def _check_host(self, port: int) -> None:
        host = (self.headers.get("Host") or "").strip().lower()
        if host not in {f"127.0.0.1:{port}", f"localhost:{port}"}:
            raise _Refused(
                403,
                "bad_host",
                "the Host header must be 127.0.0.1 or localhost with the bridge's port",
            )

    def _check_origin(self) -> None:
        origin = self.headers.get("Origin")
        if origin is None:
            return
        try:
            parts = urlsplit(origin.strip())
            scheme, hostname = parts.scheme, parts.hostname
            _ = parts.port  # raises on a malformed port
        except ValueError:
            scheme, hostname = "", None
        if scheme not in {"http", "https"} or hostname not in _LOOPBACK_NAMES:
            raise _Refused(
                403, "bad_origin", "requests from web pages are refused (Origin is not loopback)"
            )

    def _check_token(self, token: str) -> None:
        given = self.headers.get("X-Luaurft-Token")
        if given is None:
            auth = self.headers.get("Authorization") or ""
            scheme, _, value = auth.partition(" ")
            if scheme.lower() == "bearer" and value.strip():
                given = value.strip()
        if not given:
            raise _Refused(
                401, "token_required", "send the pairing token printed by `luaurft studio serve`"
            )
        if not hmac.compare_digest(given.encode("utf-8"), token.encode("utf-8")):
            raise _Refused(
                403, "bad_token", "wrong pairing token; copy it again from `luaurft studio serve`"
            )

    def _read_json(self, limit: int) -> dict[str, Any]:
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            self.close_connection = True
            raise _Refused(
                411, "length_required", "send the body with a Content-Length, not chunked"
            )
        raw_length = self.headers.get("Content-Length")
        try:
            length = int(raw_length) if raw_length is not None else -1
        except ValueError:
            length = -1
        if length < 0:
            self.close_connection = True
            raise _Refused(411, "length_required", "POST bodies need a Content-Length header")
        if length > limit:
            # The body stays unread, so this connection cannot carry another request.
            self.close_connection = True
            raise _Refused(
                413, "too_large", f"body of {length} bytes exceeds the limit of {limit} bytes"
            )
        data = self.rfile.read(length)
        self._body_unread = False
        try:
            body = json.loads(data.decode("utf-8"))
        except UnicodeDecodeError as exc:
            raise _Refused(
                400, "bad_json", f"body is not UTF-8: {exc.reason} at byte {exc.start}"
            ) from exc
        except json.JSONDecodeError as exc:
            raise _Refused(
                400,
                "bad_json",
                f"malformed JSON: {exc.msg} at line {exc.lineno} column {exc.colno}",
            ) from exc
        except RecursionError:
            raise _Refused(
                400, "bad_json", "the JSON nests too deeply; no message of the protocol does"
            ) from None
        except ValueError as exc:  # an integer of more digits than Python converts
            raise _Refused(400, "bad_json", f"unusable JSON: {exc}") from None
        if not isinstance(body, dict):
            raise _Refused(400, "bad_json", "the body must be a JSON object")
        return body

    # -- responses ----------------------------------------------------------------

    def _common_headers(self) -> None:
        if self._body_unread:
            # Bytes of a body we refused or ignored would be read as the next request.
            self.close_connection = True
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        if self.close_connection:
            self.send_header("Connection", "close")

    def _send(self, status: int, body: dict[str, Any]) -> None:
        data = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        with contextlib.suppress(OSError):
            self.send_response(status, HTTPStatus(status).phrase)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            if status == 401:
                self.send_header("WWW-Authenticate", 'Bearer realm="luaurft"')
            self._common_headers()
            self.end_headers()
            self.wfile.write(data)

    def _send_empty(self, status: int) -> None:
        with contextlib.suppress(OSError):
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self._common_headers()
            self.end_headers()


def _int_param(params: dict[str, list[str]], name: str, default: int) -> int:
    values = params.get(name)
    if not values:
        return default
    try:
        value = int(values[0])
    except ValueError:
        raise _Refused(400, "bad_request", f"query parameter {name!r} must be an integer") from None
    if value < 0:
        raise _Refused(400, "bad_request", f"query parameter {name!r} must not be negative")
    return value


def _float_param(params: dict[str, list[str]], name: str, default: float) -> float:
    values = params.get(name)
    if not values:
        return default
    try:
        value = float(values[0])
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        raise _Refused(400, "bad_request", f"query parameter {name!r} must be a finite number")
    return value
