"""One sample → store → score pipeline: code extracted once at ingestion is what the reward
scores, selection keeps and training trains on; a resumed run never scores a stored
candidate again (RFT and eval)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from eval_fakes import ScriptedGenerator as EvalGenerator
from luaurft.config import SamplingSettings
from luaurft.eval.harness import (
    EVAL_ROUND,
    REWARD_KEY,
    EvalSettings,
    eval_config,
    evaluate,
    open_eval_store,
)
from luaurft.eval.harness import score_candidates as score_eval_candidates
from luaurft.eval.tasks import Task, builtin_suite
from luaurft.llm import Completion, extract_code
from luaurft.reward import HybridReward, RewardConfig
from luaurft.rft.candidates import generate_candidates
from luaurft.rft.grpo import GRPOReward
from luaurft.rft.select import as_candidate_reward, score_candidates, select_round, selected_rows
from luaurft.runs.store import RunStore, TaskRow
from luaurft.scoring import score_source

SCRIPT = (
    'local Players = game:GetService("Players")\n\n'
    "Players.PlayerAdded:Connect(function(player)\n"
    '\tprint("Welcome, " .. player.Name)\n'
    "end)\n"
)
# Model answers whose code extraction has to clean up. The last one's code (a script
# that writes Markdown) is not a fixed point of extraction: extracting the stored code
# again would score a different text from the one trained on.
ANSWERS = {
    "two-blocks": (
        f"Here is the script:\n```lua\n{SCRIPT}```\nUse it like this:\n```lua\nprint(1)\n```\n"
    ),
    "trailing-prose": f"{SCRIPT}\nThis script greets every player who joins the game.\n",
    "markdown-in-code": (
        "~~~lua\nlocal notes = [[\n```lua\nprint(1)\n```\n]]\nprint(notes)\n~~~\n"
    ),
}


class AnswerGenerator:
    """The Generator protocol: every sample of a task is that task's scripted answer."""

    name = "answers"

    def generate(
        self, conversations: Sequence[Any], n: int | None = None, sampling: Any = None
    ) -> list[list[Completion]]:
        rows = []
        for conversation in conversations:
            task_id = conversation[-1]["content"]
            rows.append([Completion(ANSWERS[task_id], model=self.name)] * (n or 1))
        return rows


def recording_reward() -> tuple[HybridReward, list[str]]:
    seen: list[str] = []

    def scorer(source: str, *, kind: str | None = None, **_: Any) -> Any:
        seen.append(source)
        return score_source(source, kind=kind)

    config = RewardConfig(weights={"syntax": 1.0}, keep_threshold=0.0)
    return HybridReward(config, scorer=scorer), seen


def test_reward_scores_exactly_the_code_selection_keeps_and_trains_on(tmp_path: Path) -> None:
    markdown = extract_code(ANSWERS["markdown-in-code"]).code
    assert extract_code(markdown).code != markdown  # the case a second extraction breaks
    with RunStore(tmp_path / "run.sqlite") as store:
        store.add_tasks([TaskRow(task_id, task_id) for task_id in ANSWERS])
        generate_candidates(
            store, AnswerGenerator(), 1, sampling=SamplingSettings(n=1), system_prompt="system"
        )
        reward, seen = recording_reward()
        scored = as_candidate_reward(reward)
        score_candidates(store, 1, scored)
        select_round(store, 1, scored.key, threshold=0.0)
        stored = {c.task_id: c.code for c in store.candidates(1)}
        trained = {
            row["task_id"]: row["completion"][0]["content"]
            for row in selected_rows(store, 1, "system")
        }
        notes = {c.task_id: c.meta.get("extraction") for c in store.candidates(1)}

    extracted = {task_id: extract_code(text).code for task_id, text in ANSWERS.items()}
    assert stored == extracted
    assert trained == extracted
    assert Counter(seen) == Counter(extracted.values())
    # What extraction cleaned up is on record with the candidate.
    assert notes == {
        "two-blocks": ["fenced", "blocks:2"],
        "trailing-prose": ["prose-after"],
        "markdown-in-code": ["fenced"],
    }

    # GRPO has no store: its reward extracts each completion once, the same way.
    trl_reward, trl_seen = recording_reward()
    prompts = [[{"role": "user", "content": task_id}] for task_id in ANSWERS]
    completions = [[{"role": "assistant", "content": text}] for text in ANSWERS.values()]
    trl_reward(prompts, completions)
    assert trl_seen == list(extracted.values())
    grpo_reward, grpo_seen = recording_reward()
    GRPOReward(grpo_reward)(prompts, completions, task=list(ANSWERS))
    assert grpo_seen == list(extracted.values())


SUITE = builtin_suite().select(
    ids=["leaderstats-basic", "oop-inventory-class", "ui-shop-toggle", "remote-color-validation"]
)


def _reference_or_stub(task: Task, index: int) -> str:
    return task.solution if index % 2 == 0 else "local x = 1"


