"""Statistics for evaluation: the unbiased pass@k estimator and bootstrap confidence intervals."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np


def pass_at_k(n: int, c: int, k: int) -> float:
    """Unbiased estimate of pass@k from n samples of which c passed.

    The probability that at least one of k samples drawn without replacement
    from the n passes: 1 - C(n-c, k) / C(n, k), computed as a product so it
    stays exact for large n.
    """
    if not 0 <= c <= n:
        raise ValueError(f"need 0 <= c <= n, got n={n}, c={c}")
    if not 1 <= k <= n:
        raise ValueError(f"need 1 <= k <= n, got n={n}, k={k}")
    if n - c < k:
        return 1.0
    return 1.0 - math.prod((n - c - i) / (n - i) for i in range(k))


def mean_pass_at_k(results: Sequence[tuple[int, int]], k: int) -> float:
    """Mean pass@k over tasks, each given as (n samples, c passed); tasks with n < k are skipped."""
    values = [pass_at_k(n, c, k) for n, c in results if n >= k]
    return float(np.mean(values)) if values else float("nan")


@dataclass(frozen=True, slots=True)
class Interval:
    """A point estimate with a two-sided confidence interval."""

    estimate: float
    low: float
    high: float
    confidence: float = 0.95

    def excludes(self, value: float = 0.0) -> bool:
        return not (self.low <= value <= self.high)

    def to_dict(self) -> dict[str, float]:
        return {"estimate": self.estimate, "low": self.low, "high": self.high}


def bootstrap_ci(
    values: Sequence[float],
    *,
    statistic: Callable[[np.ndarray], float] | None = None,
    resamples: int = 2000,
    confidence: float = 0.95,
    seed: int = 0,
) -> Interval:
    """Percentile bootstrap interval of `statistic` (default: the mean) over per-task
    values, reproducible by seed. The mean is computed for all resamples at once."""
    data = np.asarray(values, dtype=float)
    if data.size == 0:
        nan = float("nan")
        return Interval(nan, nan, nan, confidence)
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, data.size, size=(resamples, data.size))
    if statistic is None:
        stats = data[idx].mean(axis=1)
        estimate = float(np.mean(data))
    else:
        stats = np.array([statistic(data[row]) for row in idx])
        estimate = float(statistic(data))
    alpha = (1.0 - confidence) / 2.0
    low, high = np.quantile(stats, [alpha, 1.0 - alpha])
    return Interval(estimate, float(low), float(high), confidence)


def paired_bootstrap_delta(
    a: Sequence[float],
    b: Sequence[float],
    *,
    resamples: int = 2000,
    confidence: float = 0.95,
    seed: int = 0,
) -> Interval:
    """Interval of mean(b - a) over the same tasks, resampling tasks in pairs."""
    if len(a) != len(b):
        raise ValueError("paired bootstrap needs the same tasks on both sides")
    diffs = np.asarray(b, dtype=float) - np.asarray(a, dtype=float)
    return bootstrap_ci(diffs, resamples=resamples, confidence=confidence, seed=seed)
