"""The demo's results table: the reference system's metrics for SFT and RFT, side by side.

Rows are the reference system's scorers (syntax, API, bug-free, quality,
composite) and the execution results it never had (pass@1 on the held-out
checks, share of checks passed). Columns: SFT, RFT, the delta with its paired
bootstrap interval, and the reference system's published SFT → RFT numbers
(DESIGN.md) for comparison.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from luaurft.eval.harness import EvalSummary
from luaurft.eval.report import Comparison

# The reference system's reported means, SFT → RFT (DESIGN.md). It reported no
# execution results.
REFERENCE_RESULTS: dict[str, tuple[float, float]] = {
    "syntax": (0.92, 0.95),
    "api": (0.88, 0.93),
    "bug": (0.85, 0.91),
    "quality": (0.82, 0.88),
    "composite": (0.87, 0.92),
}
ROWS: tuple[tuple[str, str], ...] = (
    ("syntax", "Syntax"),
    ("api", "API"),
    ("bug", "Bug-free"),
    ("quality", "Quality"),
    ("composite", "Composite"),
    ("pass@1", "Exec pass rate (pass@1)"),
    ("checks", "Checks passed"),
)


@dataclass
class TableRow:
    metric: str
    title: str
    sft: float | None
    rft: float | None
    delta: float | None
    delta_low: float | None
    delta_high: float | None
    significant: bool
    reference: tuple[float, float] | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "metric": self.metric,
            "title": self.title,
            "sft": self.sft,
            "rft": self.rft,
            "delta": self.delta,
            "delta_interval": [self.delta_low, self.delta_high],
            "significant": self.significant,
            "reference": None
            if self.reference is None
            else {"sft": self.reference[0], "rft": self.reference[1],
                  "delta": round(self.reference[1] - self.reference[0], 4)},
        }  # fmt: skip


@dataclass
class DemoTable:
    """The results table plus what a reader needs to judge it."""

    rows: list[TableRow]
    tasks: int
    samples: int
    notes: list[str] = field(default_factory=list)

    def row(self, metric: str) -> TableRow:
        return next(r for r in self.rows if r.metric == metric)

    def to_dict(self) -> dict[str, Any]:
        return {
            "tasks": self.tasks,
            "samples": self.samples,
            "rows": [r.to_dict() for r in self.rows],
            "notes": self.notes,
        }

    def markdown(self) -> str:
        lines = [
            f"Held-out split: {self.tasks} tasks × {self.samples} samples. Δ: mean paired "
            "difference over tasks, 95% bootstrap interval (✓: excludes 0).",
            "",
            "| Metric | SFT | RFT | Δ | Reference SFT → RFT |",
            "|---|---|---|---|---|",
        ]
        for r in self.rows:
            lines.append(
                f"| {r.title} | {_num(r.sft)} | {_num(r.rft)} | {_delta(r)} | {_ref(r.reference)} |"
            )
        if self.notes:
            lines += ["", *(f"- {n}" for n in self.notes)]
        return "\n".join(lines) + "\n"


def _value(summary: EvalSummary, metric: str) -> float | None:
    interval = summary.metrics.get(metric)
    if interval is None or math.isnan(interval.estimate):
        return None
    return round(interval.estimate, 4)


def _num(value: float | None) -> str:
    return "–" if value is None else f"{value:.3f}"


def _delta(row: TableRow) -> str:
    if row.delta is None:
        return "–"
    text = f"{row.delta:+.3f}"
    if row.delta_low is not None and row.delta_high is not None:
        text += f" [{row.delta_low:+.3f}, {row.delta_high:+.3f}]"
    return text + (" ✓" if row.significant else "")


def _ref(reference: tuple[float, float] | None) -> str:
    if reference is None:
        return "not reported"
    return f"{reference[0]:.2f} → {reference[1]:.2f} ({reference[1] - reference[0]:+.2f})"


def build_table(comparison: Comparison, *, notes: list[str] | None = None) -> DemoTable:
    """The table from a comparison of exactly two runs: SFT (baseline) then RFT."""
    if len(comparison.runs) != 2:
        raise ValueError("the demo table compares two runs: SFT, then RFT")
    sft, rft = comparison.runs
    deltas = comparison.deltas.get(1, {})
    rows: list[TableRow] = []
    for metric, title in ROWS:
        d = deltas.get(metric)
        rows.append(
            TableRow(
                metric=metric,
                title=title,
                sft=_value(sft, metric),
                rft=_value(rft, metric),
                delta=None if d is None else round(d.interval.estimate, 4),
                delta_low=None if d is None else round(d.interval.low, 4),
                delta_high=None if d is None else round(d.interval.high, 4),
                significant=bool(d and d.significant),
                reference=REFERENCE_RESULTS.get(metric),
            )
        )
    return DemoTable(rows, tasks=len(sft.tasks), samples=sft.samples, notes=list(notes or []))


def render_table(
    table: DemoTable, *, title: str = "luaurft demo: SFT vs RFT on held-out tasks"
) -> Any:
    """A rich `Table` of the results."""
    from rich.table import Table

    out = Table(title=title, caption=f"{table.tasks} held-out tasks × {table.samples} samples")
    for name, justify in (("Metric", "left"), ("SFT", "right"), ("RFT", "right"),
                          ("Δ (95% CI)", "right"), ("Reference SFT → RFT", "right")):  # fmt: skip
        out.add_column(name, justify=justify)  # type: ignore[arg-type]
    for r in table.rows:
        style = "green" if r.significant and (r.delta or 0) > 0 else (
            "red" if r.significant else "")  # fmt: skip
        out.add_row(r.title, _num(r.sft), _num(r.rft), _delta(r), _ref(r.reference), style=style)
    return out


def write_table(
    table: DemoTable, folder: str | Path, extra: dict[str, Any] | None = None
) -> dict[str, Path]:
    """`demo.md` and `demo.json` in `folder`."""
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    md = out / "demo.md"
    md.write_text("# luaurft demo\n\n" + table.markdown(), encoding="utf-8")
    js = out / "demo.json"
    js.write_text(json.dumps({**table.to_dict(), **(extra or {})}, indent=2, default=str) + "\n",
                  encoding="utf-8")  # fmt: skip
    return {"markdown": md, "json": js}


__all__ = [
    "REFERENCE_RESULTS",
    "ROWS",
    "DemoTable",
    "TableRow",
    "build_table",
    "render_table",
    "write_table",
]
