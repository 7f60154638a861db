"""Correct Roblox code of the kinds a model writes runs clean in the mock world.

Each case is a short script of a common style (services, datatypes, enums,
physics queries, MemoryStore, teleports, loading screens) that real Roblox
runs without error. A case asserts a clean run and what the script printed, so
a stub that returns nil or swallows the call fails it. Misspelt members must
still fail as they do in Roblox.
"""

from __future__ import annotations

from luaurft.luau.sandbox import RunStatus
from luaurft.roblox.mock import ScriptRun, run_script


def run(code: str, kind: str = "Script", seconds: float = 3.0) -> ScriptRun:
    result = run_script(code, kind=kind, seconds=seconds)
    assert not result.engine_errors, result.engine_errors
    return result


def printed(code: str, kind: str = "Script", seconds: float = 3.0) -> list[str]:
    result = run(code, kind=kind, seconds=seconds)
    assert result.status is RunStatus.OK, (result.error, [e.message for e in result.errors])
    assert not result.errors, [e.message for e in result.errors]
    assert not result.never_resumed, result.never_resumed
    return [o.text for o in result.output if o.stream == "print"]


# -- enums ----------------------------------------------------------------------


def test_enums_beyond_the_common_set_exist() -> None:
    out = printed(
        """
        local flow = Enum.AnalyticsEconomyFlowType.Source
        print(flow, flow.Value, flow.EnumType == Enum.AnalyticsEconomyFlowType)
        print(Enum.AnalyticsEconomyTransactionType.Gameplay.Name, Enum.KeyCode.E.Value)
        print(#Enum:GetEnums() > 500, #Enum.Material:GetEnumItems() > 20)
        """
    )
    assert out == [
        "Enum.AnalyticsEconomyFlowType.Source 1 true",
        "Gameplay 101",
        "true true",
    ]


def test_enum_items_are_one_object_however_they_are_reached() -> None:
    # Items are made when first named or listed: naming one first, listing first,
    # FromName and FromValue all reach the same item, in the dump's order.
    out = printed(
        """
        local e = Enum.KeyCode.E
        local items = Enum.KeyCode:GetEnumItems()
        local at = table.find(items, e)
        print(at ~= nil, items[at] == Enum.KeyCode.E, Enum.KeyCode:FromName("E") == e)
        print(Enum.KeyCode:FromValue(101) == e, items[1].Name, items[1].Value, #items)
        local listed = Enum.Material:GetEnumItems()
        print(listed[1] == Enum.Material[listed[1].Name], Enum.Material:FromName("E=0"))
        print(pcall(function() Enum.KeyCode.E = Enum.KeyCode.F end))
        print(pcall(function() return Enum.KeyCode["E=101 F"] end))
        """
    )
    assert out[0] == "true true true"
    assert out[1] == "true None 0 283"
    assert out[2] == "true nil"
    assert out[3] == "false user:9: E cannot be assigned to"
    assert out[4].startswith('false user:10: E=101 F is not a valid member of "Enum.KeyCode"')


def test_legacy_enum_names_reach_the_item_they_became() -> None:
    # Roblox keeps an item's old names working: `Blacklist` is `Exclude`, but
    # GetEnumItems lists each item once, under its current name.
    out = printed(
        """
        local params = RaycastParams.new()
        params.FilterType = Enum.RaycastFilterType.Blacklist
        print(params.FilterType == Enum.RaycastFilterType.Exclude, Enum.RaycastFilterType.Whitelist.Name)
        print(Enum.Font.GothamSemibold == Enum.Font.GothamMedium, #Enum.RaycastFilterType:GetEnumItems())
        print(pcall(function() return Enum.RaycastFilterType.Graylist end))
        """
    )
    assert out[0] == "true Include"
    assert out[1] == "true 2"
    assert out[2].startswith(
        'false user:6: Graylist is not a valid member of "Enum.RaycastFilterType"'
    )


