"""A local HTTP server that speaks the OpenAI chat-completions and Anthropic
messages wire formats, with faults on demand.

Tests, demos and benchmarks point the real SDK clients at it
(`server.openai_base_url`, `server.anthropic_base_url`), so the whole request
path - headers, JSON, usage fields, status codes, Retry-After, broken bodies -
is exercised without a network or a key. It listens on 127.0.0.1 only.

    with FakeLLMServer(responder=lambda req: "print('hi')") as server:
        client = openai.OpenAI(base_url=server.openai_base_url, api_key="test")
        ...
    server.request_count  # every request that reached it

A `FaultPlan` makes a share of requests fail: 429 with Retry-After, 500, 529
(overloaded), a hang past the client's timeout, a malformed JSON body, a
body cut off mid-way, or a 400 the client must not retry.
"""

from __future__ import annotations

import contextlib
import json
import random
import socket
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Literal

FaultKind = Literal["rate_limit", "server_error", "overloaded", "timeout", "malformed", "truncated"]
ALL_FAULTS: tuple[FaultKind, ...] = (
    "rate_limit",
    "server_error",
    "overloaded",
    "timeout",
    "malformed",
    "truncated",
)


@dataclass(frozen=True)
class FakeRequest:
    """One chat request as the server understood it, in either wire format."""

    api: Literal["openai", "anthropic"]
    model: str
    messages: list[dict[str, str]]
    system: str
    max_tokens: int | None
    temperature: float | None
    body: dict[str, Any]
    headers: dict[str, str]

    @property
    def prompt_text(self) -> str:
        return "\n".join([self.system, *(m["content"] for m in self.messages)])

    @property
    def last_user_text(self) -> str:
        for message in reversed(self.messages):
            if message["role"] == "user":
                return message["content"]
        return ""


@dataclass
class FakeReply:
    """What the responder answers: text, and optionally a finish reason."""

    text: str
    finish_reason: Literal["stop", "length"] = "stop"


Responder = Callable[[FakeRequest], "str | FakeReply"]


@dataclass
class FaultPlan:
    """Which requests fail, and how.

    `rate` of requests (drawn from a seeded generator) fail with a kind picked
    uniformly from `kinds`; `always` names requests that fail every time (a
    predicate on the request) with `always_kind`. `script` fixes the fault of
    the first requests in order (None: no fault), before `rate` applies.
    """

    rate: float = 0.0
    kinds: Sequence[FaultKind] = ALL_FAULTS
    seed: int = 0
    retry_after: float = 1.0
    always: Callable[[FakeRequest], bool] | None = None
    always_kind: FaultKind = "server_error"
    script: list[FaultKind | None] = field(default_factory=list)
    _rng: random.Random = field(init=False, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)
    _served: int = field(default=0, init=False, repr=False)

    def __post_init__(self) -> None:
        self._rng = random.Random(self.seed)

    def pick(self, request: FakeRequest) -> FaultKind | None:
        if self.always is not None and self.always(request):
            return self.always_kind
        with self._lock:
            index = self._served
            self._served += 1
            if index < len(self.script):
                return self.script[index]
            if self.rate > 0 and self._rng.random() < self.rate:
                return self._rng.choice(list(self.kinds))
        return None


def default_responder(request: FakeRequest) -> str:
    """A request for a reverse-labelling prompt (`luaurft.testing.fake_labels`), else code."""
    from luaurft.testing.fake_labels import reverse_label_reply

    label = reverse_label_reply(request)
    if label is not None:
        return label
    return 'local Players = game:GetService("Players")\nprint(#Players:GetPlayers())\n'


def count_tokens(text: str) -> int:
    """The fake's token count: whitespace-separated words (deterministic, not a tokenizer)."""
    return len(text.split())


