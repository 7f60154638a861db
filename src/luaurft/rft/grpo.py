"""GRPO: online RL with TRL's `GRPOTrainer` on the same reward as RFT.

Each step samples `num_generations` completions per task from the policy
(the LoRA-wrapped model), rewards them with the reward RFT selects by
(`luaurft.reward.HybridReward`, or any reward `as_candidate_reward` accepts),
and moves the policy toward the better ones within each group. Sampling uses
vLLM (colocated with the trainer) only where vLLM is importable and CUDA is
present; elsewhere TRL samples with transformers.

The reward function runs the same sample → store → score pipeline as RFT and
evaluation (`GRPOReward`): each completion TRL samples lands in the run store
(`run.sqlite` in the output folder) as a candidate of round `step + 1`, its code
extracted once, and is rewarded from there, so the reward sees exactly the stored
code and the task found through the dataset's `task_id` column (its `task` text
and, where the task row carries it, the task itself with its checks), never a
prompt re-parsed from the chat template.

With `checkpoint_steps` (or `training.checkpoint_steps`) a killed run called again on
the same output folder resumes from its newest checkpoint (`luaurft.rft.checkpoints`):
the steps after that checkpoint are redone, and their completions take the (round,
task, index) places the killed run stored them in, so the store never holds a step
twice and a completion sampled again with the same text is not scored again.
"""

from __future__ import annotations

import importlib.util
import json
import logging
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from luaurft.config import REFERENCE_SYSTEM_PROMPT, Settings
from luaurft.errors import ConfigError
from luaurft.rft.candidates import conversation
from luaurft.rft.checkpoints import (
    checkpoint_step,
    checkpoints_dir,
    last_checkpoint,
    remove_checkpoints,
)
from luaurft.rft.distributed import engine
from luaurft.rft.select import (
    SPEC_META,
    CandidateReward,
    as_candidate_reward,
    reward_key,
    run_tasks,
    task_spec,
)
from luaurft.rft.sft import (
    TRAIN_META_FILENAME,
    TrainingError,
    TrainResult,
    cuda_available,
    import_trainers,
    load_trainable_model,
    quiet,
    reporting_callback,
    resolve_report_to,
    trainer_args,
)
from luaurft.runs.pipeline import reward_candidates
from luaurft.runs.store import NewCandidate, RunStore, TaskRow, prompt_task_id
from luaurft.scoring import takes_keyword

log = logging.getLogger(__name__)

ProgressFn = Callable[[int, int], None]


def vllm_usable() -> bool:
    """vLLM can sample for the trainer: it is installed and there is a CUDA device."""
    return importlib.util.find_spec("vllm") is not None and cuda_available()


