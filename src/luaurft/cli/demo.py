"""`luaurft demo`: SFT then one RFT round of a tiny model on a procedural Roblox suite, on a CPU."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from luaurft.cli._options import FormatOption, HumanOrJson, JsonAlias, wants_json
from luaurft.cli._output import answer_stream

DEFAULT_RUN_DIR = Path("runs") / "demo"


demo_app = typer.Typer(
    invoke_without_command=True,
    no_args_is_help=False,
    help="The whole SFT → RFT loop on a CPU, offline (`luaurft demo`); `build-base` rebuilds "
    "the shipped base model.",
)


def register(app: typer.Typer) -> None:
    app.add_typer(demo_app, name="demo")


@demo_app.callback()
def demo_command(
    ctx: typer.Context,
    run_dir: Annotated[
        Path,
        typer.Option("--run-dir", help="Run folder; rerunning with the same folder continues."),
    ] = DEFAULT_RUN_DIR,
    config: Annotated[
        Path | None,
        typer.Option(
            "--config",
            "-c",
            help="Demo preset (TOML; default: the embedded one, the same as configs/demo.toml).",
        ),
    ] = None,
    threads: Annotated[
        int | None, typer.Option("--threads", help="CPU threads for torch (default 2).")
    ] = None,
    output_format: FormatOption = HumanOrJson.TABLE,
    json_alias: JsonAlias = False,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log each stage.")] = False,
) -> None:
    """The whole loop on a CPU, offline: procedural tasks → the shipped tiny base (pre-trained
    from scratch; `demo build-base` rebuilds it) → LoRA SFT → N candidates → task-aware reward
    (judge off; execution and the task's checks on) → selection → one RFT round → evaluation
    on held-out tasks, SFT and RFT side by side."""
    if ctx.invoked_subcommand is not None:
        return
    import os

    from rich.console import Console

    from luaurft.cli._progress import setup_logging, stage_bars
    from luaurft.demo.config import demo_preset, load_demo_config
    from luaurft.demo.pipeline import run_demo
    from luaurft.demo.report import render_table

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("WANDB_MODE", "disabled")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    as_json = wants_json(output_format, json_alias)
    setup_logging(verbose)
    preset = load_demo_config(config) if config is not None else demo_preset()
    if threads is not None:
        preset = preset.model_copy(
            update={"demo": preset.demo.model_copy(update={"threads": threads})}
        )
    with answer_stream(as_json) as out, stage_bars(quiet=as_json) as bars:
        result = run_demo(run_dir, preset, progress=bars)
        if as_json:
            out.write(json.dumps(result.to_dict(), indent=2, default=str) + "\n")
    if as_json:
        return
    console = Console()
    console.print(render_table(result.table))
    for note in result.table.notes:
        console.print(f"  • {note}")
    minutes, seconds = divmod(round(result.seconds), 60)
    console.print(
        f"\nRun folder {result.run_dir} ({minutes} min {seconds} s this call): report/demo.md, "
        "report/report.html, adapters/sft, adapters/round-1, run.sqlite."
    )


@demo_app.command("build-base")
def build_base_command(
    out: Annotated[
        Path | None,
        typer.Option("--out", help="Folder to write (default: the package's shipped base)."),
    ] = None,
    config: Annotated[
        Path | None,
        typer.Option("--config", "-c", help="Demo preset (TOML; default: the embedded one)."),
    ] = None,
    threads: Annotated[
        int, typer.Option("--threads", help="CPU threads for torch (the shipped base: 1).")
    ] = 1,
) -> None:
    """Pre-train the demo's tiny base model on the train split and write it with its recipe
    (specs, train-data digest, versions, file checksums): what `luaurft demo` starts from."""
    import os

    from rich.console import Console

    from luaurft.cli._progress import stage_bars
    from luaurft.demo.config import demo_preset, load_demo_config
    from luaurft.demo.pipeline import quiet_libraries
    from luaurft.demo.shipped import SHIPPED_DIR, build_base

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    quiet_libraries()
    preset = load_demo_config(config) if config is not None else demo_preset()
    preset = preset.model_copy(update={"demo": preset.demo.model_copy(update={"threads": threads})})
    target = out or SHIPPED_DIR
    with stage_bars() as bars:
        recipe = build_base(target, preset, progress=lambda d, t: bars("pre-train base", d, t))
    Console().print(
        f"Base model in {target}: {recipe['parameters']:,} parameters, final loss "
        f"{recipe['final_loss']:.4f}, {len(recipe['files'])} files checksummed in recipe.json."
    )
