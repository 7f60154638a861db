"""`luaurft assist` end to end: a fake OpenAI-compatible server and the tiny local model."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import EXAMPLES
from luaurft.cli import app
from luaurft.testing.fake_llm_server import FakeLLMServer, FakeRequest

pytestmark = pytest.mark.timeout(120)

BROKEN = 'local Players = game:GetService("Players"\nPlayers.PlayerAdded:Connect(function(p)\n'
# A clean, complete script from the examples corpus: it passes the threshold.
CLEAN = (EXAMPLES / "leaderstats.server.luau").read_text()


class Scripted:
    """Answers requests in order; the last answer repeats."""

    def __init__(self, *answers: str) -> None:
        self.answers = answers
        self.requests: list[FakeRequest] = []

    def __call__(self, request: FakeRequest) -> str:
        self.requests.append(request)
        return self.answers[min(len(self.requests), len(self.answers)) - 1]


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


ROW = re.compile(r"^\s*(★ )?\d+\s+(generate|rewrite|studio-fix)\s")


def history_rows(out: str) -> list[str]:
    return [line for line in out.splitlines() if ROW.match(line)]


def run_assist(runner: CliRunner, *args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["assist", *args], catch_exceptions=False)
    return result.exit_code, result.stdout


@pytest.fixture
def scripted_server() -> Iterator[tuple[FakeLLMServer, Scripted]]:
    responder = Scripted(BROKEN, f"Here you go:\n```lua\n{CLEAN}```\nEnjoy!")
    with FakeLLMServer(responder) as server:
        yield server, responder


def test_fake_server_rewrites_once_and_stops_at_the_threshold(
    runner: CliRunner, scripted_server: tuple[FakeLLMServer, Scripted], tmp_path: Path
) -> None:
    server, responder = scripted_server
    code, out = run_assist(
        runner,
        "Greet every player who joins",
        "--generator",
        f"openai:fake-model@{server.openai_base_url}",
        "--rounds",
        "3",
        "--out",
        str(tmp_path),
    )
    assert code == 0, out
    assert len(responder.requests) == 2
    # The score history: header, both rounds, the best one starred, why it stopped.
    assert "composite" in out and "findings" in out and "syntax" in out
    rows = history_rows(out)
    assert len(rows) == 2 and "★" in rows[1] and "★" not in rows[0]
    assert "stopped: threshold" in out and "(passed)" in out
    assert (tmp_path / "GreetEveryPlayer.server.luau").read_text() == CLEAN
    # The rewrite request carried the compiler's complaint about the first answer.
    rewrite = responder.requests[1]
    assert rewrite.messages[-1]["role"] == "user"
    assert "syntax/compile-error" in rewrite.messages[-1]["content"]
    assert rewrite.system.startswith("You are an expert Roblox Luau programmer")


def test_always_bad_answers_stop_after_k_rounds_with_json(runner: CliRunner) -> None:
    responder = Scripted(BROKEN)
    with FakeLLMServer(responder) as server:
        code, out = run_assist(
            runner,
            "Greet players",
            "--backend",
            "openai",
            "--model",
            "fake-model",
            "--base-url",
            server.openai_base_url,
            "--rounds",
            "2",
            "--format",
            "json",
        )
    assert code == 0
    document = json.loads(out)
    assert len(responder.requests) == 3 and len(document["rounds"]) == 3
    assert document["stop_reason"] == "max-rounds" and document["passed"] is False
    assert [r["purpose"] for r in document["rounds"]] == ["generate", "rewrite", "rewrite"]
    assert all(r["score"] < 0.85 for r in document["rounds"])


def test_no_generator_is_a_clear_error(runner: CliRunner) -> None:
    result = runner.invoke(app, ["assist", "x"])
    assert result.exit_code != 0
    assert "--generator" in str(result.exception)


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    pytest.importorskip("transformers")
    from luaurft.llm.tiny import build_tiny_model

    return build_tiny_model(tmp_path_factory.mktemp("tiny") / "model", seed=0)


@pytest.mark.slow
def test_tiny_model_runs_the_loop_to_k_rounds(runner: CliRunner, tiny_model: Path) -> None:
    code, out = run_assist(
        runner,
        "Make a part spin",
        "--backend",
        "transformers",
        "--model",
        str(tiny_model),
        "--rounds",
        "1",
        "--max-new-tokens",
        "24",
        "--seed",
        "0",
    )
    assert code == 0, out
    # An untrained model writes noise: it never reaches 0.85, so it stops after K=1 rewrite.
    rows = history_rows(out)
    assert len(rows) == 2
    assert "stopped: max-rounds" in out and "below the threshold" in out


@pytest.mark.slow
def test_tiny_model_stops_at_a_threshold_it_reaches(runner: CliRunner, tiny_model: Path) -> None:
    code, out = run_assist(
        runner,
        "Make a part spin",
        "--generator",
        f"transformers:{tiny_model}",
        "--rounds",
        "3",
        "--threshold",
        "0",
        "--max-new-tokens",
        "16",
        "--format",
        "json",
    )
    assert code == 0
    document = json.loads(out)
    assert len(document["rounds"]) == 1 and document["stop_reason"] == "threshold"
    assert document["rounds"][0]["usage"]["completion_tokens"] > 0
