"""`luaurft sft`, `luaurft rft` and `luaurft grpo`: training commands over `luaurft.rft`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any, TextIO

import typer

from luaurft.cli._options import (
    DataParallelOption,
    FormatOption,
    HumanOrJson,
    JobsOption,
    JsonAlias,
    RayOption,
    TensorParallelOption,
    vllm_settings,
    wants_json,
)
from luaurft.cli._output import answer_stream
from luaurft.errors import ConfigError

ConfigOption = Annotated[
    Path,
    typer.Option("--config", "-c", help="Settings preset (TOML), e.g. configs/reference.toml."),
]
MaxSteps = Annotated[
    int | None,
    typer.Option("--max-steps", help="Stop each training run after this many optimizer steps."),
]
ReportTo = Annotated[
    list[str] | None,
    typer.Option("--report-to", help="Override training.report_to (wandb, none, ...); repeatable."),
]
Verbose = Annotated[bool, typer.Option("--verbose", "-v", help="Log each step.")]
CheckpointSteps = Annotated[
    int | None,
    typer.Option(
        "--checkpoint-steps",
        min=1,
        help="Save (and resume) training every N steps (default: training.checkpoint_steps).",
    ),
]
RewardOption = Annotated[
    str,
    typer.Option(
        "--reward",
        help="auto (hybrid where available, else deterministic), hybrid or deterministic.",
    ),
]


def _reward_choice(value: str) -> Any:
    if value not in ("auto", "hybrid", "deterministic"):
        raise ConfigError(f"unknown --reward {value!r}; use auto, hybrid or deterministic")
    return value


def register(app: typer.Typer) -> None:
    app.command("tiny-model")(tiny_model)

    @app.command("sft")
    def sft(
        config: ConfigOption,
        data: Annotated[
            Path, typer.Option("--data", "-d", help="Prompt/completion (or chat) JSONL.")
        ],
        out: Annotated[Path, typer.Option("--out", "-o", help="Adapter folder to write.")],
        base: Annotated[
            str | None, typer.Option("--base", help="Base model (default: model.base_model).")
        ] = None,
        adapter: Annotated[
            Path | None, typer.Option("--adapter", help="Continue training this adapter.")
        ] = None,
        max_steps: MaxSteps = None,
        report_to: ReportTo = None,
        verbose: Verbose = False,
        output_format: FormatOption = HumanOrJson.TABLE,
        json_alias: JsonAlias = False,
    ) -> None:
        """Supervised fine-tuning of a LoRA adapter (QLoRA on CUDA) with completion-only loss."""
        from luaurft.cli._progress import setup_logging, stage_bars
        from luaurft.config import load_config
        from luaurft.rft.sft import load_rows, train_sft

        as_json = wants_json(output_format, json_alias)
        setup_logging(verbose)
        settings = load_config(config)
        rows = load_rows(data)
        with answer_stream(as_json) as stream, stage_bars(quiet=as_json) as bars:
            result = train_sft(
                settings, rows, out, base_model=base, init_adapter=adapter, max_steps=max_steps,
                report_to=report_to, progress=lambda done, total: bars("sft", done, total),
            )  # fmt: skip
            _emit(result.to_dict(), as_json, f"adapter saved to {result.adapter_dir}", stream)

    @app.command("rft")
    def rft(
        config: ConfigOption,
        run_dir: Annotated[
            Path | None,
            typer.Option("--run-dir", help="Run folder (default runs/<config name>); resumes."),
        ] = None,
        tasks: Annotated[
            Path | None,
            typer.Option("--tasks", help="Tasks JSONL (prompt, optional id); first run only."),
        ] = None,
        sft_data: Annotated[
            Path | None,
            typer.Option("--sft-data", help="SFT prompt/completion JSONL; first run only."),
        ] = None,
        adapter: Annotated[
            Path | None,
            typer.Option("--adapter", help="An SFT adapter already trained (skips SFT)."),
        ] = None,
        generator: Annotated[
            str,
            typer.Option(
                "--generator",
                help="auto (vLLM on CUDA, else transformers), transformers, vllm, or a fixed "
                "generator spec such as openai:MODEL@URL.",
            ),
        ] = "auto",
        reward: RewardOption = "auto",
        max_steps: MaxSteps = None,
        report_to: ReportTo = None,
        checkpoint_steps: CheckpointSteps = None,
        tasks_per_call: Annotated[
            int, typer.Option("--tasks-per-call", help="Tasks batched per generate call.")
        ] = 4,
        across_tasks: Annotated[
            bool,
            typer.Option("--dedup-across-tasks", help="Drop kept code that repeats across tasks."),
        ] = False,
        jobs: JobsOption = 1,
        ray: RayOption = None,
        tensor_parallel_size: TensorParallelOption = None,
        data_parallel_size: DataParallelOption = None,
        verbose: Verbose = False,
        output_format: FormatOption = HumanOrJson.TABLE,
        json_alias: JsonAlias = False,
    ) -> None:
        """Best-of-N rejection-sampling fine-tuning, resumable: rerun to continue a killed run."""
        from luaurft.cli._progress import setup_logging, stage_bars
        from luaurft.config import load_config
        from luaurft.rft.distributed import is_main_process
        from luaurft.rft.run import run_from_files

        as_json = wants_json(output_format, json_alias)
        setup_logging(verbose)
        settings = load_config(config)
        parallel = vllm_settings(settings, tensor_parallel_size, data_parallel_size)
        settings = settings.model_copy(update={"vllm": parallel})
        # Under `accelerate launch` the main process runs the rounds and reports; the
        # others only train each round with it (luaurft.rft.followers).
        with (
            answer_stream(as_json) as stream,
            stage_bars(quiet=as_json or not is_main_process()) as bars,
        ):
            result = run_from_files(
                settings, run_dir, tasks_path=tasks, sft_data=sft_data, initial_adapter=adapter,
                generator=generator, reward=_reward_choice(reward), max_steps=max_steps,
                report_to=report_to, checkpoint_steps=checkpoint_steps,
                tasks_per_call=tasks_per_call, across_tasks=across_tasks, progress=bars,
                jobs=jobs, ray=ray,
            )  # fmt: skip
            if result is not None and as_json:
                stream.write(json.dumps(result.to_dict(), indent=2, default=str) + "\n")
        if result is None or as_json:
            return
        _print_rounds(result)

    @app.command("grpo")
    def grpo(
        config: ConfigOption,
        tasks: Annotated[Path, typer.Option("--tasks", help="Tasks JSONL (prompt, optional id).")],
        out: Annotated[Path, typer.Option("--out", "-o", help="Adapter folder to write.")],
        adapter: Annotated[
            Path | None, typer.Option("--adapter", help="Start from this adapter (e.g. SFT).")
        ] = None,
        base: Annotated[
            str | None, typer.Option("--base", help="Base model (default: model.base_model).")
        ] = None,
        reward: RewardOption = "auto",
        max_steps: MaxSteps = None,
        report_to: ReportTo = None,
        vllm: Annotated[
            bool | None,
            typer.Option("--vllm/--no-vllm", help="Sample with vLLM (default: where usable)."),
        ] = None,
        checkpoint_steps: CheckpointSteps = None,
        verbose: Verbose = False,
        output_format: FormatOption = HumanOrJson.TABLE,
        json_alias: JsonAlias = False,
    ) -> None:
        """GRPO on the tasks with the same reward RFT uses; with checkpoints, rerun to
        continue a killed run from its newest checkpoint."""
        from luaurft.cli._progress import setup_logging, stage_bars
        from luaurft.config import load_config
        from luaurft.rft.checkpoints import checkpoint_step, last_checkpoint
        from luaurft.rft.distributed import is_main_process
        from luaurft.rft.factories import make_reward
        from luaurft.rft.grpo import train_grpo
        from luaurft.rft.loop import load_tasks

        as_json = wants_json(output_format, json_alias)
        setup_logging(verbose)
        settings = load_config(config)
        if checkpoint_steps is None:
            checkpoint_steps = settings.training.checkpoint_steps
        task_rows = load_tasks(tasks)
        resume = last_checkpoint(out, checkpoint_steps)
        if resume is not None and is_main_process():
            typer.echo(f"resuming GRPO from step {checkpoint_step(resume)} ({resume})", err=True)
        with answer_stream(as_json) as stream, stage_bars(quiet=as_json) as bars:
            result = train_grpo(
                settings, task_rows, make_reward(settings, _reward_choice(reward)), out,
                base_model=base, init_adapter=adapter, max_steps=max_steps, use_vllm=vllm,
                report_to=report_to, progress=lambda done, total: bars("grpo", done, total),
                checkpoint_steps=checkpoint_steps,
            )  # fmt: skip
            _emit(result.to_dict(), as_json, f"adapter saved to {result.adapter_dir}", stream)


def tiny_model(
    out: Annotated[Path, typer.Option("--out", "-o", help="Folder for the model.")],
    seed: Annotated[int, typer.Option("--seed")] = 0,
) -> None:
    """Build a tiny Mistral-architecture model and tokenizer from nothing (no download), to
    try sft, rft and grpo on a CPU (configs/tiny.toml). Random weights: not a useful model."""
    from luaurft.llm.tiny import build_tiny_model

    typer.echo(f"tiny model saved to {build_tiny_model(out, seed=seed)}")


def _emit(payload: dict[str, Any], as_json: bool, line: str, stream: TextIO) -> None:
    from luaurft.rft.distributed import is_main_process

    if not is_main_process():  # under `accelerate launch`, one report: the main process's
        return
    if as_json:
        stream.write(json.dumps(payload, indent=2, default=str) + "\n")
        return
    from rich.console import Console

    console = Console()
    losses = payload.get("losses") or []
    if losses:
        console.print(f"loss {losses[0]:.4f} → {losses[-1]:.4f} over {payload['steps']} steps")
    if payload.get("skipped_modules"):
        console.print(f"not in this model (skipped): {', '.join(payload['skipped_modules'])}")
    console.print(line)


def _print_rounds(result: Any) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"RFT run {result.run_id}")
    for column in ("round", "tasks", "candidates", "kept", "kept mean reward", "adapter"):
        table.add_column(column, justify="right" if column != "adapter" else "left")
    for summary in result.rounds:
        mean = summary.kept_mean_reward
        table.add_row(
            str(summary.round),
            str(summary.tasks),
            str(summary.candidates.get("stored", "-")),
            str(summary.selection.get("kept", "-")),
            "-" if mean is None else f"{mean:.3f}",
            summary.adapter or "-",
        )
    console = Console()
    console.print(table)
    console.print(f"reward: {result.reward_key}")
    console.print(f"final adapter: {result.final_adapter or '-'}")
