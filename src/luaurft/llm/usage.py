"""Token usage, what it costs, and a spend budget that stops a run cleanly."""

from __future__ import annotations

import threading
from dataclasses import asdict, dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator


class Prices(BaseModel):
    """US dollars per million tokens. Prices change, so they are configuration, not code."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    input_per_mtok: float = Field(ge=0.0)
    output_per_mtok: float = Field(ge=0.0)

    def cost(self, prompt_tokens: int, completion_tokens: int) -> float:
        return (
            prompt_tokens * self.input_per_mtok + completion_tokens * self.output_per_mtok
        ) / 1_000_000


class Budget(BaseModel):
    """A limit on tokens (prompt + completion) and/or dollars for one generator.

    Checked before each request: once spent, no new request is sent and the
    run ends with `BudgetExceededError` carrying the finished completions.
    Requests already in flight still finish, so a run can overshoot by at most
    `concurrency` requests.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    max_tokens: int | None = Field(default=None, ge=0)
    max_usd: float | None = Field(default=None, ge=0.0)
    prices: Prices | None = None

    @model_validator(mode="after")
    def _dollars_need_prices(self) -> Budget:
        if self.max_usd is not None and self.prices is None:
            raise ValueError("a dollar budget (max_usd) needs prices per million tokens")
        return self


@dataclass(frozen=True)
class UsageSnapshot:
    requests: int = 0
    failed_requests: int = 0
    retries: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost_usd: float = 0.0

    @property
    def total_tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "total_tokens": self.total_tokens}


class Usage:
    """Running totals for one generator, safe to update from worker threads."""

    def __init__(self, prices: Prices | None = None) -> None:
        self.prices = prices
        self._lock = threading.Lock()
        self._requests = 0
        self._failed = 0
        self._retries = 0
        self._prompt = 0
        self._completion = 0

    def record(
        self, *, prompt_tokens: int = 0, completion_tokens: int = 0, ok: bool = True
    ) -> None:
        with self._lock:
            self._requests += 1
            self._failed += 0 if ok else 1
            self._prompt += prompt_tokens
            self._completion += completion_tokens

    def record_retry(self) -> None:
        with self._lock:
            self._retries += 1

    def snapshot(self) -> UsageSnapshot:
        with self._lock:
            cost = self.prices.cost(self._prompt, self._completion) if self.prices else 0.0
            return UsageSnapshot(
                requests=self._requests,
                failed_requests=self._failed,
                retries=self._retries,
                prompt_tokens=self._prompt,
                completion_tokens=self._completion,
                cost_usd=round(cost, 6),
            )

    def exhausts(self, budget: Budget | None) -> str | None:
        """Why `budget` is spent, or None while there is some left."""
        if budget is None:
            return None
        now = self.snapshot()
        if budget.max_tokens is not None and now.total_tokens >= budget.max_tokens:
            return f"token budget spent ({now.total_tokens} of {budget.max_tokens} tokens)"
        if budget.max_usd is not None and budget.prices is not None:
            spent = budget.prices.cost(now.prompt_tokens, now.completion_tokens)
            if spent >= budget.max_usd:
                return f"dollar budget spent (${spent:.4f} of ${budget.max_usd:.4f})"
        return None
