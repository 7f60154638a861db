"""`luaurft judge` and `luaurft reward`: one file, one task, a table or JSON."""

from __future__ import annotations

import json
import os
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from luaurft.cli._output import machine_stdout
from luaurft.errors import ConfigError
from luaurft.judge import Judgment, find_evaluator_address
from luaurft.judge.factory import DEFAULT_JUDGE, default_cache_path, make_judge
from luaurft.luau.kind import detect_kind, parse_kind
from luaurft.luau.source import LuauSource
from luaurft.reward import HybridReward, Reward, RewardConfig


class OutputFormat(StrEnum):
    TABLE = "table"
    JSON = "json"


TaskOption = Annotated[str, typer.Option("--task", "-t", help="The request the code answers.")]
FileArgument = Annotated[
    Path, typer.Argument(exists=True, dir_okay=False, readable=True, help="A Luau file.")
]
FormatOption = Annotated[
    OutputFormat, typer.Option("--format", "-f", help="table for people, json for programs.")
]
CacheOption = Annotated[
    Path | None,
    typer.Option("--cache", help="Judgment cache (SQLite). Default: the user cache directory."),
]
NoCacheOption = Annotated[
    bool, typer.Option("--no-cache", help="Neither read nor write the cache.")
]
RetryOption = Annotated[
    bool, typer.Option("--retry-failed", help="Ask again where the cache holds a failed judgment.")
]


def _print_json(payload: object) -> None:
    with machine_stdout() as out:
        out.write(json.dumps(payload, indent=2, sort_keys=True) + "\n")


def _judgment_table(judgment: Judgment) -> Table:
    table = Table(title=f"judge {judgment.judge_model} ({judgment.prompt_version})")
    table.add_column("criterion")
    table.add_column("score", justify="right")
    table.add_column("reason")
    for name, score in judgment.scores.items():
        table.add_row(name, f"{score:.2f}", judgment.reasons.get(name, ""))
    table.add_row("[bold]overall[/bold]", f"[bold]{judgment.overall:.3f}[/bold]", "")
    return table


def _reward_table(reward: Reward) -> Table:
    title = "reward" if reward.value is None else f"reward {reward.value:.3f} ({reward.blend})"
    table = Table(title=title)
    table.add_column("component")
    table.add_column("score", justify="right")
    table.add_column("weight", justify="right")
    for name, part in reward.parts.items():
        weight = reward.weights.get(name)
        table.add_row(
            name,
            "-" if part is None else f"{part:.3f}",
            "dropped" if weight is None else f"{weight:.3f}",
        )
    return table


def judge_command(
    file: FileArgument,
    task: TaskOption,
    judge: Annotated[
        str,
        typer.Option(
            "--judge", help="anthropic:MODEL or openai:MODEL@BASE_URL (env LUAURFT_JUDGE)."
        ),
    ] = "",
    cache: CacheOption = None,
    no_cache: NoCacheOption = False,
    retry_failed: RetryOption = False,
    fmt: FormatOption = OutputFormat.TABLE,
) -> None:
    """Judge FILE against --task with an LLM (scores per criterion, overall, rationale)."""
    spec = judge or os.environ.get("LUAURFT_JUDGE") or DEFAULT_JUDGE
    llm_judge = make_judge(
        spec, cache=None if no_cache else (cache or default_cache_path()), retry_failed=retry_failed
    )
    if llm_judge is None:
        raise ConfigError(
            "luaurft judge needs a judge: --judge anthropic:MODEL or openai:MODEL@URL"
        )
    code = LuauSource.from_path(file).text
    judgment = llm_judge.judge(task, code)
    hacks = find_evaluator_address(code)
    if fmt is OutputFormat.JSON:
        _print_json(
            {
                "file": str(file),
                "judgment": judgment.to_dict() | {"ok": judgment.ok, "cached": judgment.cached},
                "evaluator_address": [h.to_dict() for h in hacks],
            }
        )
    else:
        console = Console()
        if judgment.ok:
            console.print(_judgment_table(judgment))
            console.print(judgment.rationale)
        else:
            console.print(f"[red]judgment failed:[/red] {judgment.error}")
        if judgment.cached:
            console.print("[dim](from the cache)[/dim]")
        for hack in hacks:
            console.print(
                f"[yellow]line {hack.line}: {hack.kind} addressed to the evaluator[/yellow]"
                " - the reward treats this as a hack"
            )
    if not judgment.ok:
        raise typer.Exit(1)


def reward_command(
    file: FileArgument,
    task: TaskOption,
    judge: Annotated[
        str,
        typer.Option("--judge", help="anthropic:MODEL, openai:MODEL@BASE_URL or none."),
    ] = "none",
    kind: Annotated[
        str | None, typer.Option("--kind", help="Script, LocalScript or ModuleScript.")
    ] = None,
    cache: CacheOption = None,
    no_cache: NoCacheOption = False,
    retry_failed: RetryOption = False,
    fmt: FormatOption = OutputFormat.TABLE,
) -> None:
    """The hybrid reward of FILE for --task: deterministic scorers plus the judge."""
    llm_judge = make_judge(
        judge,
        cache=None if no_cache else (cache or default_cache_path()),
        retry_failed=retry_failed,
    )
    code = LuauSource.from_path(file).text
    script_kind = parse_kind(kind) if kind else detect_kind(code, path=str(file))
    reward = HybridReward(RewardConfig(), judge=llm_judge, extract=False).score(
        task, code, kind=script_kind.value
    )
    if fmt is OutputFormat.JSON:
        _print_json({"file": str(file), **reward.to_dict()})
        return
    console = Console()
    console.print(_reward_table(reward))
    for note in reward.notes:
        console.print(f"[dim]{note}[/dim]")
    if reward.value is not None:
        verdict = "keep" if reward.keep else "below the keep threshold"
        console.print(f"RFT: {verdict}; agent: {'rewrite' if reward.needs_rewrite else 'accept'}")


def register(app: typer.Typer) -> None:
    app.command("judge")(judge_command)
    app.command("reward")(reward_command)