def test_eval_scores_and_runs_the_code_it_stored(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    scored: list[str] = []
    original = HybridReward.score_many

    def spy(self: HybridReward, items: Sequence[tuple[str, str]], **kw: Any) -> Any:
        scored.extend(code for _task, code in items)
        return original(self, items, **kw)

    monkeypatch.setattr(HybridReward, "score_many", spy)
    settings = EvalSettings(samples=2)
    generator = EvalGenerator("alt", SUITE, _reference_or_stub)
    with open_eval_store(tmp_path, eval_config("alt", SUITE, settings)) as store:
        evaluate(generator, SUITE, store, settings)
        candidates = store.candidates(EVAL_ROUND)
    # The fake answers come in fences: what is stored is the extracted code, scored as is.
    assert all(c.text.startswith("```lua\n") for c in candidates)
    stored = [c.code for c in candidates]
    assert stored == [SUITE.get(c.task_id).program(extract_code(c.text).code) for c in candidates]
    assert Counter(scored) == Counter(stored)


# -- resuming never scores a stored candidate again ------------------------------------


class Killed(RuntimeError):
    pass


def test_a_resumed_rft_scoring_never_rescores_a_stored_candidate(tmp_path: Path) -> None:
    calls: Counter[str] = Counter()
    kill_after = [3]

    def counting(task: str, code: str) -> tuple[float, dict[str, Any]]:
        if kill_after[0] == 0:
            raise Killed("killed mid-scoring")
        kill_after[0] -= 1
        calls[task] += 1
        return 0.9, {}

    db = tmp_path / "run.sqlite"
    tasks = [TaskRow(f"t{i}", f"t{i}") for i in range(4)]
    with RunStore(db) as store:
        store.add_tasks(tasks)
        generate_candidates(store, _Fixed(), 1, sampling=SamplingSettings(n=2))
        with pytest.raises(Killed):
            score_candidates(store, 1, as_candidate_reward(counting, key="counting"), batch_size=2)
    # The first batch (2 candidates) was stored before the kill; the third scored
    # candidate was in the lost batch.
    kill_after[0] = 100
    with RunStore(db) as store:
        resumed = score_candidates(store, 1, as_candidate_reward(counting, key="counting"))
        assert (resumed.already, resumed.scored) == (2, 6)
        again = score_candidates(store, 1, as_candidate_reward(counting, key="counting"))
        assert again.scored == 0 and again.already == 8
        assert len(store.rewards(1, "counting")) == 8
    # Each candidate scored once, but the one in the batch the kill lost.
    assert sum(calls.values()) == 8 + 1


class _Fixed:
    name = "fixed"

    def generate(
        self, conversations: Sequence[Any], n: int | None = None, sampling: Any = None
    ) -> list[list[Completion]]:
        return [[Completion(SCRIPT)] * (n or 1) for _ in conversations]


def test_a_resumed_eval_never_rescores_or_reruns_a_stored_candidate(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import luaurft.eval.harness as harness

    scored: list[str] = []
    ran: list[str] = []
    kill = [True]
    score_many = HybridReward.score_many
    check_many = harness.check_many

    def counting_score(self: HybridReward, items: Sequence[tuple[str, str]], **kw: Any) -> Any:
        if kill[0] and scored:
            raise KeyboardInterrupt("killed mid-scoring")
        scored.extend(code for _task, code in items)
        return score_many(self, items, **kw)

    def counting_checks(pairs: Sequence[tuple[Task, str]], **kw: Any) -> Any:
        ran.extend(code for _task, code in pairs)
        return check_many(pairs, **kw)

    monkeypatch.setattr(HybridReward, "score_many", counting_score)
    monkeypatch.setattr(harness, "check_many", counting_checks)
    settings = EvalSettings(samples=2)
    generator = EvalGenerator("alt", SUITE, _reference_or_stub)
    config = eval_config("alt", SUITE, settings)
    with open_eval_store(tmp_path, config) as store:
        # evaluate()'s stages one by one, so the kill lands inside the scoring stage.
        store.add_tasks(
            TaskRow(t.id, t.user_prompt(), t.kind.value, "eval", t.meta()) for t in SUITE
        )
        harness.generate_candidates(generator, SUITE, store, settings)
        harness.execute_candidates(SUITE, store)
        with pytest.raises(KeyboardInterrupt):
            score_eval_candidates(SUITE, store, batch_size=3)
        assert len(store.rewards(EVAL_ROUND, REWARD_KEY)) == 3
    kill[0] = False
    with open_eval_store(tmp_path, config) as store:
        first = evaluate(generator, SUITE, store, settings)
    with open_eval_store(tmp_path, config) as store:
        second = evaluate(generator, SUITE, store, settings)
    assert len(scored) == len(ran) == 8
    assert Counter(scored) == Counter(ran)
    assert second.metrics["composite"].estimate == first.metrics["composite"].estimate
