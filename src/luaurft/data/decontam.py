"""Decontamination: remove training records that overlap the evaluation tasks.

Evaluation texts are task prompts (prose) and reference solutions (code).
Code is compared as identifier-normalised token n-grams (so renaming variables
does not hide a copied solution); prose as lower-cased word n-grams. A record
is contaminated by an evaluation text when the share of that text's n-grams
found in the record reaches the threshold. The share is measured against the
evaluation text so that a long training file that embeds a whole solution is
caught, while shared boilerplate (a `GetService` header) stays far below it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from luaurft.data.records import CodeRecord
from luaurft.data.tokens import normalized_tokens, shingles, words

TextKind = Literal["code", "prose"]


class DecontamConfig(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    code_n: int = Field(default=12, ge=2)
    prose_n: int = Field(default=8, ge=2)
    threshold: float = Field(default=0.5, gt=0.0, le=1.0)
    # Evaluation texts with fewer tokens than this are too generic to match on.
    min_tokens: int = Field(default=4, ge=1)


@dataclass(frozen=True, slots=True)
class EvalText:
    """One evaluation text; `kind` says how to compare it (None: detect)."""

    text: str
    id: str = ""
    kind: TextKind | None = None


@dataclass(frozen=True, slots=True)
class Contamination:
    record: CodeRecord
    eval_id: str
    kind: TextKind
    overlap: float


@dataclass
class DecontamResult:
    kept: list[CodeRecord]
    removed: list[Contamination] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "kept": len(self.kept),
            "removed": len(self.removed),
            "by_eval_text": _count_by(self.removed),
            "examples": [
                {"removed": c.record.path or c.record.id, "eval": c.eval_id, "kind": c.kind,
                 "overlap": round(c.overlap, 3)}
                for c in self.removed[:20]
            ],
        }  # fmt: skip


def _count_by(removed: Iterable[Contamination]) -> dict[str, int]:
    counts: dict[str, int] = defaultdict(int)
    for c in removed:
        counts[c.eval_id] += 1
    return dict(sorted(counts.items()))


def looks_like_code(text: str) -> bool:
    """True when Luau's compiler accepts `text` and it has the shape of statements."""
    from luaurft.luau.source import compile_luau

    stripped = text.strip()
    if not stripped or not any(ch in stripped for ch in "=(\n"):
        return False
    return compile_luau(stripped).ok


class Decontaminator:
    """An index of evaluation n-grams; `check(record)` says which text a record overlaps."""

    def __init__(
        self, eval_texts: Iterable[EvalText | str], config: DecontamConfig | None = None
    ) -> None:
        self.config = config or DecontamConfig()
        self._sizes: dict[tuple[TextKind, str], int] = {}
        self._index: dict[TextKind, dict[str, set[str]]] = {
            "code": defaultdict(set),
            "prose": defaultdict(set),
        }
        # An evaluation text shorter than n is indexed whole, as one gram of its
        # own length; records are then also cut into grams of that length.
        self._gram_sizes: dict[TextKind, set[int]] = {
            "code": {self.config.code_n},
            "prose": {self.config.prose_n},
        }
        for number, item in enumerate(eval_texts):
            entry = item if isinstance(item, EvalText) else EvalText(text=item)
            eval_id = entry.id or f"eval-{number}"
            kind: TextKind = entry.kind or ("code" if looks_like_code(entry.text) else "prose")
            tokens = self._tokens(entry.text, kind)
            if len(tokens) < self.config.min_tokens:
                continue
            size = min(len(tokens), self._n(kind))
            self._gram_sizes[kind].add(size)
            grams = shingles(tokens, size)
            self._sizes[(kind, eval_id)] = len(grams)
            for gram in grams:
                self._index[kind][gram].add(eval_id)

    def __len__(self) -> int:
        return len(self._sizes)

    def _n(self, kind: TextKind) -> int:
        return self.config.code_n if kind == "code" else self.config.prose_n

    @staticmethod
    def _tokens(text: str, kind: TextKind) -> list[str]:
        return normalized_tokens(text) if kind == "code" else words(text)

    def _grams(self, text: str, kind: TextKind) -> set[str]:
        tokens = self._tokens(text, kind)
        grams: set[str] = set()
        for size in self._gram_sizes[kind]:
            if len(tokens) >= size:
                grams |= shingles(tokens, size)
        return grams

    def _overlap(self, kind: TextKind, grams: set[str]) -> tuple[str, float] | None:
        index = self._index[kind]
        hits: dict[str, int] = defaultdict(int)
        for gram in grams:
            for eval_id in index.get(gram, ()):
                hits[eval_id] += 1
        best: tuple[str, float] | None = None
        for eval_id, count in sorted(hits.items()):
            share = count / self._sizes[(kind, eval_id)]
            if best is None or share > best[1]:
                best = (eval_id, share)
        return best

    def check(self, record: CodeRecord) -> Contamination | None:
        """The evaluation text `record` overlaps most, if at or above the threshold."""
        # Prose prompts can hide in a record's task or in its comments and strings.
        candidates: list[tuple[TextKind, set[str]]] = [
            ("code", self._grams(record.text, "code")),
            ("prose", self._grams(f"{record.task or ''}\n{record.text}", "prose")),
        ]
        worst: Contamination | None = None
        for kind, grams in candidates:
            found = self._overlap(kind, grams)
            if found is None:
                continue
            eval_id, share = found
            if share >= self.config.threshold and (worst is None or share > worst.overlap):
                worst = Contamination(record, eval_id, kind, share)
        return worst

    def run(
        self, records: Sequence[CodeRecord], progress: Callable[[int], None] | None = None
    ) -> DecontamResult:
        kept: list[CodeRecord] = []
        removed: list[Contamination] = []
        for record in records:
            hit = self.check(record) if self._sizes else None
            if hit is None:
                kept.append(record)
            else:
                removed.append(hit)
            if progress is not None:
                progress(1)
        return DecontamResult(kept=kept, removed=removed)


def decontaminate(
    records: Sequence[CodeRecord],
    eval_texts: Iterable[EvalText | str],
    config: DecontamConfig | None = None,
) -> DecontamResult:
    """Remove records that overlap any evaluation text (see module docstring)."""
    return Decontaminator(eval_texts, config).run(records)
