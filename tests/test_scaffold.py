"""Where a script is placed, and what it waits for, follow from its code."""

from __future__ import annotations

from conftest import planned, planned_classes
from luaurft.luau.kind import ScriptKind
from luaurft.luau.sandbox import RunStatus
from luaurft.roblox.mock import run_script
from luaurft.roblox.scaffold import infer_placement, remote_handler_args


def test_default_containers_by_kind() -> None:
    assert infer_placement("print(1)", ScriptKind.SCRIPT).script_path == "ServerScriptService"
    assert (
        infer_placement("print(1)", ScriptKind.LOCAL_SCRIPT).script_path
        == "Players.Player1.PlayerScripts"
    )
    assert infer_placement("return {}", ScriptKind.MODULE_SCRIPT).script_path == "ReplicatedStorage"


def test_script_parent_use_decides_the_container() -> None:
    part = infer_placement(
        "local brick = script.Parent\nbrick.Touched:Connect(print)", ScriptKind.SCRIPT
    )
    assert (part.container, part.script_path) == ("part", "Workspace.Part")
    # A cast of the parent names it as much as a plain alias does.
    cast = infer_placement(
        "local brick = script.Parent :: BasePart\nbrick.Touched:Connect(print)", ScriptKind.SCRIPT
    )
    assert (cast.container, cast.script_path) == ("part", "Workspace.Part")
    tool = infer_placement(
        'local tool = script.Parent\nassert(tool:IsA("Tool"))', ScriptKind.SCRIPT
    )
    assert (
        tool.container == "tool"
        and {"parent": "Workspace.Tool", "name": "Handle", "class": "Part", "position": [0, 1, -6]}
        in tool.scaffold
    )
    npc = infer_placement(
        'local h = script.Parent:FindFirstChildOfClass("Humanoid")', ScriptKind.SCRIPT
    )
    assert npc.container == "character" and npc.script_path == "Workspace.NPC"
    own = infer_placement(
        'local h = script.Parent:WaitForChild("Humanoid")', ScriptKind.LOCAL_SCRIPT
    )
    assert own.local_character and own.script_path == "Workspace.Player1"
    button = infer_placement(
        "script.Parent.MouseButton1Click:Connect(print)", ScriptKind.LOCAL_SCRIPT
    )
    assert button.script_path == "Players.Player1.PlayerGui.ScreenGui.TextButton"


def test_awaited_instances_are_built_with_the_class_their_use_implies() -> None:
    code = """
    local ReplicatedStorage = game:GetService("ReplicatedStorage")
    local remotes = ReplicatedStorage:WaitForChild("Remotes")
    local buy = remotes:WaitForChild("Buy")
    local damage = ReplicatedStorage:WaitForChild("Remotes"):WaitForChild("Damage")
    local ask = ReplicatedStorage:WaitForChild("Ask") :: RemoteFunction
    damage.OnClientEvent:Connect(print)
    local optional = ReplicatedStorage:FindFirstChild("Maybe")
    local settings = ReplicatedStorage:WaitForChild("Settings")
    """
    plan = planned(code, ScriptKind.LOCAL_SCRIPT)
    assert plan[("ReplicatedStorage", "Remotes")] == "Folder"
    assert plan[("ReplicatedStorage.Remotes", "Damage")] == "RemoteEvent"
    assert plan[("ReplicatedStorage", "Ask")] == "RemoteFunction"
    # Looked up optionally: left for the script's own fallback.
    assert ("ReplicatedStorage", "Maybe") not in plan
    # Waited for without end and never mentioned again: the place has it, and no
    # class it could have is observable, so a Folder stands in.
    assert plan[("ReplicatedStorage", "Settings")] == "Folder"


def test_an_awaited_instance_only_looked_into_is_built_as_a_folder() -> None:
    code = """
    local ReplicatedStorage = game:GetService("ReplicatedStorage")
    local towers = ReplicatedStorage:WaitForChild("Shared"):WaitForChild("Towers")
    local config = ReplicatedStorage:WaitForChild("Config")
    local function spawnTower(name)
        return towers:FindFirstChild(name)
    end
    print(spawnTower("Slinger"), config.Name)
    """
    plan = planned(code, ScriptKind.LOCAL_SCRIPT)
    assert plan[("ReplicatedStorage.Shared", "Towers")] == "Folder"
    # A member beyond a container's says something the code expects: not guessed.
    assert ("ReplicatedStorage", "Config") not in plan


def test_a_gui_path_from_the_local_player_through_variables_is_built() -> None:
    code = """
    local player = game.Players.LocalPlayer
    local gui = player:WaitForChild("PlayerGui"):WaitForChild("SettingsGUI")
    local window = gui:WaitForChild("SettingsWindow")
    local list = window:WaitForChild("ScrollingFrame")
    local mute = list:WaitForChild("MuteMusicButton")
    local spawnButton = gui:WaitForChild("Spawn")
    mute.Text = "Music: ON"
    spawnButton.Activated:Connect(print)
    """
    plan = planned(code, ScriptKind.LOCAL_SCRIPT)
    gui = "Players.Player1.PlayerGui"
    assert plan[(gui, "SettingsGUI")] == "ScreenGui"
    assert plan[(f"{gui}.SettingsGUI", "SettingsWindow")] == "Folder"
    assert plan[(f"{gui}.SettingsGUI.SettingsWindow", "ScrollingFrame")] == "ScrollingFrame"
    assert plan[(f"{gui}.SettingsGUI.SettingsWindow.ScrollingFrame", "MuteMusicButton")] == (
        "TextLabel"
    )
    # In a GUI, what the code takes Activated from is a button.
    assert plan[(f"{gui}.SettingsGUI", "Spawn")] == "TextButton"


def test_comments_do_not_place_scripts() -> None:
    code = "-- script.Parent.Touched:Connect(...) would be nice\nprint(1)"
    assert infer_placement(code, ScriptKind.SCRIPT).container == "default"


def test_events_on_the_parent_pick_its_class() -> None:
    def placed(code: str, kind: ScriptKind) -> tuple[str, str]:
        p = infer_placement(code, kind)
        return p.container, p.script_path

    gui = ScriptKind.LOCAL_SCRIPT
    assert placed("local b = script.Parent\nb.Activated:Connect(print)", gui) == (
        "button",
        "Players.Player1.PlayerGui.ScreenGui.TextButton",
    )
    assert placed("local box = script.Parent\nbox.FocusLost:Connect(print)", gui)[0] == "textbox"
    assert placed("local d = script.Parent\nd.DragStart:Connect(print)", gui) == (
        "uidrag",
        "Players.Player1.PlayerGui.ScreenGui.Frame.UIDragDetector",
    )
    server = ScriptKind.SCRIPT
    assert placed("local d = script.Parent\nd.DragEnd:Connect(print)", server) == (
        "drag",
        "Workspace.Part.DragDetector",
    )
    assert placed("local t = script.Parent\nt.Activated:Connect(print)", server)[0] == "tool"


def test_an_event_is_never_built_as_a_child() -> None:
    # `x.DragStart:Connect` names an event of whatever x is, not an instance to build.
    p = infer_placement(
        'local part = script.Parent\nlocal dd = part:WaitForChild("DragDetector")\n'
        "dd.DragStart:Connect(print)\nworkspace.Lava.Touched:Connect(print)",
        ScriptKind.SCRIPT,
    )
    names = {(i["parent"], i["name"], i["class"]) for i in p.scaffold}
    assert ("Workspace", "Lava", "Part") in names
    assert not [n for n in names if n[1] in ("DragStart", "Touched")]


