"""The tolerant Luau lexer: Luau's own tokens, foreign comments by position, never a crash."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from luaurft.luau.lexer import ForeignCommentPolicy, TokenKind, code_tokens, tokenize


def kinds(text: str, *, compiles: bool | None = None) -> list[tuple[str, str]]:
    policy = None if compiles is None else ForeignCommentPolicy(compiles=compiles)
    return [(t.kind.value, t.text) for t in tokenize(text, foreign=policy)]


def test_strings_and_comments_hide_their_contents() -> None:
    text = "print(\"a -- b\", 'c\\'d', [==[ ]] ]==]) -- note\n--[[ x\n y ]] z"
    tokens = tokenize(text)
    assert [t.kind for t in tokens] == [
        TokenKind.NAME,
        TokenKind.OP,
        TokenKind.STRING,
        TokenKind.OP,
        TokenKind.STRING,
        TokenKind.OP,
        TokenKind.STRING,
        TokenKind.OP,
        TokenKind.COMMENT,
        TokenKind.COMMENT,
        TokenKind.NAME,
    ]
    assert tokens[-1].line == 3 and tokens[-1].column == 7


def test_interpolated_string_is_one_token_with_code_inside() -> None:
    tokens = tokenize('local s = `a {t["}"]} b` .. x')
    assert tokens[3].kind is TokenKind.STRING
    assert tokens[3].text == '`a {t["}"]} b`'
    assert tokens[4].text == ".."


def test_unterminated_string_stops_at_end_of_line() -> None:
    tokens = tokenize("x = 'oops\ny = 2")
    assert tokens[2].unterminated and tokens[2].text == "'oops"
    assert tokens[3].text == "y" and tokens[3].line == 2


def test_longest_operators_win() -> None:
    assert [t for _, t in kinds("a ... b .. c //= d === e !== f != g")] == [
        "a", "...", "b", "..", "c", "//=", "d", "===", "e", "!==", "f", "!=", "g",
    ]  # fmt: skip


def test_columns_count_characters_not_bytes() -> None:
    tokens = tokenize('local s = "héllo" x')
    assert tokens[-1].text == "x" and tokens[-1].column == 19


def test_hash_is_length_where_an_operand_may_stand() -> None:
    for text in (
        "local n = #t",
        "print(#t)",
        "return #t",
        "local n =\n\t#items",
        "if #t > 0 then end",
    ):
        assert ("foreign_comment", "#t") not in kinds(text, compiles=False)
        assert all(k != "foreign_comment" for k, _ in kinds(text, compiles=False)), text


def test_hash_after_an_expression_or_at_a_statement_is_a_comment() -> None:
    assert kinds("x = 5 # five", compiles=False)[-1] == ("foreign_comment", "# five")
    assert kinds("# header\nx = 1", compiles=False)[0] == ("foreign_comment", "# header")
    assert kinds("if a then # why\nend", compiles=False)[3] == ("foreign_comment", "# why")


def test_double_slash_is_division_in_code_that_compiles() -> None:
    assert ("op", "//") in kinds("local x = a // b", compiles=True)
    assert ("op", "//") in kinds("local x = a\n\t// 2", compiles=False)
    assert ("op", "//") in kinds("local x = total//4", compiles=False)


def test_double_slash_comment_where_no_operand_follows() -> None:
    assert kinds("// heading\nx = 1", compiles=False)[0] == ("foreign_comment", "// heading")
    assert kinds("x = 16 // walk speed", compiles=False)[-1] == ("foreign_comment", "// walk speed")
    assert kinds("f(); // done", compiles=False)[-1] == ("foreign_comment", "// done")
    assert kinds("/* a\nb */ x", compiles=True)[0] == ("foreign_comment", "/* a\nb */")


def test_without_a_policy_everything_is_luau() -> None:
    assert ("op", "#") in kinds("x = 5 # five")
    assert not [t for t in tokenize("// a\n# b") if t.kind is TokenKind.FOREIGN_COMMENT]


def test_code_tokens_drop_comments() -> None:
    tokens = tokenize("a -- c\nb", foreign=ForeignCommentPolicy(compiles=False))
    assert [t.text for t in code_tokens(tokens)] == ["a", "b"]


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300), st.booleans())
def test_lexer_never_fails_and_covers_the_text_in_order(text: str, compiles: bool) -> None:
    tokens = tokenize(text, foreign=ForeignCommentPolicy(compiles=compiles))
    position = 0
    for tok in tokens:
        assert tok.start >= position and tok.end > tok.start
        assert text[position : tok.start].strip() == ""
        assert text[tok.start : tok.end] == tok.text
        position = tok.end
    assert text[position:].strip() == ""
