"""`HybridReward`: the deterministic scorers and the LLM judge, blended.

    value = Σ w_c · s_c / Σ w_c      over the components c that have a score

Components and reference weights: syntax 0.1, api 0.1, bug 0.1, quality 0.1,
judge 0.6 (DESIGN.md); `exec` (the execution scorer) joins when given a weight.
Weights come from `RewardConfig` (or `Settings.reward.weights`).

- **Task-aware: `checks`.** A reward is given the task (`luaurft.eval.tasks.Task`),
  not just its prompt. When the task has checks and `checks` has a weight, the
  candidate is run as the task's solution in the mock world and the share of
  the task's checks it passes is the `checks` component: verifiable "does it do
  what was asked". A task without checks (or no task) drops the component and
  renormalises the rest, so the reference blend stays what it was. With
  `require_checks`, a candidate that fails any of its task's checks is *barred*
  (`Reward.barred`): its value is kept for logging, but selection never keeps it.
  The reward sits below `eval/`, so it is given the means to run checks
  (`checks=`, `luaurft.eval.checks.TASK_CHECKS`) rather than importing them.

- **Deterministic-only blend.** With the judge off, or when its judgment
  failed, the judge's weight is dropped and the others are renormalised: with
  the reference weights that is 0.25 each for syntax, api, bug and quality,
  the deterministic composite. A scorer that is not built (score None) is
  dropped the same way. `judge_failure="none"` instead makes a failed
  judgment give no reward at all (None: TRL then ignores the sample).
- **Gates.** The deterministic scores are gated by the code's substance
  exactly as in the composite (`luaurft.scoring.substance.gated_scores`: empty,
  trivial or stub code scores low even with "no findings"), and code the Luau compiler rejects never gets more than its
  syntax score, whatever the judge thought of it.
- **Text addressed to the evaluator** (`luaurft.judge.injection`) is a hack:
  the judge is not asked and its part is 0 with its weight kept (even when
  the judge is off), the deterministic scorers see the code with those
  comments removed, and the whole value is multiplied by `hack_factor`. So
  adding such a comment never raises the reward over the same code without it.

It is also a TRL reward function: `reward(prompts, completions, **columns)`
returns one float per completion; completions may be strings or chat
messages, the task is the `task` column when the dataset has one, otherwise
the prompt's last user turn; the `task_spec` column (`task_column(task)`, the
task as JSON, read back by `checks.task`) gives the task itself, whose checks
make the `checks` component.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, Protocol

from pydantic import BaseModel, ConfigDict, Field, field_validator

from luaurft.errors import ConfigError
from luaurft.judge.injection import (
    EvaluatorAddress,
    find_evaluator_address,
    strip_evaluator_address,
)
from luaurft.judge.judge import Judgment, LLMJudge
from luaurft.llm.completion import extract_code
from luaurft.luau.executor import WorkerFailure, set_workers, shared_executor, worker_count
from luaurft.scoring import SCORE_JOB_SECONDS, score_job, score_source, takes_keyword
from luaurft.scoring.card import ScoreCard
from luaurft.scoring.substance import gated_scores

if TYPE_CHECKING:
    from luaurft.config import Settings

DETERMINISTIC_COMPONENTS = ("syntax", "api", "bug", "quality", "exec")
COMPONENTS = (*DETERMINISTIC_COMPONENTS, "checks", "judge")
# The TRL dataset column that carries a row's task (`task_column(task)`: the task as JSON).
TASK_SPEC_COLUMN = "task_spec"

REFERENCE_WEIGHTS: dict[str, float] = {
    "syntax": 0.1,
    "api": 0.1,
    "bug": 0.1,
    "quality": 0.1,
    "judge": 0.6,
}


class Task(Protocol):
    """A task as the reward sees it (`luaurft.eval.tasks.Task`): its checks, and itself
    as JSON for the TRL column."""

    @property
    def checks(self) -> Sequence[Any]: ...

    def model_dump_json(self) -> str: ...


class CheckReport(Protocol):
    """One solution's outcome on its task's checks (`luaurft.eval.checks.CheckReport`)."""

    @property
    def passed(self) -> bool: ...

    @property
    def passed_count(self) -> int: ...

    @property
    def expected(self) -> int: ...

    @property
    def status(self) -> str: ...


class TaskChecks(Protocol):
    """How the reward runs tasks' checks and reads a task from a TRL column: given by
    the layer that owns tasks (`luaurft.eval.checks.TASK_CHECKS`), since the reward sits
    below it and must not import it."""

    def run(self, pairs: Sequence[tuple[Any, str]], *, jobs: int) -> Iterable[CheckReport]:
        """Each (task, solution) pair's report, in order."""
        ...

    def task(self, value: Any) -> Any:
        """A task from a column value (the task, its dict, or its JSON)."""
        ...


