"""`luaurft data build`: corpus → filtered, deduplicated, decontaminated training data."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from luaurft.cli._options import FormatOption, HumanOrJson, JsonAlias, wants_json
from luaurft.errors import LuaurftError


def register(app: typer.Typer) -> None:
    data_app = typer.Typer(help="Build training data from Luau corpora.", no_args_is_help=True)

    @data_app.command("build")
    def build(
        sources: Annotated[
            list[str],
            typer.Argument(
                help="Local files/folders (.lua/.luau, parquet, JSONL) or Hugging Face dataset names."
            ),
        ],
        out: Annotated[Path, typer.Option("--out", "-o", help="Output folder.")],
        fmt: Annotated[
            str,
            typer.Option(
                "--source-format",
                help="Source format: auto, stack, luau_corpus, folder or table.",
            ),
        ] = "auto",
        eval_texts: Annotated[
            list[Path] | None,
            typer.Option(
                "--eval",
                help="Evaluation tasks to decontaminate against (file or folder; repeatable).",
            ),
        ] = None,
        no_builtin_eval: Annotated[
            bool,
            typer.Option(
                "--no-builtin-eval",
                help="Do not decontaminate against the built-in evaluation suite.",
            ),
        ] = False,
        license_default: Annotated[
            str | None,
            typer.Option(
                "--license", help="Licence of records whose source names none (e.g. mit)."
            ),
        ] = None,
        any_license: Annotated[
            bool, typer.Option("--any-license", help="Skip the licence allow-list.")
        ] = False,
        allow_unknown_license: Annotated[
            bool,
            typer.Option(
                "--allow-unknown-license", help="Keep records with no licence information."
            ),
        ] = False,
        min_score: Annotated[
            float, typer.Option("--min-score", help="Minimum deterministic composite score.")
        ] = 0.5,
        no_score_filter: Annotated[
            bool, typer.Option("--no-score-filter", help="Keep any score.")
        ] = False,
        jaccard: Annotated[
            float, typer.Option("--jaccard", help="Near-duplicate Jaccard threshold.")
        ] = 0.7,
        no_dedup: Annotated[
            bool, typer.Option("--no-dedup", help="Skip near-duplicate removal.")
        ] = False,
        decontam_n: Annotated[
            int, typer.Option("--decontam-n", help="Code n-gram size for decontamination.")
        ] = 12,
        decontam_threshold: Annotated[
            float,
            typer.Option(
                "--decontam-threshold", help="Share of an eval text's n-grams that marks a record."
            ),
        ] = 0.5,
        limit: Annotated[
            int | None, typer.Option("--limit", help="Stop after this many loaded records.")
        ] = None,
        hf_dataset: Annotated[
            bool, typer.Option("--hf-dataset", help="Also save a HF dataset.")
        ] = False,
        split: Annotated[
            str, typer.Option("--split", help="Split of a Hugging Face dataset (name or saved).")
        ] = "train",
        streaming: Annotated[
            bool,
            typer.Option(
                "--streaming/--no-streaming",
                help="Read a hub dataset's rows as they are needed (no local copy).",
            ),
        ] = True,
        label_with: Annotated[
            str | None,
            typer.Option(
                "--label-with",
                help="Reverse-label records without a task with this generator "
                "(e.g. openai:MODEL@http://127.0.0.1:8000/v1, anthropic:MODEL).",
            ),
        ] = None,
        label_cache: Annotated[
            Path | None,
            typer.Option(
                "--label-cache",
                help="SQLite file of labels and gold solutions kept across runs (default "
                "OUT/label_cache.sqlite): a rerun after a kill asks nothing twice.",
            ),
        ] = None,
        gold_with: Annotated[
            str | None,
            typer.Option("--gold-with", help="Write gold solutions with this generator."),
        ] = None,
        gold_tasks: Annotated[
            Path | None,
            typer.Option(
                "--gold-tasks",
                help="Requests for gold solutions: JSONL (prompt), TOML task files or text "
                "(one a line).",
            ),
        ] = None,
        gold_samples: Annotated[
            int, typer.Option("--gold-samples", min=1, help="Solutions asked per gold task.")
        ] = 4,
        gold_min_score: Annotated[
            float,
            typer.Option(
                "--gold-min-score",
                min=0.0,
                max=1.0,
                help="Deterministic score a gold solution must reach to be kept.",
            ),
        ] = 0.85,
        output_format: FormatOption = HumanOrJson.TABLE,
        json_alias: JsonAlias = False,
    ) -> None:
        """Load, filter, deduplicate and decontaminate; write JSONL, SFT files and a data card."""
        from luaurft.data import (
            DataBuildConfig,
            DecontamConfig,
            DedupConfig,
            FilterConfig,
            GoldConfig,
            LabelCache,
            SourceSpec,
            explain_empty,
            load_gold_tasks,
            summarize,
        )
        from luaurft.data.pipeline import load_eval_texts
        from luaurft.llm import make_generator

        as_json = wants_json(output_format, json_alias)
        if (gold_with is None) != (gold_tasks is None):
            raise LuaurftError("--gold-with and --gold-tasks go together: pass both or neither")
        if fmt not in {"auto", "stack", "luau_corpus", "folder", "table"}:
            raise LuaurftError(
                f"unknown --source-format {fmt!r}; use auto, stack, luau_corpus, folder or table"
            )
        filters: dict[str, Any] = {"min_score": None if no_score_filter else min_score}
        if any_license:
            filters["license_allow"] = None
        filters["allow_unknown_license"] = allow_unknown_license
        config = DataBuildConfig(
            sources=tuple(
                SourceSpec(
                    location=s,
                    format=fmt,
                    license=license_default,
                    split=split,
                    streaming=streaming,
                )
                for s in sources
            ),
            filters=FilterConfig(**filters),
            dedup=None if no_dedup else DedupConfig(threshold=jaccard),
            decontam=DecontamConfig(code_n=decontam_n, threshold=decontam_threshold),
            gold=GoldConfig(samples=gold_samples, min_score=gold_min_score),
            hf_dataset=hf_dataset,
            limit=limit,
        )
        tasks = load_gold_tasks(gold_tasks) if gold_tasks is not None else []
        options: dict[str, Any] = {}
        cache = None
        if label_with is not None:
            options["labeller"] = make_generator(label_with)
            cache = LabelCache(label_cache or out / "label_cache.sqlite", labeller=label_with)
            options["label_cache"] = cache
        gold_cache = None
        if gold_with is not None:
            options["gold_generator"] = make_generator(gold_with)
            options["gold_tasks"] = tasks
            gold_cache = LabelCache(label_cache or out / "label_cache.sqlite", labeller=gold_with)
            options["gold_cache"] = gold_cache
        # The built-in evaluation suite is held out of every training set unless asked.
        paths = list(eval_texts or [])
        if not no_builtin_eval:
            from luaurft.eval.tasks import builtin_dir

            paths.insert(0, builtin_dir())
        evals = [text for path in paths for text in load_eval_texts(path)]
        try:
            result = _run_with_progress(config, out, evals, quiet=as_json, **options)
        finally:
            for opened in (cache, gold_cache):
                if opened is not None:
                    opened.close()
        summary = summarize(result)
        if as_json:
            typer.echo(json.dumps(summary, indent=2))
        else:
            _print_summary(summary)
        problem = explain_empty(result)
        if problem is not None:
            typer.echo(f"error: {problem}", err=True)
            raise typer.Exit(1)

    app.add_typer(data_app, name="data")


def _run_with_progress(
    config: Any, out: Path, evals: list[Any], *, quiet: bool, **options: Any
) -> Any:
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn

    from luaurft.data import build_dataset

    console = Console(stderr=True, quiet=quiet)
    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        console=console,
        transient=False,
    ) as bar:
        tasks: dict[str, Any] = {}

        def progress(stage: str, advance: int, total: int | None) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(stage, total=total)
            bar.update(tasks[stage], advance=advance)

        result = build_dataset(config, out, eval_texts=evals, progress=progress, **options)
        for task_id in tasks.values():
            task = bar.tasks[task_id]
            if task.total is None:
                bar.update(task_id, total=task.completed)
    return result


def _print_summary(summary: dict[str, Any]) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title="data build")
    table.add_column("step")
    table.add_column("records", justify="right")
    table.add_column("removed")
    for step in summary["steps"]:
        removed = ", ".join(f"{k} {v}" for k, v in sorted(step["removed"].items())) or "-"
        table.add_row(step["name"], str(step["count"]), removed)
    console = Console()
    console.print(table)
    console.print(f"{summary['final']} records ({summary['with_task']} with a task)")
    for name, path in summary["paths"].items():
        console.print(f"  {name}: {path}")
