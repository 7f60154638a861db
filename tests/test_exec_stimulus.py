"""Exec runs find the Studio-built instances a script indexes directly, and fire
remotes with what a client would send (hostile arguments only when asked)."""

from __future__ import annotations

from conftest import planned
from luaurft.luau.kind import ScriptKind
from luaurft.roblox.mock import run_script
from luaurft.roblox.scaffold import infer_placement, remote_handler_args
from luaurft.scoring.execution import exec_score

SHOP = """
local ReplicatedStorage = game:GetService("ReplicatedStorage")
local PRICES = { Sword = 50, Shield = 30 }
local buy = ReplicatedStorage.Remotes.BuyItem
buy.OnServerEvent:Connect(function(player, itemName: string, amount: number)
	local total = PRICES[itemName] * amount
	print(player.Name .. " pays " .. total)
end)
local lava = workspace.Map.Lava
lava.Touched:Connect(function(hit) end)
print(game.ReplicatedStorage.Config.MaxCoins.Value + 1)
"""


def test_directly_indexed_studio_instances_are_built_with_the_class_their_use_implies() -> None:
    plan = planned(SHOP)
    assert plan[("ReplicatedStorage", "Remotes")] == "Folder"
    assert plan[("ReplicatedStorage.Remotes", "BuyItem")] == "RemoteEvent"
    assert plan[("Workspace", "Map")] == "Model"
    assert plan[("Workspace.Map", "Lava")] == "Part"
    assert plan[("ReplicatedStorage.Config", "MaxCoins")] == "NumberValue"


def test_such_a_script_runs_clean_and_its_handler_gets_typed_arguments() -> None:
    run = run_script(SHOP)
    assert run.status.value == "ok" and not run.errors, run.to_dict()["errors"]
    # The handler was sent a key of PRICES and a number, as a real client would.
    assert "Player1 pays 50" in [o.text for o in run.output]
    assert exec_score(SHOP).score == 1.0


def test_members_and_what_the_script_makes_itself_are_not_built() -> None:
    code = """
local ReplicatedStorage = game:GetService("ReplicatedStorage")
print(workspace.CurrentCamera.CFrame, workspace.Gravity, ReplicatedStorage.Name)
local folder = Instance.new("Folder")
folder.Name = "Made"
folder.Parent = workspace
print(workspace.Made.Name)
for _, name in { "Ping", "Pong" } do
	local remote = Instance.new("RemoteEvent")
	remote.Name = name
	remote.Parent = ReplicatedStorage
end
ReplicatedStorage.Ping:FireAllClients()
local Util = require(ReplicatedStorage.Shared.Util)
"""
    plan = planned(code)
    assert ("Workspace", "CurrentCamera") not in plan
    assert ("Workspace", "Made") not in plan
    assert ("ReplicatedStorage", "Ping") not in plan
    # A required ModuleScript is not faked (its folder is built).
    assert ("ReplicatedStorage.Shared", "Util") not in plan
    assert plan[("ReplicatedStorage", "Shared")] == "Folder"


def test_a_misspelt_property_still_fails_at_its_line() -> None:
    code = """local door = workspace.Door
door.Transparancy = 0.5
"""
    assert planned(code) == {("Workspace", "Door"): "Part"}
    run = run_script(code)
    assert run.errors and run.errors[0].line == 2
    assert "Transparancy is not a valid member" in run.errors[0].message


def test_handler_arguments_are_read_from_the_handler() -> None:
    code = """
remote.OnServerEvent:Connect(function(player, targetPlayer, amount, pos: Vector3?, data: {string}, flag)
	if amount > 5 then end
end)
local function onAim(plr: Player, aimPoint: unknown, what)
	if typeof(aimPoint) ~= "Vector3" then return end
	if what:IsA("BasePart") then end
end
local CATALOG = table.freeze({ ["Gold Sword"] = 10, Bow = 5 })
local function buy(player, itemId)
	return CATALOG[itemId]
end
local function notAHandler(a, b) end
"""
    args = remote_handler_args(code)
    assert args == {
        2: ("Player", "number", "Vector3", "table", "boolean"),
        5: ("Vector3", "Instance"),
        10: ("string=Gold Sword",),
    }