def test_a_name_is_read_whole_or_not_at_all() -> None:
    # A call off a path ends it (`Signals.create(5)`, `Door.Open.fire(1)`); the name
    # before the parenthesis is never read short of its last letter (`creat`, `fir`).
    p = infer_placement(
        'local RS = game:GetService("ReplicatedStorage")\n'
        "local Signal = RS.Shared.Signals.create(5)\nworkspace.Door.Open.fire(1)\n"
        'warn("needs Workspace.Arena (with spawn Parts)")\nlocal brand = nil\n',
        ScriptKind.SCRIPT,
    )
    names = {i["name"] for i in p.scaffold}
    assert {"Shared", "Signals", "Door", "Open"} <= names
    assert not names & {"creat", "create", "fir", "fire", "Aren"}


def test_what_require_waits_for_is_a_module_script() -> None:
    p = infer_placement(
        'local RS = game:GetService("ReplicatedStorage")\n'
        'local Remotes = require(RS:WaitForChild("RemoteEvents"))',
        ScriptKind.SCRIPT,
    )
    assert {"parent": "ReplicatedStorage", "name": "RemoteEvents", "class": "ModuleScript"} in (
        p.scaffold
    )


def test_an_activated_parent_used_as_a_gui_object_is_a_button() -> None:
    # A server-kind script (no client API) whose parent has BackgroundColor3: a
    # Tool has Activated but no background, so the parent is a button.
    code = (
        "local button = script.Parent\n"
        "button.Activated:Connect(function()\n"
        "\tbutton.BackgroundColor3 = Color3.new(1, 0, 0)\n"
        "end)\n"
    )
    assert infer_placement(code, ScriptKind.SCRIPT).container == "button"
    tool = "local tool = script.Parent\ntool.Activated:Connect(print)\n"
    assert infer_placement(tool, ScriptKind.SCRIPT).container == "tool"


def test_instances_found_under_a_service_and_used_unchecked_are_built() -> None:
    code = """
    local ReplicatedStorage = game:GetService("ReplicatedStorage")
    local remoteEvent = ReplicatedStorage:FindFirstChildOfClass("RemoteEvent")
    local buy = ReplicatedStorage:FindFirstChild("BuyFunction")
    remoteEvent.OnServerEvent:Connect(print)
    buy.OnServerInvoke = print
    """
    plan = planned(code, ScriptKind.SCRIPT)
    assert plan == {
        ("ReplicatedStorage", "RemoteEvent"): "RemoteEvent",
        ("ReplicatedStorage", "BuyFunction"): "RemoteFunction",
    }


def test_a_value_found_under_a_service_reached_as_a_property_of_game_is_built() -> None:
    code = """
    local length = game.ReplicatedStorage:FindFirstChild("SnakeLength")
    local door = game.Workspace:FindFirstChild("DoorEvent")
    task.wait(length.Value / 10)
    door:Fire()
    local maybe = game.ServerStorage:FindFirstChild("Maybe")
    if maybe then
        print(maybe.Value)
    end
    """
    plan = planned(code, ScriptKind.SCRIPT)
    assert plan[("ReplicatedStorage", "SnakeLength")] == "NumberValue"
    assert plan[("Workspace", "DoorEvent")] == "BindableEvent"
    assert ("ServerStorage", "Maybe") not in plan


def test_instances_found_with_a_nil_check_stay_absent() -> None:
    for check in ("if remote then", "if not remote then return end", "if remote ~= nil then"):
        code = (
            'local ReplicatedStorage = game:GetService("ReplicatedStorage")\n'
            'local remote = ReplicatedStorage:FindFirstChildOfClass("RemoteEvent")\n'
            f"{check}\nend\n"
            "remote:FireServer()\n"
        )
        assert infer_placement(code, ScriptKind.LOCAL_SCRIPT).scaffold == [], check


def test_members_of_a_child_named_as_its_class_are_not_built_as_children() -> None:
    # `slider.DragDetector` is a DragDetector: MaxDragTranslation is its property
    # (a Vector3 whose X is read), not a Folder holding an X.
    code = (
        "local slider = script.Parent.SliderPart\n"
        "local dragDetector = slider.DragDetector\n"
        "local range = dragDetector.MaxDragTranslation.X - dragDetector.MinDragTranslation.X\n"
        "print(slider.DragDetector.MaxDragTranslation.Z, range)\n"
    )
    built = {i["name"] for i in infer_placement(code, ScriptKind.SCRIPT).scaffold}
    assert built == {"SliderPart", "DragDetector"}


def test_an_awaited_instance_the_code_calls_a_folder_is_built_as_one() -> None:
    code = (
        'local ReplicatedStorage = game:GetService("ReplicatedStorage")\n'
        'local itemDataFolder = ReplicatedStorage:WaitForChild("ItemData")\n'
        'local settings = ReplicatedStorage:WaitForChild("Settings")\n'
        "local function owned(item)\n"
        "\treturn item:IsDescendantOf(itemDataFolder) and item:IsDescendantOf(settings)\n"
        "end\n"
        "print(owned(workspace))\n"
    )
    assert infer_placement(code, ScriptKind.SCRIPT).scaffold == [
        {"parent": "ReplicatedStorage", "name": "ItemData", "class": "Folder"}
    ]


def test_what_a_client_waits_for_in_its_player_gui_is_built_there() -> None:
    # StarterGui's ScreenGuis are copied into PlayerGui on spawn: a client script
    # waiting for one (and for what is in it) expects them built in Studio.
    code = (
        'local Players = game:GetService("Players")\n'
        'local PlayerGui = Players.LocalPlayer:WaitForChild("PlayerGui")\n'
        'local hud = PlayerGui:WaitForChild("Hud")\n'
        'local bar = hud:WaitForChild("HealthBar")\n'
        'local label = hud:WaitForChild("ImageLabel")\n'
        "print(bar, label.Image)\n"
    )
    plan = infer_placement(code, ScriptKind.LOCAL_SCRIPT).scaffold
    gui = "Players.Player1.PlayerGui"
    assert {
        "parent": gui,
        "name": "Hud",
        "class": "ScreenGui",
        "props": {"ResetOnSpawn": False},
    } in plan
    assert {"parent": f"{gui}.Hud", "name": "ImageLabel", "class": "ImageLabel"} in plan
    # HealthBar is no class and its use says nothing: not guessed.
    assert not any(i["name"] == "HealthBar" for i in plan)
    # A server script has no PlayerGui of its own to fill.
    assert infer_placement(code, ScriptKind.SCRIPT).scaffold == []


def test_what_a_client_waits_for_in_its_player_is_built_there() -> None:
    # A server script makes leaderstats (and flags such as a BoolValue) in each
    # Player on join: a client script that waits for them expects them there.
    code = (
        'local Players = game:GetService("Players")\n'
        "local player = Players.LocalPlayer\n"
        'local gui = player:WaitForChild("PlayerGui")\n'
        'local leaderstats = player:WaitForChild("leaderstats")\n'
        'local coins = leaderstats:WaitForChild("Coins")\n'
        'local stage = Players.LocalPlayer:WaitForChild("Stats"):WaitForChild("Stage")\n'
        'local mystery = player:WaitForChild("Mystery")\n'
        "coins.Changed:Connect(function() print(coins.Value + 1, stage.Value + 1) end)\n"
        "print(gui, mystery)\n"
    )
    plan = infer_placement(code, ScriptKind.LOCAL_SCRIPT).scaffold
    player = "Players.Player1"
    assert {"parent": player, "name": "leaderstats", "class": "Folder"} in plan
    assert {"parent": f"{player}.leaderstats", "name": "Coins", "class": "IntValue"} in plan
    assert {"parent": player, "name": "Stats", "class": "Folder"} in plan
    assert {"parent": f"{player}.Stats", "name": "Stage", "class": "NumberValue"} in plan
    # PlayerGui is the engine's; Mystery is no class and its use says nothing.
    assert not any(i["name"] in ("PlayerGui", "Mystery") for i in plan)
    # A server script has no local player whose children it waits for.
    server = infer_placement(code, ScriptKind.SCRIPT).scaffold
    assert not any(i["parent"].startswith(player) for i in server)


