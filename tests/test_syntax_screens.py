"""Screens that let the syntax rules skip lexing code that compiles: where a screen
says no, the rule must find nothing; where the code holds what the rule reports, it
must still be found (the screen says maybe and the lexer decides)."""

from __future__ import annotations

import pytest

from luaurft.luau.kind import ScriptKind
from luaurft.luau.source import LuauSource
from luaurft.scoring.lexical import code_view, surely_defines
from luaurft.scoring.rule import Rule, RuleContext
from luaurft.scoring.rules.syntax.python_append import PythonAppendRule
from luaurft.scoring.rules.syntax.python_builtin import PythonBuiltinRule
from luaurft.scoring.rules.syntax.python_fstring import PythonFStringRule
from luaurft.scoring.rules.syntax.python_self_call import PythonSelfCallRule
from luaurft.scoring.rules.syntax.ts_import import TsImportRule


def _ctx(code: str) -> RuleContext:
    return RuleContext(source=LuauSource(code), kind=ScriptKind.MODULE_SCRIPT)


def _lexed(ctx: RuleContext) -> bool:
    return "lexical.code_view" in ctx.shared


@pytest.mark.parametrize(
    ("rule", "code"),
    [
        # the letters of an f-string prefix inside a string, next to a name `f`
        (PythonFStringRule(), 'local f = 1\nlocal t = {}\nprint(t["fr"], f)\n'),
        # a callback stored on self and called with `.`: no method of that name
        (
            PythonSelfCallRule(),
            "local C = {}\nfunction C:run()\n\tself.callback(1)\nend\nreturn C\n",
        ),
        # `import ... from` only in a comment
        (TsImportRule(), "-- import x from 'y'\nlocal a = 1\nprint(a)\n"),
        # `.appendChild(` is not `.append(`
        (PythonAppendRule(), "local t = {}\nt.appendChild = print\nt.appendChild(1)\n"),
    ],
)
def test_a_screen_that_says_no_spares_the_lexer(rule: Rule, code: str) -> None:
    ctx = _ctx(code)
    assert ctx.source.compiles and not ctx.source.tree_has_errors
    assert list(rule.check(ctx)) == []
    assert not _lexed(ctx)


@pytest.mark.parametrize(
    ("rule", "code", "line"),
    [
        (PythonFStringRule(), 'local name = "x"\nprint(f"hi {name}")\n', 2),
        # the method's name after a comment inside the function's name
        (
            PythonSelfCallRule(),
            "local C = {}\nfunction C --[[ (the class) ]] :open()\nend\n"
            "function C:run()\n\tself.open()\nend\nreturn C\n",
            5,
        ),
        (TsImportRule(), 'import { x } from "y"\n', 1),
        (PythonAppendRule(), "local t = {}\nt.append(1)\n", 2),
        (PythonBuiltinRule(), "local t = {}\nprint(len(t))\n", 2),
    ],
)
def test_what_the_rule_reports_is_still_found(rule: Rule, code: str, line: int) -> None:
    ctx = _ctx(code)
    assert ctx.source.compiles
    assert [f.line for f in rule.check(ctx)] == [line]


def test_a_builtin_after_a_field_or_a_longer_name_is_no_call_of_it() -> None:
    ctx = _ctx("local t = {len = print}\nt.len(1)\nlocal xlen = print\nxlen(1)\n")
    assert list(PythonBuiltinRule().check(ctx)) == []
    assert not _lexed(ctx)


def test_a_declaration_in_non_ascii_code_is_proven_from_the_tree() -> None:
    # Byte offsets differ from character offsets after the "é": the proof reads bytes.
    ctx = _ctx("-- café\nlocal console = require(script.Parent.Shared).console\n")
    assert not ctx.source.is_ascii
    assert surely_defines(ctx, "console")
    assert "console" in code_view(ctx).defined_names


@pytest.mark.parametrize(
    "code",
    [
        "local a, b = 1, 2\nfor i, v in pairs({}) do print(i, v) end\nc = 3\nt.d = 4\n",
        "function f(x, y: number, ...)\nend\nlocal function g(z) end\nfunction T.m(self, w) end\n",
        "local t = {e = 1}\nprint(t.e, h)\n",
        "def f(x):\n    return len(x)\n",  # not Luau: the lexer still answers
    ],
)
def test_defines_answers_as_the_set_of_defined_names(code: str) -> None:
    words = {"a", "b", "c", "d", "e", "f", "g", "h", "i", "v", "x", "y", "z", "w", "self", "T"}
    asked = {word: code_view(_ctx(code)).defines(word) for word in words}
    assert asked == {word: word in code_view(_ctx(code)).defined_names for word in words}
    assert not all(asked.values())
    if _ctx(code).source.compiles:
        assert any(asked.values())
