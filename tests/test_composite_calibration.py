"""Short, complete, correct scripts score well; trivial ones stay low (the substance gate's two sides)."""

from __future__ import annotations

import pytest

from luaurft.scoring import score_source

KILL_BRICK = """local part = script.Parent

part.Touched:Connect(function(hit)
	local humanoid = hit.Parent:FindFirstChildOfClass("Humanoid")
	if humanoid then
		humanoid.Health = 0
	end
end)
"""

LAVA_PART = """local part = Instance.new("Part")
part.Name = "Lava"
part.BrickColor = BrickColor.new("Really red")
part.Anchored = true
part.Parent = workspace
"""

SERVICES_ONLY = """local Players = game:GetService("Players")
local ReplicatedStorage = game:GetService("ReplicatedStorage")
local ServerStorage = game:GetService("ServerStorage")
local DataStoreService = game:GetService("DataStoreService")
"""


@pytest.mark.parametrize("code", [KILL_BRICK, LAVA_PART], ids=["kill-brick", "lava-part"])
def test_short_complete_scripts_are_not_punished_for_being_concise(code: str) -> None:
    card = score_source(code)
    assert card.composite >= 0.9, card


@pytest.mark.parametrize(
    "code",
    ["", "return {}", 'print("hi")', SERVICES_ONLY],
    ids=["empty", "table", "print", "setup"],
)
def test_trivial_scripts_stay_low(code: str) -> None:
    assert score_source(code).composite <= 0.3


# A data ModuleScript (config, catalogue, command definition) is real Roblox
# code even though it runs nothing; it returns its table as one multi-line value.
WEAPON_CATALOGUE = """local Weapons = {
	Sword = { Damage = 25, Cooldown = 0.8, Price = 0 },
	Axe = { Damage = 40, Cooldown = 1.4, Price = 250 },
	Bow = { Damage = 18, Cooldown = 1.1, Price = 400, Range = 120 },
}

return Weapons
"""

COMMAND_DEFINITION = """return {
	Name = "kick",
	Aliases = { "boot" },
	Description = "Removes a player from the server.",
	Group = "Admin",
	Args = {
		{ Type = "player", Name = "target", Description = "Who to remove." },
	},
}
"""


@pytest.mark.parametrize(
    "code", [WEAPON_CATALOGUE, COMMAND_DEFINITION], ids=["catalogue", "command-definition"]
)
def test_data_modules_are_scored_as_modules_with_substance(code: str) -> None:
    # Substance is full at 8 constants (shape.DATA_UNIT); the definition has 7.
    card = score_source(code)
    assert card.kind == "ModuleScript"
    assert card.composite >= 0.8, card
    assert not [f for f in card.findings if f.severity.rank >= 2], card.findings


def test_data_only_counts_in_modules() -> None:
    # The same table in a Script is never used: it stays thin, and says so.
    script = WEAPON_CATALOGUE.replace("return Weapons\n", 'print("weapons loaded")\n')
    card = score_source(script)
    assert card.kind == "Script"
    assert card.composite <= 0.3, card
    assert [f for f in card.findings if f.rule == "quality/thin-code"]


@pytest.mark.parametrize(
    "code", ["return {}", "return { 1 }", 'return { Name = "x" }'], ids=["empty", "one", "named"]
)
def test_tiny_data_modules_stay_low(code: str) -> None:
    assert score_source(code).composite <= 0.4
