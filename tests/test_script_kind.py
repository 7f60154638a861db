"""Script kind from the code alone: each signal of the client/server table
(`roblox/data/api/context.toml`), their weights, the naming conventions, the module
shapes, and the reason the card carries when the signals are weak, absent or in
conflict."""

from __future__ import annotations

import pytest

from luaurft.luau import LuauSource
from luaurft.luau.kind import (
    NO_SIDE_SIGNAL,
    ScriptKind,
    detect_kind,
    kind_with_reason,
    module_side,
)

CLIENT = ScriptKind.LOCAL_SCRIPT
SERVER = ScriptKind.SCRIPT
MODULE = ScriptKind.MODULE_SCRIPT


@pytest.mark.parametrize(
    ("code", "kind"),
    [
        # client-only APIs
        ("local player = game:GetService('Players').LocalPlayer\nprint(player)\n", CLIENT),
        ("remote:FireServer('jump')\n", CLIENT),
        ("game:GetService('RunService').RenderStepped:Connect(step)\n", CLIENT),
        # client hints: GUI events, the loading screen, Knit controllers
        ("script.Parent.MouseButton1Click:Connect(open)\n", CLIENT),
        ("game:GetService('ReplicatedFirst'):RemoveDefaultLoadingScreen()\n", CLIENT),
        ("Knit.AddControllers(script.Controllers)\nKnit.Start()\n", CLIENT),
        # TextChatService: message callbacks, bubbles and system messages are the client's
        ("TextChatService.OnIncomingMessage = function(message) return nil end\n", CLIENT),
        ('channel:DisplaySystemMessage("Welcome!")\n', CLIENT),
        ("TextChatService.BubbleChatConfiguration.TailVisible = false\n", CLIENT),
        # the mouse and a TextBox's focus are the client's
        ("tool.Equipped:Connect(function(mouse) mouse.Button1Down:Connect(fire) end)\n", CLIENT),
        ("script.Parent:ReleaseFocus()\n", CLIENT),
        # GUI-only members on the script's own parent: it sits in a GUI
        ("local label = script.Parent\nlabel.MaxVisibleGraphemes = 0\n", CLIENT),
        ('script.Parent.Text = "Time\'s up!"\n', CLIENT),
        ('local label = script.Parent :: TextLabel\nlabel.Text = "Ready"\n', CLIENT),
        # a local holding the script's parent named for a GUI object it sits in
        ("local textLabel = script.Parent\ntextLabel.Visible = false\n", CLIENT),
        ("local mainFrame = script.Parent\nmainFrame.Position = pos\n", CLIENT),
        ("local button = script.Parent\nbutton.Activated:Connect(play)\n", CLIENT),
        # server-only APIs
        ("remote.OnServerEvent:Connect(function(player) end)\n", SERVER),
        ("local store = game:GetService('DataStoreService'):GetDataStore('Coins')\n", SERVER),
        # server hints: players joining, shutdown, physics ownership, made remotes, Knit services
        ("game.Players.PlayerAdded:Connect(function(player) end)\n", SERVER),
        ("game:BindToClose(function() save() end)\n", SERVER),
        ("part:SetNetworkOwner(nil)\n", SERVER),
        ('local remote = Instance.new("RemoteEvent")\nremote.Parent = workspace\n', SERVER),
        ("Knit.AddServices(script.Services)\nKnit.Start()\n", SERVER),
        ("channel.ShouldDeliverCallback = function(message, source) return true end\n", SERVER),
    ],
)
def test_each_side_signal_decides_the_kind_without_doubt(code: str, kind: ScriptKind) -> None:
    assert kind_with_reason(code) == (kind, None)


def test_a_side_api_outweighs_a_hint_of_the_other_side_and_the_card_says_both() -> None:
    code = (
        "local Players = game:GetService('Players')\n"
        "local me = Players.LocalPlayer\n"
        "Players.PlayerAdded:Connect(function(other) print(other, me) end)\n"
    )
    kind, reason = kind_with_reason(code)
    assert kind is CLIENT
    assert reason is not None and "both used" in reason
    assert "LocalPlayer" in reason and "PlayerAdded" in reason


