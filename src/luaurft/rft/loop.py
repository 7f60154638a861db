"""RFT rounds: SFT, then per round candidates → rewards → selection → training.

`run_rft` is the whole loop as a library function; the CLI and the demo call
it with their own generator factory, reward and trainer. Every stage is
recorded in the `RunStore` and is idempotent, so calling `run_rft` again on
the same store continues a killed run:

    train@0        SFT adapter (skipped when an initial adapter is given)
    candidates@r   N samples per task from the newest model; only missing ones
    score@r        a reward per candidate; only unrewarded ones
                   (both steps of `luaurft.runs.pipeline`, as evaluation's are)
    candidates-unsolved@r, score-unsolved@r
                   with `rft.unsolved_samples`: more candidates, scored, for the
                   tasks none of whose first N candidates can be kept
    select@r       best per task if >= keep_threshold (recomputed, cheap)
    train@r        SFT data + round r's selections (with `rft.cumulative_selections`,
                   those of rounds 1..r) → adapter r

Each round samples from the newest adapter (round r-1's, or the SFT one).
With `rft.retrain_from_base` each round's adapter is trained from the base
model on the mix (ReST-EM style) instead of continuing the newest adapter.
Adapters are artifacts (`adapter`, round); a training stage whose adapter is
on disk is not run again.
"""

from __future__ import annotations

import gc
import hashlib
import json
import logging
import random
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from luaurft.config import SamplingSettings, Settings
from luaurft.errors import ConfigError
from luaurft.rft.candidates import generate_candidates
from luaurft.rft.select import (
    as_candidate_reward,
    score_candidates,
    select_round,
    selected_rows,
    unkept_tasks,
)
from luaurft.rft.sft import TrainResult, is_adapter_dir, is_text_pair, train_sft
from luaurft.runs.store import RunStore, Status, TaskRow, prompt_task_id

if TYPE_CHECKING:
    from luaurft.llm import Generator

log = logging.getLogger(__name__)

SFT_ROUND = 0
ADAPTER = "adapter"
TRAIN_DATA = "train-data"


@dataclass(frozen=True)
class ModelRef:
    """A model to sample: the base model, plus an adapter (None: the base itself)."""

    base_model: str
    adapter: Path | None
    round: int

    @property
    def label(self) -> str:
        if self.adapter is None:
            return "base"
        return "sft" if self.round == SFT_ROUND else f"round-{self.round}"


@dataclass(frozen=True)
class TrainRequest:
    """One training run the loop asks for."""

    settings: Settings
    rows: list[dict[str, Any]]
    output_dir: Path
    base_model: str
    init_adapter: Path | None
    round: int

    @property
    def name(self) -> str:
        return "sft" if self.round == SFT_ROUND else f"rft-round-{self.round}"


GeneratorFactory = Callable[[ModelRef], "Generator"]
TrainerFn = Callable[[TrainRequest], TrainResult]


class Progress(Protocol):
    """`progress(stage, done, total)`: stage is e.g. "candidates@1"."""

    def __call__(self, stage: str, done: int, total: int) -> None: ...


def sft_trainer(
    *,
    max_steps: int | None = None,
    report_to: Sequence[str] | None = None,
    checkpoint_steps: int | None = None,
    progress: Progress | None = None,
) -> TrainerFn:
    """The default trainer: `train_sft` with these options."""

    def train(request: TrainRequest) -> TrainResult:
        stage = f"train@{request.round}"
        return train_sft(
            request.settings,
            request.rows,
            request.output_dir,
            base_model=request.base_model,
            init_adapter=request.init_adapter,
            max_steps=max_steps,
            report_to=report_to,
            run_name=f"{request.settings.name}-{request.name}",
            checkpoint_steps=checkpoint_steps,
            progress=(lambda done, total: progress(stage, done, total)) if progress else None,
        )

    return train


@dataclass
class RoundSummary:
    round: int
    tasks: int
    candidates: dict[str, Any] = field(default_factory=dict)
    scoring: dict[str, Any] = field(default_factory=dict)
    selection: dict[str, Any] = field(default_factory=dict)
    training: dict[str, Any] = field(default_factory=dict)
    adapter: str | None = None

    @property
    def kept_mean_reward(self) -> float | None:
        value = self.selection.get("kept_mean_reward")
        return None if value is None else float(value)

    def to_dict(self) -> dict[str, Any]:
        return {
            "round": self.round,
            "tasks": self.tasks,
            "candidates": self.candidates,
            "scoring": self.scoring,
            "selection": self.selection,
            "training": self.training,
            "adapter": self.adapter,
        }


