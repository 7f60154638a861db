"""Placement on long, repetitive code: how its time grows with the code.

    PYTHONPATH=src python benchmarks/placement_scaling.py [--small 500] [--large 2000] [--rounds 3] [--json]

Placement (`infer_placement`) reads a script before every mock run, and the
exec score runs scripts up to the sandbox's source limit (1 MiB), so what it
does per thing the code names must not be redone over the whole text: a
script of N GUI waits once took N full-text scans for each (3,000 waits: 85 s).
Each shape below is repeated `--small` and `--large` times; the closing column
is time(large) / time(small) over large / small, medians of `--rounds` runs:
1.0 means placement grows as the code does; a value that grows with `--large`
means it does not (4 at a ratio of 4 would be quadratic).
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections.abc import Callable

from luaurft.luau.kind import ScriptKind
from luaurft.roblox.scaffold import infer_placement

SCRIPT, LOCAL = ScriptKind.SCRIPT, ScriptKind.LOCAL_SCRIPT

# name -> (kind, the i-th repetition of a statement shape scripts really use)
SHAPES: dict[str, tuple[ScriptKind, Callable[[int], str]]] = {
    "gui waits": (
        LOCAL,
        lambda i: (
            f'local g{i} = game.Players.LocalPlayer.PlayerGui:WaitForChild("G{i}")\n'
            f"g{i}.Frame.Visible = true\n"
        ),
    ),
    "parent children": (SCRIPT, lambda i: f"script.Parent.Door{i}.Touched:Connect(print)\n"),
    "service waits": (
        SCRIPT,
        lambda i: (
            f'local r{i} = game:GetService("ReplicatedStorage"):WaitForChild("Remote{i}")\n'
            f"r{i}.OnServerEvent:Connect(function(p, n: number) end)\n"
        ),
    ),
    "workspace paths": (SCRIPT, lambda i: f"workspace.Map.Zone{i}.Lava.Touched:Connect(print)\n"),
    "clones": (
        SCRIPT,
        lambda i: (
            f"local t{i} = game.ServerStorage.Tpl{i}\nlocal c{i} = t{i}:Clone()\n"
            f"c{i}.Parent = workspace\n"
        ),
    ),
    "leaderstats": (
        LOCAL,
        lambda i: (
            f'local v{i} = game.Players.LocalPlayer:WaitForChild("leaderstats")'
            f':WaitForChild("Stat{i}")\nprint(v{i}.Value)\n'
        ),
    ),
    "table fields": (
        SCRIPT,
        lambda i: (
            f'local T{i} = {{ a = workspace:WaitForChild("A{i}"), b = 2 }}\n'
            f"T{i}.a.Touched:Connect(print)\n"
        ),
    ),
    "requires": (
        SCRIPT,
        lambda i: f'local M{i} = require(game.ReplicatedStorage:WaitForChild("Mod{i}"))\n',
    ),
}


def _seconds(code: str, kind: ScriptKind, rounds: int) -> float:
    times = []
    for round_ in range(rounds):
        # New text every round: placement keeps what it read of a text it has seen.
        text = f"{code}-- round {round_}\n"
        start = time.process_time()
        infer_placement(text, kind)
        times.append(time.process_time() - start)
    return statistics.median(times)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", type=int, default=500)
    parser.add_argument("--large", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--json", action="store_true", help="print one JSON document")
    args = parser.parse_args(argv)
    growth = args.large / args.small
    rows = []
    for name, (kind, shape) in SHAPES.items():
        small = "".join(shape(i) for i in range(args.small))
        large = "".join(shape(i) for i in range(args.large))
        t_small = _seconds(small, kind, args.rounds)
        t_large = _seconds(large, kind, args.rounds)
        rows.append(
            {
                "shape": name,
                "large_chars": len(large),
                "small_s": round(t_small, 4),
                "large_s": round(t_large, 4),
                "growth_over_linear": round(t_large / max(t_small, 1e-6) / growth, 2),
            }
        )
    if args.json:
        print(json.dumps({"small": args.small, "large": args.large, "shapes": rows}, indent=2))
        return 0
    print(
        f"placement CPU seconds, {args.small} vs {args.large} repetitions (medians of {args.rounds})"
    )
    print(f"{'shape':18s} {'chars':>9s} {'small':>8s} {'large':>8s} {'growth/linear':>14s}")
    for r in rows:
        print(
            f"{r['shape']:18s} {r['large_chars']:9d} {r['small_s']:8.3f} {r['large_s']:8.3f} "
            f"{r['growth_over_linear']:14.2f}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
