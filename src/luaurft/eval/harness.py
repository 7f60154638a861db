"""`evaluate(generator, suite, store)`: k completions per task, run, scored, summarised.

Stages, each resumable from the `RunStore` (kind "eval", round 0), each a step of
the one sample → store → score pipeline (`luaurft.runs.pipeline`) RFT runs too:

1. **generate**: the samples still missing per task (`missing_candidates`);
   sample i of a task uses seed + i, so a resumed run draws what an
   uninterrupted one would have. A request that failed for good is not
   stored, and the next run asks again.
2. **execute**: every candidate without an `exec` result runs against its
   task's checks; the `CheckReport` is stored as the candidate's `exec`
   reward (1 passed, 0 failed).
3. **score**: every candidate without a `hybrid` reward gets its score card
   (stored), the judge's verdict when a judge is set, and the hybrid reward.

`summarize(store)` then reads only the store: the reference table (mean of
each scorer and the composite, from the stored score cards), the judge score,
execution pass@1 and pass@k (unbiased estimator), the share of checks passed,
each with a 95% bootstrap interval over tasks, and the same per category.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

from luaurft.config import REFERENCE_SYSTEM_PROMPT
from luaurft.errors import LuaurftError
from luaurft.eval.checks import check_many
from luaurft.eval.metrics import Interval, bootstrap_ci, pass_at_k
from luaurft.eval.tasks import CATEGORIES, Task, TaskSuite
from luaurft.runs.pipeline import RewardResult, RunTask, sample_candidates, stored_card
from luaurft.runs.pipeline import score_candidates as score_candidates_of
from luaurft.runs.store import CandidateRow, RewardRow, RunStore, TaskRow

if TYPE_CHECKING:
    from luaurft.judge.judge import LLMJudge

EVAL_ROUND = 0
EXEC_KEY = "exec"
REWARD_KEY = "hybrid"
SUMMARY_ARTIFACT = "summary"
SUMMARY_FILENAME = "summary.json"
SCORERS: tuple[str, ...] = ("syntax", "api", "bug", "quality", "composite")
# Metric names in report order; pass@k names are added per k.
BASE_METRICS: tuple[str, ...] = (*SCORERS, "judge", "reward", "checks")

Progress = Callable[[str, int, int], None]


class EvalError(LuaurftError):
    """An evaluation that cannot run as asked."""


class CompletionLike(Protocol):
    text: str
    finish_reason: str
    error: str | None

    def extract_code(self) -> str: ...


class GeneratorLike(Protocol):
    name: str

    def generate(
        self, conversations: Sequence[Any], n: int | None = None, sampling: Any = None
    ) -> list[list[Any]]: ...


@dataclass(frozen=True)
class EvalSettings:
    """How an evaluation samples. `samples` is k of pass@k (and n of the estimator)."""

    samples: int = 1
    temperature: float = 0.8
    top_p: float = 0.95
    max_new_tokens: int = 2048
    seed: int | None = 0
    system_prompt: str = REFERENCE_SYSTEM_PROMPT
    batch_size: int = 16
    #: Worker processes that run checks and score samples at once (0: one per CPU);
    #: results do not depend on it, so it is not part of `run_config`.
    jobs: int = 1
    #: A Ray address (or "auto"): run checks and score samples as Ray tasks there
    #: (same results, stored in order by this process); not part of `run_config` either.
    ray: str | None = None

    def __post_init__(self) -> None:
        if self.samples < 1:
            raise EvalError("samples must be at least 1")
        if self.batch_size < 1:
            raise EvalError("batch_size must be at least 1")

    def run_config(self) -> dict[str, Any]:
        """What identifies the run (the sample count may grow on resume, so it is left out)."""
        return {
            "temperature": self.temperature,
            "top_p": self.top_p,
            "max_new_tokens": self.max_new_tokens,
            "seed": self.seed,
            "system_prompt": self.system_prompt,
        }


def suite_fingerprint(suite: TaskSuite) -> str:
    digest = hashlib.sha256()
    for task in suite:
        digest.update(task.model_dump_json().encode("utf-8"))
    return digest.hexdigest()[:16]


def eval_config(
    model: str,
    suite: TaskSuite,
    settings: EvalSettings,
    *,
    judge: str | None = None,
    label: str | None = None,
    adapter: str | None = None,
) -> dict[str, Any]:
    """The run config an eval store is opened with (a resumed run must match it)."""
    return {
        "model": model,
        "adapter": adapter,
        "label": label or model,
        "suite": suite.name,
        "suite_fingerprint": suite_fingerprint(suite),
        "sampling": settings.run_config(),
        "judge": judge,
    }


def open_eval_store(run_dir: str | Path, config: Mapping[str, Any]) -> RunStore:
    return RunStore.in_dir(run_dir, kind="eval", config=config)


BACKENDS = ("transformers", "vllm", "openai", "anthropic")


def generator_spec(model: str, *, backend: str | None = None, adapter: str | None = None) -> str:
    """The `make_generator` spec for a model, a backend and an optional adapter.

    `model` may already be a spec ("openai:name@http://host/v1"). Local backends
    take the adapter as `+ADAPTER`; behind an OpenAI-compatible server (vLLM
    serving LoRA adapters by name) the adapter's name is the model to ask for.
    """
    prefix = model.split(":", 1)[0].lower()
    if ":" in model and prefix in BACKENDS:
        if backend is not None and backend != prefix:
            raise EvalError(f"--backend {backend} contradicts the model spec {model!r}")
        backend, model = prefix, model.split(":", 1)[1]
    backend = (backend or "transformers").lower()
    if backend not in BACKENDS:
        raise EvalError(f"unknown backend {backend!r}; use one of {', '.join(BACKENDS)}")
    if adapter:
        if backend in ("transformers", "vllm"):
            return f"{backend}:{model}+{adapter}"
        if backend == "openai":
            _name, at, url = model.partition("@")
            return f"openai:{adapter}{at}{url}"
        raise EvalError(
            "an adapter needs a local backend (transformers, vllm) or an OpenAI-compatible server"
        )
    return f"{backend}:{model}"


# -- stages --------------------------------------------------------------------------


def _sampling(settings: EvalSettings, n: int, first_index: int) -> Any:
    from luaurft.llm.types import SamplingParams

    seed = None if settings.seed is None else settings.seed + first_index
    return SamplingParams(
        n=n,
        temperature=settings.temperature,
        top_p=settings.top_p,
        max_new_tokens=settings.max_new_tokens,
        seed=seed,
    )


def run_tasks(suite: TaskSuite, system_prompt: str | None = None) -> list[RunTask]:
    """The suite's tasks as the pipeline asks and scores them: each task's own
    conversation and program, the script kind scorers get (Roblox kinds only)."""
    return [
        RunTask(_task_row(t), t.conversation(system_prompt), _score_kind(t), t, t.program)
        for t in suite
    ]


def _task_row(task: Task) -> TaskRow:
    return TaskRow(task.id, task.user_prompt(), task.kind.value, "eval", task.meta())


def _score_kind(task: Task) -> str | None:
    return task.kind.value if task.kind.roblox else None


def _stage_progress(progress: Progress | None, stage: str) -> Callable[[int, int], None] | None:
    if progress is None:
        return None
    return lambda done, total: progress(stage, done, total)


def generate_candidates(
    generator: GeneratorLike,
    suite: TaskSuite,
    store: RunStore,
    settings: EvalSettings,
    *,
    progress: Progress | None = None,
) -> dict[str, int]:
    """Generate the missing samples (`luaurft.runs.pipeline.sample_candidates`; sample i
    of a task is seeded seed + i); returns counts (generated, failed)."""
    stats = sample_candidates(
        store, generator, EVAL_ROUND, run_tasks(suite, settings.system_prompt),
        settings.samples,
        sampling=lambda call: _sampling(settings, call.count, call.first_index),
        tasks_per_call=settings.batch_size, progress=_stage_progress(progress, "generate"),
    )  # fmt: skip
    return {"generated": stats.generated, "failed": stats.failed}


class _TaskChecks:
    """The execution "reward": each candidate run against its task's checks, 1 when all
    pass; the `CheckReport` is its parts."""

    key = EXEC_KEY

    def __init__(self, jobs: int, ray: str | None) -> None:
        self.jobs, self.ray = jobs, ray

    def score_batch(
        self,
        items: Sequence[tuple[str, str]],
        kinds: Sequence[str | None] | None = None,
        *,
        tasks: Sequence[Task] | None = None,
    ) -> Iterator[RewardResult]:
        if tasks is None:
            raise EvalError("running checks needs each candidate's task")
        pairs = [(task, code) for task, (_prompt, code) in zip(tasks, items, strict=True)]
        # Looked up when called, so a test can count the runs.
        for report in check_many(pairs, jobs=self.jobs, ray=self.ray):
            yield RewardResult(1.0 if report.passed else 0.0, report.to_dict())


def execute_candidates(
    suite: TaskSuite,
    store: RunStore,
    *,
    progress: Progress | None = None,
    jobs: int = 1,
    ray: str | None = None,
) -> int:
    """Run every candidate that has no execution result yet; returns how many ran.

    Each run is isolated in a worker process (`check_solution`); `jobs` runs that
    many at once, or Ray tasks on the cluster at `ray` do. Results are stored in order,
    each as soon as it and those before it are in, so a killed eval resumes after the
    last stored one."""
    stats = score_candidates_of(
        store, EVAL_ROUND, _TaskChecks(jobs, ray), run_tasks(suite), batch_size=None,
        cards=False, progress=_stage_progress(progress, "execute"),
    )  # fmt: skip
    return stats.scored


class _HybridScores:
    """The hybrid reward as an evaluation stores it: the value, the judge's part (None
    when it was not asked or failed, 0 for text addressed to it), the blend. The
    per-scorer scores are the candidate's stored score card."""

    key = REWARD_KEY

    def __init__(self, judge: LLMJudge | None, jobs: int, ray: str | None) -> None:
        from luaurft.reward import HybridReward

        self.reward = HybridReward(judge=judge, extract=False, jobs=jobs, ray=ray)
        self.judge = judge
        self.judge_key = f"{judge.model}@{judge.prompt_version}" if judge is not None else None

    def score_batch(
        self, items: Sequence[tuple[str, str]], kinds: Sequence[str | None] | None = None
    ) -> list[RewardResult]:
        results = []
        for result in self.reward.score_many(items, kinds=kinds):
            judge_part: float | None = None
            failed = result.judgment is not None and not result.judgment.ok
            if result.judgment is not None and self.judge is not None:
                judge_part = result.judgment.overall if result.judgment.ok else None
            elif result.hacks and self.judge is not None:
                judge_part = 0.0
            parts = {
                "judge": judge_part,
                "judge_error": result.judgment.error if failed and result.judgment else None,
                "blend": result.blend,
                "hacks": len(result.hacks),
                "compiles": result.card.compiles,
            }
            results.append(RewardResult(result.value, parts, result.card, result.judgment))
        return results


