"""Evaluation tasks: the TOML format, the model, the built-in suite and loading a user's.

A task file holds one task (keys at the top level) or a family of them
(`[[tasks]]` tables). A task is a developer's request (`prompt`), the script
kind the answer is run as, an optional world `setup` run before the answer,
an optional `stimulus` run after it, a virtual duration, named `checks` and a
reference `solution`:

    [[tasks]]
    id = "leaderstats-coins"
    category = "leaderstats"
    difficulty = "easy"            # easy | medium | hard
    kind = "Script"                # Script | LocalScript | ModuleScript | Luau
    tags = ["leaderstats", "players"]
    seconds = 0.0                  # virtual time run between the stimulus and the checks
    script_path = "Workspace.Door.DoorScript"   # optional: where the solution script lives
    place = "school.rbxlx"         # optional: a place file (relative to this file) built first
    prompt = "..."
    setup = "..."                  # Luau, optional
    stimulus = "..."               # Luau, optional (uses the `sim` driver)
    solution = "..."

    [[tasks.checks]]
    name = "each player gets a leaderstats Folder"
    body = "..."                   # Luau; the check passes iff it runs without error

`Luau` tasks have no Roblox world: their checks call what the solution
defines (`exports` names the globals handed to the checks) — the imported
public suites are of this kind. Built-in tasks ship as package data under
`builtin/`; `load_tasks("builtin")` or `load_tasks(PATH)` reads them.
The same files feed decontamination (`luaurft.data.load_eval_texts` reads the
`prompt` and `solution` of each task), so no training record overlaps them.
"""

from __future__ import annotations

import re
import tomllib
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from luaurft.errors import LuaurftError

BUILTIN = "builtin"
TASK_ID = re.compile(r"^[a-z0-9][a-z0-9._-]*$")


class TaskError(LuaurftError):
    """A task file that cannot be read, or a task that is not in the suite."""


class TaskKind(StrEnum):
    """How the solution is run: as a Roblox script in the mock world, or as plain Luau."""

    SCRIPT = "Script"
    LOCAL_SCRIPT = "LocalScript"
    MODULE_SCRIPT = "ModuleScript"
    LUAU = "Luau"

    @property
    def roblox(self) -> bool:
        return self is not TaskKind.LUAU


class Difficulty(StrEnum):
    EASY = "easy"
    MEDIUM = "medium"
    HARD = "hard"


# The categories of the built-in suite, in report order.
CATEGORIES: tuple[str, ...] = (
    "data-persistence",
    "leaderstats",
    "tools-weapons",
    "ui",
    "tweening-animation",
    "npcs-pathfinding",
    "round-systems",
    "remote-events",
    "monetisation",
    "physics-raycasting",
    "modules-oop",
)


class Check(BaseModel):
    """One named check: a Luau body that passes iff it runs to the end without error."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(min_length=1)
    body: str = Field(min_length=1)


class Task(BaseModel):
    """One evaluation task (see the module docstring for the file format)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str
    prompt: str = Field(min_length=1)
    kind: TaskKind = TaskKind.SCRIPT
    category: str = "general"
    difficulty: Difficulty = Difficulty.MEDIUM
    tags: tuple[str, ...] = ()
    setup: str = ""
    stimulus: str = ""
    seconds: float = Field(default=0.0, ge=0.0, le=600.0)
    # Virtual seconds each check may run before it counts as hung (None: the default).
    check_seconds: float | None = Field(default=None, gt=0.0, le=3600.0)
    # Where the solution script is placed: a dotted path from `game` ending in the
    # script's name ("ServerScriptService.Coins"); None: the kind's default place.
    script_path: str | None = None
    # A place or model file (.rbxl/.rbxlx/.rbxm/.rbxmx) whose instances are built
    # before `setup`: the map, remotes and modules of a real game. A relative path
    # is relative to the task file (`load_task_file` resolves it).
    place: str | None = None
    checks: tuple[Check, ...] = Field(min_length=1)
    solution: str = ""
    # Luau tasks: the names the solution defines that the checks may call.
    exports: tuple[str, ...] = ()
    # Luau tasks: code put before a completion that does not define the exports itself
    # (a MultiPL-E prompt is a function header the model continues).
    prefix: str = ""
    # Luau tasks: where a continued completion is cut (MultiPL-E stop tokens).
    stop: tuple[str, ...] = ()
    source: str = Field(default="", description="The suite or file the task came from.")

    @field_validator("id")
    @classmethod
    def _valid_id(cls, value: str) -> str:
        if not TASK_ID.match(value):
            raise ValueError(
                f"task id {value!r} must be lower-case letters, digits, '.', '_' or '-'"
            )
        return value

    @field_validator("checks")
    @classmethod
    def _unique_check_names(cls, value: tuple[Check, ...]) -> tuple[Check, ...]:
        names = Counter(c.name for c in value)
        repeated = [n for n, count in names.items() if count > 1]
        if repeated:
            raise ValueError(f"check names must be unique; repeated: {', '.join(repeated)}")
        return value

    @property
    def expected(self) -> int:
        """How many checks a passing solution must pass."""
        return len(self.checks)

    def user_prompt(self) -> str:
        """What the model is asked: the request as a developer wrote it."""
        return self.prompt.strip()

    def conversation(self, system_prompt: str | None = None) -> list[dict[str, str]]:
        messages = [{"role": "user", "content": self.user_prompt()}]
        if system_prompt:
            messages.insert(0, {"role": "system", "content": system_prompt})
        return messages

    def meta(self) -> dict[str, Any]:
        """What a run stores with the task besides its id, prompt and kind."""
        return {
            "category": self.category,
            "difficulty": self.difficulty.value,
            "tags": list(self.tags),
            "checks": self.expected,
            "source": self.source,
        }

    def program(self, code: str) -> str:
        """The solution text that is run for a completion's code (Luau tasks with a
        prefix continue the prefix unless the code defines the exports itself)."""
        if self.kind is not TaskKind.LUAU or not self.prefix:
            return code
        cut = code
        for token in self.stop:
            at = cut.find(token)
            if at > 0:
                cut = cut[:at]
        if self.exports and all(_defines(code, name) for name in self.exports):
            return code
        return self.prefix + cut


