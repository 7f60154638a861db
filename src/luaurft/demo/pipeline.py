"""`run_demo`: the whole loop on a CPU, resumable from its run folder.

Stages (each recorded in the run's `RunStore`; a rerun skips what is done):

    suite          draw the train / rft / eval splits, write them as task files,
                   validate the rft and eval tasks (reference passes, empty fails)
    sft-data       the train split (and the practice split, if any) as
                   prompt/completion rows with the reference system prompt
                   (data/sft.jsonl)
    pretrain       tokenizer + tiny Mistral from scratch, every parameter trained
                   on the train split's rows (base/); checkpointed, resumes mid-way
    train@0        LoRA SFT through the library's SFT path (adapters/sft)
    candidates@1   N samples per RFT task from the SFT model
    score@1        the hybrid reward, judge off, execution scorer on
    select@1       best per task if it clears the keep threshold
    train@1        the RFT round: SFT rows mixed with the selections (adapters/round-1)
    eval           SFT and RFT on the held-out split (eval/sft, eval/rft: each
                   its own resumable eval store)
    report         comparison report (report/: Markdown, HTML, JSON, plots) and
                   the results table (report/demo.md, report/demo.json)

Run folder layout: `run.sqlite` (the RFT run's store), `tasks/*.toml`,
`data/`, `base/`, `adapters/`, `eval/`, `report/`.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from luaurft.config import Settings
from luaurft.demo.config import DemoPreset, demo_preset
from luaurft.demo.model import is_model_dir, pretrain
from luaurft.demo.report import DemoTable, build_table, write_table
from luaurft.demo.suite import DemoSuite, SuiteSpec, build_suite, write_suite
from luaurft.errors import LuaurftError
from luaurft.eval.harness import EvalSettings, EvalSummary, eval_config, evaluate, open_eval_store
from luaurft.eval.report import compare, write_report
from luaurft.eval.tasks import Task, TaskSuite
from luaurft.runs.store import RunStore, Status, TaskRow

log = logging.getLogger(__name__)

Progress = Callable[[str, int, int], None]
BASE_DIR = "base"
SFT_FILE = Path("data") / "sft.jsonl"
RESULT_FILE = "demo.json"


class DemoError(LuaurftError):
    """A demo run that cannot go on as asked."""


@dataclass
class DemoResult:
    """What a demo run produced (also written to `report/demo.json`)."""

    run_dir: Path
    table: DemoTable
    splits: dict[str, int]
    stages: dict[str, float] = field(default_factory=dict)
    pretrain: dict[str, Any] = field(default_factory=dict)
    rft: dict[str, Any] = field(default_factory=dict)
    reports: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "run_dir": str(self.run_dir),
            "table": self.table.to_dict(),
            "splits": self.splits,
            "stage_seconds": {k: round(v, 2) for k, v in self.stages.items()},
            "pretrain": self.pretrain,
            "rft": self.rft,
            "reports": self.reports,
            "seconds": round(self.seconds, 2),
        }


def suite_spec(preset: DemoPreset) -> SuiteSpec:
    s = preset.demo.suite
    return SuiteSpec(
        train_per_family=s.train_per_family,
        rft_per_family=s.rft_per_family,
        eval_per_family=s.eval_per_family,
        eval_per_combination=s.eval_per_combination,
        rft_more_per_family=s.rft_more_per_family,
        rft_per_combination=s.rft_per_combination,
        validation_per_family=s.validation_per_family,
        validation_per_combination=s.validation_per_combination,
        rft_unseen_values=s.rft_unseen_values,
        rft_fresh_keys=s.rft_fresh_keys,
        practice_combinations=s.practice_combinations,
        seed=s.seed,
        families=tuple(s.families),
        combinations=None if s.combinations is None else tuple(s.combinations),
    )


def sft_rows(tasks: TaskSuite, system_prompt: str) -> list[dict[str, Any]]:
    """Tasks with solutions (the train split, the practice split) as TRL prompt/completion
    rows (loss on the code only)."""
    from luaurft.data.formats import to_prompt_completion
    from luaurft.data.records import CodeRecord

    rows = []
    for task in tasks:
        record = CodeRecord(id=task.id, text=task.solution, source=task.source,
                            task=task.user_prompt())  # fmt: skip
        row = to_prompt_completion(record, system_prompt)
        rows.append({"prompt": row["prompt"], "completion": row["completion"], "id": task.id})
    return rows


def task_rows(tasks: TaskSuite) -> list[TaskRow]:
    """The RFT tasks as run-store rows; each carries its whole task (`meta["spec"]`), so
    the reward runs the task's own checks (`luaurft.rft.select.task_spec`)."""
    from luaurft.rft.select import SPEC_META

    rows = []
    for t in tasks:
        meta = {**t.meta(), SPEC_META: t.model_dump(mode="json")}
        rows.append(TaskRow(t.id, t.user_prompt(), t.kind.value, "rft", meta))
    return rows