class GRPOReward:
    """A TRL reward function that runs the sample → store → score pipeline on what TRL
    sampled: each completion is stored as a candidate of round `global_step + 1` (code
    extracted once, `NewCandidate.from_completion`), its task found by the dataset's
    `task_id` column (or its `task` text), and rewarded through
    `luaurft.runs.pipeline.reward_candidates`; TRL gets the stored values.

    Idempotent per (round, task, index): the i-th completion of a task in a round is
    index i, counted from 0 by this reward. A run resumed from a checkpoint redoes the
    steps after it, and each redone completion takes the place of the one the killed
    run stored there (`RunStore.put_candidates`): the same text keeps its stored row and
    reward (not scored again), other text replaces it. When the round is over (the next
    one starts, or `finish_round()` at the end of training) what the killed attempt
    stored beyond that is deleted (`RunStore.trim_round`): TRL does not replay the
    shuffle of epochs before the checkpoint, so a redone step may draw other tasks. The
    store holds one set of candidates per step however often the step was started.

    `store`: the run store completions land in (default: one in memory). A reward
    without a value (a failed judge with no fallback) is passed to TRL as None, which
    leaves that completion out instead of scoring it 0. A `HybridReward` keeps its
    name and logs its components' means, as it does when TRL calls it directly.
    """

    def __init__(
        self, reward: Any, store: RunStore | None = None, tasks: Sequence[TaskRow] = ()
    ) -> None:
        self.source = reward
        self.reward: CandidateReward = as_candidate_reward(reward)
        self.takes_tasks = takes_keyword(self.reward.score_batch, "tasks")
        self.store = store if store is not None else RunStore(":memory:")
        self.store.add_tasks(tasks)
        named = hasattr(reward, "score_many") and isinstance(getattr(reward, "__name__", None), str)
        self.__name__ = reward.__name__ if named else "reward"
        self.calls = 0
        # The round being sampled and how many completions of each task it has so far.
        self._round = 0
        self._taken: dict[str, int] = {}

    def finish_round(self) -> None:
        """End the current round: what a killed attempt stored in it beyond what this
        attempt sampled is deleted (a redone step may draw other tasks)."""
        if self._round:
            self.store.trim_round(self._round, self._taken)
        self._round, self._taken = 0, {}

    def attach(self, store: RunStore) -> None:
        """Store what comes next in `store` (with the tasks known so far)."""
        store.add_tasks(self.store.tasks())
        self.store = store

    def __call__(
        self, prompts: Sequence[Any], completions: Sequence[Any], **columns: Any
    ) -> list[float | None]:
        from luaurft.llm import Completion
        from luaurft.reward import HybridReward, completion_text, component_means

        task_ids = self._task_ids(columns, len(completions))
        self.calls += 1
        state = columns.get("trainer_state")
        round = int(getattr(state, "global_step", self.calls - 1)) + 1
        if round != self._round:
            self.finish_round()
            self._round = round
        new: list[NewCandidate] = []
        for task_id, completion in zip(task_ids, completions, strict=True):
            index = self._taken.get(task_id, 0)
            self._taken[task_id] = index + 1
            new.append(
                NewCandidate.from_completion(
                    task_id, round, index, Completion(completion_text(completion)),
                    model="grpo-policy",
                )
            )  # fmt: skip
        # Indices count what this process sampled in the round, so a step redone after a
        # resume lands on the killed attempt's rows: kept where the text is the same (its
        # reward read back), replaced where it is not, never stored a second time.
        ids = self.store.put_candidates(new)
        rows = [row for i in ids if (row := self.store.candidate(i)) is not None]
        tasks = run_tasks(self.store.tasks(), specs=self.takes_tasks)
        values = reward_candidates(self.store, self.reward, rows, tasks)
        log_metric = columns.get("log_metric")
        if callable(log_metric) and isinstance(self.source, HybridReward):
            # TRL averages these per logging step, next to the reward itself.
            for name, mean in component_means(self.source.last).items():
                log_metric(f"{self.__name__}/{name}", mean)
        return values

    def _task_ids(self, columns: dict[str, Any], count: int) -> list[str]:
        """Each completion's task id; a task known only by its text is stored first."""
        ids, texts = columns.get("task_id"), columns.get("task")
        if ids is not None:
            found = [str(i) for i in ids]
        elif texts is not None:
            found = [prompt_task_id(str(t)) for t in texts]
        else:
            raise TrainingError("the GRPO dataset needs a 'task' column (the task's text)")
        unknown = {i for i in found if self.store.task(i) is None}
        if unknown and texts is None:
            raise TrainingError(
                f"tasks {sorted(unknown)[:3]} are not in the run store and the GRPO dataset "
                "has no 'task' column (the task's text)"
            )
        if unknown and texts is not None:
            # A task the store does not know comes whole through the dataset's columns:
            # its text, and its checks in `task_spec` where the dataset carries them.
            from luaurft.reward import TASK_SPEC_COLUMN

            text_of = dict(zip(found, texts, strict=True))
            spec_of = dict(zip(found, columns.get(TASK_SPEC_COLUMN) or [""] * count, strict=True))
            self.store.add_tasks(
                TaskRow(i, str(text_of[i]), meta=_spec_meta(spec_of[i])) for i in sorted(unknown)
            )
        if len(found) != count:
            raise TrainingError(f"{len(found)} task ids for {count} completions")
        return found


def _spec_meta(spec: Any) -> dict[str, Any]:
    """A task row's meta for a `task_spec` column value (JSON, or "" for a prompt only)."""
    if not spec:
        return {}
    return {SPEC_META: json.loads(spec) if isinstance(spec, str) else spec}


