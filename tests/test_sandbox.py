"""The sandbox: hostile code ends with the right category, the host survives and stays clean."""

from __future__ import annotations

import resource
import threading
import time

import pytest

from luaurft.luau.sandbox import Limits, RunStatus, Sandbox, parse_error, run_luau
from luaurft.roblox.mock import run_script

FAST = Limits(cpu_seconds=0.5)

# (name, code, expected status). Each runs in a fresh VM in this one process.
HOSTILE: list[tuple[str, str, RunStatus]] = [
    ("infinite loop", "while true do end", RunStatus.TIMEOUT),
    (
        "busy loop inside a coroutine",
        "local co = coroutine.create(function() local n = 0 while true do n += 1 end end)\n"
        "coroutine.resume(co)",
        RunStatus.TIMEOUT,
    ),
    (
        "busy loop the script tries to catch",
        "while true do pcall(function() while true do end end) end",
        RunStatus.TIMEOUT,
    ),
    ("string doubling", "local s = 'x' while true do s = s .. s end", RunStatus.MEMORY),
    (
        "table growth",
        # Each entry holds a small array too: the cap is reached in about a third
        # of the CPU budget, not at its edge (then a loaded machine made it a timeout).
        "local t = {} local i = 0 while true do i += 1 t[i] = { i, tostring(i), table.create(32, i) } end",
        RunStatus.MEMORY,
    ),
    (
        "memory bomb caught by pcall",
        "local keep = {} pcall(function() while true do table.insert(keep, table.create(1000, 1)) end end)\n"
        "print('survived')",
        RunStatus.MEMORY,
    ),
    ("unbounded recursion", "local function f(n) return f(n + 1) + 1 end f(1)", RunStatus.ERROR),
    (
        "coroutine-creation bomb",
        "local all = {} while true do table.insert(all, coroutine.create(function() end)) end",
        RunStatus.MEMORY,
    ),
    (
        "recursive coroutine wrap",
        "local function f() coroutine.wrap(f)() end f()",
        RunStatus.ERROR,
    ),
    ("os.execute", "os.execute('rm -rf /')", RunStatus.ERROR),
    ("os.exit", "os.exit(1)", RunStatus.ERROR),
    ("os.getenv", "print(os.getenv('HOME'))", RunStatus.ERROR),
    ("io.open", "io.open('/etc/passwd')", RunStatus.ERROR),
    ("debug.getinfo", "debug.getinfo(1)", RunStatus.ERROR),
    ("debug.sethook", "debug.sethook(function() end, 'l')", RunStatus.ERROR),
    ("debug.info function values", "print(debug.info(1, 'f'))", RunStatus.ERROR),
    ("loadstring", "loadstring('return 1')()", RunStatus.ERROR),
    ("getfenv", "getfenv(1).x = 1", RunStatus.ERROR),
    ("setfenv", "setfenv(1, {})", RunStatus.ERROR),
    ("require of a file", "require('./secrets')", RunStatus.ERROR),
    ("require of an asset id", "require(12345)", RunStatus.ERROR),
    (
        "overwritten globals",
        "print = nil\ngame = nil\nInstance = nil\nerror = nil\nprint(Instance.new('Part'))",
        RunStatus.ERROR,
    ),
    (
        "frozen libraries",
        "string.rep = function() return '' end",
        RunStatus.ERROR,
    ),
    (
        "error object whose __tostring errors",
        "error(setmetatable({}, { __tostring = function() error('nested') end }))",
        RunStatus.ERROR,
    ),
    (
        "error object whose __tostring never returns",
        "error(setmetatable({}, { __tostring = function() while true do end end }))",
        RunStatus.TIMEOUT,
    ),
    ("10 million prints", "for i = 1, 1e7 do print(i) end", RunStatus.OUTPUT_LIMIT),
    ("one huge print", "print(string.rep('x', 2^24))", RunStatus.OK),
    ("string.rep of 2^31", "local s = string.rep('x', 2^31)", RunStatus.MEMORY),
    ("table.create of 2^31", "local t = table.create(2^31, 0)", RunStatus.ERROR),
]


