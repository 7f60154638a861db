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
