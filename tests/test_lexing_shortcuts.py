"""Answers rules take from the tree instead of lexing: each must agree with the lexer
where it answers, and leave the question to the lexer where it cannot."""

from __future__ import annotations

import pytest

from luaurft.luau.kind import ScriptKind
from luaurft.luau.source import LuauSource
from luaurft.scoring.lexical import code_view, surely_defines
from luaurft.scoring.rule import RuleContext
from luaurft.scoring.rules.syntax.js_console import JsConsoleRule
from luaurft.scoring.rules.syntax.python_constant import PythonConstantRule, _nothing_to_report


def _ctx(code: str) -> RuleContext:
    return RuleContext(source=LuauSource(code), kind=ScriptKind.MODULE_SCRIPT)


@pytest.mark.parametrize(
    "code",
    [
        "local console = require(script.Parent.Shared).console\nconsole.log('x')\n",
        "local   console\nconsole = {}\n",
        "function console.group()\nend\n",
        "local function console()\nend\n",
    ],
)
def test_a_declaration_the_tree_shows_is_one_the_lexer_sees(code: str) -> None:
    ctx = _ctx(code)
    assert surely_defines(ctx, "console")
    assert "console" in code_view(ctx).defined_names


@pytest.mark.parametrize(
    "code",
    [
        # in a comment, in a string, inside a longer name, a field: no proof
        "-- local console\nconsole.log('x')\n",
        "print('local console')\nconsole.log('x')\n",
        "local consoles = {}\nconsole.log('x')\n",
        "local t = {}\nt.local_console = 1\n",
        # code that does not compile is not proof either
        "local console = = 1\nconsole.log('x')\n",
    ],
)
def test_no_proof_where_the_words_are_not_both_code(code: str) -> None:
    assert not surely_defines(_ctx(code), "console")


def test_console_of_a_commented_out_declaration_is_still_reported() -> None:
    findings = list(JsConsoleRule().check(_ctx("-- local console = x\nconsole.log('x')\n")))
    assert [f.line for f in findings] == [2]


@pytest.mark.parametrize(
    "code",
    [
        "local font = Enum.Font.None\n",
        "-- None of these\nlocal font = Enum.Font.None\nlocal s = 'None'\n",
        "local None = newproxy()\nlocal x = None\nlocal y = Enum.Font.None\n",
    ],
)
def test_constants_only_as_members_or_declared_need_no_lexing(code: str) -> None:
    ctx = _ctx(code)
    assert _nothing_to_report(ctx)
    assert list(PythonConstantRule().check(ctx)) == []


@pytest.mark.parametrize(
    ("code", "line"),
    [
        ("local font = Enum.Font.None\nlocal x = None\n", 2),
        ("-- local None\nlocal x = True\n", 2),
        ("local y = Enum.Font.None\nif y == None then\n\treturn\nend\n", 2),
    ],
)
def test_a_bare_constant_leaves_the_answer_to_the_lexer(code: str, line: int) -> None:
    ctx = _ctx(code)
    assert not _nothing_to_report(ctx)
    assert [f.line for f in PythonConstantRule().check(ctx)] == [line]


@pytest.mark.parametrize(
    "code",
    [
        "local a = a + b\nprint(a, b.c, b:d())\n",
        # non-ASCII text before the names: byte offsets are not character offsets
        "local s = 'héllo wörld'\nlocal t = s .. s\nprint(t, s)\n",
    ],
)
def test_identifier_counts_are_the_lexers_names_of_clean_code(code: str) -> None:
    from collections import Counter

    from luaurft.luau.lexer import TokenKind, tokenize

    source = LuauSource(code)
    assert source.compiles and not source.tree_has_errors
    names = Counter(t.text for t in tokenize(code) if t.kind is TokenKind.NAME)
    assert source.identifier_counts == names
