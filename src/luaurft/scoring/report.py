"""Scoring files and reporting the results: file collection, JSON documents and SARIF 2.1.0.

The `luaurft score` command is a thin layer over these functions, so programs
get exactly what the command prints:

- `collect_files(paths)` expands directories (recursively, `.lua`/`.luau`) and
  keeps `-` (standard input);
- `score_paths(paths)` scores each file in turn, yielding a `FileResult`, or a
  `FileError` for a file that cannot be read, is not a regular file (a FIFO, a
  device, a symlink loop), is larger than `max_bytes` or is not text (the rest
  go on); a place or model file (`.rbxl` `.rbxlx` `.rbxm` `.rbxmx`) yields one
  result per script inside it, with its instance path (`score_place`);
- `result_dict`, `json_document` and `sarif_document` build the documents.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from luaurft.errors import LuaurftError, SourceTooLargeError, UnreadableFileError
from luaurft.luau.executor import WorkerFailure, set_workers, shared_executor, worker_count
from luaurft.luau.files import DEFAULT_MAX_BYTES, read_source_file
from luaurft.luau.source import LuauSource
from luaurft.roblox.files import is_roblox_file
from luaurft.roblox.place import load_place
from luaurft.roblox.project import InProject, ProjectLookup, ProjectTree
from luaurft.scoring import SCORE_JOB_SECONDS, score_source
from luaurft.scoring.card import ScoreCard
from luaurft.scoring.registry import all_rules, scorer_version
from luaurft.scoring.rule import Rule, Severity
from luaurft.scoring.scorer import DETERMINISTIC_SCORERS

LUAU_SUFFIXES = (".lua", ".luau")
STDIN = "-"
STDIN_NAME = "<stdin>"
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
SARIF_VERSION = "2.1.0"


@dataclass(frozen=True, slots=True)
class FileResult:
    path: str
    card: ScoreCard
    #: For a script inside a place or model file: its instance path in that file.
    instance: str | None = None

    @property
    def label(self) -> str:
        """How people see it: the path, and the instance path inside a place file."""
        return self.path if self.instance is None else f"{self.path}:{self.instance}"


@dataclass(frozen=True, slots=True)
class FileError:
    path: str
    message: str


Outcome = FileResult | FileError


def collect_files(paths: Sequence[str]) -> list[str]:
    """The files to score: files as given, directories walked for `.lua`/`.luau`, `-` as is.

    Hidden directories (`.git`, `.venv`) are skipped, each file is listed once and
    directory contents come sorted. A path that does not exist is a usage error.
    """
    if not paths:
        raise LuaurftError("no paths given; pass files, directories, or - for standard input")
    found: dict[str, None] = {}
    for raw in paths:
        if raw == STDIN:
            found.setdefault(STDIN)
            continue
        path = Path(raw)
        if path.is_dir():
            for file in _walk(path):
                found.setdefault(str(file))
        elif os.path.lexists(path):  # a dangling link or a loop is reported, not refused
            found.setdefault(str(path))
        else:
            raise LuaurftError(f"{raw}: no such file or directory")
    return list(found)


def _walk(root: Path) -> list[Path]:
    files = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            if name.endswith(LUAU_SUFFIXES):
                files.append(Path(dirpath) / name)
    return files


# Scoring is linear in the code's size but with a large constant (a tree, a
# token stream and a scope graph per file): beyond these a file would take
# minutes and gigabytes, so it is refused with a message instead, and the
# other files are still scored. Real Roblox scripts, large generated modules
# included, stay far below (the largest in a 1,400-file corpus: 143 KB, 4,130 lines).
# Bounded analysis: past this many lines a file is refused after it is read (its
# bytes are bounded before, by `luau.files.DEFAULT_MAX_BYTES` / --max-bytes).
MAX_SOURCE_LINES = 20_000


def _too_long(lines: int) -> str | None:
    if lines > MAX_SOURCE_LINES:
        return (
            f"too large to score: {lines:,} lines (the limit is {MAX_SOURCE_LINES:,}); "
            "split it into modules"
        )
    return None


def score_file(
    path: str,
    *,
    kind: str | None = None,
    read_stdin: Callable[[], bytes] | None = None,
    exec: bool = False,
    project: InProject | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> Outcome:
    """Score one file (`-` reads standard input); unreadable or binary files give a `FileError`.

    Only regular files of at most `max_bytes` are read (see `read_source_file`).
    `exec=True` also runs it in the mock Roblox world (the `exec` score), in
    `project` when given (see `ProjectLookup`)."""
    try:
        if path == STDIN:
            data = (read_stdin or sys.stdin.buffer.read)()
            shown = STDIN_NAME
        else:
            data = read_source_file(path, max_bytes)
            shown = path
    except OSError as exc:
        return FileError(path, f"cannot read: {exc.strerror or exc}")
    except UnreadableFileError as exc:
        return FileError(path, str(exc))
    refused = _too_long(data.count(b"\n") + (not data.endswith(b"\n")))
    if refused is not None:
        return FileError(shown, str(SourceTooLargeError(refused)))
    try:
        source = LuauSource.from_bytes(data)
    except LuaurftError as exc:
        return FileError(shown, str(exc))
    card = score_source(
        source, kind=kind, path=None if path == STDIN else path, exec=exec, project=project
    )
    return FileResult(shown, card)


def score_paths(
    paths: Sequence[str],
    *,
    kind: str | None = None,
    read_stdin: Callable[[], bytes] | None = None,
    exec: bool = False,
    project: bool = True,
    jobs: int = 1,
    lookup: ProjectLookup | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    ray: str | None = None,
) -> Iterator[Outcome]:
    """Score every file `collect_files(paths)` finds, one outcome per file, in order.

    With `exec` and `project` (the default), each file of a directory given runs
    in that directory's project tree (built once; pass `lookup` to reuse one), so
    files that require each other run as they would in Roblox; `project=False`
    runs every file alone. `jobs` > 1 scores files in that many worker processes
    of the shared executor (0: one per CPU); results still come in order, as each
    is ready. A file whose worker dies or overruns is scored again in this process
    with only its run isolated, so its card records how the run ended. `ray` (a Ray
    address, or `auto`) scores the files as Ray tasks on that cluster instead
    (`luaurft.luau.cluster`): the same job function, the same results, in order."""
    files = collect_files(paths)
    if lookup is None and exec and project:
        lookup = ProjectLookup(paths)
    workers = worker_count(jobs, len(files))
    local_only = STDIN in files or any(is_roblox_file(f) for f in files)
    if ray is not None and local_only:
        raise LuaurftError(
            "--ray scores files on a cluster: standard input and place files are scored "
            "here; drop --ray for them"
        )
    if ray is None and (workers <= 1 or local_only):
        for path in files:
            if path != STDIN and is_roblox_file(path):
                yield from score_place(path, kind=kind, exec=exec)
                continue
            in_project = None if lookup is None or path == STDIN else lookup.find(path)
            yield score_file(
                path,
                kind=kind,
                read_stdin=read_stdin,
                exec=exec,
                project=in_project,
                max_bytes=max_bytes,
            )
        return
    setup = (tuple(paths), kind, exec, exec and project, max_bytes)
    outcomes: Iterator[Outcome | WorkerFailure]
    if ray is not None:
        from luaurft.luau.cluster import ray_map

        outcomes = ray_map(
            _score_in_worker, files, address=ray, wall_seconds=SCORE_JOB_SECONDS, setup=setup
        )
    else:
        set_workers(workers)
        outcomes = shared_executor().map(
            _score_in_worker, files, wall_seconds=SCORE_JOB_SECONDS, setup=setup
        )
    for path, outcome in zip(files, outcomes, strict=True):
        if isinstance(outcome, WorkerFailure):
            # The file took its worker down or overran: score it again here, with
            # only its run isolated, so the run's fate lands in its card.
            in_project = None if lookup is None else lookup.find(path)
            yield score_file(path, kind=kind, exec=exec, project=in_project, max_bytes=max_bytes)
        else:
            yield outcome


def score_place(path: str, *, kind: str | None = None, exec: bool = False) -> Iterator[Outcome]:
    """Score every Script, LocalScript and ModuleScript inside a place or model file,
    each as its class says (unless `kind` overrides it) and, with `exec`, each run
    in the place (its requires reach the place's ModuleScripts). A file that
    cannot be read gives one `FileError`."""
    try:
        tree = load_place(path)
    except LuaurftError as exc:
        yield FileError(path, str(exc))
        return
    for node in tree.scripts:
        assert node.file is not None  # every script of a place has its stand-in path
        located = InProject(tree, node.file, node)
        card = score_source(
            LuauSource.of(node.source or ""),
            kind=kind or node.class_name,
            exec=exec,
            project=located,
        )
        yield FileResult(path, card, instance=node.dotted_path)


# A worker keeps the project lookup of the folders it was last asked about.
_lookups: dict[tuple[str, ...], ProjectLookup] = {}


def _score_in_worker(
    path: str, *, setup: tuple[tuple[str, ...], str | None, bool, bool, int]
) -> Outcome:
    paths, kind, exec, project, max_bytes = setup
    lookup = None
    if project:
        lookup = _lookups.get(paths)
        if lookup is None:
            _lookups.clear()
            lookup = _lookups[paths] = ProjectLookup(list(paths))
    in_project = None if lookup is None else lookup.find(path)
    return score_file(path, kind=kind, exec=exec, project=in_project, max_bytes=max_bytes)


# -- JSON --------------------------------------------------------------------------


def result_dict(result: FileResult) -> dict[str, Any]:
    """One file's entry: path, kind, the four scores and the composite, the findings."""
    card = result.card
    scores: dict[str, float | None] = {
        name: card.scores.get(name) for name in DETERMINISTIC_SCORERS
    }
    scores["composite"] = card.composite
    if "exec" in card.scores:
        scores["exec"] = card.scores["exec"]
    entry: dict[str, Any] = {
        "path": result.path,
        **({} if result.instance is None else {"instance": result.instance}),
        "kind": card.kind,
        "scores": scores,
        "findings": [f.to_dict() for f in card.findings],
    }
    if "project" in card.extra:
        entry["project"] = card.extra["project"]
    if "not_analysed" in card.extra:
        entry["not_analysed"] = card.extra["not_analysed"]
    return entry


def error_dict(error: FileError) -> dict[str, str]:
    return {"path": error.path, "message": error.message}


def json_document(
    outcomes: Iterable[Outcome], projects: Sequence[ProjectTree] = ()
) -> dict[str, Any]:
    """`{"scorer_version", "results": [...], "errors": [...]}` for a set of outcomes,
    and `"projects"` (each tree's root, project file and left-out files) when
    the files ran in projects."""
    results: list[dict[str, Any]] = []
    errors: list[dict[str, str]] = []
    for outcome in outcomes:
        if isinstance(outcome, FileResult):
            results.append(result_dict(outcome))
        else:
            errors.append(error_dict(outcome))
    document: dict[str, Any] = {
        "scorer_version": scorer_version(),
        "results": results,
        "errors": errors,
    }
    if projects:
        document["projects"] = [tree.describe() for tree in projects]
    return document


def below(outcomes: Iterable[Outcome], min_score: float) -> list[FileResult]:
    """The results whose composite is below `min_score`."""
    return [o for o in outcomes if isinstance(o, FileResult) and o.card.composite < min_score]


# -- SARIF 2.1.0 -------------------------------------------------------------------

_SARIF_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}


