"""`luaurft run FILE`: run a script in the mock Roblox world and show what it did."""

from __future__ import annotations

import json
import re
from enum import StrEnum
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from luaurft.cli._options import (
    PlaceOption,
    SaveWorldOption,
    WorldDiffOption,
    check_kind_option,
    check_save_world,
    load_place_option,
)
from luaurft.cli._output import machine_stdout
from luaurft.cli._world import print_world_change, save_world_file
from luaurft.errors import LuaurftError
from luaurft.luau.kind import ScriptKind, detect_kind
from luaurft.luau.source import LuauSource
from luaurft.roblox.mock import DEFAULT_SECONDS, ScriptRun, run_script
from luaurft.roblox.place import with_script
from luaurft.roblox.project import ProjectTree, split_dotted
from luaurft.roblox.world_diff import world_change


class RunFormat(StrEnum):
    TEXT = "text"
    JSON = "json"


def register(app: typer.Typer) -> None:
    app.command("run")(run)


def run_document(result: ScriptRun) -> dict[str, Any]:
    """The JSON document of a run: status, error, output and effects first.

    Keys are snake_case like every document luaurft prints (the mock world
    counts its effects in camelCase, Luau's convention); the keys inside an
    effect (class names, `Service.Event`) are Roblox's own and stay as they are."""
    full = result.to_dict()
    effects = full["effects"]
    document = {
        "status": full["status"],
        "error": full["error"],
        "output": full["output"],
        "effects": (
            {snake_case(k): v for k, v in effects.items()} if isinstance(effects, dict) else effects
        ),
    }
    document.update({k: v for k, v in full.items() if k not in document})
    return document


def run(
    file: Annotated[str, typer.Argument(help="A .lua or .luau file.")],
    seconds: Annotated[
        float, typer.Option(min=0.0, max=600.0, help="Virtual seconds to run the world for.")
    ] = DEFAULT_SECONDS,
    kind: Annotated[
        str | None, typer.Option(help="Script, LocalScript or ModuleScript (default: detected).")
    ] = None,
    output_format: Annotated[
        RunFormat, typer.Option("--format", "-f", help="text for people, json for programs.")
    ] = RunFormat.TEXT,
    hostile_remotes: Annotated[
        bool,
        typer.Option(
            "--hostile-remotes",
            help="Also fire every remote the server listens to with arguments no client "
            "should send (wrong types, nils, NaN, huge values): handlers that trust "
            "the client error.",
        ),
    ] = False,
    place: PlaceOption = None,
    at: Annotated[
        str | None,
        typer.Option(
            help="With --place: the instance path the script runs at, e.g. "
            "ServerScriptService.Combat (default: where its kind lives).",
        ),
    ] = None,
    diff: WorldDiffOption = False,
    save_world: SaveWorldOption = None,
) -> None:
    """Run a script in the sandboxed mock Roblox world: output, errors and what it did.

    Exits 0 whatever the script does; 2 only for usage errors.
    """
    check_kind_option(kind)
    check_save_world(save_world)
    export_world = diff or save_world is not None
    try:
        source = LuauSource.from_path(file)
    except OSError as exc:
        raise typer.BadParameter(f"{file}: {exc.strerror or exc}", param_hint="FILE") from None
    except LuaurftError as exc:
        raise typer.BadParameter(str(exc), param_hint="FILE") from None
    in_place = _in_place(place, at, file, source.text, kind)

    def execute() -> ScriptRun:
        if in_place is not None:
            project, script_kind = in_place
            return run_script(
                source.text,
                kind=script_kind,
                path=file,
                seconds=seconds,
                hostile_remotes=hostile_remotes,
                project=project,
                path_in_project=file,
                export_world=export_world,
            )
        return run_script(
            source.text,
            kind=kind,
            path=file,
            seconds=seconds,
            hostile_remotes=hostile_remotes,
            export_world=export_world,
        )

    if output_format is RunFormat.JSON:
        with machine_stdout() as out:
            result = execute()
            document = run_document(result)
            if export_world:
                change = world_change(result, file)
                document["world"] = None if change is None else change.to_dict()
                document["saved_world"] = save_world_file(change, save_world)
            out.write(json.dumps(document, indent=2) + "\n")
        return
    result = execute()
    _print(result, file)
    if export_world:
        change = world_change(result, file)
        if diff:
            print_world_change(change, Console(highlight=False))
        saved = save_world_file(change, save_world)
        if saved is not None:
            Console(highlight=False).print(f"saved the world after the run to {saved}")


