"""Compare evaluation runs side by side: deltas with paired intervals, plots, Markdown, HTML.

`compare(summaries)` puts the first run (the baseline: usually the base model)
next to the others (SFT, RFT rounds). Only the tasks every run has are
compared (the comparison says how many, and which runs had more), so every
column means the same thing. Each metric's delta is the mean over those tasks of
(other - baseline), with a paired bootstrap interval; a delta is called
significant when its 95% interval excludes 0. A percentile bootstrap over fewer
than `MIN_TASKS` tasks covers less than it claims, so such a comparison carries
a warning. `write_report(comparison, folder)` writes the table as Markdown and a
self-contained HTML page (plots embedded), the comparison as JSON, and three PNG
plots (per-metric bars with intervals, distributions of the per-sample
composite, pass@k curves).
"""

from __future__ import annotations

import base64
import html
import json
import math
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from luaurft.eval.harness import (
    BASE_METRICS,
    EvalError,
    EvalSummary,
    TaskResult,
    _intervals,
    category_intervals,
    pass_metric,
)
from luaurft.eval.metrics import Interval, paired_bootstrap_delta, pass_at_k

MIN_TASKS = 20
"""Below this many shared tasks a comparison warns that its intervals are rough."""

# Metrics drawn in the bar plot, when present.
BAR_METRICS: tuple[str, ...] = (
    "syntax",
    "api",
    "bug",
    "quality",
    "composite",
    "judge",
    "reward",
    "checks",
)
METRIC_TITLES: dict[str, str] = {
    "syntax": "Syntax",
    "api": "API",
    "bug": "Bug-free",
    "quality": "Quality",
    "composite": "Composite",
    "judge": "Judge",
    "reward": "Hybrid reward",
    "checks": "Checks passed",
}


def metric_title(name: str) -> str:
    return METRIC_TITLES.get(name, name)


@dataclass(frozen=True)
class Delta:
    """`interval` of mean(run - baseline) over the `tasks` both runs scored."""

    metric: str
    interval: Interval
    tasks: int

    @property
    def significant(self) -> bool:
        return self.tasks > 1 and self.interval.excludes(0.0)

    @property
    def direction(self) -> str:
        """ "better", "worse" (significant either way) or "unclear"."""
        if not self.significant:
            return "unclear"
        return "better" if self.interval.estimate > 0 else "worse"

    def to_dict(self) -> dict[str, Any]:
        return {
            "metric": self.metric,
            **_rounded(self.interval),
            "tasks": self.tasks,
            "significant": self.significant,
            "direction": self.direction,
            "few_tasks": self.tasks < MIN_TASKS,
        }


@dataclass
class Comparison:
    runs: list[EvalSummary]
    labels: list[str]
    metrics: list[str]
    baseline: int = 0
    deltas: dict[int, dict[str, Delta]] = field(default_factory=dict)
    shared_tasks: int = 0
    """How many tasks every run has: the tasks all numbers are over."""
    notes: list[str] = field(default_factory=list)
    """Warnings a reader needs: tasks left out, intervals over too few tasks."""

    def to_dict(self) -> dict[str, Any]:
        return {
            "baseline": self.labels[self.baseline],
            "shared_tasks": self.shared_tasks,
            "notes": list(self.notes),
            "metrics": self.metrics,
            "runs": [
                {
                    "label": label,
                    "model": run.model,
                    "adapter": run.adapter,
                    "suite": run.suite,
                    "samples": run.samples,
                    "tasks": len(run.tasks),
                    "metrics": {
                        m: _rounded(run.metrics[m]) for m in self.metrics if m in run.metrics
                    },
                    "deltas": {m: d.to_dict() for m, d in self.deltas.get(i, {}).items()},
                }
                for i, (label, run) in enumerate(zip(self.labels, self.runs, strict=True))
            ],
        }


def _rounded(interval: Interval) -> dict[str, float | None]:
    return {
        k: (None if v is None or math.isnan(v) else round(v, 4))
        for k, v in interval.to_dict().items()
    }


