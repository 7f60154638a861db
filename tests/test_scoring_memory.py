"""Scoring leaves no reference cycles behind: each file's tree and analyses are freed at once.

Cyclic garbage waits for the cyclic collector, which rescans it (and the tree it
holds) on every pass until then: a measurable share of scoring time. A new
analysis that links its records both ways should give itself a `release_analysis()`.
"""

from __future__ import annotations

import gc

import pytest

from conftest import example_files
from luaurft.luau import LuauSource
from luaurft.scoring import score_source
from luaurft.scoring.analysis.scope import analyze_scopes

BROKEN = "local function f(x)\n\tif x then\n\t\tprint(x)\n\nreturn f\n"


@pytest.mark.parametrize("name", ["example", "broken"])
def test_scoring_leaves_no_cyclic_garbage(name: str) -> None:
    text = example_files()[0].read_text(encoding="utf-8") if name == "example" else BROKEN
    score_source(LuauSource(text))  # first use fills process-wide caches
    gc.collect()
    gc.disable()
    try:
        score_source(LuauSource(text))
        assert gc.collect() == 0
    finally:
        gc.enable()


def test_a_released_scope_analysis_holds_no_cycles() -> None:
    source = LuauSource(example_files()[0].read_text(encoding="utf-8"))
    analysis = analyze_scopes(source)
    assert analysis.declarations and analysis.references
    gc.collect()
    gc.disable()
    try:
        analysis.release_analysis()
        del analysis
        assert gc.collect() == 0
    finally:
        gc.enable()
