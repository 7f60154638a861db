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


SHOP = """
local MarketplaceService = game:GetService("MarketplaceService")
local Players = game:GetService("Players")
local granted = {}
MarketplaceService.ProcessReceipt = function(receipt)
	local player = Players:GetPlayerByUserId(receipt.PlayerId)
	if not player then
		return Enum.ProductPurchaseDecision.NotProcessedYet
	end
	if receipt.ProductId == 66 then
		error("product 66 is broken")
	end
	if not granted[receipt.PurchaseId] then
		granted[receipt.PurchaseId] = true
		player:SetAttribute("Coins", (player:GetAttribute("Coins") or 0) + 10)
	end
	return Enum.ProductPurchaseDecision.PurchaseGranted
end
MarketplaceService.PromptGamePassPurchaseFinished:Connect(function(player, passId, purchased)
	if purchased then
		player:SetAttribute("Pass" .. passId, true)
	end
end)
MarketplaceService.PromptProductPurchaseFinished:Connect(function(userId, productId, purchased)
	workspace:SetAttribute("LastProduct", tostring(userId) .. ":" .. productId .. ":" .. tostring(purchased))
end)
Players.PlayerAdded:Connect(function(player)
	local ok, owns = pcall(MarketplaceService.UserOwnsGamePassAsync, MarketplaceService, player.UserId, 500)
	player:SetAttribute("Owns", if ok then owns else "error")
end)
local shop = Instance.new("BindableEvent")
shop.Name = "Shop"
shop.Parent = workspace
shop.Event:Connect(function(player, what)
	if what == "coins" then
		MarketplaceService:PromptProductPurchase(player, 10)
	elseif what == "pass" then
		MarketplaceService:PromptGamePassPurchase(player, 500)
	end
end)
"""


def test_game_pass_ownership_comes_from_the_world() -> None:
    checks = """
check("ownership, failures and purchases", function()
	local mp = world.marketplace
	mp.grantPass(701, 500)
	local owner = world.join("Owner", 701)
	local other = world.join("Other", 702)
	mp.failNext("UserOwnsGamePassAsync", 1)
	local unlucky = world.join("Unlucky", 703)
	world.advance(0.5)
	expectEqual(owner:GetAttribute("Owns"), true, "owner")
	expectEqual(other:GetAttribute("Owns"), false, "other")
	expectEqual(unlucky:GetAttribute("Owns"), "error", "an injected failure errors")
	expect(mp.buyGamePass(other, 500), "a fresh purchase")
	world.advance(0.1)
	expect(mp.ownsPass(other, 500) and other:GetAttribute("Pass500"), "bought and announced")
	expect(mp.buyGamePass(other, 500) == false, "owning it already is no purchase")
	mp.revokePass(owner, 500)
	expect(not mp.ownsPass(701, 500), "revoked")
end)
"""
    _passes(SHOP, checks)


def test_product_purchases_reach_process_receipt() -> None:
    checks = """
check("buyProduct hands ProcessReceipt a receipt and returns its decision", function()
	local mp = world.marketplace
	local player = world.join("Ava", 801)
	world.advance(0.5)
	local decision = mp.buyProduct(player, 10, "p-1")
	expect(decision == Enum.ProductPurchaseDecision.PurchaseGranted, "granted: " .. tostring(decision))
	expectEqual(player:GetAttribute("Coins"), 10, "coins after one purchase")
	world.advance(0.1)
	expectEqual(workspace:GetAttribute("LastProduct"), "801:10:true", "PromptProductPurchaseFinished")
	local log = mp.receipts()
	expectEqual(#log, 1, "receipts")
	expectEqual(log[1].receipt.PurchaseId, "p-1", "purchase id")
	expectEqual(log[1].receipt.PlayerId, 801, "player id")
	expect(log[1].receipt.CurrencyType == Enum.CurrencyType.Robux, "currency")
end)
check("retries deliver the same receipt again until it is granted", function()
	local mp = world.marketplace
	local decision = mp.processReceipt({ PlayerId = 999, ProductId = 10, PurchaseId = "p-away" })
	expect(decision == Enum.ProductPurchaseDecision.NotProcessedYet, "absent player")
	local none, why = mp.processReceipt({ PlayerId = 801, ProductId = 66, PurchaseId = "p-broken" })
	expect(none == nil and string.find(why, "product 66 is broken", 1, true), tostring(why))
	expectEqual(mp.retryReceipts(), 2, "two receipts were not granted")
	mp.processReceipt({ PlayerId = 801, ProductId = 10, PurchaseId = "p-1" })
	expectEqual(game:GetService("Players").Ava:GetAttribute("Coins"), 10, "the same PurchaseId is granted once")
end)
check("answered prompts complete purchases", function()
	local mp = world.marketplace
	local player = game:GetService("Players").Ava
	mp.answerPrompts(true)
	workspace.Shop:Fire(player, "coins")
	world.advance(0.5)
	expectEqual(player:GetAttribute("Coins"), 20, "the prompt bought coins")
	workspace.Shop:Fire(player, "pass")
	world.advance(0.5)
	expect(mp.ownsPass(player, 500) and player:GetAttribute("Pass500"), "the prompt bought the pass")
	local kinds = {}
	for _, prompt in mp.prompts() do
		table.insert(kinds, prompt.kind .. ":" .. prompt.id)
	end
	expectEqual(table.concat(kinds, ","), "Product:10,GamePass:500", "prompts")
	mp.answerPrompts(false)
	workspace.Shop:Fire(player, "coins")
	world.advance(0.5)
	expectEqual(player:GetAttribute("Coins"), 20, "a closed prompt buys nothing")
	expectEqual(workspace:GetAttribute("LastProduct"), "801:10:false", "and says so")
end)
"""
    report = run_checks(SHOP, checks, "Script")
    failures = [(r.name, r.message) for r in report.results if not r.passed]
    assert report.passed, (failures, report.run.to_dict()["errors"])
    # The broken product's error is reported as a script error at its line.
    broken = [e for e in report.run.errors if "product 66" in e.message]
    assert broken and broken[0].line == 11 and broken[0].context.startswith("MarketplaceService")
