"""The record every loader yields and every later step reads."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace
from typing import Any

from luaurft.config import REFERENCE_SYSTEM_PROMPT


@dataclass(frozen=True, slots=True)
class CodeRecord:
    """One piece of Luau from a corpus, with where it came from.

    `task` is the natural-language request the code answers, when known (a
    prompt/completion corpus, reverse-labelling, gold generation). `score` is
    the deterministic composite once the score filter has run.
    """

    id: str
    text: str
    path: str | None = None
    repo: str | None = None
    license: str | None = None
    source: str = ""
    task: str | None = None
    score: float | None = None
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.text.encode("utf-8", "surrogatepass")).hexdigest()

    def with_(self, **changes: Any) -> CodeRecord:
        return replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "text": self.text,
            "path": self.path,
            "repo": self.repo,
            "license": self.license,
            "source": self.source,
            "task": self.task,
            "score": self.score,
            "meta": self.meta,
        }

    @classmethod
    def from_dict(cls, row: dict[str, Any]) -> CodeRecord:
        return cls(
            id=str(row["id"]),
            text=str(row["text"]),
            path=row.get("path"),
            repo=row.get("repo"),
            license=row.get("license"),
            source=str(row.get("source") or ""),
            task=row.get("task"),
            score=row.get("score"),
            meta=dict(row.get("meta") or {}),
        )


def record_id(source: str, *parts: object) -> str:
    """A stable id from where a record came from (same input, same id across runs)."""
    digest = hashlib.sha1("\x1f".join(str(p) for p in parts).encode("utf-8", "replace"))
    return f"{source}:{digest.hexdigest()[:16]}"


__all__ = ["REFERENCE_SYSTEM_PROMPT", "CodeRecord", "record_id"]