def score_candidates(
    suite: TaskSuite,
    store: RunStore,
    *,
    judge: LLMJudge | None = None,
    batch_size: int = 32,
    progress: Progress | None = None,
    jobs: int = 1,
    ray: str | None = None,
) -> int:
    """Score card, judgment and hybrid reward for every candidate that lacks them."""
    stats = score_candidates_of(
        store, EVAL_ROUND, _HybridScores(judge, jobs, ray), run_tasks(suite),
        batch_size=batch_size, progress=_stage_progress(progress, "score"),
    )  # fmt: skip
    return stats.scored


def evaluate(
    generator: GeneratorLike,
    suite: TaskSuite,
    store: RunStore,
    settings: EvalSettings | None = None,
    *,
    judge: LLMJudge | None = None,
    progress: Progress | None = None,
    seed: int = 0,
) -> EvalSummary:
    """Evaluate `generator` on `suite`, storing everything in `store` (resumable)."""
    settings = settings or EvalSettings()
    if len(suite) == 0:
        raise EvalError(f"the suite {suite.name} has no tasks")
    store.add_tasks(_task_row(t) for t in suite)
    store.set_meta("samples", max(settings.samples, int(store.get_meta("samples", 0) or 0)))
    with store.running_stage("generate"):
        counts = generate_candidates(generator, suite, store, settings, progress=progress)
    with store.running_stage("execute"):
        execute_candidates(suite, store, progress=progress, jobs=settings.jobs, ray=settings.ray)
    with store.running_stage("score"):
        score_candidates(
            suite, store, judge=judge, progress=progress, jobs=settings.jobs, ray=settings.ray
        )
    summary = summarize(store, samples=settings.samples, seed=seed, suite=suite)
    summary.generation_failures = counts["failed"]
    path = store.path.parent / SUMMARY_FILENAME
    path.write_text(json.dumps(summary.to_dict(), indent=2, sort_keys=True), encoding="utf-8")
    store.add_artifact(SUMMARY_ARTIFACT, path, kind="summary")
    return summary


