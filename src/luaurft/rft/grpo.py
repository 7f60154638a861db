"""GRPO: online RL with TRL's `GRPOTrainer` on the same reward as RFT.

Each step samples `num_generations` completions per task from the policy
(the LoRA-wrapped model), rewards them with the reward RFT selects by
(`luaurft.reward.HybridReward`, or any reward `as_candidate_reward` accepts),
and moves the policy toward the better ones within each group. Sampling uses
vLLM (colocated with the trainer) only where vLLM is importable and CUDA is
present; elsewhere TRL samples with transformers.

The reward sees the code extracted from each completion (fences and chatter
removed) and the task's own text, passed through the dataset's `task`
column, never a prompt re-parsed from the chat template.
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
from luaurft.rft.distributed import engine
from luaurft.rft.select import CandidateReward, as_candidate_reward, reward_key, task_spec
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
from luaurft.runs.store import TaskRow

log = logging.getLogger(__name__)

ProgressFn = Callable[[int, int], None]


def vllm_usable() -> bool:
    """vLLM can sample for the trainer: it is installed and there is a CUDA device."""
    return importlib.util.find_spec("vllm") is not None and cuda_available()


class GRPOReward:
    """A TRL reward function over a `CandidateReward`: one value per completion.

    A reward without a value (a failed judge with no fallback) is passed to
    TRL as None, which leaves that completion out instead of scoring it 0.
    """

    def __init__(self, reward: Any) -> None:
        self.reward: CandidateReward = as_candidate_reward(reward)
        self.__name__ = "reward"
        self.calls = 0

    def __call__(
        self, prompts: Sequence[Any], completions: Sequence[Any], **columns: Any
    ) -> list[float | None]:
        tasks = columns.get("task")
        if tasks is None:
            raise TrainingError("the GRPO dataset needs a 'task' column (the task's text)")
        from luaurft.llm import extract_code
        from luaurft.reward import completion_text

        # Extracted as a stored candidate's code is (and as HybridReward does for TRL).
        items = [
            (str(task), extract_code(completion_text(c)).code)
            for task, c in zip(tasks, completions, strict=True)
        ]
        self.calls += 1
        return [r.value for r in self.reward.score_batch(items)]


def trl_reward_function(reward: Any) -> Any:
    """The reward as TRL calls it: a reward that is one already (`HybridReward`, which
    also logs its components) as is, anything else wrapped in `GRPOReward`."""
    if callable(reward) and hasattr(reward, "score_many") and hasattr(reward, "__name__"):
        return reward
    return GRPOReward(reward)


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
) -> Any:
    """TRL `GRPOConfig` from settings: training hyper-parameters, and sampling from `sampling`."""
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
        ),
        num_generations=generations,
        max_completion_length=s.max_new_tokens,
        temperature=s.temperature,
        top_p=s.top_p,
        logging_steps=1,
        save_strategy="no",
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
) -> TrainResult:
    """Train a LoRA adapter with GRPO on `tasks` and save it to `output_dir`.

    `init_adapter`: start from this adapter (usually the SFT one).
    `use_vllm`: None picks vLLM when `vllm_usable()`; True without it is an error.
    `TrainResult.rewards` holds the mean reward of each logged step.
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
    loaded = load_trainable_model(settings, base, init_adapter, cuda=cuda)

    reward_fn = trl_reward_function(reward)
    args = grpo_config(
        settings,
        out / "checkpoints",
        cuda=cuda,
        precision=loaded.precision,
        report_to=reporting,
        num_generations=num_generations,
        max_steps=max_steps,
        use_vllm=sample_with_vllm,
        run_name=run_name or f"{settings.name}-grpo",
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
    trainer.train()
    # Every process takes part (the engines gather sharded weights); the main one writes.
    trainer.save_model(str(out))
    main = trainer.accelerator.is_main_process
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
    trainer.accelerator.wait_for_everyone()
    return result