@contextmanager
def _stage(store: RunStore, name: str, timings: dict[str, float]) -> Iterator[dict[str, Any]]:
    meta: dict[str, Any] = {}
    started = time.perf_counter()
    store.start_stage(name)
    try:
        yield meta
    except BaseException as exc:
        store.fail_stage(name, error=f"{type(exc).__name__}: {exc}"[:2000])
        raise
    store.finish_stage(name, meta=meta)
    timings[name] = time.perf_counter() - started


def _done(store: RunStore, name: str) -> dict[str, Any] | None:
    row = store.stage(name)
    return dict(row.meta) if row is not None and row.status is Status.DONE else None


# -- generation ---------------------------------------------------------------------------


def load_generator(base_dir: Path, adapter: Path | None, *, batch_size: int, label: str) -> Any:
    """A transformers generator for the base model with the adapter merged in (merged
    weights sample faster than a peft wrapper on a CPU)."""
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from luaurft.llm.transformers_backend import TransformersGenerator

    model = AutoModelForCausalLM.from_pretrained(str(base_dir))
    if adapter is not None:
        from peft import PeftModel

        model = PeftModel.from_pretrained(model, str(adapter)).merge_and_unload()
    tokenizer = AutoTokenizer.from_pretrained(str(adapter or base_dir))
    generator = TransformersGenerator(model, tokenizer=tokenizer, batch_size=batch_size)
    generator.name = f"demo-{label}"
    return generator


# -- the run -----------------------------------------------------------------------------------


def quiet_libraries() -> None:
    """Hugging Face's own progress bars and bitsandbytes' CPU-kernel notice would interleave
    with the demo's bars; the demo reports the same progress itself."""
    import datasets
    import transformers

    datasets.disable_progress_bars()
    transformers.utils.logging.disable_progress_bar()
    transformers.utils.logging.set_verbosity_error()
    logging.getLogger("bitsandbytes").setLevel(logging.ERROR)


