"""The one sample → store → score pipeline: evaluation, RFT, GRPO and the demo all run it.

- `sample_candidates`: the (task, index) samples a round does not hold yet, asked of a
  `Generator` and stored as they arrive, each completion's code extracted once
  (`NewCandidate.from_completion`). A killed run resumes with what is missing; a
  stored sample is never asked for again.
- `score_candidates`: every stored candidate of a round without a reward under the
  reward's key is rewarded, batch by batch, and stored with its score card and the
  judge's verdict. The reward sees the stored code exactly as stored: what selection
  keeps and training trains on. A resumed run scores only what is left.
- `reward_candidates`: the same for given candidates, answering each one's stored
  value (read back from the store, so a candidate rewarded before is not scored again):
  what GRPO's reward function does for each batch TRL samples.

The callers own their tasks, so they describe them (`RunTask`: how a task is asked,
the script kind it is scored as, the task itself for a task-aware reward) and how a
call samples (`SamplingFor`: the seed policy); nothing here knows about evaluation
suites or RFT rounds. Score cards are stored under (code, scorer version, script
kind) and each reward row says which card it used (`parts["card"]`), so readers
(`stored_card`: an eval summary, RFT's tie-breaks) read the card instead of scoring
again.
"""

from __future__ import annotations

import inspect
import logging
import queue
import threading
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from luaurft.runs.store import CandidateRow, NewCandidate, RewardRow, RunStore, TaskRow
from luaurft.scoring import ScoreCard, score_source, takes_keyword

log = logging.getLogger(__name__)

ProgressFn = Callable[[int, int], None]
# The key a reward row names its score card under (see `stored_card`).
CARD_PART = "card"


@dataclass(frozen=True)
class RunTask:
    """A stored task as the pipeline asks and scores it.

    `messages`: the conversation the model is asked. `kind`: the script kind the
    scorers are given (None: they infer it). `spec`: the task itself, for a reward
    that takes `tasks=` (its checks). `program`: turns a completion's extracted code
    into the text that is stored and run (a continued function header)."""

    row: TaskRow
    messages: Sequence[Mapping[str, str]]
    kind: str | None = None
    spec: Any = None
    program: Callable[[str], str] | None = None

    @property
    def id(self) -> str:
        return self.row.id


# -- sampling ---------------------------------------------------------------------------


@dataclass(frozen=True)
class SampleCall:
    """One generator call: `count` samples from `first_index` on, for tasks starting at
    position `position` of the task list, in `round`."""

    round: int
    position: int
    first_index: int
    count: int


# The `SamplingParams` of a call (its seed policy is the caller's).
SamplingFor = Callable[[SampleCall], Any]


class GeneratorLike(Protocol):
    def generate(
        self, conversations: Sequence[Any], n: int | None = None, sampling: Any = None
    ) -> list[list[Any]]: ...


@dataclass
class SampleStats:
    """What one `sample_candidates` call did."""

    round: int
    wanted: int
    already: int
    generated: int = 0
    failed: int = 0
    calls: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def missing(self) -> int:
        return self.wanted - self.already - self.generated

    def to_dict(self) -> dict[str, Any]:
        return {
            "round": self.round,
            "wanted": self.wanted,
            "already": self.already,
            "generated": self.generated,
            "failed": self.failed,
            "missing": self.missing,
            "calls": self.calls,
            "errors": self.errors[:5],
        }


def _runs(indices: Sequence[int]) -> list[tuple[int, int]]:
    """Sorted indices as (start, count) runs of consecutive ones."""
    runs: list[tuple[int, int]] = []
    for index in sorted(indices):
        if runs and runs[-1][0] + runs[-1][1] == index:
            runs[-1] = (runs[-1][0], runs[-1][1] + 1)
        else:
            runs.append((index, 1))
    return runs