def sarif_rule(rule: Rule) -> dict[str, Any]:
    """A SARIF `reportingDescriptor` built from the rule's metadata."""
    help_markdown = (
        f"{rule.summary}\n\nBad:\n\n```lua\n{rule.bad.rstrip()}\n```\n\n"
        f"Good:\n\n```lua\n{rule.good.rstrip()}\n```\n"
    )
    return {
        "id": rule.id,
        "name": "".join(part.capitalize() for part in rule.id.replace("/", "-").split("-")),
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": rule.summary},
        "help": {"text": rule.summary, "markdown": help_markdown},
        "defaultConfiguration": {"level": _SARIF_LEVEL[rule.severity]},
        "properties": {"tags": ["luau", "roblox", rule.scorer], "scorer": rule.scorer},
    }


def _artifact_uri(path: str) -> str:
    if path == STDIN_NAME:
        return "stdin"
    p = Path(path)
    if p.is_absolute():
        try:
            p = p.relative_to(Path.cwd())
        except ValueError:
            return p.as_uri()
    return quote(p.as_posix())


def sarif_document(outcomes: Iterable[Outcome]) -> dict[str, Any]:
    """A SARIF 2.1.0 log with one run: every registered rule, every finding as a result.

    Paths are relative to the working directory (`%SRCROOT%`), which is what
    GitHub code scanning expects when the command runs at the repository root.
    Per-file scores ride along in the run's `properties`; files that could not
    be read become tool execution notifications.
    """
    rules = list(all_rules())
    index = {rule.id: i for i, rule in enumerate(rules)}
    results: list[dict[str, Any]] = []
    files: list[dict[str, Any]] = []
    notifications: list[dict[str, Any]] = []
    for outcome in outcomes:
        if isinstance(outcome, FileError):
            notifications.append(
                {
                    "level": "error",
                    "message": {"text": outcome.message},
                    "locations": [
                        {
                            "physicalLocation": {
                                "artifactLocation": {"uri": _artifact_uri(outcome.path)}
                            }
                        }
                    ],
                }
            )
            continue
        uri = _artifact_uri(outcome.path)
        entry = result_dict(outcome)
        files.append(
            {
                "path": outcome.path,
                **({} if outcome.instance is None else {"instance": outcome.instance}),
                "kind": entry["kind"],
                "scores": entry["scores"],
            }
        )
        for finding in outcome.card.findings:
            text = finding.message + (f" Fix: {finding.fix}" if finding.fix else "")
            result: dict[str, Any] = {
                "ruleId": finding.rule,
                "level": _SARIF_LEVEL[finding.severity],
                "message": {"text": text},
                "locations": [
                    {
                        "physicalLocation": {
                            "artifactLocation": {"uri": uri, "uriBaseId": "%SRCROOT%"},
                            "region": {"startLine": finding.line, "startColumn": finding.column},
                        }
                    }
                ],
            }
            if outcome.instance is not None:
                # A script inside a place file: the file is the artifact, the
                # instance path is where in it.
                result["locations"][0]["logicalLocations"] = [
                    {"fullyQualifiedName": outcome.instance, "kind": "module"}
                ]
            if finding.rule in index:
                result["ruleIndex"] = index[finding.rule]
            results.append(result)
    from luaurft import __version__

    return {
        "$schema": SARIF_SCHEMA,
        "version": SARIF_VERSION,
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "luaurft",
                        "version": __version__,
                        "rules": [sarif_rule(rule) for rule in rules],
                    }
                },
                "invocations": [
                    {
                        "executionSuccessful": True,
                        "toolExecutionNotifications": notifications,
                    }
                ],
                "results": results,
                "properties": {"scorer_version": scorer_version(), "files": files},
            }
        ],
    }
