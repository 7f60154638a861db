"""World helpers for checks: client event targets, tools, the marketplace."""

from __future__ import annotations

from luaurft.roblox.checks import run_checks


def _passes(solution: str, checks: str, kind: str = "Script", **options: object) -> None:
    report = run_checks(solution, checks, kind, **options)  # type: ignore[arg-type]
    failures = [(r.name, r.message) for r in report.results if not r.passed]
    assert report.passed, (failures, report.problems, report.run.to_dict()["errors"])


REMOTES = """
local rs = game:GetService("ReplicatedStorage")
local whisper = Instance.new("RemoteEvent")
whisper.Name = "Whisper"
whisper.Parent = rs
local shout = Instance.new("RemoteEvent")
shout.Name = "Shout"
shout.Parent = rs
game:GetService("Players").PlayerAdded:Connect(function(player)
	if player.Name == "Bo" then
		whisper:FireClient(player, "hi", { n = 1 })
		shout:FireAllClients("all here")
	end
end)
"""


def test_client_events_record_the_target_of_each_fire() -> None:
    checks = """
check("FireClient goes to one player, FireAllClients to each", function()
	local rs = game:GetService("ReplicatedStorage")
	local ann = world.join("Ann")
	world.advance(0.1)
	local bo = world.join("Bo")
	world.advance(0.1)
	local whispers = world.clientEvents(rs.Whisper)
	expectEqual(#whispers, 1, "whispers")
	expect(whispers[1].player == bo and not whispers[1].all, "the whisper went to Bo only")
	expectEqual(whispers[1].args.n, 2, "argument count")
	expectEqual(whispers[1].args[1], "hi", "first argument")
	expectEqual(whispers[1].args[2].n, 1, "tables arrive copied")
	local shouts = world.clientEvents(rs.Shout)
	expectEqual(#shouts, 2, "one entry per player")
	local seen = {}
	for _, entry in shouts do
		expect(entry.all, "FireAllClients entries are marked")
		seen[entry.player] = true
	end
	expect(seen[ann] and seen[bo], "both players got the shout")
end)
"""
    _passes(REMOTES, checks)


def test_a_solution_that_fires_everyone_fails_a_targeted_check() -> None:
    broadcast = REMOTES.replace(
        'whisper:FireClient(player, "hi", { n = 1 })', 'whisper:FireAllClients("hi")'
    )
    checks = """
check("only Bo hears the whisper", function()
	world.join("Ann")
	local bo = world.join("Bo")
	world.advance(0.2)
	for _, entry in world.clientEvents(game:GetService("ReplicatedStorage").Whisper) do
		expect(entry.player == bo, "the whisper reached " .. entry.player.Name)
	end
end)
"""
    assert not run_checks(broadcast, checks, "Script").passed


TOOL_SCRIPT = """
local tool = script.Parent
local log = {}
workspace:SetAttribute("ToolLog", "")
local function note(what)
	table.insert(log, what)
	workspace:SetAttribute("ToolLog", table.concat(log, ","))
end
tool.Equipped:Connect(function(mouse)
	note("equipped:" .. tool.Parent.Name .. ":" .. tostring(mouse))
end)
tool.Unequipped:Connect(function() note("unequipped") end)
tool.Activated:Connect(function() note("activated") end)
tool.Deactivated:Connect(function() note("deactivated") end)
"""

TOOL_SETUP = """
local tool = Instance.new("Tool")
tool.Name = "Sword"
local handle = Instance.new("Part")
handle.Name = "Handle"
handle.Parent = tool
tool.Parent = game:GetService("ServerStorage")
local other = Instance.new("Tool")
other.Name = "Torch"
other.Parent = game:GetService("ServerStorage")
"""


def test_equip_parents_the_tool_and_fires_its_events_like_roblox() -> None:
    checks = """
check("equip, activate, swap, unequip", function()
	local player = world.join("Ann")
	world.advance(0.5)
	local ss = game:GetService("ServerStorage")
	local sword = ss.Sword
	sword.Parent = player.Backpack
	ss.Torch.Parent = player.Backpack
	expect(world.activate(sword) == false, "a tool in the Backpack cannot be activated")
	world.equip(player, sword)
	world.advance(0.1)
	expect(sword.Parent == player.Character, "the tool is in the character")
	expect(world.activate(sword), "a held tool activates")
	world.advance(0.1)
	world.equip(player, player.Backpack.Torch)
	world.advance(0.1)
	expect(sword.Parent == player.Backpack, "the sword went back to the Backpack")
	expect(player.Character:FindFirstChild("Torch"), "the torch is held")
	world.equip(player, sword)
	sword.Enabled = false
	expect(world.activate(sword) == false, "a disabled tool does not activate")
	world.unequip(player)
	world.advance(0.1)
	expectEqual(workspace:GetAttribute("ToolLog"),
		"equipped:Ann:nil,activated,deactivated,unequipped,equipped:Ann:nil,unequipped", "events")
end)
check("moving a tool into a character by hand equips it too", function()
	local player = game:GetService("Players").Ann
	local sword = player.Backpack.Sword
	workspace:SetAttribute("ToolLog", "")
	sword.Parent = player.Character
	world.advance(0.1)
	sword.Parent = workspace
	world.advance(0.1)
	local text = workspace:GetAttribute("ToolLog")
	expect(string.find(text, "equipped:Ann:nil", 1, true) and string.find(text, "unequipped", 1, true), text)
end)
"""
    _passes(
        TOOL_SCRIPT,
        checks,
        setup=TOOL_SETUP,
        script_path="ServerStorage.Sword.SwordScript",
    )


def test_a_client_tool_gets_the_local_players_mouse_on_equip() -> None:
    script = """
local tool = script.Parent
tool.Equipped:Connect(function(mouse)
	mouse.Icon = "rbxassetid://1"
	tool:SetAttribute("GotMouse", true)
end)
"""
    checks = """
check("Equipped passes the mouse on the client", function()
	local player = game:GetService("Players").Player1
	world.equip(player, player.Backpack.Wand)
	world.advance(0.1)
	expect(player.Character.Wand:GetAttribute("GotMouse") == true, "no mouse")
end)
"""
    setup = """
local wand = Instance.new("Tool")
wand.Name = "Wand"
wand.RequiresHandle = false
wand.Parent = game:GetService("Players").Player1.Backpack
"""
    _passes(
        script,
        checks,
        "LocalScript",
        setup=setup,
        script_path="Players.Player1.Backpack.Wand.Client",
    )
