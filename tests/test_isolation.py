"""Untrusted code never takes the host down: the worker-process executor, its
statuses, and every caller of untrusted code going through it (issue 12)."""

from __future__ import annotations

import signal
import time
from collections.abc import Iterator
from pathlib import Path

import anyio
import pytest

import luaurft.luau.executor as executor_module
from conftest import EXAMPLES
from executor_helpers import add, die, nested_pid, pid, refuse, say_and_die, sleep, spin
from luaurft.luau.executor import WARM, Executor, WorkerFailure
from luaurft.luau.sandbox import Limits, RunStatus, run_luau
from luaurft.roblox.mock import run_script
from luaurft.scoring import score_source

HOSTILE = Path(__file__).parent / "hostile"
LIMITS = Limits(cpu_seconds=1.0)


def hostile(name: str) -> str:
    return (HOSTILE / f"{name}.luau").read_text()


@pytest.fixture
def crashing_executor(monkeypatch: pytest.MonkeyPatch) -> Iterator[Executor]:
    """The shared executor, with workers where the in-VM heap-edge fix is undone:
    the heap-edge script then kills its worker (SIGABRT), as it killed the host."""
    crashing = Executor(2, warm=(*WARM, "executor_helpers:without_trip_room"))
    monkeypatch.setattr(executor_module, "_shared", crashing)
    yield crashing
    crashing.close()


# -- the executor ----------------------------------------------------------------


def test_calls_return_values_and_raise_the_workers_exceptions() -> None:
    with Executor(1) as pool:
        assert pool.call(add, 2, b=3, wall_seconds=30) == 5
        with pytest.raises(ValueError, match="no thanks"):
            pool.call(refuse, "no thanks", wall_seconds=30)
        assert pool.call(add, 1, 1, wall_seconds=30) == 2


def test_a_dying_worker_is_a_crashed_result_and_is_replaced() -> None:
    with Executor(1) as pool:
        first = pool.call(pid, wall_seconds=30)
        failure = pool.call(die, signal.SIGSEGV, wall_seconds=30)
        assert isinstance(failure, WorkerFailure)
        assert failure.status == "crashed" and failure.crashed
        assert failure.exitcode == -signal.SIGSEGV
        assert "SIGSEGV" in failure.message
        second = pool.call(pid, wall_seconds=30)
        assert isinstance(second, int) and second != first


