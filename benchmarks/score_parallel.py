"""Scoring a folder in one process vs in worker processes, side by side.

    PYTHONPATH=src python benchmarks/score_parallel.py [DIR] [--jobs 0] [--copies 8] [--no-exec] [--json]

The `.lua`/`.luau` files under DIR (default: examples/) are copied `--copies`
times into a temporary folder, which is then scored twice with `score_paths`
(the function behind `luaurft score`): with one process, and with `--jobs`
workers (0: one per CPU). It prints both times, the speedup, and whether the two
passes gave the same results.
"""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
import time
from pathlib import Path

from luaurft.scoring.report import FileResult, collect_files, score_paths, worker_count

ROOT = Path(__file__).resolve().parents[1]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("directory", nargs="?", default=str(ROOT / "examples"))
    parser.add_argument("--jobs", type=int, default=0, help="workers (0: one per CPU)")
    parser.add_argument("--copies", type=int, default=8)
    parser.add_argument("--no-exec", dest="exec", action="store_false")
    parser.add_argument("--json", action="store_true", help="print one JSON document")
    args = parser.parse_args(argv)

    sources = [Path(p) for p in collect_files([args.directory])]
    with tempfile.TemporaryDirectory() as tmp:
        for copy in range(args.copies):
            folder = Path(tmp) / f"copy{copy}"
            folder.mkdir()
            for n, source in enumerate(sources):
                shutil.copyfile(source, folder / f"{n:03d}_{source.name}")
        timings: dict[str, float] = {}
        outputs: dict[str, list[object]] = {}
        for name, jobs in (("one", 1), ("workers", args.jobs)):
            start = time.perf_counter()
            outcomes = list(score_paths([tmp], exec=args.exec, jobs=jobs))
            timings[name] = time.perf_counter() - start
            outputs[name] = [
                (o.path, o.card.scores, o.card.composite) if isinstance(o, FileResult) else o
                for o in outcomes
            ]
        files = len(outputs["one"])

    result = {
        "files": files,
        "exec": args.exec,
        "workers": worker_count(args.jobs, files),
        "seconds": {k: round(v, 3) for k, v in timings.items()},
        "speedup": round(timings["one"] / timings["workers"], 2),
        "same_results": outputs["one"] == outputs["workers"],
    }
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print(f"{files} files, exec {'on' if args.exec else 'off'}")
        print(f"  one process   {timings['one']:8.2f} s")
        print(f"  {result['workers']} workers     {timings['workers']:8.2f} s")
        print(f"  speedup       {result['speedup']:8.2f}x   same results: {result['same_results']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