class RewardConfig(BaseModel):
    """Weights, thresholds and policies of the hybrid reward (reference defaults)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    weights: dict[str, float] = Field(default_factory=lambda: dict(REFERENCE_WEIGHTS))
    keep_threshold: float = Field(
        default=0.70,
        ge=0.0,
        le=1.0,
        description="RFT keeps a task's best candidate at or above this.",
    )
    rewrite_threshold: float = Field(
        default=0.85,
        ge=0.0,
        le=1.0,
        description="The agent rewrites code whose score is below this.",
    )
    hack_factor: float = Field(
        default=0.5,
        ge=0.0,
        le=1.0,
        description="Multiplier on the value when the code addresses the evaluator.",
    )
    judge_failure: Literal["deterministic", "none"] = "deterministic"
    require_checks: bool = Field(
        default=False,
        description="Bar from selection a candidate that fails any of its task's checks "
        "(tasks without checks are never barred).",
    )

    @field_validator("weights")
    @classmethod
    def _known_non_negative(cls, value: dict[str, float]) -> dict[str, float]:
        unknown = sorted(set(value) - set(COMPONENTS))
        if unknown:
            raise ValueError(f"unknown reward components {unknown}; known: {list(COMPONENTS)}")
        if any(w < 0 for w in value.values()) or not any(w > 0 for w in value.values()):
            raise ValueError("reward weights must be >= 0 with at least one > 0")
        return value

    @classmethod
    def from_settings(cls, settings: Settings, **overrides: Any) -> RewardConfig:
        """Weights from `settings.reward`, thresholds from `settings.rft` and `settings.agent`."""
        return cls(
            weights=dict(settings.reward.weights),
            keep_threshold=settings.rft.keep_threshold,
            rewrite_threshold=settings.agent.rewrite_threshold,
            **{"require_checks": settings.reward.require_checks, **overrides},
        )

    @property
    def uses_judge(self) -> bool:
        return self.weights.get("judge", 0.0) > 0

    @property
    def uses_exec(self) -> bool:
        return self.weights.get("exec", 0.0) > 0

    @property
    def uses_checks(self) -> bool:
        """Whether tasks' checks are run: `checks` has a weight, or they bar candidates."""
        return self.weights.get("checks", 0.0) > 0 or self.require_checks


@dataclass(frozen=True)
class Reward:
    """The blended value and everything it was made of."""

    value: float | None
    parts: dict[str, float | None]
    weights: dict[str, float]
    blend: Literal["hybrid", "deterministic", "none"]
    card: ScoreCard
    judgment: Judgment | None = None
    hacks: tuple[EvaluatorAddress, ...] = ()
    gates: dict[str, float] = field(default_factory=dict)
    notes: tuple[str, ...] = ()
    keep_threshold: float = 0.70
    rewrite_threshold: float = 0.85
    #: Failed a check of its task while the config requires them all: never selected.
    barred: bool = False
    #: The task's checks: {"passed": n, "expected": m, "status": ...}; None: not run.
    checks: dict[str, Any] | None = None

    @property
    def keep(self) -> bool:
        """At or above the RFT keep threshold, and not barred."""
        return self.value is not None and self.value >= self.keep_threshold and not self.barred

    @property
    def needs_rewrite(self) -> bool:
        """Below the agent's rewrite threshold."""
        return self.value is None or self.value < self.rewrite_threshold

    def to_dict(self) -> dict[str, Any]:
        return {
            "value": self.value,
            "blend": self.blend,
            "parts": self.parts,
            "weights": self.weights,
            "gates": self.gates,
            "keep": self.keep,
            "barred": self.barred,
            "checks": self.checks,
            "needs_rewrite": self.needs_rewrite,
            "evaluator_address": [h.to_dict() for h in self.hacks],
            "judgment": self.judgment.to_dict() if self.judgment else None,
            "notes": list(self.notes),
            "compiles": self.card.compiles,
        }


Scorer = Callable[..., ScoreCard]


