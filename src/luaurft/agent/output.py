"""Writing an answer's scripts to a folder without ever losing the answer.

A model names its files, so a name can be anything: a NUL byte, 300
characters, 3,000 path segments, a file that another file needs as a folder, a
folder that already exists, a symlink planted in the output folder. Each file
is checked before anything is written; a file that cannot be written where it
asked is saved under a safe name in `luaurft-unsaved/` (or, when even that
fails, handed back unsaved so the caller prints it) and the reason is reported.
Nothing is followed through a symlink.

The folder also gets a Rojo `default.project.json` mapping what was written, so
Rojo and `luaurft score` place each script as Studio would.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from luaurft.agent.files import kind_from_path
from luaurft.roblox.api import default_index
from luaurft.roblox.project import SERVICE_OF_KIND

MAX_SEGMENT_BYTES = 255
"""The longest file or folder name most file systems take (NAME_MAX)."""
MAX_DEPTH = 32
"""More nested folders than any Roblox project needs."""
MAX_PATH_BYTES = 1024
UNSAVED_DIR = "luaurft-unsaved"
PROJECT_FILE = "default.project.json"
PROJECT_NAME = "luaurft-assist"
"""The `name` of project files this module writes: only those are rewritten."""


class _File(Protocol):
    @property
    def path(self) -> str: ...

    @property
    def source(self) -> str: ...


@dataclass(frozen=True, slots=True)
class RejectedFile:
    """A file not written where the answer put it: why, and where it went instead
    (`saved_to` None: nowhere on disk, the caller must show `source`)."""

    path: str
    reason: str
    source: str
    saved_to: Path | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "reason": self.reason,
            "saved_to": None if self.saved_to is None else str(self.saved_to),
        }


@dataclass(slots=True)
class WriteReport:
    written: list[Path] = field(default_factory=list)
    rejected: list[RejectedFile] = field(default_factory=list)
    project_file: Path | None = None
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "written": [str(p) for p in self.written],
            "rejected": [r.to_dict() for r in self.rejected],
            "project_file": None if self.project_file is None else str(self.project_file),
            "notes": list(self.notes),
        }


def path_problem(path: str) -> str | None:
    """Why `path` (slash-separated, relative) cannot be a file name, or None."""
    if any(ord(c) < 32 or c == "\x7f" for c in path):
        shown = "a NUL byte" if "\x00" in path else "a control character"
        return f"the name holds {shown}"
    segments = path.split("/")
    if path.startswith("/") or any(s in {"", ".", ".."} for s in segments):
        return "the name is not a plain relative path"
    if len(segments) > MAX_DEPTH:
        return f"{len(segments):,} nested folders (at most {MAX_DEPTH})"
    longest = max(segments, key=lambda s: len(s.encode("utf-8", "surrogatepass")))
    if len(longest.encode("utf-8", "surrogatepass")) > MAX_SEGMENT_BYTES:
        return f"a name of {len(longest):,} characters (at most {MAX_SEGMENT_BYTES} bytes)"
    if len(path.encode("utf-8", "surrogatepass")) > MAX_PATH_BYTES:
        return f"a path of {len(path):,} characters (at most {MAX_PATH_BYTES} bytes)"
    return None


def _clashes(paths: Sequence[str]) -> dict[int, str]:
    """Index → reason for files that collide with another file of the same answer."""
    reasons: dict[int, str] = {}
    seen: dict[str, int] = {}
    files = set(paths)
    for index, path in enumerate(paths):
        folded = path.casefold()
        if folded in seen:
            reasons[index] = f"the answer has another file at {paths[seen[folded]]}"
            continue
        seen[folded] = index
        segments = path.split("/")
        for depth in range(1, len(segments)):
            prefix = "/".join(segments[:depth])
            if prefix in files:
                reasons[index] = f"{prefix} is a file of this answer, not a folder"
                break
    return reasons


def _on_disk_problem(root: Path, relative: str) -> str | None:
    """Why writing `root/relative` would follow a link or hit something in the way."""
    current = root
    segments = relative.split("/")
    for depth, segment in enumerate(segments, start=1):
        current = current / segment
        last = depth == len(segments)
        shown = "/".join(segments[:depth])
        if current.is_symlink():
            return f"{shown} is a symbolic link in the output folder; not followed"
        if not current.exists():
            continue
        if last and current.is_dir():
            return f"a folder named {shown} already exists"
        if not last and not current.is_dir():
            return f"{shown} is a file, not a folder"
    return None


def _safe_name(index: int, path: str) -> str:
    name = path.rsplit("/", 1)[-1]
    stem = re.sub(r"[^A-Za-z0-9._-]+", "_", name)[:60].strip("._") or "script"
    if not stem.endswith((".luau", ".lua")):
        stem += ".luau"
    return f"{index:02d}-{stem}"


def _save_aside(root: Path, index: int, path: str, source: str) -> Path | None:
    folder = root / UNSAVED_DIR
    try:
        if folder.is_symlink():
            return None
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / _safe_name(index, path)
        if target.is_symlink():
            return None
        target.write_text(source, encoding="utf-8")
    except OSError:
        return None
    return target


def write_answer(files: Sequence[_File], out_dir: str | Path) -> WriteReport:
    """Write `files` under `out_dir`, keeping their paths where they are safe, and a
    `default.project.json` for what was written. Never raises for a bad name or a
    full disk: see `WriteReport.rejected`."""
    root = Path(out_dir)
    report = WriteReport()
    try:
        if root.is_symlink() and not root.is_dir():
            raise NotADirectoryError(f"{root} is a link to something that is not a folder")
        root.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        unusable = f"cannot use {root} as the output folder: {exc.strerror or exc}"
        report.rejected = [RejectedFile(f.path, unusable, f.source, None) for f in files]
        return report
    paths = [f.path for f in files]
    clashes = _clashes(paths)
    for index, f in enumerate(files):
        reason = path_problem(f.path) or clashes.get(index) or _on_disk_problem(root, f.path)
        if reason is None:
            target = root.joinpath(*f.path.split("/"))
            try:
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text(f.source, encoding="utf-8")
            except OSError as exc:
                reason = f"cannot write: {exc.strerror or exc}"
            else:
                report.written.append(target)
                continue
        saved = _save_aside(root, index + 1, f.path, f.source)
        report.rejected.append(RejectedFile(f.path, reason or "cannot write", f.source, saved))
    if report.written:
        _write_project(root, report)
    return report


# -- the Rojo project -------------------------------------------------------------------


def project_document(root: Path) -> dict[str, Any]:
    """A Rojo project for what is in `root`: service folders by `$path`, a script
    at the top by its kind's usual service (ServerScriptService, StarterPlayerScripts,
    ReplicatedStorage), any other folder inside ReplicatedStorage."""
    index = default_index()
    tree: dict[str, Any] = {"$className": "DataModel"}

    def node(*names: str) -> dict[str, Any]:
        at = tree
        for name in names:
            at = at.setdefault(name, {})
        return at

    for entry in sorted(root.iterdir(), key=lambda p: p.name):
        name = entry.name
        if name.startswith(".") or name == UNSAVED_DIR or entry.is_symlink():
            continue
        if entry.is_dir():
            if index.is_service(name):
                node(name)["$path"] = name
            else:
                node("ReplicatedStorage", name)["$path"] = name
            continue
        if not name.lower().endswith((".luau", ".lua")):
            continue
        stem = re.sub(r"(?i)(\.server|\.client)?\.luau?$", "", name)
        node(*SERVICE_OF_KIND[kind_from_path(name)], stem)["$path"] = name
    return {"name": PROJECT_NAME, "tree": tree}


def _write_project(root: Path, report: WriteReport) -> None:
    target = root / PROJECT_FILE
    if target.is_symlink():
        report.notes.append(f"{target} is a symbolic link; no project file written")
        return
    if target.exists():
        try:
            existing = json.loads(target.read_text("utf-8"))
        except (OSError, ValueError):
            existing = None
        if not (isinstance(existing, dict) and existing.get("name") == PROJECT_NAME):
            report.notes.append(f"kept your {target}; check that it maps the new scripts")
            return
    try:
        target.write_text(json.dumps(project_document(root), indent=2) + "\n", encoding="utf-8")
    except OSError as exc:
        report.notes.append(f"cannot write {target}: {exc.strerror or exc}")
        return
    report.project_file = target


__all__ = ["RejectedFile", "WriteReport", "path_problem", "project_document", "write_answer"]