# -- summary -------------------------------------------------------------------------


@dataclass
class TaskResult:
    """One task's samples: pass counts and per-metric values (mean over samples)."""

    id: str
    category: str
    difficulty: str
    n: int
    c: int
    values: dict[str, float] = field(default_factory=dict)
    sample_composites: list[float] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "category": self.category,
            "difficulty": self.difficulty,
            "n": self.n,
            "c": self.c,
            "values": self.values,
            "sample_composites": self.sample_composites,
        }

    @classmethod
    def from_dict(cls, task_id: str, data: Mapping[str, Any]) -> TaskResult:
        return cls(
            task_id,
            str(data.get("category", "general")),
            str(data.get("difficulty", "")),
            int(data["n"]),
            int(data["c"]),
            {k: float(v) for k, v in (data.get("values") or {}).items()},
            [float(x) for x in data.get("sample_composites") or []],
        )


@dataclass
class EvalSummary:
    """An evaluation's results: metrics with intervals, overall and per category."""

    label: str
    model: str
    suite: str
    samples: int
    ks: tuple[int, ...]
    metrics: dict[str, Interval]
    categories: dict[str, dict[str, Interval]]
    tasks: dict[str, TaskResult]
    judge: str | None = None
    adapter: str | None = None
    generation_failures: int = 0
    run_dir: str | None = None

    @property
    def metric_names(self) -> list[str]:
        return list(self.metrics)

    def pass_curve(self) -> dict[int, float]:
        """Mean pass@k over tasks for every k up to the smallest sample count."""
        ns = [t.n for t in self.tasks.values() if t.n > 0]
        if not ns:
            return {}
        top = min(ns)
        return {
            k: float(np.mean([pass_at_k(t.n, t.c, k) for t in self.tasks.values() if t.n >= k]))
            for k in range(1, top + 1)
        }

    def to_dict(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "model": self.model,
            "adapter": self.adapter,
            "suite": self.suite,
            "samples": self.samples,
            "ks": list(self.ks),
            "judge": self.judge,
            "generation_failures": self.generation_failures,
            "metrics": {k: _interval_dict(v) for k, v in self.metrics.items()},
            "categories": {
                c: {k: _interval_dict(v) for k, v in m.items()} for c, m in self.categories.items()
            },
            "tasks": {t: r.to_dict() for t, r in self.tasks.items()},
            "pass_curve": {str(k): v for k, v in self.pass_curve().items()},
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], *, run_dir: str | None = None) -> EvalSummary:
        return cls(
            label=str(data.get("label") or data.get("model") or "model"),
            model=str(data.get("model") or ""),
            suite=str(data.get("suite") or ""),
            samples=int(data.get("samples") or 0),
            ks=tuple(int(k) for k in data.get("ks") or ()),
            metrics={k: _interval(v) for k, v in (data.get("metrics") or {}).items()},
            categories={
                c: {k: _interval(v) for k, v in m.items()}
                for c, m in (data.get("categories") or {}).items()
            },
            tasks={t: TaskResult.from_dict(t, r) for t, r in (data.get("tasks") or {}).items()},
            judge=data.get("judge"),
            adapter=data.get("adapter"),
            generation_failures=int(data.get("generation_failures") or 0),
            run_dir=run_dir,
        )


