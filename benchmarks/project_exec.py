"""Running the files of a project: each alone, in the part of its project it reaches, in all of it.

    PYTHONPATH=src python benchmarks/project_exec.py [--packages 10] [--modules 20] [--json]

A synthetic Rojo-style project is written to a temporary folder: `--packages`
folders of `--modules` ModuleScripts, each requiring the one before it in its
folder (`require(script.Parent.ModN)`), so module names repeat across folders as
they do in real projects. Every file then runs side by side in one process:

- alone: no project; the first require fails, so the run is short;
- reached: in its project, building only the instances its code can reach
  (`ProjectTree.needed_by`, what `luaurft score DIR` does);
- whole tree: in its project with every instance built (the baseline the
  pruning replaced), so the ratio whole/reached is what pruning saves.

It prints milliseconds per file for each mode and the ratios against `alone`.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from unittest import mock

from luaurft.roblox.mock import run_script
from luaurft.roblox.project import ProjectNode, ProjectTree

MODULE = """local Previous = {previous}
local Mod{m} = {{}}

function Mod{m}.compute(x: number): number
\tlocal base = if type(Previous.compute) == "function" then Previous.compute(x) else x
\treturn base + {m}
end

return Mod{m}
"""


def write_project(root: Path, packages: int, modules: int) -> list[Path]:
    files = []
    for p in range(packages):
        folder = root / "Game" / f"Pkg{p}"
        folder.mkdir(parents=True)
        for m in range(modules):
            previous = f"require(script.Parent.Mod{m - 1})" if m else "{ value = 0 }"
            path = folder / f"Mod{m}.luau"
            path.write_text(MODULE.format(previous=previous, m=m), encoding="utf-8")
            files.append(path)
    return files


def _every_node(tree: ProjectTree, _under_test: ProjectNode, _code: str) -> list[ProjectNode]:
    return list(tree.nodes)


def _timed(run: Callable[[], object], count: int) -> tuple[float, object]:
    start = time.perf_counter()
    last = run()
    return (time.perf_counter() - start) / count, last


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--packages", type=int, default=10)
    parser.add_argument("--modules", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=1.0, help="virtual seconds per run")
    parser.add_argument("--json", action="store_true", help="print one JSON document")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory() as tmp:
        files = write_project(Path(tmp), args.packages, args.modules)
        tree = ProjectTree.from_folder(Path(tmp) / "Game")
        texts = [(f, f.read_text(encoding="utf-8")) for f in files]

        def alone() -> list[str]:
            return [run_script(t, kind="ModuleScript", seconds=args.seconds).status.value
                    for _, t in texts]  # fmt: skip

        def in_project() -> list[str]:
            return [run_script(t, kind="ModuleScript", seconds=args.seconds, project=tree,
                               path_in_project=f).status.value for f, t in texts]  # fmt: skip

        def whole_tree() -> list[str]:
            with mock.patch.object(ProjectTree, "needed_by", _every_node):
                return in_project()

        in_project()  # warm-up: the runtime and the modules' bytecode compile once
        timings = {}
        for name, run in (("alone", alone), ("reached", in_project), ("whole", whole_tree)):
            timings[name], _ = _timed(run, len(texts))

    result = {
        "files": len(texts),
        "instances": len(tree.nodes),
        "ms_per_file": {k: round(v * 1000, 2) for k, v in timings.items()},
        "reached_over_alone": round(timings["reached"] / timings["alone"], 2),
        "whole_over_alone": round(timings["whole"] / timings["alone"], 2),
        "whole_over_reached": round(timings["whole"] / timings["reached"], 2),
    }
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print(f"{result['files']} files, {result['instances']} instances in the project")
        for name, label in (
            ("alone", "alone"),
            ("reached", "reached part"),
            ("whole", "whole tree"),
        ):
            print(f"  {label:<14} {result['ms_per_file'][name]:8.2f} ms/file")
        print(f"  reached/alone  {result['reached_over_alone']:8.2f}x")
        print(f"  whole/alone    {result['whole_over_alone']:8.2f}x")
        print(f"  whole/reached  {result['whole_over_reached']:8.2f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
