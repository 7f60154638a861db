"""Script-kind inference on real files, with the file name hidden.

    PYTHONPATH=src python benchmarks/kind_accuracy.py DIR [--wrong] [--json]

Every `.lua`/`.luau` file under DIR has a kind its Rojo name declares:
`*.client.lua(u)` a LocalScript, `*.server.lua(u)` a Script, any other name a
ModuleScript. Each file's kind is inferred from its text alone (no path), and
the tool prints, per declared kind, how many were inferred right; how many of
them the inference itself marked as unsure (a `kind_reason`: signals weak,
absent or in conflict); and how many carry no side signal at all (nothing in
the text says client or server, so no reader could tell), with the share right
among the others. `--wrong` lists the misses with their reasons.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

from luaurft.luau.kind import NO_SIDE_SIGNAL, ScriptKind, kind_with_reason


def declared_kind(path: Path) -> ScriptKind:
    """The kind Rojo gives a file of this name."""
    name = path.name.lower()
    if name.endswith((".client.lua", ".client.luau")):
        return ScriptKind.LOCAL_SCRIPT
    if name.endswith((".server.lua", ".server.luau")):
        return ScriptKind.SCRIPT
    return ScriptKind.MODULE_SCRIPT


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("dir", type=Path)
    parser.add_argument("--wrong", action="store_true", help="list the files inferred wrong")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)

    files = sorted(p for p in args.dir.rglob("*") if p.suffix in (".lua", ".luau") and p.is_file())
    total: Counter[ScriptKind] = Counter()
    right: Counter[ScriptKind] = Counter()
    unsure: Counter[ScriptKind] = Counter()
    silent: Counter[ScriptKind] = Counter()
    silent_right: Counter[ScriptKind] = Counter()
    wrong: list[tuple[Path, ScriptKind, ScriptKind, str | None]] = []
    for path in files:
        text = path.read_text("utf-8", errors="replace")
        truth = declared_kind(path)
        inferred, reason = kind_with_reason(text)
        total[truth] += 1
        unsure[truth] += reason is not None
        silent[truth] += reason == NO_SIDE_SIGNAL
        if inferred is truth:
            right[truth] += 1
            silent_right[truth] += reason == NO_SIDE_SIGNAL
        else:
            wrong.append((path, truth, inferred, reason))

    rows = {
        kind.value: {
            "right": right[kind],
            "total": total[kind],
            "unsure": unsure[kind],
            "no_signal": silent[kind],
            "right_with_signal": right[kind] - silent_right[kind],
            "with_signal": total[kind] - silent[kind],
        }
        for kind in ScriptKind
        if total[kind]
    }
    if args.json:
        json.dump(rows, sys.stdout, indent=2)
        print()
    else:
        for kind, row in rows.items():
            share = row["right"] / row["total"]
            signalled = row["right_with_signal"] / row["with_signal"] if row["with_signal"] else 1.0
            print(
                f"{kind:13} {row['right']:4}/{row['total']:<4} right ({share:6.1%}), "
                f"{row['unsure']} with a kind_reason, {row['no_signal']} with no side signal; "
                f"with a signal {row['right_with_signal']}/{row['with_signal']} ({signalled:.1%})"
            )
    if args.wrong:
        for path, truth, inferred, reason in wrong:
            print(f"{path}: {truth.value} taken as {inferred.value} ({reason or 'no reason'})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