def test_unknown_enum_and_item_still_fail() -> None:
    out = printed(
        """
        print(pcall(function() return Enum.KeyCod end))
        print(pcall(function() return Enum.KeyCode.Spacebar end))
        print(pcall(function() return Enum.AnalyticsEconomyFlowType end))
        """
    )
    assert out[0] == 'false user:2: KeyCod is not a valid member of "Enum"'
    assert out[1].startswith("false user:3: Spacebar is not a valid member of")
    assert out[2] == "true AnalyticsEconomyFlowType"


def test_enum_methods_called_with_a_dot_fail_with_robloxs_message() -> None:
    # `Enum.KeyCode.GetEnumItems()` (a '.' for ':') is a common slip: Roblox names it.
    out = printed(
        """
        print(pcall(function() return Enum.KeyCode.E.IsA(nil, "KeyCode") end))
        print(pcall(function() return Enum.KeyCode.GetEnumItems() end))
        print(pcall(function() return Enum.KeyCode.FromName("E") end))
        print(pcall(function() return Enum.KeyCode.FromValue(101) end))
        print(pcall(function() return Enum.GetEnums() end))
        print(Enum.KeyCode.E.IsA(Enum.KeyCode.F, "KeyCode"), Enum.KeyCode.FromName(Enum.KeyCode, "E"))
        """
    )
    for line, method in enumerate(("IsA", "GetEnumItems", "FromName", "FromValue", "GetEnums")):
        assert (
            out[line]
            == f"false user:{line + 2}: Expected ':' not '.' calling member function {method}"
        )
    assert out[5] == "true Enum.KeyCode.E"


# -- MemoryStore ------------------------------------------------------------------


def test_memory_store_hash_map_round_trip() -> None:
    out = printed(
        """
        local MemoryStoreService = game:GetService("MemoryStoreService")
        local sessions = MemoryStoreService:GetHashMap("Sessions")
        sessions:SetAsync("user1", { server = "alpha" }, 120)
        sessions:UpdateAsync("user1", function(old)
            old.visits = 1
            return old
        end, 120)
        local entry = sessions:GetAsync("user1")
        print(entry.server, entry.visits)
        sessions:RemoveAsync("user1")
        print(sessions:GetAsync("user1"))
        """
    )
    assert out == ["alpha 1", "nil"]


def test_memory_store_hash_map_lists_its_items_in_pages() -> None:
    out = printed(
        """
        local MemoryStoreService = game:GetService("MemoryStoreService")
        local inventory = MemoryStoreService:GetHashMap("Inventory")
        for i = 1, 5 do
            inventory:SetAsync("item" .. i, i * 10, 60)
        end
        inventory:SetAsync("gone", 0, 0.1)
        task.wait(0.5)
        local pages = inventory:ListItemsAsync(2)
        local seen, count = {}, 0
        while true do
            count += 1
            for _, entry in pages:GetCurrentPage() do
                table.insert(seen, entry.key .. "=" .. entry.value)
            end
            if pages.IsFinished then
                break
            end
            pages:AdvanceToNextPageAsync()
        end
        table.sort(seen)
        print(count, table.concat(seen, " "))
        """
    )
    assert out == ["3 item1=10 item2=20 item3=30 item4=40 item5=50"]


def test_memory_store_queue_batches_priority_and_invisibility() -> None:
    out = printed(
        """
        local queue = game:GetService("MemoryStoreService"):GetQueue("Lobby", 1)
        queue:AddAsync("a", 60)
        queue:AddAsync("b", 60)
        queue:AddAsync("vip", 60, 10)
        local items, id = queue:ReadAsync(2, true)
        print(items[1], items[2], typeof(id))
        print(#queue:ReadAsync(2, true), queue:GetSizeAsync(true))
        queue:RemoveAsync(id)
        local rest = queue:ReadAsync(5)
        print(rest[1], queue:GetSizeAsync())
        task.wait(1.5)
        print(#queue:ReadAsync(5))
        """
    )
    assert out == ["vip a string", "0 1", "b 1", "1"]


# -- shape casts ----------------------------------------------------------------


