"""`_if_chain.Gapless`: a cheap key that two branches with the same folded code share."""

from __future__ import annotations

from luaurft.luau.source import LuauSource
from luaurft.scoring.rules.bug._if_chain import Gapless, branches, folded


def _blocks(code: str) -> tuple[LuauSource, list[tuple[str, bytes | str]]]:
    source = LuauSource(code)
    gapless = Gapless(source)
    (statement,) = source.nodes("if_statement")
    keys = [
        (folded(source, b.block), gapless(b.block))
        for b in branches(statement)
        if b.block is not None
    ]
    return source, keys


def test_same_code_laid_out_and_commented_differently_shares_the_key() -> None:
    _, keys = _blocks(
        "if a then\n\tcoins = coins + 10 -- reward\n\tprint( coins )\n"
        "else\n\t--[[ the same ]] coins=coins+10\n\tprint(coins) -- again\nend\n"
    )
    (fold_a, key_a), (fold_b, key_b) = keys
    assert fold_a == fold_b
    assert key_a == key_b


def test_different_code_has_different_keys() -> None:
    _, keys = _blocks("if a then\n\tcoins += 10\nelse\n\tcoins += 5\nend\n")
    (fold_a, key_a), (fold_b, key_b) = keys
    assert fold_a != fold_b
    assert key_a != key_b


def test_non_ascii_code_laid_out_differently_shares_the_key() -> None:
    _, keys = _blocks('if a then\n\tprint( "é" ) -- ✓\nelse\n\tprint("é")\nend\n')
    (fold_a, key_a), (fold_b, key_b) = keys
    assert fold_a == fold_b
    assert key_a == key_b
