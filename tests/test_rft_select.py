"""Scoring candidates and best-of-N selection: threshold, near-duplicates, ties."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from luaurft.rft.select import (
    DeterministicReward,
    as_candidate_reward,
    cleanliness,
    score_candidates,
    select_round,
    selected_rows,
)
from luaurft.runs.pipeline import stored_card
from luaurft.runs.store import NewCandidate, RunStore, TaskRow
from luaurft.scoring import score_source

GREET = (
    'local Players = game:GetService("Players")\n\n'
    "local function greet(player)\n"
    '\tprint("Hello, " .. player.Name)\n'
    "end\n\n"
    "Players.PlayerAdded:Connect(greet)\n"
)
# The same script with other local names and a comment: a near-duplicate.
GREET_RENAMED = (
    "-- greet everyone who joins\n"
    'local Players = game:GetService("Players")\n\n'
    "local function welcome(newcomer)\n"
    '\tprint("Hello, " .. newcomer.Name)\n'
    "end\n\n"
    "Players.PlayerAdded:Connect(welcome)\n"
)
SPIN = (
    'local RunService = game:GetService("RunService")\n'
    "local part = script.Parent\n"
    "RunService.Heartbeat:Connect(function(dt)\n"
    "\tpart.CFrame = part.CFrame * CFrame.Angles(0, dt, 0)\n"
    "end)\n"
)
SPIN_LONGER = (
    'local RunService = game:GetService("RunService")\n'
    "local part = script.Parent\n"
    "local speed = 1\n"
    "RunService.Heartbeat:Connect(function(deltaTime)\n"
    "\tlocal angle = deltaTime * speed\n"
    "\tpart.CFrame = part.CFrame * CFrame.Angles(0, angle, 0)\n"
    "end)\n"
)
BROKEN = 'local Players = game:GetService("Players"\nPlayers.PlayerAdded:Connect(function(p) print(p) end)\n'


def table_reward(values: dict[str, float | None]) -> Any:
    """A reward that looks the code up in a table (so tests set exact values)."""

    def reward(task: str, code: str) -> tuple[float | None, dict[str, Any]]:
        return values[code], {"table": True}

    reward.__name__ = "table"  # type: ignore[attr-defined]
    return reward


@pytest.fixture
def store(tmp_path: Path) -> RunStore:
    s = RunStore(tmp_path / "run.sqlite", kind="rft", config={"t": 1})
    yield s  # type: ignore[misc]
    s.close()


def add(store: RunStore, task: str, codes: list[str], round: int = 1) -> None:
    if store.task(task) is None:
        store.add_tasks([TaskRow(task, f"prompt of {task}")])
    store.add_candidates(
        [NewCandidate(task, round, i, text=code, code=code) for i, code in enumerate(codes)]
    )


def run_selection(
    store: RunStore, values: dict[str, float | None], threshold: float = 0.7, **kw: Any
) -> Any:
    reward = as_candidate_reward(table_reward(values))
    score_candidates(store, 1, reward)
    return select_round(store, 1, reward.key, threshold=threshold, **kw)


def kept_code(store: RunStore, task: str) -> str | None:
    sel = {s.task_id: s for s in store.selections(1)}[task]
    if sel.candidate_id is None:
        return None
    candidate = store.candidate(sel.candidate_id)
    return candidate.code if candidate else None


def test_best_is_kept_at_or_above_the_threshold_and_refused_below(store: RunStore) -> None:
    add(store, "a", [GREET, SPIN])
    add(store, "b", [SPIN_LONGER])
    add(store, "c", [BROKEN])
    stats = run_selection(store, {GREET: 0.9, SPIN: 0.95, SPIN_LONGER: 0.70, BROKEN: 0.69})
    assert kept_code(store, "a") == SPIN
    assert kept_code(store, "b") == SPIN_LONGER  # exactly the threshold is kept
    assert kept_code(store, "c") is None
    reasons = {s.task_id: s.reason for s in store.selections(1)}
    assert reasons == {"a": "kept", "b": "kept", "c": "below-threshold"}
    below = {s.task_id: s for s in store.selections(1)}["c"]
    assert below.reward == pytest.approx(0.69) and below.meta["best_candidate"] is not None
    assert stats.kept == 2 and stats.below_threshold == 1
    # The kept set's mean reward is reported and stored.
    assert stats.kept_mean == pytest.approx((0.95 + 0.70) / 2)
    assert store.get_meta("selection:1")["kept_mean_reward"] == pytest.approx(0.825)


def test_near_duplicates_collapse_onto_their_cleanest_copy(store: RunStore) -> None:
    add(store, "a", [GREET_RENAMED, SPIN, GREET])
    run_selection(store, {GREET: 0.8, GREET_RENAMED: 0.8, SPIN: 0.8})
    sel = store.selections(1)[0]
    assert sel.meta["candidates"] == 3
    assert sel.meta["distinct"] == 2 and sel.meta["collapsed"] == 1
    # All three tie; the greet pair collapses onto its shorter copy, which beats SPIN too.
    assert kept_code(store, "a") == min([GREET, SPIN], key=len)


def test_a_tie_goes_to_the_cleaner_candidate_before_the_shorter(store: RunStore) -> None:
    assert not score_source(BROKEN).compiles and len(BROKEN) < len(SPIN_LONGER)
    add(store, "a", [BROKEN, SPIN_LONGER])
    run_selection(store, {BROKEN: 0.8, SPIN_LONGER: 0.8})
    assert kept_code(store, "a") == SPIN_LONGER
    meta = store.selections(1)[0].meta
    assert meta["tied_at_best"] == 2 and meta["clean"]["findings"] == 0


def test_equally_clean_ties_go_to_the_shorter_candidate(store: RunStore) -> None:
    add(store, "a", [SPIN_LONGER, GREET])
    run_selection(store, {SPIN_LONGER: 0.8, GREET: 0.8})
    assert kept_code(store, "a") == min([SPIN_LONGER, GREET], key=len)


def test_a_higher_reward_beats_a_cleaner_candidate(store: RunStore) -> None:
    add(store, "a", [SPIN, BROKEN])
    run_selection(store, {SPIN: 0.8, BROKEN: 0.81})
    assert kept_code(store, "a") == BROKEN


def test_candidates_without_a_reward_value_are_not_selectable(store: RunStore) -> None:
    add(store, "a", [GREET])
    add(store, "b", [SPIN, SPIN_LONGER])
    store.add_tasks([TaskRow("empty", "no samples")])
    stats = run_selection(store, {GREET: None, SPIN: None, SPIN_LONGER: 0.9})
    reasons = {s.task_id: s.reason for s in store.selections(1)}
    assert reasons == {"a": "unscored", "b": "kept", "empty": "no-candidates"}
    assert kept_code(store, "b") == SPIN_LONGER
    assert stats.unscored == 1 and stats.no_candidates == 1


def test_duplicates_across_tasks_are_dropped_only_when_asked(store: RunStore) -> None:
    add(store, "a", [GREET])
    add(store, "b", [GREET_RENAMED])
    values = {GREET: 0.8, GREET_RENAMED: 0.9}
    assert run_selection(store, values).kept == 2
    stats = run_selection(store, values, across_tasks=True)
    assert stats.kept == 1 and stats.cross_task_duplicates == 1
    reasons = {s.task_id: s.reason for s in store.selections(1)}
    assert reasons == {"a": "duplicate-across-tasks", "b": "kept"}


def test_scoring_is_resumable_and_stores_score_cards(store: RunStore) -> None:
    add(store, "a", [GREET, SPIN])
    seen: list[str] = []

    def counting(task: str, code: str) -> tuple[float, dict[str, Any]]:
        seen.append(code)
        return 0.8, {}

    reward = as_candidate_reward(counting, key="counting")
    first = score_candidates(store, 1, reward)
    add(store, "b", [SPIN_LONGER])
    second = score_candidates(store, 1, reward)
    assert first.scored == 2 and second.scored == 1 and second.already == 2
    assert seen == [GREET, SPIN, SPIN_LONGER]
    card = score_source(GREET)
    stored = store.get_score_card(card.sha256, card.scorer_version)
    assert stored is not None and stored["compiles"] is True
    # Rewards are keyed by the reward: another reward scores everything again.
    other = score_candidates(store, 1, as_candidate_reward(counting, key="other"))
    assert other.scored == 3


def test_deterministic_reward_is_the_score_card_composite() -> None:
    reward = DeterministicReward()
    value, parts = reward("task", GREET)
    card = score_source(GREET)
    assert value == card.composite and parts["syntax"] == card.scores["syntax"]
    assert reward("task", BROKEN)[0] < value
    assert reward.key.startswith("deterministic:")


@dataclass
class _FakeReward:
    value: float | None
    parts: dict[str, float | None]
    card: Any

    def to_dict(self) -> dict[str, Any]:
        return {"value": self.value, "parts": self.parts, "blend": "hybrid"}


class _HybridLike:
    """The shape of `luaurft.reward.HybridReward`: score_many over (task, code) pairs."""

    def __init__(self) -> None:
        self.batches: list[int] = []

    def score_many(self, items: list[tuple[str, str]]) -> list[_FakeReward]:
        self.batches.append(len(items))
        out = []
        for _task, code in items:
            card = score_source(code)
            judge = 0.9 if "Players" in code else 0.4
            value = judge
            out.append(_FakeReward(value, {"syntax": card.scores["syntax"], "judge": judge}, card))
        return out


def test_reward_objects_with_score_many_are_used_in_batches(store: RunStore) -> None:
    add(store, "a", [GREET, SPIN, SPIN_LONGER])
    hybrid = _HybridLike()
    reward = as_candidate_reward(hybrid, key="hybrid:test")
    score_candidates(store, 1, reward, batch_size=2)
    assert hybrid.batches == [2, 1]
    rewards = store.rewards(1, "hybrid:test")
    by_code = {store.candidate(cid).code: row for cid, row in rewards.items()}  # type: ignore[union-attr]
    assert by_code[GREET].parts["parts"]["judge"] == 0.9
    # The reward's own card is stored and named by the reward row; ties read it back.
    greet = next(c for c in store.candidates(1) if c.code == GREET)
    card = stored_card(store, greet, by_code[GREET])
    assert card == score_source(GREET).to_dict()
    assert cleanliness(card) == {"severity": 0.0, "findings": 0}
    select_round(store, 1, "hybrid:test", threshold=0.7)
    assert kept_code(store, "a") == GREET


def test_selected_rows_are_prompt_completion_pairs_with_the_system_prompt(
    store: RunStore,
) -> None:
    add(store, "a", [GREET])
    run_selection(store, {GREET: 0.9})
    rows = selected_rows(store, 1, "SYSTEM")
    assert rows == [
        {
            "prompt": [
                {"role": "system", "content": "SYSTEM"},
                {"role": "user", "content": "prompt of a"},
            ],
            "completion": [{"role": "assistant", "content": GREET}],
            "source": "rft:1",
            "task_id": "a",
            "reward": 0.9,
        }
    ]


def test_selected_rows_are_the_sft_data_format_with_rft_provenance(store: RunStore) -> None:
    from luaurft.data.formats import to_prompt_completion
    from luaurft.data.records import CodeRecord

    # A few shapes of code: tabs, non-ASCII text, a long string holding a fence.
    codes = {"a": GREET, "b": 'print("héllo → 世界")\n', "c": "local s = [[\n```\n]]\nprint(s)\n"}
    for task, code in codes.items():
        add(store, task, [code])
    run_selection(store, dict.fromkeys(codes.values(), 0.9))
    rows = {row["task_id"]: row for row in selected_rows(store, 1, "SYSTEM")}
    assert set(rows) == set(codes)
    for task, code in codes.items():
        # The rows RFT trained on before they came from data/formats, built by hand.
        by_hand = {
            "prompt": [
                {"role": "system", "content": "SYSTEM"},
                {"role": "user", "content": f"prompt of {task}"},
            ],
            "completion": [{"role": "assistant", "content": code}],
            "source": "rft:1",
            "task_id": task,
            "reward": 0.9,
        }
        assert rows[task] == by_hand
        sft = to_prompt_completion(
            CodeRecord(id=task, text=code, task=f"prompt of {task}"), "SYSTEM"
        )
        assert (rows[task]["prompt"], rows[task]["completion"]) == (
            sft["prompt"],
            sft["completion"],
        )


def test_hybrid_reward_with_a_judge_scores_and_selects(store: RunStore) -> None:
    import json
    import re

    from luaurft.judge import LLMJudge
    from luaurft.reward import HybridReward
    from luaurft.rft.select import reward_key
    from luaurft.testing.fake_generator import ScriptedGenerator
    from luaurft.testing.fake_judge import verdict_for

    def respond(conversation: list[dict[str, str]], index: int) -> str:
        found = re.search(r"(`{3,})luau\n(.*?)\n\1", conversation[-1]["content"], re.DOTALL)
        return json.dumps(verdict_for(found.group(2) if found else ""))

    judge_model = ScriptedGenerator(respond, name="judge:model")
    hybrid = HybridReward(judge=LLMJudge(judge_model))
    add(store, "a", [GREET, SPIN_LONGER, BROKEN])
    stats = score_candidates(store, 1, hybrid)
    key = reward_key(hybrid)
    assert stats.scored == 3 and stats.reward_key == key
    # Another judge (or none) is another reward: its values are stored apart.
    assert reward_key(HybridReward()) != key
    assert len(judge_model.seen) == 3
    rows = store.rewards(1, key)
    values = {store.candidate(cid).code: row.value for cid, row in rows.items()}  # type: ignore[union-attr]
    for row in rows.values():
        assert row.parts["blend"] == "hybrid" and row.parts["parts"]["judge"] is not None
    selection = select_round(store, 1, key, threshold=0.0)
    best = max(values, key=lambda code: values[code] or 0.0)
    assert kept_code(store, "a") == best and values[BROKEN] < values[best]
    assert selection.kept_mean == pytest.approx(values[best])


# -- task-aware reward through the store ---------------------------------------------


def _leaderstats_tasks() -> tuple[Any, Any]:
    from luaurft.demo.families import FAMILIES

    family = next(f for f in FAMILIES if f.name == "leaderstats")
    task = family.task("gems", {"stat": "Gems", "start": 15}, 0, split="rft")
    other = family.task("gems-20", {"stat": "Gems", "start": 20}, 0, split="rft")
    return task, other


def test_reward_scores_exactly_the_text_selection_keeps_and_trains_on(store: RunStore) -> None:
    from luaurft.llm.completion import extract_code
    from luaurft.reward import HybridReward, RewardConfig

    # Model output whose extracted code is not a fixed point of extraction: extracting
    # it again (as the reward once did) would score other text than what is trained on.
    text = "```\n```lua\nprint(1)\n```\n```"
    code = extract_code(text).code
    assert extract_code(code).code != code
    store.add_tasks([TaskRow("a", "Print 1.")])
    store.add_candidates([NewCandidate("a", 1, 0, text=text, code=code)])
    seen: list[str] = []

    def scorer(source: str, *, kind: str | None = None, **_: Any) -> Any:
        seen.append(source)
        return score_source(source, kind=kind)

    reward = HybridReward(RewardConfig(weights={"syntax": 1.0}, keep_threshold=0.0), scorer=scorer)
    scored = as_candidate_reward(reward)
    score_candidates(store, 1, scored)
    select_round(store, 1, scored.key, threshold=0.0)
    (row,) = selected_rows(store, 1, "system")
    assert seen == [code]
    assert row["completion"] == [{"role": "assistant", "content": code}]


def test_store_tasks_give_the_reward_their_checks_and_barred_candidates_are_never_kept(
    store: RunStore,
) -> None:
    from luaurft.eval.checks import TASK_CHECKS
    from luaurft.reward import HybridReward, RewardConfig
    from luaurft.rft.select import SPEC_META

    task, other = _leaderstats_tasks()
    store.add_tasks([TaskRow(task.id, task.user_prompt(), "Script", "rft",
                             {SPEC_META: task.model_dump(mode="json")})])  # fmt: skip
    # Index 0: right start value; index 1: the same code shape with another value.
    store.add_candidates([
        NewCandidate(task.id, 1, 0, text=task.solution, code=task.solution),
        NewCandidate(task.id, 1, 1, text=other.solution, code=other.solution),
    ])  # fmt: skip
    config = RewardConfig(weights={"quality": 1.0, "checks": 1.0}, keep_threshold=0.0,
                          require_checks=True)  # fmt: skip
    reward = as_candidate_reward(HybridReward(config, checks=TASK_CHECKS))
    score_candidates(store, 1, reward)
    rewards = store.rewards(1, reward.key)
    by_index = {c.index: rewards[c.id] for c in store.candidates(1, task.id)}
    assert by_index[0].parts["checks"] == {"passed": 3, "expected": 3, "status": "ok"}
    assert by_index[1].parts["checks"]["passed"] == 1 and by_index[1].parts["barred"]
    stats = select_round(store, 1, reward.key, threshold=0.0)
    assert stats.kept == 1 and kept_code(store, task.id) == task.solution

    # Only the wrong one: barred even at threshold 0, so nothing is kept.
    store.add_candidates([NewCandidate(task.id, 2, 0, text=other.solution,
                                       code=other.solution)])  # fmt: skip
    score_candidates(store, 2, reward)
    stats = select_round(store, 2, reward.key, threshold=0.0)
    assert stats.kept == 0 and stats.barred == 1 and stats.unscored == 0
    assert store.selections(2)[0].reason == "all-barred"
