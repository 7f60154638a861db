"""`luaurft assist TASK`: generate, self-correct, write files, optionally push into Studio."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from luaurft.cli._generator import (
    AdapterOption,
    BackendOption,
    BaseUrlOption,
    GeneratorOption,
    ModelOption,
    build_generator,
)
from luaurft.cli._options import (
    PlaceOption,
    SaveWorldOption,
    WorldDiffOption,
    check_save_world,
    load_place_option,
)
from luaurft.cli._output import machine_stdout
from luaurft.cli._world import print_world_change, save_world_file


class OutputFormat(StrEnum):
    TABLE = "table"
    JSON = "json"


class AggregateChoice(StrEnum):
    MIN = "min"
    MEAN = "mean"


def register(app: typer.Typer) -> None:
    app.command("assist")(assist_command)


def assist_command(
    task: Annotated[str, typer.Argument(help="What to build, in plain words.")],
    generator: GeneratorOption = None,
    backend: BackendOption = None,
    model: ModelOption = None,
    adapter: AdapterOption = None,
    base_url: BaseUrlOption = None,
    config: Annotated[
        Path | None,
        typer.Option("--config", help="A settings preset (TOML), e.g. configs/reference.toml."),
    ] = None,
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Write the best version's files here.")
    ] = None,
    rounds: Annotated[
        int | None,
        typer.Option(
            "--rounds", "-k", min=0, help="Rewrites after the first answer (agent.max_rounds)."
        ),
    ] = None,
    threshold: Annotated[
        float | None,
        typer.Option(
            min=0.0,
            max=1.0,
            help="Rewrite while the score is below this (agent.rewrite_threshold).",
        ),
    ] = None,
    aggregate: Annotated[
        AggregateChoice,
        typer.Option(help="How files' scores make a version's score: min (default) or mean."),
    ] = AggregateChoice.MIN,
    run_code: Annotated[
        bool | None,
        typer.Option(
            "--exec/--no-exec",
            help="Run the code in the sandbox when scoring (default: when available).",
        ),
    ] = None,
    max_new_tokens: Annotated[
        int | None, typer.Option(min=1, help="Token limit per answer (sampling.max_new_tokens).")
    ] = None,
    temperature: Annotated[float | None, typer.Option(min=0.0, max=2.0)] = None,
    seed: Annotated[int | None, typer.Option(help="Sampling seed (local backends).")] = None,
    studio: Annotated[
        bool,
        typer.Option("--studio", help="Push the result into Roblox Studio through the bridge."),
    ] = False,
    port: Annotated[int | None, typer.Option("--port", help="Bridge port for --studio.")] = None,
    studio_wait: Annotated[
        float, typer.Option(min=0.0, help="Seconds to wait for Studio Output after a push.")
    ] = 2.0,
    apply_timeout: Annotated[
        float, typer.Option(min=1.0, help="Seconds to wait for the plugin to apply a change.")
    ] = 600.0,
    connect_wait: Annotated[
        float,
        typer.Option(
            min=0.0, help="With --studio: seconds to wait for the Studio plugin to connect."
        ),
    ] = 60.0,
    output_format: Annotated[
        OutputFormat, typer.Option("--format", "-f", help="table for people, json for programs.")
    ] = OutputFormat.TABLE,
    place: PlaceOption = None,
    diff: WorldDiffOption = False,
    save_world: SaveWorldOption = None,
) -> None:
    """Generate Luau for TASK, rewrite it with the scorers' feedback until it passes, keep the best.

    With --place, every candidate runs in that place (its exec score, the diff) and
    the model is shown an outline of it. With --diff or --save-world, the best
    version's main script (its first server Script) runs once more in the mock
    world to show what it changes there.
    """
    check_save_world(save_world)
    world = load_place_option(place) if place is not None else None
    from luaurft.agent import StudioSession, assist, default_sampling
    from luaurft.config import Settings, load_config

    settings = load_config(config) if config else Settings()
    sampling = default_sampling(settings)
    overrides: dict[str, Any] = {}
    if max_new_tokens is not None:
        overrides["max_new_tokens"] = max_new_tokens
    if temperature is not None:
        overrides["temperature"] = temperature
    if seed is not None:
        overrides["seed"] = seed
    if overrides:
        sampling = sampling.model_copy(update=overrides)
    gen = build_generator(generator, backend, model, adapter, base_url)
    err = Console(stderr=True)

    def progress(message: str) -> None:
        err.print(Text(message, style="dim"))

    bridge, session = None, None
    if studio:
        bridge, target = _studio_target(port, connect_wait, err, progress)
        session = StudioSession(target, apply_timeout=apply_timeout, logs_wait=studio_wait)
    try:
        result = assist(
            task,
            gen,
            settings=settings,
            threshold=threshold,
            max_rounds=rounds,
            sampling=sampling,
            exec=run_code,
            aggregate=aggregate.value,
            studio=session,
            progress=progress,
            world=diff or save_world is not None,
            place=world,
        )
    finally:
        if bridge is not None:
            bridge.stop()
    report = result.write(out) if out is not None else None
    for rejected in report.rejected if report is not None else []:
        where = (
            f"saved as {rejected.saved_to}"
            if rejected.saved_to is not None
            else "printed below, not saved"
        )
        err.print(
            Text(
                f"not written: {_shown(rejected.path)}: {rejected.reason}; {where}", style="yellow"
            ),
            soft_wrap=True,
        )
    for note in report.notes if report is not None else []:
        err.print(Text(note, style="yellow"), soft_wrap=True)
    saved_world = save_world_file(result.world, save_world)
    if output_format is OutputFormat.JSON:
        with machine_stdout() as stream:
            document = result.to_dict()
            document["saved_world"] = saved_world
            document["place"] = place
            written = report.to_dict() if report is not None else {}
            document["written"] = written.get("written", [])
            document["rejected"] = written.get("rejected", [])
            document["project_file"] = written.get("project_file")
            stream.write(json.dumps(document, indent=2) + "\n")
    else:
        console = Console()
        if not console.is_terminal:
            # Captured or piped: no terminal width to respect; keep the table whole.
            console = Console(width=140)
        print_history(result, console)
        if report is not None:
            for path in report.written:
                console.print(f"wrote {path}")
            if report.project_file is not None:
                console.print(f"wrote {report.project_file} (Rojo project)")
        if diff:
            print_world_change(result.world, console)
        if saved_world is not None:
            console.print(f"saved the world after the run to {saved_world}")
        # The answer is never lost: what no file holds is printed.
        unsaved = {r.path for r in report.rejected if r.saved_to is None} if report else None
        for f in result.files:
            if unsaved is None or f.path in unsaved:
                console.rule(f"{_shown(f.path)} ({f.kind.value}, {f.card.composite:.2f})")
                console.print(f.source, markup=False, highlight=False, end="")
    failed_pushes = [p for p in result.pushes if p.status == "error"]
    for push in failed_pushes:
        err.print(Text(f"Studio: {push.message}", style="red"), soft_wrap=True)
    if (report is not None and report.rejected) or failed_pushes:
        raise typer.Exit(1)


def _studio_target(
    port: int | None, connect_wait: float, err: Console, progress: Any
) -> tuple[Any, Any]:
    """(a bridge this command started or None, what to push through): the bridge
    `luaurft studio serve` runs on the port, with its token, else a new one. Exits 1
    when no Studio plugin connects within `connect_wait` seconds."""
    import time

    from luaurft.studio import StudioBridge
    from luaurft.studio.bridge import DEFAULT_PORT
    from luaurft.studio.client import find_running_bridge

    chosen = DEFAULT_PORT if port is None else port
    remote = find_running_bridge(chosen)
    bridge = None
    if remote is not None:
        err.print(f"Using the Studio bridge running on [bold]{remote.url}[/bold] (same token).")
        url = remote.url

        def connected() -> bool:
            status = remote.status()
            return bool(status.get("connected")) and status.get("plugin") is not None
    else:
        bridge = StudioBridge(chosen, log=progress).start()
        url = bridge.url
        err.print(
            f"Studio bridge on [bold]{bridge.url}[/bold], "
            f"pairing token [bold green]{bridge.token}[/bold green]"
        )

        def connected() -> bool:
            return bridge is not None and bridge.plugin is not None and bridge.connected()

    deadline = time.monotonic() + connect_wait
    if not connected():
        err.print(f"Waiting up to {connect_wait:g} s for the luaurft plugin in Studio to connect…")
    while not connected():
        if time.monotonic() >= deadline:
            if bridge is not None:
                bridge.stop()
            err.print(
                Text(
                    f"error: the luaurft Studio plugin is not connected to {url}: open Studio, "
                    "open the luaurft panel (Plugins tab), paste the pairing token and press "
                    "Connect, then run this again (--connect-wait sets how long to wait).",
                    style="red",
                ),
                soft_wrap=True,
            )
            raise typer.Exit(1)
        time.sleep(0.2)
    return bridge, remote if remote is not None else bridge


def _shown(path: str) -> str:
    """A path as printable text (a model's file name can hold anything); long ones cut."""
    shown = path if path.isprintable() else repr(path)
    return shown if len(shown) <= 120 else f"{shown[:80]}…({len(shown):,} characters)"


def _fmt(value: float | None, threshold: float) -> Text:
    if value is None:
        return Text("—", style="dim")
    style = "green" if value >= threshold else "yellow" if value >= 0.5 else "red"
    return Text(f"{value:.3f}", style=style)


def print_history(result: Any, console: Console) -> None:
    """The score history: one row per round, the best one starred."""
    scorer_names: list[str] = []
    for r in result.rounds:
        scorer_names += [n for n in r.scores if n not in scorer_names]
    table = Table(
        title=f"assist: {len(result.rounds)} round(s), threshold {result.threshold:.2f}, "
        f"aggregate {result.aggregate}",
        box=box.SIMPLE_HEAD,
    )
    table.add_column("round", justify="right")
    table.add_column("purpose")
    table.add_column("composite", justify="right")
    for name in scorer_names:
        table.add_column(name, justify="right")
    table.add_column("findings", justify="right")
    table.add_column("files", justify="right")
    table.add_column("tokens", justify="right")
    table.add_column("studio")
    for r in result.rounds:
        mark = "★ " if r.index == result.best_index else ""
        studio = ""
        if r.studio is not None:
            studio = r.studio.status + (
                f", {len(r.studio.errors)} error(s)" if r.studio.errors else ""
            )
        table.add_row(
            f"{mark}{r.index}",
            r.purpose,
            _fmt(r.score, result.threshold),
            *(_fmt(r.scores.get(n), result.threshold) for n in scorer_names),
            str(len(r.findings)),
            str(len(r.files)),
            f"{r.completion.prompt_tokens}+{r.completion.completion_tokens}",
            studio,
        )
    console.print(table)
    verdict = "passed" if result.passed else "below the threshold"
    console.print(
        f"best: round {result.best_index}, score {result.score:.3f} ({verdict}); "
        f"stopped: {result.stop_reason}; exec scoring: {'on' if result.exec_scoring else 'off'}"
    )