def test_a_model_whose_primary_part_the_code_uses_gets_one() -> None:
    # A Studio model that a script moves by its PrimaryPart had one set there.
    moved = infer_placement(
        "local model = workspace.Map.Tower\nprint(model.PrimaryPart.CFrame)\n", ScriptKind.SCRIPT
    ).scaffold
    assert {"parent": "Workspace.Map", "name": "Tower", "class": "Model", "primary": True} in moved
    # Setting it, or only pivoting the model, says nothing of what Studio gave it.
    for code in (
        "local model = workspace.Map.Tower\nmodel.PrimaryPart = model.Base\n",
        "local model = workspace.Map.Tower\nmodel:PivotTo(CFrame.new())\n",
    ):
        plan = infer_placement(code, ScriptKind.SCRIPT).scaffold
        assert not any(i.get("primary") for i in plan), code


def test_chain_starts_are_the_regex_scans_matches_at_roots() -> None:
    # `_chain_starts` tries the regex only where a root, `game` or `script` is;
    # it must find what scanning every position finds, on code that puts roots
    # at the very start, after `.`/`:`, inside other names and inside matches.
    from pathlib import Path

    from luaurft.roblox.scaffold import _CHAIN_START, _chain_starts

    tricky = (
        "Remotes.Buy:FireServer()\n"
        'local RS = game:GetService("ReplicatedStorage")\n'
        "RS.Remotes.Buy.OnServerEvent:Connect(f)\n"
        "game.Workspace.Map.Lava.Touched:Connect(f) x.Remotes y:Remotes()\n"
        'local ws = game:GetService( "Workspace" ).Folder\n'
        'print("Remotes", workspace.Door, myworkspace, workspace_2, game:GetService("Players"))\n'
        "local game = script.Parent.Frame; game.Title.Text = 'hi' script.Parent.Remotes"
        " ñRemotes Remotesñ _Remotes Remotes"
    )
    examples = Path(__file__).resolve().parents[1] / "examples"
    texts = [tricky, *(p.read_text() for p in sorted(examples.glob("*.luau")))]
    roots = {"Remotes": 1, "RS": 1, "workspace": 1, "Workspace": 1, "game": 1, "script.Parent": 1}
    for text in texts:
        expected = [
            m.span()
            for m in _CHAIN_START.finditer(text)
            if m.group(3) is None or m.group(3) in roots
        ]
        assert [m.span() for m in _chain_starts(text, roots)] == expected
    # The tricky text has starts of every kind, and a name matched as part of a
    # longer match (`game.Workspace`, a service string) is no start of its own.
    spans = [m.group(0) for m in _chain_starts(tricky, roots)]
    assert spans[:3] == ["Remotes", "RS", 'game:GetService("ReplicatedStorage")']
    assert "game.Workspace" in spans and "ñRemotes" not in spans
    assert "Workspace" not in spans


def test_wait_chains_are_the_regex_scans_matches() -> None:
    # `_wait_chains` tries the regex only before a `:WaitForChild` or at a
    # `game:GetService(`; it must find what scanning every position finds,
    # including a chain the rest of a line already took and a `game` inside a name.
    from pathlib import Path

    from luaurft.roblox.scaffold import _WAIT_CHAIN, _wait_chains

    tricky = (
        'RS:WaitForChild("A") local b = RS:WaitForChild("B")\n'
        'local x = game:GetService("ReplicatedStorage"):WaitForChild("Remotes"):WaitForChild("Buy")\n'
        'mygame:GetService("Workspace"):WaitForChild("Map")\n'
        'folder.Sub  :  WaitForChild( "Deep" ) 2x:WaitForChild("N") :WaitForChild("Alone")\n'
        'Players.LocalPlayer:WaitForChild("PlayerGui") x:WaitForChild(name)'
    )
    examples = Path(__file__).resolve().parents[1] / "examples"
    texts = [tricky, *(p.read_text() for p in sorted(examples.glob("*.luau")))]
    for text in texts:
        expected = [m.span() for m in _WAIT_CHAIN.finditer(text)]
        assert [m.span() for m in _wait_chains(text)] == expected
    # A chain takes the rest of its line: `B` and `2x` start none of their own.
    found = [m.group(0).split(":")[0].strip() for m in _wait_chains(tricky)]
    assert found == ["RS", "game", "game", "Sub", "LocalPlayer"]


def test_gui_children_are_built_as_the_gui_objects_their_names_say() -> None:
    # A shop page controller: tabs named `...Button` it only activates, pages
    # named `...Page` it only shows and hides. `Activated` alone fits a Tool
    # first, and a page's use says nothing, so the names decide.
    code = (
        "local holder = script.Parent\n"
        'local tabs = holder:WaitForChild("Tabs")\n'
        'local pages = holder:WaitForChild("Pages")\n'
        'local cashButton = tabs:WaitForChild("CashButton")\n'
        'local cashPage = pages:WaitForChild("CashPage")\n'
        "local list = { Cash = cashPage }\n"
        "cashButton.Activated:Connect(function()\n"
        "\tfor _, page in list do page.Visible = true end\n"
        "end)\n"
    )
    classes = {
        i["name"]: i["class"] for i in infer_placement(code, ScriptKind.LOCAL_SCRIPT).scaffold
    }
    assert classes["CashButton"] == "TextButton"
    assert classes["CashPage"] == "Frame"
    # In the 3D world a `...Button` is a part a player steps on or clicks.
    world = infer_placement(
        'local b = workspace:WaitForChild("ResetButton")\nb.Touched:Connect(print)\n',
        ScriptKind.SCRIPT,
    ).scaffold
    assert world == [{"parent": "Workspace", "name": "ResetButton", "class": "Part"}]
    # A name ending that the use contradicts does not win: a remote stays a remote.
    remote = infer_placement(
        'local RS = game:GetService("ReplicatedStorage")\n'
        'local buy = RS:WaitForChild("BuyButton")\n'
        "buy:FireServer()\n",
        ScriptKind.LOCAL_SCRIPT,
    ).scaffold
    assert remote == [{"parent": "ReplicatedStorage", "name": "BuyButton", "class": "RemoteEvent"}]


def test_a_path_into_player_gui_written_as_one_expression_is_built() -> None:
    code = (
        'local TextLabel = game:GetService("Players").LocalPlayer:WaitForChild("PlayerGui")'
        ':WaitForChild("ScreenGui").TextLabel\n'
        "TextLabel.Text = `Time Left {10} Seconds!`\n"
    )
    plan = infer_placement(code, ScriptKind.LOCAL_SCRIPT).scaffold
    gui = "Players.Player1.PlayerGui"
    assert plan == [
        {
            "parent": gui,
            "name": "ScreenGui",
            "class": "ScreenGui",
            "props": {"ResetOnSpawn": False},
        },
        {"parent": f"{gui}.ScreenGui", "name": "TextLabel", "class": "TextLabel"},
    ]
    # A member of what the path reached ends it: nothing named Enabled is built.
    member = infer_placement(
        'local pg = game.Players.LocalPlayer:WaitForChild("PlayerGui")\n'
        'game.Players.LocalPlayer.PlayerGui:WaitForChild("Menu").Enabled = true\n',
        ScriptKind.LOCAL_SCRIPT,
    ).scaffold
    assert [i["name"] for i in member] == ["Menu"]


