"""The self-correcting loop with a scripted generator (no model), real and fake scorers,
and a fake Studio plugin answering the real bridge."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from agent_helpers import FakePlugin, ScriptedGenerator, comment_scorer, scored
from conftest import EXAMPLES
from luaurft.agent import AssistError, StudioSession, assist, split_answer
from luaurft.config import Settings
from luaurft.llm import Completion
from luaurft.llm.errors import BudgetExceededError
from luaurft.scoring import score_source
from luaurft.studio import BridgeLimits, StudioBridge

pytestmark = pytest.mark.timeout(60)


def test_stops_as_soon_as_the_threshold_is_reached() -> None:
    gen = ScriptedGenerator(
        [
            scored(0.6, "bug/unguarded-call", body="local x = nil\nprint(x.y)"),
            scored(0.9),
            scored(1.0),
        ]
    )
    result = assist("Print a value", gen, score=comment_scorer, threshold=0.85, max_rounds=3)
    assert [r.score for r in result.rounds] == [0.6, 0.9]
    assert result.stop_reason == "threshold" and result.passed
    assert result.best_index == 1 and [r.purpose for r in result.rounds] == ["generate", "rewrite"]
    # The rewrite saw the first version and feedback built from its findings.
    chat = gen.conversations[1]
    assert [m["role"] for m in chat] == ["system", "user", "assistant", "user"]
    assert chat[0]["content"] == Settings().model.system_prompt
    assert "print(x.y)" in chat[2]["content"]
    request = chat[3]["content"]
    assert "0.60" in request and "0.85" in request
    assert (
        "line 2" in request
        and "bug/unguarded-call" in request
        and "fix bug/unguarded-call" in request
    )
    assert result.rounds[0].feedback is not None and result.rounds[0].feedback in request
    assert result.rounds[1].base_round == 0 and result.rounds[1].feedback is None


def test_always_bad_stops_after_k_rewrites() -> None:
    gen = ScriptedGenerator([scored(0.3, "quality/x")])
    result = assist("anything", gen, score=comment_scorer, threshold=0.85, max_rounds=2)
    assert len(result.rounds) == 3 and len(gen.conversations) == 3
    assert result.stop_reason == "max-rounds" and not result.passed
    assert [r.purpose for r in result.rounds] == ["generate", "rewrite", "rewrite"]
    none = assist("anything", ScriptedGenerator([scored(0.3)]), score=comment_scorer, max_rounds=0)
    assert len(none.rounds) == 1 and none.stop_reason == "max-rounds"


def test_defaults_come_from_settings() -> None:
    settings = Settings()
    settings.agent.max_rounds = 1
    settings.agent.rewrite_threshold = 0.5
    gen = ScriptedGenerator([scored(0.4), scored(0.45), scored(0.9)])
    result = assist("t", gen, score=comment_scorer, settings=settings)
    assert result.threshold == 0.5 and result.max_rounds == 1 and len(result.rounds) == 2
    assert Settings().agent.rewrite_threshold == 0.85


def test_the_best_version_wins_not_the_last_and_rewrites_build_on_it() -> None:
    gen = ScriptedGenerator(
        [
            scored(0.5, body="print('v0')"),
            scored(0.7, "quality/a", body="print('v1')"),
            scored(0.4, body="print('v2')"),
            scored(0.6, body="print('v3')"),
        ]
    )
    result = assist("t", gen, score=comment_scorer, threshold=0.85, max_rounds=3)
    assert [r.score for r in result.rounds] == [0.5, 0.7, 0.4, 0.6]
    assert result.best_index == 1 and "v1" in result.files[0].source
    # Round 3 rewrote round 1 (the best so far), not the worse round 2.
    assert [r.base_round for r in result.rounds] == [None, 0, 1, 1]
    assert "print('v1')" in gen.conversations[3][2]["content"]


def test_ties_go_to_fewer_findings_then_the_earlier_round() -> None:
    gen = ScriptedGenerator([scored(0.5, "q/a", "q/b"), scored(0.5, "q/a"), scored(0.5, "q/c")])
    result = assist("t", gen, score=comment_scorer, threshold=0.9, max_rounds=2)
    assert result.best_index == 1


def test_multi_file_answers_are_scored_per_file_and_aggregated() -> None:
    answer = (
        "-- file: ServerScriptService/Shop.server.luau\n"
        + scored(0.9)
        + "-- file: ReplicatedStorage/ShopConfig.luau\n"
        + scored(0.5, body="return {}")
    )
    low = assist("shop", ScriptedGenerator([answer]), score=comment_scorer, max_rounds=0)
    (only,) = low.rounds
    assert [(f.path, f.kind.value, f.card.composite) for f in only.files] == [
        ("ServerScriptService/Shop.server.luau", "Script", 0.9),
        ("ReplicatedStorage/ShopConfig.luau", "ModuleScript", 0.5),
    ]
    assert only.score == 0.5  # min: the weakest file decides
    mean = assist(
        "shop", ScriptedGenerator([answer]), score=comment_scorer, max_rounds=0, aggregate="mean"
    )
    # Mean weighted by lines: both files have 2 lines.
    assert mean.rounds[0].score == pytest.approx(0.7)


def test_multi_file_rewrite_gets_files_back_with_markers_and_feedback_per_file() -> None:
    answer = (
        "-- file: ServerScriptService/Shop.server.luau\n"
        + scored(0.9)
        + "-- file: ReplicatedStorage/ShopConfig.luau\n"
        + scored(0.5, "quality/magic", body="return {}")
    )
    gen = ScriptedGenerator([answer, answer.replace("0.5", "0.95")])
    result = assist("shop", gen, score=comment_scorer, threshold=0.85, max_rounds=2)
    assert len(result.rounds) == 2 and result.passed
    assistant, request = gen.conversations[1][2]["content"], gen.conversations[1][3]["content"]
    assert split_answer(assistant) == split_answer(answer)
    assert "ReplicatedStorage/ShopConfig.luau (score 0.50)" in request
    assert "quality/magic" in request and "-- file:" in request


def test_a_failed_generation_is_retried_from_the_task() -> None:
    gen = ScriptedGenerator([Completion.failure("server said 500"), scored(0.9)])
    result = assist("t", gen, score=comment_scorer, threshold=0.85, max_rounds=2)
    assert [r.purpose for r in result.rounds] == ["generate", "generate"]
    assert result.rounds[0].completion.error == "server said 500"
    assert len(gen.conversations[1]) == 2  # the task again, no empty "previous version"
    assert result.best_index == 1


def test_no_code_at_all_is_an_error_that_says_why() -> None:
    gen = ScriptedGenerator([Completion.failure("connection refused")])
    with pytest.raises(AssistError, match="connection refused"):
        assist("t", gen, score=comment_scorer, max_rounds=1)


def test_a_spent_budget_keeps_the_rounds_already_done() -> None:
    gen = ScriptedGenerator([scored(0.5), BudgetExceededError("budget spent")])
    result = assist("t", gen, score=comment_scorer, max_rounds=3)
    assert result.stop_reason == "generation-error" and len(result.rounds) == 1
    with pytest.raises(BudgetExceededError):
        assist("t", ScriptedGenerator([BudgetExceededError("spent")]), score=comment_scorer)


def test_real_scorers_bad_code_then_clean_code(tmp_path: Path) -> None:
    clean = (EXAMPLES / "leaderstats.server.luau").read_text()
    broken = 'local Players = game:GetService("Players"\nPlayers.PlayerAdded:Connect(function(p)\n'
    good_score = score_source(clean, path="leaderstats.server.luau").composite
    bad_score = score_source(broken).composite
    assert good_score > bad_score
    threshold = min(0.85, good_score)
    gen = ScriptedGenerator([broken, f"```lua\n{clean}```"])
    result = assist("Add leaderstats with coins", gen, threshold=threshold, max_rounds=3)
    assert len(result.rounds) == 2 and result.stop_reason == "threshold"
    first = result.rounds[0]
    assert not first.files[0].card.compiles
    assert "syntax/compile-error" in gen.conversations[1][3]["content"]
    assert result.best.files[0].source == clean
    written = result.write_files(tmp_path)
    assert [p.name for p in written] == ["LeaderstatsCoins.server.luau"]
    assert written[0].read_text() == clean
    document = json.loads(json.dumps(result.to_dict()))
    assert document["best_round"] == 1 and len(document["rounds"]) == 2
    assert document["rounds"][0]["usage"]["completion_tokens"] > 0


# -- Studio ----------------------------------------------------------------------------------


@pytest.fixture
def bridge() -> Iterator[StudioBridge]:
    with StudioBridge(port=0, limits=BridgeLimits(poll_timeout_s=0.2)) as running:
        yield running


def _studio_error_once(batch: int, files: list[dict[str, Any]]) -> list[tuple[str, str]]:
    if batch == 1:
        return [
            ("ServerScriptService.Greeter:2: attempt to index nil with 'Name'", "error"),
            ("Stack Begin", "info"),
            ("Script 'ServerScriptService.Greeter', Line 2", "info"),
            ("Stack End", "info"),
            ("Workspace.Other:1: not ours", "error"),
        ]
    return [("Greeter ready", "output")]


def test_studio_errors_cause_one_more_correction_round(bridge: StudioBridge) -> None:
    first = scored(0.9, body="local who = nil\nprint(who.Name)")
    fixed = scored(0.9, body="local who = {Name = 'x'}\nprint(who.Name)")
    gen = ScriptedGenerator([first, fixed, scored(0.1)])
    with FakePlugin(
        bridge, _studio_error_once, earlier_logs=[("old error: x:1: y", "error")]
    ) as plugin:
        bridge.wait_for_plugin(5)
        session = StudioSession(bridge, apply_timeout=10, logs_wait=0.05)
        result = assist(
            "Build a greeter",
            gen,
            score=comment_scorer,
            threshold=0.85,
            max_rounds=3,
            studio=session,
        )
    assert [r.purpose for r in result.rounds] == ["generate", "studio-fix"]
    assert result.stop_reason == "studio-clean" and result.best_index == 1 and result.passed
    pushed = result.rounds[0].studio
    assert pushed is not None and pushed.applied
    assert [(e.path, e.line, e.message) for e in pushed.errors] == [
        ("Greeter.server.luau", 2, "attempt to index nil with 'Name'")
    ]
    request = gen.conversations[1][3]["content"]
    assert "Roblox Studio reported 1 error" in request
    assert "line 2 [Studio error] attempt to index nil with 'Name'" in request
    assert "not ours" not in request and "old error" not in request
    # Both versions went to Studio; the second one only over what Studio holds from the first.
    assert len(plugin.applied) == 2
    assert "expectOldSha256" not in plugin.applied[0][0]
    assert plugin.applied[1][0]["expectOldSha256"] == pushed.files[0]["sha256"]
    assert plugin.applied[1][0]["className"] == "Script"
    second = result.rounds[1].studio
    assert second is not None and second.logs_checked and not second.errors


def test_studio_errors_with_no_rounds_left_are_reported(bridge: StudioBridge) -> None:
    gen = ScriptedGenerator([scored(0.9, body="print(nil .. 1)")])
    with FakePlugin(bridge, _studio_error_once):
        bridge.wait_for_plugin(5)
        session = StudioSession(bridge, apply_timeout=10, logs_wait=0.0)
        result = assist("Build a greeter", gen, score=comment_scorer, max_rounds=0, studio=session)
    assert len(result.rounds) == 1 and result.stop_reason == "max-rounds"
    assert not result.passed and len(result.best.studio_errors) == 1


def test_below_threshold_the_best_version_is_still_pushed_for_review(bridge: StudioBridge) -> None:
    gen = ScriptedGenerator([scored(0.3), scored(0.5), scored(0.4)])
    with FakePlugin(bridge, lambda batch, files: []) as plugin:
        bridge.wait_for_plugin(5)
        result = assist(
            "Build a greeter",
            gen,
            score=comment_scorer,
            max_rounds=2,
            studio=StudioSession(bridge, apply_timeout=10, logs_wait=0.0),
        )
    assert result.stop_reason == "max-rounds" and result.best_index == 1
    assert len(plugin.applied) == 1 and "0.5" in plugin.applied[0][0]["source"]


def test_no_plugin_is_reported_not_raised(bridge: StudioBridge) -> None:
    result = assist(
        "Build a greeter",
        ScriptedGenerator([scored(0.9)]),
        score=comment_scorer,
        studio=StudioSession(bridge, apply_timeout=0.3, request_timeout=0.3, logs_wait=0.0),
    )
    assert result.stop_reason == "studio-error"
    assert result.pushes[0].status == "error" and "plugin" in result.pushes[0].message
    assert result.files[0].source  # the code is still there to write out
