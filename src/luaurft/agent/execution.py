"""Running a piece of Luau for a tool call, in the sandboxed VM and the mock Roblox world.

This is the one place the assistant reaches for execution: the code runs as its
script kind in a fresh mock world (`luaurft.roblox.mock.run_script`) with the
standard stimulus, exactly as `luaurft run` does. The scripts of a multi-file
answer run together (`run_answer`): each runs with the others present, so a
server Script can require a ModuleScript of the same answer. `answer_world_change`
runs an answer's main script once more to show what it does to the world.

With a `place` (a place file's tree, `luaurft.roblox.place.load_place`), the
answer's files are put into that place at their paths and every run happens
there: `workspace.School.Lights` is the place's, and so is the world diffed.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from luaurft.agent.files import AnswerFile
from luaurft.luau.kind import ScriptKind
from luaurft.luau.sandbox import Limits
from luaurft.roblox.mock import DEFAULT_SECONDS, run_script
from luaurft.roblox.place import with_nodes
from luaurft.roblox.project import InProject, ProjectTree
from luaurft.roblox.world_diff import WorldChange, world_change


def run_code(
    code: str,
    *,
    kind: str | None = None,
    path: str | None = None,
    seconds: float = DEFAULT_SECONDS,
    cpu_seconds: float = 2.0,
    project: InProject | None = None,
) -> dict[str, Any]:
    """Run `code` in a fresh mock world; a JSON-ready report of how it ended
    (status, error with line, output lines, effects, a module's value, resources).
    With `project`, it runs as that file of its project (see `run_answer`)."""
    result = run_script(
        code,
        kind=kind,
        path=path,
        seconds=seconds,
        limits=Limits(cpu_seconds=cpu_seconds),
        project=None if project is None else project.tree,
        path_in_project=None if project is None else project.file,
    )
    report = result.to_dict()
    report["world"] = True
    if project is not None:
        report["project"] = project.describe()
    return report


def answer_project(files: Sequence[AnswerFile], place: ProjectTree | None = None) -> ProjectTree:
    """The instance tree of an answer's files, placed by their paths
    (`ServerScriptService/Shop.server.luau` → `ServerScriptService.Shop`), inside
    `place` when one is given (a file at a place script's path replaces it)."""
    answer = ProjectTree.from_sources({f.path: f.source for f in files})
    return answer if place is None else with_nodes(place, answer.nodes)


def runs_in_project(files: Sequence[AnswerFile], place: ProjectTree | None) -> bool:
    """Whether an answer's files run in a tree (`answer_project`) rather than
    each alone: several files need each other, any file needs its place."""
    return len(files) > 1 or place is not None


def in_answer(tree: ProjectTree, file: AnswerFile) -> InProject | None:
    """`file` in the tree of its answer (`answer_project`)."""
    return InProject.locate(tree, file.path)


def run_answer(
    files: Sequence[AnswerFile],
    *,
    seconds: float = DEFAULT_SECONDS,
    cpu_seconds: float = 2.0,
    place: ProjectTree | None = None,
) -> dict[str, dict[str, Any]]:
    """Run every script of an answer, each with the others present (a lone script
    runs alone unless there is a `place`); the report of each, by path."""
    tree = answer_project(files, place) if runs_in_project(files, place) else None
    return {
        f.path: run_code(
            f.source,
            kind=f.kind.value,
            path=f.path,
            seconds=seconds,
            cpu_seconds=cpu_seconds,
            project=None if tree is None else in_answer(tree, f),
        )
        for f in files
    }


def answer_world_change(
    files: Sequence[AnswerFile],
    *,
    seconds: float = DEFAULT_SECONDS,
    cpu_seconds: float = 2.0,
    place: ProjectTree | None = None,
) -> WorldChange | None:
    """What an answer's main script (its first server Script, else its first file)
    does to the mock world (or to `place`), run with the answer's other files
    present; None for an answer without files or a run whose world could not be read."""
    if not files:
        return None
    main = next((f for f in files if f.kind is ScriptKind.SCRIPT), files[0])
    located = (
        in_answer(answer_project(files, place), main) if runs_in_project(files, place) else None
    )
    run = run_script(
        main.source,
        kind=main.kind.value,
        path=main.path,
        seconds=seconds,
        limits=Limits(cpu_seconds=cpu_seconds),
        project=None if located is None else located.tree,
        path_in_project=None if located is None else located.file,
        export_world=True,
    )
    return world_change(run, main.path)


__all__ = [
    "answer_project",
    "answer_world_change",
    "in_answer",
    "run_answer",
    "run_code",
    "runs_in_project",
]