class FakeLLMServer:
    """The server (see module docstring). Use as a context manager or start()/stop()."""

    def __init__(
        self,
        responder: Responder = default_responder,
        *,
        faults: FaultPlan | None = None,
        api_keys: set[str] | None = None,
        models: set[str] | None = None,
        hang_seconds: float = 5.0,
        port: int = 0,
    ) -> None:
        self.responder = responder
        self.requested_port = port
        self.faults = faults or FaultPlan()
        # None accepts any key / any model.
        self.api_keys = api_keys
        self.models = models
        self.hang_seconds = hang_seconds
        self.requests: list[FakeRequest] = []
        self.faults_served: list[FaultKind] = []
        self._lock = threading.Lock()
        self._closing = threading.Event()
        self._in_flight = 0
        self.max_in_flight = 0
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle --------------------------------------------------------------

    def start(self) -> FakeLLMServer:
        handler = _make_handler(self)
        self._httpd = ThreadingHTTPServer(("127.0.0.1", self.requested_port), handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(
            target=self._httpd.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="fake-llm-server",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._closing.set()
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> FakeLLMServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- addresses and counters ---------------------------------------------------

    @property
    def port(self) -> int:
        assert self._httpd is not None, "server not started"
        return int(self._httpd.server_address[1])

    @property
    def root_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def openai_base_url(self) -> str:
        return f"{self.root_url}/v1"

    @property
    def anthropic_base_url(self) -> str:
        return self.root_url

    @property
    def request_count(self) -> int:
        with self._lock:
            return len(self.requests)

    def reset_counts(self) -> None:
        with self._lock:
            self.requests.clear()
            self.faults_served.clear()
            self.max_in_flight = 0

    def _log(self, request: FakeRequest, fault: FaultKind | None) -> None:
        with self._lock:
            self.requests.append(request)
            if fault is not None:
                self.faults_served.append(fault)

    def _enter(self) -> None:
        with self._lock:
            self._in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self._in_flight)

    def _leave(self) -> None:
        with self._lock:
            self._in_flight -= 1

    def _wait_hang(self) -> None:
        self._closing.wait(self.hang_seconds)


def _parse_request(
    api: Literal["openai", "anthropic"], body: dict[str, Any], headers: dict[str, str]
) -> FakeRequest:
    def text_of(content: Any) -> str:
        if isinstance(content, str):
            return content
        if isinstance(content, list):
            return "".join(p.get("text", "") for p in content if isinstance(p, dict))
        return ""

    messages = [
        {"role": str(m.get("role", "user")), "content": text_of(m.get("content"))}
        for m in body.get("messages", [])
        if isinstance(m, dict)
    ]
    system = ""
    if api == "anthropic":
        system = text_of(body.get("system", ""))
        max_tokens = body.get("max_tokens")
    else:
        system = "\n".join(m["content"] for m in messages if m["role"] == "system")
        messages = [m for m in messages if m["role"] != "system"]
        max_tokens = body.get("max_completion_tokens", body.get("max_tokens"))
    return FakeRequest(
        api=api,
        model=str(body.get("model", "")),
        messages=messages,
        system=system,
        max_tokens=max_tokens if isinstance(max_tokens, int) else None,
        temperature=body.get("temperature"),
        body=body,
        headers=headers,
    )


def _error_body(api: str, status: int, message: str) -> dict[str, Any]:
    if api == "anthropic":
        kinds = {
            401: "authentication_error",
            404: "not_found_error",
            429: "rate_limit_error",
            500: "api_error",
            529: "overloaded_error",
        }
        return {
            "type": "error",
            "error": {"type": kinds.get(status, "invalid_request_error"), "message": message},
        }
    codes = {401: "invalid_api_key", 404: "model_not_found", 429: "rate_limit_exceeded"}
    return {
        "error": {
            "message": message,
            "type": "invalid_request_error" if status < 500 else "server_error",
            "code": codes.get(status),
        }
    }


def _success_body(request: FakeRequest, reply: FakeReply) -> dict[str, Any]:
    prompt_tokens = count_tokens(request.prompt_text)
    completion_tokens = count_tokens(reply.text)
    if request.api == "anthropic":
        return {
            "id": f"msg_fake_{time.monotonic_ns()}",
            "type": "message",
            "role": "assistant",
            "model": request.model,
            "content": [{"type": "text", "text": reply.text}],
            "stop_reason": "end_turn" if reply.finish_reason == "stop" else "max_tokens",
            "stop_sequence": None,
            "usage": {"input_tokens": prompt_tokens, "output_tokens": completion_tokens},
        }
    return {
        "id": f"chatcmpl-fake-{time.monotonic_ns()}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": request.model,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": reply.text},
                "finish_reason": reply.finish_reason,
                "logprobs": None,
            }
        ],
        "usage": {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": completion_tokens,
            "total_tokens": prompt_tokens + completion_tokens,
        },
    }


