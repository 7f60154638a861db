"""A Hugging Face model card (README.md) for an adapter, with its evaluation results.

The card is built with `huggingface_hub`'s `ModelCard`, `ModelCardData` and
`EvalResult`: YAML metadata (license, base model, library, tags and a
`model-index` with this model's results, which the Hub shows as an evaluation
widget), followed by a description, the comparison table with intervals and
deltas, how the numbers were measured, and how to load the adapter.

`adapter_card(adapter, runs)` is what `luaurft card` does: it checks that the
folder is a peft adapter (`adapter_config.json`), takes the base model from it,
and refuses to replace an existing README.md (peft writes one) unless asked.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from luaurft.eval.harness import EvalError, EvalSummary
from luaurft.eval.report import Comparison, compare, comparison_markdown, metric_title

DATASET_TYPE = "luaurft/roblox-tasks"


@dataclass(frozen=True)
class CardInfo:
    """What the card says about the model besides its results."""

    name: str
    base_model: str | None = None
    license: str = "apache-2.0"
    description: str = ""
    training: str = ""


def _eval_results(summary: EvalSummary, metrics: list[str]) -> list[Any]:
    from huggingface_hub import EvalResult

    results = []
    for metric in metrics:
        interval = summary.metrics.get(metric)
        if interval is None or math.isnan(interval.estimate):
            continue
        results.append(
            EvalResult(
                task_type="text-generation",
                task_name="Roblox Luau code generation",
                dataset_type=DATASET_TYPE,
                dataset_name=f"luaurft {summary.suite or 'tasks'} suite",
                metric_type=metric,
                metric_value=round(interval.estimate, 4),
                metric_name=f"{metric_title(metric)} (mean over tasks)",
            )
        )
    return results


def card_metadata(info: CardInfo, summary: EvalSummary, metrics: list[str]) -> str:
    """The card's YAML front matter (with the `---` lines), from `ModelCardData`."""
    from huggingface_hub import ModelCardData

    data = ModelCardData(
        license=info.license,
        base_model=info.base_model,
        library_name="peft",
        pipeline_tag="text-generation",
        tags=["roblox", "luau", "code", "lora", "luaurft"],
        model_name=info.name,
        eval_results=_eval_results(summary, metrics) or None,
    )
    return f"---\n{data.to_yaml()}\n---"


def model_card(
    info: CardInfo, runs: list[EvalSummary], *, model_run: int = -1, seed: int = 0
) -> str:
    """The README.md text: metadata for `runs[model_run]`, the comparison of all runs."""
    if not runs:
        raise ValueError("a model card needs at least one evaluation run")
    own = runs[model_run]
    comparison: Comparison = compare(runs, seed=seed)
    metadata = card_metadata(info, own, comparison.metrics)
    ks = ", ".join(m for m in comparison.metrics if m.startswith("pass@"))
    body = [
        metadata,
        "",
        f"# {info.name}",
        "",
        info.description.strip()
        or "A LoRA adapter that writes production-ready Roblox Luau from plain-language requests.",
        "",
    ]
    if info.base_model:
        body += [f"Base model: `{info.base_model}`.", ""]
    if info.training.strip():
        body += ["## Training", "", info.training.strip(), ""]
    body += [
        "## Evaluation",
        "",
        f"Evaluated on the `{own.suite}` suite ({len(own.tasks)} tasks, {own.samples} "
        f"sample(s) per task). Syntax, API, bug-risk and quality are luaurft's deterministic "
        "scorers (the composite is their mean); execution checks run each answer in a "
        "sandboxed mock Roblox world and require every check of the task to pass"
        + (f" ({ks}, unbiased estimator)" if ks else "")
        + ". Intervals are 95% bootstrap intervals over tasks.",
        "",
        comparison_markdown(comparison),
        "",
        "## Usage",
        "",
        "```python",
        "from peft import PeftModel",
        "from transformers import AutoModelForCausalLM, AutoTokenizer",
        "",
        f'base = AutoModelForCausalLM.from_pretrained("{info.base_model or "BASE_MODEL"}")',
        f'tokenizer = AutoTokenizer.from_pretrained("{info.base_model or "BASE_MODEL"}")',
        'model = PeftModel.from_pretrained(base, "PATH_TO_THIS_ADAPTER")',
        "```",
        "",
        "## Limitations",
        "",
        "Scores come from static analysis and a mock Roblox runtime, not from Roblox "
        "itself; generated code should be reviewed and tested in Studio before use.",
        "",
    ]
    return "\n".join(body)


def write_model_card(
    folder: str | Path,
    info: CardInfo,
    runs: list[EvalSummary],
    *,
    model_run: int = -1,
    seed: int = 0,
    force: bool = True,
) -> Path:
    """Write `folder`/README.md (the folder is usually the adapter's) as a `ModelCard`;
    with `force=False` an existing README.md is an error, not overwritten."""
    from huggingface_hub import ModelCard

    out = Path(folder)
    path = out / "README.md"
    if path.exists() and not force:
        raise EvalError(
            f"{path} already exists (peft writes a placeholder card there); "
            "pass --force to replace it, or --out to write the card elsewhere"
        )
    out.mkdir(parents=True, exist_ok=True)
    card = ModelCard(model_card(info, runs, model_run=model_run, seed=seed))
    card.save(path)
    return path


def read_adapter_config(adapter: str | Path) -> dict[str, Any]:
    """The peft `adapter_config.json` of `adapter`, or an `EvalError` saying what is wrong."""
    folder = Path(adapter)
    if not folder.is_dir():
        raise EvalError(f"{adapter}: no such adapter folder; give the folder peft saved")
    config_file = folder / "adapter_config.json"
    try:
        config = json.loads(config_file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise EvalError(
            f"{adapter} is not a peft adapter folder (no adapter_config.json); "
            "give the folder `save_pretrained` wrote (e.g. runs/X/adapters/sft)"
        ) from None
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise EvalError(f"{config_file} cannot be read: {exc}") from None
    if not isinstance(config, dict):
        raise EvalError(f"{config_file} is not a JSON object")
    return config


def adapter_card(
    adapter: str | Path,
    runs: list[EvalSummary],
    *,
    name: str | None = None,
    base_model: str | None = None,
    license: str = "apache-2.0",
    out: str | Path | None = None,
    force: bool = False,
    seed: int = 0,
) -> Path:
    """Write the model card of a peft adapter: checked to be one, its base model read
    from its `adapter_config.json` (unless given), its own run found among `runs`
    by adapter path (else the last). Returns the README.md written."""
    config = read_adapter_config(adapter)
    if not runs:
        raise EvalError("give at least one evaluation run (--run)")
    base = base_model or config.get("base_model_name_or_path")
    if not isinstance(base, str) or not base:
        raise EvalError(
            f"{adapter}/adapter_config.json names no base model; pass --base-model HUB_ID"
        )
    own = len(runs) - 1
    folder = Path(adapter).resolve()
    for i, summary in enumerate(runs):
        if summary.adapter and Path(summary.adapter).resolve() == folder:
            own = i
    info = CardInfo(name=name or folder.name, base_model=base, license=license)
    return write_model_card(
        out if out is not None else adapter, info, runs, model_run=own, seed=seed, force=force
    )


__all__ = [
    "CardInfo",
    "adapter_card",
    "card_metadata",
    "model_card",
    "read_adapter_config",
    "write_model_card",
]
