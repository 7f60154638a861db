"""The exec scorer: runs once, scores how the run ended, stays out of the composite."""

from __future__ import annotations

import pytest

import luaurft.roblox.mock as mock
from luaurft.luau.kind import ScriptKind
from luaurft.luau.source import LuauSource
from luaurft.scoring import run_rules, score_source
from luaurft.scoring.execution import (
    MAIN_ERROR_CEILING,
    absent_modules,
    exec_score,
    shared_fields,
)
from luaurft.scoring.rule import RuleContext

CLEAN = """local Players = game:GetService("Players")

Players.PlayerAdded:Connect(function(player)
	local stats = Instance.new("Folder")
	stats.Name = "leaderstats"
	stats.Parent = player
end)
"""


def test_clean_code_scores_one() -> None:
    result = exec_score(CLEAN, "Script")
    assert result.score == 1.0
    assert result.findings == ()
    assert result.run is not None and result.run.status.value == "ok"


def test_a_nonexistent_property_gets_a_finding_at_its_line() -> None:
    code = 'local part = Instance.new("Part")\npart.Anchored = true\npart.Colour = Color3.new(1, 0, 0)\npart.Parent = workspace\n'
    result = exec_score(code, "Script")
    assert [(f.rule, f.line) for f in result.findings] == [("exec/runtime-error", 3)]
    assert "Colour is not a valid member of Part" in result.findings[0].message
    # The main chunk died: the script did not finish setting up.
    assert result.score <= MAIN_ERROR_CEILING


def test_handler_errors_cost_less_than_a_dead_main_chunk() -> None:
    handler_error = CLEAN.replace(
        "stats.Parent = player", "stats.Parent = player\n\tstats.Coins.Value = 1"
    )
    result = exec_score(handler_error, "Script")
    assert [f.line for f in result.findings] == [7]
    assert MAIN_ERROR_CEILING < result.score < 1.0


def test_runaway_code_scores_zero() -> None:
    timeout = exec_score("while true do end", "Script")
    assert timeout.score == 0.0 and [f.rule for f in timeout.findings] == ["exec/timeout"]
    memory = exec_score(
        "local t = {} while true do table.insert(t, table.create(1000, 0)) end", "Script"
    )
    assert memory.score == 0.0 and [f.rule for f in memory.findings] == ["exec/memory"]


def test_blank_and_broken_code_score_zero_without_running() -> None:
    assert exec_score("", "Script").score == 0.0
    broken = exec_score("local function f(\n", "Script")
    assert broken.score == 0.0 and broken.run is None


def test_module_scripts_must_return_a_value() -> None:
    result = exec_score("local M = {}\nM.x = 1\n", "ModuleScript")
    assert [(f.rule, f.line) for f in result.findings] == [("exec/module-return", 2)]
    assert exec_score("local M = {}\nreturn M\n", "ModuleScript").score == 1.0


def test_never_resumed_waits_are_found() -> None:
    result = exec_score(
        'local cfg = game:GetService("ServerStorage"):WaitForChild("Settings")\nprint(cfg)\n',
        "Script",
    )
    assert [(f.rule, f.line) for f in result.findings] == [("exec/never-resumed", 1)]
    assert result.score == pytest.approx(0.9)


def test_a_callback_another_script_sets_is_not_charged_but_a_missing_own_one_is() -> None:
    # The server's OnServerInvoke, or the OnInvoke of a place's BindableFunction, is
    # set by a script this run cannot see: the wait is left alone, not charged.
    client = (
        'local remote = game:GetService("ReplicatedStorage"):WaitForChild("GetShopItems")\n'
        "local items = remote:InvokeServer()\n"
        "print(items)\n"
    )
    for code, kind in (
        (client, "LocalScript"),
        ('local f = workspace:WaitForChild("Compute")\nprint(f:Invoke(2))\n', "Script"),
    ):
        result = exec_score(code, kind)
        # It ran (a score, not "not run"), and the wait cost nothing.
        assert result.score == 1.0 and result.findings == ()
        assert result.run is not None and result.run.never_resumed == []
    # A BindableFunction the script made itself and never gave a callback hangs.
    own = 'local f = Instance.new("BindableFunction")\nprint(f:Invoke(2))\n'
    result = exec_score(own, "Script")
    assert [(x.rule, x.line) for x in result.findings] == [("exec/never-resumed", 2)]
    assert result.score == pytest.approx(0.9)


