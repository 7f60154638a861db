"""Scoring pauses the cyclic garbage collector and leaves it as it found it."""

from __future__ import annotations

import gc

import pytest

from luaurft.scoring import collector_paused, score_source


@pytest.mark.parametrize("enabled", [True, False])
def test_scoring_leaves_the_collector_as_it_found_it(enabled: bool) -> None:
    was = gc.isenabled()
    try:
        gc.enable() if enabled else gc.disable()
        card = score_source("local x = 1\nprint(x + 1)\n")
        assert card.compiles
        assert gc.isenabled() is enabled
    finally:
        gc.enable() if was else gc.disable()


def test_the_collector_is_off_while_paused_and_back_on_after_an_error() -> None:
    assert gc.isenabled()
    with pytest.raises(RuntimeError), collector_paused():
        assert not gc.isenabled()
        raise RuntimeError("a rule failed")
    assert gc.isenabled()
