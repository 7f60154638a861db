"""Reward every candidate, then keep the best one per task (best-of-N selection).

Scoring: any reward works. `as_candidate_reward` accepts

- an object with `score_many([(task, code), ...])` returning results that have
  `value`, `parts` and a `card` (`luaurft.reward.HybridReward`), or
- a callable `reward(task_prompt, code) -> (value, parts)`.

A reward that takes `tasks` in `score_batch` (`HybridReward` does) is also given
each candidate's `luaurft.eval.tasks.Task` when the store holds it (a task row's
`meta["spec"]`, see `task_spec`), so its checks can be part of the reward. The
reward scores the stored, already extracted code exactly as it is: the text
selection keeps and `selected_rows` trains on.

Rewards are stored per candidate under the reward's key, so a resumed run
scores only what is left, and a run scored with another reward (another
judge, other weights) does not mix the two.

Selection, per task:

1. candidates without a reward value (a failed judge with no fallback) and those
   the reward bars (`barred`: a failed check of its task under `require_checks`)
   are out;
2. the rest are ranked by reward, then cleanliness: total severity cost of
   their findings, then number of findings, then length, then sample index;
3. near-duplicates (MinHash over normalised tokens, `luaurft.data.dedup`) are
   collapsed onto the best-ranked member of their group, so a group of
   near-copies counts once and is represented by its cleanest copy;
4. the top candidate is kept if its reward is at least the threshold.

Optionally the kept set is deduplicated across tasks as well (one piece of
code taught for several prompts is over-weighted in training).
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING, Any

from luaurft.data.dedup import DedupConfig, deduplicate
from luaurft.data.formats import prompt_completion_row
from luaurft.data.records import CodeRecord
from luaurft.runs import pipeline
from luaurft.runs.pipeline import CandidateReward, RewardResult, RunTask, ScoreStats, stored_card
from luaurft.runs.store import CandidateRow, RewardRow, RunStore, TaskRow
from luaurft.scoring import ScoreCard, score_source, takes_keyword
from luaurft.scoring.rule import Finding, Severity
from luaurft.scoring.scorer import finding_cost

if TYPE_CHECKING:
    from luaurft.eval.tasks import Task

log = logging.getLogger(__name__)

# Rewards equal to this many decimals are a tie (stored rewards are rounded to 6).
_TIE_DECIMALS = 6

ProgressFn = Callable[[int, int], None]


# -- rewards ---------------------------------------------------------------------------


SPEC_META = "spec"


def task_spec(row: TaskRow) -> Task | None:
    """The `Task` a stored task row carries in `meta["spec"]` (None: a prompt only)."""
    from luaurft.eval.tasks import Task

    spec = row.meta.get(SPEC_META) if row.meta else None
    return None if spec is None else Task.model_validate(spec)


def cleanliness(card: ScoreCard | Mapping[str, Any] | None) -> dict[str, float]:
    """How clean code is, for tie-breaks: the findings' total cost (what the scorers
    charge for them) and how many cost anything. Findings that cost nothing only
    explain a score (quality/thin-code): they are not problems. `card`: a `ScoreCard`
    or a stored one (`ScoreCard.to_dict()`)."""
    if card is None:
        return {"severity": 0.0, "findings": 0}
    findings = (
        card.findings
        if isinstance(card, ScoreCard)
        else [_finding(f) for f in card.get("findings") or ()]
    )
    costs = [finding_cost(f, _rule_costs()) for f in findings]
    return {
        "severity": round(sum(costs), 6),
        "findings": sum(1 for c in costs if c > 0),
    }


def _finding(data: Mapping[str, Any]) -> Finding:
    return Finding(
        rule=str(data["rule"]), scorer=str(data["scorer"]), severity=Severity(data["severity"]),
        line=int(data["line"]), column=int(data["column"]), message=str(data["message"]),
        fix=data.get("fix"),
    )  # fmt: skip


@cache
def _rule_costs() -> dict[str, float | None]:
    from luaurft.scoring.registry import all_rules

    return {r.id: r.cost for r in all_rules()}


class DeterministicReward:
    """The deterministic composite of `luaurft.scoring.score_source` (no judge, no run)."""

    def __init__(self) -> None:
        from luaurft.scoring.registry import scorer_version

        self.key = f"deterministic:{scorer_version()[:16]}"
        self.__name__ = "deterministic_reward"

    def __call__(self, task_prompt: str, code: str) -> tuple[float, dict[str, Any]]:
        card = score_source(code)
        return card.composite, dict(card.scores)

    def score_batch(
        self, items: Sequence[tuple[str, str]], kinds: Sequence[str | None] | None = None
    ) -> list[RewardResult]:
        results = []
        for i, (_task, code) in enumerate(items):
            card = score_source(code, kind=kinds[i] if kinds else None)
            results.append(RewardResult(card.composite, dict(card.scores), card))
        return results


class _CallableReward:
    """A callable `reward(task, code) -> (value, parts)`; the pipeline stores the code's
    score card beside it (read back for tie-breaks, scored only where none is stored)."""

    def __init__(self, fn: Callable[[str, str], tuple[float | None, Mapping[str, Any]]], key: str):
        self.fn = fn
        self.key = key

    def score_batch(
        self, items: Sequence[tuple[str, str]], kinds: Sequence[str | None] | None = None
    ) -> list[RewardResult]:
        results = []
        for task, code in items:
            value, parts = self.fn(task, code)
            results.append(RewardResult(None if value is None else float(value), dict(parts or {})))
        return results


class _ObjectReward:
    """Adapts a reward object with `score_many` (HybridReward) to `CandidateReward`."""

    def __init__(self, reward: Any, key: str):
        self.reward = reward
        self.key = key
        judge = getattr(reward, "judge", None)
        #: The judge's verdicts are stored under this key (see `luaurft.runs.pipeline`).
        self.judge_key = (
            None
            if judge is None
            else f"{getattr(judge, 'model', type(judge).__name__)}"
            f"@{getattr(judge, 'prompt_version', '')}"
        )

    def score_batch(
        self,
        items: Sequence[tuple[str, str]],
        kinds: Sequence[str | None] | None = None,
        *,
        tasks: Sequence[Task | None] | None = None,
    ) -> list[RewardResult]:
        results = []
        options: dict[str, Any] = {}
        if kinds is not None and any(kinds):
            options["kinds"] = list(kinds)
        if tasks is not None and any(t is not None for t in tasks):
            options["tasks"] = list(tasks)
        if takes_keyword(self.reward.score_many, "extract"):
            # The stored code is extracted already: score exactly what is trained on.
            options["extract"] = False
        scored = self.reward.score_many(list(items), **options)
        for r in scored:
            card = getattr(r, "card", None)
            parts = r.to_dict() if hasattr(r, "to_dict") else dict(getattr(r, "parts", {}) or {})
            value = getattr(r, "value", None)
            results.append(
                RewardResult(
                    None if value is None else float(value),
                    _jsonable(parts),
                    card if isinstance(card, ScoreCard) else None,
                    getattr(r, "judgment", None),
                )
            )
        return results


def _jsonable(value: Any) -> dict[str, Any]:
    return dict(json.loads(json.dumps(value, default=str)))


def reward_key(reward: Any) -> str:
    """A stable key for a reward: its `key`; or, for a configured reward (HybridReward), a
    hash of its config, its judge (model, prompt version) and the scorer version (with
    the exec version when it runs code); or its name.

    Rewards are stored under this key, so a change of weights, judge or scorers
    scores the candidates again instead of mixing old and new values.
    """
    key = getattr(reward, "key", None)
    if isinstance(key, str) and key:
        return key
    name = str(getattr(reward, "__name__", None) or type(reward).__name__)
    config = getattr(reward, "config", None)
    if config is not None and hasattr(config, "model_dump"):
        from luaurft.scoring.registry import card_version

        judge = getattr(reward, "judge", None)
        identity = {
            "config": config.model_dump(mode="json"),
            "judge": None
            if judge is None
            else [str(getattr(judge, "model", type(judge).__name__)),
                  str(getattr(judge, "prompt_version", ""))],
            "scorers": card_version(exec=bool(getattr(config, "uses_exec", False))),
        }  # fmt: skip
        blob = json.dumps(identity, sort_keys=True, default=str)
        return f"{name}:{hashlib.sha256(blob.encode()).hexdigest()[:12]}"
    return name


def as_candidate_reward(reward: Any, key: str | None = None) -> CandidateReward:
    """Wrap any supported reward (see module docstring) as a `CandidateReward`."""
    if isinstance(reward, CandidateReward) and key is None:
        return reward
    resolved = key or reward_key(reward)
    if hasattr(reward, "score_many"):
        return _ObjectReward(reward, resolved)
    if callable(reward):
        return _CallableReward(reward, resolved)
    raise TypeError(
        f"{reward!r} is not a reward: give reward(task, code) or an object with score_many"
    )


# -- scoring ------------------------------------------------------------------------


def run_tasks(rows: Sequence[TaskRow], *, specs: bool = True) -> list[RunTask]:
    """Stored RFT tasks as the pipeline scores them: the task row's kind, and its
    `Task` (`task_spec`) where it carries one and `specs` asks for it."""
    return [RunTask(row, (), kind=row.kind, spec=task_spec(row) if specs else None) for row in rows]


def score_candidates(
    store: RunStore,
    round: int,
    reward: Any,
    *,
    batch_size: int = 16,
    progress: ProgressFn | None = None,
) -> ScoreStats:
    """Reward every candidate of `round` that has no reward under this reward's key yet
    (`luaurft.runs.pipeline.score_candidates` over the store's tasks). Each batch is
    stored before the next is scored (a kill loses one batch), with each code's card."""
    scorer = as_candidate_reward(reward)
    tasks = run_tasks(store.tasks(), specs=takes_keyword(scorer.score_batch, "tasks"))
    return pipeline.score_candidates(
        store, round, scorer, tasks, batch_size=batch_size, progress=progress
    )


# -- selection -------------------------------------------------------------------------


@dataclass(frozen=True)
class Ranked:
    """A candidate with its reward, in selection order."""

    candidate: CandidateRow
    reward: float
    severity: float
    findings: int

    @property
    def sort_key(self) -> tuple[float, float, int, int, int]:
        code = self.candidate.code or ""
        return (
            -round(self.reward, _TIE_DECIMALS),
            self.severity,
            self.findings,
            len(code),
            self.candidate.index,
        )


def rank_candidates(
    candidates: Sequence[CandidateRow],
    rewards: Mapping[int, RewardRow],
    store: RunStore | None = None,
) -> list[Ranked]:
    """Rewarded candidates, best first (reward, then cleaner, then shorter, then earlier).

    Cleanliness comes from each candidate's stored score card (the one its reward
    row names) when a `store` is given; rows stored before cards were named carry it
    in `parts["clean"]`."""
    ranked = []
    for c in candidates:
        row = rewards.get(c.id)
        if row is None or row.value is None or row.parts.get("barred"):
            continue
        card = stored_card(store, c, row) if store is not None else None
        clean = cleanliness(card) if card is not None else row.parts.get("clean") or {}
        ranked.append(
            Ranked(
                c,
                float(row.value),
                float(clean.get("severity", 0.0)),
                int(clean.get("findings", 0)),
            )
        )
    ranked.sort(key=lambda r: r.sort_key)
    return ranked


def unkept_tasks(
    store: RunStore,
    round: int,
    reward_key: str,
    *,
    threshold: float,
    tasks: Sequence[TaskRow],
    first: int,
) -> list[TaskRow]:
    """The tasks none of whose candidates with index below `first` could be kept: each is
    barred, unrewarded or rewarded below `threshold`.

    Only the first `first` candidates count, so the answer does not change once more
    samples of those tasks are stored (a resumed run asks for the same tasks again).
    """
    rewards = store.rewards(round, reward_key)
    unkept = []
    for task in tasks:
        early = [c for c in store.candidates(round, task.id) if c.index < first]
        ranked = rank_candidates(early, rewards)
        if not ranked or ranked[0].reward < threshold:
            unkept.append(task)
    return unkept


def collapse_near_duplicates(ranked: Sequence[Ranked], jaccard: float) -> tuple[list[Ranked], int]:
    """(representatives, collapsed): each near-duplicate group kept as its best-ranked member."""
    if len(ranked) < 2:
        return list(ranked), 0
    records = [CodeRecord(id=str(r.candidate.id), text=r.candidate.code or "") for r in ranked]
    # No scores: dedup then keeps the first of each group in the order given, which is ours.
    result = deduplicate(records, DedupConfig(threshold=jaccard))
    kept_ids = {r.id for r in result.kept}
    kept = [r for r in ranked if str(r.candidate.id) in kept_ids]
    return kept, len(ranked) - len(kept)


@dataclass
class SelectionStats:
    round: int
    reward_key: str
    threshold: float
    tasks: int = 0
    kept: int = 0
    below_threshold: int = 0
    no_candidates: int = 0
    unscored: int = 0
    barred: int = 0
    solved: int = 0
    cross_task_duplicates: int = 0
    collapsed: int = 0
    kept_rewards: list[float] = field(default_factory=list)

    @property
    def kept_mean(self) -> float | None:
        if not self.kept_rewards:
            return None
        return round(sum(self.kept_rewards) / len(self.kept_rewards), 6)

    def to_dict(self) -> dict[str, Any]:
        return {
            "round": self.round,
            "reward_key": self.reward_key,
            "threshold": self.threshold,
            "tasks": self.tasks,
            "kept": self.kept,
            "below_threshold": self.below_threshold,
            "no_candidates": self.no_candidates,
            "unscored": self.unscored,
            "barred": self.barred,
            "solved": self.solved,
            "cross_task_duplicates": self.cross_task_duplicates,
            "collapsed": self.collapsed,
            "kept_mean_reward": self.kept_mean,
        }


def select_round(
    store: RunStore,
    round: int,
    reward_key: str,
    *,
    threshold: float,
    jaccard: float = 0.7,
    tasks: Sequence[TaskRow] | None = None,
    across_tasks: bool = False,
    skip_solved: bool = False,
) -> SelectionStats:
    """Pick (or refuse, with the reason) one candidate per task and store the selections.

    `skip_solved`: a task whose every candidate is rewarded at or above the
    threshold is not kept (reason "solved"): the model already answers it every time.
    Idempotent: rerunning rewrites the same selections. The kept set's mean
    reward is logged and stored in the store's meta (`selection:<round>`).
    """
    chosen = list(tasks) if tasks is not None else store.tasks()
    rewards = store.rewards(round, reward_key)
    stats = SelectionStats(round=round, reward_key=reward_key, threshold=threshold)
    winners: list[tuple[TaskRow, Ranked]] = []
    for task in chosen:
        stats.tasks += 1
        candidates = store.candidates(round, task.id)
        if not candidates:
            stats.no_candidates += 1
            store.select(round, task.id, None, reward=None, reason="no-candidates")
            continue
        ranked = rank_candidates(candidates, rewards, store)
        if not ranked:
            barred = sum(
                1 for c in candidates if c.id in rewards and rewards[c.id].parts.get("barred")
            )
            reason = "all-barred" if barred else "unscored"
            if barred:
                stats.barred += 1
            else:
                stats.unscored += 1
            store.select(
                round, task.id, None, reward=None, reason=reason,
                meta={"candidates": len(candidates), "barred": barred},
            )  # fmt: skip
            continue
        distinct, collapsed = collapse_near_duplicates(ranked, jaccard)
        stats.collapsed += collapsed
        best = distinct[0]
        runner_up = distinct[1].reward if len(distinct) > 1 else None
        tied = sum(1 for r in ranked if round_to(r.reward) == round_to(best.reward))
        meta = {
            "candidates": len(candidates),
            "rewarded": len(ranked),
            "distinct": len(distinct),
            "collapsed": collapsed,
            "runner_up": runner_up,
            "tied_at_best": tied,
            "threshold": threshold,
            "clean": {"severity": best.severity, "findings": best.findings},
        }
        if skip_solved and len(ranked) == len(candidates) and ranked[-1].reward >= threshold:
            stats.solved += 1
            store.select(round, task.id, None, reward=best.reward, reason="solved", meta=meta)
        elif best.reward >= threshold:
            winners.append((task, best))
            store.select(
                round, task.id, best.candidate.id, reward=best.reward, reason="kept", meta=meta
            )
        else:
            stats.below_threshold += 1
            store.select(
                round, task.id, None, reward=best.reward, reason="below-threshold",
                meta={**meta, "best_candidate": best.candidate.id},
            )  # fmt: skip
    if across_tasks and len(winners) > 1:
        winners = _dedup_across_tasks(store, round, winners, jaccard, stats)
    stats.kept = len(winners)
    stats.kept_rewards = [w.reward for _task, w in winners]
    store.set_meta(f"selection:{round}", stats.to_dict())
    log.info(
        "round %d: kept %d of %d tasks (mean reward of the kept set %s; threshold %.2f)",
        round,
        stats.kept,
        stats.tasks,
        "n/a" if stats.kept_mean is None else f"{stats.kept_mean:.3f}",
        threshold,
    )
    return stats


def round_to(value: float) -> float:
    return round(value, _TIE_DECIMALS)


def _dedup_across_tasks(
    store: RunStore,
    round: int,
    winners: list[tuple[TaskRow, Ranked]],
    jaccard: float,
    stats: SelectionStats,
) -> list[tuple[TaskRow, Ranked]]:
    ordered = sorted(winners, key=lambda w: w[1].sort_key)
    records = [CodeRecord(id=task.id, text=w.candidate.code or "") for task, w in ordered]
    result = deduplicate(records, DedupConfig(threshold=jaccard))
    kept_ids = {r.id for r in result.kept}
    for dup in result.removed:
        task, w = next((t, w) for t, w in ordered if t.id == dup.record.id)
        stats.cross_task_duplicates += 1
        store.select(
            round, task.id, None, reward=w.reward, reason="duplicate-across-tasks",
            meta={"best_candidate": w.candidate.id, "duplicate_of": dup.kept_id,
                  "jaccard": round_to(dup.jaccard)},
        )  # fmt: skip
    return [(t, w) for t, w in winners if t.id in kept_ids]


def selected_rows(
    store: RunStore,
    round: int,
    system_prompt: str,
) -> list[dict[str, Any]]:
    """The round's kept candidates as prompt/completion training rows (`luaurft.data.formats`):
    the stored code, extracted once at ingestion, exactly as the reward scored it."""
    rows = []
    for sel in store.selections(round, kept_only=True):
        if sel.candidate_id is None:
            continue
        candidate = store.candidate(sel.candidate_id)
        task = store.task(sel.task_id)
        if candidate is None or task is None or not (candidate.code or "").strip():
            continue
        row = prompt_completion_row(
            task.prompt, candidate.code or "", system_prompt,
            source=f"rft:{round}", task_id=task.id, reward=sel.reward,
        )  # fmt: skip
        rows.append(row)
    return rows