def _unique_labels(runs: list[EvalSummary]) -> list[str]:
    labels: list[str] = []
    for i, run in enumerate(runs):
        label = run.label or run.model or f"run {i + 1}"
        if label in labels:
            label = f"{label} ({i + 1})"
        labels.append(label)
    return labels


def _ordered_metrics(runs: list[EvalSummary]) -> list[str]:
    present = {m for run in runs for m in run.metrics}
    ks = sorted(
        {int(m.split("@", 1)[1]) for m in present if m.startswith("pass@")},
    )
    order = [m for m in BASE_METRICS if m in present and m != "checks"]
    order += [pass_metric(k) for k in ks]
    if "checks" in present:
        order.append("checks")
    return order


def compare(
    summaries: list[EvalSummary], *, baseline: int = 0, seed: int = 0, resamples: int = 2000
) -> Comparison:
    """Side-by-side metrics and paired deltas of every run against `baseline`."""
    if not summaries:
        raise ValueError("compare needs at least one run")
    if not 0 <= baseline < len(summaries):
        raise ValueError(f"baseline {baseline} is not one of the {len(summaries)} runs")
    labels = _unique_labels(summaries)
    shared = set(summaries[0].tasks).intersection(*(s.tasks for s in summaries[1:]))
    if not shared:
        raise EvalError(
            "the runs have no task in common, so nothing can be compared; "
            "evaluate them on the same suite (--tasks)"
        )
    notes: list[str] = []
    if any(len(s.tasks) != len(shared) for s in summaries):
        counts = ", ".join(
            f"{label} {len(s.tasks)}" for label, s in zip(labels, summaries, strict=True)
        )
        notes.append(
            f"compared on the {len(shared)} tasks every run has (tasks per run: {counts}); "
            "the others are left out of every number"
        )
    if len(shared) < MIN_TASKS:
        notes.append(
            f"the intervals rest on {len(shared)} tasks (fewer than {MIN_TASKS}): a bootstrap "
            "this small covers less than 95%, so read them, and any ✓, as rough"
        )
    ks = sorted(
        {int(m.split("@", 1)[1]) for s in summaries for m in s.metrics if m.startswith("pass@")}
        | {k for s in summaries for k in s.ks}
    )
    summaries = [_aligned(s, shared, ks, seed) for s in summaries]
    metrics = _ordered_metrics(summaries)
    comparison = Comparison(
        summaries, labels, metrics, baseline, shared_tasks=len(shared), notes=notes
    )
    base = summaries[baseline]
    for i, run in enumerate(summaries):
        if i == baseline:
            continue
        deltas: dict[str, Delta] = {}
        for metric in metrics:
            paired = [
                t
                for t, result in run.tasks.items()
                if metric in result.values and t in base.tasks and metric in base.tasks[t].values
            ]
            if not paired:
                continue
            a = [base.tasks[t].values[metric] for t in paired]
            b = [run.tasks[t].values[metric] for t in paired]
            interval = paired_bootstrap_delta(a, b, resamples=resamples, seed=seed)
            deltas[metric] = Delta(metric, interval, len(paired))
        comparison.deltas[i] = deltas
    return comparison


def _aligned(summary: EvalSummary, shared: set[str], ks: list[int], seed: int) -> EvalSummary:
    """`summary` over the `shared` tasks only, with pass@k for every k of the comparison
    its sample counts allow (so a table never shows "–" where the pass@k plot has a
    point); metrics and categories recomputed as the harness computes them."""
    tasks: dict[str, TaskResult] = {}
    for task_id, result in summary.tasks.items():
        if task_id not in shared:
            continue
        values = dict(result.values)
        if result.n > 0:
            for k in ks:
                if result.n >= k:
                    values.setdefault(pass_metric(k), pass_at_k(result.n, result.c, k))
        tasks[task_id] = replace(result, values=values)
    names = [*BASE_METRICS, *(pass_metric(k) for k in ks)]
    ordered = list(tasks.values())
    categories = category_intervals(ordered, names, seed)
    return replace(
        summary,
        metrics=_intervals(ordered, names, seed),
        categories=categories,
        tasks=tasks,
        ks=tuple(k for k in ks if any(t.n >= k for t in ordered)),
    )