def _rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def test_hostile_scripts_end_in_their_category_in_one_process() -> None:
    before = _rss_mib()
    for name, code, expected in HOSTILE:
        start = time.monotonic()
        result = run_script(code, kind="Script", seconds=1, limits=FAST)
        elapsed = time.monotonic() - start
        assert result.status is expected, (name, result.status, result.error, result.errors)
        # Bounded work: the script's CPU time stops at its budget, whatever it does (the
        # worker's clock, which a loaded machine does not stretch), and nothing waits
        # long on anything (wall time, with room for a busy 2-core machine).
        assert result.cpu_seconds < FAST.cpu_seconds + 0.5, (name, result.cpu_seconds)
        assert elapsed < FAST.cpu_seconds + 10.0, (name, elapsed)
        if expected is not RunStatus.OK:
            assert result.error is not None and result.error.message, name
        assert not result.engine_errors, (name, result.engine_errors)
    # Bounded memory: the VMs are gone; the process did not keep their heaps.
    assert _rss_mib() - before < 600
    # And the host is still fine: a normal script runs clean afterwards.
    assert run_script("print('still here')", kind="Script").status is RunStatus.OK


def test_plain_sandbox_categories_and_values() -> None:
    assert run_luau("while true do end", limits=FAST).status is RunStatus.TIMEOUT
    assert run_luau("local s = 'x' while true do s = s .. s end").status is RunStatus.MEMORY
    ok = run_luau("print('a', nil, 1.5) return 1, 'two', { x = { 3 } }, { 4, 5 }")
    assert ok.status is RunStatus.OK
    assert ok.values == [1, "two", {"x": [3]}, [4, 5]]
    assert [o.text for o in ok.output] == ["a nil 1.5"]


def test_errors_are_located_in_the_users_code() -> None:
    result = run_luau("local t = {}\n\nlocal function inner()\n\treturn t.a.b\nend\ninner()\n")
    assert result.status is RunStatus.ERROR
    assert result.error is not None
    assert result.error.line == 4
    assert result.error.message == "attempt to index nil with 'b'"
    assert result.error.traceback[0].startswith("user:4")
    compile_error = run_luau("local x = = 1\nprint(x)\n")
    assert compile_error.status is RunStatus.ERROR and compile_error.error is not None
    assert compile_error.error.line == 1


def test_timeout_reports_where_it_was_running() -> None:
    result = run_luau("local n = 0\nwhile true do\n\tn += 1\nend\n", limits=FAST)
    assert result.status is RunStatus.TIMEOUT
    assert result.error is not None and result.error.line in (2, 3, 4)


def test_parse_error_strips_the_chunk_prefix() -> None:
    located = parse_error("user:12: boom", "user:12 function f\nuser:20\n")
    assert (located.message, located.line) == ("boom", 12)
    assert located.traceback == ("user:12 function f", "user:20")
    unlocated = parse_error("boom", "rbx/core:3\nuser:7 function g\n")
    assert unlocated.line == 7


def test_untrusted_globals_exclude_the_dangerous_ones() -> None:
    probe = (
        "return os.execute, os.exit, os.getenv, io, debug.getinfo, debug.sethook, "
        "loadstring, getfenv, setfenv, require"
    )
    result = run_luau(probe)
    assert result.status is RunStatus.OK
    assert result.values == [None] * 10


def test_vm_is_dropped_without_a_word_on_stdout(capfd: pytest.CaptureFixture[str]) -> None:
    sandbox = Sandbox()
    weak = sandbox.lua.weak()
    ok, values, _ = sandbox.call(sandbox.load_untrusted("return 40 + 2"))
    assert ok and values == [42]
    sandbox.close()
    assert weak.is_destroyed()
    run_script("print('x')", kind="Script")
    out, _ = capfd.readouterr()
    assert "Lua VM is being closed" not in out


def test_a_runaway_script_leaves_other_threads_responsive() -> None:
    finished = threading.Event()
    outcome: list[RunStatus] = []

    def runaway() -> None:
        outcome.append(run_luau("while true do end", limits=Limits(cpu_seconds=1.5)).status)
        finished.set()

    worker = threading.Thread(target=runaway)
    started = time.monotonic()
    worker.start()
    # While the runaway spins, this thread keeps working: it runs its own scripts.
    results = [run_luau(f"return {i} * 2").values[0] for i in range(20)]
    responsive_for = time.monotonic() - started
    worker.join(timeout=30)
    assert finished.is_set() and outcome == [RunStatus.TIMEOUT]
    assert results == [i * 2 for i in range(20)]
    assert responsive_for < 1.5 + 5.0


