"""An RFT run driven by files: what `luaurft rft` calls.

The first call names the tasks and the SFT data; both are kept in the run
folder (tasks in the store, the SFT rows copied to `data/sft.jsonl`), so
resuming needs only the config and the folder.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from luaurft.config import Settings
from luaurft.errors import ConfigError
from luaurft.rft.distributed import is_main_process
from luaurft.rft.factories import RewardChoice, generator_factory, make_reward
from luaurft.rft.followers import follow_main_process, lead_followers
from luaurft.rft.loop import Progress, RFTResult, TrainerFn, load_tasks, run_rft, sft_trainer
from luaurft.rft.sft import load_rows
from luaurft.runs.store import RunStore

SFT_COPY = Path("data") / "sft.jsonl"


def default_run_dir(settings: Settings) -> Path:
    return Path("runs") / settings.name


def run_identity(settings: Settings) -> dict[str, Any]:
    """The config a run store records and checks on resume. How many GPUs sample
    (the [vllm] section) changes speed, not what a run is: a run may resume on
    another machine."""
    return settings.model_dump(mode="json", exclude={"vllm"})


def run_from_files(
    settings: Settings,
    run_dir: str | Path | None = None,
    *,
    tasks_path: str | Path | None = None,
    sft_data: str | Path | None = None,
    initial_adapter: str | Path | None = None,
    generator: str = "auto",
    reward: RewardChoice = "auto",
    max_steps: int | None = None,
    report_to: list[str] | None = None,
    checkpoint_steps: int | None = None,
    tasks_per_call: int = 4,
    across_tasks: bool = False,
    progress: Progress | None = None,
    generator_options: dict[str, Any] | None = None,
    jobs: int = 1,
    ray: str | None = None,
) -> RFTResult | None:
    """Start or continue the run in `run_dir` (default `runs/<settings.name>`).
    `jobs` worker processes score and run the candidates (0: one per CPU), or Ray
    tasks on the cluster at `ray`; the driver writes every result to the store.

    Under a multi-process `accelerate launch` only the main process runs the
    rounds (and returns their result); the others train each round with it and
    return None (`luaurft.rft.followers`)."""
    train = sft_trainer(
        max_steps=max_steps,
        report_to=report_to,
        checkpoint_steps=checkpoint_steps,
        progress=progress,
    )
    if not is_main_process():
        follow_main_process(train)
        return None
    with lead_followers(train) as trainer:
        return _run_main(
            settings, run_dir, tasks_path=tasks_path, sft_data=sft_data,
            initial_adapter=initial_adapter, generator=generator, reward=reward,
            trainer=trainer, tasks_per_call=tasks_per_call, across_tasks=across_tasks,
            progress=progress, generator_options=generator_options, jobs=jobs, ray=ray,
        )  # fmt: skip


def _run_main(
    settings: Settings,
    run_dir: str | Path | None,
    *,
    tasks_path: str | Path | None,
    sft_data: str | Path | None,
    initial_adapter: str | Path | None,
    generator: str,
    reward: RewardChoice,
    trainer: TrainerFn,
    tasks_per_call: int,
    across_tasks: bool,
    progress: Progress | None,
    generator_options: dict[str, Any] | None,
    jobs: int,
    ray: str | None,
) -> RFTResult:
    out = Path(run_dir) if run_dir is not None else default_run_dir(settings)
    out.mkdir(parents=True, exist_ok=True)
    copy = out / SFT_COPY
    if sft_data is not None:
        source = Path(sft_data)
        rows = load_rows(source)
        if copy.is_file() and copy.read_bytes() != source.read_bytes():
            raise ConfigError(
                f"{out} was started with other SFT data ({copy}); resume without --sft-data, "
                "or start a new run folder"
            )
        copy.parent.mkdir(parents=True, exist_ok=True)
        if not copy.is_file():
            shutil.copyfile(source, copy)
    else:
        rows = load_rows(copy) if copy.is_file() else []
    tasks = load_tasks(tasks_path) if tasks_path is not None else None
    with RunStore.in_dir(out, kind="rft", config=run_identity(settings)) as store:
        if tasks is None and not store.tasks():
            raise ConfigError("a new run needs its tasks: pass --tasks FILE.jsonl (id, prompt)")
        return run_rft(
            settings,
            store=store,
            run_dir=out,
            sft_rows=rows,
            tasks=tasks,
            generator_factory=generator_factory(
                generator,
                vllm_options=settings.vllm.engine_options(),
                **(generator_options or {}),
            ),
            reward=make_reward(settings, reward, jobs=jobs, ray=ray),
            trainer=trainer,
            initial_adapter=initial_adapter,
            progress=progress,
            tasks_per_call=tasks_per_call,
            across_tasks=across_tasks,
        )