# -- text ------------------------------------------------------------------------------


def _fmt(interval: Interval | None, *, with_ci: bool = True) -> str:
    if interval is None or math.isnan(interval.estimate):
        return "–"
    if not with_ci or math.isnan(interval.low):
        return f"{interval.estimate:.3f}"
    return f"{interval.estimate:.3f} [{interval.low:.3f}, {interval.high:.3f}]"


def _fmt_delta(delta: Delta | None) -> str:
    if delta is None:
        return "–"
    mark = " ✓" if delta.significant else ""
    i = delta.interval
    return f"{i.estimate:+.3f} [{i.low:+.3f}, {i.high:+.3f}]{mark}"


def comparison_markdown(comparison: Comparison) -> str:
    """The comparison as Markdown: the table with intervals, then deltas and categories."""
    metrics = comparison.metrics
    lines = ["| Model | " + " | ".join(metric_title(m) for m in metrics) + " |"]
    lines.append("|---|" + "---|" * len(metrics))
    for label, run in zip(comparison.labels, comparison.runs, strict=True):
        cells = [_fmt(run.metrics.get(m)) for m in metrics]
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    out = ["## Results", ""]
    out += [f"> **Note:** {note}" for note in comparison.notes]
    if comparison.notes:
        out.append("")
    out += [
        f"Mean over the {comparison.shared_tasks} tasks with 95% bootstrap intervals.",
        "",
        *lines,
        "",
    ]
    if comparison.deltas:
        base = comparison.labels[comparison.baseline]
        out += [
            f"## Differences from {base}",
            "",
            "Mean paired difference over shared tasks, 95% paired-bootstrap interval; "
            "✓ marks an interval that excludes 0 (an improvement when positive, a "
            "regression when negative).",
            "",
            "| Model | " + " | ".join(metric_title(m) for m in metrics) + " |",
            "|---|" + "---|" * len(metrics),
        ]
        for i, deltas in sorted(comparison.deltas.items()):
            cells = [_fmt_delta(deltas.get(m)) for m in metrics]
            out.append(f"| {comparison.labels[i]} | " + " | ".join(cells) + " |")
        out.append("")
    out += _category_markdown(comparison)
    return "\n".join(out)


def _category_markdown(comparison: Comparison) -> list[str]:
    categories, header, rows = _category_rows(comparison)
    if not categories:
        return []
    lines = [
        "## By category",
        "",
        "| Category | " + " | ".join(header) + " |",
        "|---|" + "---|" * len(header),
    ]
    for cat, cells in zip(categories, rows, strict=True):
        lines.append(f"| {cat} | " + " | ".join(cells) + " |")
    lines.append("")
    return lines


# -- plots -------------------------------------------------------------------------------


def _figure(width: float, height: float) -> Any:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(width, height), dpi=100)
    FigureCanvasAgg(figure)
    return figure


def plot_scores(comparison: Comparison, path: Path) -> Path:
    """Grouped bars per metric (one bar per run) with 95% interval whiskers."""
    metrics = [
        m
        for m in [
            *BAR_METRICS[:-1],
            *[m for m in comparison.metrics if m.startswith("pass@")],
            "checks",
        ]
        if m in comparison.metrics
    ]
    figure = _figure(max(6.0, 1.1 * len(metrics) + 2), 4.2)
    ax = figure.add_subplot(1, 1, 1)
    count = len(comparison.runs)
    width = 0.8 / max(1, count)
    for r, (label, run) in enumerate(zip(comparison.labels, comparison.runs, strict=True)):
        xs, ys, lows, highs = [], [], [], []
        for j, metric in enumerate(metrics):
            interval = run.metrics.get(metric)
            if interval is None or math.isnan(interval.estimate):
                continue
            xs.append(j - 0.4 + width * (r + 0.5))
            ys.append(interval.estimate)
            low = interval.low if not math.isnan(interval.low) else interval.estimate
            high = interval.high if not math.isnan(interval.high) else interval.estimate
            lows.append(max(0.0, interval.estimate - low))
            highs.append(max(0.0, high - interval.estimate))
        ax.bar(xs, ys, width=width * 0.95, label=label, yerr=[lows, highs], capsize=3)
    ax.set_xticks(range(len(metrics)))
    ax.set_xticklabels([metric_title(m) for m in metrics], rotation=20, ha="right")
    ax.set_ylim(0, 1.05)
    ax.set_ylabel("score (95% CI)")
    ax.set_title("Scores by metric")
    ax.legend(fontsize="small")
    figure.tight_layout()
    figure.savefig(path)
    return path


