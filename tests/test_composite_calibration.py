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


# A countdown prints what its loop computes; the waits only pace it.
COUNTDOWN = """for i = 10, 1, -1 do
	print(i)
	task.wait(1)
end
"""

# Waits alone pass time and change nothing.
ONLY_WAITS = """task.wait(2)
for _ = 1, 5 do
	task.wait(1)
end
print("done")
"""


@pytest.mark.parametrize(
    "code", [KILL_BRICK, LAVA_PART, COUNTDOWN], ids=["kill-brick", "lava-part", "countdown"]
)
def test_short_complete_scripts_are_not_punished_for_being_concise(code: str) -> None:
    card = score_source(code)
    assert card.composite >= 0.9, card


@pytest.mark.parametrize(
    "code",
    ["", "return {}", 'print("hi")', SERVICES_ONLY, ONLY_WAITS, "task.wait()"],
    ids=["empty", "table", "print", "setup", "only-waits", "one-wait"],
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
    # Substance is full at 8 constants (substance.DATA_UNIT); the definition has 7.
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


# Substance asks "is there code here at all?", not "how much": each of these is
# short, correct and complete, so none of them may be held down for its size.
VECTOR_EXAMPLE = """local a = Vector3.new(1, 2, 3)
local b = Vector3.new(4, 5, 6)
print(a + b)
print((a - b).Magnitude)
"""

IF_EXAMPLE = """local Players = game:GetService("Players")
if #Players:GetPlayers() > 10 then
	print("The server is busy")
end
"""

HELPERS_NOT_CALLED = """local function lerp(a: number, b: number, t: number): number
	return a + (b - a) * t
end

local function clamp01(x: number): number
	return math.clamp(x, 0, 1)
end
"""

TYPES_MODULE = """export type Item = {
	id: string,
	price: number,
}

export type Inventory = { [string]: Item }

return nil
"""

ONE_STATEMENT = "workspace.Gravity = 50\n"


@pytest.mark.parametrize(
    "code",
    [VECTOR_EXAMPLE, IF_EXAMPLE, HELPERS_NOT_CALLED, TYPES_MODULE, ONE_STATEMENT],
    ids=["vector-example", "if-example", "helpers-not-called", "types-module", "one-statement"],
)
def test_short_helper_and_types_code_is_not_trivial(code: str) -> None:
    card = score_source(code)
    assert card.extra["substance"] == 1.0, card
    assert not [f for f in card.findings if f.rule == "quality/thin-code"]
    assert card.composite >= 0.85, card


def test_unused_helpers_never_add_to_live_code() -> None:
    # A file of helpers counts as much as its helpers; next to live code they add nothing.
    card = score_source('print("hi")\n' + HELPERS_NOT_CALLED)
    assert card.extra["substance"] == 1.0
    stubbed = HELPERS_NOT_CALLED + "local function later()\n\t-- TODO\nend\n"
    assert score_source(stubbed).composite <= 0.75