def test_a_gui_tree_written_as_indexed_paths_is_built_and_ran() -> None:
    # Studio's tree reached by name from a PlayerGui the script holds: the ScreenGui,
    # containers, a button by its name, a text box and a label by their use, a
    # child named after its class, and a button by the event read off it.
    code = """local playerGui = game.Players.LocalPlayer:WaitForChild("PlayerGui")
local menu = playerGui.MainMenu
local page = menu:WaitForChild("Page")
local section = page.Section1
local buyButton = section.BuyButton
local amountInput = section.Amount
local price = page.Price
amountInput.FocusLost:Connect(function()
    price.Text = "$" .. (tonumber(amountInput.Text) or 0) * 5
end)
buyButton.Activated:Connect(function() print("buy") end)
page.Close.Activated:Connect(function() menu.Enabled = false end)
print(page.UIPadding.PaddingTop, section.AbsoluteSize.X >= 0)
"""
    plan = infer_placement(code, ScriptKind.LOCAL_SCRIPT).scaffold
    gui = "Players.Player1.PlayerGui"
    built = {(i["parent"].removeprefix(gui), i["name"]): i["class"] for i in plan}
    assert built == {
        ("", "MainMenu"): "ScreenGui",
        (".MainMenu", "Page"): "Frame",
        (".MainMenu.Page", "Section1"): "Frame",
        (".MainMenu.Page.Section1", "BuyButton"): "TextButton",
        (".MainMenu.Page.Section1", "Amount"): "TextBox",
        (".MainMenu.Page", "Price"): "TextLabel",
        (".MainMenu.Page", "Close"): "TextButton",
        (".MainMenu.Page", "UIPadding"): "UIPadding",
    }, built
    run = run_script(code, kind="LocalScript", isolate=False)
    assert run.status is RunStatus.OK, run.error
    # `gui.ResetOnSpawn` on a ScreenGui the script made and parented in one line
    # names a property, not a ScreenGui to build.
    one_line = (
        'local gui = Instance.new("ScreenGui"); gui.ResetOnSpawn = false; '
        "gui.Parent = game.Players.LocalPlayer.PlayerGui\n"
    )
    assert infer_placement(one_line, ScriptKind.LOCAL_SCRIPT).scaffold == []


def test_a_places_own_animate_script_is_built_and_replaces_the_default() -> None:
    # A place that changes the character's animations puts its own Animate in
    # StarterCharacterScripts; code reads the default's children off it, and each
    # character spawns with that one instead of the default (one Animate).
    code = """local Players = game:GetService("Players")
local animate = game.StarterPlayer.StarterCharacterScripts.Animate
print(animate.run.RunAnim.ClassName, animate.idle.Animation2.ClassName)
Players.PlayerAdded:Connect(function(player)
    player.CharacterAdded:Connect(function(character)
        local count = 0
        for _, child in character:GetChildren() do
            if child.Name == "Animate" then
                count += 1
            end
        end
        print("Animate scripts:", count, character.Animate.walk.WalkAnim.ClassName)
    end)
end)
"""
    plan = infer_placement(code, ScriptKind.SCRIPT).scaffold
    assert {
        "parent": "StarterPlayer.StarterCharacterScripts",
        "name": "Animate",
        "class": "LocalScript",
        "animate": True,
    } in plan
    run = run_script(code, kind="Script", isolate=False, seconds=2.0)
    assert run.status is RunStatus.OK, run.error
    lines = [line.text for line in run.output]
    assert lines[0] == "Animation Animation"
    assert "Animate scripts: 1 Animation" in lines


def test_waits_under_a_service_reached_through_game_are_built() -> None:
    code = (
        'local bombs = game.Workspace:WaitForChild("Bombs")\n'
        'local stats = game.ServerStorage:WaitForChild("StatsCloud")\n'
        "bombs.ChildAdded:Connect(function() print(#bombs:GetChildren()) end)\n"
    )
    plan = infer_placement(code, ScriptKind.SCRIPT).scaffold
    assert {"parent": "Workspace", "name": "Bombs", "class": "Folder"} in plan
    assert {"parent": "ServerStorage", "name": "StatsCloud", "class": "Folder"} in plan
    # A local that holds what lies beyond the wait says nothing of what was waited for.
    deeper = infer_placement(
        'local prompt = workspace:WaitForChild("Shop").Door.Prompt\n'
        'local remote = game.ReplicatedStorage:WaitForChild("Remotes"):WaitForChild("Buy")\n'
        "prompt.Triggered:Connect(function(player) remote:FireClient(player) end)\n",
        ScriptKind.SCRIPT,
    ).scaffold
    classes = planned_classes(deeper)
    assert classes.get(("Workspace", "Shop")) != "ProximityPrompt"
    assert classes[("ReplicatedStorage", "Remotes")] == "Folder"
    assert classes[("ReplicatedStorage.Remotes", "Buy")] == "RemoteEvent"


def test_a_gui_waited_for_in_a_table_field_is_built() -> None:
    code = (
        'local PlayerGui = game.Players.LocalPlayer:WaitForChild("PlayerGui")\n'
        'local Guis = { Right = PlayerGui:WaitForChild("Right"), Shop = PlayerGui:WaitForChild("Shop") }\n'
        "Guis.Shop.Enabled = true\n"
    )
    plan = infer_placement(code, ScriptKind.LOCAL_SCRIPT).scaffold
    assert [(i["name"], i["class"]) for i in plan] == [
        ("Right", "ScreenGui"),
        ("Shop", "ScreenGui"),
    ]
    run = run_script(code, kind="LocalScript", isolate=False)
    assert run.status is RunStatus.OK and not run.never_resumed, run.error


def test_a_value_the_script_waits_for_is_built_as_the_value_it_holds() -> None:
    code = (
        'local Stamina = script.Parent:WaitForChild("CurrentStamina")\n'
        'local IsSprinting = script.Parent:WaitForChild("IsSprinting")\n'
        "if Stamina.Value > 5 then IsSprinting.Value = true end\n"
    )
    classes = {
        i["name"]: i["class"] for i in infer_placement(code, ScriptKind.LOCAL_SCRIPT).scaffold
    }
    assert classes == {"CurrentStamina": "NumberValue", "IsSprinting": "BoolValue"}


def test_children_of_the_script_itself_are_built_under_it() -> None:
    # A sprint LocalScript with its run sound inside it, as Studio holds it.
    code = "local SoundFX = script.RunSound\nSoundFX:Play()\nprint(script.Name)\n"
    plan = infer_placement(code, ScriptKind.LOCAL_SCRIPT).scaffold
    assert plan == [
        {
            "parent": "Players.Player1.PlayerScripts.LocalScript",
            "name": "RunSound",
            "class": "Sound",
        }
    ]
    # A module the script requires from inside itself is not built empty.
    assert infer_placement("local M = require(script.Util)\n", ScriptKind.SCRIPT).scaffold == []


def test_a_member_misspelt_in_case_is_not_built_as_a_child() -> None:
    # An old free-model script: `script.parent` is no member of a Script, and the
    # engine says so; a child called `parent` would hide that error.
    code = 'local grav = script.parent:FindFirstChild("BodyForce")\nprint(script.Parent.Name)\n'
    assert infer_placement(code, ScriptKind.SCRIPT).scaffold == []
    lower = "print(workspace.Part.transparency, workspace.Part.Decal)\n"
    names = [i["name"] for i in infer_placement(lower, ScriptKind.SCRIPT).scaffold]
    assert "transparency" not in names and "Decal" in names


def test_a_client_script_in_a_folder_of_the_character_is_placed_there() -> None:
    # StarterCharacterScripts/Camera/CameraWeight copies in as character.Camera.CameraWeight:
    # its grandparent is the character.
    code = (
        'local head = script.Parent.Parent:WaitForChild("Head")\n'
        "workspace.CurrentCamera.CameraSubject = head\n"
    )
    placement = infer_placement(code, ScriptKind.LOCAL_SCRIPT)
    assert placement.container == "character"
    assert placement.script_path == "Workspace.Player1.Folder"
    assert placement.scaffold == [
        {"parent": "Workspace.Player1", "name": "Folder", "class": "Folder"}
    ]
    # Its own parent holding a Head makes it a character script too.
    direct = infer_placement(
        'local head = script.Parent:WaitForChild("Head")\n', ScriptKind.LOCAL_SCRIPT
    )
    assert direct.script_path == "Workspace.Player1"


