"""`luaurft check`, `luaurft tasks list|validate`, `luaurft eval`, `luaurft compare`, `luaurft card`."""

from __future__ import annotations

import json
import re
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from luaurft.cli._options import JobsOption, RayOption
from luaurft.cli._output import machine_stdout


class OutputFormat(StrEnum):
    TABLE = "table"
    JSON = "json"


FormatOption = Annotated[
    OutputFormat, typer.Option("--format", "-f", help="table for people, json for programs.")
]
TasksOption = Annotated[
    str,
    typer.Option(
        "--tasks",
        help="builtin, a TOML task file or folder, or a MultiPL-E/LuauLeetcode file.",
    ),
]


def _print_json(payload: Any) -> None:
    with machine_stdout() as out:
        out.write(json.dumps(payload, indent=2, sort_keys=True, default=str) + "\n")


def _console() -> Console:
    return Console(stderr=False)


def register(app: typer.Typer) -> None:
    app.command("check")(check_command)
    tasks_app = typer.Typer(help="List and validate evaluation tasks.", no_args_is_help=True)
    tasks_app.command("list")(tasks_list)
    tasks_app.command("validate")(tasks_validate)
    app.add_typer(tasks_app, name="tasks")
    app.command("eval")(eval_command)
    app.command("compare")(compare_command)
    app.command("card")(card_command)


# -- check ------------------------------------------------------------------------------


def check_command(
    task: Annotated[str, typer.Argument(help="A task id, a one-task TOML file, or FILE::ID.")],
    solution: Annotated[str, typer.Argument(help="A Luau file with the solution, or - for stdin.")],
    tasks: TasksOption = "builtin",
    output_format: FormatOption = OutputFormat.TABLE,
) -> None:
    """Run one solution against one task's checks. Exit 0 when every check passes, 1 otherwise."""
    from luaurft.eval.checks import check_solution
    from luaurft.eval.tasks import resolve_task

    found = resolve_task(task, tasks)
    if solution == "-":
        code = sys.stdin.read()
    else:
        path = Path(solution)
        if not path.is_file():
            raise typer.BadParameter(f"{path} is not a file", param_hint="SOLUTION")
        code = path.read_text(encoding="utf-8", errors="replace")
    if output_format is OutputFormat.JSON:
        with machine_stdout() as out:
            report = check_solution(found, found.program(code))
            out.write(json.dumps(report.to_dict(), indent=2) + "\n")
    else:
        report = check_solution(found, found.program(code))
        table = Table(title=f"{found.id}: {report.passed_count}/{report.expected} checks passed")
        table.add_column("check")
        table.add_column("result")
        table.add_column("message")
        for result in report.checks:
            mark = "[green]pass[/green]" if result.passed else "[red]fail[/red]"
            table.add_row(result.name, mark, result.message)
        console = _console()
        console.print(table)
        if report.error:
            console.print(f"[yellow]solution error:[/yellow] {report.error}")
    raise typer.Exit(0 if report.passed else 1)


# -- tasks ------------------------------------------------------------------------------


def tasks_list(
    tasks: TasksOption = "builtin",
    category: Annotated[
        list[str] | None, typer.Option("--category", "-c", help="Only these categories.")
    ] = None,
    output_format: FormatOption = OutputFormat.TABLE,
) -> None:
    """List the tasks of a suite with their category, kind, difficulty and check count."""
    from luaurft.eval.tasks import load_tasks

    suite = load_tasks(tasks).select(categories=category)
    if output_format is OutputFormat.JSON:
        _print_json(
            {
                "suite": suite.name,
                "count": len(suite),
                "categories": suite.categories(),
                "tasks": [
                    {"id": t.id, "kind": t.kind.value, **t.meta(), "prompt": t.user_prompt()}
                    for t in suite
                ],
            }
        )
        return
    table = Table(title=f"{suite.name}: {len(suite)} tasks")
    # Ids are what `luaurft check` takes: never cut or folded, whatever the width.
    longest = max((len(t.id) for t in suite), default=2)
    table.add_column("id", no_wrap=True, min_width=longest)
    for column in ("category", "kind", "difficulty", "checks"):
        table.add_column(column, justify="right" if column == "checks" else "left", overflow="fold")
    for t in suite:
        table.add_row(t.id, t.category, t.kind.value, t.difficulty.value, str(t.expected))
    console = _console()
    needed = longest + 60  # id, the other columns and the borders, unwrapped
    if console.width < needed:
        # Too narrow for the ids: let the terminal wrap the lines rather than cut an id.
        console = Console(width=needed)
    console.print(table)
    counts = ", ".join(f"{c} {n}" for c, n in suite.categories().items())
    console.print(f"categories: {counts}")


