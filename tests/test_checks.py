"""Checks API: a solution passes only by building the asserted world; forgeries fail."""

from __future__ import annotations

import pytest

from luaurft.luau.sandbox import Limits, RunStatus
from luaurft.roblox.checks import CheckScriptError, SetupError, _Channel, run_checks

CHECKS = """
check("each player gets a leaderstats Folder", function()
	local player = world.join("Alice")
	world.advance(1)
	local stats = player:FindFirstChild("leaderstats")
	expect(stats and stats:IsA("Folder"), "no leaderstats Folder")
end)
check("with an IntValue Coins starting at 0", function()
	local player = world.join("Bob")
	world.advance(1)
	local stats = player:FindFirstChild("leaderstats")
	local coins = stats and stats:FindFirstChild("Coins")
	expect(coins and coins:IsA("IntValue"), "no Coins IntValue")
	expectEqual(coins.Value, 0, "starting Coins")
end)
"""

SOLUTION = """
local Players = game:GetService("Players")
Players.PlayerAdded:Connect(function(player)
	local stats = Instance.new("Folder")
	stats.Name = "leaderstats"
	local coins = Instance.new("IntValue")
	coins.Name = "Coins"
	coins.Parent = stats
	stats.Parent = player
end)
"""

FORGERIES = {
    "does nothing": "",
    "prints a fake PASS": 'print("PASS") print("2/2 checks passed") warn("PASS")',
    "overrides assert, error and pcall": (
        "assert = function() return true end\nerror = function() end\n"
        "pcall = function() return true end\nexpect = function() end\ncheck = function() end\n"
        "_G.expect = function() end\nshared.expect = function() end"
    ),
    "returns early": "do return end\n" + SOLUTION,
    "crashes part-way": "error('boom')\n" + SOLUTION,
    "tampers with globals": (
        "pcall(function() Instance.new = function() end end)\n"
        "pcall(function() rawset(task, 'wait', function() end) end)\n"
        "pcall(function() getmetatable(game).__index = function() return true end end)\n"
        "pcall(function() string.format = function() return '' end end)\n"
        "pcall(function() setmetatable(Enum, {}) end)\n"
        "game = nil workspace = nil"
    ),
    "grabs functions off the stack": (
        "game.Players.PlayerAdded:Connect(function()\n"
        "\tfor level = 1, 10 do pcall(function() local f = debug.info(level, 'f') if f then f(true) end end) end\n"
        "end)"
    ),
    "yields the checker's thread": "game.Players.PlayerAdded:Connect(function() coroutine.yield() end)",
    "spins until time runs out": "game.Players.PlayerAdded:Connect(function() while true do end end)",
}


def test_a_correct_solution_passes_every_check() -> None:
    report = run_checks(SOLUTION, CHECKS, "Script")
    assert report.passed, report.to_dict()
    assert report.expected == 2 and report.passed_count == 2
    assert [r.name for r in report.results] == [
        "each player gets a leaderstats Folder",
        "with an IntValue Coins starting at 0",
    ]


@pytest.mark.parametrize("name", list(FORGERIES))
def test_forgeries_fail(name: str) -> None:
    report = run_checks(FORGERIES[name], CHECKS, "Script", limits=Limits(cpu_seconds=0.5))
    assert not report.passed
    assert report.passed_count == 0
    assert len(report.results) == 2


def test_a_partial_solution_fails_the_check_it_misses_with_its_message() -> None:
    partial = SOLUTION.replace("coins.Parent = stats", "")
    report = run_checks(partial, CHECKS, "Script")
    assert not report.passed
    assert [r.passed for r in report.results] == [True, False]
    assert report.results[1].message == "no Coins IntValue"
    assert report.results[1].line == 13


def test_a_timeout_leaves_checks_unreported_and_failed() -> None:
    report = run_checks("while true do end", CHECKS, "Script", limits=Limits(cpu_seconds=0.5))
    assert report.run.status is RunStatus.TIMEOUT
    assert all(not r.passed and r.message.startswith("not reported") for r in report.results)


def test_the_number_of_checks_is_fixed_before_the_solution_runs() -> None:
    report = run_checks(SOLUTION, CHECKS, "Script", expected=3)
    assert not report.passed
    assert "declared 2 checks" in report.problems[0]


def test_broken_check_scripts_are_usage_errors() -> None:
    with pytest.raises(CheckScriptError, match="does not compile"):
        run_checks(SOLUTION, "check('x', function() end", "Script")
    with pytest.raises(CheckScriptError, match="declares no checks"):
        run_checks(SOLUTION, "return", "Script")
    with pytest.raises(CheckScriptError, match="declaring checks"):
        run_checks(SOLUTION, "error('bad check script')", "Script")


def test_the_channel_rejects_wrong_nonces_and_double_reports() -> None:
    channel = _Channel("secret")
    channel(None, ["secret", "declare", 1, "a"])
    channel(None, ["secret", "expect", 1])
    channel(None, ["secret", 1, True, "", ""])
    channel(None, ["guess", 1, True, "", ""])
    channel(None, ["secret", 1, True, "", ""])
    assert channel.results == {1: (True, "", "")}
    assert channel.problems == [
        "a report arrived without the run's nonce",
        "check 1 was reported twice",
    ]