def test_a_script_using_a_seats_members_is_in_a_seat() -> None:
    seat_code = (
        "local seat = script.Parent\n"
        'seat:GetPropertyChangedSignal("Occupant"):Connect(function()\n'
        "\tprint(seat.Occupant)\n"
        "end)\n"
    )
    placement = infer_placement(seat_code, ScriptKind.SCRIPT)
    assert placement.script_path == "Workspace.Part"
    assert placement.scaffold[0]["class"] == "Seat"
    # A prompt whose parent the code seats players in is in a seat.
    prompt_code = (
        "local prompt = script.Parent\n"
        "local seat = prompt.Parent\n"
        "prompt.Triggered:Connect(function(player)\n"
        "\tseat:Sit(player.Character.Humanoid)\n"
        "end)\n"
    )
    prompt = infer_placement(prompt_code, ScriptKind.SCRIPT)
    assert prompt.script_path == "Workspace.Part.ProximityPrompt"
    assert prompt.scaffold[0]["class"] == "Seat"
    # Driving members are a VehicleSeat's only.
    drive = infer_placement(
        "print(script.Parent.Throttle, script.Parent.Occupant)\n", ScriptKind.SCRIPT
    )
    assert drive.scaffold[0]["class"] == "VehicleSeat"
    # A plain part stays a Part.
    part = infer_placement("script.Parent.Touched:Connect(print)\n", ScriptKind.SCRIPT)
    assert part.scaffold[0]["class"] == "Part"


def test_a_server_script_reaching_into_its_containers_parent_sits_in_a_model_of_a_model() -> None:
    # A vehicle's controls: script.Parent is the control panel, script.Parent.Parent the car.
    code = (
        "local forward = script.Parent.FWD.ClickDetector\n"
        "local base = script.Parent.Parent.Main\n"
        "forward.MouseClick:Connect(function()\n"
        "\tprint(base:GetChildren())\n"
        "end)\n"
    )
    placement = infer_placement(code, ScriptKind.SCRIPT)
    assert placement.script_path == "Workspace.Model.Model"
    plan = planned_classes(placement.scaffold)
    assert plan[("Workspace", "Model")] == "Model"
    assert ("Workspace.Model.Model", "FWD") in plan
    assert ("Workspace.Model", "Main") in plan
    # A part's script reaching its model's children: the part is in a model.
    part = infer_placement(
        "script.Parent.Touched:Connect(function()\n\tscript.Parent.Parent.Door.Transparency = 1\nend)\n",
        ScriptKind.SCRIPT,
    )
    assert part.script_path == "Workspace.Model.Part"
    assert {"parent": "Workspace.Model", "name": "Door", "class": "Part"} in part.scaffold
    # Only members of the grandparent (`script.Parent.Parent.Name`): nothing to nest.
    plain = infer_placement("print(script.Parent.Parent.Name)\n", ScriptKind.SCRIPT)
    assert plain.script_path == "ServerScriptService"


def test_a_server_script_whose_parent_holds_parts_is_in_a_model_in_the_world() -> None:
    code = (
        "local lever = script.Parent.Lever\n"
        "local leverOn = script.Parent.LeverOn\n"
        'local cd = lever:WaitForChild("ClickDetector")\n'
        'local ts = game:GetService("TweenService")\n'
        "cd.MouseClick:Connect(function()\n"
        "\tts:Create(lever, TweenInfo.new(0.5), {CFrame = leverOn.CFrame}):Play()\n"
        "end)\n"
    )
    placement = infer_placement(code, ScriptKind.SCRIPT)
    assert placement.script_path == "Workspace.Model"
    plan = planned_classes(placement.scaffold)
    # Tweened by its CFrame: a part, though it holds the ClickDetector.
    assert plan[("Workspace.Model", "Lever")] == "Part"
    assert plan[("Workspace.Model.Lever", "ClickDetector")] == "ClickDetector"
    assert plan[("Workspace.Model", "LeverOn")] == "Part"


def test_what_a_gui_scripts_parent_has_beside_it_is_built_in_the_screen_gui() -> None:
    code = (
        "local button = script.Parent\n"
        "button.Parent.CancelButton.MouseButton1Click:Connect(print)\n"
        "button.MouseButton1Click:Connect(print)\n"
    )
    placement = infer_placement(code, ScriptKind.LOCAL_SCRIPT)
    gui = "Players.Player1.PlayerGui.ScreenGui"
    assert placement.script_path == f"{gui}.TextButton"
    assert {"parent": gui, "name": "CancelButton", "class": "TextButton"} in placement.scaffold


def test_what_the_code_loads_as_an_animation_is_an_animation() -> None:
    code = (
        "script.Parent.Activated:Connect(function()\n"
        "\tlocal track = script.Parent.Parent.Humanoid:LoadAnimation(script.Attack)\n"
        "\ttrack:Play()\n"
        "end)\n"
    )
    placement = infer_placement(code, ScriptKind.SCRIPT)
    assert {"parent": "Workspace.Tool.Script", "name": "Attack", "class": "Animation"} in (
        placement.scaffold
    )


def test_a_remote_argument_the_handler_makes_a_cframe_from_is_a_position() -> None:
    code = (
        "script.Parent.CannonEvent.OnServerEvent:Connect(function(player, mouseaim)\n"
        "\tprint(CFrame.new(mouseaim))\n"
        "end)\n"
    )
    # The player comes first from the engine; the client sends the rest.
    assert remote_handler_args(code) == {1: ("Vector3",)}


def test_a_remote_argument_whose_length_is_taken_is_a_string() -> None:
    code = (
        "remote.OnServerInvoke = function(player, text, count)\n"
        "\tif #text > 100 then return 'too long' end\n"
        "\treturn count * 2\n"
        "end\n"
    )
    assert remote_handler_args(code) == {1: ("string", "number")}


def test_instances_kept_in_a_table_are_built_with_the_class_their_use_implies() -> None:
    # A client keeps its remotes in a table and uses them through its fields.
    code = """
    local ReplicatedStorage = game:GetService("ReplicatedStorage")
    local folder = ReplicatedStorage:WaitForChild("GameRemotes")
    local remotes = {
        State = folder:WaitForChild("State"),
        Choice = folder:WaitForChild("Choice"), Ask = folder:WaitForChild("Ask"),
        Label = "not an instance",
    }
    remotes.State.OnClientEvent:Connect(print)
    remotes.Choice:FireServer("left")
    print(remotes.Ask:InvokeServer())
    """
    plan = planned(code, ScriptKind.LOCAL_SCRIPT)
    assert plan[("ReplicatedStorage", "GameRemotes")] == "Folder"
    assert plan[("ReplicatedStorage.GameRemotes", "State")] == "RemoteEvent"
    assert plan[("ReplicatedStorage.GameRemotes", "Choice")] == "RemoteEvent"
    assert plan[("ReplicatedStorage.GameRemotes", "Ask")] == "RemoteFunction"


def test_folders_a_client_waits_for_in_its_player_scripts_are_built() -> None:
    # A client loader requires the controllers a place keeps in PlayerScripts.
    code = """
    local Players = game:GetService("Players")
    local PlayerScripts = Players.LocalPlayer:WaitForChild("PlayerScripts")
    local controllers = PlayerScripts:WaitForChild("Controllers")
    for _, module in controllers:GetChildren() do
        print(module.Name)
    end
    for _, class in script.Parent:WaitForChild("Framework"):GetChildren() do
        print(class.Name)
    end
    """
    placement = infer_placement(code, ScriptKind.LOCAL_SCRIPT)
    plan = planned_classes(placement.scaffold)
    assert plan[("Players.Player1.PlayerScripts", "Controllers")] == "Folder"
    # script_path is where the script sits: its Parent.
    assert plan[(placement.script_path, "Framework")] == "Folder"
    # The player's own PlayerScripts is there already: never built again.
    assert not any(name == "PlayerScripts" for _, name in plan)


