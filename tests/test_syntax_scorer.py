"""The syntax scorer end to end: the issue's must-show cases, precision on valid code, the formula."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import luaurft
from conftest import example_files
from luaurft.errors import SourceDecodeError
from luaurft.luau import LuauSource
from luaurft.scoring import score_source
from luaurft.scoring.registry import rules_for

EXAMPLES = example_files()


def syntax_findings(code: str) -> list:
    return luaurft.score(code).findings_for("syntax")


def rules_at(code: str) -> set[tuple[str, int]]:
    return {(f.rule, f.line) for f in syntax_findings(code)}


# -- the must-show cases ------------------------------------------------


MISSING_END = """\
local Players = game:GetService("Players")

local function onPlayerAdded(player)
	local leaderstats = Instance.new("Folder")
	leaderstats.Name = "leaderstats"
	if player.UserId > 0 then
		leaderstats.Parent = player

end

Players.PlayerAdded:Connect(onPlayerAdded)
"""


def test_missing_end_scores_low_and_points_at_the_unclosed_opener() -> None:
    card = luaurft.score(MISSING_END)
    assert card.scores["syntax"] is not None and card.scores["syntax"] < 0.5
    unclosed = [f for f in card.findings if f.rule == "syntax/unclosed-block"]
    assert [(f.line, f.column) for f in unclosed] == [(6, 2)]
    assert "`if`" in unclosed[0].message and "end" in unclosed[0].message


def test_missing_end_of_the_outer_function_points_at_the_function() -> None:
    code = "local function a()\n\tprint(1)\n\nlocal function b()\n\tprint(2)\nend\n"
    # Indentation says `b`'s `end` is b's own, so `a` is the one left open.
    assert ("syntax/unclosed-block", 1) in rules_at(code)
    assert ("syntax/unclosed-block", 4) not in rules_at(code)


def test_python_def_is_named() -> None:
    findings = syntax_findings("def give_coins(player, amount):\n    player.coins += amount\n")
    defs = [f for f in findings if f.rule == "syntax/python-def"]
    assert len(defs) == 1 and defs[0].line == 1
    assert "`def" in defs[0].message and "local function" in defs[0].message


def test_markdown_fence_is_reported_as_such() -> None:
    code = "```lua\nlocal part = Instance.new('Part')\npart.Parent = workspace\n```\n"
    card = luaurft.score(code)
    fences = [f for f in card.findings if f.rule == "syntax/markdown-fence"]
    assert [f.line for f in fences] == [1, 4]
    assert all("markdown" in f.message and "fence" in f.message for f in fences)
    assert card.scores["syntax"] is not None and card.scores["syntax"] <= 0.4


def test_every_foreign_habit_is_explained_even_when_it_breaks_compilation() -> None:
    cases = {
        "if a != b then end": "syntax/python-not-equal",
        "let x = 1": "syntax/js-declaration",
        "if a === b then end": "syntax/js-strict-equality",
        "if a && b then end": "syntax/js-logical-operator",
        "local x = 1 // half of it": "syntax/js-comment",
        "local x = 1 # one": "syntax/python-comment",
        "import random": "syntax/python-import",
        "if x:\n    pass": "syntax/python-block-colon",
        "if x then\n  y()\nelif z then\nend": "syntax/python-elif",
        "function f() {\n  return 1\n}": "syntax/js-brace-block",
        "Here is your script:\nprint(1)": "syntax/prose",
    }
    for code, rule in cases.items():
        card = luaurft.score(code)
        assert not card.compiles, code
        assert rule in {f.rule for f in card.findings}, code


# -- precision: valid Luau never draws a syntax finding ------------------------------


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_examples_score_syntax_one(path: Path) -> None:
    card = luaurft.score(path.read_text(encoding="utf-8"))
    assert card.compiles
    assert card.scores["syntax"] == 1.0
    assert card.findings_for("syntax") == []


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_an_unrelated_error_adds_no_foreign_syntax_findings(path: Path) -> None:
    """Valid code with one broken line appended: only that line is reported."""
    text = path.read_text(encoding="utf-8").rstrip("\n")
    broken = text + "\nlocal = 1\n"
    findings = syntax_findings(broken)
    assert {f.rule for f in findings} == {"syntax/compile-error"}
    assert [f.line for f in findings] == [len(text.split("\n")) + 1]


MODERN = Path(__file__).parent / "fixtures" / "luau" / "modern_valid.luau"


def test_modern_luau_is_clean_and_stays_clean_next_to_an_error() -> None:
    """Types, attributes, escapes, long brackets, if-expressions, compound ops, `f"..."` calls."""
    text = MODERN.read_text(encoding="utf-8")
    card = luaurft.score(text)
    assert card.compiles and card.findings_for("syntax") == []
    broken = luaurft.score(text.rstrip("\n") + "\nlocal = 1\n")
    assert {f.rule for f in broken.findings_for("syntax")} == {"syntax/compile-error"}


def test_there_are_enough_examples() -> None:
    assert len(EXAMPLES) >= 14
    names = [p.name for p in EXAMPLES]
    assert any(n.endswith(".server.luau") for n in names)
    assert any(n.endswith(".client.luau") for n in names)
    assert any(not n.endswith((".server.luau", ".client.luau")) for n in names)


def test_valid_luau_that_looks_foreign_is_left_alone() -> None:
    code = (
        "local t = { 1, 2, 3 }\n"
        "local half = #t // 2\n"
        "local label = `count {#t}` -- # and // in strings: '# x', \"// y\"\n"
        "local kind = if half > 0 then 'some' else 'none'\n"
        "local config = setmetatable({}, {\n\t__index = function() return 0 end,\n})\n"
        "print(half, label, kind, config, Enum.Font.SourceSans)\n"
    )
    card = luaurft.score(code)
    assert card.compiles and card.findings_for("syntax") == []


# -- the formula ------------------------------------------------------------------


def test_code_that_does_not_compile_scores_at_most_0_4() -> None:
    for code in ("local x = ", "end", "print('a'", "function f() {}", "```\nx\n```"):
        score = luaurft.score(code).scores["syntax"]
        assert score is not None and score <= 0.4, code


def test_more_reasons_to_fail_score_lower() -> None:
    one = luaurft.score("local x = 1 != 2\n").scores["syntax"]
    many = luaurft.score("let x = 1 != 2 && y\nconsole.log(x) // done\n").scores["syntax"]
    assert one is not None and many is not None and many < one <= 0.4


def test_compiling_habits_cost_a_little() -> None:
    card = luaurft.score("local items = {}\nitems.append(5)\nprint(len(items), None)\n")
    assert card.compiles
    rules = {f.rule for f in card.findings_for("syntax")}
    assert rules == {"syntax/python-append", "syntax/python-builtin", "syntax/python-constant"}
    score = card.scores["syntax"]
    assert score is not None and 0.5 <= score < 1.0


def test_blank_code_scores_zero() -> None:
    assert luaurft.score("   \n").scores["syntax"] == 0.0


def test_formula_is_documented() -> None:
    from luaurft.scoring.scorer import available_scorers

    formula = available_scorers()["syntax"].formula
    assert "0.4" in formula and "compile" in formula
    assert rules_for("syntax")


# -- fuzzing: nothing crashes -------------------------------------------------------

_LUAU_BITS = st.sampled_from(
    [
        "local", "function", "end", "if", "then", "else", "elseif", "for", "do", "while",
        "repeat", "until", "return", "(", ")", "{", "}", "[", "]", "[[", "]]", "--", "--[[",
        '"', "'", "`", "#", "//", "/*", "*/", "!=", "===", "&&", "def", "elif", "True",
        "None", "len(", ".append(", "self.", "console.log(", "```lua", "```", "\n", " ",
        "\t", "x", "=", ",", ":", "Here is the code", "1", "\\", "{x}", "f'{a}'",
    ]
)  # fmt: skip


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_LUAU_BITS, max_size=40).map("".join))
def test_luau_like_noise_never_crashes_score(text: str) -> None:
    card = luaurft.score(text)
    syntax = card.scores["syntax"]
    assert syntax is not None and 0.0 <= syntax <= 1.0
    if not card.compiles:
        assert syntax <= 0.4
    for f in card.findings:
        assert f.line >= 1 and f.column >= 1


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=200))
def test_arbitrary_text_never_crashes_score(text: str) -> None:
    card = luaurft.score(text)
    assert 0.0 <= card.composite <= 1.0


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=200))
def test_arbitrary_bytes_decode_or_raise_our_error(data: bytes) -> None:
    try:
        source = LuauSource.from_bytes(data)
    except SourceDecodeError as exc:
        assert "UTF-8" in str(exc) or "NUL" in str(exc)
        return
    assert 0.0 <= luaurft.score(source.text).composite <= 1.0


def test_a_roblox_ts_import_left_in_luau_is_found_where_it_stands() -> None:
    # It compiles (two calls), so only this rule says why the script dies on line 2.
    code = '--!strict\nimport { Players } from "@rbxts/services"\nprint(#Players:GetPlayers())\n'
    card = score_source(code)
    assert card.compiles
    found = [f for f in card.findings if f.rule == "syntax/ts-import"]
    assert [(f.line, f.message) for f in found] == [
        (
            2,
            '`import ... from "@rbxts/services"` is TypeScript (roblox-ts); Luau runs it as '
            "calls of the undefined globals `import` and `from`",
        )
    ]
    assert not [f for f in card.findings if f.rule == "syntax/python-import"]
