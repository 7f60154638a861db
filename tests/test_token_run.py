"""`lexical.token_run`: a text search that must find every run of tokens the lexer sees
in code that compiles, so rules can skip lexing where it misses."""

from __future__ import annotations

import pytest

from luaurft.luau.lexer import TokenKind, tokenize
from luaurft.scoring.lexical import NAME_START, token_run

SELF_DOT_CALL = token_run(NAME_START + "self", r"\.", r"[A-Za-z_][A-Za-z0-9_]*", r"\(")


def _has_self_dot_call(code: str) -> bool:
    """The lexer's answer: `self . name (` as four tokens in a row."""
    tokens = [t for t in tokenize(code) if t.kind is not TokenKind.COMMENT]
    return any(
        a.text == "self" and b.text == "." and c.kind is TokenKind.NAME and d.text == "("
        for a, b, c, d in zip(tokens, tokens[1:], tokens[2:], tokens[3:], strict=False)
    )


@pytest.mark.parametrize(
    "code",
    [
        "self.open()",
        "self\n\t.open\n\t(1)",
        "self --[[ a ]] . -- note\n open (x)",
        "self --[==[ ]] still a comment ]==] .open()",
        "x.self.open()",
    ],
)
def test_found_wherever_the_lexer_sees_the_tokens(code: str) -> None:
    assert _has_self_dot_call(code)
    assert SELF_DOT_CALL.search(code) is not None


@pytest.mark.parametrize(
    "code",
    ["self:open()", "myself.open()", "self.open = 1", "local s = self\nprint(s)"],
)
def test_missed_where_the_tokens_are_not_in_a_row(code: str) -> None:
    assert not _has_self_dot_call(code)
    assert SELF_DOT_CALL.search(code) is None


def test_a_long_run_of_dashes_does_not_make_the_search_slow() -> None:
    import time

    code = "self " + ("-- " + "-" * 5000 + "\n  ") * 200
    start = time.perf_counter()
    assert SELF_DOT_CALL.search(code) is None
    assert time.perf_counter() - start < 1.0
