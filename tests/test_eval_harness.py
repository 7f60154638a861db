"""`evaluate`: samples, execution, scores, pass@k, intervals, categories, resuming."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from eval_fakes import JudgeGenerator, ScriptedGenerator, reference_answer
from luaurft.eval.harness import (
    EXEC_KEY,
    EvalError,
    EvalSettings,
    eval_config,
    evaluate,
    generator_spec,
    load_summary,
    open_eval_store,
    summarize,
)
from luaurft.eval.metrics import pass_at_k
from luaurft.eval.tasks import Task, builtin_suite

SUITE = builtin_suite().select(
    ids=["leaderstats-basic", "oop-inventory-class", "ui-shop-toggle", "remote-color-validation"]
)


def alternate(task: Task, index: int) -> str:
    """Even samples are the reference, odd ones a stub: every task gets c = n / 2."""
    return task.solution if index % 2 == 0 else "local x = 1"


def run(tmp_path: Path, generator: ScriptedGenerator, settings: EvalSettings, **kw):  # type: ignore[no-untyped-def]
    with open_eval_store(tmp_path, eval_config(generator.name, SUITE, settings)) as store:
        return evaluate(generator, SUITE, store, settings, **kw)


def test_pass_at_k_and_the_reference_table(tmp_path: Path) -> None:
    settings = EvalSettings(samples=4, batch_size=2)
    summary = run(tmp_path, ScriptedGenerator("alt", SUITE, alternate), settings)
    assert summary.ks == (1, 4)
    assert summary.metrics["pass@1"].estimate == pytest.approx(0.5)
    assert summary.metrics["pass@4"].estimate == pytest.approx(1.0)
    assert summary.metrics["checks"].estimate == pytest.approx(0.5)
    for task in summary.tasks.values():
        assert (task.n, task.c) == (4, 2)
    assert summary.pass_curve()[2] == pytest.approx(pass_at_k(4, 2, 2))
    for name in ("syntax", "composite"):
        interval = summary.metrics[name]
        assert 0.0 <= interval.low <= interval.estimate <= interval.high <= 1.0
    assert "judge" not in summary.metrics
    assert set(summary.categories) == {t.category for t in SUITE}
    # Stored: the exec report of every candidate, and the summary as an artifact.
    with open_eval_store(tmp_path, eval_config("alt", SUITE, settings)) as store:
        executed = store.rewards(0, EXEC_KEY)
        assert len(executed) == 16
        assert all("checks" in r.parts for r in executed.values())
        assert store.artifact("summary") is not None
    saved = json.loads((tmp_path / "summary.json").read_text())
    assert saved["metrics"]["pass@1"]["estimate"] == pytest.approx(0.5)


def test_per_task_values_and_categories(tmp_path: Path) -> None:
    def only_modules(task: Task, _index: int) -> str:
        return task.solution if task.kind.value == "ModuleScript" else "-- todo"

    summary = run(tmp_path, ScriptedGenerator("m", SUITE, only_modules), EvalSettings(samples=1))
    assert summary.tasks["oop-inventory-class"].values["pass@1"] == 1.0
    assert summary.tasks["leaderstats-basic"].values["pass@1"] == 0.0
    assert summary.categories["modules-oop"]["pass@1"].estimate == 1.0
    assert summary.categories["ui"]["pass@1"].estimate == 0.0
    assert summary.metrics["pass@1"].estimate == pytest.approx(0.25)


def test_an_interrupted_eval_resumes_without_repeating_work(tmp_path: Path) -> None:
    settings = EvalSettings(samples=2, batch_size=1)
    first = ScriptedGenerator("alt", SUITE, alternate, fail_after=2)
    with pytest.raises(KeyboardInterrupt):
        run(tmp_path, first, settings)
    assert len(first.calls) == 2
    second = ScriptedGenerator("alt", SUITE, alternate)
    summary = run(tmp_path, second, settings)
    # Two tasks were stored before the kill: only the other two are asked for.
    assert sum(c["prompts"] for c in second.calls) == 2
    assert summary.metrics["pass@1"].estimate == pytest.approx(0.5)
    third = ScriptedGenerator("alt", SUITE, alternate)
    again = run(tmp_path, third, settings)
    assert third.calls == []
    assert again.metrics["pass@1"].estimate == summary.metrics["pass@1"].estimate


def test_more_samples_later_continue_the_seed_sequence(tmp_path: Path) -> None:
    run(tmp_path, ScriptedGenerator("alt", SUITE, alternate), EvalSettings(samples=2))
    more = ScriptedGenerator("alt", SUITE, alternate)
    summary = run(tmp_path, more, EvalSettings(samples=4))
    assert {(c["n"], c["seed"]) for c in more.calls} == {(2, 2)}
    assert all((t.n, t.c) == (4, 2) for t in summary.tasks.values())


def test_failed_requests_are_not_stored_and_are_retried(tmp_path: Path) -> None:
    def flaky(task: Task, index: int) -> str | None:
        return None if task.id == "ui-shop-toggle" else task.solution

    summary = run(tmp_path, ScriptedGenerator("flaky", SUITE, flaky), EvalSettings(samples=2))
    assert summary.generation_failures == 2
    assert summary.tasks["ui-shop-toggle"].n == 0
    assert "pass@1" not in summary.tasks["ui-shop-toggle"].values
    fixed = ScriptedGenerator("flaky", SUITE, reference_answer)
    summary = run(tmp_path, fixed, EvalSettings(samples=2))
    assert sum(c["prompts"] for c in fixed.calls) == 1
    assert summary.metrics["pass@1"].estimate == pytest.approx(1.0)


def test_a_judge_adds_its_score_and_the_hybrid_reward(tmp_path: Path) -> None:
    from luaurft.judge import LLMJudge

    judge_model = JudgeGenerator()
    judge = LLMJudge(judge_model, cache=tmp_path / "judge.sqlite")
    summary = run(
        tmp_path / "run", ScriptedGenerator("ref", SUITE, reference_answer),
        EvalSettings(samples=1), judge=judge,
    )  # fmt: skip
    assert judge_model.requests == len(SUITE)
    assert 0.0 < summary.metrics["judge"].estimate <= 1.0
    assert 0.0 < summary.metrics["reward"].estimate <= 1.0


def test_intervals_are_reproducible_with_a_seed(tmp_path: Path) -> None:
    run(tmp_path, ScriptedGenerator("alt", SUITE, alternate), EvalSettings(samples=2))
    a = load_summary(tmp_path, seed=3)
    b = load_summary(tmp_path, seed=3)
    assert a.metrics == b.metrics
    with open_eval_store(tmp_path, eval_config("alt", SUITE, EvalSettings(samples=2))) as store:
        assert summarize(store, seed=3).metrics == a.metrics
    assert not math.isnan(a.metrics["composite"].low)


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("models/base", None, None), "transformers:models/base"),
        (("models/base", "vllm", "out/adapter"), "vllm:models/base+out/adapter"),
        (("models/base", None, "out/adapter"), "transformers:models/base+out/adapter"),
        (
            ("openai:qwen@http://127.0.0.1:8000/v1", None, "sft-lora"),
            "openai:sft-lora@http://127.0.0.1:8000/v1",
        ),
        (("claude-x", "anthropic", None), "anthropic:claude-x"),
    ],
)
def test_generator_specs(args: tuple[str, str | None, str | None], expected: str) -> None:
    model, backend, adapter = args
    assert generator_spec(model, backend=backend, adapter=adapter) == expected


def test_bad_generator_specs() -> None:
    with pytest.raises(EvalError):
        generator_spec("m", backend="tensorflow")
    with pytest.raises(EvalError):
        generator_spec("claude-x", backend="anthropic", adapter="a")
    with pytest.raises(EvalError):
        EvalSettings(samples=0)


class KilledMidBatch(ScriptedGenerator):
    """Reports each completion as it finishes (as the HTTP backends do), and is killed
    after `finished` of them, in the middle of one batch."""

    def __init__(self, finished: int) -> None:
        super().__init__("alt", SUITE, alternate)
        self.finished = finished

    def generate(self, conversations, n=None, sampling=None, *, on_completion=None):  # type: ignore[no-untyped-def]
        rows = super().generate(conversations, n, sampling)
        delivered = 0
        for i, row in enumerate(rows):
            for j, completion in enumerate(row):
                if delivered == self.finished:
                    raise KeyboardInterrupt("simulated kill")
                on_completion(i, j, completion)
                delivered += 1
        return rows


def test_each_sample_is_stored_as_it_completes_not_per_batch(tmp_path: Path) -> None:
    settings = EvalSettings(samples=2, batch_size=16)  # one batch: all 8 samples
    with pytest.raises(KeyboardInterrupt):
        run(tmp_path, KilledMidBatch(finished=5), settings)
    with open_eval_store(tmp_path, eval_config("alt", SUITE, settings)) as store:
        assert store.count_candidates(0) == 5
    resumed = ScriptedGenerator("alt", SUITE, alternate)
    summary = run(tmp_path, resumed, settings)
    # Only the 3 samples that never finished are asked for again.
    assert sum(c["prompts"] * c["n"] for c in resumed.calls) == 3
    assert all((t.n, t.c) == (2, 1) for t in summary.tasks.values())


def test_the_http_generator_reports_each_completion() -> None:
    from luaurft.llm import make_generator
    from luaurft.testing.fake_llm_server import FakeLLMServer

    with FakeLLMServer(lambda r: "print(1)") as server:
        generator = make_generator(f"openai:fake@{server.openai_base_url}")
        seen: list[tuple[int, int]] = []
        rows = generator.generate(  # type: ignore[call-arg]
            ["a", "b"], n=2, on_completion=lambda i, j, c: seen.append((i, j))
        )
    assert sorted(seen) == [(0, 0), (0, 1), (1, 0), (1, 1)]
    assert [len(r) for r in rows] == [2, 2]