def test_a_client_waiting_for_its_leaderstats_finds_them() -> None:
    # leaderstats are a server script's doing on join, not the client's: the wait resumes.
    code = (
        'local player = game:GetService("Players").LocalPlayer\n'
        'local coins = player:WaitForChild("leaderstats"):WaitForChild("Coins")\n'
        'print("coins", coins.Value)\n'
    )
    result = exec_score(code, "LocalScript")
    assert result.findings == ()
    assert result.score == 1.0
    assert result.run is not None and "coins 0" in [o.text for o in result.run.output]


def test_a_studio_model_moved_by_its_primary_part_has_one() -> None:
    code = (
        'local model = game:GetService("ReplicatedStorage").Assets.Crate\n'
        "model:SetPrimaryPartCFrame(CFrame.new(0, 10, 0))\n"
        'print("at", model.PrimaryPart.Position.Y)\n'
    )
    result = exec_score(code, "Script")
    assert result.findings == ()
    assert result.run is not None and "at 10" in [o.text for o in result.run.output]


def test_score_source_adds_exec_beside_the_composite() -> None:
    plain = score_source(CLEAN, kind="Script")
    executed = score_source(CLEAN, kind="Script", exec=True)
    assert "exec" not in plain.scores
    assert executed.scores["exec"] == 1.0
    assert executed.composite == plain.composite
    failing = score_source("local p = Instance.new('Part')\np.Foo = 1\n", kind="Script", exec=True)
    assert any(f.rule == "exec/runtime-error" and f.line == 2 for f in failing.findings)


def test_deterministic_scoring_never_starts_a_vm(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args, **kwargs):
        raise AssertionError("deterministic scoring ran the VM")

    monkeypatch.setattr(mock, "run_script", refuse)
    card = score_source("local p = Instance.new('Part')\np.Foo = 1\n", kind="Script")
    assert all(not f.rule.startswith("exec/") for f in card.findings)
    ctx = RuleContext(source=LuauSource.of("print(1)"), kind=ScriptKind.SCRIPT)
    assert all(not f.rule.startswith("exec/") for f in run_rules(ctx))