def test_a_hint_against_the_projects_own_names_is_followed_and_said() -> None:
    # A server framework's entry hands each player's PlayerGui a part: the one
    # hint says client, the project's names say server; neither is proof.
    code = (
        "local ServerApi = require(script.ServerApi)\n"
        "ServerApi.create({ start = function(player) thing.Parent = player.PlayerGui end })\n"
        'print("Server ready")\n'
    )
    kind, reason = kind_with_reason(code)
    assert kind is CLIENT
    assert reason is not None
    assert "only hints (PlayerGui) say client" in reason and "ServerApi" in reason
    # With no names against it, a hint alone still decides without doubt.
    assert kind_with_reason("thing.Parent = player.PlayerGui\n") == (CLIENT, None)


def test_a_tie_between_the_sides_is_taken_as_a_server_script_and_said() -> None:
    kind, reason = kind_with_reason("remote:FireServer()\nremote2:FireClient(p)\n")
    assert kind is SERVER
    assert reason is not None and "FireServer" in reason and "FireClient" in reason


@pytest.mark.parametrize(
    ("code", "kind", "named"),
    [
        ("require(script.BallClient)\n", CLIENT, "BallClient"),
        (
            "local Controllers = script.Controllers\nrequire(Controllers.Shop).start()\n",
            CLIENT,
            "Controllers",
        ),
        ('print("Hello world, from client!")\n', CLIENT, "client"),
        ("local camera = require(script.Camera)\n", CLIENT, "Camera"),
        # What only a player's machine has: GUIs, input, visuals, the mouse.
        ("require(script:WaitForChild('WorldVisuals')).start()\n", CLIENT, "WorldVisuals"),
        ("local shopGui = script.Parent.ShopGui\nshopGui.Enabled = true\n", CLIENT, "ShopGui"),
        ("require(script.PlayerInput).bind()\n", CLIENT, "PlayerInput"),
        ("require(script.GameServer).start()\n", SERVER, "GameServer"),
        # A leading Client or Server says whose the thing is.
        ("require(script.ClientHook).start()\n", CLIENT, "ClientHook"),
        ("local role = require(script.ServerRole).get()\n", SERVER, "ServerRole"),
        (
            "for _, s in script.Services:GetChildren() do require(s).init() end\n",
            SERVER,
            "Services",
        ),
    ],
)
def test_without_any_api_the_projects_own_names_decide_and_the_card_says_so(
    code: str, kind: ScriptKind, named: str
) -> None:
    got, reason = kind_with_reason(code)
    assert got is kind
    assert reason is not None and "no client or server API" in reason
    assert f"its names ({named}" in reason


@pytest.mark.parametrize(
    "code",
    [
        # Roblox's own services end in Service but say nothing about the side.
        "local TweenService = game:GetService('TweenService')\nTweenService:Create(p, info, goal):Play()\n",
        # A name's last word is what it is: a ServiceBag is a bag.
        "local bag = require(ServiceBag).new()\nbag:Start()\n",
        "workspace.Gravity = 50\n",
        # Roblox's classes are the engine's objects, not the project's client code.
        'local animationController = rig:WaitForChild("AnimationController")\n'
        "animationController:LoadAnimation(kick):Play()\n",
        # A member of Roblox's API is the engine's name (a Beam's FaceCamera), and a
        # GUI member on something other than the script's parent says nothing.
        'local beam = Instance.new("Beam")\nbeam.FaceCamera = true\n',
        "local model = script.Parent.Parent\nmodel.Text = 'x'\n",
        # A member other instances a script sits in have too (a constraint's Visible).
        "script.Parent.Visible = false\n",
        # A part called a button or a hit box, and a GUI in the world (Scripts run there).
        "local button = script.Parent\nbutton.Touched:Connect(press)\n",
        "local hitBox = script.Parent\nhitBox.Touched:Connect(hit)\n",
        "local billboardGui = script.Parent\nbillboardGui.Enabled = true\n",
    ],
)
def test_no_signal_at_all_is_an_assumed_server_script_with_a_reason(code: str) -> None:
    kind, reason = kind_with_reason(code)
    assert kind is SERVER
    assert reason == NO_SIDE_SIGNAL
    assert reason.startswith("no client or server API")


