"""Procedural Roblox task families: parametrised prompts, reference solutions and checks.

A family is one kind of request ("a kill brick", "a leaderstats value") with
named parameter slots. Each slot draws from a pool of values; `render` turns
one choice of values into a `luaurft.eval.tasks.Task` (prompt, reference
solution, world setup, checks run in the mock world), so the evaluation
harness, `luaurft check` and `luaurft tasks validate` run these tasks like
any other.

Prompts state every value the code needs, quoted or written the way the code
writes it, so a model can answer by understanding the request and copying the
values, never by guessing. The checks test behaviour, not text: a solution
passes by doing what was asked in the mock Roblox world.

Combination families join two base families in one request (a part that is
also a kill brick, leaderstats plus a walk speed); no training example has
them, so evaluation sees a request shape SFT never showed. Practice
combinations join other pairs the same way, as optional SFT data
(`SuiteSpec.practice_combinations`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from luaurft.eval.tasks import Check, Difficulty, Task, TaskKind

Params = Mapping[str, Any]

# Name pieces: every name is an adjective and a noun, so a held-out name is a new
# combination of pieces the tokenizer and the model have seen.
ADJECTIVES = (
    "Red", "Blue", "Gold", "Dark", "Lava", "Ice", "Swift", "Iron", "Neon", "Stone", "Sky",
    "Moss", "Fire", "Frost", "Storm", "Sun", "Moon", "Star", "Crystal", "Shadow", "Silver",
    "Jade", "Ruby", "Cloud",
)  # fmt: skip
NOUNS = (
    "Pad", "Gate", "Block", "Tower", "Trap", "Bridge", "Wall", "Orb", "Step", "Door", "Panel",
    "Floor", "Beam", "Pillar", "Ramp", "Roof", "Tile", "Crate", "Sign", "Arch", "Plate",
    "Slab", "Post", "Fence",
)  # fmt: skip
STAT_NAMES = (
    "Coins", "Gems", "Points", "Stars", "Wins", "Tokens", "Cash", "Score", "Kills", "Level",
    "Gold", "Energy", "Souls", "Crowns", "Shards", "Bucks",
)  # fmt: skip
ATTRIBUTES = (
    "Volume", "Speed", "Team", "Power", "Rank", "Charge", "Mode", "Skin", "Size", "Zoom",
    "Pitch", "Level",
)  # fmt: skip
FUNCTION_NAMES = (
    "scale", "convert", "compute", "adjust", "boost", "transform", "shift", "reward",
)  # fmt: skip
# Wide pools: a model that guesses a value from how often it saw it gets almost nothing
# right, so reading the value from the request is the only way to learn the task.
_CHANNEL = tuple(range(0, 256, 15))
COLOURS: tuple[tuple[int, int, int], ...] = tuple(
    (r, g, b) for r in _CHANNEL for g in _CHANNEL for b in _CHANNEL
)


def names() -> tuple[str, ...]:
    return tuple(a + n for a in ADJECTIVES for n in NOUNS)


def lua_list(values: Sequence[Any]) -> str:
    return ", ".join(str(v) for v in values)


@dataclass(frozen=True)
class Rendered:
    """What one parameter choice of a family becomes."""

    prompt: str
    solution: str
    checks: tuple[tuple[str, str], ...]
    setup: str = ""
    seconds: float = 0.0


@dataclass(frozen=True)
class Family:
    """A parametrised task family (see module docstring).

    `slots`: each parameter's pool of values. `key`: the slot whose values are
    partly reserved for the held-out split ("unseen values"). `render(params,
    phrasing)`: the task text; `phrasings` is how many wordings the prompt has.
    `fresh`: key values outside the key slot's pool, so no train, validation or
    eval task can have one; the suite gives them to added RFT tasks when asked
    (`SuiteSpec.rft_fresh_keys`), for a family whose open values train uses up.
    `open_slots`: slots besides `key` that hold a key value of a family a combination
    joins; the suite draws them as it draws the key.
    """

    name: str
    title: str
    kind: TaskKind
    difficulty: Difficulty
    slots: Mapping[str, Sequence[Any]]
    key: str
    render: Callable[[Params, int], Rendered]
    phrasings: int = 2
    tags: tuple[str, ...] = ()
    combination: bool = False
    fresh: tuple[Any, ...] = ()
    open_slots: tuple[str, ...] = ()

    def task(self, task_id: str, params: Params, phrasing: int, *, split: str) -> Task:
        rendered = self.render(params, phrasing % self.phrasings)
        return Task(
            id=task_id,
            prompt=rendered.prompt,
            kind=self.kind,
            category=self.name,
            difficulty=self.difficulty,
            tags=("demo", self.name, split, *self.tags),
            setup=rendered.setup,
            seconds=rendered.seconds,
            checks=tuple(Check(name=n, body=b) for n, b in rendered.checks),
            solution=rendered.solution,
            source=f"demo:{self.name}",
        )


# -- shared pieces -------------------------------------------------------------------

_STATS_BLOCK = """\
local function onPlayerAdded(player: Player)
	local leaderstats = Instance.new("Folder")
	leaderstats.Name = "leaderstats"
	local stat = Instance.new("IntValue")
	stat.Name = "{stat}"
	stat.Value = {start}
	stat.Parent = leaderstats
	leaderstats.Parent = player
end
"""

_JOIN_LOOP = """\
Players.PlayerAdded:Connect(onPlayerAdded)
for _, player in Players:GetPlayers() do
	onPlayerAdded(player)