def test_a_client_module_finds_in_its_player_gui_what_a_local_script_would() -> None:
    # Required from a client (its code leans to client APIs), a module waits for
    # the ScreenGui StarterGui copies into the local player's PlayerGui.
    code = """
    local Players = game:GetService("Players")
    local Player = Players.LocalPlayer
    local Gui = Player:WaitForChild("PlayerGui"):WaitForChild("Console"):WaitForChild("Frame")
    local Window = {}
    function Window.show()
        Gui.Visible = true
    end
    return Window
    """
    plan = planned(code, ScriptKind.MODULE_SCRIPT)
    assert plan[("Players.Player1.PlayerGui", "Console")] == "ScreenGui"
    assert plan[("Players.Player1.PlayerGui.Console", "Frame")] == "Frame"


def test_a_script_in_a_viewport_frame_an_input_action_or_an_actor_gets_one() -> None:
    viewport = (
        "local viewportFrame = script.Parent\n"
        'local camera = Instance.new("Camera")\n'
        "camera.Parent = viewportFrame\n"
        "viewportFrame.CurrentCamera = camera\n"
    )
    placed = infer_placement(viewport, ScriptKind.LOCAL_SCRIPT)
    assert placed.container == "viewport"
    assert placed.script_path.endswith("ScreenGui.ViewportFrame")
    action = "local action = script.Parent\naction.Pressed:Connect(function() print('go') end)\n"
    placed = infer_placement(action, ScriptKind.LOCAL_SCRIPT)
    assert placed.container == "inputaction"
    assert placed.script_path.endswith("InputContext.InputAction")
    actor = 'local worker = workspace.WorkerActor\nworker:SendMessage("Greeting", "Hi")\n'
    built = infer_placement(actor, ScriptKind.SCRIPT).scaffold
    assert {"parent": "Workspace", "name": "WorkerActor", "class": "Actor"} in built


def test_a_place_s_spawn_a_player_respawns_at_and_its_sounds_are_built() -> None:
    respawn = (
        "local lobbySpawn = workspace.Lobby.StartSpawn\n"
        "game.Players.PlayerAdded:Connect(function(player)\n"
        "\tplayer.RespawnLocation = lobbySpawn\n"
        "end)\n"
    )
    built = infer_placement(respawn, ScriptKind.SCRIPT).scaffold
    assert {"parent": "Workspace.Lobby", "name": "StartSpawn", "class": "SpawnLocation"} in built
    music = (
        'local SoundService = game:GetService("SoundService")\n'
        "SoundService.BackgroundMusic:Play()\n"
    )
    built = infer_placement(music, ScriptKind.LOCAL_SCRIPT).scaffold
    assert {"parent": "SoundService", "name": "BackgroundMusic", "class": "Sound"} in built


def test_a_script_in_a_part_it_pushes_and_gui_objects_named_for_their_class() -> None:
    push = "local part = script.Parent\npart:ApplyAngularImpulse(Vector3.new(0, 50, 0))\n"
    assert infer_placement(push, ScriptKind.SCRIPT).container == "part"
    gui = (
        "local player = game:GetService('Players').LocalPlayer\n"
        "local button = player.PlayerGui:WaitForChild('Shop'):WaitForChild('BuyImageButton')\n"
        "button.ImageColor3 = Color3.new(1, 0, 0)\n"
    )
    built = infer_placement(gui, ScriptKind.LOCAL_SCRIPT).scaffold
    assert any(i["name"] == "BuyImageButton" and i["class"] == "ImageButton" for i in built)


def test_a_script_that_reaches_its_tool_as_its_grandparent_sits_in_the_handle() -> None:
    code = (
        "local tool = script.Parent.Parent\n"
        "tool.Equipped:Connect(function() print(tool.Handle.Name) end)\n"
    )
    placed = infer_placement(code, ScriptKind.SCRIPT)
    assert placed.container == "handle"
    assert placed.script_path == "Workspace.Tool.Handle"
    # A grandparent used as something else stays where it was.
    other = "local model = script.Parent.Parent\nprint(model.Name)\n"
    assert infer_placement(other, ScriptKind.SCRIPT).container != "handle"


def test_a_model_reached_through_a_local_holding_the_grandparent_is_built() -> None:
    code = (
        "local buttonModel = script.Parent.Parent\n"
        "local buttonPart = buttonModel.ButtonPart\n"
        "local pressed = buttonModel.ButtonPressedAudioPlayer\n"
        "buttonPart.Touched:Connect(function() pressed:Play() end)\n"
    )
    placed = infer_placement(code, ScriptKind.SCRIPT)
    built = planned_classes(placed.scaffold)
    assert built[("Workspace.Model", "ButtonPart")] == "Part"
    # A name ending in a class name of two words or more is that class.
    assert built[("Workspace.Model", "ButtonPressedAudioPlayer")] == "AudioPlayer"


def test_a_container_local_named_for_a_class_whose_use_fits_it_is_that_class() -> None:
    # `Activated` is a button's and a tool's: the local's name says which, and the
    # client script then finds its player two parents up (Backpack, then Player).
    code = (
        "local tool = script.Parent\n"
        "local player = tool.Parent.Parent\n"
        'local humanoid = (player.Character or player.CharacterAdded:Wait()):WaitForChild("Humanoid")\n'
        "tool.Activated:Connect(function() humanoid.WalkSpeed = 32 end)\n"
    )
    placement = infer_placement(code, ScriptKind.LOCAL_SCRIPT)
    assert placement.script_path == "Players.Player1.Backpack.Tool"
    run = run_script(code, kind="LocalScript", isolate=False)
    assert run.status is RunStatus.OK and not run.errors, run.errors
    # A name that does not fit the use says nothing: a `tool` clicked like a button.
    button = infer_placement(
        "local tool = script.Parent\ntool.MouseButton1Click:Connect(print)\n",
        ScriptKind.LOCAL_SCRIPT,
    )
    assert button.container == "button"


def test_what_the_code_waits_for_in_an_ancestor_held_by_a_local_is_built_there() -> None:
    # Prompt in a part in the workspace: the door is the part's sibling.
    prompt = (
        "local prompt = script.Parent\n"
        "local attachment = prompt.Parent\n"
        'local door = attachment.Parent:WaitForChild("Door")\n'
        "prompt.Triggered:Connect(function() door.CanCollide = false end)\n"
    )
    plan = planned(prompt, ScriptKind.SCRIPT)
    assert plan[("Workspace", "Door")] == "Part"
    run = run_script(prompt, kind="Script", isolate=False)
    assert run.status is RunStatus.OK and not run.never_resumed, run.never_resumed
    # A client script in PlayerScripts reaches its player as its parent's parent.
    client = (
        "local player = script.Parent.Parent\n"
        'local coins = player:WaitForChild("leaderstats"):WaitForChild("Coins")\n'
        'coins.Changed:Connect(function(v) print("coins", v) end)\n'
    )
    plan = planned(client, ScriptKind.LOCAL_SCRIPT)
    assert plan[("Players.Player1", "leaderstats")] == "Folder"
    assert plan[("Players.Player1.leaderstats", "Coins")] == "IntValue"


def test_a_grandparent_the_code_waits_in_nests_a_server_script_in_a_model() -> None:
    code = (
        'local lamp = script.Parent.Parent:WaitForChild("Lamp")\n'
        "script.Parent.ClickDetector.MouseClick:Connect(function()\n"
        "\tlamp.PointLight.Enabled = not lamp.PointLight.Enabled\n"
        "end)\n"
    )
    placement = infer_placement(code, ScriptKind.SCRIPT)
    plan = planned_classes(placement.scaffold)
    assert placement.script_path.startswith("Workspace.Model.")
    assert plan[("Workspace.Model", "Lamp")] == "Part"
    assert plan[("Workspace.Model.Lamp", "PointLight")] == "PointLight"
    run = run_script(code, kind="Script", isolate=False)
    assert run.status is RunStatus.OK and not run.errors and not run.never_resumed