def completion_text(completion: Any) -> str:
    """The text of a TRL completion: a string, or a list of chat messages."""
    if isinstance(completion, str):
        return completion
    if isinstance(completion, dict):
        return str(completion.get("content", ""))
    if isinstance(completion, Sequence):
        parts = [m for m in completion if isinstance(m, dict)]
        assistant = [m for m in parts if m.get("role", "assistant") == "assistant"]
        return "".join(str(m.get("content", "")) for m in (assistant or parts))
    return str(completion)


def prompt_task(prompt: Any) -> str:
    """The task in a TRL prompt: the string, or the last user message's content."""
    if isinstance(prompt, str):
        return prompt
    if isinstance(prompt, Sequence):
        users = [m for m in prompt if isinstance(m, dict) and m.get("role") == "user"]
        if users:
            return str(users[-1].get("content", ""))
    return str(prompt)


def task_column(task: Task) -> str:
    """A task as the value of the TRL dataset column `task_spec` (JSON)."""
    return task.model_dump_json()


def _task_of(value: Any, checks: TaskChecks, cache: dict[str, Task]) -> Task | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        return checks.task(value)
    if value not in cache:
        cache[value] = checks.task(value)
    return cache[value]


class HybridReward:
    """The hybrid reward (see module docstring).

    `judge`: an `LLMJudge`, or None to run deterministic-only. `scorer`: the
    function that makes a `ScoreCard` (`luaurft.scoring.score_source`).
    `extract`: take the code out of fences and chatter first (on for model
    output; pass False to score text exactly as given). `checks`: how tasks'
    checks are run (`luaurft.eval.checks.TASK_CHECKS`); needed when the config
    uses them.
    """

    def __init__(
        self,
        config: RewardConfig | None = None,
        *,
        judge: LLMJudge | None = None,
        scorer: Scorer = score_source,
        extract: bool = True,
        jobs: int = 1,
        ray: str | None = None,
        checks: TaskChecks | None = None,
    ) -> None:
        self.config = config or RewardConfig()
        if self.config.uses_checks and checks is None:
            raise ConfigError(
                "this reward scores tasks' checks (a 'checks' weight or require_checks): "
                "give it checks=luaurft.eval.checks.TASK_CHECKS"
            )
        self.checks = checks
        self.judge = judge if self.config.uses_judge else None
        self.scorer = scorer
        self.extract = extract
        #: Worker processes that score (and run) a batch's candidates; 0: one per CPU.
        self.jobs = jobs
        #: A Ray address (or "auto"): score a batch as Ray tasks there instead (same cards).
        self.ray = ray
        self._scorer_takes_exec = takes_keyword(scorer, "exec")
        self.last: list[Reward] = []
        # TRL names a reward function's logged metrics after it.
        self.__name__ = "hybrid_reward"

    # -- scoring -------------------------------------------------------------------

    def _cards(self, codes: Sequence[str], kinds: Sequence[str | None]) -> list[ScoreCard | None]:
        """Cards computed ahead in worker processes when `jobs` allows it (None where
        a card is left for `_card` to compute here: one job, or a failed worker)."""
        workers = worker_count(self.jobs, len(codes))
        if self.scorer is not score_source or (workers <= 1 and self.ray is None):
            return [None] * len(codes)
        exec = self.config.uses_exec
        jobs = [(code, kind, None, exec) for code, kind in zip(codes, kinds, strict=True)]
        cards: Iterable[ScoreCard | WorkerFailure]
        if self.ray is not None:
            from luaurft.luau.cluster import ray_map

            cards = ray_map(score_job, jobs, address=self.ray, wall_seconds=SCORE_JOB_SECONDS)
        else:
            set_workers(workers)
            cards = shared_executor().map(score_job, jobs, wall_seconds=SCORE_JOB_SECONDS)
        return [None if isinstance(card, WorkerFailure) else card for card in cards]

    def _card(
        self, code: str, kind: str | None, ready: ScoreCard | None = None
    ) -> tuple[ScoreCard, list[str]]:
        notes: list[str] = []
        if self.config.uses_exec:
            if self._scorer_takes_exec:
                card = ready or self.scorer(code, kind=kind, exec=True)
                if card.extra.get("exec_not_run") and not _needs_package(card):
                    notes.append(f"exec: not run ({card.extra['exec_not_run']}); dropped")
                return card, notes
            notes.append("exec: the scorer cannot run code yet; component dropped")
        return ready or self.scorer(code, kind=kind), notes

    def _check_reports(
        self, codes: Sequence[str], tasks: Sequence[Task | None]
    ) -> list[CheckReport | None]:
        """Each code run as its task's solution (None: no task, or checks not used)."""
        todo = [i for i, t in enumerate(tasks) if t is not None and t.checks]
        reports: list[CheckReport | None] = [None] * len(codes)
        if not self.config.uses_checks or not todo or self.checks is None:
            return reports
        pairs = [(tasks[i], codes[i]) for i in todo]
        for i, report in zip(todo, self.checks.run(pairs, jobs=self.jobs), strict=True):
            reports[i] = report
        return reports

    def score(
        self, task: str, code: str, *, kind: str | None = None, spec: Task | None = None
    ) -> Reward:
        return self.score_many([(task, code)], kinds=[kind], tasks=[spec])[0]

    def score_many(
        self,
        items: Sequence[tuple[str, str]],
        *,
        kinds: Sequence[str | None] | None = None,
        tasks: Sequence[Task | None] | None = None,
        extract: bool | None = None,
    ) -> list[Reward]:
        """A `Reward` per (task, text) pair; the judge sees them as one batch.

        `tasks`: each pair's `Task` where known (its checks make the `checks`
        component). `extract`: overrides the reward's own `extract` (False: the
        text is code already extracted, scored exactly as given).

        Errors from the judge that retrying cannot fix (a rejected key, an unknown
        model, a spent budget) propagate: a reward silently without its judge would
        change meaning mid-run.
        """
        kinds = list(kinds) if kinds is not None else [None] * len(items)
        specs = list(tasks) if tasks is not None else [None] * len(items)
        if len(specs) != len(items):
            raise ValueError(f"{len(specs)} tasks for {len(items)} items")
        strip = self.extract if extract is None else extract
        codes = [extract_code(text).code if strip else text for _, text in items]
        hacks = [tuple(find_evaluator_address(code)) for code in codes]
        judgments: list[Judgment | None] = [None] * len(items)
        if self.judge is not None:
            asked = [i for i in range(len(items)) if not hacks[i]]
            made = self.judge.judge_many([(items[i][0], codes[i]) for i in asked])
            for i, judgment in zip(asked, made, strict=True):
                judgments[i] = judgment
        scored = [
            strip_evaluator_address(code, list(found)) if found else code
            for code, found in zip(codes, hacks, strict=True)
        ]
        ready = self._cards(scored, kinds)
        # The checks run the code as the candidate wrote it: what is trained on.
        reports = self._check_reports(codes, specs)
        rewards = [
            self._blend(codes[i], kinds[i], hacks[i], judgments[i], ready[i], reports[i])
            for i in range(len(items))
        ]
        self.last = rewards
        return rewards

    def _blend(
        self,
        code: str,
        kind: str | None,
        hacks: tuple[EvaluatorAddress, ...],
        judgment: Judgment | None,
        ready: ScoreCard | None = None,
        report: CheckReport | None = None,
    ) -> Reward:
        config = self.config
        scored_code = strip_evaluator_address(code, list(hacks)) if hacks else code
        card, notes = self._card(scored_code, kind, ready)
        parts: dict[str, float | None] = {}
        for name in DETERMINISTIC_COMPONENTS:
            if config.weights.get(name, 0.0) > 0:
                score = card.scores.get(name)
                parts[name] = None if score is None else float(score)
                if score is None and not any(n.startswith(f"{name}:") for n in notes):
                    notes.append(f"{name}: no score (scorer not built); dropped from the blend")
        if "exec" in parts and parts["exec"] is None and _needs_package(card):
            # The task's world has no such package: as a candidate the code cannot run
            # there, and dropping the component would let a made-up require skip it.
            parts["exec"] = 0.0
            notes.append(f"exec: 0 ({card.extra['exec_not_run']} for this task)")
        det = {n: config.weights[n] for n, v in parts.items() if v is not None}
        checks_weight = config.weights.get("checks", 0.0)
        checks: dict[str, Any] | None = None
        share: float | None = None
        if report is not None:
            share = report.passed_count / max(1, report.expected)
            checks = {"passed": report.passed_count, "expected": report.expected,
                      "status": report.status}  # fmt: skip
        if checks_weight > 0:
            parts["checks"] = share
            if share is None:
                notes.append("checks: the task has none; dropped from the blend")
        barred = config.require_checks and report is not None and not report.passed
        judge_weight = config.weights.get("judge", 0.0)
        substance = float(card.extra.get("substance", 1.0))
        gates: dict[str, float] = {"substance": substance}

        judge_part: float | None = None
        blend: Literal["hybrid", "deterministic", "none"] = "deterministic"
        if hacks:
            judge_part = 0.0 if judge_weight > 0 else None
            blend = "hybrid" if judge_part is not None else "deterministic"
            notes.append(
                f"evaluator-addressed text at line {hacks[0].line}: judge part 0, "
                f"value x{config.hack_factor}"
            )
        elif judgment is not None and judgment.ok:
            judge_part = float(judgment.overall or 0.0)
            blend = "hybrid"
        elif judgment is not None:
            notes.append(f"judge failed ({judgment.error}); deterministic blend")
            if config.judge_failure == "none":
                blend = "none"
        if judge_weight > 0:
            parts["judge"] = judge_part

        weights: dict[str, float] = dict(det)
        if checks_weight > 0 and share is not None:
            weights["checks"] = checks_weight
        if judge_part is not None:
            weights["judge"] = judge_weight
        total = sum(weights.values())
        value: float | None
        if blend == "none" or total <= 0:
            value = None
        else:
            gated = gated_scores(parts, substance)
            det_sum = sum(w * float(gated[n] or 0.0) for n, w in det.items())
            # Checks passed are behaviour, verified: not scaled by the substance gate.
            checks_sum = checks_weight * share if "checks" in weights and share else 0.0
            judge_sum = judge_weight * judge_part if judge_part is not None else 0.0
            value = (det_sum + checks_sum + judge_sum) / total
            if not card.compiles and card.scores.get("syntax") is not None:
                ceiling = float(card.scores["syntax"] or 0.0)
                if value > ceiling:
                    gates["compile_ceiling"] = ceiling
                    value = ceiling
            if hacks:
                value *= config.hack_factor
            value = round(min(1.0, max(0.0, value)), 6)
        return Reward(
            value=value,
            parts=parts,
            weights={n: round(w / total, 6) for n, w in weights.items()} if total else {},
            blend=blend,
            card=card,
            judgment=judgment,
            hacks=hacks,
            gates=gates,
            notes=tuple(notes),
            keep_threshold=config.keep_threshold,
            rewrite_threshold=config.rewrite_threshold,
            barred=barred,
            checks=checks,
        )

    # -- TRL ---------------------------------------------------------------------------

    def __call__(
        self, prompts: Sequence[Any], completions: Sequence[Any], **columns: Any
    ) -> list[float | None]:
        """TRL reward function: one value per completion (see module docstring)."""
        tasks_column = columns.get("task")
        kinds_column = columns.get("kind")
        spec_column = columns.get(TASK_SPEC_COLUMN)
        items: list[tuple[str, str]] = []
        for i, completion in enumerate(completions):
            task = (
                str(tasks_column[i])
                if tasks_column is not None
                else prompt_task(prompts[i] if i < len(prompts) else "")
            )
            items.append((task, completion_text(completion)))
        kinds = [str(k) if k else None for k in kinds_column] if kinds_column is not None else None
        specs: list[Task | None] | None = None
        if spec_column is not None and self.checks is not None:
            cache: dict[str, Task] = {}
            specs = [_task_of(spec_column[i], self.checks, cache) for i in range(len(items))]
        rewards = self.score_many(items, kinds=kinds, tasks=specs)
        log_metric = columns.get("log_metric")
        if callable(log_metric):
            # TRL averages these per logging step, next to the reward itself.
            for name, mean in component_means(rewards).items():
                log_metric(f"{self.__name__}/{name}", mean)
        return [r.value for r in rewards]


def _needs_package(card: ScoreCard) -> bool:
    """The card's code was not run because it requires a package from outside it."""
    return card.extra.get("exec_not_run_cause") == "package"


def component_means(rewards: Sequence[Reward]) -> dict[str, float]:
    """Mean of each component over the rewards that have it, the share judged, and
    the share flagged for evaluator-addressed text."""
    means: dict[str, float] = {}
    if not rewards:
        return means
    names = {name for r in rewards for name in r.parts}
    for name in sorted(names):
        values = [r.parts[name] for r in rewards if r.parts.get(name) is not None]
        if values:
            means[name] = sum(float(v or 0.0) for v in values) / len(values)
    means["judged"] = sum(r.blend == "hybrid" and not r.hacks for r in rewards) / len(rewards)
    means["evaluator_address"] = sum(bool(r.hacks) for r in rewards) / len(rewards)
    if any(r.checks is not None for r in rewards):
        means["barred"] = sum(r.barred for r in rewards) / len(rewards)
    return means