def _make_handler(server: FakeLLMServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            pass  # keep test output clean

        def _send_json(
            self, status: int, payload: Any, headers: dict[str, str] | None = None
        ) -> None:
            data = json.dumps(payload).encode()
            self._send_raw(status, data, headers)

        def _send_raw(
            self,
            status: int,
            data: bytes,
            headers: dict[str, str] | None = None,
            *,
            declared_length: int | None = None,
        ) -> None:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(declared_length or len(data)))
            for key, value in (headers or {}).items():
                self.send_header(key, value)
            self.end_headers()
            try:
                self.wfile.write(data)
                self.wfile.flush()
            except OSError:
                pass

        def do_GET(self) -> None:
            if self.path.rstrip("/") == "/v1/models":
                names = sorted(server.models or {"fake-model"})
                self._send_json(
                    200,
                    {
                        "object": "list",
                        "data": [{"id": m, "object": "model", "owned_by": "fake"} for m in names],
                    },
                )
                return
            self._send_json(404, {"error": {"message": f"no route {self.path}"}})

        def do_POST(self) -> None:
            server._enter()
            try:
                self._post()
            finally:
                server._leave()

        def _post(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            path = self.path.split("?")[0].rstrip("/")
            if path == "/v1/chat/completions":
                api: Literal["openai", "anthropic"] = "openai"
            elif path == "/v1/messages":
                api = "anthropic"
            else:
                self._send_json(404, {"error": {"message": f"no route {self.path}"}})
                return
            try:
                body = json.loads(raw or b"{}")
            except json.JSONDecodeError:
                self._send_json(400, _error_body(api, 400, "request body is not JSON"))
                return
            headers = {k.lower(): v for k, v in self.headers.items()}
            request = _parse_request(api, body, headers)
            key = (
                headers.get("x-api-key")
                if api == "anthropic"
                else headers.get("authorization", "").removeprefix("Bearer ").strip()
            )
            if server.api_keys is not None and key not in server.api_keys:
                server._log(request, None)
                self._send_json(401, _error_body(api, 401, "invalid api key"))
                return
            if server.models is not None and request.model not in server.models:
                server._log(request, None)
                self._send_json(
                    404, _error_body(api, 404, f"The model `{request.model}` does not exist")
                )
                return
            fault = server.faults.pick(request)
            server._log(request, fault)
            if fault is not None:
                self._fail(api, request, fault)
                return
            answer = server.responder(request)
            reply = answer if isinstance(answer, FakeReply) else FakeReply(str(answer))
            self._send_json(200, _success_body(request, reply))

        def _fail(self, api: str, request: FakeRequest, fault: FaultKind) -> None:
            retry_after = server.faults.retry_after
            if fault == "rate_limit":
                self._send_json(
                    429,
                    _error_body(api, 429, "rate limited"),
                    {"Retry-After": f"{retry_after:g}"},
                )
            elif fault == "bad_request":
                self._send_json(400, _error_body(api, 400, "prompt is too long"))
            elif fault == "server_error":
                self._send_json(500, _error_body(api, 500, "internal error"))
            elif fault == "overloaded":
                self._send_json(
                    529 if api == "anthropic" else 503, _error_body(api, 529, "overloaded")
                )
            elif fault == "timeout":
                server._wait_hang()
                self.close_connection = True
            elif fault == "malformed":
                self._send_raw(200, b'{"id": "x", "choices": [ {"message": oops')
            elif fault == "truncated":
                full = json.dumps(_success_body(request, FakeReply("print('cut')"))).encode()
                self._send_raw(200, full[: len(full) // 2], declared_length=len(full))
                self.close_connection = True
                with contextlib.suppress(OSError):
                    self.connection.shutdown(socket.SHUT_RDWR)

    return Handler


def main(argv: Sequence[str] | None = None) -> None:
    """Serve a fake model on 127.0.0.1 until interrupted (for demos without a key;
    `luaurft fake-llm serve` is the documented command, with answers good enough
    for assist and eval, see `luaurft.testing.keyless`):

    python -m luaurft.testing.fake_llm_server --port 8765 --judge
    luaurft judge --judge openai:fake@http://127.0.0.1:8765/v1 --task "..." FILE
    """
    import argparse

    parser = argparse.ArgumentParser(prog="python -m luaurft.testing.fake_llm_server")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--judge", action="store_true", help="answer as the fake judge")
    parser.add_argument("--fault-rate", type=float, default=0.0)
    args = parser.parse_args(argv)
    responder: Responder = default_responder
    if args.judge:
        from luaurft.testing.fake_judge import judge_responder

        responder = judge_responder()
    server = FakeLLMServer(responder, faults=FaultPlan(rate=args.fault_rate), port=args.port)
    server.start()
    print(f"OpenAI-compatible: {server.openai_base_url}\nAnthropic: {server.anthropic_base_url}")
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()


if __name__ == "__main__":
    main()