def trl_reward_function(
    reward: Any, store: RunStore | None = None, tasks: Sequence[TaskRow] = ()
) -> GRPOReward:
    """The reward as TRL calls it: through the pipeline, into `store` (see `GRPOReward`)."""
    return GRPOReward(reward, store, tasks)


def grpo_dataset(tasks: Sequence[TaskRow], system_prompt: str = REFERENCE_SYSTEM_PROMPT) -> Any:
    """One row per task; a task row carrying its whole task (`meta["spec"]`) passes it in
    the `task_spec` column, so a task-aware reward runs that task's own checks ("" when a
    row has none: every row needs the same columns)."""
    import datasets

    from luaurft.reward import TASK_SPEC_COLUMN, task_column

    if not tasks:
        raise TrainingError("GRPO needs at least one task")
    specs = [task_spec(t) for t in tasks]
    return datasets.Dataset.from_list(
        [
            {
                "prompt": conversation(t.prompt, system_prompt),
                "task": t.prompt,
                "task_id": t.id,
                "kind": t.kind or "",
                **({TASK_SPEC_COLUMN: task_column(spec) if spec else ""} if any(specs) else {}),
            }
            for t, spec in zip(tasks, specs, strict=True)
        ]
    )


def grpo_config(
    settings: Settings,
    output_dir: str | Path,
    *,
    cuda: bool,
    precision: str,
    report_to: Sequence[str],
    num_generations: int | None = None,
    max_steps: int | None = None,
    use_vllm: bool = False,
    run_name: str | None = None,
    checkpoint_steps: int | None = None,
) -> Any:
    """TRL `GRPOConfig` from settings: training hyper-parameters, and sampling from `sampling`;
    a checkpoint every `checkpoint_steps` (None: none)."""
    t, s = settings.training, settings.sampling
    generations = num_generations or s.n
    completions_per_step = t.per_device_batch_size * t.gradient_accumulation_steps
    if generations < 2:
        raise ConfigError("GRPO needs at least 2 samples per task (sampling.n >= 2)")
    if completions_per_step % generations:
        raise ConfigError(
            f"per_device_batch_size x gradient_accumulation_steps ({completions_per_step}) counts "
            f"completions in GRPO and must be a multiple of the samples per task ({generations})"
        )
    import_trainers()
    from trl import GRPOConfig

    kwargs: dict[str, Any] = {}
    if use_vllm:
        v = settings.vllm
        kwargs.update(use_vllm=True, vllm_mode=v.grpo_mode)
        if v.grpo_mode == "server":
            # `trl vllm-serve --model BASE --tensor-parallel-size N` runs on other GPUs.
            kwargs.update(vllm_server_host=v.server_host, vllm_server_port=v.server_port)
        else:
            kwargs.update(
                vllm_tensor_parallel_size=v.tensor_parallel_size,
                vllm_gpu_memory_utilization=v.gpu_memory_utilization,
            )
    return GRPOConfig(
        **trainer_args(
            settings,
            output_dir,
            cuda=cuda,
            precision=precision,
            report_to=report_to,
            max_steps=max_steps,
            run_name=run_name,
            checkpoint_steps=checkpoint_steps,
        ),
        num_generations=generations,
        max_completion_length=s.max_new_tokens,
        temperature=s.temperature,
        top_p=s.top_p,
        logging_steps=1,
        **kwargs,
    )