TRUSTING = """
local remote = Instance.new("RemoteEvent")
remote.Name = "Give"
remote.Parent = game:GetService("ReplicatedStorage")
remote.OnServerEvent:Connect(function(player, amount: number)
	player:SetAttribute("Coins", (player:GetAttribute("Coins") or 0) + math.floor(amount))
end)
"""

CAREFUL = TRUSTING.replace(
    "function(player, amount: number)\n",
    "function(player, amount: number)\n"
    '\tif typeof(amount) ~= "number" or amount ~= amount or amount < 1 or amount > 100 then return end\n',
)


def test_hostile_arguments_only_when_asked_and_validation_keeps_a_run_clean() -> None:
    for code in (TRUSTING, CAREFUL):
        run = run_script(code)
        assert run.status.value == "ok" and not run.errors, run.to_dict()["errors"]
    trusting = run_script(TRUSTING, hostile_remotes=True)
    assert trusting.errors and all(e.line == 6 for e in trusting.errors)
    careful = run_script(CAREFUL, hostile_remotes=True)
    assert not careful.errors, careful.to_dict()["errors"]
    # The exec score never sends hostile arguments.
    assert exec_score(TRUSTING).score == exec_score(CAREFUL).score == 1.0


def test_the_stimulus_uses_tools_so_their_handlers_run() -> None:
    server = """
local tool = script.Parent
tool.Equipped:Connect(function() print("equipped by " .. tool.Parent.Name) end)
tool.Activated:Connect(function()
	local humanoid = tool.Parent:FindFirstChildOfClass("Humanoid")
	print("swing at " .. humanoid.Health .. " health" .. nil)
end)
tool.Unequipped:Connect(function() print("put away") end)
"""
    run = run_script(server)
    assert "equipped by Player1" in [o.text for o in run.output]
    # The bug in the Activated handler is found, at its line.
    assert [(e.line, e.context) for e in run.errors] == [(6, "handler:Tool.Activated")]
    assert "put away" in [o.text for o in run.output]
    client = """
local tool = script.Parent
tool.Equipped:Connect(function(mouse) mouse.Icon = "rbxassetid://1" end)
tool.Activated:Connect(function() print("client swing") end)
"""
    run = run_script(client, kind="LocalScript")
    assert not run.errors and "client swing" in [o.text for o in run.output]


def test_a_client_script_beside_gui_objects_lives_in_a_screengui() -> None:
    code = """
local gui = script.Parent
local frame = gui.MainFrame
frame.Header.Title.Text = "Shop"
gui.MainFrame.CloseButton.MouseButton1Click:Connect(function()
	frame.Visible = false
	print("closed")
end)
"""
    placement = infer_placement(code, ScriptKind.LOCAL_SCRIPT)
    assert placement.script_path == "Players.Player1.PlayerGui.ScreenGui"
    plan = planned(code, ScriptKind.LOCAL_SCRIPT)
    root = "Players.Player1.PlayerGui.ScreenGui"
    assert plan[(root, "MainFrame")] == "Frame"
    assert plan[(f"{root}.MainFrame.Header", "Title")] == "TextLabel"
    assert plan[(f"{root}.MainFrame", "CloseButton")] == "TextButton"
    run = run_script(code, kind="LocalScript")
    assert not run.errors and "closed" in [o.text for o in run.output]


def test_handler_parameters_are_read_by_the_last_word_of_their_names() -> None:
    code = (
        "local function onCreatePart(player, partColor, partPosition, passedTable, buyAmount)\n"
        "end\n"
    )
    assert remote_handler_args(code) == {1: ("Color3", "Vector3", "table", "number")}


def test_a_colour_parameter_gets_a_color3_from_the_simulated_client() -> None:
    code = (
        'local ReplicatedStorage = game:GetService("ReplicatedStorage")\n'
        'local remote = ReplicatedStorage:WaitForChild("CreatePartEvent")\n'
        "remote.OnServerEvent:Connect(function(player, partColor, partPosition)\n"
        '\tlocal part = Instance.new("Part")\n'
        "\tpart.Color = partColor\n"
        "\tpart.Position = partPosition\n"
        "\tpart.Parent = workspace\n"
        '\tprint("made", typeof(partColor), typeof(partPosition))\n'
        "end)\n"
    )
    result = run_script(code, kind=ScriptKind.SCRIPT)
    assert not result.errors
    assert "made Color3 Vector3" in [line.text for line in result.output]


