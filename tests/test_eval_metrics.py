from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from luaurft.eval.metrics import bootstrap_ci, mean_pass_at_k, paired_bootstrap_delta, pass_at_k


def closed_form(n: int, c: int, k: int) -> float:
    return 1.0 - math.comb(n - c, k) / math.comb(n, k)


@pytest.mark.parametrize(
    ("n", "c", "k", "expected"),
    [
        (1, 1, 1, 1.0),
        (1, 0, 1, 0.0),
        (10, 5, 1, 0.5),
        (4, 1, 2, 0.5),
        (5, 2, 2, 0.7),
        (10, 0, 5, 0.0),
        (10, 8, 3, 1.0),
    ],
)
def test_pass_at_k_known_cases(n: int, c: int, k: int, expected: float) -> None:
    assert pass_at_k(n, c, k) == pytest.approx(expected)


@given(
    st.integers(1, 60).flatmap(
        lambda n: st.tuples(st.just(n), st.integers(0, n), st.integers(1, n))
    )
)
def test_pass_at_k_matches_closed_form(case: tuple[int, int, int]) -> None:
    n, c, k = case
    assert pass_at_k(n, c, k) == pytest.approx(closed_form(n, c, k), abs=1e-12)


def test_pass_at_k_rejects_impossible_counts() -> None:
    with pytest.raises(ValueError):
        pass_at_k(3, 4, 1)
    with pytest.raises(ValueError):
        pass_at_k(3, 1, 4)


def test_mean_pass_at_k_skips_tasks_with_too_few_samples() -> None:
    assert mean_pass_at_k([(2, 1), (1, 1)], 2) == pytest.approx(1.0)
    assert mean_pass_at_k([(4, 0), (4, 4)], 1) == pytest.approx(0.5)


def test_bootstrap_is_reproducible_with_a_seed_and_brackets_the_mean() -> None:
    values = [0.1, 0.9, 0.4, 0.8, 0.7, 0.3, 0.5, 0.6]
    a = bootstrap_ci(values, seed=7)
    b = bootstrap_ci(values, seed=7)
    c = bootstrap_ci(values, seed=8)
    assert a == b
    assert a != c
    assert a.low <= a.estimate <= a.high
    assert a.estimate == pytest.approx(sum(values) / len(values))


def test_paired_delta_excludes_zero_only_for_a_real_difference() -> None:
    base = [0.2, 0.4, 0.3, 0.5, 0.35, 0.45, 0.25, 0.4, 0.3, 0.5]
    better = [x + 0.3 for x in base]
    noisy = [x + (0.05 if i % 2 else -0.05) for i, x in enumerate(base)]
    assert paired_bootstrap_delta(base, better).excludes(0.0)
    assert not paired_bootstrap_delta(base, noisy).excludes(0.0)
