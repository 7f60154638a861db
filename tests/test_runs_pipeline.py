"""One sample → store → score pipeline: code extracted once at ingestion is what the reward
scores, selection keeps and training trains on; a resumed run never scores a stored
candidate again (RFT and eval)."""

from __future__ import annotations

import json
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
    run_tasks,
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


def test_a_finished_rft_run_resumed_neither_samples_nor_scores_again(tmp_path: Path) -> None:
    from luaurft.config import Settings
    from luaurft.rft.loop import run_rft
    from rft_fakes import FakeTrainer, ScriptedGenerator, make_tasks

    settings = Settings(name="resume")
    settings.sampling.n = 2
    settings.rft.rounds = 2
    scored: list[str] = []

    def reward(task: str, code: str) -> tuple[float, dict[str, Any]]:
        scored.append(code)
        return 0.9, {}

    rows = [{"prompt": [{"role": "user", "content": "p"}],
             "completion": [{"role": "assistant", "content": "print(1)\n"}]}]  # fmt: skip
    generators: list[ScriptedGenerator] = []

    def factory(_model: Any) -> ScriptedGenerator:
        generators.append(ScriptedGenerator())
        return generators[-1]

    def run() -> Any:
        config = settings.model_dump(mode="json")
        with RunStore.in_dir(tmp_path, kind="rft", config=config) as store:
            return run_rft(
                settings, store=store, run_dir=tmp_path, sft_rows=rows, tasks=make_tasks(3),
                generator_factory=factory, reward=reward, trainer=FakeTrainer(),
            )  # fmt: skip

    first = run()
    sampled = sum(g.samples for g in generators)
    assert sampled == 2 * 3 * 2 and len(scored) == sampled
    second = run()
    # Nothing sampled, nothing scored: selection read every reward back from the store.
    assert sum(g.samples for g in generators) == sampled and len(scored) == sampled
    assert [r.selection for r in second.rounds] == [r.selection for r in first.rounds]


