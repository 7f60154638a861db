"""`LLMJudge`: scores code against a task with a model, through the cache.

A judgment is either a verdict (per-criterion scores in [0, 1], the weighted
overall, the rationale) or a recorded failure with its reason: the request
failed for good, or the answer could not be read. A failure never reads as a
score of 0; the reward decides what to do without a judge.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from luaurft.judge.cache import CacheKey, JudgeCache
from luaurft.judge.parse import VerdictParseError, parse_verdict
from luaurft.judge.rubric import CRITERIA, build_conversation, prompt_version
from luaurft.llm.completion import Completion
from luaurft.llm.errors import BudgetExceededError
from luaurft.llm.types import Generator, SamplingParams

# A judge should answer the same way twice; its verdict is short.
JUDGE_SAMPLING = SamplingParams(n=1, temperature=0.0, top_p=1.0, max_new_tokens=1024)


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def code_key(code: str) -> str:
    """The hash code is cached under (line endings normalised, as LuauSource does)."""
    return sha256_text(code.replace("\r\n", "\n").replace("\r", "\n"))


@dataclass(frozen=True)
class Judgment:
    """One judge's verdict on one piece of code for one task, or why there is none."""

    judge_model: str
    prompt_version: str
    task_sha256: str
    code_sha256: str
    scores: dict[str, float] = field(default_factory=dict)
    overall: float | None = None
    rationale: str = ""
    reasons: dict[str, str] = field(default_factory=dict)
    error: str | None = None
    raw: str = ""
    repairs: tuple[str, ...] = ()
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cached: bool = field(default=False, compare=False)

    @property
    def ok(self) -> bool:
        return self.error is None and self.overall is not None

    @property
    def key(self) -> CacheKey:
        return CacheKey(self.judge_model, self.prompt_version, self.task_sha256, self.code_sha256)

    @property
    def model(self) -> str:
        return self.judge_model

    def to_dict(self) -> dict[str, Any]:
        return {
            "judge_model": self.judge_model,
            "prompt_version": self.prompt_version,
            "task_sha256": self.task_sha256,
            "code_sha256": self.code_sha256,
            "scores": self.scores,
            "overall": self.overall,
            "rationale": self.rationale,
            "reasons": self.reasons,
            "error": self.error,
            "raw": self.raw,
            "repairs": list(self.repairs),
            "prompt_tokens": self.prompt_tokens,
            "completion_tokens": self.completion_tokens,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any], *, cached: bool = False) -> Judgment:
        return cls(
            judge_model=data["judge_model"],
            prompt_version=data["prompt_version"],
            task_sha256=data["task_sha256"],
            code_sha256=data["code_sha256"],
            scores={k: float(v) for k, v in (data.get("scores") or {}).items()},
            overall=data.get("overall"),
            rationale=data.get("rationale", ""),
            reasons=dict(data.get("reasons") or {}),
            error=data.get("error"),
            raw=data.get("raw", ""),
            repairs=tuple(data.get("repairs") or ()),
            prompt_tokens=int(data.get("prompt_tokens", 0)),
            completion_tokens=int(data.get("completion_tokens", 0)),
            cached=cached,
        )


class JudgeBudgetExceededError(BudgetExceededError):
    """The judge's generator ran out of budget; `judgments` holds those that were made
    (None where the request was never sent). Every finished one is already cached."""

    def __init__(self, message: str, judgments: list[Judgment | None]) -> None:
        super().__init__(message)
        self.judgments = judgments


