"""Loading place and model files: instances per second, binary and XML side by side.

    PYTHONPATH=src python benchmarks/place_load.py [--corpus DIR] [--repeat 5] [--json]

Every folder of the corpus (default ../shared/roblox-files) that holds the same
content as `binary.rbx?` and `xml.rbx?x` is loaded `--repeat` times in each
format, alternating, in one process. It prints, per file and in total,
instances per second for each format and the ratio binary/XML, and the slowest
single load (the loader must read any of these files in well under a second).
"""

from __future__ import annotations

import argparse
import json
import time
import warnings
from pathlib import Path

from luaurft.roblox.files import RobloxFileWarning, load_roblox_file

DEFAULT_CORPUS = Path(__file__).resolve().parents[2] / "shared" / "roblox-files"


def pairs(corpus: Path) -> list[tuple[str, Path, Path]]:
    out = []
    for folder in sorted([*corpus.glob("places/*"), *corpus.glob("models/*")]):
        binary = sorted(folder.glob("binary.rbx*"))
        xml = sorted(folder.glob("xml.rbx*"))
        if binary and xml:
            out.append((f"{folder.parent.name}/{folder.name}", binary[0], xml[0]))
    return out


def _load_seconds(path: Path) -> tuple[float, int]:
    start = time.perf_counter()
    tree = load_roblox_file(path)
    seconds = time.perf_counter() - start
    return seconds, len(tree)


def measure(corpus: Path, repeat: int) -> dict[str, object]:
    files = []
    totals = {"binary": [0.0, 0], "xml": [0.0, 0]}
    slowest = 0.0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RobloxFileWarning)
        for name, binary, xml in pairs(corpus):
            seconds = {"binary": 0.0, "xml": 0.0}
            counts = {"binary": 0, "xml": 0}
            for _ in range(repeat):
                for kind, path in (("binary", binary), ("xml", xml)):
                    took, count = _load_seconds(path)
                    seconds[kind] += took
                    counts[kind] = count
                    slowest = max(slowest, took)
            for kind in seconds:
                totals[kind][0] += seconds[kind]
                totals[kind][1] += counts[kind] * repeat
            rates = {k: counts[k] * repeat / seconds[k] for k in seconds}
            files.append(
                {
                    "file": name,
                    "instances": counts["binary"],
                    "binary_per_s": round(rates["binary"]),
                    "xml_per_s": round(rates["xml"]),
                    "binary_over_xml": round(rates["binary"] / rates["xml"], 2),
                }
            )
    total_rates = {k: (v[1] / v[0] if v[0] else 0.0) for k, v in totals.items()}
    return {
        "files": files,
        "repeat": repeat,
        "instances_per_s": {k: round(v) for k, v in total_rates.items()},
        "binary_over_xml": round(total_rates["binary"] / total_rates["xml"], 2)
        if total_rates["xml"]
        else None,
        "slowest_load_s": round(slowest, 4),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--json", action="store_true", help="print one JSON document")
    args = parser.parse_args(argv)
    if not args.corpus.is_dir():
        parser.error(f"no corpus at {args.corpus}; pass --corpus DIR")
    report = measure(args.corpus, args.repeat)
    if args.json:
        print(json.dumps(report, indent=2))
        return 0
    print(f"{'file':<48} {'instances':>9} {'binary/s':>10} {'xml/s':>10} {'bin/xml':>8}")
    for row in report["files"]:  # type: ignore[attr-defined]
        print(
            f"{row['file']:<48} {row['instances']:>9} {row['binary_per_s']:>10} "
            f"{row['xml_per_s']:>10} {row['binary_over_xml']:>7}x"
        )
    rates = report["instances_per_s"]
    print(
        f"total: binary {rates['binary']} instances/s, xml {rates['xml']} instances/s, "  # type: ignore[index]
        f"binary/xml {report['binary_over_xml']}x; slowest load {report['slowest_load_s']} s"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
