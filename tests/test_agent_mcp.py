"""The MCP server, driven by the MCP SDK's own client: over stdio against a
`python -m luaurft mcp` subprocess, and in memory with a fake model and a fake plugin."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from typing import Any

import anyio
import pytest
from mcp import Client, StdioServerParameters

from agent_helpers import FakePlugin
from conftest import EXAMPLES, ROOT
from luaurft.agent.mcp_server import build_server
from luaurft.llm import make_generator
from luaurft.studio import BridgeLimits, StudioBridge
from luaurft.testing.fake_llm_server import FakeLLMServer

pytestmark = pytest.mark.timeout(90)

TOOLS = {"generate_luau", "score_luau", "run_luau", "insert_into_studio", "get_studio_selection"}
BROKEN = "local x = = 1\n"
# A clean, complete script from the examples corpus: it passes the threshold.
CLEAN = (EXAMPLES / "round_loop.server.luau").read_text()


def structured(result: Any) -> dict[str, Any]:
    assert not result.is_error, result.content
    assert isinstance(result.structured_content, dict)
    return result.structured_content


def error_text(result: Any) -> str:
    assert result.is_error
    return " ".join(getattr(c, "text", "") for c in result.content)


def test_stdio_server_lists_tools_scores_and_runs_luau() -> None:
    params = StdioServerParameters(
        command=sys.executable,
        args=["-m", "luaurft", "mcp"],
        env={**os.environ, "PYTHONPATH": str(ROOT / "src")},
        cwd=str(ROOT),
    )

    async def session() -> None:
        async with Client(params) as client:
            listed = await client.list_tools()
            tools = {t.name: t for t in listed.tools}
            assert set(tools) == TOOLS
            assert tools["score_luau"].input_schema["required"] == ["code"]
            assert "task" in tools["generate_luau"].input_schema["properties"]

            broken = structured(await client.call_tool("score_luau", {"code": BROKEN}))
            clean = structured(
                await client.call_tool(
                    "score_luau", {"code": CLEAN, "path": "RoundLoop.server.luau"}
                )
            )
            assert clean["scores"]["composite"] > broken["scores"]["composite"]
            assert broken["compiles"] is False and clean["kind"] == "Script"
            (compile_error,) = [
                f for f in broken["findings"] if f["rule"] == "syntax/compile-error"
            ]
            assert compile_error["line"] == 1

            ran = structured(
                await client.call_tool(
                    "run_luau",
                    {
                        "code": "local t = {}\nfor i = 1, 3 do t[i] = i * i end\n"
                        "print(t[3])\nlocal part = Instance.new('Part')\npart.Parent = workspace",
                        "kind": "Script",
                    },
                )
            )
            assert ran["status"] == "ok" and ran["world"] is True
            assert {"stream": "print", "text": "9"} in ran["output"]
            assert ran["effects"], "the mock world records what the script did"
            failed = structured(
                await client.call_tool("run_luau", {"code": "local a = nil\n\nprint(a.b)"})
            )
            assert failed["status"] == "error" and failed["error"]["line"] == 3
            looped = structured(
                await client.call_tool(
                    "run_luau", {"code": "while true do end", "cpu_seconds": 0.2}
                )
            )
            assert looped["status"] == "timeout"

            no_studio = await client.call_tool(
                "insert_into_studio", {"files": [{"path": "A.luau", "source": "return 1"}]}
            )
            assert "luaurft mcp --studio" in error_text(no_studio)
            no_model = await client.call_tool("generate_luau", {"task": "a door"})
            assert "--generator" in error_text(no_model)

    anyio.run(session)


@pytest.fixture
def bridge() -> Iterator[StudioBridge]:
    with StudioBridge(port=0, limits=BridgeLimits(poll_timeout_s=0.2)) as running:
        yield running


def test_generate_and_studio_tools_in_memory(bridge: StudioBridge) -> None:
    answers = [BROKEN]

    def respond(request: object) -> str:
        return answers.pop() if answers else f"```lua\n{CLEAN}```"

    with FakeLLMServer(respond) as llm:
        server = build_server(
            generator=lambda: make_generator(f"openai:fake@{llm.openai_base_url}"),
            bridge=bridge,
            studio_timeout=10,
            studio_logs_wait=0.05,
        )

        async def session() -> None:
            async with Client(server) as client:
                generated = structured(
                    await client.call_tool(
                        "generate_luau", {"task": "Count the players", "rounds": 2}
                    )
                )
                assert [h["purpose"] for h in generated["history"]] == ["generate", "rewrite"]
                assert generated["history"][0]["score"] < generated["score"]
                (f,) = generated["files"]
                assert f["source"] == CLEAN and f["path"] == "CountPlayers.server.luau"
                assert generated["stop_reason"] == "threshold" and generated["passed"]

                # The bridge runs but no plugin has connected yet.
                waiting = await client.call_tool("get_studio_selection", {})
                assert "no Studio plugin is connected" in error_text(waiting)

                with FakePlugin(bridge, lambda batch, files: []) as plugin:
                    bridge.wait_for_plugin(5)
                    inserted = structured(
                        await client.call_tool(
                            "insert_into_studio",
                            {
                                "files": [{"path": f["path"], "source": f["source"]}],
                                "title": "players",
                            },
                        )
                    )
                    assert inserted["status"] == "applied"
                    assert (
                        inserted["files"][0]["instancePath"] == "ServerScriptService/CountPlayers"
                    )
                    assert plugin.applied[0][0]["source"] == CLEAN
                    # generate_luau can push its result too, and reads Studio's Output after.
                    pushed = structured(
                        await client.call_tool(
                            "generate_luau", {"task": "Count the players", "insert": True}
                        )
                    )
                    assert pushed["stop_reason"] == "studio-clean"
                    assert [p["status"] for p in pushed["studio"]] == ["applied"]
                    assert len(plugin.applied) == 2
                    selection = structured(await client.call_tool("get_studio_selection", {}))
                    assert selection["selection"][0]["className"] == "Workspace"
                    bad = await client.call_tool(
                        "insert_into_studio", {"files": [{"path": "../", "source": "x"}]}
                    )
                    assert "path" in error_text(bad)

        anyio.run(session)
