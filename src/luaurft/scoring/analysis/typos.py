"""Plausible typos: which known name a misspelt one most likely meant."""

from __future__ import annotations

import difflib
from collections.abc import Iterable


def typo_of(name: str, candidates: Iterable[str]) -> str | None:
    """The one candidate `name` is plausibly a typo of, else None.

    Plausible: the same name in another case (`players`/`Players`), or within
    a small edit distance for its length (one edit up to 5 characters, two
    beyond): `Player` -> `Players`, `Instnace` -> `Instance`. A name that merely
    shares letters (`matchEnd` and `math`, `gameSettings` and `UserSettings`)
    is a different name, so no suggestion is better than a wrong one.
    """
    budget = 1 if len(name) <= 5 else 2
    lowered = name.lower()
    best: tuple[int, str] | None = None
    for candidate in sorted(candidates):
        if candidate == name or abs(len(candidate) - len(name)) > budget:
            continue
        distance = 0 if candidate.lower() == lowered else _edit_distance(name, candidate, budget)
        if distance <= budget and (best is None or distance < best[0]):
            best = (distance, candidate)
    if best is None:
        return None
    # A close match that is no closer than an unrelated one is not a typo either.
    close = difflib.SequenceMatcher(None, lowered, best[1].lower()).ratio()
    return best[1] if close >= 0.75 else None


def _edit_distance(a: str, b: str, limit: int) -> int:
    """Optimal string alignment distance (a swap of neighbours is one edit), capped at limit + 1."""
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        current = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return previous[-1]
