"""A mock world in a kept VM is as fresh as one in a new VM (issue 14, item 4):
the runtime's code is loaded once per VM, each world runs it again, and nothing
one run writes is visible to the next."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from conftest import EXAMPLES
from luaurft.luau.sandbox import RENEW_GARBAGE_BYTES, Limits, RunStatus, Sandbox
from luaurft.roblox.mock import VM_POOL, MockWorld, ScriptRun, run_script

# Everything untrusted code can reach that a world does not make for itself, and
# the world's own state, tampered with; threads and connections left running.
HOSTILE = """
local reach = {
    string = string, math = math, table = table, coroutine = coroutine, bit32 = bit32,
    utf8 = utf8, buffer = buffer, os = os, debug = debug, task = task, vector = vector,
    Enum = Enum, Vector3 = Vector3, CFrame = CFrame, Instance = Instance, Color3 = Color3,
}
for _, lib in reach do
    pcall(function() lib.injected = true end)
    for key in lib do
        pcall(function() lib[key] = nil end)
    end
    pcall(setmetatable, lib, { __index = function() return "hacked" end })
end
pcall(function() getmetatable("").__index = { upper = function() return "hacked" end } end)
pcall(function() getmetatable("").injected = true end)
_G.injected = true
shared.injected = true
math.randomseed(1)
for _ = 1, 100 do math.random() end
local objects = {
    game, workspace, Instance.new("Part"), Vector3.new(1, 2, 3), CFrame.new(), Color3.new(),
    UDim2.new(), Enum, Enum.KeyCode, Enum.KeyCode.E, game:GetService("Players"), script,
    Random.new(1), TweenInfo.new(), BrickColor.new("Really red"), NumberRange.new(1),
    vector.create(1, 2, 3), workspace.Changed, task,
}
for _, value in objects do
    local meta = getmetatable(value)
    if type(meta) == "table" then
        pcall(function() meta.__index = function() return "hacked" end end)
        pcall(function() meta.__newindex = function() end end)
        pcall(function() meta.injected = true end)
        pcall(setmetatable, meta, { __index = function() return "hacked" end })
    end
    pcall(rawset, value, "injected", true)
end
-- Every table reachable from the globals and from the values they make, and their
-- metatables: a runtime VM's worlds share its frozen tables, so none may take a write.
local seen = {}
local function poison(value, depth)
    if depth > 6 or seen[value] then
        return
    end
    local kind = type(value)
    if kind ~= "table" and kind ~= "userdata" and kind ~= "vector" then
        return
    end
    seen[value] = true
    local ok, meta = pcall(getmetatable, value)
    if ok and type(meta) == "table" then
        pcall(function() meta.__index = function() return "hacked" end end)
        pcall(function() meta.__namecall = function() return "hacked" end end)
        poison(meta, depth + 1)
    end
    if kind == "table" then
        local fields = {}
        for key, field in next, value do
            fields[key] = field
        end
        for key, field in fields do
            poison(field, depth + 1)
            pcall(rawset, value, key, "hacked")
        end
        pcall(rawset, value, "injected", true)
    end
end
for _, value in {
    Vector3.xAxis, CFrame.identity, Color3.new(1, 0, 0), UDim2.new(1, 0, 1, 0), TweenInfo.new(2),
    NumberRange.new(1, 2), Enum, Enum.KeyCode, Enum.KeyCode.E, Vector3, CFrame, Color3, UDim2,
    TweenInfo, NumberRange, BrickColor.new("Really red"), Random.new(1), DateTime.now(), task,
    os, workspace.Changed, workspace.Changed:Connect(function() end), Enum.KeyCode:GetEnumItems(),
} do
    poison(value, 0)
end
workspace.Gravity = 5
game:GetService("Lighting").ClockTime = 3
local left = Instance.new("Part")
left.Name = "LeftBehind"
left.Parent = workspace
game:GetService("ReplicatedStorage"):SetAttribute("leftBehind", true)
task.spawn(function()
    while true do
        task.wait()
    end
end)
game:GetService("RunService").Heartbeat:Connect(function()
    print("the last world is still running")
end)
local junk = {}
for i = 1, 20000 do
    junk[i] = { i }