def tasks_validate(
    source: Annotated[
        str | None,
        typer.Argument(
            help="A TOML task file or folder (or MultiPL-E/LuauLeetcode file); "
            "the same as --tasks.",
            show_default=False,
        ),
    ] = None,
    tasks: TasksOption = "builtin",
    task_id: Annotated[list[str] | None, typer.Option("--id", help="Only these task ids.")] = None,
    output_format: FormatOption = OutputFormat.TABLE,
) -> None:
    """Check every task: its reference passes all checks and an empty solution passes none."""
    from luaurft.eval.tasks import load_tasks
    from luaurft.eval.validate import validate_tasks

    if source is not None:
        if tasks != "builtin" and tasks != source:
            raise typer.BadParameter(
                f"give the tasks once: {source} or --tasks {tasks}", param_hint="SOURCE"
            )
        tasks = source
    suite = load_tasks(tasks).select(ids=task_id)
    if output_format is OutputFormat.JSON:
        with machine_stdout() as out:
            results = validate_tasks(suite)
            payload = {
                "valid": all(r.ok for r in results),
                "count": len(results),
                "invalid": sum(not r.ok for r in results),
                "tasks": [r.to_dict() for r in results],
            }
            out.write(json.dumps(payload, indent=2) + "\n")
    else:
        console = _console()
        with Progress(
            TextColumn("validating"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
            TimeElapsedColumn(), console=console, transient=True,
        ) as progress:  # fmt: skip
            bar = progress.add_task("tasks", total=len(suite))
            results = validate_tasks(suite, progress=lambda _: progress.advance(bar))
        bad = [r for r in results if not r.ok]
        for r in bad:
            console.print(f"[red]{r.task_id}[/red]: " + "; ".join(r.problems))
        seconds = sum(r.seconds for r in results)
        console.print(f"{len(results) - len(bad)}/{len(results)} tasks valid ({seconds:.2f} s)")
    raise typer.Exit(0 if all(r.ok for r in results) else 1)


# -- eval -------------------------------------------------------------------------------


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", text).strip("-")[:80] or "model"


def _summary_table(summary: Any) -> Table:
    from luaurft.eval.report import metric_title

    table = Table(
        title=f"{summary.label} on {summary.suite} ({len(summary.tasks)} tasks, k={summary.samples})"
    )
    table.add_column("metric")
    table.add_column("mean", justify="right")
    table.add_column("95% CI", justify="right")
    for name, interval in summary.metrics.items():
        table.add_row(
            metric_title(name),
            f"{interval.estimate:.3f}",
            f"[{interval.low:.3f}, {interval.high:.3f}]",
        )
    return table


def _category_table(summary: Any) -> Table:
    table = Table(title="by category")
    table.add_column("category")
    wanted = [m for m in ("pass@1", "checks", "composite") if m in summary.metrics]
    for m in wanted:
        table.add_column(m, justify="right")
    for category, metrics in summary.categories.items():
        table.add_row(
            category,
            *[f"{metrics[m].estimate:.3f}" if m in metrics else "–" for m in wanted],
        )
    return table


def eval_command(
    model: Annotated[
        str, typer.Option("--model", "-m", help="Model path or id, or a full generator spec.")
    ],
    adapter: Annotated[
        str | None, typer.Option(help="A LoRA adapter to load on the model.")
    ] = None,
    backend: Annotated[
        str | None, typer.Option(help="transformers (default), vllm, openai or anthropic.")
    ] = None,
    tasks: TasksOption = "builtin",
    samples: Annotated[
        int, typer.Option("--samples", "-k", min=1, help="Completions per task.")
    ] = 1,
    run_dir: Annotated[
        Path | None,
        typer.Option(help="Run folder (resumed when it exists). Default: runs/eval-LABEL."),
    ] = None,
    judge: Annotated[
        str | None, typer.Option(help="Judge spec: anthropic:MODEL, openai:MODEL@URL or none.")
    ] = None,
    label: Annotated[str | None, typer.Option(help="Name of the model in reports.")] = None,
    category: Annotated[list[str] | None, typer.Option("--category", "-c")] = None,
    limit: Annotated[int | None, typer.Option(min=1, help="Only the first N tasks.")] = None,
    temperature: Annotated[float, typer.Option(min=0.0)] = 0.8,
    top_p: Annotated[float, typer.Option(min=0.0, max=1.0)] = 0.95,
    max_new_tokens: Annotated[int, typer.Option(min=1)] = 2048,
    seed: Annotated[int, typer.Option()] = 0,
    jobs: JobsOption = 1,
    ray: RayOption = None,
    output_format: FormatOption = OutputFormat.TABLE,
) -> None:
    """Evaluate a model: k samples per task, scores, execution pass@k, intervals, categories."""
    from luaurft.eval.harness import (
        EvalSettings,
        eval_config,
        evaluate,
        generator_spec,
        open_eval_store,
    )
    from luaurft.eval.tasks import load_tasks
    from luaurft.llm import make_generator

    spec = generator_spec(model, backend=backend, adapter=adapter)
    suite = load_tasks(tasks).select(categories=category, limit=limit)
    settings = EvalSettings(
        samples=samples,
        temperature=temperature,
        top_p=top_p,
        max_new_tokens=max_new_tokens,
        seed=seed,
        jobs=jobs,
        ray=ray,
    )
    name = label or (Path(adapter).name if adapter else model)
    folder = run_dir or Path("runs") / f"eval-{_slug(name)}"
    judge_obj = None
    if judge and judge.strip().lower() not in ("none", "off"):
        from luaurft.judge.factory import make_judge

        judge_obj = make_judge(judge)
    config = eval_config(
        spec, suite, settings, judge=judge_obj.model if judge_obj else None, label=name,
        adapter=adapter,
    )  # fmt: skip
    generator = make_generator(spec)
    console = Console(stderr=True)
    with open_eval_store(folder, config) as store:
        if output_format is OutputFormat.JSON:
            with machine_stdout() as out:
                summary = evaluate(generator, suite, store, settings, judge=judge_obj, seed=seed)
                out.write(json.dumps(summary.to_dict(), indent=2, sort_keys=True) + "\n")
            return
        with Progress(
            TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
            TimeElapsedColumn(), console=console,
        ) as progress:  # fmt: skip
            bars: dict[str, Any] = {}

            def report(stage: str, done: int, total: int) -> None:
                if stage not in bars:
                    bars[stage] = progress.add_task(stage, total=total)
                progress.update(bars[stage], completed=done, total=total)

            summary = evaluate(
                generator, suite, store, settings, judge=judge_obj, progress=report, seed=seed
            )
    out_console = _console()
    out_console.print(_summary_table(summary))
    out_console.print(_category_table(summary))
    if summary.generation_failures:
        out_console.print(
            f"[yellow]{summary.generation_failures} requests failed; run again to retry them[/yellow]"
        )
    out_console.print(f"run stored in {folder}")


# -- compare and card -----------------------------------------------------------------------------


def compare_command(
    runs: Annotated[
        list[str],
        typer.Argument(help="Run folders (or summary.json files); the first is the baseline."),
    ],
    out: Annotated[
        Path | None, typer.Option(help="Write report.md, report.html and PNG plots here.")
    ] = None,
    seed: Annotated[int, typer.Option()] = 0,
    output_format: FormatOption = OutputFormat.TABLE,
) -> None:
    """Compare evaluation runs side by side, with paired-bootstrap deltas against the first."""
    from luaurft.eval.harness import load_summary
    from luaurft.eval.report import compare, comparison_markdown, write_report

    summaries = [load_summary(run, seed=seed) for run in runs]
    comparison = compare(summaries, seed=seed)
    files = write_report(comparison, out) if out is not None else {}
    for note in comparison.notes:
        Console(stderr=True).print(f"[yellow]warning:[/yellow] {note}", soft_wrap=True)
    if output_format is OutputFormat.JSON:
        payload = comparison.to_dict()
        payload["files"] = {k: str(v) for k, v in files.items()}
        _print_json(payload)
        return
    from rich.markdown import Markdown

    console = _console()
    if not console.is_terminal:
        console = Console(width=200)  # piped: keep the tables whole
    console.print(Markdown(comparison_markdown(comparison)))
    if files:
        console.print(f"report written to {out}")


def card_command(
    adapter: Annotated[
        Path, typer.Argument(help="The peft adapter folder (README.md is written there).")
    ],
    run: Annotated[
        list[str], typer.Option("--run", help="Eval runs to report; the adapter's own run last.")
    ],
    base_model: Annotated[
        str | None,
        typer.Option(help="Hub id of the base model (default: the adapter_config.json's)."),
    ] = None,
    name: Annotated[str | None, typer.Option(help="Model name (default: the folder name).")] = None,
    license_id: Annotated[str, typer.Option("--license")] = "apache-2.0",
    out: Annotated[
        Path | None, typer.Option(help="Folder to write README.md into (default: ADAPTER).")
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Replace an existing README.md (peft writes one).")
    ] = False,
    seed: Annotated[int, typer.Option()] = 0,
) -> None:
    """Write a Hugging Face model card (README.md) with the adapter's evaluation results."""
    from luaurft.eval.card import adapter_card, read_adapter_config
    from luaurft.eval.harness import load_summary

    read_adapter_config(adapter)  # a wrong folder fails before the runs are read
    summaries = [load_summary(r, seed=seed) for r in run]
    path = adapter_card(
        adapter, summaries, name=name, base_model=base_model, license=license_id,
        out=out, force=force, seed=seed,
    )  # fmt: skip
    _console().print(f"model card written to {path}")