def run_demo(
    run_dir: str | Path,
    preset: DemoPreset | None = None,
    *,
    progress: Progress | None = None,
) -> DemoResult:
    """Run (or continue) the demo in `run_dir`; see the module docstring."""
    import torch

    from luaurft.rft.factories import hybrid_reward
    from luaurft.rft.loop import ModelRef, TrainRequest, run_rft
    from luaurft.rft.sft import TrainResult, train_sft

    preset = preset or demo_preset()
    demo = preset.demo
    torch.set_num_threads(demo.threads)
    quiet_libraries()
    started = time.perf_counter()
    out = Path(run_dir)
    out.mkdir(parents=True, exist_ok=True)
    base_dir = out / BASE_DIR
    settings: Settings = preset.settings.model_copy(deep=True)
    settings.model.base_model = str(base_dir)

    def report(stage: str) -> Callable[[int, int], None] | None:
        if progress is None:
            return None
        return lambda done, total: progress(stage, done, total)

    timings: dict[str, float] = {}
    suite = build_suite(suite_spec(preset))
    # The base is pre-trained on the train split alone (its shipped recipe hashes exactly
    # these rows); SFT and the RFT mix also get the practice split.
    base_rows = sft_rows(suite.train, settings.model.system_prompt)
    rows = base_rows + sft_rows(suite.practice, settings.model.system_prompt)
    with RunStore.in_dir(out, kind="rft", config=preset.fingerprint()) as store:
        if _done(store, "suite") is None:
            with _stage(store, "suite", timings) as meta:
                meta.update(_suite_stage(suite, out, report("validate tasks")))
        if _done(store, "sft-data") is None:
            with _stage(store, "sft-data", timings) as meta:
                from luaurft.data.formats import write_jsonl

                meta["rows"] = write_jsonl(out / SFT_FILE, rows)
                store.add_artifact("sft-data", out / SFT_FILE, kind="dataset")

        pretrain_meta = _done(store, "pretrain")
        if (pretrain_meta is None or not is_model_dir(base_dir)) and demo.base != "pretrain":
            with _stage(store, "pretrain", timings) as meta:
                meta.update(_install_base(preset, base_rows, base_dir, report("install base")))
                store.add_artifact("base-model", base_dir, kind="model",
                                   meta={"parameters": meta["parameters"]})  # fmt: skip
            pretrain_meta = meta
        elif pretrain_meta is None or not is_model_dir(base_dir):
            with _stage(store, "pretrain", timings) as meta:
                result = pretrain(
                    base_dir, base_rows, model_spec=demo.model, spec=demo.pretrain,
                    work_dir=out / "work" / "pretrain", max_length=settings.training.max_length,
                    progress=report("pre-train base"),
                )  # fmt: skip
                meta.update(result.to_dict())
                _remove_empty(out / "work")
                store.add_artifact(
                    "base-model", base_dir, kind="model", meta={"parameters": result.parameters}
                )
            pretrain_meta = meta

        def trainer(request: TrainRequest) -> TrainResult:
            steps = demo.sft_steps if request.round == 0 else demo.rft_steps
            stage = "SFT (LoRA)" if request.round == 0 else f"RFT round {request.round} (LoRA)"
            return train_sft(
                request.settings, request.rows, request.output_dir,
                base_model=request.base_model, init_adapter=request.init_adapter,
                max_steps=steps, report_to=["none"], run_name=f"demo-{request.name}",
                progress=report(stage),
            )  # fmt: skip

        def factory(model: ModelRef) -> Any:
            return load_generator(Path(model.base_model), model.adapter,
                                  batch_size=demo.generation_batch, label=model.label)  # fmt: skip

        labels = {
            "candidates": "RFT candidates",
            "score": "hybrid reward",
            "candidates-unsolved": "RFT candidates, unsolved tasks",
            "score-unsolved": "hybrid reward, unsolved tasks",
        }

        def rft_progress(stage: str, done: int, total: int) -> None:
            if progress is None:
                return
            name, _, r = stage.partition("@")
            progress(f"{labels.get(name, name)} (round {r})" if r else stage, done, total)

        reward: Any = hybrid_reward(settings)
        rft_started = time.perf_counter()
        rft_result = run_rft(
            settings, store=store, run_dir=out, sft_rows=rows, generator_factory=factory,
            reward=reward, tasks=task_rows(suite.rft), trainer=trainer,
            progress=rft_progress, tasks_per_call=demo.generation_batch,
        )  # fmt: skip
        timings["sft+rft"] = time.perf_counter() - rft_started
        sft_adapter = Path(rft_result.sft_adapter) if rft_result.sft_adapter else None
        final = Path(rft_result.final_adapter) if rft_result.final_adapter else None
        if sft_adapter is None or final is None:
            raise DemoError("the RFT run produced no adapter; rerun the demo in a new folder")
        retrained = any(r.training.get("skipped") is None for r in rft_result.rounds)

        eval_started = time.perf_counter()
        held_out = suite.split(demo.evaluate_on)
        summaries = [
            _evaluate(out, base_dir, sft_adapter, "SFT", held_out, preset, report),
            _evaluate(out, base_dir, final, "RFT", held_out, preset, report),
        ]
        timings["eval"] = time.perf_counter() - eval_started

        with _stage(store, "report", timings) as meta:
            comparison = compare(summaries, seed=demo.eval.seed)
            files = write_report(comparison, out / "report")
            notes = _notes(rft_result, retrained, settings)
            notes.append(_base_note(pretrain_meta))
            notes.append(f"Compared on the {demo.evaluate_on} split ({len(held_out)} tasks, "
                         f"{demo.eval.samples} samples each).")  # fmt: skip
            table = build_table(comparison, notes=notes)
            demo_result = DemoResult(
                run_dir=out, table=table, splits=suite.counts(), stages=timings,
                pretrain={k: v for k, v in pretrain_meta.items() if k != "losses"},
                rft=rft_result.to_dict(), seconds=time.perf_counter() - started,
            )  # fmt: skip
            written = write_table(
                table,
                out / "report",
                extra={k: v for k, v in demo_result.to_dict().items() if k != "table"},
            )
            demo_result.reports = {k: str(v) for k, v in {**files, **written}.items()}
            meta.update(demo_result.reports)
            store.add_artifact("report", out / "report" / "demo.md", kind="report")
    return demo_result


