"""The bug-risk scorer: clean code scores high, risky code lower, trivial code low; no false alarms
on clean modern scripts."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import example_files
from luaurft.luau import LuauSource, detect_kind
from luaurft.scoring import run_rules, score_source
from luaurft.scoring.registry import rules_for
from luaurft.scoring.rule import RuleContext, Severity
from luaurft.scoring.scorer import available_scorers

CLEAN = Path(__file__).parent / "fixtures" / "bug_clean"
CLEAN_FILES = sorted(CLEAN.glob("*.luau"))

RISKY = """
local DataStoreService = game:GetService("DataStoreService")
local Players = game:GetService("Players")
local store = DataStoreService:GetDataStore("Coins")

Players.PlayerAdded:Connect(function(player)
	local coins = store:GetAsync(player.UserId)
	local stats = player:FindFirstChild("leaderstats")
	stats.Coins.Value = coins
	while true do
		stats.Coins.Value += 1
	end
end)
"""

CLEAN_SCRIPT = """
local DataStoreService = game:GetService("DataStoreService")
local Players = game:GetService("Players")
local store = DataStoreService:GetDataStore("Coins")

Players.PlayerAdded:Connect(function(player)
	local ok, coins = pcall(store.GetAsync, store, player.UserId)
	local stats = player:WaitForChild("leaderstats")
	local wallet = stats:FindFirstChild("Coins")
	if not wallet then
		return
	end
	if ok then
		wallet.Value = coins or 0
	end
	while player.Parent do
		wallet.Value += 1
		task.wait(60)
	end
end)
"""


def _bug_findings(code: str, path: str | None = None):
    source = LuauSource(code, path=path)
    ctx = RuleContext(source=source, kind=detect_kind(code, path=path))
    return run_rules(ctx, scorers=["bug"])


def test_the_bug_scorer_is_registered_with_its_rules() -> None:
    assert "bug" in available_scorers()
    ids = {r.id for r in rules_for("bug")}
    assert len(ids) >= 12
    assert "bug/unprotected-web-call" in ids and "bug/loop-without-yield" in ids


def test_clean_code_scores_full_and_risky_code_less() -> None:
    clean = score_source(CLEAN_SCRIPT)
    risky = score_source(RISKY)
    assert clean.scores["bug"] == 1.0, clean.findings_for("bug")
    assert risky.scores["bug"] is not None and risky.scores["bug"] < 0.6
    rules = {f.rule for f in risky.findings_for("bug")}
    assert {
        "bug/unprotected-web-call",
        "bug/unchecked-find",
        "bug/loop-without-yield",
    } <= rules


@pytest.mark.parametrize(
    "code",
    [
        "return {}",
        "local M = {}\nreturn M\n",
        "local M = {}\n-- TODO: implement\nfunction M.start() end\nfunction M.stop()\n\t-- TODO\nend\nreturn M\n",
        "if false then\n\tprint(1)\n\tprint(2)\n\tprint(3)\n\tprint(4)\n\tprint(5)\n\tprint(6)\nend\n",
    ],
    ids=["return-table", "empty-module", "stub-module", "dead-code"],
)
def test_trivial_and_stub_code_is_held_down_by_the_composite_not_the_bug_score(code: str) -> None:
    """The bug score measures risk only; the composite's substance gate holds trivial code
    down once, so the bug scorer need not (and must not) gate it a second time."""
    card = score_source(code)
    assert card.scores["bug"] is not None and card.scores["bug"] > 0.5
    assert card.composite <= 0.3


def test_blank_code_scores_zero() -> None:
    assert score_source("").scores["bug"] == 0.0
    assert score_source("  \n\t\n").scores["bug"] == 0.0


def test_the_score_is_deterministic() -> None:
    assert score_source(RISKY).scores == score_source(RISKY).scores


def test_repeating_one_mistake_costs_less_than_different_mistakes() -> None:
    work = "local total = 0\nfor i = 1, 10 do\n\ttotal += i\nend\nprint(total)\n"
    one_kind = work + "print(value0)\nprint(value1)\nprint(value2)\nprint(value3)\n"
    two_kinds = (
        work + "print(value0)\nprint(value1)\nlocal a, b = 1\nlocal c, d = 2\nprint(a, b, c, d)\n"
    )
    same = score_source(one_kind).scores["bug"]
    mixed = score_source(two_kinds).scores["bug"]
    assert same is not None and mixed is not None and mixed < same


def test_wrapping_statements_in_pcall_does_not_hide_nil_indexing() -> None:
    code = (
        "local function heal(character)\n"
        '\tlocal humanoid = character:FindFirstChild("Humanoid")\n'
        "\tpcall(function()\n\t\thumanoid.Health = 100\n\tend)\n"
        "end\nreturn heal\n"
    )
    assert any(f.rule == "bug/unchecked-find" for f in _bug_findings(code))


@pytest.mark.parametrize("path", example_files(), ids=lambda p: p.name)
def test_examples_raise_no_bug_warning(path: Path) -> None:
    code = path.read_text(encoding="utf-8")
    serious = [
        f for f in _bug_findings(code, str(path)) if f.severity.rank >= Severity.WARNING.rank
    ]
    assert serious == [], serious


@pytest.mark.parametrize("path", CLEAN_FILES, ids=lambda p: p.name)
def test_clean_scripts_raise_no_bug_finding(path: Path) -> None:
    code = path.read_text(encoding="utf-8")
    assert LuauSource(code).compiles
    assert _bug_findings(code, str(path)) == []
