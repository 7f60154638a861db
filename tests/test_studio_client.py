"""`assist --studio` beside `luaurft studio serve`: one bridge, one token; no plugin, a clear error."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from agent_helpers import FakePlugin
from conftest import EXAMPLES
from luaurft.cli import app
from luaurft.studio import BridgeLimits, StudioBridge
from luaurft.studio.client import (
    RemoteBridge,
    bridge_state_path,
    clear_bridge_state,
    find_running_bridge,
    write_bridge_state,
)
from luaurft.testing.fake_llm_server import FakeLLMServer, FakeRequest

pytestmark = pytest.mark.timeout(120)
CLEAN = (EXAMPLES / "leaderstats.server.luau").read_text()


@pytest.fixture(autouse=True)
def private_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))


@pytest.fixture
def served() -> Iterator[StudioBridge]:
    """A bridge as `luaurft studio serve` runs it: recorded for other commands."""
    with StudioBridge(port=0, limits=BridgeLimits(poll_timeout_s=0.2)) as bridge:
        write_bridge_state(bridge.url, bridge.port, bridge.token, bridge.session_id)
        yield bridge
        clear_bridge_state(bridge.port, bridge.token)


def _wait_registered(bridge: StudioBridge) -> None:
    deadline = time.monotonic() + 10
    while bridge.plugin is None and time.monotonic() < deadline:
        time.sleep(0.05)


def test_the_state_file_is_private_and_found(served: StudioBridge) -> None:
    path = bridge_state_path(served.port)
    assert path.stat().st_mode & 0o077 == 0
    found = find_running_bridge(served.port)
    assert found is not None and found.token == served.token
    assert find_running_bridge(served.port + 1 if served.port < 65535 else 1) is None


def test_a_remote_request_goes_through_the_running_bridge(served: StudioBridge) -> None:
    with FakePlugin(served, lambda _n, _f: []) as plugin:
        _wait_registered(served)
        remote = RemoteBridge(served.url, served.token, port=served.port)
        assert remote.connected()
        logs = remote.request("get_logs", {"since": 0, "max": 10}, 10)
        assert logs["next"] == 0
    assert plugin.requests[0][0] == "get_logs"


def test_assist_uses_the_running_bridge_and_its_token(served: StudioBridge) -> None:
    with (
        FakeLLMServer(lambda _r: f"```lua\n{CLEAN}```") as llm,
        FakePlugin(served, lambda _n, _f: []) as plugin,
    ):
        _wait_registered(served)
        result = CliRunner().invoke(
            app,
            ["assist", "Leaderstats with coins", "--studio", "--port", str(served.port),
             "--no-exec", "--rounds", "0", "--studio-wait", "0",
             "--generator", f"openai:fake@{llm.openai_base_url}"],
        )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "Using the Studio bridge running on" in result.stderr
    assert served.token not in result.stderr  # no new pairing token to paste
    assert len(plugin.applied) == 1


def test_assist_without_a_plugin_says_so_and_exits_non_zero() -> None:
    asked: list[FakeRequest] = []

    def answer(request: FakeRequest) -> str:
        asked.append(request)
        return CLEAN

    with FakeLLMServer(answer) as llm:
        result = CliRunner().invoke(
            app,
            ["assist", "Leaderstats with coins", "--studio", "--port", "0",
             "--connect-wait", "0.3", "--generator", f"openai:fake@{llm.openai_base_url}"],
        )  # fmt: skip
    assert result.exit_code == 1
    assert "plugin is not connected" in result.stderr
    assert asked == []  # nothing generated for a push that cannot happen


def test_the_mcp_studio_tools_work_through_the_running_bridge(served: StudioBridge) -> None:
    from luaurft.agent.mcp_server import StudioScript, _Tools
    from luaurft.config import Settings

    remote = find_running_bridge(served.port)
    assert remote is not None
    tools = _Tools(
        generator=None,
        bridge=remote,
        settings=Settings(),
        sampling=None,
        studio_timeout=10.0,
        studio_logs_wait=0.0,
    )
    with FakePlugin(served, lambda _n, _f: []) as plugin:
        _wait_registered(served)
        report = tools.insert_into_studio(
            [StudioScript(path="ServerScriptService/Stats.server.luau", source=CLEAN)]
        )
    assert report["status"] == "applied"
    assert len(plugin.applied) == 1