def test_spherecast_and_blockcast_hit_parts() -> None:
    out = printed(
        """
        local floor = Instance.new("Part")
        floor.Name = "Floor"
        floor.Anchored = true
        floor.Size = Vector3.new(20, 1, 20)
        floor.Parent = workspace
        local params = RaycastParams.new()
        params.FilterType = Enum.RaycastFilterType.Include
        params.FilterDescendantsInstances = { floor }
        local down = Vector3.new(0, -20, 0)
        local hit = workspace:Spherecast(Vector3.new(0, 10, 0), 2, down, params)
        print(hit.Instance.Name, hit.Distance, hit.Position, hit.Normal)
        print(workspace:Spherecast(Vector3.new(30, 10, 0), 2, down, params))
        local turned = CFrame.new(0, 10, 0) * CFrame.Angles(0, math.rad(45), 0)
        local block = workspace:Blockcast(turned, Vector3.new(4, 2, 4), down, params)
        print(block.Instance.Name, block.Distance)
        print(workspace:Blockcast(CFrame.new(0, 10, 0), Vector3.new(4, 2, 4), Vector3.new(0, -5, 0), params))
        """
    )
    assert out == ["Floor 7.5 0, 0.5, 0 0, 1, 0", "nil", "Floor 8.5", "nil"]


# -- teleports and loading screens ------------------------------------------------


def test_teleport_options_and_result() -> None:
    out = printed(
        """
        local TeleportService = game:GetService("TeleportService")
        local Players = game:GetService("Players")
        Players.PlayerAdded:Connect(function(player)
            local options = Instance.new("TeleportOptions")
            options.ShouldReserveServer = true
            options:SetTeleportData({ level = 2 })
            print(options:GetTeleportData().level, options.ShouldReserveServer)
            local ok, result = pcall(function()
                return TeleportService:TeleportAsync(1234, { player }, options)
            end)
            print(ok, result.ClassName, typeof(result.PrivateServerId))
            print(pcall(function() options.Colour = 1 end))
        end)
        """,
        seconds=1.0,
    )
    assert out[:2] == ["2 true", "true TeleportAsyncResult string"]
    assert out[2].startswith("false user:13: Colour is not a valid member of TeleportOptions")


def test_loading_screen_removes_default_gui() -> None:
    out = printed(
        """
        local ReplicatedFirst = game:GetService("ReplicatedFirst")
        ReplicatedFirst.DefaultLoadingGuiRemoved:Connect(function() print("removed event") end)
        print(ReplicatedFirst:IsDefaultLoadingGuiRemoved())
        ReplicatedFirst:RemoveDefaultLoadingScreen()
        if not game:IsLoaded() then game.Loaded:Wait() end
        print(ReplicatedFirst:IsDefaultLoadingGuiRemoved(), ReplicatedFirst:IsFinishedReplicating())
        """,
        kind="LocalScript",
        seconds=1.0,
    )
    assert out == ["false", "removed event", "true true"]


# -- a broad modern script: the APIs most answers touch, all at once --------------


def test_common_server_script_runs_clean() -> None:
    out = printed(
        """
        local Players = game:GetService("Players")
        local CollectionService = game:GetService("CollectionService")
        local TweenService = game:GetService("TweenService")
        local PathfindingService = game:GetService("PathfindingService")
        Players.PlayerAdded:Connect(function(player)
            player:SetAttribute("Level", 3)
            print(player.Name, player:GetAttribute("Level"))
        end)
        local part = Instance.new("Part")
        part.Anchored = true
        part.Parent = workspace
        CollectionService:AddTag(part, "Spinner")
        local tween = TweenService:Create(part, TweenInfo.new(0.5), { Position = Vector3.new(0, 10, 0) })
        tween:Play()
        tween.Completed:Wait()
        print(part.Position.Y, #CollectionService:GetTagged("Spinner"))
        local path = PathfindingService:CreatePath({ AgentRadius = 2 })
        path:ComputeAsync(Vector3.zero, Vector3.new(20, 0, 0))
        print(path.Status, #path:GetWaypoints() > 0)
        """,
        seconds=1.0,
    )
    assert out == ["Player1 3", "10 1", "Enum.PathStatus.Success true"]


# -- the long tail of services ----------------------------------------------------