def plot_distributions(comparison: Comparison, path: Path) -> Path:
    """Distribution of the per-sample composite score of each run."""
    figure = _figure(6.5, 4.0)
    ax = figure.add_subplot(1, 1, 1)
    data = [[x for t in run.tasks.values() for x in t.sample_composites] for run in comparison.runs]
    positions = [i + 1 for i, values in enumerate(data) if values]
    filled = [values for values in data if values]
    if filled:
        ax.violinplot(filled, positions=positions, showmeans=True, showextrema=True)
    ax.set_xticks(range(1, len(comparison.runs) + 1))
    ax.set_xticklabels(comparison.labels, rotation=15, ha="right")
    ax.set_ylim(-0.05, 1.05)
    ax.set_ylabel("composite score per sample")
    ax.set_title("Score distributions")
    figure.tight_layout()
    figure.savefig(path)
    return path


def plot_pass_curves(comparison: Comparison, path: Path) -> Path:
    """Mean pass@k against k for each run (unbiased estimator)."""
    figure = _figure(6.0, 4.0)
    ax = figure.add_subplot(1, 1, 1)
    for label, run in zip(comparison.labels, comparison.runs, strict=True):
        curve = run.pass_curve()
        if curve:
            ks = sorted(curve)
            ax.plot(ks, [curve[k] for k in ks], marker="o", label=label)
    ax.set_xlabel("k")
    ax.set_ylabel("pass@k")
    ax.set_ylim(0, 1.05)
    ax.set_title("Execution pass@k")
    ax.grid(alpha=0.3)
    if any(run.pass_curve() for run in comparison.runs):
        ax.legend(fontsize="small")
    figure.tight_layout()
    figure.savefig(path)
    return path


# -- files -------------------------------------------------------------------------------

PLOTS = {
    "scores": ("scores.png", plot_scores),
    "distributions": ("distributions.png", plot_distributions),
    "pass_at_k": ("pass_at_k.png", plot_pass_curves),
}


def _category_rows(comparison: Comparison) -> tuple[list[str], list[str], list[list[str]]]:
    """(categories, column headers, rows of cells) of the by-category table."""
    categories: list[str] = []
    for run in comparison.runs:
        for cat in run.categories:
            if cat not in categories:
                categories.append(cat)
    wanted = [m for m in ("pass@1", "composite") if m in comparison.metrics]
    if not categories or not wanted:
        return [], [], []
    header = [f"{label} {metric_title(m)}" for label in comparison.labels for m in wanted]
    rows = [
        [
            _fmt(run.categories.get(cat, {}).get(m), with_ci=False)
            for run in comparison.runs
            for m in wanted
        ]
        for cat in categories
    ]
    return categories, header, rows


