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


def test_the_analyses_are_released_before_the_collector_is_back_on(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Back on while the shared analyses are alive, the collector's next pass would
    # walk all of their records for nothing: they free themselves in `release`.
    from luaurft.scoring.rule import RuleContext

    seen: list[bool] = []
    release = RuleContext.release

    def spy(self: RuleContext) -> None:
        seen.append(gc.isenabled())
        release(self)

    monkeypatch.setattr(RuleContext, "release", spy)
    assert gc.isenabled()
    score_source("local x = 1\nprint(x + 1)\n")
    assert seen == [False]
    assert gc.isenabled()


@pytest.mark.parametrize("enabled", [True, False])
def test_code_runs_with_the_collector_as_the_caller_had_it(
    enabled: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    import luaurft.scoring.execution as execution

    seen: list[bool] = []
    exec_result = execution.exec_result

    def spy(ctx: object) -> object:
        seen.append(gc.isenabled())
        return exec_result(ctx)  # type: ignore[arg-type]

    monkeypatch.setattr(execution, "exec_result", spy)
    was = gc.isenabled()
    try:
        gc.enable() if enabled else gc.disable()
        card = score_source("print(1 + 1)\n", exec=True)
        assert seen == [enabled]
        assert "exec" in card.scores
        assert gc.isenabled() is enabled
    finally:
        gc.enable() if was else gc.disable()