def test_inert_services_answer_with_typed_defaults_and_reject_unknown_names() -> None:
    out = printed(
        """
        local VRService = game:GetService("VRService")
        local HapticService = game:GetService("HapticService")
        print(VRService.VREnabled, VRService.FadeOutViewOnCollision, typeof(VRService.UserCFrameChanged))
        print(HapticService:IsVibrationSupported(Enum.UserInputType.Gamepad1))
        print(pcall(function() return VRService.VREnabeld end))
        print(pcall(function() return VRService.VRDeviceName end))
        """,
        kind="LocalScript",
        seconds=0.5,
    )
    assert out[:2] == ["false true RBXScriptSignal", "false"]
    assert out[2] == 'false user:6: VREnabeld is not a valid member of VRService "VRService"'
    # A member of a security level game scripts lack errors as in Roblox.
    assert out[3] == (
        "false user:7: The current thread cannot access 'VRDeviceName'"
        " (lacking capability RobloxScriptSecurity)"
    )


# -- modern APIs ------------------------------------------------------------------------


def test_shared_tables_share_values_not_functions() -> None:
    out = printed(
        """
        local st = SharedTable.new({ coins = 5, name = "x", nested = { a = 1 } })
        print(typeof(st), st.coins, typeof(st.nested), st.nested.a, SharedTable.size(st))
        print(SharedTable.increment(st, "coins", 2), st.coins)
        SharedTable.update(st, "name", function(old) return old .. "y" end)
        local frozen = SharedTable.cloneAndFreeze(st, true)
        print(st.name, SharedTable.isFrozen(frozen), pcall(function() frozen.coins = 1 end))
        print(pcall(function() st.f = print end))
        """
    )
    assert out == [
        "SharedTable 5 SharedTable 1 3",
        "5 7",
        "xy true false user:7: attempt to modify a frozen SharedTable",
        "false user:8: function cannot be stored in a SharedTable",
    ]


def test_the_shared_table_registry_hands_every_script_the_same_table() -> None:
    out = printed(
        """
        local registry = game:GetService("SharedTableRegistry")
        local scores = SharedTable.new({ alice = 1 })
        registry:SetSharedTable("Scores", scores)
        registry:GetSharedTable("Scores").bob = 2
        print(scores.bob, SharedTable.size(scores))
        local fresh = registry:GetSharedTable("Other")
        print(typeof(fresh), SharedTable.size(fresh), registry:GetSharedTable("Other") == fresh)
        print(pcall(registry.SetSharedTable, registry, "Bad", {}))
        """
    )
    assert out == [
        "2 2",
        "SharedTable 0 true",
        "false user:9: invalid argument #2 to 'SetSharedTable' (SharedTable expected, got table)",
    ]


def test_surface_methods_return_typed_zero_values_and_signals() -> None:
    # No behaviour is written for Path2D or ConfigSnapshot: their methods answer from
    # the generated surface, a UDim2 as a zero UDim2, a signal as a signal.
    out = printed(
        """
        local path = Instance.new("Path2D")
        path:SetControlPoints({ Path2DControlPoint.new(UDim2.fromScale(0, 0)), Path2DControlPoint.new(UDim2.fromScale(1, 1)) })
        local at = path:GetPositionOnCurve(0.5)
        print(typeof(at), at + UDim2.fromOffset(1, 1))
        local point = Path2DControlPoint.new(UDim2.fromScale(0.5, 0))
        print(typeof(point), point.Position, point.LeftTangent)
        local ok, snapshot = pcall(function() return game:GetService("ConfigService"):GetConfigAsync() end)
        local signal = snapshot:GetValueChangedSignal("Feature")
        print(typeof(signal), signal == snapshot:GetValueChangedSignal("Feature"), signal == snapshot:GetValueChangedSignal("Other"))
        """
    )
    assert out == [
        "UDim2 {0, 1}, {0, 1}",
        "Path2DControlPoint {0.5, 0}, {0, 0} {0, 0}, {0, 0}",
        "RBXScriptSignal true false",
    ]