def test_a_comment_about_the_script_itself_names_its_side_before_its_names_do() -> None:
    kind, reason = kind_with_reason("-- Client entry point\nrequire(script.Main).start()\n")
    assert kind is CLIENT
    assert reason is not None and "its comments (Client entry)" in reason
    # What the script says it is outweighs a module's name (a client's InputService).
    kind, reason = kind_with_reason(
        "--[[ For client only functionality ]]\nrequire(script.InputService)\n"
    )
    assert kind is CLIENT and reason is not None and "its comments (client only)" in reason
    # A comment that only mentions clients says nothing: a server entry's names decide.
    kind, _ = kind_with_reason(
        "-- make the remotes before any client asks for them\nrequire(script.Services.Data).init()\n"
    )
    assert kind is SERVER
    # Clients described from the server are the other side, not this script's.
    kind, reason = kind_with_reason(
        "-- Clients read the status from this value.\nlocal status = workspace.Status\n"
        "status.Value = 'Intermission'\n"
    )
    assert kind is SERVER and reason == NO_SIDE_SIGNAL
    kind, reason = kind_with_reason("-- The only Script on the server.\nrequire(script.Main)()\n")
    assert kind is SERVER and reason is not None and "Script on the server" in reason


def test_the_tag_its_messages_open_with_names_the_side_before_its_names_do() -> None:
    # A client boot that requires client-side modules called services.
    code = (
        'print("[Client] Booting")\n'
        "local Billboards = require(script.Parent.Services.UnitBillboardService)\n"
        "Billboards.start()\n"
    )
    kind, reason = kind_with_reason(code)
    assert kind is CLIENT
    assert reason is not None and "its messages ([Client])" in reason
    kind, reason = kind_with_reason('warn("[SERVER/Data] ready")\nrequire(script.Controllers)\n')
    assert kind is SERVER and reason is not None and "[SERVER/Data]" in reason
    # Only a tag that opens the message: a client mentioned inside one is a name.
    kind, reason = kind_with_reason('print("sent [client] data")\nrequire(script.Services)\n')
    assert reason is not None and "messages" not in reason


@pytest.mark.parametrize(
    "code",
    [
        "local M = {}\nreturn M\n",
        "local create = function() end\nreturn (create :: any) :: Create\n",
        "local M = {\n\ta = 1,\n}\nreturn {\n\tM = M,\n}\n",
        # A re-export that raises when the dependency is missing.
        "local P = script.Parent:FindFirstChild('Promise')\n"
        "if P then\n\treturn require(P)\nelse\n\terror('no Promise')\nend\n",
        # A Jest spec: a module the test runner requires, with no return.
        "local JestGlobals = require(Packages.JestGlobals)\nlocal describe = JestGlobals.describe\n"
        "describe('x', function() end)\n",
        # Newer Luau syntax the grammar cannot parse still ends in a margin return.
        "type function f(t)\n  return t\nend\nreturn {\n\ta = 1,\n}\n",
        # A types-only module: its exported types are all it gives a requirer.
        "-- Types\nexport type Cat = {\n\tName: string,\n\tMeow: (Cat) -> (),\n}\ntype Id = number\n",
    ],
)
def test_module_shapes(code: str) -> None:
    assert kind_with_reason(code) == (MODULE, None)


