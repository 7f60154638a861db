"""The CPU budget and the memory cap while the engine drives a mock world.

Scripts' code runs only in the threads the scheduler resumes, so the budget's
interrupt (a host call at every Luau call and loop back-edge) is on only while
one runs; the engine's own work between them runs without it. Every way the
engine hands control to a script's code must still stop a script that never
returns, and one that allocates without end, inside the VM and in this process.
"""

from __future__ import annotations

import time

import pytest

from luaurft.luau import sandbox
from luaurft.luau.kind import ScriptKind
from luaurft.luau.sandbox import Limits, RunStatus
from luaurft.roblox.mock import run_script

FAST = Limits(cpu_seconds=0.5)

# (what hands control to the script, its kind, the code); each spins from line 2 on.
ENTRIES = [
    (
        "a Heartbeat handler",
        ScriptKind.SCRIPT,
        'local RS = game:GetService("RunService")\nRS.Heartbeat:Connect(function() while true do end end)',
    ),
    (
        "a task.delay callback",
        ScriptKind.SCRIPT,
        "task.wait()\ntask.delay(0.2, function() while true do end end)",
    ),
    (
        "a deferred thread",
        ScriptKind.SCRIPT,
        "task.wait()\ntask.defer(function() while true do end end)",
    ),
    (
        "a PlayerAdded handler (the stimulus joins a player)",
        ScriptKind.SCRIPT,
        'local Players = game:GetService("Players")\nPlayers.PlayerAdded:Connect(function() while true do end end)',
    ),
    (
        "a Touched handler (the stimulus touches the part)",
        ScriptKind.SCRIPT,
        "local part = script.Parent\npart.Touched:Connect(function() while true do end end)",
    ),
    (
        "a BindToClose callback",
        ScriptKind.SCRIPT,
        "task.wait()\ngame:BindToClose(function() while true do end end)",
    ),
    (
        "a remote's handler (the stimulus fires it)",
        ScriptKind.SCRIPT,
        'local remote = game:GetService("ReplicatedStorage"):WaitForChild("Buy")\n'
        "remote.OnServerEvent:Connect(function(player, item: string) while true do end end)",
    ),
    (
        "a BindToRenderStep function",
        ScriptKind.LOCAL_SCRIPT,
        'local RS = game:GetService("RunService")\n'
        'RS:BindToRenderStep("spin", 1, function() while true do end end)',
    ),
    (
        "an error object's __tostring (reported after its thread died)",
        ScriptKind.SCRIPT,
        "task.wait()\nerror(setmetatable({}, { __tostring = function() while true do end end }))",
    ),
]


@pytest.mark.parametrize(("what", "kind", "code"), ENTRIES, ids=[e[0] for e in ENTRIES])
def test_code_the_engine_runs_for_a_script_is_stopped_at_its_budget(
    what: str, kind: ScriptKind, code: str
) -> None:
    start = time.monotonic()
    run = run_script(code, kind=kind, seconds=2, limits=FAST, isolate=False)
    assert run.status is RunStatus.TIMEOUT, (what, run.status, run.error)
    assert run.stop is not None and "CPU budget" in run.stop.message
    # Stopped by the VM at the budget, not by anything outside it.
    assert time.monotonic() - start < 10


def test_memory_a_handler_piles_up_between_frames_is_stopped_at_the_cap() -> None:
    code = (
        'local RS = game:GetService("RunService")\n'
        "local hoard = {}\n"
        "RS.Heartbeat:Connect(function() for i = 1, 20000 do table.insert(hoard, {i}) end end)"
    )
    run = run_script(code, kind=ScriptKind.SCRIPT, seconds=60, isolate=False)
    assert run.status is RunStatus.MEMORY, (run.status, run.error)


def test_the_engines_own_work_between_threads_runs_without_the_interrupt(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls = 0
    interrupt = sandbox._RunState.interrupt

    def counted(self: sandbox._RunState, lua: object) -> object:
        nonlocal calls
        calls += 1
        return interrupt(self, lua)

    monkeypatch.setattr(sandbox._RunState, "interrupt", counted)
    # A script that does next to nothing while the stimulus joins players, spawns
    # characters and steps frames: nearly all of a run's work is the engine's.
    run = run_script("local n = 0", kind=ScriptKind.SCRIPT, seconds=1, isolate=False)
    assert run.status is RunStatus.OK
    # Metered throughout, the same run took about 1,700 interrupts; the launch
    # is still metered whole, and the report (the runtime's own reading of what
    # the run left) not at all.
    assert 0 < calls < 100, calls


def test_a_run_stopped_at_the_memory_cap_reports_what_it_did_as_a_timed_out_one_does() -> None:
    # The report is read unmetered, so a heap at its cap does not stop the reading too.
    before = (
        'print("start")\nworkspace.Baseplate.Transparency = 0.5\nInstance.new("Part", workspace)\n'
    )
    stopped = {
        RunStatus.MEMORY: 'local t = {}\nwhile true do t[#t + 1] = string.rep("x", 1000) .. #t end',
        RunStatus.TIMEOUT: "while true do end",
    }
    for status, end in stopped.items():
        run = run_script(
            before + end, kind=ScriptKind.SCRIPT, seconds=1, limits=FAST, isolate=False
        )
        assert run.status is status, (status, run.status)
        assert run.effects["instancesCreated"] == {"Part": 1}, (status, run.effects)
        assert run.effects["propertySets"] >= 1, (status, run.effects)
