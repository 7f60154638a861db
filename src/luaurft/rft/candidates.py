"""N candidates per task, sampled through any `Generator` and stored as they arrive.

Only the (task, index) pairs the `RunStore` does not hold yet are generated:
a killed run resumes with what is missing, and a finished candidate is never
sampled twice. Each generator call covers a small group of tasks (all their
missing samples) and its results are stored in one transaction before the
next call, so a kill loses at most the group in flight.

A sample that failed for good (a `Completion` with `error`) is not stored:
it stays missing and a later pass, or a resumed run, asks for it again.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from luaurft.config import REFERENCE_SYSTEM_PROMPT, SamplingSettings
from luaurft.runs.store import NewCandidate, RunStore, TaskRow

if TYPE_CHECKING:
    from luaurft.llm import Generator, SamplingParams

log = logging.getLogger(__name__)

# Seeds of different rounds and tasks stay apart, so no two calls share one.
_ROUND_STRIDE = 1_000_003
_TASK_STRIDE = 1_009

ProgressFn = Callable[[int, int], None]


@dataclass
class CandidateStats:
    """What one `generate_candidates` call did."""

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


def conversation(
    task_prompt: str, system_prompt: str = REFERENCE_SYSTEM_PROMPT
) -> list[dict[str, str]]:
    """The chat a task is asked in: the system prompt, then the task."""
    return [
        {"role": "system", "content": system_prompt},
        {"role": "user", "content": task_prompt},
    ]


def sampling_params(settings: SamplingSettings, *, seed: int | None = None) -> SamplingParams:
    """`luaurft.llm.SamplingParams` from the configured sampling (seed overridable)."""
    from luaurft.llm import SamplingParams

    if seed is None:
        return SamplingParams.from_settings(settings)
    return SamplingParams.from_settings(settings, seed=seed)


def call_seed(base: int | None, round: int, task_position: int, first_index: int) -> int | None:
    """The seed of one generator call.

    It depends on the round, the task and the first sample index asked for, so a
    resumed call for indices 2..3 draws other samples than the killed call that
    produced 0..1, and a rerun from scratch draws the same samples as before.
    """
    if base is None:
        return None
    return base + round * _ROUND_STRIDE + task_position * _TASK_STRIDE + first_index


@dataclass(frozen=True)
class _Work:
    task: TaskRow
    position: int
    indices: tuple[int, ...]


def _groups(work: Sequence[_Work], tasks_per_call: int) -> list[list[_Work]]:
    """Consecutive tasks sharing one generator call: those with the same missing indices."""
    groups: list[list[_Work]] = []
    for item in work:
        last = groups[-1] if groups else None
        if last is not None and len(last) < tasks_per_call and last[0].indices == item.indices:
            last.append(item)
        else:
            groups.append([item])
    return groups


def generate_candidates(
    store: RunStore,
    generator: Generator,
    round: int,
    *,
    sampling: SamplingSettings,
    tasks: Sequence[TaskRow] | None = None,
    system_prompt: str = REFERENCE_SYSTEM_PROMPT,
    tasks_per_call: int = 1,
    progress: ProgressFn | None = None,
) -> CandidateStats:
    """Sample `sampling.n` candidates per task for `round`; store each group as it arrives.

    `tasks`: the round's tasks (default: every task in the store).
    `tasks_per_call`: tasks batched into one `generate` call (a local model
    samples them together; a remote backend sends them concurrently).
    `progress(done, total)` is called after each stored group.
    """
    n = sampling.n
    chosen = list(tasks) if tasks is not None else store.tasks()
    missing = store.missing_candidates(round, n, [t.id for t in chosen])
    by_task: dict[str, list[int]] = {}
    for task_id, index in missing:
        by_task.setdefault(task_id, []).append(index)
    work = [
        _Work(task, position, tuple(by_task[task.id]))
        for position, task in enumerate(chosen)
        if task.id in by_task
    ]
    stats = CandidateStats(
        round=round, wanted=len(chosen) * n, already=len(chosen) * n - len(missing)
    )
    done = stats.already
    if progress is not None:
        progress(done, stats.wanted)
    model_name = getattr(generator, "name", None)
    for group in _groups(work, max(1, tasks_per_call)):
        indices = group[0].indices
        params = sampling_params(
            sampling,
            seed=call_seed(sampling.seed, round, group[0].position, indices[0]),
        ).model_copy(update={"n": len(indices)})
        rows = generator.generate(
            [conversation(item.task.prompt, system_prompt) for item in group],
            n=len(indices),
            sampling=params,
        )
        stats.calls += 1
        if len(rows) != len(group):
            raise RuntimeError(
                f"generator {model_name!r} returned {len(rows)} rows for {len(group)} conversations"
            )
        new: list[NewCandidate] = []
        for item, row in zip(group, rows, strict=True):
            for index, completion in zip(indices, row, strict=False):
                if getattr(completion, "error", None):
                    stats.failed += 1
                    stats.errors.append(f"{item.task.id}#{index}: {completion.error}")
                    continue
                new.append(
                    NewCandidate.from_completion(
                        item.task.id, round, index, completion, model=model_name
                    )
                )
            if len(row) < len(indices):
                stats.failed += len(indices) - len(row)
                stats.errors.append(
                    f"{item.task.id}: {len(row)} of {len(indices)} samples returned"
                )
        store.add_candidates(new)
        stats.generated += len(new)
        done += len(new)
        if progress is not None:
            progress(done, stats.wanted)
    if stats.failed:
        log.warning(
            "round %d: %d candidates failed and stay missing (first: %s)",
            round,
            stats.failed,
            stats.errors[0],
        )
    return stats