def test_drag_detectors_are_dragged_by_the_stimulus() -> None:
    server = printed(
        """
        local detector = script.Parent
        detector.DragStart:Connect(function(player, ray, viewFrame, hitFrame, part)
            print("start", player, typeof(ray), typeof(viewFrame), part.Name)
        end)
        detector.DragEnd:Connect(function(player) print("end", player) end)
        """
    )
    assert server == ["start Player1 Ray CFrame Part", "end Player1"]
    client = printed(
        """
        local detector = script.Parent
        detector.DragContinue:Connect(function(position) print(typeof(position)) end)
        """,
        kind="LocalScript",
    )
    assert client == ["Vector2"]


def test_text_chat_service_has_its_configurations() -> None:
    # They answer from the engine surface: every property, type-checked writes,
    # and DeriveNewMessageProperties makes the properties object it names.
    out = printed(
        """
        local TextChatService = game:GetService("TextChatService")
        local window = TextChatService.ChatWindowConfiguration
        window.Enabled = false
        print(window.Enabled, TextChatService.BubbleChatConfiguration.BubbleDuration)
        local bubbles = TextChatService.BubbleChatConfiguration
        bubbles.TailVisible = false
        print(bubbles.TailVisible, pcall(function() bubbles.TailVisible = "no" end))
        local properties = window:DeriveNewMessageProperties()
        properties.PrefixText = "[VIP]"
        print(properties.ClassName, properties.PrefixText)
        """
    )
    assert out[0] == "false 15"
    assert out[1].startswith("false false")
    assert out[2] == "ChatWindowMessageProperties [VIP]"


def test_the_audio_graph_wires_and_plays_on_the_virtual_clock() -> None:
    out = printed(
        """
        local player = Instance.new("AudioPlayer")
        player.Asset = "rbxassetid://1"
        local emitter = Instance.new("AudioEmitter")
        local wire = Instance.new("Wire")
        wire.SourceInstance = player
        wire.TargetInstance = emitter
        print(wire.Connected, #player:GetConnectedWires("Output"), #emitter:GetConnectedWires("Input"))
        player.Ended:Connect(function() print("ended", player.IsPlaying) end)
        player:Play()
        print(player.IsPlaying, player.TimeLength)
        print(pcall(function() player.IsPlaying = false end))
        """
    )
    assert out == [
        "true 1 1",
        "true 1",
        "false user:12: The current thread cannot write 'IsPlaying'"
        " (lacking capability RobloxSecurity)",
        "ended false",
    ]


def test_query_descendants_matches_classes_tags_and_names() -> None:
    out = printed(
        """
        local folder = Instance.new("Folder")
        local floor = Instance.new("Part", folder)
        floor.Name = "Floor"
        local lava = Instance.new("Part", folder)
        lava:AddTag("Lava")
        Instance.new("Model", folder)
        print(#folder:QueryDescendants("BasePart"), #folder:QueryDescendants(".Lava"))
        print(#folder:QueryDescendants("#Floor"), #folder:QueryDescendants("Model, Part.Lava"))
        """
    )
    assert out == ["2 1", "1 2"]


def test_humanoid_description_keeps_emotes() -> None:
    out = printed(
        """
        local desc = Instance.new("HumanoidDescription")
        desc:SetEmotes({ Salute = { 3360689775 }, Wave = { 3344650532 } })
        desc:SetEquippedEmotes({ "Salute", "Wave" })
        local equipped = desc:GetEquippedEmotes()
        print(#equipped, equipped[1].Name, equipped[2].Slot, desc:GetEmotes().Wave[1])
        print(pcall(function() desc:SetEquippedEmotes({ "Dab" }) end))
        """
    )
    assert out == [
        "2 Salute 2 3344650532",
        "false user:7: Dab is not an emote of this HumanoidDescription",
    ]


def test_the_client_stimulus_presses_input_actions() -> None:
    out = printed(
        """
        local context = Instance.new("InputContext")
        context.Parent = script.Parent
        local jump = Instance.new("InputAction")
        jump.Parent = context
        jump.Pressed:Connect(function() print("pressed") end)
        jump.StateChanged:Connect(function(state) print("state", state) end)
        local off = Instance.new("InputAction")
        off.Enabled = false
        off.Parent = context
        off.Pressed:Connect(function() print("disabled action fired") end)
        """,
        kind="LocalScript",
    )
    assert out == ["pressed", "state true", "state false"]