end
"""


def _part_setup(name: str) -> str:
    return (
        'local part = Instance.new("Part")\n'
        f'part.Name = "{name}"\n'
        "part.Anchored = true\n"
        "part.Position = Vector3.new(0, 2, 12)\n"
        "part.Parent = workspace\n"
    )


# -- families -------------------------------------------------------------------------


def _part(p: Params, phrasing: int) -> Rendered:
    x, y, z = p["size"]
    r, g, b = p["colour"]
    anchored = "true" if p["anchored"] else "false"
    state = "anchored" if p["anchored"] else "unanchored"
    prompts = (
        f'Create an {state} Part named "{p["name"]}" in Workspace with Size {x}, {y}, {z} '
        f"and Color RGB({r}, {g}, {b}).",
        f'Write a server Script that adds a Part called "{p["name"]}" to Workspace. '
        f"Give it Size {x}, {y}, {z}, Color RGB({r}, {g}, {b}) and make it {state}.",
    )
    solution = f"""\
local part = Instance.new("Part")
part.Name = "{p["name"]}"
part.Size = Vector3.new({x}, {y}, {z})
part.Color = Color3.fromRGB({r}, {g}, {b})
part.Anchored = {anchored}
part.Parent = workspace
"""
    checks = (
        (
            "the part exists in Workspace",
            f'local part = workspace:FindFirstChild("{p["name"]}")\n'
            f'assert(part and part:IsA("Part"), "no Part named {p["name"]} in Workspace")',
        ),
        (
            "size and colour",
            f'local part = workspace:FindFirstChild("{p["name"]}")\n'
            f'assert(part, "no part")\n'
            f'assert(sim.near(part.Size, Vector3.new({x}, {y}, {z})), "wrong Size " .. tostring(part.Size))\n'
            f'assert(sim.near(part.Color, Color3.fromRGB({r}, {g}, {b}), 0.01), "wrong Color")',
        ),
        (
            "anchoring",
            f'local part = workspace:FindFirstChild("{p["name"]}")\n'
            f'assert(part, "no part")\n'
            f'assert(part.Anchored == {anchored}, "Anchored should be {anchored}")',
        ),
    )
    return Rendered(prompts[phrasing], solution, checks, seconds=0.1)


def _leaderstats(p: Params, phrasing: int) -> Rendered:
    stat, start = p["stat"], p["start"]
    prompts = (
        f'Make a server Script that gives every player a "leaderstats" Folder with an '
        f'IntValue named "{stat}" starting at {start}.',
        f'Set up leaderstats: each player who joins gets a Folder called "leaderstats" '
        f'holding an IntValue "{stat}" with the value {start}.',
    )
    solution = (
        'local Players = game:GetService("Players")\n\n'
        + _STATS_BLOCK.format(stat=stat, start=start)
        + "\n"
        + _JOIN_LOOP
    )
    checks = (
        (
            "a joining player gets leaderstats",
            'local player = sim.addPlayer("Ava", 11)\nsim.advance(0.2)\n'
            'local stats = player:FindFirstChild("leaderstats")\n'
            'assert(stats and stats:IsA("Folder"), "no leaderstats Folder")',
        ),
        (
            f"{stat} starts at {start}",
            'local stats = game:GetService("Players").Ava.leaderstats\n'
            f'local stat = stats:FindFirstChild("{stat}")\n'
            f'assert(stat and stat:IsA("IntValue"), "no IntValue {stat}")\n'
            f'assert(stat.Value == {start}, "{stat} should start at {start}, got " .. tostring(stat.Value))',
        ),
        (
            "every player gets their own value",
            'local other = sim.addPlayer("Ben", 12)\nsim.advance(0.2)\n'
            f'local stat = other.leaderstats:FindFirstChild("{stat}")\n'
            f'assert(stat and stat.Value == {start}, "the second player has no {stat}")\n'
            f'assert(stat ~= game:GetService("Players").Ava.leaderstats.{stat}, "players share one value")',
        ),
    )
    return Rendered(prompts[phrasing], solution, checks)


def _kill_handler(part: str, cooldown: int) -> str:
    """The debounced kill handler on the Part held by the local `part` (shared by the kill
    brick and its combination with a new Part, so the two solutions cannot drift apart)."""
    return f"""\
local COOLDOWN = {cooldown}
local debounce = false