def test_code_that_also_exports_a_type_is_not_taken_for_a_module() -> None:
    code = "export type Team = { name: string }\nprint(game.Players.LocalPlayer)\n"
    assert kind_with_reason(code)[0] is CLIENT


def test_an_if_that_only_returns_early_is_not_a_module() -> None:
    kind, _ = kind_with_reason("local ok = check()\nif not ok then\n\treturn\nend\nprint(ok)\n")
    assert kind is SERVER


def test_a_module_leans_by_the_same_weights() -> None:
    code = "local M = {}\nM.me = game.Players.LocalPlayer\ngame.Players.PlayerAdded:Connect(print)\nreturn M\n"
    assert module_side(code) == "client"
    assert (
        module_side("local M = {}\nM.s = game:GetService('ServerStorage')\nreturn M\n") == "server"
    )


@pytest.mark.parametrize(
    "code",
    [
        "require(script.BallClient)\n",
        'print("Hello world, from client!")\n',
        "require(script.GameServer).start()\n",
        "-- Client entry point\nrequire(script.Main).start()\n",
        # names inside an interpolated string are that string's words, counted once
        "local a = require(script.BallClient)\nlocal b = require(script.MenuClient)\nprint(`{a.GameServer}`, b)\n",
        # names in types, builtin types and contextual keywords
        "type Handler = (client: ClientState) -> ()\nlocal function f(a: number): ServerThing\n\treturn a\nend\nf(1)\n",
        "export type Ui = { hud: HudFrame }\nlocal x: Ui? = nil\nprint(x)\n",
        "workspace.Gravity = 50\n",
    ],
)
def test_the_tree_and_the_lexer_read_the_same_side_words(code: str) -> None:
    from luaurft.luau.source import LuauSource

    source = LuauSource(code)
    assert source.compiles and not source.tree_has_errors  # the tree is what answers
    assert kind_with_reason(source) == kind_with_reason(code)


def test_a_side_table_the_one_scan_cannot_read_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    from luaurft.luau import kind

    def table_with(hints: dict[str, object]) -> dict[str, object]:
        return {"client_only": {"services": {"UserInputService": ""}}, "client_hints": hints}

    for hints, says in (
        ({"names": ["Local Player"]}, "single words"),
        ({"names": ["Instance"], "created": ["ScreenGui"]}, "created"),
    ):
        monkeypatch.setattr(kind, "_side_table", lambda hints=hints: table_with(hints))
        kind.side_api_names.cache_clear()
        kind._side_scan.cache_clear()
        with pytest.raises(ValueError, match=says):
            kind._side_scan()
    monkeypatch.undo()
    kind.side_api_names.cache_clear()
    kind._side_scan.cache_clear()
    assert detect_kind("local p = game.Players.LocalPlayer\n") is ScriptKind.LOCAL_SCRIPT


@pytest.mark.parametrize("parsed", [True, False], ids=["tree", "lexer"])
def test_apis_named_in_comments_or_inside_text_are_not_used_by_the_code(parsed: bool) -> None:
    # A server script that talks about RenderStepped in a comment and writes a
    # client script's source into a string is still a server script.
    code = (
        "--[[ One heartbeat for every system, not a RenderStepped each. ]]\n"
        'local teleporter = Instance.new("Part")\n'
        'local child = Instance.new("Script")\n'
        "child.Source = [[\n"
        '\tgame:GetService("ReplicatedStorage").Remotes.Teleport:FireServer()\n'
        "]]\n"
        "child.Parent = teleporter\n"
        "game:BindToClose(function() print('closing') end)\n"
    )
    text = code if parsed else code + "local broken = (\n"
    kind, reason = kind_with_reason(LuauSource(text))
    assert (kind, reason) == (ScriptKind.SCRIPT, None)
    # A one-word string is a name the code uses: the service it asks for.
    kind, reason = kind_with_reason(
        LuauSource('local input = game:GetService("UserInputService")\n')
    )
    assert (kind, reason) == (ScriptKind.LOCAL_SCRIPT, None)