def _interval_dict(value: Interval) -> dict[str, float | None]:
    return {k: (None if math.isnan(v) else round(v, 6)) for k, v in value.to_dict().items()}


def _interval(data: Mapping[str, Any]) -> Interval:
    def num(key: str) -> float:
        v = data.get(key)
        return float("nan") if v is None else float(v)

    return Interval(num("estimate"), num("low"), num("high"))


def pass_metric(k: int) -> str:
    return f"pass@{k}"


def default_ks(samples: int) -> tuple[int, ...]:
    ks = [k for k in (1, 5, 10, 100) if k <= samples]
    if samples not in ks:
        ks.append(samples)
    return tuple(sorted(set(ks)))


def _metric_values(results: Sequence[TaskResult], metric: str) -> list[float]:
    return [r.values[metric] for r in results if metric in r.values]


def category_intervals(
    results: Sequence[TaskResult], names: Sequence[str], seed: int
) -> dict[str, dict[str, Interval]]:
    """Each metric's interval per task category, categories in the suite's order."""
    by_category: dict[str, list[TaskResult]] = defaultdict(list)
    for result in results:
        by_category[result.category].append(result)
    order = {c: i for i, c in enumerate(CATEGORIES)}
    return {
        cat: _intervals(by_category[cat], names, seed)
        for cat in sorted(by_category, key=lambda c: (order.get(c, 99), c))
    }


def _intervals(
    results: Sequence[TaskResult], names: Sequence[str], seed: int
) -> dict[str, Interval]:
    out: dict[str, Interval] = {}
    for name in names:
        values = _metric_values(results, name)
        if values:
            out[name] = bootstrap_ci(values, seed=seed)
    return out