{part}.Touched:Connect(function(hit: BasePart)
	if debounce then
		return
	end
	local humanoid = hit.Parent and hit.Parent:FindFirstChildOfClass("Humanoid")
	if humanoid then
		debounce = true
		humanoid.Health = 0
		task.wait(COOLDOWN)
		debounce = false
	end
end)
"""


def _kill_brick(p: Params, phrasing: int) -> Rendered:
    name, wait = p["name"], p["cooldown"]
    prompts = (
        f'Write a server Script that turns the Part named "{name}" in Workspace into a kill '
        f"brick: a character that touches it dies (Humanoid Health set to 0). Use a debounce "
        f"so the brick ignores touches for {wait} seconds after it kills.",
        f'Make the Workspace Part "{name}" a kill brick. When a player\'s character touches '
        f"it, set their Humanoid's Health to 0, then ignore touches for {wait} seconds "
        f"(debounce).",
    )
    solution = f'local brick = workspace:WaitForChild("{name}")\n' + _kill_handler("brick", wait)
    checks = (
        (
            "a touching character dies",
            'local player = sim.addPlayer("Ava", 21)\nsim.advance(0.2)\n'
            f'sim.touch(workspace["{name}"], player.Character.HumanoidRootPart)\n'
            "sim.advance(0.1)\n"
            'assert(player.Character.Humanoid.Health == 0, "the character should be dead")',
        ),
        (
            "touches are ignored during the cooldown",
            'local player = game:GetService("Players").Ava\n'
            "local character = sim.respawn(player)\n"
            f'sim.touch(workspace["{name}"], character.HumanoidRootPart)\n'
            "sim.advance(0.1)\n"
            'assert(character.Humanoid.Health > 0, "the brick should wait before killing again")\n'
            f"sim.advance({wait})\n"
            f'sim.touch(workspace["{name}"], character.HumanoidRootPart)\n'
            "sim.advance(0.1)\n"
            'assert(character.Humanoid.Health == 0, "after the cooldown the brick kills again")',
        ),
        (
            "loose parts are ignored",
            f'local brick = workspace["{name}"]\n'
            f"sim.advance({wait} + 0.5)\n"
            'local rock = Instance.new("Part")\nrock.Parent = workspace\n'
            "sim.touch(brick, rock)\nsim.advance(0.1)\n"
            'local player = sim.addPlayer("Cy", 23)\nsim.advance(0.2)\n'
            "sim.touch(brick, player.Character.HumanoidRootPart)\nsim.advance(0.1)\n"
            'assert(player.Character.Humanoid.Health == 0, "a loose part must not use up the debounce")',
        ),
    )
    return Rendered(prompts[phrasing], solution, checks, setup=_part_setup(name))


def _remote(p: Params, phrasing: int) -> Rendered:
    remote, attr, lo, hi = p["remote"], p["attribute"], p["low"], p["high"]
    prompts = (
        f'Create a RemoteEvent named "{remote}" in ReplicatedStorage. When a client fires it '
        f'with a number between {lo} and {hi}, set the player\'s "{attr}" attribute to that '
        "number; ignore anything that is not a number in that range.",
        f'Server Script: make a RemoteEvent "{remote}" in ReplicatedStorage and handle '
        f"OnServerEvent. Validate the argument: only a number from {lo} to {hi} is accepted, "
        f'and it is stored as the player\'s "{attr}" attribute.',
    )
    solution = f"""\
local ReplicatedStorage = game:GetService("ReplicatedStorage")

local remote = Instance.new("RemoteEvent")
remote.Name = "{remote}"
remote.Parent = ReplicatedStorage

remote.OnServerEvent:Connect(function(player: Player, value: unknown)
	if typeof(value) ~= "number" then
		return
	end
	if value < {lo} or value > {hi} then
		return
	end
	player:SetAttribute("{attr}", value)
end)
"""
    mid = (lo + hi) // 2
    checks = (
        (
            "the RemoteEvent exists",
            f'local remote = game:GetService("ReplicatedStorage"):FindFirstChild("{remote}")\n'
            f'assert(remote and remote:IsA("RemoteEvent"), "no RemoteEvent {remote}")',
        ),
        (
            "a valid number is stored",
            'local player = sim.addPlayer("Ava", 31)\nsim.advance(0.2)\n'
            f'local remote = game:GetService("ReplicatedStorage")["{remote}"]\n'
            f"sim.fireServer(remote, player, {mid})\nsim.advance(0.1)\n"
            f'assert(player:GetAttribute("{attr}") == {mid}, "{attr} should be {mid}")',
        ),
        (
            "invalid values are ignored",
            'local player = game:GetService("Players").Ava\n'
            f'local remote = game:GetService("ReplicatedStorage")["{remote}"]\n'
            f'sim.fireServer(remote, player, "{mid}")\n'
            f"sim.fireServer(remote, player, {hi + 1})\n"
            f"sim.fireServer(remote, player, {lo - 1})\n"
            "sim.fireServer(remote, player, nil)\nsim.advance(0.1)\n"
            f'assert(player:GetAttribute("{attr}") == {mid}, "invalid values must not change {attr}")\n'
            f"sim.fireServer(remote, player, {hi})\nsim.advance(0.1)\n"
            f'assert(player:GetAttribute("{attr}") == {hi}, "{hi} itself is allowed")',
        ),
    )
    return Rendered(prompts[phrasing], solution, checks)


def _module(p: Params, phrasing: int) -> Rendered:
    fn, a, b = p["function"], p["factor"], p["offset"]
    prompts = (
        f"Write a ModuleScript that returns a table with a function {fn}(x: number): number "
        f"that returns x * {a} + {b}.",
        f"ModuleScript: return a module table whose function {fn} takes a number x and "
        f"gives back x multiplied by {a}, plus {b}.",
    )
    solution = f"""\
local Module = {{}}

function Module.{fn}(x: number): number
	return x * {a} + {b}
end

return Module
"""
    checks = (
        (
            "the module returns a table",
            'local module = require(game:GetService("ReplicatedStorage").Solution)\n'
            'assert(type(module) == "table", "the module should return a table")\n'
            f'assert(type(module.{fn}) == "function", "no function {fn}")',
        ),
        (
            f"{fn} computes x * {a} + {b}",
            'local module = require(game:GetService("ReplicatedStorage").Solution)\n'
            f"for _, x in {{ 0, 1, 7, -3 }} do\n"
            f"\tlocal want = x * {a} + {b}\n"
            f"\tlocal got = module.{fn}(x)\n"
            f'\tassert(got == want, "{fn}(" .. x .. ") should be " .. want .. ", got " .. tostring(got))\n'
            "end",
        ),
    )
    return Rendered(prompts[phrasing], solution, checks)


def _door_handler(door: str, goal: float, duration: int) -> str:
    """The fade-on-touch handler on the Part held by the local `door` (shared by the tween
    door and its practice combination with a new Part); needs a local `TweenService`."""
    return f"""\
local tweenInfo = TweenInfo.new({duration})