def test_checks_can_drive_the_world_and_read_datastores() -> None:
    solution = """
local store = game:GetService("DataStoreService"):GetDataStore("Coins")
game.Players.PlayerRemoving:Connect(function(player)
	store:SetAsync(tostring(player.UserId), 42)
end)
local prompt = Instance.new("ProximityPrompt")
prompt.Parent = workspace
prompt.Triggered:Connect(function(player) print("triggered by " .. player.Name) end)
    """
    checks = """
check("saves on leave", function()
	local player = world.join("Carol", 77)
	world.advance(0.5)
	world.leave(player)
	world.advance(0.5)
	expectEqual(world.dataStore.get("Coins", "77"), 42, "saved coins")
end)
check("prompt reacts", function()
	local player = world.join("Dan")
	world.trigger(workspace.ProximityPrompt, player)
	world.advance(0.1)
	local found = false
	for _, line in world.output() do
		if line.text == "triggered by Dan" then found = true end
	end
	expect(found, "no reaction to the prompt")
end)
    """
    report = run_checks(solution, checks, "Script")
    assert report.passed, report.to_dict()


def test_resuming_the_checkers_thread_by_hand_forges_nothing() -> None:
    # The check calls into the solution (a BindableFunction), which keeps the
    # check's thread and later resumes it by hand with a fake leaderstats.
    solution = """
local api = Instance.new("BindableFunction")
api.Name = "Api"
api.Parent = workspace
local captured
api.OnInvoke = function() captured = coroutine.running() return true end
task.spawn(function()
	while true do
		task.wait(0.05)
		if captured then
			local fake = Instance.new("Folder")
			fake.Name = "leaderstats"
			pcall(coroutine.resume, captured, fake)
		end
	end
end)
"""
    checks = """
check("each player gets a leaderstats Folder", function()
	local player = world.join("Eve")
	workspace.Api:Invoke()
	local stats = player:WaitForChild("leaderstats", 2)
	expect(stats and stats:IsA("Folder"), "no leaderstats Folder")
end)
"""
    report = run_checks(solution, checks, "Script")
    assert not report.passed
    assert report.results[0].message == "no leaderstats Folder"


PLACED_CHECKS = """
check("the script sits where the task put it", function()
	local door = workspace:FindFirstChild("Door")
	expect(door and door:FindFirstChild("DoorScript"), "no DoorScript in the Door")
	expect(door:GetAttribute("Ready") == true, "the script did not mark its door")
	expectEqual(door:GetAttribute("Opened"), 1, "the stimulus run after the start")
end)
"""

PLACED_SOLUTION = """
local door = script.Parent
door:SetAttribute("Ready", true)
door:GetAttributeChangedSignal("Poke"):Connect(function()
	door:SetAttribute("Opened", (door:GetAttribute("Opened") or 0) + 1)
end)
"""

DOOR_SETUP = """
local door = Instance.new("Part")
door.Name = "Door"
door.Parent = workspace
"""


def test_script_path_puts_the_solution_where_the_task_says() -> None:
    report = run_checks(
        PLACED_SOLUTION,
        PLACED_CHECKS,
        "Script",
        setup=DOOR_SETUP,
        script_path="Workspace.Door.DoorScript",
        after_start='workspace.Door:SetAttribute("Poke", true)',
    )
    assert report.passed, report.to_dict()
    # Without `after_start` the stimulus never ran: the check sees the difference.
    report = run_checks(
        PLACED_SOLUTION,
        PLACED_CHECKS,
        "Script",
        setup=DOOR_SETUP,
        script_path="Workspace.Door.DoorScript",
    )
    assert not report.passed
    assert "stimulus" in report.results[0].message


def test_a_fixed_place_builds_nothing_from_the_solutions_own_code() -> None:
    # The solution waits for a RemoteEvent; inferred placement would build it, a
    # task that fixes the place does not (the solution must find the task's world).
    solution = """
local remote = game:GetService("ReplicatedStorage"):WaitForChild("Ping")
remote.OnServerEvent:Connect(function() end)
workspace:SetAttribute("Started", true)
"""
    checks = """
check("the solution got past its WaitForChild", function()
	expect(workspace:GetAttribute("Started") == true, "still waiting")
end)
"""
    assert run_checks(solution, checks, "Script").passed
    fixed = run_checks(solution, checks, "Script", script_path="ServerScriptService.Solution")
    assert not fixed.passed
    scaffolded = run_checks(
        solution, checks, "Script", script_path="ServerScriptService.Solution", scaffold=True
    )
    assert scaffolded.passed


def test_a_solution_that_does_not_compile_is_a_failed_report() -> None:
    report = run_checks("local x = = 1", CHECKS, "Script")
    assert not report.passed
    assert report.compile_error is not None and report.compile_error.line == 1
    assert all("does not compile" in r.message for r in report.results)


def test_a_broken_setup_is_the_tasks_fault() -> None:
    with pytest.raises(SetupError, match="setup failed: no such part"):
        run_checks(SOLUTION, CHECKS, "Script", setup="error('no such part')")
    with pytest.raises(SetupError, match="does not compile"):
        run_checks(SOLUTION, CHECKS, "Script", setup="local = 1")
    assert issubclass(SetupError, CheckScriptError)
