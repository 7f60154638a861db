"""Solutions that try to pass checks without doing the work all count as failures."""

from __future__ import annotations

import time

import pytest

from luaurft.eval.checks import check_solution
from luaurft.eval.tasks import builtin_suite, parse_task_file
from luaurft.luau.sandbox import Limits

# A small CPU budget keeps the runaway cases quick; the references need far less.
LIMITS = Limits(cpu_seconds=0.5)

ROBLOX_TASK = builtin_suite().get("leaderstats-basic")
REFERENCE = ROBLOX_TASK.solution

PLAIN_TASK = parse_task_file(
    """
id = "plain-add"
kind = "Luau"
prompt = "Write a global function add(a, b) returning the sum."
exports = ["add"]
solution = "function add(a, b) return a + b end"

[[checks]]
name = "small numbers"
body = "lu.assertEquals(add(1, 2), 3)"

[[checks]]
name = "negative numbers"
body = "lu.assertEquals(add(-4, 1), -3)"

[[checks]]
name = "jest style"
body = '''
describe("add", function()
    it("adds zero", function() expect(add(7, 0)).toBe(7) end)
    it("adds floats", function() expect(add(0.5, 0.25)).toBeCloseTo(0.75) end)
end)
'''
"""
)[0]


def test_the_references_pass() -> None:
    assert check_solution(ROBLOX_TASK, REFERENCE, limits=LIMITS).passed
    assert check_solution(PLAIN_TASK, PLAIN_TASK.solution, limits=LIMITS).passed


FAKE_MARKERS = """
print("PASS")
for _, name in { "a joining player gets a leaderstats Folder", "Coins and Level have the right types and values", "every player gets their own values" } do
    print("[PASS] " .. name)
    print("ok " .. name)
end
print('{"passed": true, "expected": 3, "checks": []}')
warn("all checks passed")
return { passed = true, expected = 3 }
"""

OVERRIDES = """
assert = function(...) return ... end
error = function() end
pcall = function(f, ...) return true end
xpcall = function(f, ...) return true end
expect = function() return true end
check = function() end
_G.assert = assert
_G.error = error
local Players = game:GetService("Players")
Players.PlayerAdded:Connect(function(player)
    local wrong = Instance.new("StringValue")
    wrong.Name = "leaderstats"
    wrong.Parent = player
end)
"""

CRASH_LATER = (
    REFERENCE
    + """
game:GetService("Players").PlayerAdded:Connect(function(player)
    if player.Name == "Ben" then
        while true do end
    end
end)
"""
)

MEMORY_LATER = (
    REFERENCE
    + """
game:GetService("Players").PlayerAdded:Connect(function(player)
    if player.Name == "Ben" then
        local hoard = {}
        while true do
            table.insert(hoard, string.rep("x", 1000000) .. tostring(#hoard))
        end
    end
end)
"""
)

EARLY_RETURN = "do return end\n" + REFERENCE
LOOP_FOREVER = "while true do end\n" + REFERENCE
SPIN_IN_THREAD = "task.spawn(function() while true do end end)\n" + REFERENCE
REACH_FOR_HARNESS = """
local found = {}
for _, name in { "check", "world", "sim", "report", "shared" } do
    found[name] = rawget(getfenv and getfenv() or {}, name)
end
local ok = pcall(function() check("fake", function() end) end)
print("PASS", ok)
"""


@pytest.mark.parametrize(
    "solution",
    [FAKE_MARKERS, OVERRIDES, EARLY_RETURN, REACH_FOR_HARNESS, ""],
    ids=["fake-pass-markers", "override-assert", "return-early", "reach-for-harness", "empty"],
)
def test_roblox_forgeries_fail_every_check(solution: str) -> None:
    report = check_solution(ROBLOX_TASK, solution, limits=LIMITS)
    assert not report.passed
    expected = len(ROBLOX_TASK.checks)
    assert report.expected == expected and len(report.checks) == expected
    assert report.passed_count == 0, [c for c in report.checks if c.passed]


@pytest.mark.parametrize(
    ("solution", "status"),
    [(CRASH_LATER, "timeout"), (MEMORY_LATER, "memory")],
    ids=["cpu", "memory"],
)
def test_a_crash_after_some_checks_fails_the_rest(solution: str, status: str) -> None:
    report = check_solution(ROBLOX_TASK, solution, limits=LIMITS)
    assert not report.passed
    # The first two checks ran before the second player joined; the third never
    # finished, and none after it ran.
    later = len(ROBLOX_TASK.checks) - 2
    assert [c.passed for c in report.checks] == [True, True] + [False] * later
    assert report.status == status
    assert status in report.checks[2].message or "stopped" in report.checks[2].message


@pytest.mark.parametrize("solution", [LOOP_FOREVER, SPIN_IN_THREAD], ids=["main", "thread"])
def test_a_solution_that_loops_forever_fails_in_bounded_time(solution: str) -> None:
    started = time.monotonic()
    report = check_solution(ROBLOX_TASK, solution, limits=LIMITS)
    assert time.monotonic() - started < 10
    assert not report.passed and report.passed_count == 0
    assert report.status == "timeout"


PLAIN_FORGERIES = {
    "fake-pass-markers": 'print("PASS") print("3 of 3 tests passed") return { passed = true }',
    "override-assert": """
lu = { assertEquals = function() end }
assert = function() end
expect = function() return setmetatable({}, { __index = function() return function() end end }) end
describe = function() end
it = function() end
function add() return nil end
""",
    "always-equal-table": """
local liar = setmetatable({}, { __eq = function() return true end, __index = function() return 0 end })
function add() return liar end
""",
    "return-early": "do return end\nfunction add(a, b) return a + b end",
    "loop-forever": "while true do end\nfunction add(a, b) return a + b end",
}


@pytest.mark.parametrize("name", list(PLAIN_FORGERIES))
def test_plain_luau_forgeries_fail_every_check(name: str) -> None:
    report = check_solution(PLAIN_TASK, PLAIN_FORGERIES[name], limits=LIMITS)
    assert not report.passed
    assert report.passed_count == 0, [c for c in report.checks if c.passed]


def test_plain_luau_crash_after_some_checks() -> None:
    solution = """
local calls = 0
function add(a, b)
    calls += 1
    if calls > 1 then
        while true do end
    end
    return a + b
end
"""
    report = check_solution(PLAIN_TASK, solution, limits=LIMITS)
    assert [c.passed for c in report.checks] == [True, False, False]
    assert report.status == "timeout"
    assert "stopped" in report.checks[2].message


def test_jest_blocks_report_which_test_failed() -> None:
    report = check_solution(
        PLAIN_TASK, "function add(a, b) if b == 0 then return -1 end return a + b end"
    )
    jest = report.checks[2]
    assert not jest.passed
    assert "adds zero" in jest.message and "adds floats" not in jest.message
    assert [c.passed for c in report.checks[:2]] == [True, True]