{door}.Touched:Connect(function(hit: BasePart)
	if hit.Parent and hit.Parent:FindFirstChildOfClass("Humanoid") then
		{door}.CanCollide = false
		TweenService:Create({door}, tweenInfo, {{ Transparency = {goal} }}):Play()
	end
end)
"""


def _door(p: Params, phrasing: int) -> Rendered:
    name, goal, duration = p["name"], p["transparency"], p["duration"]
    prompts = (
        f'When a player touches the Part named "{name}" in Workspace, tween its Transparency '
        f"to {goal} over {duration} seconds with TweenService and set CanCollide to false.",
        f'Write a door script for the Workspace Part "{name}": on Touched by a character, use '
        f"TweenService to fade Transparency to {goal} in {duration} seconds and turn off "
        "CanCollide.",
    )
    solution = (
        'local TweenService = game:GetService("TweenService")\n\n'
        f'local door = workspace:WaitForChild("{name}")\n' + _door_handler("door", goal, duration)
    )
    checks = (
        (
            "the door fades while tweening",
            'local player = sim.addPlayer("Ava", 41)\nsim.advance(0.2)\n'
            f'local door = workspace["{name}"]\n'
            "sim.touch(door, player.Character.HumanoidRootPart)\n"
            f"sim.advance({duration} / 2)\n"
            f'assert(door.Transparency > 0.01 and door.Transparency < {goal} - 0.01, "the door should be mid-tween")',
        ),
        (
            f"it ends at Transparency {goal} without collision",
            f'local door = workspace["{name}"]\n'
            f"sim.advance({duration})\n"
            f'assert(sim.near(door.Transparency, {goal}, 0.01), "Transparency should end at {goal}, got " .. door.Transparency)\n'
            'assert(door.CanCollide == false, "CanCollide should be false")',
        ),
    )
    return Rendered(prompts[phrasing], solution, checks, setup=_part_setup(name))


def _countdown(p: Params, phrasing: int) -> Rendered:
    name, start = p["name"], p["start"]
    prompts = (
        f'Create an IntValue named "{name}" in ReplicatedStorage that starts at {start} and '
        "counts down by 1 every second with task.wait until it reaches 0.",
        f'Countdown timer: put an IntValue "{name}" in ReplicatedStorage with the value '
        f"{start}, then lower it by one each second (task.wait(1)) and stop at 0.",
    )
    solution = f"""\
local ReplicatedStorage = game:GetService("ReplicatedStorage")

local timer = Instance.new("IntValue")
timer.Name = "{name}"
timer.Value = {start}
timer.Parent = ReplicatedStorage

while timer.Value > 0 do
	task.wait(1)
	timer.Value -= 1
end
"""
    checks = (
        (
            f"the timer starts at {start}",
            f'local timer = game:GetService("ReplicatedStorage"):FindFirstChild("{name}")\n'
            f'assert(timer and timer:IsA("IntValue"), "no IntValue {name}")\n'
            f'assert(timer.Value == {start}, "should start at {start}, got " .. timer.Value)',
        ),
        (
            "it counts one per second",
            f'local timer = game:GetService("ReplicatedStorage")["{name}"]\n'
            "sim.advance(2.5)\n"
            f'assert(timer.Value == {start - 2}, "after 2.5 s it should be {start - 2}, got " .. timer.Value)',
        ),
        (
            "it stops at 0",
            f'local timer = game:GetService("ReplicatedStorage")["{name}"]\n'
            f"sim.advance({start + 3})\n"
            'assert(timer.Value == 0, "it should stop at 0, got " .. timer.Value)',
        ),
    )
    return Rendered(prompts[phrasing], solution, checks, seconds=0.1)


def _coins(p: Params, phrasing: int) -> Rendered:
    tag, stat, value = p["tag"], p["stat"], p["value"]
    prompts = (
        f'Every Part tagged "{tag}" with CollectionService is a pickup: when a player\'s '
        f'character touches one, add {value} to their leaderstats "{stat}" IntValue and destroy '
        f'the part. Create the leaderstats Folder with "{stat}" at 0 for each player.',
        f'Server Script for pickups: give each player leaderstats with an IntValue "{stat}" '
        f'(0). Parts with the CollectionService tag "{tag}" give {value} {stat} to the '
        "character that touches them, then get destroyed.",
    )
    solution = (
        'local CollectionService = game:GetService("CollectionService")\n'
        'local Players = game:GetService("Players")\n\n'
        + _STATS_BLOCK.format(stat=stat, start=0)
        + f"""
local function setupPickup(pickup: BasePart)
	pickup.Touched:Connect(function(hit: BasePart)
		local player = Players:GetPlayerFromCharacter(hit.Parent)
		if player and pickup.Parent then
			player.leaderstats.{stat}.Value += {value}
			pickup:Destroy()
		end
	end)
end

"""
        + _JOIN_LOOP
        + f"""for _, pickup in CollectionService:GetTagged("{tag}") do
	setupPickup(pickup)