def test_an_eval_summary_reads_the_stored_score_cards(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = EvalSettings(samples=2)
    generator = EvalGenerator("alt", SUITE, _reference_or_stub)
    config = eval_config("alt", SUITE, settings)
    with open_eval_store(tmp_path, config) as store:
        first = evaluate(generator, SUITE, store, settings)
        # Every scored candidate's reward row names its card, stored once per code and kind.
        kinds = {t.id: t.kind for t in run_tasks(SUITE)}
        cards = store._db.execute("SELECT COUNT(*) FROM score_cards").fetchone()[0]
        assert cards == len({(c.code, kinds[c.task_id]) for c in store.candidates(EVAL_ROUND)})
        store._db.execute(
            "UPDATE score_cards SET card = json_set(card, '$.scores.composite', 0.125)"
        )

    def no_scoring(*_args: Any, **_kw: Any) -> Any:
        raise AssertionError("a resumed eval scored a stored candidate again")

    monkeypatch.setattr(HybridReward, "score_many", no_scoring)
    with open_eval_store(tmp_path, config) as store:
        resumed = evaluate(EvalGenerator("alt", SUITE, _reference_or_stub), SUITE, store, settings)
    assert first.metrics["composite"].estimate != 0.125
    assert resumed.metrics["composite"].estimate == pytest.approx(0.125)
    assert resumed.metrics["pass@1"].estimate == first.metrics["pass@1"].estimate


def test_a_code_is_scored_once_per_kind_and_tie_breaks_read_its_stored_card(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import luaurft.runs.pipeline as pipeline
    from luaurft.runs.store import NewCandidate

    cards: list[str] = []

    def counting_card(code: str, **kw: Any) -> Any:
        cards.append(code)
        return score_source(code, **kw)

    monkeypatch.setattr(pipeline, "score_source", counting_card)
    tied = {SCRIPT: 0.8, "print(1)\n": 0.8}
    with RunStore(tmp_path / "run.sqlite") as store:
        store.add_tasks([TaskRow("a", "a"), TaskRow("b", "b")])
        store.add_candidates(
            [NewCandidate("a", 1, i, text=code, code=code) for i, code in enumerate(tied)]
            + [NewCandidate("b", 1, 0, text=SCRIPT, code=SCRIPT)]
        )
        reward = as_candidate_reward(lambda _task, code: (tied[code], {}), key="tied")
        score_candidates(store, 1, reward)
        # Two codes (one of them in both tasks, same kind): two cards.
        assert sorted(cards) == sorted(tied)
        score_candidates(store, 1, as_candidate_reward(lambda _t, c: (tied[c], {}), key="other"))
        assert len(cards) == 2
        select_round(store, 1, "tied", threshold=0.0)
        kept = store.selections(1)[0].candidate_id
        # Give the kept candidate's stored card a costly finding: the tie goes the other way.
        finding = {"rule": "bug/x", "scorer": "bug", "severity": "error", "line": 1,
                   "column": 1, "message": "m", "fix": None}  # fmt: skip
        code_sha = store.candidate(kept).code_sha256  # type: ignore[union-attr]
        store._db.execute(
            "UPDATE score_cards SET card = json_set(card, '$.findings', json(?)) "
            "WHERE code_sha256 = ?",
            (f"[{json.dumps(finding)}]", code_sha),
        )
        select_round(store, 1, "tied", threshold=0.0)
        assert store.selections(1)[0].candidate_id != kept
    assert len(cards) == 2


class _State:
    def __init__(self, step: int) -> None:
        self.global_step = step


def test_grpo_stores_what_trl_samples_and_rewards_it_with_the_tasks_own_checks(
    tmp_path: Path,
) -> None:
    from luaurft.demo.families import FAMILIES
    from luaurft.eval.checks import TASK_CHECKS
    from luaurft.rft.select import SPEC_META

    family = next(f for f in FAMILIES if f.name == "leaderstats")
    task = family.task("gems", {"stat": "Gems", "start": 15}, 0, split="rft")
    wrong = family.task("gems-20", {"stat": "Gems", "start": 20}, 0, split="rft").solution
    row = TaskRow(task.id, task.user_prompt(), "Script", "rft",
                  {SPEC_META: task.model_dump(mode="json")})  # fmt: skip
    config = RewardConfig(weights={"quality": 1.0, "checks": 1.0}, require_checks=True)
    hybrid = HybridReward(config, checks=TASK_CHECKS)
    completions = [f"```lua\n{task.solution}```", wrong]
    with RunStore(tmp_path / "run.sqlite") as store:
        fn = GRPOReward(hybrid, store, [row])
        # TRL's reward-function interface: prompts, completions and the dataset's columns.
        values = fn(["p", "p"], completions, task_id=[task.id] * 2, task=[row.prompt] * 2,
                    trainer_state=_State(0))  # fmt: skip
        again = fn(["p"], [wrong], task_id=[task.id], task=[row.prompt], trainer_state=_State(0))
        stored = store.candidates(1, task.id)
        rewards = store.rewards(1, fn.reward.key)
    assert [c.index for c in stored] == [0, 1, 2]
    assert [c.code for c in stored] == [task.solution, wrong, wrong]
    assert [rewards[c.id].value for c in stored] == [*values, *again]
    checks = [rewards[c.id].parts["checks"] for c in stored]
    assert checks[0] == {"passed": 3, "expected": 3, "status": "ok"}
    assert checks[1]["passed"] < 3 and rewards[stored[1].id].parts["barred"]
    assert values[0] is not None and values[1] is not None and values[0] > values[1]


def test_tasks_missing_the_same_run_of_samples_share_a_call() -> None:
    from luaurft.runs.pipeline import plan_calls

    missing = [("a", 0), ("a", 2), ("a", 3), ("b", 2), ("b", 3), ("c", 2), ("c", 3)]
    # a's gap splits it into two runs; the run 2..3 of a, b and c is asked together,
    # two tasks per call, in task order.
    assert plan_calls(missing, ["a", "b", "c"], 2) == [
        (0, 1, ["a"]),
        (2, 2, ["a", "b"]),
        (2, 2, ["c"]),
    ]