def test_a_shop_page_controller_runs_in_the_gui_its_names_describe() -> None:
    # Tabs switch pages: the mock clicks each tab, and every page it shows or
    # hides is a Frame, as in the ScreenGui Studio built.
    code = """local shopHolder = script.Parent
local tabs = shopHolder:WaitForChild("Tabs")
local pages = shopHolder:WaitForChild("Pages")
local cashButton = tabs:WaitForChild("CashButton")
local gemsButton = tabs:WaitForChild("GemsButton")
local pageList = { Cash = pages:WaitForChild("CashPage"), Gems = pages:WaitForChild("GemsPage") }
local function openPage(name)
	for _, page in pairs(pageList) do
		page.Visible = false
	end
	pageList[name].Visible = true
	print("open", name)
end
cashButton.Activated:Connect(function() openPage("Cash") end)
gemsButton.Activated:Connect(function() openPage("Gems") end)
openPage("Cash")
"""
    run = run_script(code, kind="LocalScript")
    assert run.errors == [] and run.engine_errors == []
    printed = [line.text for line in run.output]
    assert "open Cash" in printed


def test_a_round_timer_label_reached_in_one_expression_is_updated() -> None:
    # The label is a StarterGui copy, reached in one expression from LocalPlayer;
    # the server's countdown event sets its text.
    code = """local UpdateRoundTimeText = game:GetService("ReplicatedStorage"):WaitForChild("UpdateRoundTimeText")
local TextLabel = game:GetService("Players").LocalPlayer:WaitForChild("PlayerGui"):WaitForChild("ScreenGui").TextLabel
UpdateRoundTimeText.OnClientEvent:Connect(function(time)
	TextLabel.Text = `Time Left {time} Seconds!`
end)
TextLabel.Text = "ready"
print(TextLabel:GetFullName(), TextLabel.Text)
"""
    run = run_script(code, kind="LocalScript")
    assert run.errors == [] and run.never_resumed == [] and run.engine_errors == []
    assert [line.text for line in run.output][:1] == [
        "Players.Player1.PlayerGui.ScreenGui.TextLabel ready"
    ]


def test_a_sprint_script_finds_its_stamina_values_and_its_own_sound() -> None:
    code = """local UIS = game:GetService("UserInputService")
local Stamina = script.Parent:WaitForChild("CurrentStamina")
local IsSprinting = script.Parent:WaitForChild("IsSprinting")
local SoundFX = script.RunSound
Stamina.Value = 10
UIS.InputBegan:Connect(function(input)
	if input.KeyCode == Enum.KeyCode.LeftShift and Stamina.Value > 5 then
		IsSprinting.Value = true
		SoundFX:Play()
	end
end)
print(SoundFX:GetFullName(), SoundFX.ClassName, Stamina.ClassName)
"""
    run = run_script(code, kind="LocalScript")
    assert run.errors == [] and run.never_resumed == [] and run.engine_errors == []
    assert [line.text for line in run.output][:1] == [
        "Players.Player1.PlayerScripts.LocalScript.RunSound Sound NumberValue"
    ]


def test_a_member_misspelt_in_case_still_fails_as_in_the_engine() -> None:
    code = 'local grav = script.parent:FindFirstChild("BodyForce")\nprint(grav)\n'
    run = run_script(code, kind="Script")
    assert [e.message.split(" (")[0] for e in run.errors][:1] == [
        'parent is not a valid member of Script "ServerScriptService.Script"'
    ]


def test_a_parameter_assigned_to_a_property_gets_what_the_property_holds() -> None:
    code = (
        'local remote = game:GetService("ReplicatedStorage"):WaitForChild("PaintEvent")\n'
        "remote.OnServerEvent:Connect(function(player, partColor)\n"
        '\tlocal part = Instance.new("Part")\n'
        "\tpart.BrickColor = partColor\n"
        '\tprint("painted", typeof(partColor))\n'
        "end)\n"
    )
    assert remote_handler_args(code) == {2: ("BrickColor",)}
    result = run_script(code, kind=ScriptKind.SCRIPT)
    assert not result.errors
    assert "painted BrickColor" in [line.text for line in result.output]
    # By the engine surface: what every class with a property of that name holds.
    toggle = code.replace("partColor", "state").replace("BrickColor", "Anchored")
    assert remote_handler_args(toggle) == {2: ("boolean",)}


