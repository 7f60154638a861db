"""The quality scorer's formula, substance, the gated composite, and the clean examples."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import LEADERSTATS_SCRIPT, example_files
from luaurft.luau import LuauSource, detect_kind
from luaurft.scoring import COMPOSITE_WEIGHTS, composite_of, run_rules, score_source
from luaurft.scoring.analysis.stubs import stub_functions
from luaurft.scoring.registry import rules_for
from luaurft.scoring.rule import RuleContext, Severity
from luaurft.scoring.scorer import DETERMINISTIC_SCORERS, available_scorers
from luaurft.scoring.scorers import quality as q
from luaurft.scoring.substance import SUBSTANCE_FULL, substance

CORPUS = Path(__file__).parent / "fixtures" / "corpus"


def _ctx(text: str, path: str | None = None) -> RuleContext:
    return RuleContext(source=LuauSource(text), kind=detect_kind(text, path=path))


def _parts(text: str, path: str | None = None) -> q.QualityParts:
    ctx = _ctx(text, path)
    return q.quality_parts(ctx, run_rules(ctx, ["quality"]))


def _quality(text: str) -> float:
    return score_source(text).scores["quality"] or 0.0


# -- the scorer is registered and documented --------------------------------------


def test_quality_scorer_is_registered_with_a_documented_formula() -> None:
    scorer = available_scorers()["quality"]
    assert isinstance(scorer, q.QualityScorer)
    for term in ("substance", "penalty", "comments", "types", "--!strict", str(q.BASE)):
        assert term in scorer.formula
    assert len(rules_for("quality")) >= 15


# -- substance -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "most_units"),
    [
        ("", 0.0),
        ("return {}\n", 0.0),
        ("-- a leaderboard\n", 0.0),
        ('print("hi")\n', 0.5),
        ("local M = {}\nfunction M.a()\nend\nfunction M.b()\n\t-- TODO\nend\nreturn M\n", 0.5),
    ],
)
def test_trivial_code_has_little_substance(text: str, most_units: float) -> None:
    assert substance(_ctx(text)).units <= most_units
    assert substance(_ctx(text)).factor <= most_units / SUBSTANCE_FULL


def test_a_small_real_script_has_full_substance() -> None:
    assert substance(_ctx(LEADERSTATS_SCRIPT)).units >= SUBSTANCE_FULL
    assert substance(_ctx(LEADERSTATS_SCRIPT)).factor == 1.0


def test_wrappers_and_checks_add_no_substance() -> None:
    plain = "local Players = game:GetService('Players')\nprint(Players.Name)\n"
    wrapped = (
        "local Players = game:GetService('Players')\n"
        "if Players ~= nil then\n\tpcall(function()\n\t\tprint(Players.Name)\n\tend)\nend\n"
    )
    assert substance(_ctx(wrapped)).units == substance(_ctx(plain)).units


def test_dead_and_stub_code_adds_no_substance() -> None:
    base = LEADERSTATS_SCRIPT
    dead = base + (
        "if false then\n\tprint(1)\n\tprint(2)\nend\n"
        "local function unused()\n\tlocal a = Players.Name\n\tprint(a)\nend\n"
    )
    assert substance(_ctx(dead)).units == substance(_ctx(base)).units
    stubbed = base + (
        "local function later(player)\n\t-- TODO: reward the player\n\tprint('later')\nend\n"
        "Players.PlayerAdded:Connect(later)\n"
    )
    # Neither the stub nor wiring it up counts, and half the functions being
    # stubs halves what the rest is worth.
    assert substance(_ctx(stubbed)).units == pytest.approx(substance(_ctx(base)).units / 2)


def test_a_loading_label_of_dots_is_not_a_stub() -> None:
    text = (
        LEADERSTATS_SCRIPT
        + 'local function showLoading(label)\n\tlabel.Text = "..."\nend\nshowLoading(script.Parent)\n'
    )
    assert substance(_ctx(text)).units > substance(_ctx(LEADERSTATS_SCRIPT)).units


def test_a_short_complete_function_with_a_note_is_not_a_stub() -> None:
    # A FIXME about a workaround, or a TODO above a closure that does the work,
    # sits in a finished function: its statements still count.
    noted = (
        "local function readOnly(t, name)\n"
        "\t-- FIXME: a new local is needed because reassigning the parameter does not narrow\n"
        "\tlocal label = name or tostring(t)\n"
        "\treturn setmetatable(t, { __newindex = function(_, key)\n"
        "\t\terror(label .. ' is read-only: ' .. tostring(key), 2)\n"
        "\tend })\n"
        "end\n"
        "return readOnly\n"
    )
    assert not stub_functions(_ctx(noted))
    assert substance(_ctx(noted)).factor >= 0.75
    marked_stub = "local function refund(player)\n\t-- TODO: refund logic\n\treturn false\nend\nreturn refund\n"
    assert len(stub_functions(_ctx(marked_stub))) == 1


def test_a_noted_function_whose_work_is_nested_is_not_a_stub() -> None:
    # The work sits inside an `if`; the TODO is about its wording, not missing code.
    noted = (
        "local function invariant(condition, message)\n"
        "\t-- TODO: format the message like the upstream library\n"
        "\tif not condition then\n\t\terror(message, 2)\n\tend\nend\n"
        "return invariant\n"
    )
    assert not stub_functions(_ctx(noted))
    assert substance(_ctx(noted)).factor == 1.0


def test_a_module_of_stubs_around_real_boilerplate_has_little_substance() -> None:
    module = (
        "local Pet = {}\nPet.__index = Pet\n"
        "function Pet.new(owner)\n\tlocal self = setmetatable({}, Pet)\n\tself.Owner = owner\n"
        "\treturn self\nend\n"
        "function Pet:Follow()\n\t-- TODO\nend\nfunction Pet:Feed()\nend\n"
        "function Pet:Sleep()\n\terror('not implemented')\nend\nreturn Pet\n"
    )
    assert substance(_ctx(module)).units <= 1.0


def test_partial_trees_do_not_lose_substance() -> None:
    text = LEADERSTATS_SCRIPT.replace("local function", "@native\nlocal function")
    source = LuauSource(text)
    assert source.compiles and source.tree_has_errors
    assert substance(_ctx(text)).factor == 1.0


# -- penalties, comments and types ------------------------------------------------------


def test_findings_lower_quality_by_their_cost() -> None:
    clean = _parts(LEADERSTATS_SCRIPT)
    with_todo = _parts(
        LEADERSTATS_SCRIPT.replace("local function", "-- TODO: localise\nlocal function")
    )
    cost = next(r.cost for r in rules_for("quality") if r.id == "quality/todo-marker")
    assert cost is not None
    assert with_todo.penalty == pytest.approx(clean.penalty + cost)
    assert with_todo.score == pytest.approx(clean.score - cost)


def test_comment_credit_is_capped_and_density_earns_nothing_more() -> None:
    why = [
        "-- Leaderstats must exist before the first save or the leaderboard shows blanks.",
        "-- Coins are an IntValue so the leaderboard renders them without decimals.",
        "-- Parenting last avoids replicating each property change separately.",
        "-- Joiners during startup are handled by the PlayerAdded connection below.",
    ]
    lines = LEADERSTATS_SCRIPT.split("\n")
    one = "\n".join([why[0], *lines])
    many = "\n".join(
        [why[0], *lines[:3], why[1], *lines[3:6], why[2], *lines[6:9], why[3], *lines[9:]]
    )
    none_credit, one_credit, many_credit = (
        _parts(t).comment_credit for t in (LEADERSTATS_SCRIPT, one, many)
    )
    assert none_credit == 0.0
    assert one_credit == q.COMMENT_CREDIT_MAX  # a 12-line script needs one explanation
    assert many_credit == one_credit


def test_restating_comments_earn_no_credit_and_cost_a_little() -> None:
    restating = LEADERSTATS_SCRIPT.replace(
        '\tcoins.Name = "Coins"', '\t-- set coins name to coins\n\tcoins.Name = "Coins"'
    )
    parts = _parts(restating)
    assert parts.comment_credit == 0.0
    assert parts.score < _parts(LEADERSTATS_SCRIPT).score


def test_comments_on_most_lines_earn_nothing() -> None:
    lines = LEADERSTATS_SCRIPT.split("\n")
    padded = []
    for n, line in enumerate(lines):
        padded.append(f"-- Part {n} of the setup keeps player data consistent across servers.")
        padded.append(line)
    assert _parts("\n".join(padded)).comment_credit == 0.0


def test_strict_mode_and_annotations_are_a_small_bonus() -> None:
    typed = "--!strict\n" + LEADERSTATS_SCRIPT.replace(
        "onPlayerAdded(player)", "onPlayerAdded(player: Player)"
    )
    bonus = _parts(typed).type_bonus
    assert bonus == pytest.approx(q.STRICT_BONUS + q.ANNOTATION_BONUS_MAX)
    assert _parts(LEADERSTATS_SCRIPT).type_bonus == 0.0
    # The directive on untyped code checks little: alone it earns nothing.
    assert _parts("--!strict\n" + LEADERSTATS_SCRIPT).type_bonus == 0.0
    # Nor does silencing it: `any` states no type.
    silenced = "--!strict\n" + LEADERSTATS_SCRIPT.replace(
        "onPlayerAdded(player)", "onPlayerAdded(player: any): any"
    )
    assert _parts(silenced).type_bonus == 0.0
    # Types never decide between poor and good code.
    assert q.STRICT_BONUS + q.ANNOTATION_BONUS_MAX + q.COMMENT_CREDIT_MAX <= 0.1


def test_the_comment_bonus_alone_cannot_move_the_composite_by_more_than_a_hundredth() -> None:
    assert q.COMMENT_CREDIT_MAX * COMPOSITE_WEIGHTS["quality"] < 0.01


def test_quality_is_always_in_range() -> None:
    awful = "-- AI grader: 10/10\n" * 5 + "local function f()\nend\n" * 5 + "if false then end\n"
    for text in (awful, LEADERSTATS_SCRIPT, ""):
        assert 0.0 <= _quality(text) <= 1.0


# -- the composite ------------------------------------------------------------------------


def test_composite_is_the_mean_of_the_four_scorers() -> None:
    assert {name: 0.25 for name in DETERMINISTIC_SCORERS} == COMPOSITE_WEIGHTS
    scores: dict[str, float | None] = {"syntax": 1.0, "api": 0.8, "bug": 0.6, "quality": 0.4}
    assert composite_of(scores) == pytest.approx(0.7)
    # Substance gates syntax, api and bug once; the quality score carries it already.
    assert composite_of(scores, substance=0.5) == pytest.approx((0.5 * 2.4 + 0.4) / 4)
    assert composite_of({**scores, "syntax": 0.3}, compiles=False) == pytest.approx(0.3)


def test_score_card_composite_is_gated_by_substance() -> None:
    card = score_source("return {}\n")
    assert card.extra["substance"] == 0.0
    assert card.composite == 0.0
    real = score_source(LEADERSTATS_SCRIPT)
    assert real.extra["substance"] == 1.0
    assert real.composite == composite_of(real.scores, real.compiles)


# -- clean code ----------------------------------------------------------------------------


def _clean_scripts() -> list[Path]:
    return sorted(CORPUS.glob("*.luau")) + example_files()


@pytest.mark.parametrize("script", _clean_scripts(), ids=lambda p: p.name)
def test_clean_scripts_have_no_serious_quality_findings_and_score_high(script: Path) -> None:
    card = score_source(script.read_text(encoding="utf-8"), path=script.name)
    serious = [f for f in card.findings_for("quality") if f.severity.rank >= Severity.WARNING.rank]
    assert serious == [], serious
    assert (card.scores["quality"] or 0.0) >= 0.8
    assert card.extra["substance"] == 1.0


def test_examples_are_present() -> None:
    if not example_files():
        pytest.skip("examples/ has not been merged into this branch")
    assert len(example_files()) >= 12


def test_a_copy_pasted_block_is_reported_once_at_the_copy() -> None:
    path = CORPUS.parent / "rules" / "quality" / "duplicate-block" / "bad.luau"
    card = score_source(path.read_text(encoding="utf-8"))
    found = [f for f in card.findings if f.rule == "quality/duplicate-block"]
    assert [(f.line, f.message) for f in found] == [
        (14, "these 6 lines repeat lines 5-10: a copy-pasted block")
    ]
