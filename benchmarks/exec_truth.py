"""Exec results on real files: how many ran clean, were charged, or were not run, and why.

    PYTHONPATH=src python benchmarks/exec_truth.py --manifest FILE.tsv [--charged] [--json]

The manifest is the one `kind_accuracy.py` reads (a header row naming a `file`
column, relative to the table's folder, and perhaps a `declared_kind` column, as
`fetch_npm_corpus.py`'s has not); each file runs in the mock world as its declared
kind, or as the kind inferred from its text where the row states none. A charged run (exec < 1) is where the
mock world and the code disagree: read each one and judge whose fault it is
(the code's, or the world's, which is a luaurft bug to fix). `--charged` lists
them with their first finding; `--json` prints every file's result, so two
revisions of luaurft (`PYTHONPATH=<checkout>/src`) can be diffed file by file.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any

from luaurft.luau.kind import detect_kind
from luaurft.scoring.execution import exec_score

# The manifest is kind_accuracy.py's: one reader for both.
sys.path.insert(0, str(Path(__file__).resolve().parent))
from kind_accuracy import manifest_rows


def outcome(result: Any) -> str:
    if result.not_run is not None:
        return f"not run ({result.not_run.cause})"
    return "clean" if result.score == 1.0 else "charged"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--manifest", type=Path, required=True)
    parser.add_argument("--charged", action="store_true", help="list the charged runs")
    parser.add_argument("--json", action="store_true", help="every file's result, for diffs")
    args = parser.parse_args(argv)

    counts: Counter[str] = Counter()
    results: dict[str, dict[str, Any]] = {}
    for path, declared in manifest_rows(args.manifest):
        try:
            text = path.read_text("utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            # One bad row is reported; the other files still run.
            print(f"{path}: skipped, cannot be read ({exc})", file=sys.stderr)
            counts["unreadable"] += 1
            continue
        kind = declared or detect_kind(text).value
        result = exec_score(text, kind)
        label = outcome(result)
        counts[label] += 1
        results[str(path)] = {
            "kind": kind,
            "outcome": label,
            "score": result.score,
            "findings": [f"{f.rule}@{f.line}: {f.message}" for f in result.findings],
        }
    if args.json:
        json.dump({"counts": dict(counts), "files": results}, sys.stdout, indent=2)
        print()
        return 0
    ran = counts["clean"] + counts["charged"]
    print(f"{len(results)} files: {ran} ran, {counts['clean']} clean, {counts['charged']} charged")
    for label, n in sorted(counts.items()):
        if label.startswith("not run") or label == "unreadable":
            print(f"  {label}: {n}")
    if args.charged:
        for name, row in results.items():
            if row["outcome"] == "charged":
                first = row["findings"][0] if row["findings"] else ""
                print(f"{name} ({row['kind']}, {row['score']}): {first}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