def summarize(
    store: RunStore,
    *,
    samples: int | None = None,
    ks: Sequence[int] | None = None,
    seed: int = 0,
    suite: TaskSuite | None = None,
) -> EvalSummary:
    """Read an eval run's store and compute its metrics (see module docstring)."""
    config = store.config
    samples = samples or int(store.get_meta("samples", 0) or 0) or 1
    ks = tuple(ks) if ks is not None else default_ks(samples)
    tasks = {t.id: t for t in store.tasks()}
    if suite is not None:
        tasks = {t: row for t, row in tasks.items() if t in suite}
    executed = store.rewards(EVAL_ROUND, EXEC_KEY)
    scored = store.rewards(EVAL_ROUND, REWARD_KEY)
    per_task: dict[str, list[tuple[Any, Any]]] = defaultdict(list)
    for cand in store.candidates(round=EVAL_ROUND):
        if cand.task_id in tasks and cand.index < samples:
            reward = scored.get(cand.id)
            scores = None if reward is None else _card_scores(store, cand, reward)
            per_task[cand.task_id].append((executed.get(cand.id), (reward, scores)))
    results: dict[str, TaskResult] = {}
    for task_id, row in tasks.items():
        runs = per_task.get(task_id, [])
        exec_runs = [e for e, _ in runs if e is not None]
        n = len(exec_runs)
        c = sum(1 for e in exec_runs if (e.value or 0.0) >= 1.0)
        values: dict[str, float] = {}
        if n:
            for k in ks:
                if n >= k:
                    values[pass_metric(k)] = pass_at_k(n, c, k)
            shares = [
                e.parts.get("passed_checks", 0) / max(1, int(e.parts.get("expected", 0) or 0))
                for e in exec_runs
            ]
            values["checks"] = float(np.mean(shares))
        cards = [scores for _, (reward, scores) in runs if reward is not None]
        composites: list[float] = []
        if cards:
            for scorer in SCORERS:
                got = [float(c[scorer]) for c in cards if c.get(scorer) is not None]
                if got:
                    values[scorer] = float(np.mean(got))
            composites = [float(c["composite"]) for c in cards if c.get("composite") is not None]
            hybrid = [reward for _, (reward, _scores) in runs if reward is not None]
            judged = [float(s.parts["judge"]) for s in hybrid if s.parts.get("judge") is not None]
            if judged:
                values["judge"] = float(np.mean(judged))
                rewards = [float(s.value) for s in hybrid if s.value is not None]
                if rewards:
                    values["reward"] = float(np.mean(rewards))
        meta = row.meta or {}
        results[task_id] = TaskResult(
            id=task_id,
            category=str(meta.get("category", "general")),
            difficulty=str(meta.get("difficulty", "")),
            n=n,
            c=c,
            values=values,
            sample_composites=composites,
        )
    names = [*BASE_METRICS, *(pass_metric(k) for k in ks)]
    ordered = list(results.values())
    metrics = _intervals(ordered, names, seed)
    categories = category_intervals(ordered, names, seed)
    return EvalSummary(
        label=str(config.get("label") or config.get("model") or store.run_id),
        model=str(config.get("model") or ""),
        suite=str(config.get("suite") or (suite.name if suite else "")),
        samples=samples,
        ks=ks,
        metrics=metrics,
        categories=categories,
        tasks=results,
        judge=config.get("judge"),
        adapter=config.get("adapter"),
        run_dir=str(store.path.parent),
    )


def _card_scores(store: RunStore, candidate: CandidateRow, reward: RewardRow) -> dict[str, Any]:
    """A scored candidate's per-scorer scores and composite: its stored score card's
    (runs stored before reward rows named their card kept a copy in the row)."""
    card = stored_card(store, candidate, reward)
    if card is not None:
        return dict(card.get("scores") or {})
    return dict(reward.parts.get("scores") or {})


def load_summary(run: str | Path, *, seed: int = 0) -> EvalSummary:
    """The summary of a run: a run folder (its store is re-read) or a summary JSON file."""
    path = Path(run)
    if path.is_file() and path.suffix == ".json":
        return EvalSummary.from_dict(json.loads(path.read_text(encoding="utf-8")))
    from luaurft.runs.store import STORE_FILENAME

    store_path = path / STORE_FILENAME if path.is_dir() else path
    if not store_path.exists():
        raise EvalError(f"{run}: not an eval run folder (no {STORE_FILENAME}) or summary JSON")
    with RunStore(store_path, kind="eval", on_config_change="ignore") as store:
        return summarize(store, seed=seed)


__all__ = [
    "EVAL_ROUND",
    "EXEC_KEY",
    "REWARD_KEY",
    "SCORERS",
    "EvalError",
    "EvalSettings",
    "EvalSummary",
    "TaskResult",
    "default_ks",
    "eval_config",
    "evaluate",
    "execute_candidates",
    "generate_candidates",
    "generator_spec",
    "load_summary",
    "open_eval_store",
    "pass_metric",
    "score_candidates",
    "summarize",
]
