"""An RFT round's N candidates per task: how RFT asks (the system prompt and the task)
and seeds its calls; `luaurft.runs.pipeline.sample_candidates` samples and stores them.

Only the (task, index) pairs the `RunStore` does not hold yet are generated: a
killed run resumes with what is missing, and a finished candidate is never sampled
twice. Each generator call covers a small group of tasks missing the same samples,
stored before the next call, so a kill loses at most the group in flight.

A sample that failed for good (a `Completion` with `error`) is not stored: it stays
missing and a later pass, or a resumed run, asks for it again.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from luaurft.config import REFERENCE_SYSTEM_PROMPT, SamplingSettings
from luaurft.runs.pipeline import RunTask, SampleCall, SampleStats, sample_candidates
from luaurft.runs.store import RunStore, TaskRow

if TYPE_CHECKING:
    from luaurft.llm import Generator, SamplingParams

# Seeds of different rounds and tasks stay apart, so no two calls share one.
_ROUND_STRIDE = 1_000_003
_TASK_STRIDE = 1_009

ProgressFn = Callable[[int, int], None]


# What one `generate_candidates` call did.
CandidateStats = SampleStats


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
    chosen = list(tasks) if tasks is not None else store.tasks()

    def params(call: SampleCall) -> SamplingParams:
        seed = call_seed(sampling.seed, call.round, call.position, call.first_index)
        return sampling_params(sampling, seed=seed).model_copy(update={"n": call.count})

    return sample_candidates(
        store, generator, round,
        [RunTask(t, conversation(t.prompt, system_prompt), kind=t.kind) for t in chosen],
        sampling.n, sampling=params, tasks_per_call=tasks_per_call, progress=progress,
    )  # fmt: skip