def test_style_links_apply_their_sheets_rules() -> None:
    out = printed(
        """
        local gui = Instance.new("ScreenGui")
        local sheet = Instance.new("StyleSheet")
        local rule = Instance.new("StyleRule")
        rule.Selector = "TextButton"
        rule:SetProperty("BackgroundColor3", Color3.new(1, 0, 0))
        rule.Parent = sheet
        local link = Instance.new("StyleLink")
        link.StyleSheet = sheet
        link.Parent = gui
        local button = Instance.new("TextButton")
        button.Parent = gui
        local card = Instance.new("Frame")
        card:AddTag("Card")
        card.Parent = gui
        local cardRule = Instance.new("StyleRule")
        cardRule.Selector = ".Card"
        cardRule.Parent = sheet
        cardRule:SetProperty("BackgroundTransparency", 0.5)
        print(button.BackgroundColor3, card.BackgroundTransparency, #sheet:GetStyleRules())
        print(rule:GetProperty("BackgroundColor3"), Instance.new("TextButton").BackgroundColor3)
        """
    )
    assert out[0] == "1, 0, 0 0.5 2"
    assert out[1].startswith("1, 0, 0 ") and not out[1].endswith("1, 0, 0")


def test_the_character_animate_script_has_its_actions() -> None:
    out = printed(
        """
        local Players = game:GetService("Players")
        Players.PlayerAdded:Connect(function(player)
            player.CharacterAdded:Connect(function(character)
                local animate = character:WaitForChild("Animate")
                animate.walk.WalkAnim.AnimationId = "rbxassetid://1"
                print(animate.ClassName, animate.idle.Animation2.ClassName, animate.run.RunAnim.Name)
                print(animate.walk.WalkAnim.AnimationId, animate.PlayEmote.ClassName)
            end)
        end)
        """
    )
    # Once per character (Player2 joins too).
    assert out[:2] == ["LocalScript Animation RunAnim", "rbxassetid://1 BindableFunction"]


def test_a_player_characters_humanoid_holds_its_humanoid_description() -> None:
    out = printed(
        """
        local Players = game:GetService("Players")
        local humanoid = Players.LocalPlayer.Character.Humanoid
        local description = humanoid.HumanoidDescription
        print(description.ClassName, description.Parent == humanoid)
        """,
        kind="LocalScript",
    )
    assert out == ["HumanoidDescription true"]


def test_user_settings_and_settings_are_service_providers_of_their_own() -> None:
    out = printed(
        """
        local user = UserSettings()
        local game_settings = user:GetService("UserGameSettings")
        print(user.ClassName, user == UserSettings(), game_settings.Parent == user)
        game_settings.MouseSensitivity = 0.5
        print(game_settings.MouseSensitivity, user:FindService("UserGameSettings") == game_settings)
        print(settings().Physics.ClassName, settings():GetService("RenderSettings").Name)
        print(game:FindService("UserGameSettings"), pcall(user.GetService, user, "Players"))
        """,
        kind="LocalScript",
    )
    assert out[:3] == ["UserSettings true true", "0.5 true", "PhysicsSettings Rendering"]
    assert out[3].startswith("nil false") and "Players" in out[3]


def test_a_script_that_asks_for_its_actor_runs_under_one_and_gets_its_messages() -> None:
    out = printed(
        """
        local READY = "ready"
        local ReplicatedStorage = game:GetService("ReplicatedStorage")
        local done = ReplicatedStorage:WaitForChild(READY) :: BindableEvent
        local actor = script:GetActor()
        actor:BindToMessage("work", function(n, label)
            print("got", n * 2, label, script.Parent == actor)
            done:Fire(n)
        end)
        done.Event:Connect(function(n) print("done", n) end)
        print("sending")
        actor:SendMessage("work", 21, "job")
        print("sent")
        """
    )
    # Delivered on the next resumption point, after the sender goes on.
    assert out == ["sending", "sent", "got 42 job true", "done 21"]