def test_a_chat_command_is_typed_by_a_player_and_its_wait_follows_the_local_s_type() -> None:
    code = (
        'local TextChatService = game:GetService("TextChatService")\n'
        'local command: TextChatCommand = TextChatService:WaitForChild("SizeCommand")\n'
        "command.Triggered:Connect(function(textSource, message)\n"
        '\tprint("typed", textSource.ClassName, textSource.UserId > 0, string.split(message, " ")[2])\n'
        "end)\n"
    )
    assert planned(code)[("TextChatService", "SizeCommand")] == "TextChatCommand"
    result = run_script(code, kind=ScriptKind.SCRIPT)
    assert not result.errors
    assert "typed TextSource true hello" in [line.text for line in result.output]


def test_a_server_script_finds_the_bindables_studio_put_beside_it() -> None:
    code = (
        'local ServerScriptService = game:GetService("ServerScriptService")\n'
        "local shareData = ServerScriptService.ShareData\n"
        'shareData:Fire("Hello world!")\n'
    )
    assert planned(code)[("ServerScriptService", "ShareData")] == "BindableEvent"
    assert exec_score(code, "Script").score == 1.0


def test_studio_instances_follow_the_types_the_code_gives_them() -> None:
    code = (
        'local ServerStorage = game:GetService("ServerStorage")\n'
        "local BRICK: Part = ServerStorage.Brick\n"
        "local TEMPLATE = ServerStorage.leaderstats\n"
        "game.Players.PlayerAdded:Connect(function(player)\n"
        "\tlocal stats = TEMPLATE:Clone()\n"
        "\tstats.Parent = player\n"
        "\tstats.Coins.Changed:Connect(print)\n"
        "\tlocal brick = BRICK:Clone()\n"
        "\tbrick.Color = Color3.new(1, 1, 0)\n"
        "\tbrick.Parent = workspace\n"
        "end)\n"
        'local centre = workspace:WaitForChild("Centre").Position\n'
        'local survivors = game:GetService("Teams"):WaitForChild("Survivors")\n'
        "print(centre, survivors.TeamColor)\n"
    )
    plan = planned(code)
    assert plan[("ServerStorage", "Brick")] == "Part"
    # A copy of the template, held by another local, has the template's children,
    # and what a leaderstats folder holds is a value.
    assert plan[("ServerStorage.leaderstats", "Coins")] == "IntValue"
    # The template is the code's own: no player holds leaderstats from elsewhere.
    assert not any(parent.startswith("Players.*") for parent, _ in plan)
    assert plan[("Workspace", "Centre")] == "Part"
    assert plan[("Teams", "Survivors")] == "Team"
    assert exec_score(code, "Script").score == 1.0


def test_a_name_the_code_only_looks_up_is_still_built_where_it_indexes_it() -> None:
    code = (
        'local remotes = game:GetService("ReplicatedStorage").Remotes\n'
        "local playerGui = game:GetService('Players').LocalPlayer.PlayerGui\n"
        "local shop = playerGui:FindFirstChild('ShopScreen')\n"
        "remotes.ShopScreen.OnClientEvent:Connect(function()\n"
        "\tif shop then shop.Visible = not shop.Visible end\n"
        "end)\n"
    )
    assert planned(code, ScriptKind.LOCAL_SCRIPT)[("ReplicatedStorage.Remotes", "ShopScreen")] == (
        "RemoteEvent"
    )


def test_what_a_client_finds_unchecked_in_its_player_gui_is_built_there() -> None:
    code = (
        "local player = game:GetService('Players').LocalPlayer\n"
        "local playerGui = player.PlayerGui\n"
        "local contextEvent = playerGui:FindFirstChild('ContextEvent')\n"
        "contextEvent.Event:Connect(function(name) print('context', name) end)\n"
        "local optional = playerGui:FindFirstChild('Optional')\n"
        "if optional then optional.Event:Connect(print) end\n"
    )
    plan = planned(code, ScriptKind.LOCAL_SCRIPT)
    assert plan[("Players.Player1.PlayerGui", "ContextEvent")] == "BindableEvent"
    # A find the code checks for nil keeps its fallback: it stays absent.
    assert ("Players.Player1.PlayerGui", "Optional") not in plan
    assert exec_score(code, "LocalScript").score == 1.0


