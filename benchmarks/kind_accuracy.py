"""Script-kind inference on real files, with the file name hidden.

    PYTHONPATH=src python benchmarks/kind_accuracy.py DIR [--wrong] [--json]
    PYTHONPATH=src python benchmarks/kind_accuracy.py --manifest FILE.tsv [--wrong] [--json]

Every `.lua`/`.luau` file under DIR has a kind its Rojo name declares:
`*.client.lua(u)` a LocalScript, `*.server.lua(u)` a Script, any other name a
ModuleScript. With `--manifest`, the kinds come from a tab-separated table
instead (a header row naming a `file` column, relative to the table's folder,
and a `declared_kind` column: Script, LocalScript or ModuleScript, or empty
for a file whose kind nobody stated, which is skipped): for code whose kind
its documentation states, such as the samples of a manual. Each file's kind is inferred from its text alone (no path), and
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

from luaurft.luau.kind import NO_SIDE_SIGNAL, ScriptKind, kind_with_reason, parse_kind


def declared_kind(path: Path) -> ScriptKind:
    """The kind Rojo gives a file of this name."""
    name = path.name.lower()
    if name.endswith((".client.lua", ".client.luau")):
        return ScriptKind.LOCAL_SCRIPT
    if name.endswith((".server.lua", ".server.luau")):
        return ScriptKind.SCRIPT
    return ScriptKind.MODULE_SCRIPT


def manifest_rows(table: Path) -> list[tuple[Path, str | None]]:
    """(file, declared kind or None where the row states none) per row of a manifest;
    a manifest with no `declared_kind` column (`fetch_npm_corpus.py`'s) states none."""
    lines = table.read_text("utf-8").splitlines()
    header = lines[0].split("\t") if lines else []
    if "file" not in header:
        raise SystemExit(f"{table}: the header names no `file` column")
    file_col = header.index("file")
    kind_col = header.index("declared_kind") if "declared_kind" in header else None
    rows = []
    for line in lines[1:]:
        cells = line.split("\t")
        if len(cells) > file_col and cells[file_col].strip():
            kind = cells[kind_col].strip() if kind_col is not None and len(cells) > kind_col else ""
            rows.append((table.parent / cells[file_col].strip(), kind or None))
    return rows


def manifest_kinds(table: Path) -> list[tuple[Path, ScriptKind]]:
    """The (file, declared kind) rows of a manifest, skipping files with no stated kind."""
    return [(path, parse_kind(kind)) for path, kind in manifest_rows(table) if kind is not None]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("dir", type=Path, nargs="?")
    parser.add_argument("--manifest", type=Path, help="a table of files and their declared kinds")
    parser.add_argument("--wrong", action="store_true", help="list the files inferred wrong")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    if (args.dir is None) == (args.manifest is None):
        parser.error("give either DIR or --manifest")

    if args.manifest is not None:
        cases = manifest_kinds(args.manifest)
    else:
        files = sorted(
            p for p in args.dir.rglob("*") if p.suffix in (".lua", ".luau") and p.is_file()
        )
        cases = [(path, declared_kind(path)) for path in files]
    total: Counter[ScriptKind] = Counter()
    right: Counter[ScriptKind] = Counter()
    unsure: Counter[ScriptKind] = Counter()
    silent: Counter[ScriptKind] = Counter()
    silent_right: Counter[ScriptKind] = Counter()
    wrong: list[tuple[Path, ScriptKind, ScriptKind, str | None]] = []
    unreadable = 0
    for path, truth in cases:
        try:
            text = path.read_text("utf-8", errors="replace")
        except OSError as exc:
            # One bad row of a manifest is reported; the other files are still measured.
            print(f"{path}: skipped, cannot be read ({exc.strerror})", file=sys.stderr)
            unreadable += 1
            continue
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
    if unreadable:
        print(f"{unreadable} file(s) could not be read and are not counted", file=sys.stderr)
    if args.wrong:
        for path, truth, inferred, reason in wrong:
            print(f"{path}: {truth.value} taken as {inferred.value} ({reason or 'no reason'})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
