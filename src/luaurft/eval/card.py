"""A Hugging Face model card (README.md) for an adapter, with its evaluation results.

The card opens with YAML metadata (license, base model, library, tags and a
`model-index` with this model's results, which the Hub shows as an evaluation
widget), followed by a description, the comparison table with intervals and
deltas, how the numbers were measured, and how to load the adapter.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path

from luaurft.eval.harness import EvalSummary
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


def _yaml_str(value: str) -> str:
    # A JSON string is a valid YAML scalar, with every special character escaped.
    return json.dumps(value, ensure_ascii=False)


def _metric_rows(summary: EvalSummary, metrics: list[str]) -> list[str]:
    rows: list[str] = []
    for metric in metrics:
        interval = summary.metrics.get(metric)
        if interval is None or math.isnan(interval.estimate):
            continue
        rows += [
            f"      - type: {_yaml_str(metric)}",
            f"        value: {round(interval.estimate, 4)}",
            f"        name: {_yaml_str(metric_title(metric) + ' (mean over tasks)')}",
        ]
    return rows


def card_metadata(info: CardInfo, summary: EvalSummary, metrics: list[str]) -> str:
    lines = ["---", f"license: {_yaml_str(info.license)}"]
    if info.base_model:
        lines.append(f"base_model: {_yaml_str(info.base_model)}")
    lines += [
        "library_name: peft",
        "pipeline_tag: text-generation",
        "tags:",
        "  - roblox",
        "  - luau",
        "  - code",
        "  - lora",
        "  - luaurft",
        "model-index:",
        f"  - name: {_yaml_str(info.name)}",
        "    results:",
        "      - task:",
        "          type: text-generation",
        "          name: Roblox Luau code generation",
        "        dataset:",
        f"          type: {_yaml_str(DATASET_TYPE)}",
        f"          name: {_yaml_str('luaurft ' + (summary.suite or 'tasks') + ' suite')}",
        "        metrics:",
    ]
    lines += ["  " + row for row in _metric_rows(summary, metrics)]
    lines.append("---")
    return "\n".join(lines)


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
) -> Path:
    """Write `folder`/README.md (the folder is usually the adapter's)."""
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    path = out / "README.md"
    path.write_text(model_card(info, runs, model_run=model_run, seed=seed), encoding="utf-8")
    return path


__all__ = ["CardInfo", "card_metadata", "model_card", "write_model_card"]
