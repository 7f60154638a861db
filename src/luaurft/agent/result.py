"""What `assist` returns: every round with its code, scores, findings, feedback and usage."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from luaurft.agent.feedback import StudioError
from luaurft.llm.completion import Completion
from luaurft.luau.kind import ScriptKind
from luaurft.scoring.card import ScoreCard
from luaurft.scoring.rule import Finding

if TYPE_CHECKING:
    from luaurft.agent.output import WriteReport
    from luaurft.roblox.world_diff import WorldChange

RoundPurpose = Literal["generate", "rewrite", "studio-fix"]


@dataclass(frozen=True)
class ScoredFile:
    """One script of a version: where it goes, what it is, its code and its score card."""

    path: str
    kind: ScriptKind
    source: str
    card: ScoreCard

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "kind": self.kind.value,
            "source": self.source,
            "scores": {**self.card.scores, "composite": self.card.composite},
            "compiles": self.card.compiles,
            "findings": [f.to_dict() for f in self.card.findings],
        }


@dataclass(frozen=True)
class StudioPush:
    """One push of a version into Studio and what Studio's Output said afterwards.

    `status` is the plugin's (applied, rejected, conflict, failed) or "error"
    when the bridge could not deliver it (no plugin, timeout); `errors` are the
    Output errors attributed to the pushed scripts (empty when `logs_checked`
    is false).
    """

    status: str
    message: str = ""
    files: tuple[dict[str, Any], ...] = ()
    errors: tuple[StudioError, ...] = ()
    logs_checked: bool = False

    @property
    def applied(self) -> bool:
        return self.status == "applied"

    def to_dict(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "message": self.message,
            "files": list(self.files),
            "errors": [e.to_dict() for e in self.errors],
            "logs_checked": self.logs_checked,
        }


@dataclass(frozen=True)
class AssistRound:
    """One generation and its evaluation.

    `base_round` is the version this round rewrote (None for the first);
    `request` is the user message that asked for it; `feedback` is the message
    built from *this* version's problems, set when it was sent on to a rewrite.
    """

    index: int
    purpose: RoundPurpose
    request: str
    completion: Completion
    files: tuple[ScoredFile, ...]
    score: float
    scores: dict[str, float | None]
    base_round: int | None = None
    feedback: str | None = None
    studio: StudioPush | None = None

    @property
    def findings(self) -> list[tuple[str, Finding]]:
        return [(f.path, finding) for f in self.files for finding in f.card.findings]

    @property
    def studio_errors(self) -> tuple[StudioError, ...]:
        return self.studio.errors if self.studio is not None else ()

    @property
    def usage(self) -> dict[str, Any]:
        c = self.completion
        return {
            "prompt_tokens": c.prompt_tokens,
            "completion_tokens": c.completion_tokens,
            "model": c.model,
            "finish_reason": c.finish_reason,
            "error": c.error,
        }

    def to_dict(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "purpose": self.purpose,
            "base_round": self.base_round,
            "score": self.score,
            "scores": self.scores,
            "findings": len(self.findings),
            "files": [f.to_dict() for f in self.files],
            "request": self.request,
            "feedback": self.feedback,
            "usage": self.usage,
            "extraction": list(self.completion.extraction.notes),
            "studio": None if self.studio is None else self.studio.to_dict(),
        }


@dataclass(frozen=True)
class AssistResult:
    """The rounds, which one is best, and why the loop stopped.

    `stop_reason`: "threshold" (the best version reached it), "max-rounds"
    (rewrites spent below it, or Studio errors left with no round to fix them),
    "studio-clean" (pushed and Studio reported no error from it),
    "studio-rejected" / "studio-conflict" / "studio-failed" / "studio-error"
    (the push did not go through), "generation-error" (the model stopped
    answering; earlier rounds are kept).
    """

    task: str
    rounds: tuple[AssistRound, ...]
    best_index: int
    threshold: float
    max_rounds: int
    aggregate: str
    stop_reason: str
    exec_scoring: bool
    pushes: tuple[StudioPush, ...] = field(default=())
    #: What the best version's main script did to the mock world, when asked.
    world: WorldChange | None = None

    @property
    def best(self) -> AssistRound:
        return self.rounds[self.best_index]

    @property
    def files(self) -> tuple[ScoredFile, ...]:
        return self.best.files

    @property
    def score(self) -> float:
        return self.best.score

    @property
    def passed(self) -> bool:
        return self.best.score >= self.threshold and not self.best.studio_errors

    @property
    def prompt_tokens(self) -> int:
        return sum(r.completion.prompt_tokens for r in self.rounds)

    @property
    def completion_tokens(self) -> int:
        return sum(r.completion.completion_tokens for r in self.rounds)

    def write_files(self, out_dir: str | Path) -> list[Path]:
        """Write the best version's scripts under `out_dir`, keeping their paths
        (see `write`, which also says what could not be written and why)."""
        return self.write(out_dir).written

    def write(self, out_dir: str | Path) -> WriteReport:
        """Write the best version's scripts under `out_dir` and a `default.project.json`;
        a file whose name is unusable is saved aside and reported, never lost."""
        from luaurft.agent.output import write_answer

        return write_answer(self.files, out_dir)

    def to_dict(self) -> dict[str, Any]:
        return {
            "task": self.task,
            "threshold": self.threshold,
            "max_rounds": self.max_rounds,
            "aggregate": self.aggregate,
            "exec_scoring": self.exec_scoring,
            "stop_reason": self.stop_reason,
            "passed": self.passed,
            "best_round": self.best_index,
            "score": self.score,
            "usage": {
                "prompt_tokens": self.prompt_tokens,
                "completion_tokens": self.completion_tokens,
            },
            "rounds": [r.to_dict() for r in self.rounds],
            "files": [f.to_dict() for f in self.files],
            "studio": [p.to_dict() for p in self.pushes],
            "world": None if self.world is None else self.world.to_dict(),
        }


__all__ = ["AssistResult", "AssistRound", "RoundPurpose", "ScoredFile", "StudioPush"]