end
_G.junk = junk
print("tampered")
"""

# What a clean script sees of all that.
PROBE = """
local Lighting = game:GetService("Lighting")
local ReplicatedStorage = game:GetService("ReplicatedStorage")
print(workspace.Gravity, Lighting.ClockTime, workspace:FindFirstChild("LeftBehind"))
print(ReplicatedStorage:GetAttribute("leftBehind"), _G.injected, shared.injected, _G.junk)
print(string.injected, math.injected, rawget(table, "injected"), string.upper("a"), ("b"):upper())
print(getmetatable("").injected, math.random(1, 1000000), math.random(1, 1000000))
print(typeof(Vector3.new(1, 2, 3)), Vector3.new(1, 2, 3).X, (Vector3.new(1, 0, 0) + Vector3.one).Y)
print(vector.create(1, 2, 3).x, Enum.KeyCode.E.Name, CFrame.new(1, 2, 3).Position.Z)
print(Instance.new("Part").Anchored, game:GetService("Players").MaxPlayers, #workspace:GetChildren())
print(Random.new(7):NextInteger(1, 100), BrickColor.new("Really red").Name, task.wait(0.25) > 0)
print(Vector3.new(3, 4, 0).Magnitude, CFrame.new(1, 2, 3):Inverse().X, Color3.new(1, 0, 0):ToHex())
print(UDim2.new(1, 0, 1, 0).X.Scale, TweenInfo.new(2).Time, NumberRange.new(1, 2).Max, Enum.KeyCode.E.Value)
print(typeof(workspace.Changed:Connect(function() end)), Vector3.xAxis:Dot(Vector3.xAxis), #Enum.KeyCode:GetEnumItems())
"""


@pytest.fixture
def fresh_vms() -> Iterator[None]:
    """Every world in this test starts in a new VM."""
    VM_POOL.clear()
    VM_POOL.enabled = False
    try:
        yield
    finally:
        VM_POOL.enabled = True


def _outcome(run: ScriptRun) -> dict[str, Any]:
    """A run's report without what differs between any two runs (CPU time) and
    what a kept VM's grown string table and stacks shift (the memory total)."""
    report = run.to_dict()
    report.pop("cpu_seconds")
    report.pop("memory_bytes")
    return report


def _run(code: str, **kwargs: Any) -> ScriptRun:
    return run_script(code, isolate=False, seconds=1.0, **kwargs)


def test_a_world_in_a_kept_vm_reports_what_a_fresh_one_does() -> None:
    scripts = sorted(EXAMPLES.glob("*.luau"))
    assert len(scripts) >= 10
    VM_POOL.enabled = False
    VM_POOL.clear()
    try:
        fresh = {p.name: _outcome(_run(p.read_text(), path=str(p))) for p in scripts}
    finally:
        VM_POOL.enabled = True
    reused_before = VM_POOL.reused
    # Twice over, in reverse: each world follows a different one than before.
    for p in [*scripts, *reversed(scripts)]:
        assert _outcome(_run(p.read_text(), path=str(p))) == fresh[p.name], p.name
    assert VM_POOL.reused - reused_before >= 2 * len(scripts) - 1


def test_a_hostile_script_leaves_nothing_for_the_next_world(fresh_vms: None) -> None:
    expected = _run(PROBE)
    assert expected.status is RunStatus.OK, expected.error
    lines = [line.text for line in expected.output]
    assert lines[0] == "196.2 14.5 nil"
    assert lines[1] == "nil nil nil nil"
    assert lines[2] == "nil nil nil A B"

    VM_POOL.enabled = True
    tampered = _run(HOSTILE, kind="Script")
    assert tampered.status is RunStatus.OK, tampered.error
    assert tampered.output[0].text == "tampered"
    reused_before = VM_POOL.reused
    probe = _run(PROBE)
    assert VM_POOL.reused == reused_before + 1, "the probe did not run in the hostile script's VM"
    assert _outcome(probe) == _outcome(expected)
    # What the hostile world left (its 20,000 tables alone are ~1 MiB) may still
    # be on the heap, uncollected; it is carried, not the probe's.
    assert abs(probe.memory_bytes - expected.memory_bytes) < RENEW_GARBAGE_BYTES + 1024 * 1024


def _kept_vm_heap() -> tuple[int, int]:
    """(heap, bare heap) of the VM the pool would hand out next, renewed."""
    vm = VM_POOL.take(LIMITS)
    try:
        return vm.sandbox.lua.used_memory(), vm.bare_bytes
    finally:
        VM_POOL.give(vm)


# A run that leaves `MIB` MiB of objects behind when its world ends.
LEAVES = (
    "local kept = {{}} for i = 1, {mib} do kept[i] = buffer.create(1024 * 1024) end print(#kept)"
)
LIMITS = Limits(cpu_seconds=1.0, memory_bytes=24 * 1024 * 1024)


def test_a_kept_vm_collects_what_a_world_left_past_the_ceiling() -> None:
    VM_POOL.clear()
    mib = RENEW_GARBAGE_BYTES // (1024 * 1024) + 2
    left = _run(LEAVES.format(mib=mib), kind="Script", limits=LIMITS)
    assert left.status is RunStatus.OK and left.output[0].text == str(mib)
    heap, bare = _kept_vm_heap()
    assert heap - bare < RENEW_GARBAGE_BYTES


def test_a_run_after_uncollected_remains_still_gets_its_whole_cap() -> None:
    # Remains under the ceiling stay on the heap, carried: the next run may still
    # use its cap (less the runtime's own margin), and no more than the cap and
    # those remains.
    VM_POOL.clear()
    below = RENEW_GARBAGE_BYTES // (1024 * 1024) - 1
    for _ in range(3):
        assert _run(LEAVES.format(mib=below), kind="Script", limits=LIMITS).status is RunStatus.OK
        reused_before = VM_POOL.reused
        cap_mib = LIMITS.memory_bytes // (1024 * 1024)
        fits = _run(LEAVES.format(mib=cap_mib - 3), kind="Script", limits=LIMITS)
        assert VM_POOL.reused == reused_before + 1
        assert fits.status is RunStatus.OK, fits.error
        over = _run(LEAVES.format(mib=cap_mib + below + 1), kind="Script", limits=LIMITS)
        assert over.status is RunStatus.MEMORY


def test_every_hostile_script_leaves_its_kept_vm_as_fresh_as_a_new_one(
    fresh_vms: None,
) -> None:
    # The sandbox's hostile suite, each script in this process followed by the
    # probe: those whose run ends ok or in an error keep their VM (and a probe in
    # it sees nothing of them), the rest drop it.
    from test_sandbox import FAST, HOSTILE

    expected = _outcome(_run(PROBE, limits=FAST))
    VM_POOL.enabled = True
    kept = 0
    for name, code, status in HOSTILE:
        ran = _run(code, kind="Script", limits=FAST)
        assert ran.status is status, (name, ran.status, ran.error)
        reused_before = VM_POOL.reused
        probe = _run(PROBE, limits=FAST)
        kept += VM_POOL.reused - reused_before
        assert _outcome(probe) == expected, name
    assert kept >= sum(s in (RunStatus.OK, RunStatus.ERROR) for _, _, s in HOSTILE)


def test_a_stopped_run_drops_its_vm() -> None:
    VM_POOL.clear()
    limits = Limits(cpu_seconds=0.2)
    spun = run_script("while true do end", kind="Script", limits=limits, isolate=False)
    assert spun.status is RunStatus.TIMEOUT
    fresh_before = VM_POOL.fresh
    after = run_script('print("next")', kind="Script", limits=limits, isolate=False)
    assert after.status is RunStatus.OK
    assert VM_POOL.fresh == fresh_before + 1


def test_a_world_that_fails_to_build_does_not_return_its_vm(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    VM_POOL.clear()
    given: list[object] = []
    monkeypatch.setattr(VM_POOL, "give", given.append)

    def broken(self: MockWorld, *args: object) -> None:
        raise RuntimeError("broken runtime")

    monkeypatch.setattr(MockWorld, "_build", broken)
    with pytest.raises(RuntimeError, match="broken runtime"):
        MockWorld()
    assert given == []


def test_a_world_closed_by_an_exception_drops_its_vm() -> None:
    VM_POOL.clear()
    with pytest.raises(ValueError), MockWorld() as world:
        sandbox = world.sandbox
        raise ValueError("host failure mid-run")
    assert sandbox.closed


def test_a_renewed_sandbox_starts_its_run_afresh() -> None:
    with Sandbox(Limits(cpu_seconds=1.0)) as sandbox:
        draw = "print(math.random(1, 1000000)) math.randomseed(99) print(math.random(1, 1000000))"
        ok, _, _ = sandbox.call(sandbox.load_untrusted(draw))
        assert ok
        first = [line.text for line in sandbox.output]
        assert sandbox.renewable
        sandbox.renew()
        assert sandbox.output == [] and sandbox.status is None and sandbox.cpu_seconds == 0
        ok, _, _ = sandbox.call(sandbox.load_untrusted(draw))
        assert ok
        assert [line.text for line in sandbox.output] == first

        # A stopped run may have left the VM at a limit: it is not renewed.
        ok, _, _ = sandbox.call(sandbox.load_untrusted("while true do end"))
        assert not ok and sandbox.status is RunStatus.TIMEOUT
        assert not sandbox.renewable
        with pytest.raises(RuntimeError, match="not stopped"):
            sandbox.renew()
