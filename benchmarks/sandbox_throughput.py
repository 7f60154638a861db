"""Sandbox throughput: compiling a script vs running it in the mock Roblox world.

    PYTHONPATH=src python benchmarks/sandbox_throughput.py [DIR] [--rounds 5] [--seconds 1] [--stages] [--json]

Every `.lua`/`.luau` file under DIR (default: examples/) goes through each stage
`--rounds` times, side by side in one process:

- compile: Luau's compiler only (what the syntax scorer pays);
- world: a new mock world, the script placed and run as its kind for
  `--seconds` of virtual time with the standard stimulus, the report read back
  and the world ended, in this process (`isolate=False`), as every run goes: in
  a VM kept from the last world and renewed (`mock.VM_POOL`); each round's code
  differs by a trailing comment, so every run is of new code;
- world, fresh VM: the same with the pool off, each world in a new VM that is
  dropped after it (what every run cost before VMs were kept);
- isolated: the same run through the worker-process executor, as every caller
  of untrusted code runs it (one warm worker; the call, its pickled arguments
  and its pickled report cross a pipe).

It prints runs per second for each stage, the ratio compile/world (how many
compiles cost as much as one full mock run), what keeping VMs buys (world vs
world in a fresh VM) and what isolation costs (isolated vs world, as a ratio of
runs per second). The rounds of the three alternate, so a noisy machine slows
all alike.

`--stages` then runs `--rounds` more in-process passes with a timer (this
thread's CPU time) around each step of a mock run, and prints the milliseconds
each costs a run: taking a VM from the pool (renewing a kept one), running the
runtime and building the DataModel, placement, the scaffold, joining the local
player, loading the script, launching it, driving the world, the report. The
timers add a little to the total.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import json
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from luaurft.luau.kind import detect_kind
from luaurft.luau.sandbox import RunStatus
from luaurft.luau.source import compile_luau
from luaurft.roblox import mock
from luaurft.roblox.mock import VM_POOL, MockWorld, run_script
from luaurft.scoring.report import collect_files

ROOT = Path(__file__).resolve().parents[1]

# The steps of a mock run that `--stages` times: (owner, attribute, label).
STAGES: tuple[tuple[Any, str, str], ...] = (
    (MockWorld, "_build", "runtime and DataModel"),
    (mock, "infer_placement", "placement"),
    (MockWorld, "scaffold", "scaffold"),
    (MockWorld, "join_local_player", "local player"),
    (MockWorld, "load_script", "load script"),
    (MockWorld, "load_module", "load script"),
    (MockWorld, "launch", "launch"),
    (MockWorld, "require_from_engine", "launch"),
    (MockWorld, "drive", "drive"),
    (MockWorld, "script_run", "report"),
    (type(VM_POOL), "take", "VM from the pool"),
)


@contextlib.contextmanager
def timed_stages() -> Iterator[dict[str, float]]:
    """Time each step of `STAGES` (this thread's CPU seconds, by label) while open."""
    spent: defaultdict[str, float] = defaultdict(float)
    saved = [(owner, name, getattr(owner, name)) for owner, name, _ in STAGES]

    def timed(fn: Callable[..., Any], label: str) -> Callable[..., Any]:
        @functools.wraps(fn)
        def run(*args: Any, **kwargs: Any) -> Any:
            start = time.thread_time()
            try:
                return fn(*args, **kwargs)
            finally:
                spent[label] += time.thread_time() - start

        return run

    try:
        for (owner, name, fn), (_, _, label) in zip(saved, STAGES, strict=True):
            setattr(owner, name, timed(fn, label))
        yield spent
    finally:
        for owner, name, fn in saved:
            setattr(owner, name, fn)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("directory", nargs="?", default=str(ROOT / "examples"))
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=1.0, help="virtual seconds per mock run")
    parser.add_argument("--json", action="store_true", help="print one JSON document")
    parser.add_argument(
        "--stages", action="store_true", help="also time each step of an in-process mock run"
    )
    args = parser.parse_args(argv)

    files = [Path(p) for p in collect_files([args.directory])]
    if not files:
        print(f"no .lua/.luau files under {args.directory}", file=sys.stderr)
        return 2
    scripts = [(str(p), p.read_text(encoding="utf-8")) for p in files]
    kinds = {path: detect_kind(text, path=path) for path, text in scripts}

    passes = iter(range(1_000_000))

    def world_pass(isolate: bool, fresh_vm: bool = False) -> float:
        # Each pass runs code no process has seen: RFT's candidates are new code, so
        # nothing kept per code (placement) may be served from a previous round.
        tag = f"\n-- benchmark pass {next(passes)}\n"
        VM_POOL.enabled = not fresh_vm
        start = time.perf_counter()
        try:
            for path, text in scripts:
                run = run_script(
                    text + tag, kind=kinds[path], path=path, seconds=args.seconds, isolate=isolate
                )
                statuses[run.status.value] = statuses.get(run.status.value, 0) + 1
        finally:
            VM_POOL.enabled = True
        return time.perf_counter() - start

    # One warm-up pass of each: the runtime's bytecode is compiled once per process,
    # and the executor starts its worker.
    statuses: dict[str, int] = {}
    world_pass(False)
    world_pass(True)
    statuses.clear()

    # Wall time and this process's CPU time: on a shared machine the CPU figures
    # are the ones that compare across runs.
    start, cpu = time.perf_counter(), time.process_time()
    for _ in range(args.rounds):
        for _path, text in scripts:
            compile_luau(text)
    compile_time = time.perf_counter() - start
    compile_cpu = time.process_time() - cpu

    world_time = isolated_time = world_cpu = fresh_time = 0.0
    for _ in range(args.rounds):
        cpu = time.process_time()
        world_time += world_pass(False)
        world_cpu += time.process_time() - cpu
        fresh_time += world_pass(False, fresh_vm=True)
        isolated_time += world_pass(True)

    runs = args.rounds * len(scripts)
    compile_rate = runs / compile_time
    world_rate = runs / world_time
    isolated_rate = runs / isolated_time
    fresh_rate = runs / fresh_time
    result = {
        "files": len(scripts),
        "rounds": args.rounds,
        "virtual_seconds": args.seconds,
        "compile_runs_per_s": round(compile_rate, 1),
        "world_runs_per_s": round(world_rate, 1),
        "isolated_runs_per_s": round(isolated_rate, 1),
        "fresh_vm_runs_per_s": round(fresh_rate, 1),
        "world_over_fresh_vm": round(world_rate / fresh_rate, 3),
        "compile_over_world": round(compile_rate / world_rate, 1),
        "isolated_over_world": round(isolated_rate / world_rate, 3),
        "compile_cpu_runs_per_s": round(runs / compile_cpu, 1),
        "world_cpu_runs_per_s": round(runs / world_cpu, 1),
        "statuses": dict(statuses),
    }
    stage_ms: dict[str, float] = {}
    total_ms = 0.0
    if args.stages:
        cpu = time.process_time()
        with timed_stages() as spent:
            for _ in range(args.rounds):
                world_pass(False)
        total_ms = round(1000 * (time.process_time() - cpu) / runs, 3)
        stage_ms = {k: round(1000 * v / runs, 3) for k, v in spent.items()}
        result["stages_ms_per_run"] = stage_ms
        result["stages_total_ms_per_run"] = total_ms
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print(
            f"{len(scripts)} files x {args.rounds} rounds, {args.seconds:g} virtual s per mock run"
        )
        print(f"  compile only      {compile_rate:10.1f} runs/s")
        print(f"  full mock run     {world_rate:10.1f} runs/s   ({1000 / world_rate:.1f} ms each)")
        print(f"  in a fresh VM     {fresh_rate:10.1f} runs/s   ({1000 / fresh_rate:.1f} ms each)")
        print(
            f"  isolated run      {isolated_rate:10.1f} runs/s   ({1000 / isolated_rate:.1f} ms each)"
        )
        print(f"  ratio compile/run {compile_rate / world_rate:10.1f}x")
        print(f"  kept VM/fresh VM  {world_rate / fresh_rate:10.3f}x runs per second")
        print(f"  isolated/in-process {isolated_rate / world_rate:8.3f}x runs per second")
        print(
            f"  per CPU second    {runs / compile_cpu:10.1f} compiles, "
            f"{runs / world_cpu:.1f} mock runs"
        )
        if set(statuses) != {RunStatus.OK.value}:
            print(f"  run statuses: {statuses}")
        if args.stages:
            print(f"  a mock run, step by step (CPU ms, {total_ms} in all):")
            for label, ms in sorted(stage_ms.items(), key=lambda kv: -kv[1]):
                print(f"    {label:22s} {ms:7.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
