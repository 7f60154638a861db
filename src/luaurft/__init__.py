"""luaurft: production-ready Roblox Luau from plain-language requests, and the models that write it.

The public API is small and importable without the CLI::

    import luaurft
    card = luaurft.score('print("hi")')
    card.composite, card.scores["syntax"], card.findings
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    from luaurft.scoring.card import ScoreCard


def score(code: str, *, kind: str | None = None, exec: bool = True, **options: Any) -> ScoreCard:
    """Score one piece of Luau with every deterministic scorer and, as `luaurft score`
    does, run it in the mock Roblox world (`exec=False` skips that); see
    `luaurft.scoring.score_source`."""
    from luaurft.scoring import score_source

    return score_source(code, kind=kind, exec=exec, **options)


__all__ = ["__version__", "score"]