end
"""
    )
    setup = (
        'local CollectionService = game:GetService("CollectionService")\n'
        "for i = 1, 2 do\n"
        '\tlocal pickup = Instance.new("Part")\n'
        f'\tpickup.Name = "Pickup" .. i\n'
        "\tpickup.Anchored = true\n"
        "\tpickup.Parent = workspace\n"
        f'\tCollectionService:AddTag(pickup, "{tag}")\n'
        "end\n"
    )
    checks = (
        (
            f"players get {stat}",
            'local player = sim.addPlayer("Ava", 51)\nsim.advance(0.2)\n'
            f'local stat = player:FindFirstChild("leaderstats") and player.leaderstats:FindFirstChild("{stat}")\n'
            f'assert(stat and stat.Value == 0, "no leaderstats {stat} at 0")',
        ),
        (
            "touching a pickup collects it",
            'local player = game:GetService("Players").Ava\n'
            "local pickup = workspace.Pickup1\n"
            "sim.touch(pickup, player.Character.HumanoidRootPart)\n"
            "sim.touch(pickup, player.Character.HumanoidRootPart)\nsim.advance(0.1)\n"
            f'assert(player.leaderstats.{stat}.Value == {value}, "{stat} should be {value}, got " .. player.leaderstats.{stat}.Value)\n'
            'assert(pickup.Parent == nil, "the pickup should be destroyed")',
        ),
        (
            "loose parts do not collect",
            "local pickup = workspace.Pickup2\n"
            'local rock = Instance.new("Part")\nrock.Parent = workspace\n'
            "sim.touch(pickup, rock)\nsim.advance(0.1)\n"
            'assert(pickup.Parent == workspace, "a loose part must not collect a pickup")\n'
            'local player = game:GetService("Players").Ava\n'
            "sim.touch(pickup, player.Character.HumanoidRootPart)\nsim.advance(0.1)\n"
            f'assert(player.leaderstats.{stat}.Value == {2 * value}, "the second pickup should count too")',
        ),
    )
    return Rendered(prompts[phrasing], solution, checks, setup=setup)


def _datastore(p: Params, phrasing: int) -> Rendered:
    store, stat, default = p["store"], p["stat"], p["default"]
    prompts = (
        f'Save each player\'s leaderstats IntValue "{stat}" in the DataStore "{store}" under '
        f'the key "Player_" .. UserId: load it with GetAsync when they join (default {default} '
        "when nothing is saved), save it with SetAsync when they leave, and wrap every "
        "DataStore call in pcall.",
        f'DataStore script: players get leaderstats with an IntValue "{stat}" loaded from the '
        f'DataStore "{store}" (key "Player_" .. UserId, default {default}); save it when the '
        "player leaves. Use pcall around GetAsync and SetAsync.",
    )
    solution = f"""\
local DataStoreService = game:GetService("DataStoreService")
local Players = game:GetService("Players")

local store = DataStoreService:GetDataStore("{store}")

local function onPlayerAdded(player: Player)
	local leaderstats = Instance.new("Folder")
	leaderstats.Name = "leaderstats"
	local stat = Instance.new("IntValue")
	stat.Name = "{stat}"
	stat.Value = {default}
	stat.Parent = leaderstats
	leaderstats.Parent = player
	local ok, saved = pcall(function()
		return store:GetAsync("Player_" .. player.UserId)
	end)
	if ok and typeof(saved) == "number" then
		stat.Value = saved
	end
end

local function onPlayerRemoving(player: Player)
	local stat = player.leaderstats.{stat}
	local ok, err = pcall(function()
		store:SetAsync("Player_" .. player.UserId, stat.Value)
	end)
	if not ok then
		warn("could not save " .. player.Name .. ": " .. tostring(err))
	end
end

Players.PlayerAdded:Connect(onPlayerAdded)
Players.PlayerRemoving:Connect(onPlayerRemoving)
"""
    setup = (
        f'game:GetService("DataStoreService"):GetDataStore("{store}"):SetAsync("Player_61", 75)\n'
    )
    checks = (
        (
            "a saved value is loaded",
            'local player = sim.addPlayer("Ava", 61)\nsim.advance(0.5)\n'
            f'local stat = player:FindFirstChild("leaderstats") and player.leaderstats:FindFirstChild("{stat}")\n'
            f'assert(stat and stat:IsA("IntValue"), "no leaderstats {stat}")\n'
            'assert(stat.Value == 75, "the saved 75 should be loaded, got " .. stat.Value)',
        ),
        (
            "a new player gets the default",
            'local player = sim.addPlayer("Ben", 62)\nsim.advance(0.5)\n'
            f'assert(player.leaderstats.{stat}.Value == {default}, "a new player should start at {default}")',
        ),
        (
            "the value is saved on leave",
            'local player = game:GetService("Players").Ava\n'
            f"player.leaderstats.{stat}.Value = 90\n"
            "sim.removePlayer(player)\nsim.advance(0.5)\n"
            f'local saved = game:GetService("DataStoreService"):GetDataStore("{store}"):GetAsync("Player_61")\n'
            'assert(saved == 90, "90 should be saved, got " .. tostring(saved))',
        ),
        (
            "a failing load does not break joining",
            'sim.failDataStore("GetAsync")\n'
            'local player = sim.addPlayer("Cy", 63)\nsim.advance(0.5)\n'
            f'local stat = player:FindFirstChild("leaderstats") and player.leaderstats:FindFirstChild("{stat}")\n'
            f'assert(stat and stat.Value == {default}, "a failed load should leave the default")',
        ),
    )
    return Rendered(prompts[phrasing], solution, checks, setup=setup)


def _walkspeed(p: Params, phrasing: int) -> Rendered:
    speed, jump = p["speed"], p["jump"]
    prompts = (
        f"Set every player's Humanoid WalkSpeed to {speed} and JumpPower to {jump} each time "
        "their character spawns.",
        f"Server Script: whenever a character is added for a player, give its Humanoid a "
        f"WalkSpeed of {speed} and a JumpPower of {jump}.",
    )
    solution = f"""\
local Players = game:GetService("Players")

local function onCharacterAdded(character: Model)
	local humanoid = character:WaitForChild("Humanoid") :: Humanoid
	humanoid.WalkSpeed = {speed}
	humanoid.JumpPower = {jump}
end

