"""The demo's selection reward: the hybrid reward, gated by the RFT task's own checks.

With the judge off, the hybrid reward sees whether code compiles, uses the
API well, looks bug-free and clean, and runs without error — not whether it
does what the request asked. A kill brick for "MossDoor" scores the same
whether it names "MossDoor" or another part; measured on the demo, failing
candidates scored as high as passing ones, and a tenth to a third of the
kept set was wrong. Rejection sampling then trains the model on its own
mistakes. The demo's tasks have checks, so the gate multiplies the hybrid
value by the share of the task's checks the candidate passes: a candidate
that passes them all keeps its hybrid reward, one that passes none gets 0.
The RFT split's checks are used; the held-out split's never are.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from luaurft.eval.checks import check_solution
from luaurft.eval.tasks import Task
from luaurft.rft.select import RewardResult, as_candidate_reward


class ChecksGatedReward:
    """`CandidateReward` (see `luaurft.rft.select`): `inner` times the checks passed share."""

    def __init__(self, inner: Any, tasks: Sequence[Task]) -> None:
        self.inner = as_candidate_reward(inner)
        self.key = f"{self.inner.key}+checks"
        self._by_prompt = {t.user_prompt(): t for t in tasks}

    def score_batch(
        self, items: Sequence[tuple[str, str]], kinds: Sequence[str | None] | None = None
    ) -> list[RewardResult]:
        results = self.inner.score_batch(items, kinds)
        for (prompt, code), result in zip(items, results, strict=True):
            task = self._by_prompt.get(prompt.strip())
            if task is None:
                # Not a task of this run: no checks to gate by, and no reward either.
                result.parts["checks"] = {"error": "no task with this prompt"}
                result.value = None
                continue
            report = check_solution(task, code)
            share = report.passed_count / max(1, report.expected)
            result.parts["checks"] = {"passed": report.passed_count, "expected": report.expected}
            result.parts["hybrid"] = result.value
            if result.value is not None:
                result.value = round(result.value * share, 6)
        return results


__all__ = ["ChecksGatedReward"]
