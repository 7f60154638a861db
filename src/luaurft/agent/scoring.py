"""Scoring the files of an answer: one card per file, one aggregate per version.

Each file is scored as the kind its name declares. The version's score is the
**minimum** of its files' composites by default: a project is as broken as its
worst script, and a mean would let a clean config module hide a server script
that does not compile. ``aggregate="mean"`` (weighted by line count) is there
for callers that prefer an average. Per-scorer aggregates follow the same rule.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Literal, Protocol

from luaurft.luau.kind import ScriptKind
from luaurft.roblox.project import InProject
from luaurft.scoring import score_source, takes_keyword
from luaurft.scoring.card import ScoreCard

Aggregate = Literal["min", "mean"]


class ScoreFn(Protocol):
    def __call__(self, source: str, *, kind: ScriptKind, path: str) -> ScoreCard: ...


def make_score_fn(exec: bool | None = None) -> ScoreFn:
    """The scorer the assistant uses: deterministic, plus execution unless `exec` is False
    (None, the default, runs the code)."""
    run = exec is not False
    call: Callable[..., ScoreCard] = score_source

    def score(
        source: str, *, kind: ScriptKind, path: str, project: InProject | None = None
    ) -> ScoreCard:
        if run:
            return call(source, kind=kind.value, path=path, exec=True, project=project)
        return call(source, kind=kind.value, path=path)

    return score


def accepts_project(score: ScoreFn) -> bool:
    """Whether `score` takes `project=` (the files of a multi-file answer then run
    together); custom score functions without it score each file alone."""
    return takes_keyword(score, "project")


def aggregate_scores(
    cards: Sequence[ScoreCard], weights: Sequence[int], how: Aggregate = "min"
) -> tuple[float, dict[str, float | None]]:
    """(composite, per-scorer scores) of several files (see module docstring)."""
    if not cards:
        return 0.0, {}
    names: list[str] = []
    for card in cards:
        names += [n for n in card.scores if n not in names]

    def combine(values: list[tuple[float, int]]) -> float:
        if how == "min":
            return min(v for v, _ in values)
        total = sum(w for _, w in values) or len(values)
        return sum(v * (w or 1) for v, w in values) / total

    composite = round(combine([(c.composite, w) for c, w in zip(cards, weights, strict=True)]), 6)
    scores: dict[str, float | None] = {}
    for name in names:
        present = [
            (float(s), w)
            for c, w in zip(cards, weights, strict=True)
            if (s := c.scores.get(name)) is not None
        ]
        scores[name] = round(combine(present), 6) if present else None
    return composite, scores


__all__ = [
    "Aggregate",
    "ScoreFn",
    "accepts_project",
    "aggregate_scores",
    "make_score_fn",
]
