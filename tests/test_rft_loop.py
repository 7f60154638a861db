"""The RFT loop with a scripted generator and a fake trainer: stages, rounds, resuming."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from dataclasses import replace
from pathlib import Path

import pytest

from luaurft.config import Settings
from luaurft.rft.candidates import generate_candidates
from luaurft.rft.loop import (
    ModelRef,
    RFTResult,
    cumulative_rows,
    mix_training_rows,
    round_tasks,
    run_rft,
)
from luaurft.rft.select import DeterministicReward
from luaurft.runs.store import RunStore, Status
from rft_fakes import (
    BROKEN,
    GOOD,
    FakeTrainer,
    Injected,
    ScriptedGenerator,
    good_code_reward,
    make_tasks,
)

ROOT = Path(__file__).resolve().parents[1]


def small_settings(**rft: object) -> Settings:
    settings = Settings(name="tiny-rft")
    settings.sampling.n = 4
    settings.rft.tasks_per_round = 5
    settings.rft.keep_threshold = 0.7
    for key, value in rft.items():
        setattr(settings.rft, key, value)
    return settings


SFT_ROWS = [
    {
        "prompt": [{"role": "user", "content": f"Print {i}."}],
        "completion": [{"role": "assistant", "content": f"print({i})\n"}],
    }
    for i in range(3)
]


def open_store(run_dir: Path, settings: Settings) -> RunStore:
    return RunStore.in_dir(run_dir, kind="rft", config=settings.model_dump(mode="json"))


class Factory:
    """Generator factory that records which model each round sampled."""

    def __init__(self, generator: ScriptedGenerator) -> None:
        self.generator = generator
        self.models: list[ModelRef] = []

    def __call__(self, model: ModelRef) -> ScriptedGenerator:
        self.models.append(model)
        return self.generator


def test_candidates_are_stored_per_group_and_only_missing_ones_are_generated(
    tmp_path: Path,
) -> None:
    settings = small_settings()
    tasks = make_tasks(5)
    with open_store(tmp_path, settings) as store:
        store.add_tasks(tasks)
        # Killed during the 3rd call: the first two groups (2 tasks x 4) are stored.
        dying = ScriptedGenerator(fail_after=8 + 3)
        with pytest.raises(Injected):
            generate_candidates(store, dying, 1, sampling=settings.sampling, tasks=tasks)
        assert store.count_candidates(1) == 8
        # Another sample index was lost for t02 by hand: only it and t02..t04 remain.
        resumed = ScriptedGenerator()
        stats = generate_candidates(
            store, resumed, 1, sampling=settings.sampling, tasks=tasks, tasks_per_call=2
        )
    assert stats.already == 8 and stats.generated == 12 and stats.missing == 0
    assert resumed.samples == 12
    asked = Counter(p for call in resumed.calls for p in call.prompts)
    assert set(asked) == {t.prompt for t in tasks[2:]}
    # Two tasks shared a call: 3 tasks in 2 calls.
    assert len(resumed.calls) == 2


def test_resumed_samples_use_other_seeds_than_the_stored_ones(tmp_path: Path) -> None:
    settings = small_settings()
    settings.sampling.n = 4
    task = make_tasks(1)
    with open_store(tmp_path, settings) as store:
        store.add_tasks(task)
        first = ScriptedGenerator()
        generate_candidates(store, first, 1, sampling=settings.sampling, tasks=task)
        # Forget samples 2 and 3, as if the run had stored only half a task.
        store._db.execute("DELETE FROM candidates WHERE sample_index >= 2")
        second = ScriptedGenerator()
        generate_candidates(store, second, 1, sampling=settings.sampling, tasks=task)
    assert second.calls[0].n == 2
    assert second.calls[0].seed == (first.calls[0].seed or 0) + 2


def test_failed_samples_stay_missing_and_are_retried(tmp_path: Path) -> None:
    from luaurft.llm import Completion

    class Flaky(ScriptedGenerator):
        def generate(self, conversations, n=None, sampling=None):  # type: ignore[no-untyped-def]
            rows = super().generate(conversations, n, sampling)
            if len(self.calls) == 1:
                rows[0][1] = Completion.failure("HTTP 500")
            return rows

    settings = small_settings()
    tasks = make_tasks(2)
    with open_store(tmp_path, settings) as store:
        store.add_tasks(tasks)
        flaky = Flaky()
        stats = generate_candidates(store, flaky, 1, sampling=settings.sampling, tasks=tasks)
        assert stats.failed == 1 and stats.missing == 1
        assert store.missing_candidates(1, 4) == [("t00", 1)]
        again = generate_candidates(store, flaky, 1, sampling=settings.sampling, tasks=tasks)
        assert again.generated == 1 and store.missing_candidates(1, 4) == []


def test_two_rounds_sample_from_the_newest_adapter_and_train_on_the_mix(tmp_path: Path) -> None:
    settings = small_settings(rounds=2)
    generator = ScriptedGenerator()
    factory = Factory(generator)
    trainer = FakeTrainer()
    with open_store(tmp_path, settings) as store:
        result = run_rft(
            settings, store=store, run_dir=tmp_path, sft_rows=SFT_ROWS, tasks=make_tasks(4),
            generator_factory=factory, reward=good_code_reward, trainer=trainer,
        )  # fmt: skip
        assert store.status == "done"
        assert [r.status for r in store.rounds()] == [Status.DONE, Status.DONE]
        assert store.count_candidates(1) == store.count_candidates(2) == 16
    # SFT, then one training per round, each continuing the newest adapter.
    assert [r.round for r in trainer.requests] == [0, 1, 2]
    assert trainer.requests[0].init_adapter is None
    assert trainer.requests[1].init_adapter == tmp_path / "adapters" / "sft"
    assert trainer.requests[2].init_adapter == tmp_path / "adapters" / "round-1"
    assert [m.label for m in factory.models] == ["sft", "round-1"]
    # Every task has good and broken samples: the good one is kept, the mix is SFT + kept.
    summary = result.rounds[0]
    assert summary.selection["kept"] == 4 and summary.kept_mean_reward is not None
    assert summary.kept_mean_reward >= 0.7
    mix = trainer.requests[1].rows
    assert len(mix) == len(SFT_ROWS) + 4
    kept_code = [row["completion"][0]["content"] for row in mix[len(SFT_ROWS) :]]
    assert all(GOOD.strip() in code for code in kept_code)
    assert result.final_adapter == str(tmp_path / "adapters" / "round-2")


def test_retrain_from_base_starts_every_round_from_the_base_model(tmp_path: Path) -> None:
    settings = small_settings(rounds=2, retrain_from_base=True)
    factory = Factory(ScriptedGenerator())
    trainer = FakeTrainer()
    with open_store(tmp_path, settings) as store:
        run_rft(
            settings, store=store, run_dir=tmp_path, sft_rows=SFT_ROWS, tasks=make_tasks(2),
            generator_factory=factory, reward=good_code_reward, trainer=trainer,
        )  # fmt: skip
    assert [r.init_adapter for r in trainer.requests] == [None, None, None]
    # ...but each round still samples the newest model.
    assert [m.label for m in factory.models] == ["sft", "round-1"]


def test_a_round_that_keeps_nothing_does_not_retrain(tmp_path: Path) -> None:
    settings = small_settings(rounds=1, keep_threshold=1.0)
    trainer = FakeTrainer()

    def harsh(task: str, code: str) -> tuple[float, dict[str, float]]:
        return 0.5, {}

    with open_store(tmp_path, settings) as store:
        result = run_rft(
            settings, store=store, run_dir=tmp_path, sft_rows=SFT_ROWS, tasks=make_tasks(2),
            generator_factory=Factory(ScriptedGenerator()), reward=harsh, trainer=trainer,
        )  # fmt: skip
        reasons = {s.reason for s in store.selections(1)}
    assert reasons == {"below-threshold"}
    assert [r.round for r in trainer.requests] == [0]
    assert result.final_adapter == str(tmp_path / "adapters" / "sft")


def test_killed_mid_candidates_resumes_without_generating_a_finished_candidate_twice(
    tmp_path: Path,
) -> None:
    settings = small_settings(rounds=1)
    tasks = make_tasks(5)
    trainer = FakeTrainer()
    dying = ScriptedGenerator(fail_after=10)
    with open_store(tmp_path, settings) as store:
        with pytest.raises(Injected):
            run_rft(
                settings, store=store, run_dir=tmp_path, sft_rows=SFT_ROWS, tasks=tasks,
                generator_factory=Factory(dying), reward=good_code_reward, trainer=trainer,
                tasks_per_call=1,
            )  # fmt: skip
        assert store.stage("candidates", 1).status is Status.FAILED  # type: ignore[union-attr]
        stored_before = {(c.task_id, c.index) for c in store.candidates(1)}
    assert len(stored_before) == 8 and dying.samples == 8

    resumed = ScriptedGenerator()
    with open_store(tmp_path, settings) as store:
        run_rft(
            settings, store=store, run_dir=tmp_path, sft_rows=SFT_ROWS,
            generator_factory=Factory(resumed), reward=good_code_reward, trainer=trainer,
        )  # fmt: skip
        final = [(c.task_id, c.index) for c in store.candidates(1)]
        assert store.status == "done"
    # Exactly the missing samples were generated: 20 in all, none twice.
    assert dying.samples + resumed.samples == 20
    assert len(final) == len(set(final)) == 20
    prompts = {t.prompt: t.id for t in tasks}
    resumed_tasks = {prompts[p] for call in resumed.calls for p in call.prompts}
    assert resumed_tasks.isdisjoint({task for task, _ in stored_before})
    # SFT was finished before the kill and is not trained again.
    assert [r.round for r in trainer.requests] == [0, 1]


def test_a_finished_run_resumed_recomputes_nothing(tmp_path: Path) -> None:
    settings = small_settings(rounds=2)
    trainer = FakeTrainer()
    with open_store(tmp_path, settings) as store:
        first = run_rft(
            settings, store=store, run_dir=tmp_path, sft_rows=SFT_ROWS, tasks=make_tasks(3),
            generator_factory=Factory(ScriptedGenerator()), reward=DeterministicReward(),
            trainer=trainer,
        )  # fmt: skip
    again = Factory(ScriptedGenerator())
    calls_before = len(trainer.requests)
    with open_store(tmp_path, settings) as store:
        second = run_rft(
            settings, store=store, run_dir=tmp_path, sft_rows=SFT_ROWS,
            generator_factory=again, reward=DeterministicReward(), trainer=trainer,
        )  # fmt: skip
    assert again.models == [] and len(trainer.requests) == calls_before
    assert second.final_adapter == first.final_adapter
    assert [r.selection["kept"] for r in second.rounds] == [
        r.selection["kept"] for r in first.rounds
    ]


def test_resuming_with_other_sft_data_is_refused(tmp_path: Path) -> None:
    from luaurft.errors import ConfigError

    settings = small_settings(rounds=1)
    with open_store(tmp_path, settings) as store:
        run_rft(
            settings, store=store, run_dir=tmp_path, sft_rows=SFT_ROWS, tasks=make_tasks(1),
            generator_factory=Factory(ScriptedGenerator()), reward=good_code_reward,
            trainer=FakeTrainer(),
        )  # fmt: skip
        with pytest.raises(ConfigError, match="SFT data differ"):
            run_rft(
                settings, store=store, run_dir=tmp_path, sft_rows=SFT_ROWS[:1],
                generator_factory=Factory(ScriptedGenerator()), reward=good_code_reward,
                trainer=FakeTrainer(),
            )  # fmt: skip


def test_plain_text_sft_data_is_refused_before_any_sampling(tmp_path: Path) -> None:
    from luaurft.errors import ConfigError

    settings = small_settings(rounds=1)
    generator = ScriptedGenerator()
    text_rows = [{"prompt": "Print 1.", "completion": "print(1)\n"}]
    with open_store(tmp_path, settings) as store:
        with pytest.raises(ConfigError, match="plain-text prompt/completion pairs"):
            run_rft(
                settings, store=store, run_dir=tmp_path, sft_rows=text_rows, tasks=make_tasks(1),
                generator_factory=Factory(generator), reward=good_code_reward,
                trainer=FakeTrainer(),
            )  # fmt: skip
        assert store.count_candidates() == 0


def test_mix_ratio_sets_the_share_of_sft_data() -> None:
    selected = [{"prompt": "p", "completion": "c", "k": i} for i in range(2)]
    sft = [{"prompt": "s", "completion": str(i)} for i in range(10)]
    assert len(mix_training_rows(sft, selected, 1.0, 0)) == 12
    half = mix_training_rows(sft, selected, 0.5, 0)
    assert len(half) == 7 and half[-2:] == selected
    assert len({row["completion"] for row in half[:5]}) == 5
    assert len(mix_training_rows(sft, selected, 2.0, 0)) == 22
    assert mix_training_rows(sft, selected, 0.0, 0) == selected


def test_selection_repeats_weigh_the_selected_rows_and_leave_the_sft_data_alone() -> None:
    selected = [{"prompt": "p", "completion": "c", "k": i} for i in range(2)]
    sft = [{"prompt": "s", "completion": str(i)} for i in range(10)]
    mix = mix_training_rows(sft, selected, 1.0, 0, repeats=3)
    assert mix[:10] == sft
    assert Counter(row["k"] for row in mix[10:]) == {0: 3, 1: 3}


def test_cumulative_rows_keep_the_newest_selection_of_a_task() -> None:
    first = [{"task_id": "a", "completion": "a1"}, {"task_id": "b", "completion": "b1"}]
    second = [{"task_id": "b", "completion": "b2"}, {"task_id": "c", "completion": "c2"}]
    rows = cumulative_rows([first, second])
    assert sorted(r["completion"] for r in rows) == ["a1", "b2", "c2"]


def _round_rows(trainer: FakeTrainer, round: int) -> list[dict[str, object]]:
    return [r for req in trainer.requests if req.round == round for r in req.rows]


@pytest.mark.parametrize("cumulative", [False, True])
def test_cumulative_selections_train_each_round_on_every_round_so_far(
    tmp_path: Path, cumulative: bool
) -> None:
    # 10 tasks, 5 a round: the two rounds see different tasks.
    settings = small_settings(rounds=2, retrain_from_base=True, cumulative_selections=cumulative)
    trainer = FakeTrainer()
    with open_store(tmp_path, settings) as store:
        run_rft(
            settings, store=store, run_dir=tmp_path, sft_rows=SFT_ROWS, tasks=make_tasks(10),
            generator_factory=Factory(ScriptedGenerator()), reward=good_code_reward,
            trainer=trainer,
        )  # fmt: skip
        by_round = {k: {s.task_id for s in store.selections(k, kept_only=True)} for k in (1, 2)}
    assert len(by_round[1]) == len(by_round[2]) == 5 and not by_round[1] & by_round[2]
    trained = {r["task_id"] for r in _round_rows(trainer, 2) if "task_id" in r}
    assert trained == (by_round[1] | by_round[2] if cumulative else by_round[2])
    assert {r["task_id"] for r in _round_rows(trainer, 1) if "task_id" in r} == by_round[1]


def test_skip_solved_keeps_no_task_that_every_candidate_solves(tmp_path: Path) -> None:
    settings = small_settings(rounds=1, skip_solved=True)
    trainer = FakeTrainer()

    def first_task_always_solved(task: str, code: str) -> tuple[float, dict[str, object]]:
        if "number 0 " in task:
            return 0.95, {}
        return good_code_reward(task, code)

    with open_store(tmp_path, settings) as store:
        result = run_rft(
            settings, store=store, run_dir=tmp_path, sft_rows=SFT_ROWS, tasks=make_tasks(3),
            generator_factory=Factory(ScriptedGenerator()), reward=first_task_always_solved,
            trainer=trainer,
        )  # fmt: skip
        reasons = {s.task_id: s.reason for s in store.selections(1)}
    assert reasons == {"t00": "solved", "t01": "kept", "t02": "kept"}
    assert result.rounds[0].selection["solved"] == 1
    assert {r["task_id"] for r in _round_rows(trainer, 1) if "task_id" in r} == {"t01", "t02"}


class HardAtLowTemperature(ScriptedGenerator):
    """Task 1 gets only broken code below temperature 1.5 (a task the model rarely solves)."""

    def generate(self, conversations, n=None, sampling=None):  # type: ignore[no-untyped-def]
        rows = super().generate(conversations, n, sampling)
        if sampling is not None and sampling.temperature < 1.5:
            for prompt, row in zip(self.calls[-1].prompts, rows, strict=True):
                if "number 1 " in prompt:
                    for k, completion in enumerate(row):
                        row[k] = replace(completion, text=BROKEN)
        return rows


def _run_adaptive(run_dir: Path, generator: ScriptedGenerator, **rft: object) -> RFTResult:
    settings = small_settings(rounds=1, **rft)
    with open_store(run_dir, settings) as store:
        return run_rft(
            settings, store=store, run_dir=run_dir, sft_rows=SFT_ROWS, tasks=make_tasks(3),
            generator_factory=Factory(generator), reward=good_code_reward, trainer=FakeTrainer(),
        )  # fmt: skip


def test_unsolved_samples_sample_again_only_the_tasks_nothing_could_be_kept_for(
    tmp_path: Path,
) -> None:
    generator = HardAtLowTemperature()
    result = _run_adaptive(tmp_path, generator, unsolved_samples=12, unsolved_temperature=1.5)
    first, extra = generator.calls[0], generator.calls[-1]
    assert len(generator.calls) == 2 and first.n == 4
    assert extra.prompts == [make_tasks(3)[1].prompt] and extra.n == 8
    with RunStore.in_dir(tmp_path) as store:
        counts = {t: len(store.candidates(1, t)) for t in ("t00", "t01", "t02")}
        reasons = {s.task_id: s.reason for s in store.selections(1)}
        kept = store.candidate(next(s.candidate_id for s in store.selections(1, kept_only=True)
                                    if s.task_id == "t01") or 0)  # fmt: skip
    assert counts == {"t00": 4, "t01": 12, "t02": 4}
    assert reasons == {"t00": "kept", "t01": "kept", "t02": "kept"}
    assert kept is not None and kept.index >= 4
    unsolved = result.rounds[0].candidates["unsolved"]
    assert unsolved["tasks"] == 1 and unsolved["now_keepable"] == 1
    assert unsolved["temperature"] == 1.5

    # Resumed: every extra sample is stored, so nothing is sampled again.
    again = HardAtLowTemperature()
    _run_adaptive(tmp_path, again, unsolved_samples=12, unsolved_temperature=1.5)
    assert again.calls == []


def test_without_unsolved_samples_a_task_nothing_could_be_kept_for_stays_unkept(
    tmp_path: Path,
) -> None:
    generator = HardAtLowTemperature()
    result = _run_adaptive(tmp_path, generator)
    assert len(generator.calls) == 1 and "unsolved" not in result.rounds[0].candidates
    with RunStore.in_dir(tmp_path) as store:
        reasons = {s.task_id: s.reason for s in store.selections(1)}
    assert reasons["t01"] == "below-threshold"


def test_round_tasks_rotate_through_a_larger_pool() -> None:
    pool = make_tasks(10)
    first = round_tasks(pool, 4, 1, seed=3)
    second = round_tasks(pool, 4, 2, seed=3)
    assert len(first) == len(second) == 4
    assert not {t.id for t in first} & {t.id for t in second}
    assert round_tasks(pool, 4, 1, seed=3) == first
    assert round_tasks(pool[:3], 4, 1, seed=3) == pool[:3]


SUBPROCESS_RUN = """
import sys
from pathlib import Path
sys.path.insert(0, {tests!r})
from rft_fakes import FakeTrainer, ScriptedGenerator, good_code_reward, make_tasks
from test_rft_loop import SFT_ROWS, small_settings, open_store
from luaurft.rft.loop import run_rft