def test_a_handle_script_reaching_its_tool_through_a_local_sits_in_the_handle() -> None:
    code = (
        "local handle = script.Parent\n"
        "local tool = handle.Parent\n"
        'tool.Activated:Connect(function() print("swing", handle.Name) end)\n'
    )
    assert infer_placement(code, ScriptKind.SCRIPT).script_path == "Workspace.Tool.Handle"


def test_a_buttons_parent_used_as_a_frame_is_a_frame_in_the_screen_gui() -> None:
    code = (
        "local button = script.Parent\n"
        "local frame = button.Parent\n"
        'local title = frame:WaitForChild("Title")\n'
        "button.MouseButton1Click:Connect(function()\n"
        "\tframe.Visible = not frame.Visible\n"
        '\ttitle.Text = "Opened"\n'
        "end)\n"
    )
    placement = infer_placement(code, ScriptKind.LOCAL_SCRIPT)
    gui = "Players.Player1.PlayerGui.ScreenGui"
    assert placement.script_path == f"{gui}.Frame.TextButton"
    plan = planned_classes(placement.scaffold)
    assert plan[(gui, "Frame")] == "Frame"
    assert plan[(f"{gui}.Frame", "Title")] == "TextLabel"
    run = run_script(code, kind="LocalScript", isolate=False)
    assert run.status is RunStatus.OK and not run.errors and not run.never_resumed


def test_leaderstats_the_code_uses_but_never_makes_are_in_every_player() -> None:
    # Roblox's tutorials pair a script that pays points with the leaderboard script
    # that makes them: every player holds the stats the code reaches.
    code = (
        'local Players = game:GetService("Players")\n'
        "script.Parent.Touched:Connect(function(hit)\n"
        "\tlocal player = Players:GetPlayerFromCharacter(hit.Parent)\n"
        "\tif player then\n"
        "\t\tplayer.leaderstats.Points.Value += 1\n"
        "\tend\n"
        "end)\n"
    )
    plan = planned(code, ScriptKind.SCRIPT)
    assert plan[("Players.*", "leaderstats")] == "Folder"
    assert plan[("Players.*.leaderstats", "Points")] == "IntValue"
    run = run_script(code, kind="Script", isolate=False)
    assert run.status is RunStatus.OK and not run.errors, run.errors
    assert run.effects["handlerCalls"] >= 1
    # Through locals, with the value's kind from its use.
    held = (
        "game.Players.PlayerAdded:Connect(function(player)\n"
        '\tlocal stats = player:WaitForChild("leaderstats")\n'
        '\tlocal title = stats:WaitForChild("Title")\n'
        '\ttitle.Value = "Rookie"\n'
        "end)\n"
    )
    plan = planned(held, ScriptKind.SCRIPT)
    assert plan[("Players.*.leaderstats", "Title")] == "StringValue"
    # A script that makes leaderstats itself gets none from elsewhere.
    maker = (
        "game.Players.PlayerAdded:Connect(function(player)\n"
        '\tlocal stats = Instance.new("Folder")\n'
        '\tstats.Name = "leaderstats"\n'
        "\tstats.Parent = player\n"
        "\tprint(player.leaderstats.Name)\n"
        "end)\n"
    )
    assert not any(
        i["parent"].startswith("Players.*")
        for i in infer_placement(maker, ScriptKind.SCRIPT).scaffold
    )


def test_a_waited_for_instance_used_by_a_member_of_a_part_is_a_part() -> None:
    code = (
        'local goal = workspace:WaitForChild("Goal")\n'
        'local npc = workspace:WaitForChild("NPC")\n'
        'npc:WaitForChild("Humanoid"):MoveTo(goal.Position)\n'
    )
    plan = planned(code, ScriptKind.SCRIPT)
    assert plan[("Workspace", "Goal")] == "Part"


def test_a_parent_whose_event_only_one_kind_of_instance_has_is_that_instance() -> None:
    code = (
        "local dialog = script.Parent\n"
        "dialog.DialogChoiceSelected:Connect(function(player, choice)\n"
        "\tprint(player.Name, choice.Name)\n"
        "end)\n"
    )
    placement = infer_placement(code, ScriptKind.SCRIPT)
    assert placement.script_path == "Workspace.Part.Dialog"
    run = run_script(code, kind="Script", isolate=False)
    assert run.status is RunStatus.OK and not run.errors
    # A ModuleScript's parent is where its siblings are, whatever their names.
    module = infer_placement("return script.Parent.Error\n", ScriptKind.MODULE_SCRIPT)
    assert module.container == "default"


def test_a_gui_waited_for_and_scrolled_is_a_scrolling_frame() -> None:
    code = (
        "local gui = script.Parent\n"
        'local list = gui:WaitForChild("ItemList")\n'
        "list.CanvasSize = UDim2.new(0, 0, 0, 400)\n"
    )
    plan = planned(code, ScriptKind.LOCAL_SCRIPT)
    assert plan[("Players.Player1.PlayerGui.ScreenGui", "ItemList")] == "ScrollingFrame"


def test_what_the_workspace_holds_and_the_code_only_hands_on_is_a_part() -> None:
    code = (
        'local zone = workspace:WaitForChild("SafeZone")\n'
        "for _, part in workspace:GetPartsInPart(zone) do print(part) end\n"
    )
    plan = planned(code, ScriptKind.SCRIPT)
    assert plan[("Workspace", "SafeZone")] == "Part"
    # Indexed further, it is a container the chain decides, not a part.
    nested = 'local nodes = workspace:WaitForChild("Train").Nodes\nprint(nodes)\n'
    plan = planned(nested, ScriptKind.SCRIPT)
    assert plan.get(("Workspace", "Train")) != "Part"


def test_statements_sharing_a_line_each_hold_what_they_wait_for() -> None:
    # Minified code: the second local holds the remotes folder, not the first.
    code = (
        'local Players=game:GetService("Players");local RS=game:GetService("ReplicatedStorage")\n'
        'local player=Players.LocalPlayer;local remotes=RS:WaitForChild("Remotes");'
        'local action=remotes:WaitForChild("Action")::RemoteEvent\n'
        "print(player.DisplayName)\naction:FireServer(1)\n"
    )
    plan = planned(code, ScriptKind.LOCAL_SCRIPT)
    assert plan[("ReplicatedStorage", "Remotes")] == "Folder"
    assert plan[("ReplicatedStorage.Remotes", "Action")] == "RemoteEvent"


def test_an_instance_is_the_class_of_what_the_code_hands_it_to() -> None:
    # A parameter typed as an Instance says its class by its name (the API dump's
    # `AddAccessory(accessory)`); a typed one by its type (`GetPartsInPart(part: BasePart)`).
    hat = (
        'local hat = game:GetService("ServerStorage"):WaitForChild("Hat")\n'
        "script.Parent.Touched:Connect(function(hit)\n"
        '\tlocal humanoid = hit.Parent:FindFirstChild("Humanoid")\n'
        "\tif humanoid then\n"
        "\t\tlocal clone = hat:Clone()\n"
        "\t\thumanoid:AddAccessory(clone)\n"
        "\tend\n"
        "end)\n"
    )
    plan = planned(hat, ScriptKind.SCRIPT)
    assert plan[("ServerStorage", "Hat")] == "Accessory"
    run = run_script(hat, kind="Script", isolate=False)
    assert run.status is RunStatus.OK and not run.errors and not run.never_resumed
    # What the code puts in a player's Backpack is a Tool.
    giver = (
        'local sword = game:GetService("ServerStorage"):WaitForChild("Sword")\n'
        "game.Players.PlayerAdded:Connect(function(player)\n"
        '\tlocal backpack = player:WaitForChild("Backpack")\n'
        "\tsword:Clone().Parent = backpack\n"
        "end)\n"
    )
    plan = planned(giver, ScriptKind.SCRIPT)
    assert plan[("ServerStorage", "Sword")] == "Tool"