def _defines(code: str, name: str) -> bool:
    pattern = rf"(?m)^\s*(?:local\s+)?function\s+{re.escape(name)}\s*\(|^\s*(?:local\s+)?{re.escape(name)}\s*="
    return re.search(pattern, code) is not None


@dataclass(frozen=True)
class TaskSuite:
    """An ordered collection of tasks with unique ids."""

    name: str
    tasks: tuple[Task, ...]
    _by_id: dict[str, Task] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        by_id: dict[str, Task] = {}
        for task in self.tasks:
            if task.id in by_id:
                raise TaskError(
                    f"task id {task.id!r} appears twice in {self.name} "
                    f"({by_id[task.id].source} and {task.source}); ids must be unique"
                )
            by_id[task.id] = task
        object.__setattr__(self, "_by_id", by_id)

    def __iter__(self) -> Iterator[Task]:
        return iter(self.tasks)

    def __len__(self) -> int:
        return len(self.tasks)

    def __contains__(self, task_id: object) -> bool:
        return task_id in self._by_id

    def get(self, task_id: str) -> Task:
        try:
            return self._by_id[task_id]
        except KeyError:
            close = [t for t in self._by_id if task_id in t or t in task_id][:5]
            hint = f"; did you mean {', '.join(close)}?" if close else ""
            raise TaskError(
                f"no task {task_id!r} in {self.name}{hint} (`luaurft tasks list` shows them)"
            ) from None

    def select(
        self,
        *,
        ids: Iterable[str] | None = None,
        categories: Iterable[str] | None = None,
        limit: int | None = None,
    ) -> TaskSuite:
        chosen: Sequence[Task] = self.tasks
        if ids is not None:
            chosen = [self.get(i) for i in ids]
        if categories is not None:
            wanted = set(categories)
            chosen = [t for t in chosen if t.category in wanted]
        if limit is not None:
            chosen = list(chosen)[:limit]
        return TaskSuite(self.name, tuple(chosen))

    def categories(self) -> dict[str, int]:
        counts = Counter(t.category for t in self.tasks)
        order = {c: i for i, c in enumerate(CATEGORIES)}
        return dict(sorted(counts.items(), key=lambda kv: (order.get(kv[0], 99), kv[0])))


# -- reading --------------------------------------------------------------------