run_dir = Path({run_dir!r})
settings = small_settings(rounds=1)
generator = ScriptedGenerator(delay={delay}, log_path=run_dir / {log!r})
with open_store(run_dir, settings) as store:
    run_rft(settings, store=store, run_dir=run_dir, sft_rows=SFT_ROWS, tasks=make_tasks(5),
            generator_factory=lambda model: generator, reward=good_code_reward,
            trainer=FakeTrainer(), tasks_per_call=1)
print("finished")
"""


def _start(run_dir: Path, log: str, delay: float) -> subprocess.Popen[str]:
    script = SUBPROCESS_RUN.format(
        tests=str(ROOT / "tests"), run_dir=str(run_dir), delay=delay, log=log
    )
    paths = [str(ROOT / "src"), str(ROOT / "tests"), os.environ.get("PYTHONPATH", "")]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in paths if p)}
    return subprocess.Popen(
        [sys.executable, "-c", script], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True,
    )  # fmt: skip


def _logged_samples(path: Path) -> list[dict[str, object]]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def test_a_killed_process_resumes_and_generates_only_the_missing_candidates(
    tmp_path: Path,
) -> None:
    settings = small_settings(rounds=1)
    proc = _start(tmp_path, "first.jsonl", delay=0.4)
    store_path = tmp_path / "run.sqlite"
    deadline = time.monotonic() + 45
    stored = 0
    try:
        while time.monotonic() < deadline:
            if store_path.exists():
                with open_store(tmp_path, settings) as peek:
                    stored = peek.count_candidates(1)
            if stored >= 8 or proc.poll() is not None:
                break
            time.sleep(0.05)
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL, proc.stderr.read() if proc.stderr else ""
    with open_store(tmp_path, settings) as store:
        before = {(c.task_id, c.index) for c in store.candidates(1)}
        assert store.stage("candidates", 1).status is Status.RUNNING  # type: ignore[union-attr]
    assert 8 <= len(before) < 20

    resumed = _start(tmp_path, "second.jsonl", delay=0.0)
    out, err = resumed.communicate(timeout=60)
    assert resumed.returncode == 0, err
    assert "finished" in out
    second = _logged_samples(tmp_path / "second.jsonl")
    with open_store(tmp_path, settings) as store:
        after = [(c.task_id, c.index) for c in store.candidates(1)]
        assert store.status == "done"
    assert len(after) == len(set(after)) == 20
    # The resumed process asked for exactly the samples that were not stored.
    assert sum(int(c["n"]) * len(c["prompts"]) for c in second) == 20 - len(before)  # type: ignore[call-overload, arg-type]
    # Each task's samples are stored together, so a stored task is never asked for again.
    stored_tasks = {task for task, _ in before}
    asked = {p for call in second for p in call["prompts"]}  # type: ignore[attr-defined]
    prompts = {t.prompt: t.id for t in make_tasks(5)}
    assert {prompts[p] for p in asked}.isdisjoint(stored_tasks)
