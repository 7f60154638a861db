"""The mock Roblox runtime behaves like Roblox where game scripts depend on it."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from luaurft.luau.sandbox import RunStatus, to_python
from luaurft.roblox import mock
from luaurft.roblox.mock import DataStoreOptions, MockWorld, ScriptRun, run_script

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
DUMP = SHARED / "roblox-api" / "Full-API-Dump.json"


def run(code: str, kind: str = "Script", seconds: float = 5.0, **options) -> ScriptRun:
    result = run_script(code, kind=kind, seconds=seconds, **options)
    assert not result.engine_errors, result.engine_errors
    return result


def lines(code: str, **options) -> list[str]:
    result = run(code, **options)
    assert result.status is RunStatus.OK, (result.error, [e.message for e in result.errors])
    return [o.text for o in result.output if o.stream == "print"]


# -- services and the DataModel ----------------------------------------------------


def test_game_workspace_and_services() -> None:
    out = lines(
        """
        print(game:GetService("Workspace") == workspace, workspace == game.Workspace)
        for _, name in { "Players", "ReplicatedStorage", "ServerScriptService", "ServerStorage",
            "StarterGui", "StarterPack", "StarterPlayer", "Lighting", "RunService", "TweenService",
            "DataStoreService", "HttpService", "MarketplaceService", "CollectionService", "Debris",
            "PathfindingService", "UserInputService", "ContextActionService", "TextChatService",
            "SoundService", "Teams", "BadgeService", "PhysicsService", "ProximityPromptService" } do
            local s = game:GetService(name)
            assert(s.ClassName == name and s.Parent == game, name)
        end
        print(script.ClassName, script.Parent.Name)
        local tele = game:GetService("TeleportService")
        print(tele:Teleport(1, nil), pcall(function() return tele.someSetting end))
        print(pcall(function() return game:GetService("Nope") end))
        """
    )
    assert out[0] == "true true"
    assert out[1] == "Script ServerScriptService"
    # An inert service still knows its members: a name it lacks fails as in Roblox.
    assert (
        out[2]
        == 'nil false user:13: someSetting is not a valid member of TeleportService "TeleportService"'
    )
    assert out[3] == "false user:14: 'Nope' is not a valid Service name"


def test_unknown_members_of_known_classes_error_like_roblox() -> None:
    result = run(
        'local part = Instance.new("Part")\npart.Parent = workspace\npart.Colour = Color3.new(1, 0, 0)\n'
    )
    assert result.status is RunStatus.ERROR
    error = result.errors[0]
    assert (error.line, error.message) == (
        3,
        'Colour is not a valid member of Part "Workspace.Part"',
    )
    out = lines(
        """
        local p = Instance.new("Part")
        print(pcall(function() return p.Velocityy end))
        print(pcall(function() p.Size = 5 end))
        print(pcall(function() p.Anchored = "yes" end))
        print(pcall(function() p.Material = "Lava" end))
        p.Material = "Wood"
        p.Shape = 0
        print(p.Material, p.Shape)
        print(pcall(function() p.ClassName = "Model" end))
        print(pcall(function() return Instance.new("Dragon") end))
        print(pcall(function() return Instance.new("Player") end))
        """
    )
    assert out == [
        'false user:3: Velocityy is not a valid member of Part "Part"',
        "false user:4: Unable to assign property Size. Vector3 expected, got number",
        "false user:5: Unable to assign property Anchored. bool expected, got string",
        'false user:6: Invalid value "Lava" for enum Material',
        "Enum.Material.Wood Enum.PartType.Ball",
        "false user:10: Unable to assign property ClassName. Property is read only",
        'false user:11: Unable to create an Instance of type "Dragon"',
        'false user:12: Unable to create an Instance of type "Player"',
    ]


def test_property_defaults_and_linked_properties() -> None:
    out = lines(
        """
        local p = Instance.new("Part")
        print(p.Name, p.Size, p.Anchored, p.CanCollide, p.Transparency, p.BrickColor, p.Material)
        p.Position = Vector3.new(1, 2, 3)
        print(p.CFrame.Position, p.Position)
        p.Orientation = Vector3.new(0, 90, 0)
        print(math.round(p.CFrame.LookVector.X), math.round(p.Orientation.Y), p.Position)
        p.BrickColor = BrickColor.new("Bright red")
        print(p.Color == BrickColor.new("Bright red").Color, p.BrickColor.Name)
        local h = Instance.new("Humanoid")
        print(h.Health, h.MaxHealth, h.WalkSpeed, h.JumpPower)
        local label = Instance.new("TextLabel")
        print(label.Text, label.Size, label.BackgroundTransparency)
        local v = Instance.new("IntValue")
        v.Value = 2.6
        print(v.Value)
        """
    )
    # Instance.new("Part") is 4 x 1.2 x 2 (the reflection database's default; Vector3
    # components are float32, so Roblox prints 1.2 this way too).
    assert out[0] == (
        "Part 4, 1.2000000476837158, 2 false true 0 Medium stone grey Enum.Material.Plastic"
    )
    assert out[1] == "1, 2, 3 1, 2, 3"
    assert out[2] == "-1 90 1, 2, 3"
    assert out[3] == "true Bright red"
    assert out[4] == "100 100 16 50"
    assert out[5] == "Label {0, 0}, {0, 0} 0"
    assert out[6] == "3"


def test_tree_queries_clone_destroy_and_attributes() -> None:
    out = lines(
        """
        local model = Instance.new("Model")
        model.Name = "Car"
        local body = Instance.new("Part", model)
        body.Name = "Body"
        local wheel = Instance.new("Part")
        wheel.Name = "Wheel"
        wheel.Parent = body
        local seat = Instance.new("Seat", model)
        model.Parent = workspace
        print(model:FindFirstChild("Wheel"), model:FindFirstChild("Wheel", true), model.Body.Wheel == wheel)
        print(model:FindFirstChildOfClass("Part").Name, model:FindFirstChildWhichIsA("BasePart").Name,
              model:FindFirstChildOfClass("BasePart"))
        print(#model:GetChildren(), #model:GetDescendants(), wheel:IsDescendantOf(workspace),
              wheel:FindFirstAncestorOfClass("Model") == model, wheel:GetFullName())
        model:SetAttribute("Speed", 40)
        print(model:GetAttribute("Speed"), model:GetAttribute("Missing"), pcall(model.SetAttribute, model, "Bad", {}))
        local copy = model:Clone()
        print(copy.Parent, copy.Name, #copy:GetDescendants(), copy:GetAttribute("Speed"), copy.Body.Wheel ~= wheel)
        wheel.Archivable = false
        print(#model:Clone():GetDescendants(), wheel:Clone())
        model:Destroy()
        print(model.Parent, body.Parent, wheel.Parent, pcall(function() body.Parent = workspace end))
        """
    )
    assert out[0] == "nil Wheel true"
    assert out[1] == "Body Body nil"
    assert out[2] == "2 3 true true Workspace.Car.Body.Wheel"
    assert out[3] == "40 nil false user:17: table is not a supported attribute type"
    assert out[4] == "nil Car 3 40 true"
    assert out[5] == "2 nil"
    assert out[6].startswith("nil nil nil false user:23: The Parent property of Body is locked")


def test_change_and_tree_events() -> None:
    out = lines(
        """
        local folder = Instance.new("Folder")
        folder.Parent = workspace
        local log = {}
        folder.ChildAdded:Connect(function(c) table.insert(log, "added " .. c.Name) end)
        folder.ChildRemoved:Connect(function(c) table.insert(log, "removed " .. c.Name) end)
        workspace.DescendantAdded:Connect(function(d) if d.Name == "Deep" then table.insert(log, "descendant Deep") end end)
        local v = Instance.new("NumberValue")
        v.Name = "Deep"
        v.Changed:Connect(function(value) table.insert(log, "value " .. value) end)
        v:GetPropertyChangedSignal("Name"):Connect(function() table.insert(log, "renamed") end)
        v.Parent = folder
        v.Value = 7
        v.Value = 7
        v.Name = "Deeper"
        v.Parent = nil
        task.wait()
        print(table.concat(log, ", "))
        print(pcall(function() v:GetPropertyChangedSignal("NoSuchProperty") end))
        """
    )
    assert out[0] == "added Deep, descendant Deep, value 7, renamed, removed Deeper"
    assert out[1] == "false user:19: NoSuchProperty is not a valid property name."


def test_a_surface_property_nothing_has_read_yet_has_a_changed_signal() -> None:
    # DragFrame and Responsiveness come from the generated surface, not hand-written
    # classes: asking for their signal before any read must still work.
    out = lines(
        """
        local detector = Instance.new("DragDetector")
        detector:GetPropertyChangedSignal("DragFrame"):Connect(function() end)
        detector:GetPropertyChangedSignal("Responsiveness"):Connect(function()
            print("now", detector.Responsiveness)
        end)
        detector.Responsiveness = 25
        task.wait()
        print(pcall(function() detector:GetPropertyChangedSignal("DragStart") end))
        """
    )
    assert out == ["now 25", "false user:9: DragStart is not a valid property name."]


def test_signals_connect_once_wait_disconnect() -> None:
    out = lines(
        """
        local event = Instance.new("BindableEvent")
        local seen = {}
        local c = event.Event:Connect(function(x) table.insert(seen, "conn " .. x) end)
        event.Event:Once(function(x) table.insert(seen, "once " .. x) end)
        task.spawn(function() local x = event.Event:Wait() table.insert(seen, "wait " .. x) end)
        event:Fire(1)
        c:Disconnect()
        print(c.Connected)
        event:Fire(2)
        print(table.concat(seen, ", "))
        local fn = Instance.new("BindableFunction")
        fn.OnInvoke = function(a, b) return a + b, "sum" end
        print(fn:Invoke(2, 3))
        local data = { nested = { 1 } }
        event.Event:Connect(function(copy) print(copy ~= data, copy.nested[1]) end)
        event:Fire(data)
        print(pcall(function() event.Event:Connect(5) end))
        """
    )
    assert out[0] == "false"
    assert out[1] == "conn 1, once 1, wait 1"
    assert out[2] == "5 sum"
    assert out[3] == "true 1"
    assert out[4] == "false user:18: Attempt to connect failed: Passed value is not a function"


def test_task_library_and_virtual_clock() -> None:
    out = lines(
        """
        local order = {}
        task.spawn(function() table.insert(order, "spawn") end)
        task.defer(function() table.insert(order, "defer") end)
        task.delay(0.5, function() table.insert(order, "delay " .. string.format("%.1f", time())) end)
        local cancelled = task.delay(0.2, function() table.insert(order, "cancelled?") end)
        task.cancel(cancelled)
        table.insert(order, "main")
        local waited = task.wait(1)
        print(table.concat(order, ", "))
        print(string.format("%.2f", waited), string.format("%.2f", time()))
        local t0 = os.clock()
        wait(2)
        print(string.format("%.1f", os.clock() - t0), os.time() >= 1700000000)
        local beats = 0
        local conn = game:GetService("RunService").Heartbeat:Connect(function(dt) beats += 1 end)
        task.wait(1)
        conn:Disconnect()
        print(beats >= 55 and beats <= 65)
        spawn(function() print("legacy spawn ran") end)
        delay(0.1, function() print("legacy delay ran") end)
        """,
        seconds=10,
    )
    assert out[0] == "spawn, main, defer, delay 0.5"
    assert out[1] == "1.00 1.00"
    assert out[2] == "2.0 true"
    assert out[3] == "true"
    assert "legacy spawn ran" in out and "legacy delay ran" in out


def test_wait_for_child_on_the_virtual_clock() -> None:
    result = run(
        """
        local folder = Instance.new("Folder", workspace)
        folder.Name = "Box"
        task.delay(2, function() local v = Instance.new("StringValue") v.Name = "Late" v.Parent = folder end)
        local started = time()
        local child = folder:WaitForChild("Late")
        print(child.Name, string.format("%.1f", time() - started))
        print(folder:WaitForChild("Never", 0.5))
        local forever = folder:WaitForChild("Forever")
        """,
        seconds=10,
    )
    printed = [o.text for o in result.output if o.stream == "print"]
    assert printed == ["Late 2.0", "nil"]
    warnings = [o.text for o in result.output if o.stream == "warn"]
    assert warnings == ["Infinite yield possible on 'Workspace.Box:WaitForChild(\"Forever\")'"]
    assert [(p.kind, p.line) for p in result.never_resumed] == [("infinite-yield", 9)]


def test_datatypes() -> None:
    out = lines(
        """
        local a, b = Vector3.new(1, 2, 3), Vector3.new(4, 5, 6)
        print(a + b, b - a, a * 2, a:Dot(b), a:Cross(b), Vector3.new(3, 4, 0).Magnitude, typeof(a))
        print(Vector3.new(3, 0, 4).Unit, a:Lerp(b, 0.5), Vector3.zero, Vector3.one)
        local cf = CFrame.new(1, 2, 3) * CFrame.Angles(0, math.rad(90), 0)
        local p = cf * Vector3.new(0, 0, -1)
        print(math.round(p.X), math.round(p.Y), math.round(p.Z))
        local back = cf:Inverse() * cf
        print(back:FuzzyEq(CFrame.identity), (cf + Vector3.new(1, 0, 0)).Position)
        local look = CFrame.lookAt(Vector3.zero, Vector3.new(0, 0, -10))
        print(look.LookVector, cf:ToObjectSpace(cf):FuzzyEq(CFrame.new()))
        local rx, ry, rz = CFrame.fromEulerAnglesYXZ(0.1, 0.2, 0.3):ToEulerAnglesYXZ()
        print(string.format("%.3f %.3f %.3f", rx, ry, rz))
        print(Color3.fromRGB(255, 128, 0), Color3.fromHSV(0, 1, 1), Color3.new(1, 0, 0):ToHex())
        print(UDim2.new(0.5, 10, 1, -20), UDim2.fromScale(1, 0.5), UDim2.fromOffset(100, 50).X.Offset)
        print(UDim.new(0, 8), NumberRange.new(2, 5).Max, #NumberSequence.new(0, 1).Keypoints)
        local info = TweenInfo.new(2, Enum.EasingStyle.Linear)
        print(info.Time, info.EasingStyle, info.EasingDirection, info.RepeatCount)
        local r1, r2 = Random.new(7), Random.new(7)
        print(r1:NextInteger(1, 100) == r2:NextInteger(1, 100), r1:NextNumber() < 1)
        local ray = Ray.new(Vector3.zero, Vector3.new(0, 0, 10))
        print(ray:ClosestPoint(Vector3.new(1, 0, 5)), ray.Unit.Direction)
        local params = RaycastParams.new()
        params.FilterType = Enum.RaycastFilterType.Include
        print(params.FilterType, #params.FilterDescendantsInstances, typeof(OverlapParams.new()))
        print(typeof(Enum.KeyCode.E), Enum.KeyCode.E.Name, Enum.KeyCode.E.Value, #Enum.EasingStyle:GetEnumItems() > 5)
        print(pcall(function() return Enum.KeyCode.NotAKey end))
        print(pcall(function() return Vector3.new(1, 2, 3).W end))
        """
    )
    assert out[0] == "5, 7, 9 3, 3, 3 2, 4, 6 32 -3, 6, -3 5 Vector3"
    assert out[1] == "0.6000000238418579, 0, 0.800000011920929 2.5, 3.5, 4.5 0, 0, 0 1, 1, 1"
    assert out[2] == "0 2 3"
    assert out[3] == "true 2, 2, 3"
    assert out[4] == "0, 0, -1 true"
    assert out[5] == "0.100 0.200 0.300"
    assert out[6].startswith("1, 0.50196") and out[6].endswith("FF0000")
    assert out[7] == "{0.5, 10}, {1, -20} {1, 0}, {0.5, 0} 100"
    assert out[8] == "0, 8 5 2"
    assert out[9] == "2 Enum.EasingStyle.Linear Enum.EasingDirection.Out 0"
    assert out[10] == "true true"
    assert out[11] == "0, 0, 5 0, 0, 1"
    assert out[12] == "Enum.RaycastFilterType.Include 0 OverlapParams"
    assert out[13] == "EnumItem E 101 true"
    assert out[14] == 'false user:27: NotAKey is not a valid member of "Enum.KeyCode"'
    assert out[15] == "false user:28: W is not a valid member of Vector3"


def test_players_characters_and_touches() -> None:
    out = lines(
        """
        local Players = game:GetService("Players")
        local pad = Instance.new("Part")
        pad.Anchored = true
        pad.Parent = workspace
        local touchedBy = {}
        pad.Touched:Connect(function(hit)
            local player = Players:GetPlayerFromCharacter(hit.Parent)
            if player then touchedBy[player.Name] = true end
        end)
        Players.PlayerAdded:Connect(function(player)
            player.CharacterAdded:Connect(function(character)
                local humanoid = character:WaitForChild("Humanoid")
                local animator = humanoid:WaitForChild("Animator")
                print("character", player.Name, character.PrimaryPart.Name, humanoid.Health, animator.ClassName,
                      character:FindFirstChild("HumanoidRootPart") ~= nil)
                humanoid.Died:Connect(function() print("died", player.Name) end)
                if player.Name == "Player1" then humanoid:TakeDamage(30) print("health", humanoid.Health) end
            end)
        end)
        Players.PlayerRemoving:Connect(function(player) print("left", player.Name) end)
        task.wait(4)
        print("touched", touchedBy.Player1 == true, #Players:GetPlayers(), Players.LocalPlayer)
        """,
        seconds=6,
    )
    assert "character Player1 HumanoidRootPart 100 Animator true" in out
    assert "health 70" in out
    assert "character Player2 HumanoidRootPart 100 Animator true" in out
    assert "touched true 2 nil" in out
    assert "left Player2" in out


def test_remotes_between_client_and_server_in_one_world() -> None:
    with MockWorld() as world:
        server, server_fn = world.load_script(
            """
            local RS = game:GetService("ReplicatedStorage")
            local ping = Instance.new("RemoteEvent")
            ping.Name = "Ping"
            ping.Parent = RS
            local ask = Instance.new("RemoteFunction")
            ask.Name = "Ask"
            ask.Parent = RS
            ping.OnServerEvent:Connect(function(player, msg)
                print("server got", player.Name, msg, game:GetService("RunService"):IsServer())
                ping:FireClient(player, "pong")
            end)
            ask.OnServerInvoke = function(player, n) return n * 10 end
            print(pcall(function() ping:FireServer("x") end))
            """,
            class_name="Script",
            name="Server",
            path="ServerScriptService",
        )
        world.launch(server, server_fn)
        world.join_local_player(spawn_character=True)
        client, client_fn = world.load_script(
            """
            local RS = game:GetService("ReplicatedStorage")
            local ping = RS:WaitForChild("Ping")
            ping.OnClientEvent:Connect(function(msg) print("client got", msg) end)
            ping:FireServer("hello")
            print("answer", RS:WaitForChild("Ask"):InvokeServer(4), game.Players.LocalPlayer.Name)
            print(pcall(function() ping:FireClient(game.Players.LocalPlayer, "no") end))
            """,
            class_name="LocalScript",
            name="Client",
            path="Players.Player1.PlayerScripts",
        )
        world.launch(client, client_fn)
        from luaurft.luau.kind import ScriptKind

        world.drive(1.0, ScriptKind.SCRIPT, stimulus=False, close=False)
        result = world.script_run(ScriptKind.SCRIPT)
    printed = [o.text for o in result.output]
    assert printed[0] == "false user:14: FireServer can only be called from the client"
    assert "answer 40 Player1" in printed
    assert "server got Player1 hello true" in printed
    assert "client got pong" in printed
    assert "false user:7: FireClient can only be called from the server" in printed


def test_a_datastore_value_over_four_megabytes_serialized_is_refused() -> None:
    code = """
    local store = game:GetService("DataStoreService"):GetDataStore("Big")
    print(pcall(function() store:SetAsync("text", string.rep("x", 4194304)) end))
    local rows = {}
    for i = 1, 300000 do rows[i] = "abcdefghijklm" end
    print(pcall(function() store:UpdateAsync("rows", function() return rows end) end))
    print(pcall(function() store:SetAsync("fits", string.rep("x", 4194000)) end))
    """
    printed = [o.text for o in run(code).output if o.stream == "print"]
    assert printed == [
        "false user:3: 105: Serialized value exceeds 4MB limit.",
        "false user:6: 105: Serialized value exceeds 4MB limit.",
        "true",
    ]


def test_datastores_with_injected_failures_and_throttling() -> None:
    code = """
    local store = game:GetService("DataStoreService"):GetDataStore("Stats")
    local ok, err = pcall(function() return store:GetAsync("k") end)
    print("first", ok, err)
    print("second", pcall(function() return store:GetAsync("k") end))
    store:SetAsync("k", { coins = 5 })
    local saved = store:GetAsync("k")
    saved.coins = 99
    print("stored", store:GetAsync("k").coins)
    print("update", store:UpdateAsync("k", function(old) old.coins += 1 return old end).coins)
    print("increment", store:IncrementAsync("n", 3), store:IncrementAsync("n"))
    print(pcall(function() store:SetAsync("bad", workspace) end))
    print(pcall(function() store:UpdateAsync("k", function(old) task.wait() return old end) end))
    local ordered = game:GetService("DataStoreService"):GetOrderedDataStore("Top")
    for name, score in { a = 5, b = 9, c = 1 } do ordered:SetAsync(name, score) end
    local page = ordered:GetSortedAsync(false, 2):GetCurrentPage()
    print("top", page[1].key, page[1].value, page[2].key, #page)
    """
    result = run(code, datastore=DataStoreOptions(failures={"GetAsync": 1}))
    printed = [o.text for o in result.output if o.stream == "print"]
    assert printed[0].startswith("first false user:3: 502: API Services rejected request")
    assert printed[1] == "second true nil nil"
    assert printed[2] == "stored 5"
    assert printed[3] == "update 6"
    assert printed[4] == "increment 3 4 DataStoreKeyInfo"
    assert printed[5].startswith("false user:12: 104: Cannot store Instance in data store")
    assert printed[6] == "false user:13: Callbacks cannot yield"
    assert printed[7] == "top b 9 a 2"
    writes = result.effects["dataStoreWrites"]
    assert {"store": "Stats", "key": "k", "op": "SetAsync"} in writes
    throttled = run(
        'local s = game:GetService("DataStoreService"):GetDataStore("T")\n'
        "for i = 1, 70 do s:SetAsync('k' .. i, i) end\n"
        "print(game:GetService('DataStoreService'):GetRequestBudgetForRequestType(Enum.DataStoreRequestType.SetIncrementAsync))",
        datastore=DataStoreOptions(throttle=True),
        seconds=30,
    )
    assert any("DataStore request was added to queue" in o.text for o in throttled.output)
    assert [o.text for o in throttled.output if o.stream == "print"] == ["0"]
    everything_fails = run(
        'print(pcall(function() return game:GetService("DataStoreService"):GetDataStore("x"):GetAsync("y") end))',
        datastore=DataStoreOptions(fail_all=True),
    )
    assert everything_fails.output[0].text.startswith("false")


def test_a_datastore_call_yields_for_the_configured_latency() -> None:
    # The default lives in DataStoreOptions only; the runtime takes whatever it is given.
    code = (
        'local store = game:GetService("DataStoreService"):GetDataStore("L")\n'
        "local t0 = os.clock()\n"
        'store:GetAsync("k")\n'
        'print(string.format("%.2f", os.clock() - t0))\n'
    )
    assert lines(code) == [f"{DataStoreOptions().latency:.2f}"]
    assert lines(code, datastore=DataStoreOptions(latency=0.3)) == ["0.30"]


def test_http_service_json_and_guids() -> None:
    out = lines(
        """
        local Http = game:GetService("HttpService")
        local text = Http:JSONEncode({ name = "a\\"b", list = { 1, 2.5, true }, nested = { x = false } })
        print(text)
        local back = Http:JSONDecode('{"a":[1,{"b":null}],"s":"\\\\u00e9\\\\n","n":-1.5e2}')
        print(back.a[1], back.a[2].b, back.s, back.n)
        print(pcall(function() return Http:JSONDecode("{bad") end))
        local guid = Http:GenerateGUID()
        print(#guid, guid:sub(1, 1), guid:sub(-1), #Http:GenerateGUID(false), guid ~= Http:GenerateGUID())
        print(pcall(function() return Http:GetAsync("https://example.com") end))
        """
    )
    assert json.loads(out[0]) == {"name": 'a"b', "list": [1, 2.5, True], "nested": {"x": False}}
    assert out[1] == "1 nil é\n -150"
    assert out[2] == "false user:7: Can't parse JSON"
    assert out[3] == "38 { } 36 true"
    assert out[4].startswith("false user:10: Http requests are not enabled")


def test_tweens_complete_on_the_virtual_clock() -> None:
    out = lines(
        """
        local TweenService = game:GetService("TweenService")
        local part = Instance.new("Part", workspace)
        part.Position = Vector3.new(0, 0, 0)
        local tween = TweenService:Create(part, TweenInfo.new(1, Enum.EasingStyle.Linear), { Position = Vector3.new(10, 0, 0), Transparency = 1 })
        print(tween.PlaybackState)
        tween:Play()
        task.wait(0.5)
        print(math.abs(part.Position.X - 5) < 0.5, tween.PlaybackState)
        local state = tween.Completed:Wait()
        print(state, part.Position, part.Transparency, string.format("%.1f", time()))
        print(pcall(function() TweenService:Create(part, TweenInfo.new(1), { Nope = 1 }) end))
        print(pcall(function() TweenService:Create(part, TweenInfo.new(1), { Anchored = 1 }) end))
        print(TweenService:GetValue(0.5, Enum.EasingStyle.Linear, Enum.EasingDirection.In))
        """
    )
    assert out[0] == "Enum.PlaybackState.Begin"
    assert out[1] == "true Enum.PlaybackState.Playing"
    assert out[2].startswith("Enum.PlaybackState.Completed 10, 0, 0 1 1.0")
    assert out[3] == "false user:12: TweenService:Create no property named 'Nope' for object 'Part'"
    assert out[4].startswith(
        "false user:13: TweenService:Create property named 'Anchored' cannot be tweened"
    )
    assert out[5] == "0.5"


def test_collection_service_and_raycasts() -> None:
    out = lines(
        """
        local CS = game:GetService("CollectionService")
        local added = {}
        CS:GetInstanceAddedSignal("Coin"):Connect(function(i) table.insert(added, i.Name) end)
        local coin = Instance.new("Part")
        coin.Name = "Gold"
        CS:AddTag(coin, "Coin")
        print(#CS:GetTagged("Coin"), #added)
        coin.Parent = workspace
        print(#CS:GetTagged("Coin"), table.concat(added, ","), coin:HasTag("Coin"))
        local wall = Instance.new("Part")
        wall.Anchored = true
        wall.Size = Vector3.new(10, 10, 1)
        wall.Position = Vector3.new(0, 5, -20)
        wall.Parent = workspace
        local hit = workspace:Raycast(Vector3.new(0, 5, 0), Vector3.new(0, 0, -100))
        print(hit.Instance == wall, hit.Position, hit.Normal, hit.Distance)
        local params = RaycastParams.new()
        params.FilterDescendantsInstances = { wall }
        local down = workspace:Raycast(Vector3.new(0, 5, 0), Vector3.new(0, 0, -100), params)
        print(down)
        local floor = workspace:Raycast(Vector3.new(100, 50, 0), Vector3.new(0, -100, 0))
        print(floor.Instance.Name, floor.Position)
        print(#workspace:GetPartBoundsInRadius(Vector3.new(0, 5, -20), 2) >= 1)
        """
    )
    assert out[0] == "0 0"
    assert out[1] == "1 Gold true"
    assert out[2] == "true 0, 5, -19.5 0, 0, 1 19.5"
    assert out[3] == "nil"
    assert out[4] == "Baseplate 100, 0, 0"
    assert out[5] == "true"


def test_client_input_and_gui_stimulus() -> None:
    result = run(
        """
        local button = script.Parent
        button.Activated:Connect(function() print("activated", button:IsA("TextButton")) end)
        game:GetService("UserInputService").InputBegan:Connect(function(input, processed)
            if input.KeyCode == Enum.KeyCode.E then print("E pressed", processed) end
        end)
        game:GetService("ContextActionService"):BindAction("Jump", function(name, state)
            print(name, state.Name)
        end, false, Enum.KeyCode.Space)
        print(game.Players.LocalPlayer.Name, game:GetService("RunService"):IsClient())
        """,
        kind="LocalScript",
    )
    printed = [o.text for o in result.output]
    assert printed[0] == "Player1 true"
    assert "E pressed false" in printed
    assert "Jump Begin" in printed and "Jump End" in printed
    assert "activated true" in printed
    assert result.placement.endswith("PlayerGui.ScreenGui.TextButton")


def test_module_scripts_are_required_and_must_return_one_value() -> None:
    good = run("local M = {}\nfunction M.f() return 1 end\nreturn M\n", kind="ModuleScript")
    assert good.status is RunStatus.OK and good.module == {"returned": 1, "type": "table"}
    bad = run("local M = {}\n", kind="ModuleScript")
    assert bad.module == {"returned": 0, "type": "none"}
    assert any("did not return exactly one value" in e.message for e in bad.errors)
    uses_module = run(
        'local Config = require(game:GetService("ReplicatedStorage").Config)\nprint(Config.speed)\n',
        modules={"ReplicatedStorage.Config": "return { speed = 24 }"},
    )
    assert [o.text for o in uses_module.output] == ["24"]


def test_the_runtime_builds_every_class() -> None:
    with MockWorld() as world:
        values = world.sandbox.postmortem(world._api("selfCheck"), cpu_seconds=10)
        assert values is not None
        problems = to_python(values[0]) or []
        summary = to_python(values[1], max_items=5000)
    assert problems in ([], {})
    assert len(summary) >= 250


def test_runtime_parts_load_only_when_a_script_needs_their_classes(monkeypatch) -> None:
    loaded: list[str] = []
    load_part = mock._load_part

    def recording(lua, args):
        loaded.append(str(args[0]))
        return load_part(lua, args)

    monkeypatch.setattr(mock, "_load_part", recording)
    # Each world in a new VM first: a kept VM keeps the parts it loaded (below).
    mock.VM_POOL.clear()
    monkeypatch.setattr(mock.VM_POOL, "enabled", False)
    plain = 'local p = Instance.new("Part")\np.Parent = workspace\nprint(p.Name)\n'
    assert lines(plain, isolate=False) == ["Part"]
    assert loaded == []
    tweened = """
        local part = Instance.new("Part")
        part.Parent = workspace
        local tween = game:GetService("TweenService"):Create(part, TweenInfo.new(0.2), { Transparency = 1 })
        tween:Play()
        tween.Completed:Wait()
        print(part.Transparency)
    """
    assert lines(tweened, isolate=False) == ["1"]
    assert loaded == ["tween"]
    loaded.clear()
    # A GUI object's legacy tween needs the GUI part and, through it, the tween part.
    gui = """
        local frame = Instance.new("Frame")
        print(frame:TweenPosition(UDim2.new(1, 0, 0, 0), nil, nil, 0.1))
    """
    lines(gui, isolate=False)
    assert loaded == ["gui", "tween"]
    # A kept VM loads a part once: its classes serve every later world.
    mock.VM_POOL.enabled = True
    loaded.clear()
    assert lines(tweened, isolate=False) == ["1"]
    assert lines(tweened, isolate=False) == ["1"]
    assert loaded == ["tween"]
    mock.VM_POOL.clear()


@pytest.mark.skipif(not DUMP.exists(), reason="the Roblox API dump is not available")
def test_modelled_classes_match_the_api_dump() -> None:
    dump = json.loads(DUMP.read_text(encoding="utf-8"))
    classes = {c["Name"]: c for c in dump["Classes"]}

    def members(name: str) -> dict[str, dict]:
        out: dict[str, dict] = {}
        while name in classes:
            for m in classes[name]["Members"]:
                out.setdefault(m["Name"], m)
            name = classes[name]["Superclass"]
        return out

    with MockWorld() as world:
        values = world.sandbox.postmortem(world._api("selfCheck"), cpu_seconds=10)
        assert values is not None
        summary = to_python(values[1], max_items=5000)
    computed = {"ViewportSize", "IsLoaded", "IsPaused", "TextBounds", "TextFits"}
    mismatches = []
    for name, info in summary.items():
        assert name in classes, f"{name} is not a Roblox class"
        ancestors = []
        parent = classes[name]["Superclass"]
        while parent in classes:
            ancestors.append(parent)
            parent = classes[parent]["Superclass"]
        if info["super"]:
            assert info["super"] in ancestors, (name, info["super"])
        known = members(name)
        for key, member_type in (
            ("props", "Property"),
            ("methods", "Function"),
            ("events", "Event"),
        ):
            for member in info.get(key) or []:
                assert member in known, f"{name}.{member} is not in the API dump"
                assert known[member]["MemberType"] in (member_type, "Callback"), (name, member)
        for prop, mine in (info.get("defaults") or {}).items():
            default = known[prop].get("Default")
            if not isinstance(default, str) or default.startswith("__api") or prop in computed:
                continue
            if default.lower() == mine.lower() or (default == "INF" and mine == "inf"):
                continue
            try:
                a = [
                    float(x)
                    for x in default.replace(",", " ").replace("{", " ").replace("}", " ").split()
                ]
                b = [
                    float(x)
                    for x in mine.replace(",", " ").replace("{", " ").replace("}", " ").split()
                ]
            except ValueError:
                mismatches.append((name, prop, default, mine))
                continue
            if len(a) != len(b) or any(
                not math.isclose(x, y, rel_tol=2e-3, abs_tol=2e-3)
                for x, y in zip(a, b, strict=True)
            ):
                mismatches.append((name, prop, default, mine))
    assert mismatches == []


@pytest.mark.parametrize(
    "code",
    [
        # Game corpus 3: each waited for an instance of the place the scaffold did not build.
        'local ReplicatedStorage = game:GetService("ReplicatedStorage")\n'
        'local towers = ReplicatedStorage:WaitForChild("Shared"):WaitForChild("Towers")\n'
        'print(towers:FindFirstChild("Slinger"))\n',
        'local ReplicatedStorage = game:GetService("ReplicatedStorage")\n'
        'local PurchaseUpgrade = ReplicatedStorage:WaitForChild("PurchaseUpgrade")\n'
        'print("ready")\n',
        "local player = game.Players.LocalPlayer\n"
        'local gui = player:WaitForChild("PlayerGui"):WaitForChild("SettingsGUI")\n'
        'local window = gui:WaitForChild("SettingsWindow")\n'
        'local button = window:WaitForChild("MuteButton")\n'
        'button.Text = "Music: ON"\n'
        'local spawnButton = gui:WaitForChild("Spawn")\n'
        "spawnButton.Activated:Connect(print)\n",
        'local head = script.Parent.Parent:WaitForChild("Head")\n'
        "workspace.CurrentCamera.CameraSubject = head\n",
    ],
)
def test_what_game_scripts_wait_for_in_their_place_is_there(code: str) -> None:
    result = run(code, kind="LocalScript", seconds=2.0)
    assert result.never_resumed == []
    assert result.errors == []
    assert result.engine_errors == []


@pytest.mark.parametrize(
    "code",
    [
        "local seat = script.Parent\n"
        'seat:GetPropertyChangedSignal("Occupant"):Connect(function()\n'
        "\tprint(seat.Occupant)\n"
        "end)\n",
        "local prompt = script.Parent\n"
        "local seat = prompt.Parent\n"
        'seat:GetPropertyChangedSignal("Occupant"):Connect(function()\n'
        "\tprompt.Enabled = seat.Occupant == nil\n"
        "end)\n"
        "prompt.Triggered:Connect(function(player)\n"
        "\tseat:Sit(player.Character.Humanoid)\n"
        "end)\n",
    ],
)
def test_seat_scripts_run_in_a_seat(code: str) -> None:
    result = run(code, seconds=2.0)
    assert result.errors == []
    assert result.status is RunStatus.OK


def test_a_vehicle_control_script_finds_its_car_around_it() -> None:
    code = (
        "local forward = script.Parent.FWD.ClickDetector\n"
        "local base = script.Parent.Parent.Main\n"
        "local seat = script.Parent.Parent.Seat\n"
        "forward.MouseClick:Connect(function()\n"
        "\tprint(seat.Occupant)\n"
        "end)\n"
        "print(base.Parent == script.Parent.Parent, seat.Occupant == nil)\n"
    )
    # The standard stimulus clicks the detector too: the handler reads the seat.
    assert lines(code, seconds=1.0) == ["true true", "nil"]


def test_a_wait_shorter_than_a_frame_resumes_on_the_next_heartbeat_step() -> None:
    # task.wait resumes on a Heartbeat step once its time has passed: a loop of
    # task.wait(0.0001) turns about once a frame, not ten thousand times a second.
    code = (
        "local turns = 0\n"
        "local started = os.clock()\n"
        "while os.clock() - started < 1 do\n"
        "\ttask.wait(0.0001)\n"
        "\tturns += 1\n"
        "end\n"
        "print(turns <= 130, turns >= 55)\n"
    )
    assert lines(code, seconds=2.0) == ["true true"]


# -- datatypes and services met in Roblox's own documentation samples ----------------------


def test_user_values_of_players_and_of_ids() -> None:
    out = lines(
        """
        local u = User.fromId(42)
        print(typeof(u), u.Id, u.DomainType == Enum.DomainType.EXPERIENCE, u.DomainId)
        print(User.fromString(u:ToString()) == u, User.fromId(7) == u)
        print(pcall(function() u.Id = 1 end))
        game:GetService("Players").PlayerAdded:Connect(function(player)
            print("joined", typeof(player.User), player.User.Id == player.UserId)
        end)
        """,
        seconds=1.0,
    )
    assert out[0] == "User 42 true 0"
    assert out[1] == "true false"
    assert out[2].startswith("false")
    assert "joined User true" in out


def test_catalog_search_params_check_their_fields_and_searches_return_pages() -> None:
    out = lines(
        """
        local params = CatalogSearchParams.new()
        params.SearchKeyword = "hat"
        params.AssetTypes = { Enum.AvatarAssetType.BackAccessory }
        print(params.SearchKeyword, #params.AssetTypes, params.Limit, params.SortType.Name)
        print(pcall(function() table.insert(params.AssetTypes, 1) end))
        print(pcall(function() params.MinPrice = "cheap" end))
        local pages = game:GetService("AvatarEditorService"):SearchCatalogAsync(params)
        print(pages.ClassName, pages:IsA("Pages"), pages.IsFinished, #pages:GetCurrentPage())
        """
    )
    assert out[0] == "hat 1 30 Relevance"
    assert out[1].startswith("false")
    assert out[2].startswith("false") and "MinPrice" in out[2]
    assert out[3] == "CatalogPages true true 0"


def test_translators_answer_in_the_source_language() -> None:
    out = lines(
        """
        local LocalizationService = game:GetService("LocalizationService")
        local ok, translator = pcall(function()
            return LocalizationService:GetTranslatorForLocaleAsync("es")
        end)
        print(ok, translator.ClassName, translator.LocaleId, translator:Translate(game, "Hello"))
        """
    )
    assert out == ["true Translator es Hello"]


def test_date_times_format_with_roblox_s_tokens() -> None:
    out = lines(
        """
        local dt = DateTime.fromUnixTimestamp(1700000000)
        print(dt:FormatUniversalTime("YYYY-MM-DD HH:mm:ss", "en-us"))
        print(dt:FormatLocalTime("dddd", "en-us"), "|", dt:FormatLocalTime("LL", "en-us"))
        print(dt:FormatUniversalTime("[Day] Do, h:mm A", "en-us"))
        """
    )
    assert out == [
        "2023-11-14 22:13:20",
        "Tuesday | November 14, 2023",
        "Day 14th, 10:13 PM",
    ]


def test_without_a_headset_every_user_cframe_is_at_the_origin() -> None:
    out = lines(
        """
        local UserInputService = game:GetService("UserInputService")
        local head = UserInputService:GetUserCFrame(Enum.UserCFrame.Head)
        print(typeof(head), head == CFrame.identity, (head.Rotation + head.Position).Position)
        """,
        kind="LocalScript",
    )
    assert out == ["CFrame true 0, 0, 0"]


def test_engine_objects_from_factories_answer_their_members() -> None:
    out = lines(
        """
        local snapshot = game:GetService("ConfigService"):GetConfigAsync()
        print(snapshot.ClassName, snapshot:GetValue("MaxPlayers"), snapshot.Outdated)
        local mesh = game:GetService("AssetService"):CreateEditableMesh()
        print(mesh.ClassName, mesh:GetVertices() ~= nil)
        """
    )
    assert out == ["ConfigSnapshot nil false", "EditableMesh true"]


def test_product_info_has_the_fields_scripts_read_in_both_spellings() -> None:
    out = lines(
        """
        local MarketplaceService = game:GetService("MarketplaceService")
        for _, info in { MarketplaceService:GetProductInfo(1), MarketplaceService:GetProductInfoAsync(2, Enum.InfoType.GamePass) } do
            print(info.Name, info.PriceInRobux, info.UserBasePriceInRobux, #info.PriceDiscountDetails)
        end
        """
    )
    assert out == ["Product 1 0 0 0", "Product 2 0 0 0"]


def test_terrain_read_voxels_has_roblox_shape_and_expand_to_grid_aligns() -> None:
    # Terrain samples read `materials.Size` and index `materials[x][y][z]`.
    code = """
        local region = Region3.new(Vector3.new(-7, -1, 0), Vector3.new(7, 3, 8)):ExpandToGrid(4)
        print(region.Size, region.CFrame.Position)
        local materials, occupancies = workspace.Terrain:ReadVoxels(region, 4)
        print(materials.Size, occupancies.Size)
        print(materials[1][1][1] == Enum.Material.Air, occupancies[4][2][2], materials[5])
        print(pcall(function() return workspace.Terrain:ReadVoxels("x", 4) end))
    """
    assert lines(code) == [
        "16, 8, 8 0, 0, 4",
        "4, 2, 2 4, 2, 2",
        "true 0 nil",
        "false user:7: invalid argument #1 to 'ReadVoxels' (Region3 expected, got string)",
    ]


def test_get_joints_lists_what_holds_a_part_and_active_follows_the_workspace() -> None:
    code = """
        local a, b, c = Instance.new("Part"), Instance.new("Part"), Instance.new("Part")
        local weld = Instance.new("WeldConstraint")
        weld.Part0, weld.Part1 = a, b
        weld.Parent = a
        print(weld.Active)
        a.Parent, b.Parent, c.Parent = workspace, workspace, workspace
        print(weld.Active)
        local rope = Instance.new("RopeConstraint")
        rope.Attachment0 = Instance.new("Attachment", b)
        rope.Attachment1 = Instance.new("Attachment", c)
        rope.Parent = c
        print(#a:GetJoints(), #b:GetJoints(), #c:GetJoints())
        weld.Enabled = false
        print(weld.Active, pcall(function() weld.Active = true end))
    """
    out = lines(code)
    assert out[:3] == ["false", "true", "1 2 1"]
    assert out[3].startswith("false false ")


def test_preload_async_calls_back_for_each_content_id_it_names() -> None:
    code = """
        local ContentProvider = game:GetService("ContentProvider")
        local model = Instance.new("Model")
        local decal = Instance.new("Decal")
        decal.Texture = "rbxassetid://11"
        decal.Parent = model
        local sound = Instance.new("Sound")
        sound.SoundId = "rbxassetid://22"
        local heard = {}
        ContentProvider:PreloadAsync({ model, sound, "rbxassetid://33", "rbxassetid://11" }, function(id, status)
            table.insert(heard, id .. " " .. status.Name)
        end)
        print(table.concat(heard, ", "))
        ContentProvider:PreloadAsync({ sound })
        print(pcall(function() ContentProvider:PreloadAsync({}, 5) end))
    """
    assert lines(code, kind="LocalScript") == [
        "rbxassetid://11 Success, rbxassetid://22 Success, rbxassetid://33 Success",
        "false user:15: invalid argument #2 to 'PreloadAsync' (function expected)",
    ]