@dataclass
class RFTResult:
    run_id: str
    run_dir: Path
    sft_adapter: str | None
    rounds: list[RoundSummary]
    reward_key: str

    @property
    def final_adapter(self) -> str | None:
        for summary in reversed(self.rounds):
            if summary.adapter:
                return summary.adapter
        return self.sft_adapter

    def to_dict(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id,
            "run_dir": str(self.run_dir),
            "sft_adapter": self.sft_adapter,
            "final_adapter": self.final_adapter,
            "reward_key": self.reward_key,
            "rounds": [r.to_dict() for r in self.rounds],
        }


# -- helpers ------------------------------------------------------------------------


def rows_digest(rows: Sequence[Mapping[str, Any]]) -> str:
    blob = json.dumps(list(rows), sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def round_tasks(tasks: Sequence[TaskRow], per_round: int, round: int, seed: int) -> list[TaskRow]:
    """The tasks of round `round`: all of them when they fit, else a window of a seeded
    shuffle that moves on each round (so rounds see different tasks first)."""
    if len(tasks) <= per_round:
        return list(tasks)
    order = list(tasks)
    random.Random(seed).shuffle(order)
    start = ((round - 1) * per_round) % len(order)
    window = order[start : start + per_round]
    if len(window) < per_round:
        window += order[: per_round - len(window)]
    return window


def mix_training_rows(
    sft_rows: Sequence[Mapping[str, Any]],
    selected: Sequence[Mapping[str, Any]],
    ratio: float,
    seed: int,
    repeats: int = 1,
) -> list[dict[str, Any]]:
    """SFT data and the selected candidates for one round's training.

    `ratio` is the share of the SFT data in the mix: 1.0 keeps all of it (the
    reference system), 0.5 a seeded half, 2.0 all of it twice; 0 trains on the
    selections alone. Each selected row appears `repeats` times.
    """
    sft = [dict(r) for r in sft_rows]
    rng = random.Random(seed)
    whole, fraction = divmod(ratio, 1.0)
    chosen: list[dict[str, Any]] = sft * int(whole)
    extra = round(fraction * len(sft))
    if extra:
        chosen += rng.sample(sft, extra)
    return chosen + [dict(r) for r in selected for _ in range(repeats)]


def cumulative_rows(per_round: Sequence[Sequence[Mapping[str, Any]]]) -> list[dict[str, Any]]:
    """The selections of several rounds (oldest first) as one set: a task kept by several
    rounds contributes its newest selection only, so no task outweighs the others."""
    newest: dict[Any, dict[str, Any]] = {}
    for rows in per_round:
        for row in rows:
            newest.pop(row.get("task_id"), None)
            newest[row.get("task_id")] = dict(row)
    return list(newest.values())


@contextmanager
def _stage(store: RunStore, name: str, round: int) -> Iterator[dict[str, Any]]:
    """Mark a stage running; done with the meta filled in by the body, failed if it raises."""
    meta: dict[str, Any] = {}
    store.start_stage(name, round)
    try:
        yield meta
    except BaseException as exc:
        store.fail_stage(name, round, f"{type(exc).__name__}: {exc}"[:2000])
        raise
    store.finish_stage(name, round, meta)


def _empty_cuda_cache() -> None:
    try:
        import torch
    except ImportError:  # pragma: no cover - the train extra is missing
        return
    if torch.cuda.is_available():
        torch.cuda.empty_cache()


def _candidates_stage(
    settings: Settings,
    store: RunStore,
    r: int,
    tasks: Sequence[TaskRow],
    newest: ModelRef,
    generator_factory: GeneratorFactory,
    progress: Callable[[int, int], None] | None,
    tasks_per_call: int,
    generation_passes: int,
    sampling: SamplingSettings | None = None,
    name: str = "candidates",
) -> dict[str, Any]:
    """Generate what is missing of round `r` (`sampling.n` per task, default the configured
    sampling); the generator lives only inside this call."""
    sampling = sampling or settings.sampling
    n = sampling.n
    ids = [t.id for t in tasks]
    stage = store.stage(name, r)
    if (
        not store.missing_candidates(r, n, ids)
        and stage is not None
        and stage.status is Status.DONE
    ):
        return dict(stage.meta)
    with _stage(store, name, r) as meta:
        passes: list[dict[str, Any]] = []
        if store.missing_candidates(r, n, ids):
            generator = generator_factory(newest)
            try:
                for _ in range(max(1, generation_passes)):
                    stats = generate_candidates(
                        store, generator, r, sampling=sampling, tasks=tasks,
                        system_prompt=settings.model.system_prompt,
                        tasks_per_call=tasks_per_call, progress=progress,
                    )  # fmt: skip
                    passes.append(stats.to_dict())
                    if stats.missing == 0:
                        break
            finally:
                close = getattr(generator, "close", None)
                if callable(close):
                    close()
        meta.update(
            model=newest.label,
            passes=passes,
            stored=store.count_candidates(r),
            missing=len(store.missing_candidates(r, n, ids)),
        )
    return meta


def _sample_and_score(
    settings: Settings,
    store: RunStore,
    r: int,
    tasks: Sequence[TaskRow],
    newest: ModelRef,
    generator_factory: GeneratorFactory,
    scorer: Any,
    report: Callable[[str], Callable[[int, int], None] | None],
    tasks_per_call: int,
    generation_passes: int,
    *,
    sampling: SamplingSettings | None = None,
    suffix: str = "",
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The stages `candidates{suffix}@r` then `score{suffix}@r`: (their metas)."""
    candidates = _candidates_stage(
        settings, store, r, tasks, newest, generator_factory, report(f"candidates{suffix}"),
        tasks_per_call, generation_passes, sampling=sampling, name=f"candidates{suffix}",
    )  # fmt: skip
    # The sampler's model (vLLM reserves most of a GPU) must be gone before training.
    gc.collect()
    _empty_cuda_cache()
    with _stage(store, f"score{suffix}", r) as scoring:
        scoring.update(
            score_candidates(store, r, scorer, progress=report(f"score{suffix}")).to_dict()
        )
    return candidates, scoring


def _unsolved_stage(
    settings: Settings,
    store: RunStore,
    r: int,
    tasks: Sequence[TaskRow],
    newest: ModelRef,
    generator_factory: GeneratorFactory,
    scorer: Any,
    report: Callable[[str], Callable[[int, int], None] | None],
    tasks_per_call: int,
    generation_passes: int,
) -> dict[str, Any]:
    """Adaptive sampling (`rft.unsolved_samples`): more candidates, scored, for the tasks
    none of whose first `sampling.n` candidates can be kept."""
    rft = settings.rft
    unsolved = unkept_tasks(
        store, r, scorer.key, threshold=rft.keep_threshold, tasks=tasks, first=settings.sampling.n
    )
    update: dict[str, Any] = {"n": rft.unsolved_samples}
    if rft.unsolved_temperature is not None:
        update["temperature"] = rft.unsolved_temperature
    sampling = settings.sampling.model_copy(update=update)
    meta, scoring = _sample_and_score(
        settings, store, r, unsolved, newest, generator_factory, scorer, report,
        tasks_per_call, generation_passes, sampling=sampling, suffix="-unsolved",
    )  # fmt: skip
    still = unkept_tasks(
        store, r, scorer.key, threshold=rft.keep_threshold, tasks=unsolved, first=sampling.n
    )
    return {
        **meta,
        "tasks": len(unsolved),
        "samples": sampling.n,
        "temperature": sampling.temperature,
        "now_keepable": len(unsolved) - len(still),
        "scoring": scoring,
    }


def _adapter_of(store: RunStore, round: int) -> Path | None:
    row = store.artifact(ADAPTER, round)
    if row is None or not is_adapter_dir(row.path):
        return None
    return Path(row.path)


def _train_stage(
    store: RunStore,
    trainer: TrainerFn,
    request: TrainRequest,
) -> tuple[Path, dict[str, Any]]:
    """Run a training stage unless its adapter is recorded and on disk."""
    done = _adapter_of(store, request.round)
    stage = store.stage("train", request.round)
    if done is not None and stage is not None and stage.status is Status.DONE:
        return done, dict(stage.meta)
    with _stage(store, "train", request.round) as meta:
        result = trainer(request)
        if not is_adapter_dir(result.adapter_dir):
            raise RuntimeError(f"the trainer saved no adapter in {result.adapter_dir}")
        meta.update(result.to_dict())
        store.add_artifact(
            ADAPTER,
            result.adapter_dir,
            kind="adapter",
            round=request.round,
            meta={"base_model": request.base_model, "final_loss": result.final_loss},
        )
    return Path(result.adapter_dir), meta


def load_tasks(path: str | Path) -> list[TaskRow]:
    """Tasks from a JSONL file: `prompt` (or `task`), and optional `id`, `kind`, `split`, `meta`.

    A row without an id gets one from its prompt, stable across runs.
    """
    p = Path(path)
    if not p.is_file():
        raise ConfigError(f"tasks file {p} does not exist")
    tasks: list[TaskRow] = []
    seen: set[str] = set()
    for number, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ConfigError(f"{p}:{number} is not JSON: {exc}") from None
        prompt = row.get("prompt", row.get("task")) if isinstance(row, dict) else None
        if not isinstance(prompt, str) or not prompt.strip():
            raise ConfigError(f"{p}:{number} has no 'prompt' text")
        task_id = str(row.get("id") or prompt_task_id(prompt))
        if task_id in seen:
            raise ConfigError(f"{p}:{number} repeats task id {task_id!r}")
        seen.add(task_id)
        tasks.append(
            TaskRow(task_id, prompt, row.get("kind"), row.get("split"), dict(row.get("meta") or {}))
        )
    if not tasks:
        raise ConfigError(f"{p} holds no tasks")
    return tasks


# -- the loop -----------------------------------------------------------------------


def run_rft(
    settings: Settings,
    *,
    store: RunStore,
    run_dir: str | Path,
    sft_rows: Sequence[Mapping[str, Any]],
    generator_factory: GeneratorFactory,
    reward: Any,
    tasks: Sequence[TaskRow] | None = None,
    trainer: TrainerFn | None = None,
    initial_adapter: str | Path | None = None,
    progress: Progress | None = None,
    tasks_per_call: int = 4,
    generation_passes: int = 2,
    across_tasks: bool = False,
) -> RFTResult:
    """Run (or continue) an RFT run; see the module docstring for the stages.

    `sft_rows`: prompt/completion (or chat) rows, the SFT data mixed into every round.
    `generator_factory(ModelRef)`: a `Generator` sampling that model.
    `reward`: anything `luaurft.rft.select.as_candidate_reward` accepts.
    `tasks`: added to the store (idempotent); a resumed run may omit them.
    `trainer`: trains one adapter (default `sft_trainer()`, i.e. `train_sft`).
    `initial_adapter`: an SFT adapter already trained; skips SFT.
    `generation_passes`: how often failed samples are asked for again.
    """
    out = Path(run_dir)
    out.mkdir(parents=True, exist_ok=True)
    train = trainer or sft_trainer(progress=progress)
    scorer = as_candidate_reward(reward)
    base = settings.model.base_model

    if tasks is not None:
        store.add_tasks(tasks)
    pool = store.tasks()
    if not pool:
        raise ConfigError(
            "the run has no tasks; give tasks (a JSONL of id/prompt) on the first run"
        )
    sft_data = [dict(r) for r in sft_rows]
    if any(is_text_pair(r) for r in sft_data):
        # Selections are message lists; a round's mix could not be trained, and
        # saying so after hours of sampling would waste them.
        raise ConfigError(
            "the SFT data are plain-text prompt/completion pairs, but RFT trains them "
            "together with its selections, which are message lists; write the SFT data "
            "as messages (`luaurft data build` does)"
        )
    digest = rows_digest(sft_data)
    recorded = store.get_meta("sft_rows_sha256")
    if recorded is None:
        store.set_meta("sft_rows_sha256", digest)
    elif recorded != digest:
        raise ConfigError(
            "the SFT data differ from the data this run started with; resume with the same "
            "data, or start a new run folder"
        )
    store.set_meta("reward_key", scorer.key)
    store.set_status("running")

    # Round 0: the SFT adapter every round starts from.
    newest = ModelRef(base, None, SFT_ROUND)
    sft_adapter: Path | None = None
    given = store.artifact(ADAPTER, SFT_ROUND)
    if initial_adapter is not None:
        if not is_adapter_dir(initial_adapter):
            raise ConfigError(f"{initial_adapter} is not a saved adapter (no adapter_config.json)")
        sft_adapter = Path(initial_adapter)
        if given is not None and Path(given.path) != sft_adapter and store.count_candidates():
            raise ConfigError(
                f"this run started from adapter {given.path}; resume with the same adapter, or "
                "start a new run folder"
            )
        store.add_artifact(ADAPTER, sft_adapter, kind="adapter", round=SFT_ROUND,
                           meta={"base_model": base, "given": True})  # fmt: skip
    elif given is not None and given.meta.get("given") and is_adapter_dir(given.path):
        # A resumed run that started from a given adapter keeps it.
        sft_adapter = Path(given.path)
    elif sft_data:
        sft_adapter, _ = _train_stage(
            store,
            train,
            TrainRequest(settings, sft_data, out / "adapters" / "sft", base, None, SFT_ROUND),
        )
    if sft_adapter is not None:
        newest = ModelRef(base, sft_adapter, SFT_ROUND)

    summaries: list[RoundSummary] = []
    for r in range(1, settings.rft.rounds + 1):
        summary, newest = _run_round(
            settings, store, out, r, pool, newest, sft_data, generator_factory, scorer,
            train, progress, tasks_per_call, generation_passes, across_tasks,
        )  # fmt: skip
        summaries.append(summary)

    store.set_status("done")
    return RFTResult(
        run_id=store.run_id,
        run_dir=out,
        sft_adapter=str(sft_adapter) if sft_adapter else None,
        rounds=summaries,
        reward_key=scorer.key,
    )


def _run_round(
    settings: Settings,
    store: RunStore,
    out: Path,
    r: int,
    pool: Sequence[TaskRow],
    newest: ModelRef,
    sft_data: Sequence[Mapping[str, Any]],
    generator_factory: GeneratorFactory,
    scorer: Any,
    train: TrainerFn,
    progress: Progress | None,
    tasks_per_call: int,
    generation_passes: int,
    across_tasks: bool,
) -> tuple[RoundSummary, ModelRef]:
    rft = settings.rft
    existing = {row.round: row for row in store.rounds()}
    if r in existing and existing[r].meta.get("task_ids"):
        by_id = {t.id: t for t in pool}
        tasks = [by_id[i] for i in existing[r].meta["task_ids"] if i in by_id]
    else:
        tasks = round_tasks(pool, rft.tasks_per_round, r, settings.training.seed)
    store.start_round(r, meta={"task_ids": [t.id for t in tasks], "model": newest.label})
    summary = RoundSummary(round=r, tasks=len(tasks))

    def report(stage: str) -> Callable[[int, int], None] | None:
        if progress is None:
            return None
        return lambda done, total: progress(f"{stage}@{r}", done, total)

    # Candidates: only the missing ones; the model is loaded only if something is missing.
    summary.candidates, summary.scoring = _sample_and_score(
        settings, store, r, tasks, newest, generator_factory, scorer, report,
        tasks_per_call, generation_passes,
    )  # fmt: skip

    if rft.unsolved_samples > settings.sampling.n:
        summary.candidates = {
            **summary.candidates,
            "unsolved": _unsolved_stage(
                settings, store, r, tasks, newest, generator_factory, scorer, report,
                tasks_per_call, generation_passes,
            ),
        }  # fmt: skip

    with _stage(store, "select", r) as meta:
        selection = select_round(
            store, r, scorer.key, threshold=rft.keep_threshold, jaccard=rft.dedup_jaccard,
            tasks=tasks, across_tasks=across_tasks, skip_solved=rft.skip_solved,
        )  # fmt: skip
        meta.update(selection.to_dict())
    summary.selection = meta

    kept_rows = selected_rows(store, r, settings.model.system_prompt)
    if rft.cumulative_selections and kept_rows:
        earlier = [selected_rows(store, k, settings.model.system_prompt) for k in range(1, r)]
        kept_rows = cumulative_rows([*earlier, kept_rows])
    if not kept_rows:
        # Nothing cleared the threshold: training on SFT data alone again would
        # only repeat SFT, so the newest model stays the newest.
        log.warning("round %d kept no candidate; the model is not retrained", r)
        with _stage(store, "train", r) as meta:
            meta.update(skipped="no candidate kept", adapter=str(newest.adapter or ""))
        summary.training = meta
        summary.adapter = str(newest.adapter) if newest.adapter else None
        store.finish_round(r, meta={"kept_mean_reward": None, "kept": 0, "trained": False})
        return summary, ModelRef(newest.base_model, newest.adapter, newest.round)

    mix = mix_training_rows(
        sft_data, kept_rows, rft.mix_ratio, settings.training.seed + r, rft.selection_repeats
    )
    data_path = out / "data" / f"round-{r}.jsonl"
    data_path.parent.mkdir(parents=True, exist_ok=True)
    with data_path.open("w", encoding="utf-8") as handle:
        for row in mix:
            handle.write(json.dumps(row, ensure_ascii=False, default=str) + "\n")
    store.add_artifact(TRAIN_DATA, data_path, kind="dataset", round=r,
                       meta={"sft": len(mix) - len(kept_rows) * rft.selection_repeats,
                             "selected": len(kept_rows)})  # fmt: skip
    init = None if rft.retrain_from_base else newest.adapter
    adapter, train_meta = _train_stage(
        store,
        train,
        TrainRequest(settings, mix, out / "adapters" / f"round-{r}", newest.base_model, init, r),
    )
    summary.training = {**train_meta, "from": "base" if init is None else str(init)}
    summary.adapter = str(adapter)
    store.finish_round(
        r,
        meta={
            "kept_mean_reward": selection.kept_mean,
            "kept": selection.kept,
            "trained": True,
            "adapter": str(adapter),
        },
    )
    return summary, ModelRef(newest.base_model, adapter, r)
