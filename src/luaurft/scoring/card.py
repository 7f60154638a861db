"""`ScoreCard`: the result of scoring one piece of code."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from luaurft.scoring.rule import Finding


@dataclass(frozen=True)
class ScoreCard:
    """Per-scorer scores in [0, 1] (`None` for a scorer that is not built or did not run),
    the composite, the findings and the scorer version. Same code, same card."""

    scores: dict[str, float | None]
    composite: float
    findings: tuple[Finding, ...]
    scorer_version: str
    kind: str
    compiles: bool
    sha256: str
    extra: dict[str, Any] = field(default_factory=dict)

    def findings_for(self, scorer: str) -> list[Finding]:
        return [f for f in self.findings if f.scorer == scorer]

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "scores": {**self.scores, "composite": self.composite},
            "findings": [f.to_dict() for f in self.findings],
            "scorer_version": self.scorer_version,
            "compiles": self.compiles,
            "sha256": self.sha256,
        }