def plan_calls(
    missing: Sequence[tuple[str, int]], order: Sequence[str], tasks_per_call: int
) -> list[tuple[int, int, list[str]]]:
    """(first index, count, task ids) per generator call: tasks missing the same run of
    consecutive indices share a call (at most `tasks_per_call` of them, in task order),
    so a call's samples are the ones an uninterrupted run would have drawn."""
    by_task: dict[str, list[int]] = defaultdict(list)
    for task_id, index in missing:
        by_task[task_id].append(index)
    groups: dict[tuple[int, int], list[str]] = defaultdict(list)
    for task_id in order:
        for run in _runs(by_task.get(task_id, ())):
            groups[run].append(task_id)
    size = max(1, tasks_per_call)
    return [
        (start, count, ids[offset : offset + size])
        for (start, count), ids in sorted(groups.items())
        for offset in range(0, len(ids), size)
    ]


class _Keeper:
    """Stores the answers of one generator call, each once: as each arrives when the
    generator reports them, else the whole call in one transaction."""

    def __init__(
        self, store: RunStore, round: int, tasks: Sequence[RunTask], start: int,
        count: int, model: str | None, stats: SampleStats,
    ) -> None:  # fmt: skip
        self.store, self.round, self.tasks, self.start, self.count = (
            store, round, tasks, start, count
        )  # fmt: skip
        self.model, self.stats = model, stats
        self.seen: set[tuple[int, int]] = set()
        self.pending: list[NewCandidate] = []

    def take(self, i: int, j: int, completion: Any) -> NewCandidate | None:
        if (i, j) in self.seen or j >= self.count:
            return None
        self.seen.add((i, j))
        task = self.tasks[i]
        if getattr(completion, "error", None):
            self.stats.failed += 1
            self.stats.errors.append(f"{task.id}#{self.start + j}: {completion.error}")
            return None
        # The completion's own model first: behind a router it is the one that answered.
        return NewCandidate.from_completion(
            task.id, self.round, self.start + j, completion,
            model=getattr(completion, "model", None) or self.model, program=task.program,
        )  # fmt: skip

    def stream(self, i: int, j: int, completion: Any) -> None:
        candidate = self.take(i, j, completion)
        if candidate is not None:
            self.store.add_candidates([candidate])
            self.stats.generated += 1

    def rows(self, rows: Sequence[Sequence[Any]]) -> None:
        new = [
            candidate
            for i, row in enumerate(rows)
            for j, completion in enumerate(row[: self.count])
            if (candidate := self.take(i, j, completion)) is not None
        ]
        for i, row in enumerate(rows):
            if len(row) < self.count:
                self.stats.failed += self.count - len(row)
                self.stats.errors.append(
                    f"{self.tasks[i].id}: {len(row)} of {self.count} samples returned"
                )
        self.store.add_candidates(new)
        self.stats.generated += len(new)


def _streams(generator: Any) -> bool:
    try:
        return "on_completion" in inspect.signature(generator.generate).parameters
    except (TypeError, ValueError):
        return False


def _generate(
    generator: Any, conversations: list[Any], count: int, sampling: Any, keeper: _Keeper
) -> list[list[Any]]:
    """`generator.generate(...)`; a generator that reports each completion as it arrives
    (`on_completion`, the HTTP backends) has each stored then, from this thread."""
    if not _streams(generator):
        rows: list[list[Any]] = generator.generate(conversations, n=count, sampling=sampling)
        return rows
    arrived: queue.Queue[tuple[int, int, Any] | None] = queue.Queue()
    outcome: list[Any] = []

    def run() -> None:
        try:
            rows = generator.generate(
                conversations, n=count, sampling=sampling,
                on_completion=lambda i, j, c: arrived.put((i, j, c)),
            )  # fmt: skip
            outcome.append(rows)
        except BaseException as exc:  # handed to the caller's thread below
            outcome.append(exc)
        finally:
            arrived.put(None)

    # The store is written from this thread only.
    worker = threading.Thread(target=run, name="luaurft-sample", daemon=True)
    worker.start()
    while (item := arrived.get()) is not None:
        keeper.stream(*item)
    worker.join()
    result = outcome[0]
    if isinstance(result, BaseException):
        raise result
    return list(result)