def comparison_html(comparison: Comparison, plots: dict[str, str] | None = None) -> str:
    """A standalone HTML page with the tables and the plots. `plots` maps a plot key to
    its `src`: a file name, or (as `write_report` does) a `data:` URI so the page
    needs nothing beside it."""
    esc = html.escape
    metrics = comparison.metrics
    rows = []
    for label, run in zip(comparison.labels, comparison.runs, strict=True):
        cells = "".join(f"<td>{esc(_fmt(run.metrics.get(m)))}</td>" for m in metrics)
        rows.append(f"<tr><th>{esc(label)}</th>{cells}</tr>")
    head = "".join(f"<th>{esc(metric_title(m))}</th>" for m in metrics)
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        "<title>luaurft evaluation report</title>",
        "<style>body{font-family:system-ui,sans-serif;margin:2em;max-width:1200px}"
        "table{border-collapse:collapse;margin:1em 0}th,td{border:1px solid #ccc;"
        "padding:4px 8px;text-align:right}th:first-child{text-align:left}"
        ".better{font-weight:bold;color:#0a6b2b}.worse{font-weight:bold;color:#b00020}"
        ".note{background:#fff4e5;border-left:4px solid #e69500;padding:.5em 1em}"
        "img{max-width:100%;margin:1em 0}</style>",
        "</head><body>",
        "<h1>Evaluation report</h1>",
        *(f'<p class="note">{esc(note)}</p>' for note in comparison.notes),
        f"<p>Suite: {esc(', '.join(sorted({r.suite for r in comparison.runs})))}. "
        f"Means over the {comparison.shared_tasks} tasks with 95% bootstrap intervals.</p>",
        f"<table><thead><tr><th>Model</th>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>",
    ]
    if comparison.deltas:
        base = comparison.labels[comparison.baseline]
        delta_rows = []
        for i, deltas in sorted(comparison.deltas.items()):
            delta_cells = []
            for m in metrics:
                d = deltas.get(m)
                css = f' class="{d.direction}"' if d is not None and d.significant else ""
                delta_cells.append(f"<td{css}>{esc(_fmt_delta(d))}</td>")
            delta_rows.append(
                f"<tr><th>{esc(comparison.labels[i])}</th>{''.join(delta_cells)}</tr>"
            )
        parts += [
            f"<h2>Differences from {esc(base)}</h2>",
            "<p>Paired bootstrap over shared tasks; a 95% interval that excludes 0 is "
            '<span class="better">green</span> for an improvement and '
            '<span class="worse">red</span> for a regression.</p>',
            f"<table><thead><tr><th>Model</th>{head}</tr></thead>"
            f"<tbody>{''.join(delta_rows)}</tbody></table>",
        ]
    categories, header, cat_rows = _category_rows(comparison)
    if categories:
        cat_head = "".join(f"<th>{esc(h)}</th>" for h in header)
        body = "".join(
            f"<tr><th>{esc(cat)}</th>{''.join(f'<td>{esc(c)}</td>' for c in cells)}</tr>"
            for cat, cells in zip(categories, cat_rows, strict=True)
        )
        parts += [
            "<h2>By category</h2>",
            f"<table><thead><tr><th>Category</th>{cat_head}</tr></thead>"
            f"<tbody>{body}</tbody></table>",
        ]
    for key, title in (
        ("scores", "Scores"),
        ("distributions", "Score distributions"),
        ("pass_at_k", "pass@k"),
    ):
        if plots and key in plots:
            parts.append(f'<h2>{title}</h2><img src="{esc(plots[key])}" alt="{title}">')
    parts.append("</body></html>")
    return "\n".join(parts)


def _data_uri(path: Path) -> str:
    return "data:image/png;base64," + base64.b64encode(path.read_bytes()).decode("ascii")


def write_report(comparison: Comparison, folder: str | Path) -> dict[str, Path]:
    """Write report.md, report.html, comparison.json and the PNG plots into `folder`."""
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    files: dict[str, Path] = {}
    plot_names: dict[str, str] = {}
    for key, (name, draw) in PLOTS.items():
        files[key] = draw(comparison, out / name)
        plot_names[key] = name
    markdown = "# Evaluation report\n\n" + comparison_markdown(comparison)
    markdown += "\n" + "\n".join(f"![{key}]({name})" for key, name in plot_names.items()) + "\n"
    files["markdown"] = out / "report.md"
    files["markdown"].write_text(markdown, encoding="utf-8")
    files["html"] = out / "report.html"
    embedded = {key: _data_uri(files[key]) for key in plot_names}
    files["html"].write_text(comparison_html(comparison, embedded), encoding="utf-8")
    files["json"] = out / "comparison.json"
    files["json"].write_text(json.dumps(comparison.to_dict(), indent=2), encoding="utf-8")
    return files


__all__ = [
    "Comparison",
    "Delta",
    "compare",
    "comparison_html",
    "comparison_markdown",
    "metric_title",
    "plot_distributions",
    "plot_pass_curves",
    "plot_scores",
    "write_report",
]
