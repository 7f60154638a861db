"""Deeply nested code: every analysis finishes without exhausting Python's stack,
and code nested past `MAX_ANALYSIS_DEPTH` gets a syntax-only card that says why."""

from __future__ import annotations

import pytest

from luaurft.luau.source import LuauSource
from luaurft.scoring import MAX_ANALYSIS_DEPTH, score_source
from luaurft.scoring.scorer import DETERMINISTIC_SCORERS


def _shapes(depth: int) -> dict[str, str]:
    """Each nests one construct `depth` times (chains, unary operators, tables, casts...)."""
    return {
        "dot chain": "local x = game" + ".Workspace" * depth,
        "method chain": "local x = a" + ":b()" * depth,
        "nested tables": "local x = " + "{" * depth + "}" * depth,
        "nested fields": "local x = " + "{a = " * depth + "1" + "}" * depth,
        "not": "local x = " + "not " * depth + "y",
        "negation": "local x = " + "- " * depth + "y",
        "length": "local x = " + "#" * depth + "y",
        "casts": "local x = y" + " :: any" * depth,
        "constant builders": "local x = " + "Vector3.new(" * depth + "1" + ")" * depth,
        "nested functions": "local x = " + "function() return " * depth + "1" + " end" * depth,
        "nested ifs": "if a then " * depth + "print(1)" + " end" * depth,
        "interpolated strings": "local x = " + "`{" * depth + "1" + "}`" * depth,
    }


@pytest.mark.parametrize("name", sorted(_shapes(1)))
def test_code_deeper_than_pythons_stack_is_analysed(name: str) -> None:
    # 990 levels: about Python's default recursion limit, within the analysis depth.
    code = _shapes(990)[name] + "\n"
    assert LuauSource(code).tree_depth <= MAX_ANALYSIS_DEPTH
    card = score_source(code)
    assert "not_analysed" not in card.extra
    assert all(card.scores[scorer] is not None for scorer in DETERMINISTIC_SCORERS)


@pytest.mark.parametrize("name", sorted(_shapes(1)))
def test_code_past_the_analysis_depth_is_scored_by_syntax_alone(name: str) -> None:
    code = _shapes(20_000)[name] + "\n"
    source = LuauSource(code)
    assert source.tree_depth > MAX_ANALYSIS_DEPTH
    card = score_source(source)
    assert f"most {MAX_ANALYSIS_DEPTH:,}" in card.extra["not_analysed"]
    assert card.scores["syntax"] is not None
    assert [card.scores[s] for s in ("api", "bug", "quality")] == [None, None, None]
    # Luau refuses code this deep, so the card is capped like any code it rejects.
    assert not card.compiles
    assert card.composite <= card.scores["syntax"] < 1.0
    assert any(f.rule == "syntax/compile-error" for f in card.findings)


def test_the_tree_depth_is_measured_by_the_node_index() -> None:
    flat = LuauSource("local x = 1\nprint(x)\n")
    nested = LuauSource("local x = " + "(" * 40 + "1" + ")" * 40 + "\n")
    assert nested.tree_depth >= flat.tree_depth + 40
    source = LuauSource("print(1)\n")
    source.nodes("identifier")  # the walk that measures it has run
    assert source.tree_depth == LuauSource("print(1)\n").tree_depth
