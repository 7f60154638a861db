"""Retries with exponential backoff and jitter, honouring Retry-After.

The SDK clients are built with `max_retries=0`, so this loop is the only one:
what is retried, how long it waits and how often it gives up are ours to set
and to test.
"""

from __future__ import annotations

import email.utils
import random
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TypeVar

from luaurft.llm.errors import TransientError

T = TypeVar("T")

# Status codes a server uses for "not now": timeout, conflict, too early, rate
# limit, and every 5xx (Anthropic's 529 "overloaded" included).
RETRYABLE_STATUS = frozenset({408, 409, 425, 429})


def is_retryable_status(status: int) -> bool:
    return status in RETRYABLE_STATUS or status >= 500


def parse_retry_after(
    headers: Mapping[str, str] | None, *, now: float | None = None
) -> float | None:
    """Seconds to wait from `retry-after-ms`, or `retry-after` in seconds or as an HTTP date."""
    if not headers:
        return None
    lowered = {k.lower(): v for k, v in headers.items()}
    raw_ms = lowered.get("retry-after-ms")
    if raw_ms is not None:
        try:
            return max(0.0, float(raw_ms) / 1000.0)
        except ValueError:
            pass
    raw = lowered.get("retry-after")
    if raw is None:
        return None
    try:
        return max(0.0, float(raw))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(raw)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


@dataclass
class RetryPolicy:
    """`attempts` tries in all; wait `base_delay * 2**k` (capped at `max_delay`) with
    full jitter before try k+2, or the server's Retry-After when it gives one (capped
    at `max_retry_after`, plus up to 10% jitter so clients told the same time do not
    return together)."""

    attempts: int = 5
    base_delay: float = 0.5
    max_delay: float = 30.0
    max_retry_after: float = 120.0
    sleep: Callable[[float], None] = time.sleep
    rng: random.Random = field(default_factory=random.Random)
    _rng_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def delay(self, retry_index: int, retry_after: float | None) -> float:
        with self._rng_lock:
            unit = self.rng.random()
        if retry_after is not None:
            wait = min(retry_after, self.max_retry_after)
            return wait + wait * 0.1 * unit
        return min(self.max_delay, self.base_delay * 2**retry_index) * unit

    def run(
        self,
        call: Callable[[], T],
        *,
        on_retry: Callable[[int, TransientError, float], None] | None = None,
    ) -> tuple[T, int]:
        """Call until it succeeds, retrying `TransientError`; return (result, attempts).

        Raises the last `TransientError` once attempts are spent; any other
        exception passes through at once.
        """
        for attempt in range(1, self.attempts + 1):
            try:
                return call(), attempt
            except TransientError as exc:
                if attempt >= self.attempts:
                    raise
                wait = self.delay(attempt - 1, exc.retry_after)
                if on_retry is not None:
                    on_retry(attempt, exc, wait)
                self.sleep(wait)
        raise AssertionError("unreachable: the loop returns or raises")