Players.PlayerAdded:Connect(function(player: Player)
	player.CharacterAdded:Connect(onCharacterAdded)
end)
"""
    checks = (
        (
            "a new character gets the speed",
            'local player = sim.addPlayer("Ava", 71)\nsim.advance(0.3)\n'
            "local humanoid = player.Character.Humanoid\n"
            f'assert(humanoid.WalkSpeed == {speed}, "WalkSpeed should be {speed}, got " .. humanoid.WalkSpeed)\n'
            f'assert(humanoid.JumpPower == {jump}, "JumpPower should be {jump}, got " .. humanoid.JumpPower)',
        ),
        (
            "a respawned character gets it too",
            'local character = sim.respawn(game:GetService("Players").Ava)\nsim.advance(0.3)\n'
            f'assert(character.Humanoid.WalkSpeed == {speed}, "the respawned character should have WalkSpeed {speed}")',
        ),
    )
    return Rendered(prompts[phrasing], solution, checks)


def _click_handler(counter: str, step: int) -> str:
    """The counter and ClickDetector on the Part held by the local `part` (shared by the click
    counter and its practice combination with a new Part)."""
    return f"""\
local counter = Instance.new("IntValue")
counter.Name = "{counter}"
counter.Parent = part

local detector = Instance.new("ClickDetector")
detector.Parent = part

detector.MouseClick:Connect(function()
	counter.Value += {step}
end)
"""


def _clicker(p: Params, phrasing: int) -> Rendered:
    name, counter, step = p["name"], p["counter"], p["step"]
    prompts = (
        f'Add a ClickDetector to the Part named "{name}" in Workspace and an IntValue named '
        f'"{counter}" under the part starting at 0; each click adds {step} to it.',
        f'Make the Workspace Part "{name}" clickable: give it a ClickDetector and an IntValue '
        f'child "{counter}" (0), and raise the value by {step} on every click.',
    )
    solution = f'local part = workspace:WaitForChild("{name}")\n\n' + _click_handler(counter, step)
    checks = (
        (
            "the part has a ClickDetector and a counter",
            f'local part = workspace["{name}"]\n'
            'assert(part:FindFirstChildOfClass("ClickDetector"), "no ClickDetector")\n'
            f'local counter = part:FindFirstChild("{counter}")\n'
            f'assert(counter and counter:IsA("IntValue") and counter.Value == 0, "no IntValue {counter} at 0")',
        ),
        (
            f"each click adds {step}",
            'local player = sim.addPlayer("Ava", 81)\nsim.advance(0.2)\n'
            f'local part = workspace["{name}"]\n'
            'local detector = part:FindFirstChildOfClass("ClickDetector")\n'
            "sim.click(detector, player)\nsim.click(detector, player)\nsim.advance(0.1)\n"
            f'assert(part["{counter}"].Value == {2 * step}, "two clicks should give {2 * step}")',
        ),
    )
    return Rendered(prompts[phrasing], solution, checks, setup=_part_setup(name))


# -- combinations (held out) ------------------------------------------------------------


def _new_part_request(p: Params) -> str:
    """The opening of a combination request that creates a Part (shared, so the held-out
    and the practice combinations ask for the Part in the same words)."""
    x, y, z = p["size"]
    r, g, b = p["colour"]
    anchored = "true" if p["anchored"] else "false"
    return (
        f'Create a Part named "{p["name"]}" in Workspace with Size {x}, {y}, {z}, Color '
        f"RGB({r}, {g}, {b}) and Anchored {anchored}"
    )


def _part_kill(p: Params, phrasing: int) -> Rendered:
    part = _part(p, 0)
    kill = _kill_brick(p, 0)
    prompt = (
        f"{_new_part_request(p)}, and make it a kill brick: a character "
        f"that touches it dies (Humanoid Health set to 0), with a debounce that ignores "
        f"touches for {p['cooldown']} seconds after it kills."
    )
    solution = part.solution + "\n" + _kill_handler("part", p["cooldown"])
    return Rendered(prompt, solution, part.checks + kill.checks[:2])


def _stats_speed(p: Params, phrasing: int) -> Rendered:
    stats = _leaderstats(p, 0)
    speed = _walkspeed(p, 0)
    prompt = (
        f'Make a server Script that gives every player a "leaderstats" Folder with an IntValue '
        f'named "{p["stat"]}" starting at {p["start"]}, and sets their Humanoid WalkSpeed to '
        f"{p['speed']} and JumpPower to {p['jump']} each time their character spawns."
    )
    solution = f"""\
local Players = game:GetService("Players")

local function onCharacterAdded(character: Model)
	local humanoid = character:WaitForChild("Humanoid") :: Humanoid
	humanoid.WalkSpeed = {p["speed"]}
	humanoid.JumpPower = {p["jump"]}
end

local function onPlayerAdded(player: Player)
	local leaderstats = Instance.new("Folder")
	leaderstats.Name = "leaderstats"
	local stat = Instance.new("IntValue")
	stat.Name = "{p["stat"]}"
	stat.Value = {p["start"]}
	stat.Parent = leaderstats
	leaderstats.Parent = player
	player.CharacterAdded:Connect(onCharacterAdded)
end

