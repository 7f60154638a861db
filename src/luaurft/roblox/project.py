"""A multi-file project as the instance tree Rojo would build from it.

Scripts of a real project find each other through the instance tree
(`require(script.Parent.Util)`), so a file run alone fails on lines that are
fine in its project. `ProjectTree` is that tree, built once from a folder:

- with a Rojo project file (`default.project.json`) at or above the folder, its
  `tree` says where each `$path` goes (`ReplicatedStorage.Shared` ← `src/shared`);
  a tree whose root is not a `DataModel` is a library, placed at
  `ReplicatedStorage.<project name>`;
- without one, the folder is a library too: it becomes
  `ReplicatedStorage.<folder name>`. ReplicatedStorage because it is the one
  place every side can require from; Scripts and LocalScripts inside stay where
  they are in the tree (never launched by the project, only by the file under
  test), so their `script.Parent` is their real folder.

Inside a mapped directory Rojo's file conventions hold: a directory is a
Folder; `init.luau` / `init.lua` make the directory itself a ModuleScript,
`init.server.*` a Script, `init.client.*` a LocalScript; `Name.server.luau` is a
Script, `Name.client.luau` a LocalScript, any other `Name.luau` / `Name.lua` a
ModuleScript named `Name`. A model file (`Name.rbxm`, `Name.rbxmx`,
`Name.model.json`) is its one root instance, named `Name`, with everything
inside it (see `luaurft.roblox.place`). Other files (JSON, text) are not built.
A file that cannot be read or is not UTF-8 is listed in `problems` and left out.

Instance paths are tuples of names from `game`; `dotted` turns one into the
mock runtime's dotted form, escaping dots and backslashes inside names.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any

from luaurft.errors import UnreadableFileError
from luaurft.luau.files import read_source_file
from luaurft.luau.kind import ScriptKind

PROJECT_FILE = "default.project.json"
DEFAULT_SERVICE = "ReplicatedStorage"
#: Where a script lives when nothing says otherwise: where Studio's luaurft plugin
#: puts it, and where `luaurft assist --out`'s Rojo project maps it.
SERVICE_OF_KIND: Mapping[ScriptKind, tuple[str, ...]] = {
    ScriptKind.SCRIPT: ("ServerScriptService",),
    ScriptKind.LOCAL_SCRIPT: ("StarterPlayer", "StarterPlayerScripts"),
    ScriptKind.MODULE_SCRIPT: ("ReplicatedStorage",),
}
SCRIPT_SUFFIXES = (".luau", ".lua")
_CLASS_OF_KIND = {
    ScriptKind.SCRIPT: "Script",
    ScriptKind.LOCAL_SCRIPT: "LocalScript",
    ScriptKind.MODULE_SCRIPT: "ModuleScript",
}
_KIND_OF_CLASS = {v: k for k, v in _CLASS_OF_KIND.items()}

InstancePath = tuple[str, ...]


def dotted(path: Iterable[str]) -> str:
    """The mock runtime's dotted form of an instance path (`\\.` is a dot inside a name)."""
    return ".".join(p.replace("\\", "\\\\").replace(".", "\\.") for p in path)


def split_dotted(text: str) -> InstancePath:
    """The names of a dotted path (the inverse of `dotted`)."""
    parts: list[str] = []
    current: list[str] = []
    escaped = False
    for char in text:
        if escaped:
            current.append(char)
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == ".":
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    parts.append("".join(current))
    return tuple(p for p in parts if p)


def script_file_kind(name: str) -> tuple[str, ScriptKind] | None:
    """(instance name, kind) of a script file name by Rojo's conventions, or None
    when the file is not a script. `init` files answer with the name "init"."""
    lowered = name.lower()
    for suffix in SCRIPT_SUFFIXES:
        if not lowered.endswith(suffix):
            continue
        stem = name[: -len(suffix)]
        low_stem = stem.lower()
        if low_stem.endswith(".server"):
            return stem[: -len(".server")], ScriptKind.SCRIPT
        if low_stem.endswith(".client"):
            return stem[: -len(".client")], ScriptKind.LOCAL_SCRIPT
        return stem, ScriptKind.MODULE_SCRIPT
    return None