def _install_base(
    preset: DemoPreset,
    rows: Sequence[dict[str, Any]],
    base_dir: Path,
    progress: Callable[[int, int], None] | None,
) -> dict[str, Any]:
    """Copy the shipped (or a given) base into the run folder after checking its recipe."""
    from luaurft.demo.shipped import SHIPPED_DIR, install_base

    base = preset.demo.base
    source = SHIPPED_DIR if base == "shipped" else Path(base)
    if progress is not None:
        progress(0, 1)
    recipe = install_base(source, base_dir, preset, rows)
    if progress is not None:
        progress(1, 1)
    return {
        "source": "shipped" if base == "shipped" else str(source),
        "built_by": recipe.get("command"),
        "parameters": recipe.get("parameters"),
        "steps": recipe["pretrain"]["steps"],
        "final_loss": recipe.get("final_loss"),
        "train_rows_sha256": recipe["train_rows_sha256"],
    }


def _base_note(meta: Mapping[str, Any]) -> str:
    steps = meta.get("steps")
    if meta.get("source") == "shipped":
        return (f"Base: the shipped tiny Mistral ({meta.get('parameters')} parameters, "
                f"pre-trained {steps} steps on the train split by `{meta.get('built_by')}`).")  # fmt: skip
    if meta.get("source"):
        return f"Base: {meta['source']} (built by `{meta.get('built_by')}`, {steps} steps)."
    return f"Base: pre-trained in this run folder ({steps} steps on the train split)."


def _remove_empty(folder: Path) -> None:
    if folder.is_dir() and not any(folder.iterdir()):
        folder.rmdir()


def _suite_stage(
    suite: DemoSuite, out: Path, progress: Callable[[int, int], None] | None
) -> dict[str, Any]:
    from luaurft.eval.validate import validate_task

    paths = write_suite(suite, out / "tasks")
    # The rft and eval splits are what the run measures; of the (large) train
    # split, one task per family is run, since every task of a family shares its code.
    # Practice tasks are all run: each is trained on, and their solutions join two pieces.
    checked: list[Task] = [*suite.rft, *suite.validation, *suite.eval, *suite.practice]
    seen: set[str] = set()
    for task in suite.train:
        if task.category not in seen:
            seen.add(task.category)
            checked.append(task)
    failures: list[str] = []
    for number, task in enumerate(checked, start=1):
        validation = validate_task(task)
        if not validation.ok:
            failures.append(f"{task.id}: {'; '.join(validation.problems)}")
        if progress is not None:
            progress(number, len(checked))
    if failures:
        raise DemoError("procedural tasks do not validate: " + " | ".join(failures[:5]))
    return {"splits": suite.counts(), "validated": len(checked),
            "files": {k: str(v) for k, v in paths.items()}}  # fmt: skip