{_JOIN_LOOP}"""
    return Rendered(prompt, solution, stats.checks[:2] + speed.checks)


# -- practice combinations (SFT data only, other pairs than the held-out ones) -------------
#
# Each joins two families in one request, its solution built from the two families'
# solutions and its checks taken from both (no two of them add the same player), so the
# SFT data shows what composing two pieces in one script looks like. A countdown's loop
# never returns, so it comes last in the script, and its checks run first (they read the
# clock from the start).


def _countdown_request(p: Params) -> str:
    return (
        f'creates an IntValue named "{p["timer"]}" in ReplicatedStorage that starts at '
        f"{p['count']} and counts down by 1 every second with task.wait until it reaches 0"
    )


def _with_countdown(first: Rendered, p: Params, prompt: str) -> Rendered:
    countdown = _countdown({"name": p["timer"], "start": p["count"]}, 0)
    return Rendered(
        prompt,
        first.solution + "\n" + countdown.solution,
        countdown.checks + first.checks,
        setup=first.setup,
        seconds=max(first.seconds, countdown.seconds),
    )


def _part_click(p: Params, phrasing: int) -> Rendered:
    part = _part(p, 0)
    clicker = _clicker(p, 0)
    prompt = (
        f"{_new_part_request(p)}, and make it clickable: give it a ClickDetector and an "
        f'IntValue child "{p["counter"]}" starting at 0, and add {p["step"]} to the value on '
        "every click."
    )
    solution = part.solution + "\n" + _click_handler(p["counter"], p["step"])
    return Rendered(prompt, solution, part.checks + clicker.checks, seconds=part.seconds)


def _part_door(p: Params, phrasing: int) -> Rendered:
    part = _part(p, 0)
    door = _door(p, 0)
    prompt = (
        f"{_new_part_request(p)}, and make it a door: when a player touches it, tween its "
        f"Transparency to {p['transparency']} over {p['duration']} seconds with TweenService "
        "and set CanCollide to false."
    )
    solution = (
        'local TweenService = game:GetService("TweenService")\n\n'
        + part.solution
        + "\n"
        + _door_handler("part", p["transparency"], p["duration"])
    )
    return Rendered(prompt, solution, part.checks + door.checks, seconds=part.seconds)


def _stats_countdown(p: Params, phrasing: int) -> Rendered:
    prompt = (
        f'Make a server Script that gives every player a "leaderstats" Folder with an IntValue '
        f'named "{p["stat"]}" starting at {p["start"]}, and {_countdown_request(p)}.'
    )
    return _with_countdown(_leaderstats(p, 0), p, prompt)


def _speed_countdown(p: Params, phrasing: int) -> Rendered:
    prompt = (
        f"Make a server Script that sets every player's Humanoid WalkSpeed to {p['speed']} and "
        f"JumpPower to {p['jump']} each time their character spawns, and "
        f"{_countdown_request(p)}."
    )
    return _with_countdown(_walkspeed(p, 0), p, prompt)


def _kill_countdown(p: Params, phrasing: int) -> Rendered:
    prompt = (
        f'Make a server Script that turns the Part named "{p["name"]}" in Workspace into a kill '
        "brick: a character that touches it dies (Humanoid Health set to 0), with a debounce "
        f"that ignores touches for {p['cooldown']} seconds after it kills, and "
        f"{_countdown_request(p)}."
    )
    return _with_countdown(_kill_brick(p, 0), p, prompt)


# -- the registry -------------------------------------------------------------------------

_SIZES = tuple((x, y, z) for x in range(1, 21) for y in range(1, 21) for z in range(1, 21))
_COOLDOWNS = (1, 2, 3, 4, 5)
# The datastore checks save 75 and 90: a default equal to either would hide a missing load.
_DEFAULTS = tuple(d for d in range(0, 500, 5) if d not in (75, 90))
# A Humanoid starts at WalkSpeed 16 and JumpPower 50: asking for those would let doing nothing pass.
_SPEEDS = tuple(s for s in range(8, 100) if s != 16)
_JUMPS = tuple(j for j in range(20, 150) if j != 50)
_TIMERS = tuple(f"{a}Timer" for a in ADJECTIVES) + tuple(f"{a}Clock" for a in ADJECTIVES)
_COUNTS = tuple(range(5, 50))
_CLICK_COUNTERS = tuple(f"{s}Clicks" for s in ("Total", "My", "Button", "Hit", "Tap", "Press"))

FAMILIES: tuple[Family, ...] = (
    Family("part", "a Part with name, size, colour, anchoring", TaskKind.SCRIPT, Difficulty.EASY,
           {"name": names(), "size": _SIZES, "colour": COLOURS, "anchored": (True, False)},
           "name", _part, tags=("instances",)),
    Family("leaderstats", "leaderstats with one IntValue", TaskKind.SCRIPT, Difficulty.EASY,
           {"stat": STAT_NAMES, "start": tuple(range(0, 1000, 5))},
           "start", _leaderstats, tags=("leaderstats", "players")),
    Family("kill-brick", "a kill brick with a debounce", TaskKind.SCRIPT, Difficulty.MEDIUM,
           {"name": names(), "cooldown": _COOLDOWNS}, "name", _kill_brick,
           tags=("touched", "humanoid")),
    Family("remote-event", "a validated RemoteEvent handler", TaskKind.SCRIPT, Difficulty.MEDIUM,
           {"remote": tuple(f"Set{a}" for a in ATTRIBUTES) + tuple(f"Change{a}" for a in ATTRIBUTES),
            "attribute": ATTRIBUTES, "low": tuple(range(0, 50)), "high": tuple(range(60, 1000, 10))},
           "remote", _remote, tags=("remotes", "validation"),
           # Train takes all 18 open names, so RFT tasks could only repeat them; these
           # names join pieces the model has seen (a verb, a stat name) and no task has.
           fresh=tuple(f"{v}{s}" for v in ("Set", "Change") for s in STAT_NAMES
                       if s not in ATTRIBUTES)),
    Family("module-function", "a ModuleScript function", TaskKind.MODULE_SCRIPT, Difficulty.EASY,
           {"function": FUNCTION_NAMES, "factor": tuple(range(2, 20)), "offset": tuple(range(1, 100))},
           "factor", _module, tags=("modules",)),
    Family("tween-door", "a door that fades with TweenService", TaskKind.SCRIPT, Difficulty.MEDIUM,
           {"name": names(), "transparency": (0.5, 0.6, 0.7, 0.8, 0.9, 1),
            "duration": (1, 2, 3, 4)}, "name", _door, tags=("tweenservice", "touched")),
    Family("countdown", "a countdown with task.wait", TaskKind.SCRIPT, Difficulty.EASY,
           {"name": _TIMERS, "start": _COUNTS}, "start", _countdown, tags=("loops", "task")),
    Family("coin-pickup", "CollectionService pickups into leaderstats", TaskKind.SCRIPT,
           Difficulty.MEDIUM,
           {"tag": tuple(f"{a}{n}" for a in ADJECTIVES for n in ("Coin", "Gem", "Orb")),
            "stat": STAT_NAMES, "value": tuple(range(1, 51))}, "tag", _coins,
           tags=("collectionservice", "leaderstats", "touched")),
    Family("datastore", "DataStore load and save with pcall", TaskKind.SCRIPT, Difficulty.HARD,
           {"store": tuple(f"{s}Store" for s in STAT_NAMES) + tuple(f"{s}Data" for s in STAT_NAMES),
            "stat": STAT_NAMES, "default": _DEFAULTS}, "store", _datastore,
           tags=("datastore", "pcall", "leaderstats")),
    Family("walkspeed", "humanoid speed on spawn", TaskKind.SCRIPT, Difficulty.EASY,
           {"speed": _SPEEDS, "jump": _JUMPS}, "speed",
           _walkspeed, tags=("humanoid", "players")),
    Family("click-counter", "a ClickDetector counter", TaskKind.SCRIPT, Difficulty.EASY,
           {"name": names(), "counter": _CLICK_COUNTERS,
            "step": tuple(range(1, 51))}, "name", _clicker, tags=("clickdetector",)),
)  # fmt: skip

COMBINATIONS: tuple[Family, ...] = (
    Family("part+kill-brick", "a new Part that is also a kill brick", TaskKind.SCRIPT,
           Difficulty.MEDIUM,
           {"name": names(), "size": _SIZES, "colour": COLOURS, "anchored": (True,),
            "cooldown": _COOLDOWNS}, "name", _part_kill, phrasings=1,
           tags=("instances", "touched", "combination"), combination=True),
    Family("leaderstats+walkspeed", "leaderstats and a walk speed in one script",
           TaskKind.SCRIPT, Difficulty.MEDIUM,
           {"stat": STAT_NAMES, "start": tuple(range(0, 1000, 5)), "speed": _SPEEDS,
            "jump": _JUMPS}, "start", _stats_speed, phrasings=1,
           tags=("leaderstats", "humanoid", "combination"), combination=True),
)  # fmt: skip


# Practice combinations: SFT data only (`SuiteSpec.practice_combinations`), never the pairs
# of COMBINATIONS. `open_slots` names each slot that holds a joined family's key value, so
# every key value of a practice task is drawn like one (open, and not one another split uses).
PRACTICE_COMBINATIONS: tuple[Family, ...] = (
    Family("part+click-counter", "a new Part with a ClickDetector counter", TaskKind.SCRIPT,
           Difficulty.MEDIUM,
           {"name": names(), "size": _SIZES, "colour": COLOURS, "anchored": (True, False),
            "counter": _CLICK_COUNTERS, "step": tuple(range(1, 51))}, "name", _part_click,
           phrasings=1, tags=("instances", "clickdetector", "combination"), combination=True),
    Family("part+tween-door", "a new Part that is also a tweened door", TaskKind.SCRIPT,
           Difficulty.MEDIUM,
           {"name": names(), "size": _SIZES, "colour": COLOURS, "anchored": (True,),
            "transparency": (0.5, 0.6, 0.7, 0.8, 0.9, 1), "duration": (1, 2, 3, 4)}, "name",
           _part_door, phrasings=1, tags=("instances", "tweenservice", "combination"),
           combination=True),
    Family("leaderstats+countdown", "leaderstats and a countdown in one script",
           TaskKind.SCRIPT, Difficulty.MEDIUM,
           {"stat": STAT_NAMES, "start": tuple(range(0, 1000, 5)), "timer": _TIMERS,
            "count": _COUNTS}, "start", _stats_countdown, phrasings=1,
           tags=("leaderstats", "loops", "combination"), combination=True,
           open_slots=("count",)),
    Family("walkspeed+countdown", "a walk speed and a countdown in one script",
           TaskKind.SCRIPT, Difficulty.MEDIUM,
           {"speed": _SPEEDS, "jump": _JUMPS, "timer": _TIMERS, "count": _COUNTS}, "speed",
           _speed_countdown, phrasings=1, tags=("humanoid", "loops", "combination"),
           combination=True, open_slots=("count",)),
    Family("kill-brick+countdown", "a kill brick and a countdown in one script",
           TaskKind.SCRIPT, Difficulty.MEDIUM,
           {"name": names(), "cooldown": _COOLDOWNS, "timer": _TIMERS, "count": _COUNTS},
           "name", _kill_countdown, phrasings=1, tags=("touched", "loops", "combination"),
           combination=True, open_slots=("count",)),
)  # fmt: skip


def family(name: str) -> Family:
    for f in (*FAMILIES, *COMBINATIONS, *PRACTICE_COMBINATIONS):
        if f.name == name:
            return f
    raise KeyError(name)


__all__ = [
    "COMBINATIONS",
    "FAMILIES",
    "PRACTICE_COMBINATIONS",
    "Family",
    "Rendered",
    "family",
    "names",
]