def sample_candidates(
    store: RunStore,
    generator: GeneratorLike,
    round: int,
    tasks: Sequence[RunTask],
    n: int,
    *,
    sampling: SamplingFor,
    tasks_per_call: int = 1,
    progress: ProgressFn | None = None,
) -> SampleStats:
    """Sample what round `round` is missing of `n` candidates per task, and store it.

    A completion that failed for good (`Completion.error`) is not stored: it stays
    missing, and a later call (or a resumed run) asks for it again.
    `progress(done, total)` counts stored candidates of these tasks.
    """
    position = {t.id: i for i, t in enumerate(tasks)}
    by_id = {t.id: t for t in tasks}
    missing = store.missing_candidates(round, n, [t.id for t in tasks])
    stats = SampleStats(round=round, wanted=len(tasks) * n, already=len(tasks) * n - len(missing))
    if progress is not None:
        progress(stats.already, stats.wanted)
    model = getattr(generator, "name", None)
    for start, count, ids in plan_calls(missing, [t.id for t in tasks], tasks_per_call):
        group = [by_id[i] for i in ids]
        params = sampling(SampleCall(round, position[ids[0]], start, count))
        keeper = _Keeper(store, round, group, start, count, model, stats)
        rows = _generate(generator, [list(t.messages) for t in group], count, params, keeper)
        stats.calls += 1
        if len(rows) != len(group):
            raise RuntimeError(
                f"generator {model!r} returned {len(rows)} rows for {len(group)} conversations"
            )
        keeper.rows(rows)
        if progress is not None:
            progress(stats.already + stats.generated, stats.wanted)
    if stats.failed:
        log.warning(
            "round %d: %d samples failed and stay missing (first: %s)",
            round, stats.failed, stats.errors[0],
        )  # fmt: skip
    return stats


# -- scoring ---------------------------------------------------------------------------


@dataclass
class RewardResult:
    """One candidate's reward: the value (None: no usable reward), its parts, the score
    card it was computed from, and the judge's verdict when a judge was asked."""

    value: float | None
    parts: dict[str, Any] = field(default_factory=dict)
    card: ScoreCard | None = None
    judgment: Any = None


@runtime_checkable
class CandidateReward(Protocol):
    """What scoring needs: a stable key and a batch scorer.

    A reward may also take `tasks=` in `score_batch` (each pair's `RunTask.spec`), and
    may have a `judge_key` (the judge's model and prompt version) under which the
    verdicts it returns are stored."""

    key: str

    def score_batch(
        self, items: Sequence[tuple[str, str]], kinds: Sequence[str | None] | None = None
    ) -> Iterable[RewardResult]:
        """A result per (task prompt, code) pair, in order; `kinds` are the script kinds."""
        ...


@dataclass
class ScoreStats:
    round: int
    reward_key: str
    scored: int = 0
    already: int = 0
    no_value: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "round": self.round,
            "reward_key": self.reward_key,
            "scored": self.scored,
            "already": self.already,
            "no_value": self.no_value,
        }


def _card_of(
    store: RunStore, candidate: CandidateRow, kind: str | None, card: ScoreCard | None
) -> dict[str, Any] | None:
    """Store the card a reward used (or, when it used none, the card of the candidate's
    code: read back when stored, scored once when not) and name it for the reward row."""
    if candidate.code_sha256 is None:
        return None
    if card is None:
        from luaurft.scoring.registry import scorer_version

        version = scorer_version()
        if store.get_score_card(candidate.code_sha256, version, kind) is None:
            card = score_source(candidate.code or "", kind=kind)
    if card is not None:
        version = card.scorer_version
        store.put_score_card(candidate.code_sha256, version, card.to_dict(), kind=kind)
    return {"version": version, "kind": kind}


def stored_card(
    store: RunStore, candidate: CandidateRow, reward: RewardRow
) -> dict[str, Any] | None:
    """The score card (a `ScoreCard.to_dict()`) the reward row of `candidate` names."""
    ref = reward.parts.get(CARD_PART)
    if not isinstance(ref, Mapping) or candidate.code_sha256 is None:
        return None
    return store.get_score_card(candidate.code_sha256, str(ref["version"]), ref.get("kind"))


