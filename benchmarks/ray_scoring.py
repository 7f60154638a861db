"""Scoring a folder on a local Ray instance with 1 vs 2 workers, beside one process.

    PYTHONPATH=src python benchmarks/ray_scoring.py [DIR] [--copies 12] [--no-exec] [--json]

The `.lua`/`.luau` files under DIR (default: examples/) are copied `--copies`
times into a temporary folder, scored with `score_paths` (the function behind
`luaurft score`) in this process, then with `ray=` on a local Ray instance
started with 1 CPU and again with 2 CPUs (one Ray worker per CPU, each running
its files through its own executor). Ray's start and a warm-up pass (workers
importing luaurft) are not timed. It prints the times, files per second, the
2-vs-1 speedup, and whether every pass gave the in-process results.
"""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
import time
from pathlib import Path

from luaurft.scoring.report import FileResult, collect_files, score_paths

ROOT = Path(__file__).resolve().parents[1]


def _timed(folder: str, exec: bool, ray: str | None) -> tuple[float, list[object]]:
    start = time.perf_counter()
    outcomes = list(score_paths([folder], exec=exec, ray=ray))
    seconds = time.perf_counter() - start
    return seconds, [
        (o.path, o.card.scores, o.card.composite) if isinstance(o, FileResult) else o
        for o in outcomes
    ]


def main(argv: list[str] | None = None) -> int:
    import ray

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("directory", nargs="?", default=str(ROOT / "examples"))
    parser.add_argument("--copies", type=int, default=12)
    parser.add_argument("--no-exec", dest="exec", action="store_false")
    parser.add_argument("--json", action="store_true", help="print one JSON document")
    args = parser.parse_args(argv)

    sources = [Path(p) for p in collect_files([args.directory])]
    timings: dict[str, float] = {}
    same: dict[str, bool] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for copy in range(args.copies):
            folder = Path(tmp) / "all" / f"copy{copy}"
            folder.mkdir(parents=True)
            for n, source in enumerate(sources):
                shutil.copyfile(source, folder / f"{n:03d}_{source.name}")
        warm = Path(tmp) / "warm"
        warm.mkdir()
        for n, source in enumerate(sources[:4]):
            shutil.copyfile(source, warm / f"{n:03d}_{source.name}")
        everything = str(Path(tmp) / "all")
        timings["in_process"], baseline = _timed(everything, args.exec, None)
        for workers in (1, 2):
            ray.init(num_cpus=workers, include_dashboard=False, log_to_driver=False)
            try:
                _timed(str(warm), args.exec, "auto")  # start the Ray workers (not timed)
                name = f"ray_{workers}"
                timings[name], outcome = _timed(everything, args.exec, "auto")
                same[name] = outcome == baseline
            finally:
                ray.shutdown()
        files = len(baseline)

    result = {
        "files": files,
        "exec": args.exec,
        "seconds": {k: round(v, 3) for k, v in timings.items()},
        "files_per_second": {k: round(files / v, 2) for k, v in timings.items()},
        "speedup_2_over_1": round(timings["ray_1"] / timings["ray_2"], 2),
        "same_results": same,
    }
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print(f"{files} files, exec {'on' if args.exec else 'off'}")
        for name, seconds in timings.items():
            print(f"  {name:<11} {seconds:8.2f} s  {files / seconds:7.2f} files/s")
        print(f"  speedup 2 vs 1 Ray workers {result['speedup_2_over_1']:.2f}x   same: {same}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
