"""The data pipeline: load → filter → deduplicate → decontaminate → (label) → write.

Each step's survivors and removals are counted into the data card. Loading and
filtering stream (a corpus is never held unfiltered in memory); dedup needs the
filtered set at once.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from luaurft.data.card import DataCard, StepCount
from luaurft.data.decontam import DecontamConfig, Decontaminator, DecontamResult, EvalText
from luaurft.data.dedup import DedupConfig, DedupResult, deduplicate
from luaurft.data.filters import FilterChain, FilterConfig, Scorer, default_scorer
from luaurft.data.formats import SftFormat, sft_rows, to_hf_dataset, write_jsonl, write_records
from luaurft.data.labelling import (
    GeneratorLike,
    GoldConfig,
    GoldResult,
    GoldTask,
    LabelCache,
    LabelConfig,
    LabelResult,
    generate_gold,
    reverse_label,
)
from luaurft.data.loaders import LoadReport, SourceSpec, load_source
from luaurft.data.records import CodeRecord

# progress(stage, advance, total): total is None while a stage's size is unknown.
Progress = Callable[[str, int, int | None], None]


class DataBuildConfig(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    sources: tuple[SourceSpec, ...]
    filters: FilterConfig = FilterConfig()
    dedup: DedupConfig | None = DedupConfig()
    decontam: DecontamConfig = DecontamConfig()
    label: LabelConfig = LabelConfig()
    gold: GoldConfig = GoldConfig()
    formats: tuple[SftFormat, ...] = ("chat", "prompt_completion")
    hf_dataset: bool = False
    png: bool = True
    limit: int | None = Field(default=None, ge=1)  # stop after this many loaded records


@dataclass
class BuildResult:
    records: list[CodeRecord]
    card: DataCard
    load_report: LoadReport
    filters: FilterChain
    dedup: DedupResult | None = None
    decontam: DecontamResult | None = None
    label: LabelResult | None = None
    task_decontam: DecontamResult | None = None
    gold: GoldResult | None = None
    paths: dict[str, Path] = field(default_factory=dict)
    dataset: Any = None

    @property
    def counts(self) -> dict[str, int]:
        return {step.name: step.count for step in self.card.steps}


def _limited(records: Iterable[CodeRecord], limit: int | None) -> Iterable[CodeRecord]:
    for number, record in enumerate(records):
        if limit is not None and number >= limit:
            return
        yield record


def build_dataset(
    config: DataBuildConfig,
    out_dir: str | Path | None = None,
    *,
    eval_texts: Iterable[EvalText | str] = (),
    labeller: GeneratorLike | None = None,
    sampling: Any = None,
    scorer: Scorer | None = None,
    progress: Progress | None = None,
    label_cache: LabelCache | None = None,
    gold_tasks: Sequence[GoldTask | str] = (),
    gold_generator: GeneratorLike | None = None,
    gold_cache: LabelCache | None = None,
) -> BuildResult:
    """Run the whole pipeline; write the outputs and data card under `out_dir` when given.

    `eval_texts` are the evaluation tasks' prompts and reference solutions to
    decontaminate against. With a `labeller`, records without a task get one by
    reverse-labelling (answers kept in `label_cache`, so a rerun asks nothing
    twice) and labelled tasks are decontaminated again. With a `gold_generator`,
    each of `gold_tasks` gets solutions, the best kept when it clears
    `config.gold.min_score`; gold records are decontaminated like the rest.
    """

    def tick(stage: str, total: int | None = None) -> Callable[[int], None]:
        def advance(n: int) -> None:
            if progress is not None:
                progress(stage, n, total)

        if progress is not None:
            progress(stage, 0, total)
        return advance

    report = LoadReport()
    chain = FilterChain(config=config.filters, scorer=scorer or default_scorer)
    loaded = (record for spec in config.sources for record in load_source(spec, report))
    on_load = tick("load + filter")
    filtered = list(chain.run(_limited(loaded, config.limit), on_record=lambda _r, _k: on_load(1)))

    steps = [StepCount("loaded", sum(report.loaded.values()), dict(report.problem_counts))]
    for name in FilterChain.STEPS:
        stats = chain.stats[name]
        steps.append(StepCount(f"filter:{name}", stats.kept, dict(stats.rejected)))

    records = filtered
    dedup_result: DedupResult | None = None
    if config.dedup is not None:
        dedup_result = deduplicate(records, config.dedup, progress=tick("dedup", len(records)))
        records = dedup_result.kept
        steps.append(
            StepCount("dedup", len(records), {"near-duplicate": len(dedup_result.removed)})
        )

    evals = list(eval_texts)
    decontaminator = Decontaminator(evals, config.decontam)
    decontam_result = decontaminator.run(records, progress=tick("decontaminate", len(records)))
    records = decontam_result.kept
    steps.append(
        StepCount("decontaminate", len(records), {"eval-overlap": len(decontam_result.removed)})
    )

    label_result: LabelResult | None = None
    task_decontam: DecontamResult | None = None
    if labeller is not None:
        label_result = reverse_label(
            records,
            labeller,
            sampling,
            config.label,
            progress=tick("label", len(records)),
            cache=label_cache,
        )
        records = label_result.labelled
        steps.append(StepCount("label", len(records), {"label-failed": len(label_result.failed)}))
        task_decontam = decontaminator.run(records)
        records = task_decontam.kept
        steps.append(
            StepCount(
                "decontaminate:tasks", len(records), {"eval-overlap": len(task_decontam.removed)}
            )
        )

    gold_result: GoldResult | None = None
    if gold_generator is not None and gold_tasks:
        gold_result = generate_gold(
            gold_tasks,
            gold_generator,
            sampling,
            config.gold,
            progress=tick("gold", len(gold_tasks)),
            cache=gold_cache,
        )
        gold_kept = decontaminator.run(gold_result.records).kept
        errors = sum(1 for o in gold_result.outcomes if o.error)
        removed = {
            "generator-error": errors,
            "below-min-score": len(gold_result.outcomes) - len(gold_result.records) - errors,
            "eval-overlap": len(gold_result.records) - len(gold_kept),
        }
        steps.append(StepCount("gold", len(gold_kept), {k: v for k, v in removed.items() if v}))
        records = [*records, *gold_kept]

    details: dict[str, Any] = {
        "load": report.to_dict(),
        "filters": chain.to_dict(),
        "dedup": dedup_result.to_dict() if dedup_result else None,
        "decontamination": {
            "eval_texts": len(decontaminator),
            "config": config.decontam.model_dump(),
            **decontam_result.to_dict(),
        },
        "labelling": label_result.to_dict() if label_result else None,
        "gold": gold_result.to_dict() if gold_result else None,
        "config": config.model_dump(mode="json"),
    }
    card = DataCard(steps=steps, records=records, details=details)
    result = BuildResult(
        records=records,
        card=card,
        load_report=report,
        filters=chain,
        dedup=dedup_result,
        decontam=decontam_result,
        label=label_result,
        task_decontam=task_decontam,
        gold=gold_result,
    )
    if out_dir is not None:
        result.paths = write_outputs(result, Path(out_dir), config)
    return result


def write_outputs(result: BuildResult, out_dir: Path, config: DataBuildConfig) -> dict[str, Path]:
    """corpus.jsonl, sft_<format>.jsonl per format, tasks.jsonl (every record's task, the
    shape `luaurft rft --tasks` reads), the data card and an optional HF dataset."""
    out_dir.mkdir(parents=True, exist_ok=True)
    paths: dict[str, Path] = {"corpus": out_dir / "corpus.jsonl"}
    write_records(paths["corpus"], result.records)
    paths["tasks"] = out_dir / "tasks.jsonl"
    write_jsonl(
        paths["tasks"],
        (
            {"id": r.id, "prompt": r.task, **({"kind": r.meta["kind"]} if "kind" in r.meta else {})}
            for r in result.records
            if r.task
        ),
    )
    for fmt in config.formats:
        paths[f"sft_{fmt}"] = out_dir / f"sft_{fmt}.jsonl"
        write_jsonl(paths[f"sft_{fmt}"], sft_rows(result.records, fmt))
    if config.hf_dataset:
        fmt = "prompt_completion" if "prompt_completion" in config.formats else config.formats[0]
        result.dataset = to_hf_dataset(result.records, fmt)
        paths["hf_dataset"] = out_dir / "hf_dataset"
        result.dataset.save_to_disk(str(paths["hf_dataset"]))
    paths.update(result.card.write(out_dir, png=config.png))
    return paths


def summarize(result: BuildResult) -> dict[str, Any]:
    """A small JSON-able summary (counts per step, what each removed)."""
    return {
        "steps": [
            {"name": s.name, "count": s.count, "removed": s.removed} for s in result.card.steps
        ],
        "final": len(result.records),
        "with_task": sum(1 for r in result.records if r.task),
        "sources": dict(Counter(r.source for r in result.records)),
        "paths": {k: str(v) for k, v in result.paths.items()},
    }


# What the command-line user can change when a step removed a record, by reason.
_REMEDIES: dict[str, str] = {
    "license-unknown": "pass --license SPDX-ID when you know the licence (e.g. --license mit), "
    "put a LICENSE file in the folder, or pass --allow-unknown-license",
    "license-not-allowed": "pass --any-license to skip the permissive-licence allow-list",
    "below-min-score": "lower --min-score, or pass --no-score-filter",
    "score-error": "the scorer failed on them; see data_card.json (filters.score.examples)",
    "eval-overlap": "they overlap the evaluation tasks; pass --no-builtin-eval or a higher "
    "--decontam-threshold if that is wrong",
    "label-failed": "the labeller's answers were all rejected (data_card.json, labelling); "
    "try another --label-with model",
    "near-duplicate": "pass --no-dedup or a higher --jaccard",
}
_NO_FLAG = (
    "no command-line flag changes this filter; its limits are fields of "
    "luaurft.data.FilterConfig (build with DataBuildConfig from Python)"
)


def explain_empty(result: BuildResult) -> str | None:
    """Why the build has no training data, and which flag changes it; None when it has some.

    Nothing left: the step that removed the last records, by reason, with each
    reason's remedy. Records but none with a task: the SFT files are empty, and
    `--label-with` is what gives them tasks."""
    if result.records:
        if any(r.task for r in result.records):
            return None
        return (
            f"none of the {len(result.records)} records has a task, so the SFT files are "
            "empty: pass --label-with GENERATOR to reverse-label them (e.g. "
            "--label-with openai:MODEL@http://127.0.0.1:8000/v1), or --gold-with and "
            "--gold-tasks for gold solutions"
        )
    steps = result.card.steps
    if not steps or steps[0].count == 0:
        problems = ", ".join(f"{k} {v}" for k, v in sorted(steps[0].removed.items())) or "none"
        return (
            "no records were loaded (problems: "
            f"{problems}); give folders of .lua/.luau files, parquet/JSONL tables, a dataset "
            "saved with datasets, or a Hugging Face dataset name"
        )
    previous = steps[0].count
    for step in steps[1:]:
        if step.count == 0 and previous > 0:
            reasons = sorted(step.removed.items(), key=lambda kv: -kv[1])
            lines = [
                f"  {reason} ({count}): {_REMEDIES.get(reason, _NO_FLAG)}"
                for reason, count in reasons
                if count
            ]
            return (
                f"every record was removed: the {step.name} step dropped the last "
                f"{previous}\n" + "\n".join(lines)
            )
        previous = step.count
    return "every record was removed"


def eval_texts_from_rows(rows: Sequence[dict[str, Any]]) -> list[EvalText]:
    """Evaluation texts from task rows with `prompt` and/or a reference solution."""
    texts: list[EvalText] = []
    for number, row in enumerate(rows):
        task_id = str(row.get("id") or f"task-{number}")
        prompt = row.get("prompt")
        if isinstance(prompt, str) and prompt.strip():
            texts.append(EvalText(prompt, id=f"{task_id}:prompt", kind="prose"))
        for key in ("solution", "reference", "reference_solution", "code"):
            value = row.get(key)
            if isinstance(value, str) and value.strip():
                texts.append(EvalText(value, id=f"{task_id}:solution", kind="code"))
                break
        text = row.get("text")
        if isinstance(text, str) and text.strip() and prompt is None:
            texts.append(EvalText(text, id=task_id))
    return texts


def _solution_text(value: Any) -> str | None:
    if isinstance(value, str) and value.strip():
        return value
    if isinstance(value, dict):
        for key in ("code", "source", "text"):
            if isinstance(value.get(key), str) and value[key].strip():
                return str(value[key])
    return None


def load_eval_texts(path: str | Path) -> list[EvalText]:
    """Evaluation texts from a file or folder: JSONL task rows, TOML task files,
    `.lua`/`.luau` solutions (code) and `.txt`/`.md` prompts (prose)."""
    import json
    import tomllib

    root = Path(path)
    if not root.exists():
        from luaurft.errors import LuaurftError

        raise LuaurftError(f"{root}: no such evaluation file or folder")
    files = sorted(f for f in root.rglob("*") if f.is_file()) if root.is_dir() else [root]
    texts: list[EvalText] = []
    for file in files:
        name = file.relative_to(root).as_posix() if root.is_dir() else file.name
        if file.suffix in {".lua", ".luau"}:
            texts.append(EvalText(file.read_text(encoding="utf-8"), id=name, kind="code"))
        elif file.suffix in {".txt", ".md"}:
            texts.append(EvalText(file.read_text(encoding="utf-8"), id=name, kind="prose"))
        elif file.suffix == ".jsonl":
            rows = [
                json.loads(line)
                for line in file.read_text(encoding="utf-8").splitlines()
                if line.strip()
            ]
            texts.extend(eval_texts_from_rows(rows))
        elif file.suffix == ".toml":
            data = tomllib.loads(file.read_text(encoding="utf-8"))
            listed = data.get("tasks")
            tasks: list[Any] = listed if isinstance(listed, list) else [data]
            rows = []
            for task in tasks:
                if not isinstance(task, dict):
                    continue
                solution = next(
                    (
                        _solution_text(task.get(k))
                        for k in ("solution", "reference", "reference_solution")
                        if _solution_text(task.get(k))
                    ),
                    None,
                )
                rows.append(
                    {
                        "id": task.get("id") or file.stem,
                        "prompt": task.get("prompt"),
                        "solution": solution,
                    }
                )
            texts.extend(eval_texts_from_rows(rows))
    return texts