def _store_results(
    store: RunStore,
    reward: CandidateReward,
    batch: Sequence[CandidateRow],
    tasks: Mapping[str, RunTask],
    *,
    cards: bool,
) -> Iterable[tuple[CandidateRow, RewardResult]]:
    """Reward one batch and store each result as it comes (a kill loses what is in flight)."""
    items = [(tasks[c.task_id].row.prompt, c.code or "") for c in batch]
    kinds = [tasks[c.task_id].kind for c in batch]
    if takes_keyword(reward.score_batch, "tasks"):
        specs = [tasks[c.task_id].spec for c in batch]
        results = reward.score_batch(items, kinds, tasks=specs)  # type: ignore[call-arg]
    else:
        results = reward.score_batch(items, kinds)
    judge_key = getattr(reward, "judge_key", None)
    count = 0
    for candidate, result in zip(batch, results, strict=False):
        count += 1
        parts = dict(result.parts)
        if cards or result.card is not None:
            ref = _card_of(store, candidate, tasks[candidate.task_id].kind, result.card)
            if ref is not None:
                parts[CARD_PART] = ref
        judgment = result.judgment
        if judgment is not None and judge_key and candidate.code_sha256 is not None:
            store.put_judgment(
                candidate.code_sha256, candidate.task_id, judge_key, ok=bool(judgment.ok),
                overall=judgment.overall, judgment=judgment.to_dict(),
            )  # fmt: skip
        store.put_reward(candidate.id, reward.key, result.value, parts)
        yield candidate, result
    if count != len(batch):
        raise RuntimeError(f"reward {reward.key!r} returned {count} results for {len(batch)}")


def score_candidates(
    store: RunStore,
    round: int,
    reward: CandidateReward,
    tasks: Sequence[RunTask],
    *,
    batch_size: int | None = 16,
    cards: bool = True,
    progress: ProgressFn | None = None,
) -> ScoreStats:
    """Reward every candidate of `tasks` in `round` that has none under `reward.key`.

    `batch_size`: candidates per `score_batch` call (None: all in one, for a reward that
    runs them in parallel and hands each result back as it is ready). `cards`: store the
    score card of every candidate (scored here when the reward gave none), for
    tie-breaks; False for a reward that does not score code (task checks).
    """
    by_id = {t.id: t for t in tasks}
    todo = [c for c in store.unrewarded(round, reward.key) if c.task_id in by_id]
    total = sum(1 for c in store.candidates(round) if c.task_id in by_id)
    stats = ScoreStats(round=round, reward_key=reward.key, already=total - len(todo))
    if progress is not None:
        progress(stats.already, total)
    size = max(1, batch_size or len(todo))
    for start in range(0, len(todo), size):
        for _candidate, result in _store_results(
            store, reward, todo[start : start + size], by_id, cards=cards
        ):
            stats.scored += 1
            stats.no_value += result.value is None
            if progress is not None:
                progress(stats.already + stats.scored, total)
    return stats


def reward_candidates(
    store: RunStore,
    reward: CandidateReward,
    candidates: Sequence[CandidateRow],
    tasks: Sequence[RunTask],
) -> list[float | None]:
    """Each candidate's value under `reward.key`, read back from the store; those without
    one are rewarded (and stored) first, in one batch."""
    by_id = {t.id: t for t in tasks}
    rounds = {c.round for c in candidates}
    stored: dict[int, RewardRow] = {}
    for r in rounds:
        stored.update(store.rewards(r, reward.key))
    todo = [c for c in candidates if c.id not in stored]
    if todo:
        for _candidate, _result in _store_results(store, reward, todo, by_id, cards=True):
            pass
        for r in rounds:
            stored.update(store.rewards(r, reward.key))
    return [stored[c.id].value for c in candidates]


__all__ = [
    "CARD_PART",
    "CandidateReward",
    "RewardResult",
    "RunTask",
    "SampleCall",
    "SampleStats",
    "SamplingFor",
    "ScoreStats",
    "plan_calls",
    "reward_candidates",
    "sample_candidates",
    "score_candidates",
    "stored_card",
]