def _in_place(
    place: str | None, at: str | None, file: str, text: str, kind: str | None
) -> tuple[ProjectTree, ScriptKind] | None:
    """The place's tree with the script added at its path, and the script's kind."""
    if place is None:
        if at is not None:
            raise typer.BadParameter("--at needs --place", param_hint="--at")
        return None
    project = load_place_option(place)
    script_kind = detect_kind(text, kind=kind, path=file)
    where = split_dotted(at) if at else None
    if where is not None and len(where) < 2:
        raise typer.BadParameter(
            "give a path inside a service, e.g. ServerScriptService.Combat", param_hint="--at"
        )
    tree, _ = with_script(project, file, text, script_kind, at=where)
    return tree, script_kind


def snake_case(name: str) -> str:
    """`instancesCreated` → `instances_created`."""
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", name).lower()


_STATUS_STYLE = {
    "ok": "green",
    "error": "red",
    "timeout": "red",
    "memory": "red",
    "output-limit": "yellow",
}
_STREAM_STYLE = {"print": "", "warn": "yellow", "error": "red", "info": "cyan"}


def _print(result: ScriptRun, file: str) -> None:
    console = Console(highlight=False)
    header = Text(f"{file} ({result.kind.value}, placed in {result.placement}): ")
    header.append(result.status.value, style=_STATUS_STYLE.get(result.status.value, ""))
    header.append(
        f"  {result.virtual_seconds:.1f} virtual s, {result.cpu_seconds * 1000:.0f} ms CPU"
    )
    console.print(header)
    if result.output:
        console.print(Text("output", style="bold"))
        for line in result.output:
            console.print(Text(f"  {line.text}", style=_STREAM_STYLE.get(line.stream, "")))
    if result.stop is not None:
        where = f" (line {result.stop.line})" if result.stop.line else ""
        console.print(Text(f"stopped: {result.stop.message}{where}", style="red"))
    if result.errors:
        console.print(Text("errors", style="bold"))
        for e in result.errors:
            where = f"line {e.line}" if e.line else "?"
            console.print(
                Text(f"  {where}: {e.message}  [{e.context} at {e.time:.2f} s]", style="red")
            )
    for pending in result.never_resumed:
        where = f"line {pending.line}" if pending.line else "?"
        console.print(Text(f"  never resumed, {where}: {pending.what}", style="yellow"))
    effects = result.effects
    table = Table(title="effects", show_header=True, header_style="bold")
    table.add_column("what")
    table.add_column("count", justify="right")
    table.add_column("detail", overflow="fold")
    for key, label in (
        ("instancesCreated", "instances created"),
        ("connections", "connections"),
        ("remoteFires", "remote calls"),
    ):
        counts = effects.get(key) or {}
        if isinstance(counts, dict) and counts:
            detail = ", ".join(f"{k} ×{v}" for k, v in sorted(counts.items()))
            table.add_row(label, str(sum(int(v) for v in counts.values())), detail)
    writes = effects.get("dataStoreWrites") or []
    if writes:
        detail = ", ".join(f"{w.get('op')} {w.get('store')}/{w.get('key')}" for w in writes[:10])
        table.add_row("DataStore writes", str(len(writes)), detail)
    for key, label in (
        ("tweens", "tweens"),
        ("destroyed", "instances destroyed"),
        ("handlerCalls", "handler calls"),
    ):
        value = effects.get(key)
        if value:
            table.add_row(label, str(value), "")
    if table.row_count:
        console.print(table)
    if result.engine_errors:
        console.print(Text("mock runtime faults (not the script's):", style="magenta"))
        for fault in result.engine_errors:
            console.print(Text(f"  {fault.splitlines()[0]}", style="magenta"))