def _evaluate(
    out: Path,
    base_dir: Path,
    adapter: Path,
    label: str,
    tasks: TaskSuite,
    preset: DemoPreset,
    report: Callable[[str], Callable[[int, int], None] | None],
) -> EvalSummary:
    e = preset.demo.eval
    settings = EvalSettings(
        samples=e.samples, temperature=e.temperature, top_p=e.top_p,
        max_new_tokens=e.max_new_tokens, seed=e.seed,
        system_prompt=preset.settings.model.system_prompt,
        batch_size=preset.demo.generation_batch,
    )  # fmt: skip
    config = eval_config("demo-tiny-mistral", tasks, settings, label=label, adapter=adapter.name)
    names = {"generate": "samples", "execute": "checks", "score": "scores"}

    def progress(stage: str, done: int, total: int) -> None:
        callback = report(f"eval {label}: {names.get(stage, stage)}")
        if callback is not None:
            callback(done, total)

    generator: Any = _LazyGenerator(lambda: load_generator(
        base_dir, adapter, batch_size=preset.demo.generation_batch, label=label.lower()))  # fmt: skip
    with open_eval_store(out / "eval" / label.lower(), config) as store:
        return evaluate(
            generator, tasks, store, settings, progress=progress, seed=preset.demo.eval.seed
        )


class _LazyGenerator:
    """Loads the model only when a sample is missing (a finished eval needs none)."""

    def __init__(self, load: Callable[[], Any]) -> None:
        self._load = load
        self._generator: Any = None
        self.name = "demo"

    def generate(
        self, conversations: Sequence[Any], n: int | None = None, sampling: Any = None
    ) -> list[list[Any]]:
        if self._generator is None:
            self._generator = self._load()
            self.name = self._generator.name
        result: list[list[Any]] = self._generator.generate(conversations, n=n, sampling=sampling)
        return result


def _notes(rft_result: Any, retrained: bool, settings: Settings) -> list[str]:
    notes: list[str] = []
    for r in rft_result.rounds:
        sel: Mapping[str, Any] = r.selection
        kept, tasks = sel.get("kept", 0), sel.get("tasks", r.tasks)
        mean = sel.get("kept_mean_reward")
        mean_text = "" if mean is None else f", mean reward of the kept set {mean:.3f}"
        notes.append(
            f"RFT round {r.round}: kept {kept} of {tasks} tasks at reward ≥ "
            f"{settings.rft.keep_threshold:.2f}{mean_text}."
        )
    if not retrained:
        notes.append("No candidate cleared the keep threshold: the RFT model is the SFT model.")
    weights = settings.reward.weights
    checks = (f", the RFT task's own checks at weight {weights['checks']:g}"
              if weights.get("checks") else "")  # fmt: skip
    bar = "; a candidate failing any check is never kept" if settings.reward.require_checks else ""
    notes.append(f"Selection reward: hybrid (judge off, execution scorer on{checks}){bar}.")
    notes.append("Reference numbers: the published Mistral-7B results on its own tasks, "
                 "for scale only.")  # fmt: skip
    return notes


def load_result(run_dir: str | Path) -> dict[str, Any] | None:
    path = Path(run_dir) / "report" / RESULT_FILE
    if not path.is_file():
        return None
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


__all__ = [
    "DemoError",
    "DemoResult",
    "load_generator",
    "run_demo",
    "sft_rows",
    "suite_spec",
    "task_rows",
]