def test_a_gui_a_client_holds_from_its_players_player_gui_is_built_with_its_children() -> None:
    code = (
        'local player = game:GetService("Players").LocalPlayer\n'
        'local gui = player.PlayerGui:WaitForChild("ScreenGui")\n'
        "local frame = gui.Frame\n"
        "local recycle = frame.recycleButton\n"
        "recycle.Activated:Connect(function() frame.Visible = false end)\n"
    )
    plan = planned(code, ScriptKind.LOCAL_SCRIPT)
    gui = "Players.Player1.PlayerGui.ScreenGui"
    assert plan[(gui, "Frame")] == "Frame"
    assert plan[(f"{gui}.Frame", "recycleButton")] == "TextButton"
    run = run_script(code, kind="LocalScript", isolate=False)
    assert run.status is RunStatus.OK and not run.errors


def test_a_remote_argument_stored_in_a_value_the_script_made_is_that_values_type() -> None:
    code = (
        'local remote = Instance.new("RemoteEvent", game.ReplicatedStorage)\n'
        'local bombs = Instance.new("NumberValue", game.ReplicatedStorage)\n'
        "remote.OnServerEvent:Connect(function(player, count)\n"
        "\tbombs.Value = count\n"
        "end)\n"
    )
    assert remote_handler_args(code) == {3: ("number",)}
    run = run_script(code, kind="Script", isolate=False)
    assert run.status is RunStatus.OK and not run.errors


def test_what_the_code_does_with_copies_of_a_template_says_its_class() -> None:
    coins = (
        'local template = game:GetService("ServerStorage"):WaitForChild("Coin")\n'
        "local coin = template:Clone()\n"
        "coin.Position = Vector3.new(0, 5, 0)\n"
        "coin.Parent = workspace\n"
        "coin.Touched:Connect(function() coin:Destroy() end)\n"
    )
    plan = planned(coins, ScriptKind.SCRIPT)
    assert plan[("ServerStorage", "Coin")] == "Part"
    tag = (
        'local template = game:GetService("ServerStorage"):WaitForChild("NameTag")\n'
        "local tag = template:Clone()\n"
        "tag.Adornee = workspace.Baseplate\n"
    )
    plan = planned(tag, ScriptKind.SCRIPT)
    assert plan[("ServerStorage", "NameTag")] == "BillboardGui"


def test_a_child_given_a_udim2_is_a_gui_object() -> None:
    # `Size` alone is a part's as much as a GUI object's: the UDim2 says which.
    code = (
        "local gui = script.Parent\n"
        'local bar = gui:WaitForChild("HealthBar"):WaitForChild("Fill")\n'
        "bar.Size = UDim2.fromScale(0.5, 1)\n"
    )
    placement = infer_placement(code, ScriptKind.LOCAL_SCRIPT)
    plan = planned_classes(placement.scaffold)
    fill = [cls for (parent, name), cls in plan.items() if name == "Fill"]
    assert fill == ["Frame"]
    run = run_script(code, kind="LocalScript", isolate=False)
    assert run.status is RunStatus.OK and not run.errors and not run.never_resumed


def test_a_server_scripts_parent_with_a_position_is_a_part() -> None:
    code = (
        "local platform = script.Parent\n"
        "local goal = { Position = platform.Position + Vector3.new(0, 0, 20) }\n"
        'game:GetService("TweenService"):Create(platform, TweenInfo.new(3), goal):Play()\n'
    )
    placement = infer_placement(code, ScriptKind.SCRIPT)
    assert placement.container == "part"
    run = run_script(code, kind="Script", isolate=False)
    assert run.status is RunStatus.OK and not run.errors


def test_a_client_scripts_parent_used_as_a_gui_object_is_one() -> None:
    # By a member only GUI objects among the likely classes have...
    image = (
        'local Players = game:GetService("Players")\n'
        "local image = script.Parent\n"
        "image.Image = Players:GetUserThumbnailAsync(Players.LocalPlayer.UserId,"
        " Enum.ThumbnailType.HeadShot, Enum.ThumbnailSize.Size100x100)\n"
    )
    placement = infer_placement(image, ScriptKind.LOCAL_SCRIPT)
    assert placement.script_path.endswith(".ImageLabel")
    run = run_script(image, kind="LocalScript", isolate=False)
    assert run.status is RunStatus.OK and not run.errors
    # ...or by the name its local gives it.
    button = 'local button = script.Parent\ngame:GetService("GuiService").SelectedObject = button\n'
    assert infer_placement(button, ScriptKind.LOCAL_SCRIPT).script_path.endswith(".TextButton")
    # A server script's parent is no GUI object by a name.
    assert infer_placement(button, ScriptKind.SCRIPT).container == "default"


def test_a_wait_given_to_a_tables_field_takes_its_class_from_the_fields_use() -> None:
    code = (
        'local ReplicatedStorage = game:GetService("ReplicatedStorage")\n'
        "local RoundService = {}\n"
        'RoundService.Status = ReplicatedStorage:WaitForChild("Status")\n'
        'RoundService.Status.Value = "Waiting for players"\n'
        "return RoundService\n"
    )
    assert planned(code, ScriptKind.MODULE_SCRIPT)[("ReplicatedStorage", "Status")] == "StringValue"


def test_a_handler_parameter_is_read_by_its_whole_name_not_one_it_begins() -> None:
    # One pattern serves every parameter's name: a use of a longer name that starts
    # with it (`itemCount`, `item_id`) says nothing of `item`, and a use of `item`
    # after such uses is still found.
    code = (
        "local PRICES = { Sword = 100, Shield = 50 }\n"
        "local LIMITS = { Bow = 1 }\n"
        "remote.OnServerEvent:Connect(function(player, item, itemCount)\n"
        "\tlocal item_id = LIMITS[itemCount] or LIMITS[item_id]\n"
        "\tif typeof(itemCount) ~= 'number' then return end\n"
        "\tlocal price = PRICES[item]\n"
        "end)\n"
    )
    assert remote_handler_args(code) == {3: ("string=Sword", "number")}
    # The same use spelt for another parameter: `item` is no longer looked up.
    other = code.replace("PRICES[item]\n", "PRICES[itemName]\n")
    assert remote_handler_args(other)[3][0] == "string"


def test_a_name_spelt_as_a_string_is_only_a_literal_of_its_own() -> None:
    # What a script names in a string it may create itself; a lookup's argument,
    # or the name inside a longer string, is not that.
    from luaurft.roblox.scaffold import _is_named_in_code

    text = (
        'local gui = player:WaitForChild( "Menu" )\n'
        "print(\"open the 'Shop' tab\")\n"
        'local folder = Instance.new("Folder"); folder.Name = "Coins"\n'
    )
    assert not _is_named_in_code(text, "Menu")
    assert not _is_named_in_code(text, "Shop")
    assert _is_named_in_code(text, "Coins")
    assert _is_named_in_code(text, "Folder")
    assert not _is_named_in_code(text, "Gems")
    # Asked in any order on one text (its literals are read once, as far as needed).
    assert [_is_named_in_code(text, n) for n in ("Coins", "Menu", "Folder", "Shop")] == [
        True,
        False,
        True,
        False,
    ]


def test_stats_reached_off_a_held_leaderstats_are_built_by_whole_name() -> None:
    code = (
        "local Players = game:GetService('Players')\n"
        "Players.PlayerAdded:Connect(function(player)\n"
        "\tlocal stats = player:WaitForChild('leaderstats')\n"
        "\tlocal statsBackup = {}\n"
        "\tstatsBackup.Ignored = 1\n"
        "\tstats.Coins.Value += 1\n"
        "\tstats:WaitForChild('Gems').Value = 'x' .. stats.Coins.Value\n"
        "end)\n"
    )
    stat_names = {
        item["name"]
        for item in infer_placement(code, ScriptKind.SCRIPT).scaffold
        if item["parent"].endswith(".leaderstats")
    }
    assert stat_names == {"Coins", "Gems"}