def test_a_workers_stderr_file_is_gone_while_its_tail_still_explains_a_crash(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The log must not outlive its worker however the processes end (a killed
    # parent never reaches close), so its name is unlinked once the worker runs.
    monkeypatch.setattr(executor_module.tempfile, "tempdir", str(tmp_path))
    with Executor(1) as pool:
        assert pool.call(add, 1, 2, wall_seconds=30) == 3
        assert list(tmp_path.glob("luaurft-worker-*")) == []
        failure = pool.call(say_and_die, "native assert failed here", wall_seconds=30)
        assert isinstance(failure, WorkerFailure) and failure.crashed
        assert "native assert failed here" in failure.message
    assert list(tmp_path.glob("luaurft-worker-*")) == []


def test_an_overrun_is_killed_at_the_deadline_and_the_pool_goes_on() -> None:
    with Executor(1) as pool:
        failure = pool.call(sleep, 60.0, wall_seconds=0.5)
        assert isinstance(failure, WorkerFailure) and failure.status == "timeout"
        assert "0.5 s" in failure.message
        assert pool.call(sleep, 0.0, wall_seconds=30) == "woke"


def test_the_budget_is_the_workers_cpu_time_so_load_never_makes_a_timeout() -> None:
    # Waiting (as a run on a loaded machine waits for a core) costs no budget, up to
    # the wall cap; burning CPU past the budget (a long C call) is a timeout.
    with Executor(1) as pool:
        assert pool.call(sleep, 1.5, wall_seconds=1.0) == "woke"
        failure = pool.call(spin, 30.0, wall_seconds=1.0)
        assert isinstance(failure, WorkerFailure) and failure.status == "timeout"
        assert "CPU time" in failure.message


def test_calls_from_several_threads_run_on_several_workers() -> None:
    with Executor(2) as pool:
        order: list[str] = []

        async def main() -> None:
            async def slow() -> None:
                await anyio.to_thread.run_sync(lambda: pool.call(sleep, 3.0, wall_seconds=30))
                order.append("slow")

            async def quick() -> None:
                await anyio.sleep(0.2)
                await anyio.to_thread.run_sync(lambda: pool.call(add, 1, 2, wall_seconds=30))
                order.append("quick")

            async with anyio.create_task_group() as group:
                group.start_soon(slow)
                group.start_soon(quick)

        anyio.run(main)
        assert order == ["quick", "slow"]


def test_inside_a_worker_isolated_calls_run_in_place() -> None:
    # The worker is the isolation: nested isolated() calls do not start workers.
    with Executor(1) as pool:
        assert pool.call(nested_pid, wall_seconds=30) == pool.call(pid, wall_seconds=30)


# -- hostile scripts, one process --------------------------------------------------

# (fixture, status it must end in). Every one runs in this test's process through
# the executor; each must end within 3x its wall budget and leave the next unharmed.
SEQUENCE = [
    ("heap_edge", RunStatus.MEMORY),
    ("long_find", RunStatus.TIMEOUT),
    ("backtracking_match", RunStatus.TIMEOUT),
    ("looping_comparator", RunStatus.TIMEOUT),
    ("escapes", RunStatus.ERROR),
]


def test_hostile_scripts_end_in_their_status_and_the_host_lives() -> None:
    budget = LIMITS.wall_budget()
    for name, expected in SEQUENCE:
        for runner in (run_luau, run_script):
            began = time.monotonic()
            result = runner(hostile(name), limits=LIMITS)
            took = time.monotonic() - began
            assert result.status is expected, (name, runner.__name__, result)
            # A liveness bound, not a speed measurement: nothing may hang.
            assert took < 3 * budget, (name, runner.__name__, took)
    escaped = run_luau(hostile("escapes"), limits=LIMITS)
    assert [line.text for line in escaped.output] == ["contained"]
    benign = run_luau("print(1 + 1)", limits=LIMITS)
    assert benign.status is RunStatus.OK and [o.text for o in benign.output] == ["2"]


def test_the_heap_edge_ends_as_memory_inside_the_vm() -> None:
    # The in-VM fix: the trip makes room before it builds its traceback.
    result = run_luau(hostile("heap_edge"), isolate=False)
    assert result.status is RunStatus.MEMORY
    assert result.error is not None and result.error.line == 19
    assert len(result.error.traceback) > 10


def test_a_crashed_run_is_a_failed_sample_not_a_dead_host(crashing_executor: Executor) -> None:
    plain = run_luau(hostile("heap_edge"))
    assert plain.status is RunStatus.CRASHED
    assert plain.error is not None and "SIGABRT" in plain.error.message
    world = run_script(hostile("heap_edge"), kind="Script")
    assert world.status is RunStatus.CRASHED and world.kind.value == "Script"
    card = score_source(hostile("heap_edge"), kind="Script", exec=True)
    assert card.scores["exec"] == 0.0
    crashed = [f for f in card.findings if f.rule == "exec/crashed"]
    assert len(crashed) == 1 and "SIGABRT" in crashed[0].message
    # The next sample is unaffected.
    assert run_luau("print('next')").status is RunStatus.OK


# -- every caller goes through it ----------------------------------------------


def test_score_jobs_scores_every_good_file_around_a_hostile_one(
    tmp_path: Path, crashing_executor: Executor
) -> None:
    from luaurft.scoring.report import FileResult, score_paths

    good = sorted(EXAMPLES.glob("*.luau"))
    assert good
    for number in range(50):
        source = good[number % len(good)]
        (tmp_path / f"{number:02d}_{source.name}").write_text(source.read_text())
    (tmp_path / "25_heap_edge.server.luau").write_text(hostile("heap_edge"))
    outcomes = list(score_paths([str(tmp_path)], exec=True, project=False, jobs=2))
    assert len(outcomes) == 51
    assert all(isinstance(o, FileResult) for o in outcomes)
    by_name = {Path(o.path).name: o.card for o in outcomes if isinstance(o, FileResult)}
    bad = by_name.pop("25_heap_edge.server.luau")
    assert bad.scores["exec"] == 0.0
    assert {f.rule for f in bad.findings} & {"exec/crashed", "exec/memory"}
    assert all(card.scores.get("exec") is not None for card in by_name.values())
    # The same good files alone score the same as among the hostile one.
    alone = score_source(good[0].read_text(), path=good[0].name, exec=True)
    assert by_name[f"00_{good[0].name}"].scores == alone.scores


def test_an_eval_with_a_crashing_sample_resumes_to_completion(
    tmp_path: Path, crashing_executor: Executor
) -> None:
    from eval_fakes import ScriptedGenerator
    from luaurft.eval.harness import EXEC_KEY, EvalSettings, eval_config, evaluate, open_eval_store
    from luaurft.eval.tasks import builtin_suite

    suite = builtin_suite().select(ids=["leaderstats-basic", "oop-inventory-class"])
    settings = EvalSettings(samples=2)

    def answer(task, index):  # type: ignore[no-untyped-def]
        return hostile("heap_edge") if index == 1 else task.solution

    generator = ScriptedGenerator("crashy", suite, answer)
    config = eval_config(generator.name, suite, settings)
    with open_eval_store(tmp_path, config) as store:
        first = evaluate(generator, suite, store, settings)
    with open_eval_store(tmp_path, config) as store:
        reports = store.rewards(0, EXEC_KEY)
        assert len(reports) == 4
        statuses = sorted(r.parts["status"] for r in reports.values())
        assert statuses.count("crashed") == 2
        # Resuming finds every sample finished: nothing is run again.
        again = evaluate(generator, suite, store, settings)
    assert again.metrics["pass@1"].estimate == first.metrics["pass@1"].estimate == 0.5


def test_the_mcp_server_answers_while_a_hostile_run_is_in_progress() -> None:
    from mcp import Client

    from luaurft.agent.mcp_server import build_server

    server = build_server()
    order: list[str] = []

    async def main() -> None:
        async with Client(server) as client:

            async def hostile_run() -> None:
                result = await client.call_tool(
                    "run_luau", {"code": hostile("long_find"), "cpu_seconds": 2.0}
                )
                assert not result.is_error
                assert result.structured_content["status"] == "timeout"
                order.append("run_luau")

            async def quick_score() -> None:
                await anyio.sleep(1.0)
                result = await client.call_tool("score_luau", {"code": "print(1)"})
                assert not result.is_error
                order.append("score_luau")

            async with anyio.create_task_group() as group:
                group.start_soon(hostile_run)
                group.start_soon(quick_score)

    anyio.run(main)
    assert order == ["score_luau", "run_luau"]


def test_eval_and_reward_jobs_change_speed_not_results(tmp_path: Path) -> None:
    from eval_fakes import ScriptedGenerator
    from luaurft.eval.harness import EvalSettings, eval_config, evaluate, open_eval_store
    from luaurft.eval.tasks import builtin_suite
    from luaurft.reward import HybridReward, RewardConfig

    suite = builtin_suite().select(ids=["leaderstats-basic", "oop-inventory-class"])

    def answer(task, index):  # type: ignore[no-untyped-def]
        return task.solution if index == 0 else "local x = 1"

    summaries = []
    for jobs in (1, 2):
        settings = EvalSettings(samples=2, jobs=jobs)
        generator = ScriptedGenerator("j", suite, answer)
        with open_eval_store(tmp_path / str(jobs), eval_config("j", suite, settings)) as store:
            summaries.append(evaluate(generator, suite, store, settings).to_dict())
    assert summaries[0]["metrics"] == summaries[1]["metrics"]

    config = RewardConfig(
        weights={"syntax": 0.1, "api": 0.1, "bug": 0.1, "quality": 0.1, "exec": 0.2}
    )
    items = [
        ("task", (EXAMPLES / name).read_text())
        for name in sorted(p.name for p in EXAMPLES.glob("*.luau"))[:4]
    ] + [("task", "while true do end")]
    one = HybridReward(config, extract=False).score_many(items)
    two = HybridReward(config, extract=False, jobs=2).score_many(items)
    assert [r.value for r in one] == [r.value for r in two]
    assert [r.card.to_dict() for r in one] == [r.card.to_dict() for r in two]


def test_a_caller_whose_working_folder_was_deleted_still_gets_workers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    gone = tmp_path / "gone"
    gone.mkdir()
    monkeypatch.chdir(gone)
    gone.rmdir()
    with Executor(1) as pool:
        assert pool.call(add, 1, 2, wall_seconds=30) == 3
