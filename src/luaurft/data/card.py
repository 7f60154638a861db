"""The data card: what each step kept and removed, and how the kept data scores.

Written as Markdown (for people), JSON (for programs) and a PNG histogram.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from luaurft.data.records import REFERENCE_SYSTEM_PROMPT, CodeRecord


@dataclass(frozen=True, slots=True)
class StepCount:
    """Records left after a step, and what that step removed by reason."""

    name: str
    count: int
    removed: dict[str, int] = field(default_factory=dict)


def histogram(
    values: Sequence[float], bins: int = 10, lo: float = 0.0, hi: float = 1.0
) -> list[int]:
    """Counts of `values` in `bins` equal bins over [lo, hi] (the top edge belongs to the last bin)."""
    counts = [0] * bins
    width = (hi - lo) / bins
    for v in values:
        if v < lo or v > hi:
            continue
        counts[min(int((v - lo) / width), bins - 1)] += 1
    return counts


def text_histogram(values: Sequence[float], bins: int = 10, width: int = 40) -> str:
    """A fixed-width bar chart of scores in [0, 1], one line per bin."""
    counts = histogram(values, bins)
    top = max(counts, default=0) or 1
    lines = []
    for i, count in enumerate(counts):
        lo, hi = i / bins, (i + 1) / bins
        bar = "#" * round(width * count / top)
        lines.append(f"{lo:.1f}-{hi:.1f} | {bar:<{width}} {count}")
    return "\n".join(lines)


@dataclass
class DataCard:
    steps: list[StepCount]
    records: list[CodeRecord]
    details: dict[str, Any] = field(default_factory=dict)
    title: str = "luaurft training data"

    @property
    def scores(self) -> list[float]:
        return [r.score for r in self.records if r.score is not None]

    def to_dict(self) -> dict[str, Any]:
        scores = self.scores
        return {
            "title": self.title,
            "created": datetime.now(UTC).isoformat(timespec="seconds"),
            "system_prompt": REFERENCE_SYSTEM_PROMPT,
            "steps": [{"name": s.name, "count": s.count, "removed": s.removed} for s in self.steps],
            "final": {
                "records": len(self.records),
                "with_task": sum(1 for r in self.records if r.task),
                "by_source": dict(sorted(Counter(r.source for r in self.records).items())),
                "by_license": dict(
                    sorted(Counter((r.license or "unknown").lower() for r in self.records).items())
                ),
                "score_histogram": {"bins": 10, "range": [0.0, 1.0], "counts": histogram(scores)},
                "score_mean": round(sum(scores) / len(scores), 4) if scores else None,
            },
            "details": self.details,
        }

    def to_markdown(self) -> str:
        data = self.to_dict()
        final = data["final"]
        lines = [f"# {self.title}", "", f"Built {data['created']}.", ""]
        lines += ["## Steps", "", "| step | records | removed |", "|---|---:|---|"]
        for step in self.steps:
            removed = ", ".join(f"{k}: {v}" for k, v in sorted(step.removed.items())) or "-"
            lines.append(f"| {step.name} | {step.count} | {removed} |")
        lines += ["", "## Result", ""]
        lines.append(f"- records: {final['records']} ({final['with_task']} with a task)")
        for key, label in (("by_source", "sources"), ("by_license", "licences")):
            parts = ", ".join(f"{k} {v}" for k, v in final[key].items()) or "-"
            lines.append(f"- {label}: {parts}")
        if final["score_mean"] is not None:
            lines.append(f"- mean deterministic score: {final['score_mean']}")
        lines += [
            "",
            "## Deterministic score histogram",
            "",
            "```",
            text_histogram(self.scores),
            "```",
        ]
        lines += ["", "## System prompt of every example", "", f"> {REFERENCE_SYSTEM_PROMPT}", ""]
        return "\n".join(lines)

    def write(self, out_dir: str | Path, *, png: bool = True) -> dict[str, Path]:
        """Write data_card.md, data_card.json and (optionally) score_histogram.png."""
        target = Path(out_dir)
        target.mkdir(parents=True, exist_ok=True)
        paths = {"markdown": target / "data_card.md", "json": target / "data_card.json"}
        paths["markdown"].write_text(self.to_markdown(), encoding="utf-8")
        paths["json"].write_text(
            json.dumps(self.to_dict(), indent=2, default=str), encoding="utf-8"
        )
        if png:
            paths["png"] = target / "score_histogram.png"
            plot_score_histogram(self.scores, paths["png"], title=self.title)
        return paths


def plot_score_histogram(scores: Sequence[float], path: Path, *, title: str = "") -> None:
    import matplotlib

    matplotlib.use("Agg")  # no display on servers and in tests
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 3.5))
    try:
        ax.hist(list(scores), bins=20, range=(0.0, 1.0), color="#3b7dd8", edgecolor="white")
        ax.set_xlabel("deterministic composite score")
        ax.set_ylabel("records")
        ax.set_title(title or "score histogram")
        fig.tight_layout()
        fig.savefig(path, dpi=100)
    finally:
        plt.close(fig)
