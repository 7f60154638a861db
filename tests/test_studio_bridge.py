"""The Studio bridge over real HTTP: security checks, long-poll, cursors, idempotent results, limits."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from luaurft.studio import (
    BridgeLimits,
    ScriptFile,
    StudioBridge,
    StudioBridgeError,
    StudioOperationError,
    StudioRequestError,
    StudioTimeoutError,
    apply_scripts_payload,
    source_sha256,
)
from studio_harness import Call

pytestmark = pytest.mark.timeout(30)


@pytest.fixture
def bridge() -> Iterator[StudioBridge]:
    with StudioBridge(
        port=0, limits=BridgeLimits(poll_timeout_s=0.3, max_body_bytes=4096)
    ) as running:
        yield running


@pytest.fixture
def client(bridge: StudioBridge) -> Iterator[httpx.Client]:
    with httpx.Client(
        base_url=bridge.url, headers={"X-Luaurft-Token": bridge.token}, timeout=10
    ) as c:
        yield c


def _result(
    bridge: StudioBridge, op_id: str, payload: dict[str, Any], ok: bool = True
) -> dict[str, Any]:
    return {"v": 1, "sessionId": bridge.session_id, "id": op_id, "ok": ok, "payload": payload}


# -- the pairing token ----------------------------------------------------------------------


def test_hello_describes_protocol_session_capabilities_and_limits(
    bridge: StudioBridge, client: httpx.Client
) -> None:
    body = client.get("/api/hello").json()
    assert body["v"] == 1
    assert body["sessionId"] == bridge.session_id
    assert body["serverVersion"]
    assert set(body["capabilities"]) == {
        "apply_scripts",
        "get_selection",
        "get_tree",
        "read_script",
        "get_logs",
    }
    assert body["limits"]["maxBodyBytes"] == 4096
    assert body["limits"]["pollTimeoutSeconds"] == 0.3


def test_missing_token_is_401_on_every_endpoint(bridge: StudioBridge) -> None:
    with httpx.Client(base_url=bridge.url) as anonymous:
        for method, path in [
            ("GET", "/api/hello"),
            ("GET", "/api/poll?cursor=0"),
            ("POST", "/api/register"),
            ("POST", "/api/result"),
        ]:
            response = anonymous.request(method, path, json={"v": 1})
            assert response.status_code == 401, path
            assert response.headers["WWW-Authenticate"].startswith("Bearer")
            assert "token" in response.json()["error"]["message"]


def test_wrong_token_is_403_and_bearer_form_is_accepted(bridge: StudioBridge) -> None:
    with httpx.Client(base_url=bridge.url) as c:
        assert (
            c.get("/api/hello", headers={"X-Luaurft-Token": bridge.token + "x"}).status_code == 403
        )
        assert c.get("/api/hello", headers={"Authorization": "Bearer wrong"}).status_code == 403
        assert (
            c.get("/api/hello", headers={"Authorization": f"Bearer {bridge.token}"}).status_code
            == 200
        )


def test_tokens_differ_between_bridges() -> None:
    first, second = StudioBridge(port=0), StudioBridge(port=0)
    assert first.token != second.token
    assert len(first.token) >= 32


# -- DNS rebinding: Host and Origin ---------------------------------------------------------


@pytest.mark.parametrize(
    "host",
    [
        "evil.example.com",
        "evil.example.com:{port}",
        "127.0.0.1:1",
        "localhost",
        "192.168.1.5:{port}",
        "",
    ],
)
def test_non_loopback_host_is_403_even_with_the_token(
    bridge: StudioBridge, client: httpx.Client, host: str
) -> None:
    response = client.get("/api/hello", headers={"Host": host.format(port=bridge.port)})
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "bad_host"


def test_loopback_hosts_are_accepted(bridge: StudioBridge, client: httpx.Client) -> None:
    for host in (
        f"127.0.0.1:{bridge.port}",
        f"localhost:{bridge.port}",
        f"LOCALHOST:{bridge.port}",
    ):
        assert client.get("/api/hello", headers={"Host": host}).status_code == 200


@pytest.mark.parametrize(
    "origin",
    ["https://evil.example.com", "http://127.0.0.1.evil.com", "null", "file://", "http://[::2]"],
)
def test_foreign_origin_is_403_even_with_the_token(client: httpx.Client, origin: str) -> None:
    response = client.get("/api/hello", headers={"Origin": origin})
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "bad_origin"
    assert "access-control-allow-origin" not in response.headers


def test_loopback_origin_is_accepted(client: httpx.Client, bridge: StudioBridge) -> None:
    for origin in (f"http://127.0.0.1:{bridge.port}", "http://localhost:3000", "http://[::1]:8080"):
        assert client.get("/api/hello", headers={"Origin": origin}).status_code == 200


def test_server_listens_on_loopback_only(bridge: StudioBridge) -> None:
    assert bridge.url.startswith("http://127.0.0.1:")
    # The address of the interface a packet out would use; connecting UDP sends nothing.
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
        try:
            udp.connect(("192.0.2.1", 9))
            outside = udp.getsockname()[0]
        except OSError:
            outside = "127.0.0.1"
    if outside.startswith("127."):
        pytest.skip("this machine has no non-loopback IPv4 address to try")
    with socket.socket() as probe:
        probe.settimeout(1)
        assert probe.connect_ex((outside, bridge.port)) != 0
    with socket.socket() as probe:
        probe.settimeout(1)
        assert probe.connect_ex(("127.0.0.1", bridge.port)) == 0


# -- long-poll, cursors and results --------------------------------------------------------


def test_long_poll_times_out_with_204_after_the_configured_wait(client: httpx.Client) -> None:
    started = time.monotonic()
    response = client.get("/api/poll", params={"cursor": 0})
    elapsed = time.monotonic() - started
    assert response.status_code == 204
    assert response.content == b""
    assert elapsed >= 0.25


def test_poll_timeout_parameter_cannot_exceed_the_limit(client: httpx.Client) -> None:
    started = time.monotonic()
    assert client.get("/api/poll", params={"cursor": 0, "timeout": 100}).status_code == 204
    assert time.monotonic() - started < 5
    assert client.get("/api/poll", params={"cursor": 0, "timeout": "nan"}).status_code == 400
    assert client.get("/api/poll", params={"cursor": -1}).status_code == 400


def test_poll_wakes_up_as_soon_as_an_operation_is_queued(
    bridge: StudioBridge, client: httpx.Client
) -> None:
    bridge_limits = BridgeLimits(poll_timeout_s=10)
    with (
        StudioBridge(port=0, limits=bridge_limits) as slow,
        httpx.Client(base_url=slow.url, headers={"X-Luaurft-Token": slow.token}, timeout=15) as c,
    ):
        threading.Timer(0.2, lambda: slow.submit("get_selection")).start()
        started = time.monotonic()
        response = c.get("/api/poll", params={"cursor": 0})
        assert response.status_code == 200
        assert time.monotonic() - started < 5
        message = response.json()["messages"][0]
        assert set(message) == {"v", "sessionId", "cursor", "id", "type", "payload"}
        assert message["type"] == "get_selection" and message["cursor"] == 1


def test_request_returns_the_plugin_result(bridge: StudioBridge, client: httpx.Client) -> None:
    answer = Call(bridge, "get_selection", {})
    body = client.get("/api/poll", params={"cursor": 0}).json()
    (message,) = body["messages"]
    assert body["cursor"] == message["cursor"]
    ack = client.post(
        "/api/result", json=_result(bridge, message["id"], {"selection": [{"name": "Part"}]})
    )
    assert ack.json() == {"v": 1, "accepted": True, "duplicate": False}
    answer.join()
    assert answer.value == {"selection": [{"name": "Part"}]}


def test_resume_by_cursor_redelivers_unanswered_messages(
    bridge: StudioBridge, client: httpx.Client
) -> None:
    ops = [
        bridge.submit("get_selection"),
        bridge.submit("get_logs", {"since": 0}),
        bridge.submit("get_tree"),
    ]
    first = client.get("/api/poll", params={"cursor": 0}).json()
    assert [m["cursor"] for m in first["messages"]] == [1, 2, 3]
    # Connection dropped before the plugin handled anything: polling again from 0 gets them all again.
    again = client.get("/api/poll", params={"cursor": 0}).json()
    assert [m["id"] for m in again["messages"]] == [op.id for op in ops]
    # The plugin handled message 1 and resumes after it.
    client.post("/api/result", json=_result(bridge, ops[0].id, {"selection": []}))
    resumed = client.get("/api/poll", params={"cursor": 1}).json()
    assert [m["cursor"] for m in resumed["messages"]] == [2, 3]
    assert [m["type"] for m in resumed["messages"]] == ["get_logs", "get_tree"]
    # Answered messages are never re-delivered, even from cursor 0.
    client.post("/api/result", json=_result(bridge, ops[1].id, {"entries": []}))
    client.post("/api/result", json=_result(bridge, ops[2].id, {"roots": []}))
    assert client.get("/api/poll", params={"cursor": 0}).status_code == 204


def test_duplicate_result_is_acknowledged_and_applied_once(
    bridge: StudioBridge, client: httpx.Client
) -> None:
    answer = Call(bridge, "read_script", {"path": "ServerScriptService/Main"})
    (message,) = client.get("/api/poll", params={"cursor": 0}).json()["messages"]
    first = client.post("/api/result", json=_result(bridge, message["id"], {"source": "first"}))
    second = client.post("/api/result", json=_result(bridge, message["id"], {"source": "second"}))
    assert first.json()["duplicate"] is False
    assert second.status_code == 200 and second.json()["duplicate"] is True
    answer.join()
    assert answer.value == {"source": "first"}
    assert bridge.status()["duplicateResults"] == 1


def test_unknown_and_expired_operation_ids_are_refused(
    bridge: StudioBridge, client: httpx.Client
) -> None:
    assert client.post("/api/result", json=_result(bridge, "nope", {})).status_code == 404
    pending = bridge.submit("get_selection")
    with pytest.raises(StudioTimeoutError, match="no plugin has connected"):
        pending.wait(0.1)
    late = client.post("/api/result", json=_result(bridge, pending.id, {"selection": []}))
    assert late.status_code == 410
    # A withdrawn operation is not handed to a plugin that polls later.
    assert client.get("/api/poll", params={"cursor": 0}).status_code == 204


def test_plugin_error_result_raises_with_its_message(
    bridge: StudioBridge, client: httpx.Client
) -> None:
    answer = Call(bridge, "read_script", {"path": "Nowhere/Thing"})
    (message,) = client.get("/api/poll", params={"cursor": 0}).json()["messages"]
    body = _result(bridge, message["id"], {}, ok=False) | {
        "error": 'no instance at "Nowhere/Thing"'
    }
    client.post("/api/result", json=body)
    answer.join()
    assert isinstance(answer.error, StudioOperationError)
    assert "Nowhere/Thing" in str(answer.error)


def test_empty_payload_encoded_as_array_is_accepted(
    bridge: StudioBridge, client: httpx.Client
) -> None:
    answer = Call(bridge, "get_selection", {})
    (message,) = client.get("/api/poll", params={"cursor": 0}).json()["messages"]
    assert client.post("/api/result", json=_result(bridge, message["id"], [])).status_code == 200  # type: ignore[arg-type]
    answer.join()
    assert answer.value == {}


def test_register_records_the_plugin(bridge: StudioBridge, client: httpx.Client) -> None:
    assert bridge.plugin is None and not bridge.connected()
    body = {
        "v": 1,
        "pluginVersion": "0.1.0",
        "placeName": "Tower Defense",
        "placeId": 123,
        "studioVersion": "0.650",
    }
    assert client.post("/api/register", json=body).json()["registered"] is True
    assert bridge.plugin is not None and bridge.plugin.place_name == "Tower Defense"
    assert bridge.wait_for_plugin(0.1).place_id == 123
    assert bridge.status()["connected"] is True
    assert client.post("/api/register", json={"v": 1}).status_code == 400


def test_stale_session_and_protocol_version_are_refused(
    bridge: StudioBridge, client: httpx.Client
) -> None:
    assert client.get("/api/poll", params={"cursor": 0, "session": "old"}).status_code == 409
    response = client.post("/api/register", json={"v": 99, "pluginVersion": "9"})
    assert response.status_code == 400
    assert "luaurft studio plugin --install" in response.json()["error"]["message"]
    stale = client.post("/api/result", json={"v": 1, "sessionId": "old", "id": "x", "ok": True})
    assert stale.status_code == 409


# -- malformed input and size limits ---------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (b"{not json", "malformed JSON"),
        (b'{"v": 1,', "malformed JSON"),
        (b"[1, 2]", "JSON object"),
        (b"\xff\xfe", "not UTF-8"),
    ],
)
def test_malformed_json_is_400_with_a_message(
    client: httpx.Client, body: bytes, expected: str
) -> None:
    response = client.post(
        "/api/result", content=body, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 400
    assert expected in response.json()["error"]["message"]


def test_result_without_id_or_ok_is_400(bridge: StudioBridge, client: httpx.Client) -> None:
    response = client.post("/api/result", json={"v": 1, "ok": True})
    assert response.status_code == 400
    assert "'id'" in response.json()["error"]["message"]


def test_body_over_the_limit_is_413_without_reading_it(
    bridge: StudioBridge, client: httpx.Client
) -> None:
    big = {"v": 1, "id": "x", "ok": True, "payload": {"blob": "x" * 5000}}
    response = client.post("/api/result", json=big)
    assert response.status_code == 413
    assert "4096" in response.json()["error"]["message"]
    # The bridge still serves the next request.
    assert client.get("/api/hello").status_code == 200


def test_unknown_paths_and_methods(client: httpx.Client) -> None:
    assert client.get("/api/nothing").status_code == 404
    assert client.get("/api/result").status_code == 405
    assert client.request("OPTIONS", "/api/hello").status_code == 405


# -- the Python API ---------------------------------------------------------------------------


def test_request_validates_operations_before_queueing(bridge: StudioBridge) -> None:
    with pytest.raises(StudioRequestError, match="unknown Studio operation"):
        bridge.request("delete_everything", {})
    with pytest.raises(StudioRequestError, match="non-empty list"):
        bridge.request("apply_scripts", {"title": "x", "files": []})
    with pytest.raises(StudioRequestError, match=r"'\.\.'"):
        apply_scripts_payload([ScriptFile("../escape.luau", "")])
    with pytest.raises(StudioRequestError, match="className"):
        apply_scripts_payload([ScriptFile("A.luau", "", class_name="Part")])
    with pytest.raises(StudioRequestError, match="64 lowercase hex"):
        apply_scripts_payload([ScriptFile("A.luau", "", expect_old_sha256="abc")])
    with pytest.raises(StudioRequestError, match="twice"):
        apply_scripts_payload([ScriptFile("A.luau", "1"), ScriptFile("a.luau", "2")])
    assert bridge.status()["pending"] == 0


def test_timeout_error_says_what_is_wrong(bridge: StudioBridge, client: httpx.Client) -> None:
    client.post("/api/register", json={"v": 1, "pluginVersion": "0.1.0"})
    answer = Call(
        bridge,
        "apply_scripts",
        apply_scripts_payload([ScriptFile("A.luau", "return 1")]),
        timeout=0.5,
    )
    client.get("/api/poll", params={"cursor": 0})
    answer.join()
    assert isinstance(answer.error, StudioTimeoutError)
    assert "apply_scripts" in str(answer.error) and "Accept" in str(answer.error)


def test_stop_wakes_waiting_callers_and_pollers() -> None:
    bridge = StudioBridge(port=0, limits=BridgeLimits(poll_timeout_s=10)).start()
    answer = Call(bridge, "get_selection", {}, timeout=10)
    time.sleep(0.1)
    started = time.monotonic()
    bridge.stop()
    answer.join()
    assert time.monotonic() - started < 5
    assert isinstance(answer.error, StudioBridgeError)
    with pytest.raises(StudioBridgeError, match="not running"):
        bridge.submit("get_selection")


def test_busy_port_gives_a_clear_error(bridge: StudioBridge) -> None:
    with pytest.raises(StudioBridgeError, match="--port"):
        StudioBridge(port=bridge.port).start()


def test_limits_are_validated() -> None:
    with pytest.raises(StudioBridgeError, match="poll timeout"):
        BridgeLimits(poll_timeout_s=60)


def test_source_sha256_is_over_utf8() -> None:
    assert source_sha256("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    assert source_sha256("é") != source_sha256("e")


@pytest.mark.parametrize(
    "body",
    [
        b'{"v": 1, "deep": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
        b'{"v": 1, "id": "x", "ok": true, "n": ' + b"7" * 100_000 + b"}",
    ],
    ids=["100000-deep", "100000-digits"],
)
def test_hostile_json_gets_a_400_with_a_reason(body: bytes) -> None:
    limits = BridgeLimits(max_body_bytes=1_000_000)
    with StudioBridge(port=0, limits=limits) as running, httpx.Client(
        base_url=running.url, headers={"X-Luaurft-Token": running.token}, timeout=10
    ) as c:  # fmt: skip
        response = c.post("/api/result", content=body, headers={"Content-Type": "application/json"})
        assert response.status_code == 400
        error = response.json()["error"]
        assert error["code"] == "bad_json" and error["message"]
        # The bridge still answers afterwards.
        assert c.get("/api/hello").status_code == 200


def test_a_burst_of_long_polls_is_accepted_at_once() -> None:
    # The listen backlog holds a burst (socketserver's default of 5 made the rest wait in
    # SYN retries past the 15 s bound); every poll of the burst gets its answer.
    from luaurft.studio.bridge import _BridgeServer

    assert _BridgeServer.request_queue_size >= 200
    with StudioBridge(port=0, limits=BridgeLimits(poll_timeout_s=0.2)) as running:
        statuses: list[int] = []
        lock = threading.Lock()

        def poll() -> None:
            with httpx.Client(
                base_url=running.url, headers={"X-Luaurft-Token": running.token}, timeout=25
            ) as c:
                status = c.get("/api/poll", params={"cursor": 0}).status_code
            with lock:
                statuses.append(status)

        threads = [threading.Thread(target=poll) for _ in range(200)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert statuses == [204] * 200