@dataclass(frozen=True, slots=True)
class ProjectNode:
    """One instance of the tree: a Folder (or a project file's `$className`), or a
    script with its file and source."""

    path: InstancePath
    class_name: str
    file: Path | None = None
    source: str | None = None
    #: Property values, attributes and tags to give the instance (an instance read
    #: from a place file), in the form the mock world's builder reads; None for
    #: instances built from files, which start at their class defaults.
    state: Mapping[str, Any] | None = field(default=None, compare=False, repr=False)

    @property
    def name(self) -> str:
        return self.path[-1]

    @property
    def dotted_path(self) -> str:
        return dotted(self.path)

    @property
    def kind(self) -> ScriptKind | None:
        return _KIND_OF_CLASS.get(self.class_name)


@dataclass(frozen=True, slots=True)
class ProjectProblem:
    """A file left out of the tree, and why."""

    path: str
    message: str

    def to_dict(self) -> dict[str, str]:
        return {"path": self.path, "message": self.message}


@dataclass(frozen=True)
class ProjectTree:
    """The instances of a project, parents before children (see module docstring)."""

    root: Path
    nodes: tuple[ProjectNode, ...]
    problems: tuple[ProjectProblem, ...] = ()
    #: The Rojo project file the tree follows, None for the folder convention.
    project_file: Path | None = None
    _by_file: dict[Path, ProjectNode] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        for node in self.nodes:
            if node.file is not None:
                self._by_file.setdefault(_key(node.file), node)

    # -- building ------------------------------------------------------------------

    @classmethod
    def from_folder(cls, folder: str | os.PathLike[str]) -> ProjectTree:
        """The tree of `folder`: by the nearest `default.project.json` at or above it
        when one maps it, else by the folder convention (see module docstring)."""
        root = Path(folder).resolve()
        project_file = find_project_file(root)
        if project_file is not None:
            tree = cls.from_project_file(project_file)
            if any(_inside(n.file, root) for n in tree.nodes if n.file is not None):
                return tree
        builder = _Builder()
        builder.directory(root, (DEFAULT_SERVICE, root.name))
        return cls(root=root, nodes=tuple(builder.nodes), problems=tuple(builder.problems))

    @classmethod
    def from_project_file(cls, project_file: str | os.PathLike[str]) -> ProjectTree:
        """The tree a Rojo project file describes (unreadable parts become problems)."""
        file = Path(project_file).resolve()
        builder = _Builder()
        try:
            document = json.loads(read_source_file(file).decode("utf-8"))
        except (UnreadableFileError, UnicodeDecodeError, ValueError) as exc:
            builder.problem(file, f"cannot read the project file: {exc}")
            return cls(
                root=file.parent, nodes=(), problems=tuple(builder.problems), project_file=file
            )
        tree = document.get("tree") if isinstance(document, dict) else None
        if not isinstance(tree, dict):
            builder.problem(file, "the project file has no `tree` object")
        elif tree.get("$className") == "DataModel":
            for name, child in _children(tree):
                # Services exist in every world; only what is inside them is built.
                builder.project_node(file.parent, child, (name,), create=False)
        else:
            name = str(document.get("name") or file.parent.name)
            builder.project_node(file.parent, tree, (DEFAULT_SERVICE, name), create=True)
        return cls(
            root=file.parent,
            nodes=tuple(builder.nodes),
            problems=tuple(builder.problems),
            project_file=file,
        )

    @classmethod
    def from_sources(
        cls, files: Mapping[str, str], *, root: str | os.PathLike[str] = "."
    ) -> ProjectTree:
        """A tree from in-memory files keyed by slash paths whose first segment is a
        service (`ServerScriptService/Shop.server.luau`, `ReplicatedStorage/Config.luau`);
        a bare file name goes where its kind lives (`SERVICE_OF_KIND`), any other
        path without a service to ReplicatedStorage."""
        from luaurft.roblox.api import default_index

        index = default_index()
        base = Path(root)
        builder = _Builder()
        for raw, source in files.items():
            segments = [s for s in raw.replace("\\", "/").split("/") if s]
            if not segments:
                continue
            named = script_file_kind(segments[-1])
            if named is None:
                continue
            name, kind = named
            folders = segments[:-1]
            if not folders:
                folders = list(SERVICE_OF_KIND[kind])
            elif not index.is_service(folders[0]):
                folders = [DEFAULT_SERVICE, *folders]
            if name.lower() == "init" and len(folders) > 1:
                path: InstancePath = tuple(folders)
            else:
                path = (*folders, name)
            for depth in range(2, len(path)):
                builder.folder(path[:depth])
            builder.add(ProjectNode(path, _CLASS_OF_KIND[kind], base / raw, source))
        return cls(root=base.resolve(), nodes=tuple(builder.ordered()), problems=())

    # -- reading -------------------------------------------------------------------

    def node_for(self, file: str | os.PathLike[str]) -> ProjectNode | None:
        """The script node built from `file`, or None when it is not part of the tree."""
        return self._by_file.get(_key(Path(file)))

    @property
    def scripts(self) -> Iterator[ProjectNode]:
        return (n for n in self.nodes if n.kind is not None)

    @cached_property
    def fingerprint(self) -> str:
        """Changes whenever any instance, its class or its source changes."""
        digest = hashlib.sha256()
        for node in self.nodes:
            digest.update(dotted(node.path).encode("utf-8", "surrogatepass") + b"\0")
            digest.update(node.class_name.encode() + b"\0")
            if node.source is not None:
                digest.update(hashlib.sha256(node.source.encode("utf-8", "surrogatepass")).digest())
            if node.state is not None:
                digest.update(hashlib.sha256(repr(node.state).encode("utf-8", "replace")).digest())
        return digest.hexdigest()

    @cached_property
    def _name_index(self) -> dict[str, list[ProjectNode]]:
        index: dict[str, list[ProjectNode]] = {}
        for node in self.nodes:
            index.setdefault(node.name, []).append(node)
        return index

    @cached_property
    def _descendants(self) -> dict[InstancePath, list[ProjectNode]]:
        """Every node's descendants (a node's path prefixes are its ancestors)."""
        index: dict[InstancePath, list[ProjectNode]] = {}
        for node in self.nodes:
            for depth in range(1, len(node.path)):
                index.setdefault(node.path[:depth], []).append(node)
        return index

    def needed_by(self, under_test: ProjectNode, code: str) -> list[ProjectNode]:
        """The nodes a run of `code` at `under_test` can reach, parents first.

        Building the whole tree for every file makes scoring a project of N files
        cost N² instances. Code reaches an instance by its name (`script.Parent.Util`,
        `:WaitForChild("Util")`, `["Util"]`), so a node is built when its name
        appears in the code under test or in a module it reaches (names and string
        literals, transitively), with its ancestors. Code that lists children
        (`GetChildren`, `GetDescendants`) gets every descendant of the nodes it names
        (a command folder registered by iteration). A name built at run time
        (`folder[prefix .. id]`) is not seen: such code runs as if that instance
        were missing, as it would without the project.
        """
        by_name, below = self._name_index, self._descendants
        names: set[str] = set()
        enumerates = False
        included: dict[InstancePath, ProjectNode] = {}
        pending = [code]

        def include(node: ProjectNode) -> None:
            if node.path not in included:
                included[node.path] = node
                if node.source is not None:
                    pending.append(node.source)

        while pending:
            while pending:
                found, lists = _referenced_names(pending.pop())
                enumerates = enumerates or lists
                for name in found - names:
                    for node in by_name.get(name, ()):
                        include(node)
                names |= found
            if enumerates:
                for path in list(included):
                    for node in below.get(path, ()):
                        include(node)
        keep: set[InstancePath] = set()
        for path in (*included, under_test.path):
            for depth in range(1, len(path) + 1):
                keep.add(path[:depth])
        return [n for n in self.nodes if n.path in keep]

    def describe(self) -> dict[str, Any]:
        """What a report says about the tree."""
        return {
            "root": str(self.root),
            "project_file": None if self.project_file is None else str(self.project_file),
            "scripts": sum(1 for _ in self.scripts),
            "problems": [p.to_dict() for p in self.problems],
        }