def train_grpo(
    settings: Settings,
    tasks: Sequence[TaskRow],
    reward: Any,
    output_dir: str | Path,
    *,
    base_model: str | None = None,
    init_adapter: str | Path | None = None,
    num_generations: int | None = None,
    max_steps: int | None = None,
    use_vllm: bool | None = None,
    report_to: Sequence[str] | None = None,
    run_name: str | None = None,
    progress: ProgressFn | None = None,
    store: RunStore | None = None,
    checkpoint_steps: int | None = None,
) -> TrainResult:
    """Train a LoRA adapter with GRPO on `tasks` and save it to `output_dir`.

    Every completion sampled and its reward land in `store` (default: `run.sqlite` in
    `output_dir`, a run of kind "rft" with meta `method: grpo`), round = step + 1.

    `init_adapter`: start from this adapter (usually the SFT one).
    `use_vllm`: None picks vLLM when `vllm_usable()`; True without it is an error.
    `checkpoint_steps`: save a trainer checkpoint every that many steps (default:
    `settings.training.checkpoint_steps`), and resume from the newest one when called
    again on the same `output_dir`: the global step goes on from the checkpoint's, the
    steps after it are redone and their completions take the places the killed run
    stored them in (see `GRPOReward`). The checkpoints are removed once the adapter is
    saved. `TrainResult.rewards` holds the mean reward of each logged step (a resumed
    run's too: the checkpoint keeps the log of the steps before it).
    """
    import_trainers()
    from trl import GRPOTrainer

    if use_vllm and not vllm_usable():
        raise ConfigError("use_vllm needs vLLM installed and a CUDA device")
    sample_with_vllm = vllm_usable() if use_vllm is None else use_vllm
    base = base_model or settings.model.base_model
    out = Path(output_dir)
    out.mkdir(parents=True, exist_ok=True)
    cuda = cuda_available()
    reporting = resolve_report_to(
        settings.training.report_to if report_to is None else list(report_to)
    )
    if checkpoint_steps is None:
        checkpoint_steps = settings.training.checkpoint_steps
    resume = last_checkpoint(out, checkpoint_steps)
    loaded = load_trainable_model(settings, base, init_adapter, cuda=cuda)

    reward_fn = trl_reward_function(reward, tasks=tasks)
    args = grpo_config(
        settings,
        checkpoints_dir(out),
        cuda=cuda,
        precision=loaded.precision,
        report_to=reporting,
        num_generations=num_generations,
        max_steps=max_steps,
        use_vllm=sample_with_vllm,
        run_name=run_name or f"{settings.name}-grpo",
        checkpoint_steps=checkpoint_steps,
    )
    trainer = GRPOTrainer(
        model=loaded.model,
        reward_funcs=[reward_fn],
        args=args,
        train_dataset=grpo_dataset(tasks, settings.model.system_prompt),
        processing_class=loaded.tokenizer,
        peft_config=loaded.peft_config,
        callbacks=[reporting_callback(progress)],
    )
    quiet(trainer)
    main = trainer.accelerator.is_main_process
    own_store = store is None and main
    if own_store:
        store = RunStore.in_dir(
            out, kind="rft", config={"method": "grpo", "settings": settings.model_dump(mode="json")}
        )
    if store is not None and main:
        # One process writes the store; the others reward their share in memory.
        reward_fn.attach(store)
        store.set_meta("method", "grpo")
        store.set_meta("reward_key", reward_fn.reward.key)
    if resume is not None:
        log.info("GRPO resumes from %s (step %d)", resume, checkpoint_step(resume))
    try:
        trainer.train(resume_from_checkpoint=str(resume) if resume is not None else None)
        reward_fn.finish_round()
    finally:
        if own_store and store is not None:
            store.close()
    # Every process takes part (the engines gather sharded weights); the main one writes.
    trainer.save_model(str(out))
    if main:
        loaded.tokenizer.save_pretrained(str(out))

    history = trainer.state.log_history
    rewards = [float(e["reward"]) for e in history if "reward" in e]
    result = TrainResult(
        adapter_dir=out,
        base_model=base,
        examples=len(tasks),
        steps=int(trainer.state.global_step),
        losses=[float(e["loss"]) for e in history if "loss" in e],
        rewards=rewards,
        target_modules=loaded.targets,
        skipped_modules=loaded.skipped,
        quantized=loaded.quantized,
        precision=loaded.precision,
        init_adapter=str(init_adapter) if init_adapter is not None else None,
        report_to=[r for r in reporting if r != "none"],
        processes=trainer.accelerator.num_processes,
        engine=engine(),
    )
    meta = {**result.to_dict(), "method": "grpo", "use_vllm": sample_with_vllm,
            "reward_key": reward_key(reward)}  # fmt: skip
    if main:
        (out / TRAIN_META_FILENAME).write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
        remove_checkpoints(out)
    trainer.accelerator.wait_for_everyone()
    return result