class LLMJudge:
    """Judges (task, code) pairs with `generator`, caching every outcome.

    `cache`: a `JudgeCache`, a path to one, or None for no cache.
    `retry_failed`: ask again for pairs whose cached judgment is a failure.
    `batch_size`: pairs sent per `generate` call; the cache is written after
    each batch, so an interrupted run keeps what it paid for.
    """

    def __init__(
        self,
        generator: Generator,
        *,
        cache: JudgeCache | str | Path | None = None,
        sampling: SamplingParams = JUDGE_SAMPLING,
        retry_failed: bool = False,
        batch_size: int = 64,
    ) -> None:
        self.generator = generator
        self.cache = JudgeCache(cache) if isinstance(cache, str | Path) else cache
        self.sampling = sampling
        self.retry_failed = retry_failed
        self.batch_size = max(1, batch_size)
        self.prompt_version = prompt_version()

    @property
    def model(self) -> str:
        return self.generator.name

    def key_for(self, task: str, code: str) -> CacheKey:
        return CacheKey(self.model, self.prompt_version, sha256_text(task.strip()), code_key(code))

    def judge(self, task: str, code: str) -> Judgment:
        return self.judge_many([(task, code)])[0]

    def judge_many(
        self,
        items: Sequence[tuple[str, str]],
        *,
        retry_failed: bool | None = None,
        progress: Callable[[int, int], None] | None = None,
    ) -> list[Judgment]:
        """A judgment per (task, code) pair, from the cache where possible.

        Identical pairs are judged once. Authentication and model errors
        propagate at once; a spent budget raises `JudgeBudgetExceededError`
        after caching what finished.
        """
        retry = self.retry_failed if retry_failed is None else retry_failed
        keys = [self.key_for(task, code) for task, code in items]
        found: dict[CacheKey, Judgment] = {}
        todo: dict[CacheKey, tuple[str, str]] = {}
        for key, (task, code) in zip(keys, items, strict=True):
            if key in found or key in todo:
                continue
            hit = self.cache.get(key) if self.cache is not None else None
            if hit is not None and (hit.ok or not retry):
                found[key] = hit
            else:
                todo[key] = (task, code)
        pending = list(todo.items())
        done = 0
        for start in range(0, len(pending), self.batch_size):
            batch = pending[start : start + self.batch_size]
            conversations = [build_conversation(task, code) for _, (task, code) in batch]
            try:
                rows = self.generator.generate(conversations, n=1, sampling=self.sampling)
            except BudgetExceededError as exc:
                for (key, _), row in zip(batch, exc.partial, strict=False):
                    if row:
                        found[key] = self._record(key, row[0])
                made = [found.get(k) for k in keys]
                raise JudgeBudgetExceededError(
                    f"judge {self.model}: {exc}; {sum(j is not None for j in made)} of "
                    f"{len(keys)} judgments made and cached",
                    made,
                ) from exc
            for (key, _), row in zip(batch, rows, strict=True):
                found[key] = self._record(key, row[0])
            done += len(batch)
            if progress is not None:
                progress(done, len(pending))
        return [found[k] for k in keys]

    def _record(self, key: CacheKey, completion: Completion) -> Judgment:
        judgment = self._judgment(key, completion)
        if self.cache is not None:
            self.cache.put(judgment)
        return judgment

    def _judgment(self, key: CacheKey, completion: Completion) -> Judgment:
        base: dict[str, Any] = {
            "judge_model": key.judge_model,
            "prompt_version": key.prompt_version,
            "task_sha256": key.task_sha256,
            "code_sha256": key.code_sha256,
            "raw": completion.text,
            "prompt_tokens": completion.prompt_tokens,
            "completion_tokens": completion.completion_tokens,
        }
        if not completion.ok:
            return Judgment(**base, error=f"request failed: {completion.error}")
        try:
            verdict = parse_verdict(completion.text)
        except VerdictParseError as exc:
            cut = " (the answer hit the token limit)" if completion.truncated else ""
            return Judgment(**base, error=f"unreadable verdict{cut}: {exc}")
        return Judgment(
            **base,
            scores=verdict.scores,
            overall=verdict.overall,
            rationale=verdict.rationale,
            reasons=verdict.reasons,
            repairs=verdict.repairs,
        )


def criterion_weights() -> dict[str, float]:
    return {c.name: c.weight for c in CRITERIA}