@dataclass(frozen=True)
class InProject:
    """One file of a project, as the scorer runs it: in its tree, at its node."""

    tree: ProjectTree
    file: Path
    node: ProjectNode

    @classmethod
    def locate(cls, tree: ProjectTree, file: str | os.PathLike[str]) -> InProject | None:
        """`file` in `tree`, or None when the tree has no script built from it."""
        node = tree.node_for(file)
        if node is None or node.kind is None:
            return None
        return cls(tree, Path(file), node)

    @cached_property
    def fingerprint(self) -> str:
        """The tree's fingerprint and where this file sits in it: results that ran
        in a project are only reused for the same file of the same tree."""
        where = dotted(self.node.path).encode("utf-8", "surrogatepass")
        return hashlib.sha256(self.tree.fingerprint.encode() + b"\0" + where).hexdigest()

    def describe(self) -> dict[str, Any]:
        """The project context a score card reports."""
        return {
            "instance": dotted(self.node.path),
            "class": self.node.class_name,
            "root": str(self.tree.root),
            "project_file": (
                None if self.tree.project_file is None else str(self.tree.project_file)
            ),
            "scripts": sum(1 for _ in self.tree.scripts),
            "fingerprint": self.fingerprint[:12],
        }


class ProjectLookup:
    """The project of each file scored in one pass: one tree per folder given,
    built once (files given one by one run alone)."""

    def __init__(self, paths: Iterable[str]) -> None:
        self.trees: list[ProjectTree] = []
        for raw in paths:
            if raw != "-" and Path(raw).is_dir():
                self.trees.append(ProjectTree.from_folder(raw))

    def find(self, file: str) -> InProject | None:
        for tree in self.trees:
            found = InProject.locate(tree, file)
            if found is not None:
                return found
        return None

    @property
    def problems(self) -> list[ProjectProblem]:
        return [p for tree in self.trees for p in tree.problems]