def test_a_table_type_s_fields_are_sent_filled() -> None:
    code = (
        'local remote = game:GetService("ReplicatedStorage"):WaitForChild("OnboardingEvent")\n'
        "local function onFired(player: Player, args: { step: number, label: string }, done: boolean)\n"
        "\tif args.step > 3 then return end\n"
        '\tprint("step", args.step, args.label, done)\n'
        "end\n"
        "remote.OnServerEvent:Connect(onFired)\n"
    )
    assert remote_handler_args(code) == {2: ("table=step:number;label:string", "boolean")}
    result = run_script(code, kind=ScriptKind.SCRIPT)
    assert not result.errors
    assert "step 1 Item true" in [line.text for line in result.output]


def test_a_loading_screen_in_replicated_first_is_built_as_a_gui() -> None:
    code = (
        'local ReplicatedFirst = game:GetService("ReplicatedFirst")\n'
        "local playerGui = game:GetService('Players').LocalPlayer:WaitForChild('PlayerGui')\n"
        "local screenGui = ReplicatedFirst.LoadingScreen\n"
        "screenGui.IgnoreGuiInset = true\n"
        "screenGui.Parent = playerGui\n"
        "local background = screenGui.Background\n"
        "local loadingText = background.LoadingText\n"
        'game:GetService("TweenService"):Create(loadingText, TweenInfo.new(1), { TextTransparency = 1 }):Play()\n'
        'game:GetService("TweenService"):Create(background, TweenInfo.new(1), { BackgroundTransparency = 1 }):Play()\n'
    )
    plan = planned(code, ScriptKind.LOCAL_SCRIPT)
    assert plan[("ReplicatedFirst", "LoadingScreen")] == "ScreenGui"
    assert plan[("ReplicatedFirst.LoadingScreen", "Background")] == "Frame"
    assert plan[("ReplicatedFirst.LoadingScreen.Background", "LoadingText")] == "TextLabel"
    assert exec_score(code, "LocalScript").score == 1.0


def test_children_named_for_their_class_and_what_a_handle_holds_are_built() -> None:
    tool = (
        "local tool = script.Parent\n"
        "tool.Activated:Connect(function() tool.Handle.Activate:Play() end)\n"
    )
    plan = planned(tool, ScriptKind.LOCAL_SCRIPT)
    # `Activate` is a Tool's method, but under the Handle, a Part, it is a child.
    assert plan[("Players.Player1.Backpack.Tool.Handle", "Activate")] == "Sound"
    elevator = (
        "local constraint = script.Parent.Track.PrismaticConstraint\n"
        "print(constraint.CurrentPosition <= -9)\n"
    )
    plan = planned(elevator)
    assert "PrismaticConstraint" in plan.values()
    assert not any(name == "CurrentPosition" for _, name in plan)
    assert exec_score(elevator, "Script").score == 1.0


def test_a_handler_s_player_and_a_character_it_is_sent_are_read_from_their_names() -> None:
    code = (
        'local events = game:GetService("ReplicatedStorage").Events\n'
        "local function damageCharacter(playerFired, characterToDamage, hitPosition)\n"
        '\tlocal humanoid = characterToDamage:FindFirstChildWhichIsA("Humanoid")\n'
        '\tprint("hit", characterToDamage.HumanoidRootPart.Name, typeof(hitPosition))\n'
        "end\n"
        "events.DamageCharacter.OnServerEvent:Connect(damageCharacter)\n"
    )
    assert remote_handler_args(code) == {2: ("Character", "Vector3")}
    result = run_script(code, kind=ScriptKind.SCRIPT)
    assert not result.errors
    assert "hit HumanoidRootPart Vector3" in [line.text for line in result.output]


def test_a_child_named_as_a_class_its_use_contradicts_follows_its_use() -> None:
    code = (
        "local trap = script.Parent\n"
        "local particles = trap.Explosion\n"
        "trap.Touched:Connect(function() particles:Emit(100) end)\n"
    )
    assert planned(code)[("Workspace.Part", "Explosion")] == "ParticleEmitter"
    assert exec_score(code, "Script").score == 1.0