def test_one_run_serves_every_exec_rule(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = []
    real = mock.run_script

    def counting(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(mock, "run_script", counting)
    score_source("local p = Instance.new('Part')\np.Foo = 1\n", kind="Script", exec=True)
    assert len(calls) == 1


def test_runs_are_reproducible() -> None:
    code = """
local parts = {}
for i = 1, 5 do
	local part = Instance.new("Part")
	part.Position = Vector3.new(math.random(-50, 50), 10, Random.new():NextNumber(0, 1))
	part.Name = game:GetService("HttpService"):GenerateGUID(false)
	table.insert(parts, part)
end
print(parts[1].Position, parts[5].Name, os.time(), math.random())
if math.random() > 2 then error("never") end
"""
    first = exec_score(code, "Script")
    second = exec_score(code, "Script")
    assert first.run is not None and second.run is not None
    assert [o.text for o in first.run.output] == [o.text for o in second.run.output]
    assert first.score == second.score == 1.0


def test_code_too_large_for_the_sandbox_has_no_exec_score_rather_than_a_low_one() -> None:
    from luaurft.reward import HybridReward, RewardConfig
    from luaurft.scoring.execution import EXEC_LIMITS

    rows = "".join(f"\t{{ id = {n}, name = 'item {n}' }},\n" for n in range(40_000))
    code = "local Items = {\n" + rows + "}\nreturn Items\n"
    assert len(code.encode()) > EXEC_LIMITS.source_bytes
    card = score_source(code, exec=True)
    assert card.scores["exec"] is None
    assert "no exec score" in card.extra["exec_not_run"]
    assert not [f for f in card.findings if f.scorer == "exec"]
    # The reward leaves the component out of the blend and says why.
    reward = HybridReward(config=RewardConfig(weights={"syntax": 0.1, "exec": 0.2}))
    result = reward.score("a catalogue module", code, kind="ModuleScript")
    assert result.parts["exec"] is None and "exec" not in result.weights
    assert any(n.startswith("exec: not run") for n in result.notes)


def test_code_that_needs_an_outside_package_has_no_exec_score(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Without the package the run could only die at the require: not the code's fault.
    ran: list[str] = []
    monkeypatch.setattr(mock, "run_script", lambda code, **kw: ran.append(code))
    code = """local ReplicatedStorage = game:GetService("ReplicatedStorage")
local Packages = ReplicatedStorage:WaitForChild("Packages")
local Knit = require(Packages.Knit)

Knit.Start():andThen(function()
	print("Knit started")
end)
"""
    card = score_source(code, exec=True)
    assert card.scores["exec"] is None and not ran
    assert card.extra["exec_not_run"] == "needs package Knit, not in this project: no exec score"
    assert not [f for f in card.findings if f.scorer == "exec"]


def test_code_run_alone_that_requires_its_own_module_has_no_exec_score(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A manual's client script requires a module another page of the manual
    # writes; run alone the mock world could only build it empty and the require
    # would fail: not the code's fault.
    ran: list[str] = []
    monkeypatch.setattr(mock, "run_script", lambda code, **kw: ran.append(code))
    code = """local ReplicatedStorage = game:GetService("ReplicatedStorage")
local PickupManager = require(ReplicatedStorage:WaitForChild("PickupManager"))
print(PickupManager.getPickupBonus("legendary"))
"""
    card = score_source(code, exec=True)
    assert card.scores["exec"] is None and not ran
    assert card.extra["exec_not_run"] == (
        "needs module PickupManager, which is not in this code: no exec score"
    )
    assert card.extra["exec_not_run_cause"] == "package"
    # A require of something that is no instance path is still run.
    assert absent_modules(LuauSource.of("local M = require(module)\n")) == []


def test_code_that_relies_on_a_global_another_script_sets_has_no_exec_score(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A framework's client reaches the remote its server script put in `_G`: no
    # other script of the place runs beside it, so the field is nil and the
    # script would fail at it, the setting's fault.
    ran: list[str] = []
    monkeypatch.setattr(mock, "run_script", lambda code, **kw: ran.append(code))
    code = """local remote = _G.RemoteEvent
remote.OnClientEvent:Connect(function(message)
    print(message)
end)
"""
    card = score_source(code, kind="LocalScript", exec=True)
    assert card.scores["exec"] is None and not ran
    assert card.extra["exec_not_run"] == (
        "needs _G.RemoteEvent, which another script of its place sets: no exec score"
    )
    assert card.extra["exec_not_run_cause"] == "package"
    # A field the code sets itself, or only tests, or joins into text, is run.
    for runs in (
        "_G.Settings = {Speed = 16}\nprint(_G.Settings.Speed)\n",
        "if _G.Ready then print(1) end\n",
        'print("ready: " .. tostring(_G.Ready))\n',
    ):
        assert shared_fields(LuauSource.of(runs)) == [], runs
    assert shared_fields(LuauSource.of('shared["Config"].Speed = 3\n')) == ["shared.Config"]


def test_a_package_the_project_has_is_run() -> None:
    from luaurft.scoring.execution import missing_packages

    code = "local Promise = require(script.Parent.Packages.Promise)\n"
    assert missing_packages(LuauSource.of(code)) == ["Promise"]
    # Well-known libraries count by name wherever they were inserted.
    profile = (
        'local PS = require(game:GetService("ServerScriptService"):WaitForChild("ProfileService"))'
    )
    assert missing_packages(LuauSource.of(profile)) == ["ProfileService"]
    # A module of the script's own game is not a package.
    assert missing_packages(LuauSource.of("local U = require(script.Parent.Util)")) == []


def test_in_a_project_a_module_required_from_outside_it_is_a_package(tmp_path) -> None:  # type: ignore[no-untyped-def]
    # npm-installed Roblox packages require their dependencies beside themselves
    # (`script.Parent.Parent.LuauPolyfill`); a roblox-ts module takes its runtime
    # from `_G[script]`. Scored as a folder, neither is there: no exec score.
    from luaurft.scoring.report import FileResult, score_paths

    src = tmp_path / "package" / "src"
    src.mkdir(parents=True)
    (src / "Util.lua").write_text("return { twice = function(x) return x * 2 end }\n")
    (src / "init.lua").write_text(
        "local Packages = script.Parent.Parent\n"
        "local LuauPolyfill = require(Packages.LuauPolyfill)\n"
        "local Util = require(script.Util)\n"
        "return { twice = Util.twice, Array = LuauPolyfill.Array }\n"
    )
    (src / "compiled.lua").write_text(
        "local TS = _G[script]\n"
        'local Util = TS.import(script, script.Parent, "Util")\n'
        "return Util\n"
    )
    (src / "own.lua").write_text("local Util = require(script.Parent.Util)\nreturn Util\n")
    cards = {
        o.path.rsplit("/", 1)[-1]: o.card
        for o in score_paths([str(tmp_path)], exec=True)
        if isinstance(o, FileResult)
    }
    assert cards["init.lua"].scores["exec"] is None
    assert "needs package LuauPolyfill" in cards["init.lua"].extra["exec_not_run"]
    assert cards["compiled.lua"].scores["exec"] is None
    assert "needs package RuntimeLib" in cards["compiled.lua"].extra["exec_not_run"]
    # A module of the project itself still runs.
    assert cards["own.lua"].scores["exec"] == 1.0


def test_in_a_project_a_service_rooted_module_it_lacks_is_from_outside(tmp_path) -> None:  # type: ignore[no-untyped-def]
    # A manual's samples scored as a folder: one requires a module by a service
    # path that no file of the folder provides; another, one that a file does.
    from luaurft.scoring.report import FileResult, score_paths

    (tmp_path / "PickupManager.luau").write_text(
        "return { bonus = function(rarity) return #rarity end }\n"
    )
    (tmp_path / "uses_present.server.luau").write_text(
        'local ReplicatedStorage = game:GetService("ReplicatedStorage")\n'
        'local PickupManager = require(ReplicatedStorage:WaitForChild("PickupManager"))\n'
        'print(PickupManager.bonus("rare"))\n'
    )
    (tmp_path / "uses_absent.server.luau").write_text(
        'local ReplicatedStorage = game:GetService("ReplicatedStorage")\n'
        'local Switch = require(ReplicatedStorage:WaitForChild("Switch"))\n'
        "Switch.flip()\n"
    )
    cards = {
        o.path.rsplit("/", 1)[-1]: o.card
        for o in score_paths([str(tmp_path)], exec=True)
        if isinstance(o, FileResult)
    }
    assert cards["uses_absent.server.luau"].scores["exec"] is None
    assert "needs package Switch" in cards["uses_absent.server.luau"].extra["exec_not_run"]
    assert "exec_not_run" not in cards["uses_present.server.luau"].extra


def test_a_module_of_client_code_is_required_by_a_client() -> None:
    # It reads LocalPlayer at load: required from the server it would die there,
    # a fault of the setting, not of the code.
    code = """local Players = game:GetService("Players")
local UserInputService = game:GetService("UserInputService")
local gui = Players.LocalPlayer:WaitForChild("PlayerGui")

local Hud = {}
function Hud.show(text)
	local label = Instance.new("TextLabel")
	label.Text = text
	label.Parent = gui
	return label
end
UserInputService.InputBegan:Connect(function() end)
return Hud
"""
    result = exec_score(code)
    assert result.run is not None and result.run.kind is ScriptKind.MODULE_SCRIPT
    assert result.score == 1.0, [f.message for f in result.findings]
    # A server module is still required from the server.
    server = 'local DataStoreService = game:GetService("DataStoreService")\nreturn {}\n'
    assert exec_score(server).score == 1.0


def test_require_by_path_resolves_from_the_requiring_script(tmp_path) -> None:  # type: ignore[no-untyped-def]
    # Modern Luau: "@self/" is the script's children, "./" its siblings, "../" its
    # parent's; an alias other than @self names installed packages (none here).
    from luaurft.scoring.report import FileResult, score_paths

    pkg = tmp_path / "pkg"
    (pkg / "Shared").mkdir(parents=True)
    (pkg / "Util.luau").write_text("return { twice = function(x) return x * 2 end }\n")
    (pkg / "Shared" / "Types.luau").write_text("return { version = 1 }\n")
    (pkg / "init.luau").write_text(
        'local Util = require("@self/Util")\nlocal Types = require("@self/Shared/Types")\n'
        "return { twice = Util.twice, version = Types.version }\n"
    )
    (pkg / "Shared" / "Uses.luau").write_text(
        'local Types = require("./Types")\nlocal Util = require("../Util")\n'
        "return Util.twice(Types.version)\n"
    )
    (pkg / "Missing.luau").write_text('local Gone = require("./Gone")\nreturn Gone\n')
    (pkg / "Aliased.luau").write_text('local Knit = require("@Packages/Knit")\nreturn Knit\n')
    cards = {
        o.path.rsplit("/", 1)[-1]: o.card
        for o in score_paths([str(tmp_path)], exec=True)
        if isinstance(o, FileResult)
    }
    assert cards["init.luau"].scores["exec"] == 1.0
    assert cards["Uses.luau"].scores["exec"] == 1.0
    assert cards["Missing.luau"].scores["exec"] == MAIN_ERROR_CEILING
    assert any("'./Gone' could not be found" in f.message for f in cards["Missing.luau"].findings)
    assert cards["Aliased.luau"].scores["exec"] is None
    assert "needs package Knit" in cards["Aliased.luau"].extra["exec_not_run"]


def test_a_project_module_that_needs_a_package_makes_its_requirer_need_it(tmp_path) -> None:  # type: ignore[no-untyped-def]
    # Main requires Helper, which requires a package the project lacks: Main could
    # only die at Helper's require, no fault of Main's code.
    from luaurft.scoring.report import FileResult, score_paths

    src = tmp_path / "src"
    src.mkdir()
    (src / "Helper.luau").write_text(
        "local Polyfill = require(script.Parent.Parent.LuauPolyfill)\nreturn Polyfill\n"
    )
    (src / "Main.server.luau").write_text(
        "local Helper = require(script.Parent.Helper)\nprint(Helper)\n"
    )
    (src / "Alone.server.luau").write_text("print('no requires')\n")
    cards = {
        o.path.rsplit("/", 1)[-1]: o.card
        for o in score_paths([str(tmp_path)], exec=True)
        if isinstance(o, FileResult)
    }
    assert cards["Main.server.luau"].scores["exec"] is None
    assert "needs package LuauPolyfill" in cards["Main.server.luau"].extra["exec_not_run"]
    assert cards["Alone.server.luau"].scores["exec"] == 1.0


def test_code_run_alone_that_requires_a_module_by_path_has_no_exec_score(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A Rojo project's entry script requires its own modules by string path; run
    # alone there is nothing beside or below it, so the require could only fail.
    ran: list[str] = []
    monkeypatch.setattr(mock, "run_script", lambda code, **kw: ran.append(code))
    code = """local TestStage = require("@self/TestStage/TestStage")
local Util = require("./Util")
TestStage.buildIfMissing(Util)
"""
    card = score_source(code, exec=True)
    assert card.scores["exec"] is None and not ran
    assert card.extra["exec_not_run"] == (
        "needs module TestStage, which is not in this code: no exec score"
    )
    assert absent_modules(LuauSource.of('local T = require("../Shared/Types")\n')) == ["Types"]
    # A string argument needs no parentheses (a library's own style).
    assert absent_modules(LuauSource.of('local flags = require "./flags"\n')) == ["flags"]
    # One only run outside Roblox (a library's test double) is not needed here.
    outside = 'local Enum = game and Enum or require "../test/mock".Enum\nprint(Enum.KeyCode.E)\n'
    assert absent_modules(LuauSource.of(outside)) == []
    # A module of the game by its instance path is a module too, not a package.
    game_path = 'local C = require("@game/ReplicatedStorage/Shared/Constants")\nprint(C.Speed)\n'
    assert score_source(game_path, exec=True).extra["exec_not_run"] == (
        "needs module Constants, which is not in this code: no exec score"
    )
    pesde = 'local J = require("@game/ReplicatedStorage/roblox_packages/planck-jabby")\nprint(J)\n'
    assert score_source(pesde, exec=True).extra["exec_not_run"] == (
        "needs package planck-jabby, not in this project: no exec score"
    )
    # A plain string that is no path is not read as one.
    assert absent_modules(LuauSource.of('local s = "./Util"\nprint(s)\n')) == []


def test_a_require_path_through_a_cast_script_is_resolved_as_the_plain_path() -> None:
    from luaurft.roblox.scaffold import missing_packages

    # `(script :: any).Parent` is `script.Parent`: a sibling the project lacks is
    # outside it, though a module of the same last name exists elsewhere.
    at = ("ReplicatedStorage", "packages", "react-roblox", "init")
    paths = frozenset({at, ("ReplicatedStorage", "packages", "other", "ReactRoblox")})
    code = 'return require((script :: any).Parent:WaitForChild("ReactLua").ReactRoblox)\n'
    assert missing_packages(code, frozenset({"init", "ReactRoblox"}), at=at, paths=paths) == [
        "ReactRoblox"
    ]
    inside = code.replace(
        '(script :: any).Parent:WaitForChild("ReactLua")', "(script :: any).Parent.Parent.other"
    )
    assert missing_packages(inside, frozenset({"init", "ReactRoblox"}), at=at, paths=paths) == []