def find_project_file(start: Path) -> Path | None:
    """The nearest `default.project.json` in `start` or a directory above it."""
    for directory in (start, *start.parents):
        candidate = directory / PROJECT_FILE
        if candidate.is_file():
            return candidate
    return None


def _key(path: Path) -> Path:
    try:
        return path.resolve()
    except (OSError, RuntimeError):  # RuntimeError: a symlink loop (Python 3.12's pathlib)
        return path.absolute()


def _inside(path: Path, root: Path) -> bool:
    return path == root or root in path.parents


def _children(node: Mapping[str, Any]) -> Iterator[tuple[str, Any]]:
    for name, child in node.items():
        if not name.startswith("$") and isinstance(child, dict):
            yield name, child


class _Builder:
    """Collects nodes (parents first) and problems while walking files."""

    def __init__(self) -> None:
        self.nodes: list[ProjectNode] = []
        self.problems: list[ProjectProblem] = []
        self._seen: set[InstancePath] = set()
        # Real paths of the directories being walked: a link back up the tree
        # would otherwise nest the project inside itself until paths overflow.
        self._walking: set[Path] = set()

    def problem(self, file: Path, message: str) -> None:
        self.problems.append(ProjectProblem(str(file), message))

    def add(self, node: ProjectNode) -> None:
        if node.path in self._seen:
            # Two files claiming one instance: Roblox would hold both, `script.Parent.X`
            # finds the first, so the first stays.
            if node.file is not None:
                self.problem(node.file, f"another file is already {dotted(node.path)}")
            return
        self._seen.add(node.path)
        self.nodes.append(node)

    def folder(self, path: InstancePath) -> None:
        if path not in self._seen:
            self.add(ProjectNode(path, "Folder"))

    def ordered(self) -> list[ProjectNode]:
        # Parents first: a shorter path never comes after its own descendants.
        return sorted(self.nodes, key=lambda n: len(n.path))

    def read(self, file: Path) -> str | None:
        try:
            data = read_source_file(file)
        except UnreadableFileError as exc:
            self.problem(file, f"{exc}; left out of the project")
            return None
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError as exc:
            self.problem(file, f"not UTF-8 text (byte {exc.start}); left out of the project")
            return None

    def script(self, file: Path, path: InstancePath, kind: ScriptKind) -> bool:
        source = self.read(file)
        if source is None:
            return False
        self.add(ProjectNode(path, _CLASS_OF_KIND[kind], file, source.removeprefix("\ufeff")))
        return True

    def directory(self, directory: Path, path: InstancePath, *, create: bool = True) -> None:
        real = directory.resolve()
        if real in self._walking:
            self.problem(directory, "links back to a folder that contains it; left out")
            return
        self._walking.add(real)
        try:
            self._directory(directory, path, create=create)
        finally:
            self._walking.discard(real)

    def _directory(self, directory: Path, path: InstancePath, *, create: bool) -> None:
        try:
            entries = sorted(directory.iterdir(), key=lambda p: p.name)
        except OSError as exc:
            self.problem(directory, f"cannot list: {exc.strerror or exc}")
            return
        init = None
        if create:
            for entry in entries:
                named = script_file_kind(entry.name)
                if entry.is_file() and named is not None and named[0].lower() == "init":
                    init = entry
                    if self.script(entry, path, named[1]):
                        break
                    init = None
            if init is None:
                self.folder(path)
        for entry in entries:
            if entry.name.startswith(".") or entry == init:
                continue
            if entry.is_dir():
                self.directory(entry, (*path, entry.name))
                continue
            named = script_file_kind(entry.name)
            if named is None and entry.is_file():
                self.model(entry, path)
            if named is None or not entry.is_file() or named[0].lower() == "init":
                continue
            self.script(entry, (*path, named[0]), named[1])

    def model(self, file: Path, parent: InstancePath, *, at: InstancePath | None = None) -> None:
        """A model file (`.rbxm` `.rbxmx` `.model.json`) in a folder or at a `$path`:
        its instance, named after the file, with everything inside it."""
        # Imported here: the place module builds on this one.
        from luaurft.errors import LuaurftError
        from luaurft.roblox.place import model_name, model_nodes

        name = model_name(file.name)
        if name is None or name.lower() == "init":
            return
        try:
            nodes = model_nodes(file, at if at is not None else (*parent, name))
        except LuaurftError as exc:
            self.problem(file, str(exc))
            return
        for node in nodes:
            self.add(node)

    def project_node(
        self, base: Path, node: Mapping[str, Any], path: InstancePath, *, create: bool
    ) -> None:
        target = node.get("$path")
        if isinstance(target, dict):
            target = target.get("optional")
        if isinstance(target, str):
            where = (base / target).resolve()
            if where.is_dir():
                self.directory(where, path, create=create)
            elif where.is_file():
                named = script_file_kind(where.name)
                if named is not None and create:
                    self.script(where, path, named[1])
                elif named is None and create:
                    self.model(where, path[:-1], at=path)
            else:
                self.problem(
                    where, f"the project maps {dotted(path)} to a path that does not exist"
                )
        elif create:
            class_name = node.get("$className")
            self.add(ProjectNode(path, class_name if isinstance(class_name, str) else "Folder"))
        for name, child in _children(node):
            self.project_node(base, child, (*path, name), create=True)


__all__ = [
    "DEFAULT_SERVICE",
    "PROJECT_FILE",
    "SERVICE_OF_KIND",
    "InProject",
    "InstancePath",
    "ProjectLookup",
    "ProjectNode",
    "ProjectProblem",
    "ProjectTree",
    "dotted",
    "find_project_file",
    "script_file_kind",
    "split_dotted",
]


_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_STRING = re.compile(r"\"((?:[^\"\\\n]|\\.)*)\"|'((?:[^'\\\n]|\\.)*)'|\[(=*)\[(.*?)\]\3\]", re.S)
_LISTS_CHILDREN = re.compile(r"\b(?:GetChildren|GetDescendants)\b")


@lru_cache(maxsize=4096)
def _referenced_names(text: str) -> tuple[frozenset[str], bool]:
    """Identifiers and string literals of `text`, and whether it lists children."""
    names = set(_WORD.findall(text))
    for match in _STRING.finditer(text):
        names.add(match.group(1) or match.group(2) or match.group(4) or "")
    return frozenset(names), bool(_LISTS_CHILDREN.search(text))