def parse_task_file(text: str, *, source: str = "<text>") -> list[Task]:
    """The tasks in one TOML document (a single task or `[[tasks]]`)."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise TaskError(f"{source} is not valid TOML: {exc}") from None
    listed = data.get("tasks")
    if listed is None:
        rows: list[Any] = [data]
        defaults: dict[str, Any] = {}
    elif isinstance(listed, list):
        rows = listed
        # Keys beside [[tasks]] (category = "ui") are defaults for every task in the file.
        defaults = {k: v for k, v in data.items() if k != "tasks"}
    else:
        raise TaskError(f"{source}: `tasks` must be an array of tables ([[tasks]])")
    tasks: list[Task] = []
    for number, row in enumerate(rows, start=1):
        if not isinstance(row, dict):
            raise TaskError(f"{source}: task {number} is not a table")
        merged = {**defaults, **row, "source": row.get("source") or source}
        try:
            tasks.append(Task.model_validate(merged))
        except ValidationError as exc:
            name = row.get("id", f"#{number}")
            problems = "; ".join(
                f"{'.'.join(str(x) for x in e['loc']) or 'task'}: {e['msg']}" for e in exc.errors()
            )
            raise TaskError(f"{source}: task {name}: {problems}") from None
    return tasks


def load_task_file(path: str | Path) -> list[Task]:
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise TaskError(f"task file {p} does not exist") from None
    except UnicodeDecodeError as exc:
        raise TaskError(f"{p} is not UTF-8 text: {exc}") from None
    return [_placed(task, p.parent) for task in parse_task_file(text, source=str(p))]


def _placed(task: Task, folder: Path) -> Task:
    """`task` with its place file found from the task file's folder."""
    if task.place is None:
        return task
    place = Path(task.place)
    if not place.is_absolute():
        place = folder / place
    if not place.is_file():
        raise TaskError(
            f"task {task.id}: place file {place} does not exist; `place` is a path "
            "relative to the task file"
        )
    return task.model_copy(update={"place": str(place.resolve())})


def _task_files(root: Path) -> list[Path]:
    return sorted(f for f in root.rglob("*.toml") if f.is_file())


@cache
def builtin_suite() -> TaskSuite:
    """The built-in Roblox suite shipped with luaurft."""
    root = resources.files("luaurft.eval.tasks").joinpath(BUILTIN)
    tasks: list[Task] = []
    names = sorted(
        (entry.name for entry in root.iterdir() if entry.name.endswith(".toml")),
    )
    for name in names:
        text = root.joinpath(name).read_text(encoding="utf-8")
        tasks.extend(parse_task_file(text, source=f"{BUILTIN}/{name}"))
    return TaskSuite(BUILTIN, tuple(tasks))


def load_tasks(spec: str | Path = BUILTIN) -> TaskSuite:
    """`builtin`, a TOML task file, a folder of them, or an imported suite file
    (MultiPL-E `.jsonl`, LuauLeetcode `.parquet`)."""
    if isinstance(spec, str) and spec == BUILTIN:
        return builtin_suite()
    path = Path(spec)
    if not path.exists():
        raise TaskError(f"{path}: no such task file or folder; use `builtin` or a path")
    if path.is_dir():
        files = _task_files(path)
        if not files:
            raise TaskError(f"{path} holds no .toml task files")
        tasks = [task for f in files for task in load_task_file(f)]
        return TaskSuite(str(path), tuple(tasks))
    if path.suffix in {".jsonl", ".json", ".parquet"}:
        from luaurft.eval.importers import import_suite

        return import_suite(path)
    return TaskSuite(str(path), tuple(load_task_file(path)))


def resolve_task(ref: str, tasks: str | Path = BUILTIN) -> Task:
    """A task named by id (in the `tasks` suite), by a task file holding exactly one
    task, or by `FILE::ID` (one task of a file or suite)."""
    path_part, sep, task_id = ref.rpartition("::")
    if sep:
        return load_tasks(path_part).get(task_id)
    candidate = Path(ref)
    if candidate.suffix == ".toml" and candidate.is_file():
        found = load_task_file(candidate)
        if len(found) != 1:
            ids = ", ".join(t.id for t in found)
            raise TaskError(f"{candidate} holds {len(found)} tasks ({ids}); name one as FILE::ID")
        return found[0]
    return load_tasks(tasks).get(ref)


def eval_texts(spec: str | Path = BUILTIN) -> list[tuple[str, str, str]]:
    """(id, kind, text) of every prompt and reference solution, for decontamination."""
    out: list[tuple[str, str, str]] = []
    for task in load_tasks(spec):
        out.append((f"{task.id}:prompt", "prose", task.prompt))
        if task.solution.strip():
            out.append((f"{task.id}:solution", "code", task.solution))
    return out


def builtin_dir() -> Path:
    """The folder of the built-in task files (for `luaurft data build --eval-texts`)."""
    return Path(str(resources.files("luaurft.eval.tasks").joinpath(BUILTIN)))


__all__ = [
    "BUILTIN",
    "CATEGORIES",
    "Check",
    "Difficulty",
    "Task",
    "TaskError",
    "TaskKind",
    "TaskSuite",
    "builtin_dir",
    "builtin_suite",
    "eval_texts",
    "load_task_file",
    "load_tasks",
    "parse_task_file",
    "resolve_task",
]
