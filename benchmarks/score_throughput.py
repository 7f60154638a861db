"""Scoring throughput: tree-sitter parse, Luau compile and full scoring, measured side by side.

    PYTHONPATH=src python benchmarks/score_throughput.py [DIR] [--target-mb 2] [--clock cpu] [--json]

The `.lua`/`.luau` files under DIR (default: examples/) are repeated until the
corpus reaches --target-mb, then every stage runs over the same corpus in one
process. Full scoring builds a fresh `LuauSource` for every file, so nothing is
served from the content-hash cache. The closing ratio is the time of full
scoring over the time of parsing plus compiling: what the rules cost on top of
the two analyses every score needs. `--clock cpu` times this process's CPU
instead of the wall clock: every stage runs in this one thread, so CPU time is
what wall time would be on an idle machine, and it stays steady where other
work shares the CPUs.

To measure another stage, add a `Stage` to `STAGES`.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import tree_sitter

from luaurft.luau.lexer import tokenize
from luaurft.luau.source import LuauSource, compile_luau, luau_language
from luaurft.scoring import score_source
from luaurft.scoring.report import collect_files

ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Stage:
    key: str
    label: str
    run: Callable[[str], object]


def _parse(text: str) -> object:
    return tree_sitter.Parser(luau_language()).parse(text.encode("utf-8"))


def _score(text: str) -> object:
    return score_source(LuauSource(text))


STAGES: list[Stage] = [
    Stage("parse", "(a) tree-sitter parse", _parse),
    Stage("compile", "(b) Luau compile", compile_luau),
    Stage("score", "(c) full scoring", _score),
    Stage("lex", "lexer (syntax rules)", tokenize),
]


def load_corpus(directory: Path, target_bytes: int) -> list[str]:
    texts = [Path(p).read_text(encoding="utf-8") for p in collect_files([str(directory)])]
    if not texts:
        raise SystemExit(f"no .lua/.luau files under {directory}")
    corpus: list[str] = []
    size = 0
    while size < target_bytes:
        for text in texts:
            corpus.append(text)
            size += len(text.encode("utf-8"))
    return corpus


CLOCKS: dict[str, Callable[[], float]] = {"wall": time.perf_counter, "cpu": time.process_time}


def measure(
    stage: Stage, corpus: list[str], clock: Callable[[], float] = time.perf_counter
) -> float:
    for text in corpus[:3]:
        stage.run(text)  # warm up imports, caches of the grammar and the compiler
    start = clock()
    for text in corpus:
        stage.run(text)
    return clock() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("directory", nargs="?", default=str(ROOT / "examples"))
    parser.add_argument("--target-mb", type=float, default=2.0)
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument(
        "--clock",
        choices=sorted(CLOCKS),
        default="wall",
        help="wall time, or this process's CPU time (steadier where other work shares the CPUs)",
    )
    args = parser.parse_args(argv)

    corpus = load_corpus(Path(args.directory), int(args.target_mb * 1_000_000))
    megabytes = sum(len(t.encode("utf-8")) for t in corpus) / 1_000_000
    seconds = {stage.key: measure(stage, corpus, CLOCKS[args.clock]) for stage in STAGES}
    ratio = seconds["score"] / (seconds["parse"] + seconds["compile"])
    report = {
        "files": len(corpus),
        "megabytes": round(megabytes, 3),
        "stages": {
            stage.key: {
                "label": stage.label,
                "seconds": round(seconds[stage.key], 4),
                "files_per_s": round(len(corpus) / seconds[stage.key], 1),
                "mb_per_s": round(megabytes / seconds[stage.key], 3),
            }
            for stage in STAGES
        },
        "ratio_score_over_parse_plus_compile": round(ratio, 3),
        "clock": args.clock,
    }
    if args.json:
        print(json.dumps(report, indent=2))
        return 0
    print(
        f"corpus: {len(corpus)} files, {megabytes:.2f} MB from {args.directory} ({args.clock} clock)"
    )
    print(f"{'stage':<24}{'seconds':>10}{'files/s':>12}{'MB/s':>10}")
    for stage in STAGES:
        row = report["stages"][stage.key]  # type: ignore[index]
        print(
            f"{stage.label:<24}{row['seconds']:>10.3f}{row['files_per_s']:>12.1f}{row['mb_per_s']:>10.3f}"
        )
    print(f"ratio (c) / ((a) + (b)): {ratio:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