def test_memory_cap_is_enforced_and_reported() -> None:
    small = Limits(memory_bytes=8 * 1024 * 1024)
    result = run_luau("local t = {} for i = 1, 1e7 do t[i] = { i } end", limits=small)
    assert result.status is RunStatus.MEMORY
    assert result.error is not None and "8 MiB" in result.error.message


def test_output_is_captured_up_to_the_cap() -> None:
    limits = Limits(output_lines=10)
    result = run_luau("for i = 1, 100 do print(i) end", limits=limits)
    assert result.status is RunStatus.OUTPUT_LIMIT
    assert [o.text for o in result.output] == [str(i) for i in range(1, 11)]
    long_line = run_luau("print(string.rep('y', 5000))", limits=Limits(line_chars=100))
    assert long_line.output[0].text == "y" * 100 + "..."


def test_a_sandbox_sealed_without_its_budget_still_enforces_it_on_untrusted_code() -> None:
    # Trusted code may run sealed but unbudgeted (the mock world's building); the
    # first untrusted call still meets the CPU budget and the memory cap.
    with Sandbox(FAST) as sandbox:
        sandbox.seal(budget=False)
        env = sandbox.make_env(sandbox.default_globals())
        ok, _, error = sandbox.call(sandbox.load("while true do end", env=env))
        assert not ok and sandbox.status is RunStatus.TIMEOUT, error
    small = Limits(cpu_seconds=5, memory_bytes=8 * 1024 * 1024)
    with Sandbox(small) as sandbox:
        sandbox.seal(budget=False)
        env = sandbox.make_env(sandbox.default_globals())
        grow = "local t = {} for i = 1, 1e8 do t[i] = i end"
        ok, _, _ = sandbox.call(sandbox.load(grow, env=env))
        assert not ok and sandbox.status is RunStatus.MEMORY


def test_postmortem_keeps_its_cpu_cap_before_any_call_turned_the_budget_on() -> None:
    # A mock world is read through postmortem before any script ran (the export of
    # the world before the run): the budget's interrupt is not on yet, and the
    # read must still stop at its own cap rather than run to the end.
    with Sandbox(FAST) as sandbox:
        sandbox.seal(budget=False)
        fn = sandbox.load("local n = 0 for i = 1, 1e9 do n += 1 end return n", name="trusted")
        assert sandbox.postmortem(fn, cpu_seconds=0.05) is None
        assert sandbox.status is None


def test_an_unmetered_call_reads_a_stopped_run_and_leaves_the_budget_as_it_was() -> None:
    # The mock world's report: trusted code over what the run left, run without the
    # interrupt even after the run was stopped, which stays stopped.
    with Sandbox(Limits(cpu_seconds=0.05)) as sandbox:
        ok, _, _ = sandbox.call(sandbox.load_untrusted("while true do end"))
        assert not ok and sandbox.status is RunStatus.TIMEOUT
        count = sandbox.load("local n = 0 for i = 1, 200000 do n += 1 end return n", name="trusted")
        assert sandbox.postmortem(count, cpu_seconds=1e-4) is None
        assert sandbox.call_unmetered(count) == [200000]
        assert sandbox.call_unmetered(sandbox.load("error('broken')", name="trusted")) is None
        ok, _, error = sandbox.call(count)
        assert not ok and sandbox.status is RunStatus.TIMEOUT and error is not None


def test_to_python_reads_arrays_whatever_order_luau_lists_their_keys() -> None:
    import pluau

    from luaurft.luau.sandbox import to_python

    lua = pluau.Lua()
    values = lua.load_chunk(
        "local filled = {}\n"
        "filled[3] = 'c'; filled[1] = 'a'; filled[2] = 'b'\n"  # keys in the hash part
        "return { 'x', 'y' }, filled, { [1] = 'a', [3] = 'c' }, { [1.5] = 1 },"
        " { k = { 1, { 'deep' } } }, {}"
    ).call()
    array, filled, holes, fractional, nested, empty = (to_python(v) for v in values)
    assert array == ["x", "y"]
    assert filled == ["a", "b", "c"]
    assert holes == {1: "a", 3: "c"}
    assert fractional == {1.5: 1}
    assert nested == {"k": [1, ["deep"]]}
    assert empty == {}
    assert to_python(values[0], max_items=1) == ["x"]
