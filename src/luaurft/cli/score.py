"""`luaurft score PATH...`: score Luau files with the deterministic scorers."""

from __future__ import annotations

import json
from enum import StrEnum
from typing import Annotated

import typer
from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from luaurft.cli._options import JobsOption, RayOption, check_kind_option
from luaurft.cli._output import machine_stdout
from luaurft.cli._progress import file_progress
from luaurft.errors import LuaurftError
from luaurft.luau.files import DEFAULT_MAX_BYTES
from luaurft.roblox.project import ProjectLookup
from luaurft.scoring.report import (
    FileError,
    FileResult,
    Outcome,
    below,
    collect_files,
    error_dict,
    json_document,
    result_dict,
    sarif_document,
    score_paths,
)
from luaurft.scoring.scorer import DETERMINISTIC_SCORERS


class OutputFormat(StrEnum):
    TABLE = "table"
    JSON = "json"
    JSONL = "jsonl"
    SARIF = "sarif"


def register(app: typer.Typer) -> None:
    app.command("score")(score)


def score(
    paths: Annotated[
        list[str],
        typer.Argument(
            help="Files, directories (searched for .lua/.luau), place or model files "
            "(.rbxl .rbxlx .rbxm .rbxmx: every script inside) or - for standard input."
        ),
    ],
    output_format: Annotated[
        OutputFormat,
        typer.Option("--format", "-f", help="table for people; json, jsonl or sarif for programs."),
    ] = OutputFormat.TABLE,
    kind: Annotated[
        str | None,
        typer.Option(help="Script kind for every file: Script, LocalScript or ModuleScript."),
    ] = None,
    min_score: Annotated[
        float | None,
        typer.Option(min=0.0, max=1.0, help="Exit 1 when any file's composite is below this."),
    ] = None,
    run_code: Annotated[
        bool,
        typer.Option(
            "--exec/--no-exec",
            help="Also run each file in the mock Roblox world (the exec score, beside the composite).",
        ),
    ] = True,
    in_project: Annotated[
        bool,
        typer.Option(
            "--project/--no-project",
            help="Run each file of a directory in its project (Rojo layout or "
            "default.project.json), so files can require each other; --no-project "
            "runs every file alone.",
        ),
    ] = True,
    jobs: JobsOption = 1,
    max_bytes: Annotated[
        int,
        typer.Option(
            "--max-bytes",
            min=1,
            help="Files larger than this are not read but listed under errors "
            f"(default {DEFAULT_MAX_BYTES:,} bytes, 512 KiB).",
        ),
    ] = DEFAULT_MAX_BYTES,
    ray: RayOption = None,
) -> None:
    """Score Luau with the syntax, API, bug and quality scorers.

    Only regular files are read (FIFOs, devices, symlink loops and files over
    --max-bytes are listed under errors). Progress goes to stderr: a bar on a
    terminal, a line every few seconds otherwise."""
    check_kind_option(kind)
    try:
        files = collect_files(paths)
    except LuaurftError as exc:
        raise typer.BadParameter(str(exc), param_hint="PATHS") from None
    if not files:
        raise typer.BadParameter(
            "no Luau files found (.lua or .luau); pass files, folders that contain them, "
            "or - for standard input",
            param_hint="PATHS",
        )
    # One tree per directory for the whole pass, not one per file.
    lookup = ProjectLookup(paths) if run_code and in_project else None
    scored = score_paths(
        paths,
        kind=kind,
        exec=run_code,
        project=in_project,
        jobs=jobs,
        lookup=lookup,
        max_bytes=max_bytes,
        ray=ray,
    )

    outcomes: list[Outcome] = []
    if output_format is OutputFormat.TABLE:
        with file_progress("scoring", len(files)) as advance:
            for outcome in scored:
                outcomes.append(outcome)
                advance()
        _print_table(outcomes)
        if lookup is not None:
            _print_project_problems(lookup)
    else:
        with machine_stdout() as out, file_progress("scoring", len(files)) as advance:
            for outcome in scored:
                advance()
                outcomes.append(outcome)
                if output_format is OutputFormat.JSONL:
                    entry = (
                        result_dict(outcome)
                        if isinstance(outcome, FileResult)
                        else {"error": error_dict(outcome)}
                    )
                    out.write(json.dumps(entry) + "\n")
                    out.flush()
            if output_format is OutputFormat.JSON:
                projects = lookup.trees if lookup is not None else []
                out.write(json.dumps(json_document(outcomes, projects), indent=2) + "\n")
            elif output_format is OutputFormat.SARIF:
                out.write(json.dumps(sarif_document(outcomes), indent=2) + "\n")
    if min_score is not None:
        low = below(outcomes, min_score)
        if low:
            errors = Console(stderr=True)
            errors.print(Text(f"{len(low)} file(s) below --min-score {min_score:g}:", style="red"))
            for result in low:
                errors.print(Text(f"  {result.path}: {result.card.composite:.2f}"), soft_wrap=True)
            raise typer.Exit(1)


def _fmt(value: float | None) -> Text:
    if value is None:
        return Text("—", style="dim")
    style = "green" if value >= 0.85 else "yellow" if value >= 0.5 else "red"
    return Text(f"{value:.2f}", style=style)


_SHORT_KIND = {"LocalScript": "Local", "ModuleScript": "Module"}
_SEVERITY_STYLE = {"error": "red", "warning": "yellow", "info": "cyan"}


def _print_table(outcomes: list[Outcome]) -> None:
    console = Console()
    if not console.is_terminal:
        # Piped or captured: no terminal width to respect, and folded paths are hard to read.
        console = Console(width=160)
    errors = Console(stderr=True)
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False)
    table.add_column("file", overflow="fold", ratio=1)
    table.add_column("kind", no_wrap=True)
    results = [o for o in outcomes if isinstance(o, FileResult)]
    shown = [*DETERMINISTIC_SCORERS, "composite"]
    if any("exec" in r.card.scores for r in results):
        shown.append("exec")
    for name in shown:
        table.add_column(name, justify="right", no_wrap=True)
    table.add_column("issues", justify="right", no_wrap=True)
    for result in results:
        card = result.card
        table.add_row(
            result.label,
            _SHORT_KIND.get(card.kind, card.kind),
            *(_fmt(card.scores.get(name)) for name in DETERMINISTIC_SCORERS),
            _fmt(card.composite),
            *([_fmt(card.scores.get("exec"))] if "exec" in shown else []),
            str(len(card.findings)),
        )
    if results:
        console.print(table)
    for result in results:
        if not result.card.findings:
            continue
        console.print(Text(result.label, style="bold"))
        for f in result.card.findings:
            line = Text(f"  {f.line}:{f.column} ")
            line.append(f.severity.value, style=_SEVERITY_STYLE.get(f.severity.value, ""))
            line.append(f" {f.rule} ", style="dim")
            line.append(f.message)
            console.print(line)
    for outcome in outcomes:
        if isinstance(outcome, FileError):
            errors.print(Text(f"error: {outcome.path}: {outcome.message}", style="red"))


def _print_project_problems(lookup: ProjectLookup) -> None:
    errors = Console(stderr=True)
    for problem in lookup.problems:
        errors.print(Text(f"project: {problem.path}: {problem.message}", style="yellow"))
