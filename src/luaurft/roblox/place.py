"""A place or model file as the world its scripts (and a script under test) run in.

`place_project` turns the instance tree of a `.rbxl` / `.rbxlx` / `.rbxm` /
`.rbxmx` file into a `ProjectTree`, the same structure a Rojo project becomes,
so the mock world builds it the same way: every instance at its path, each
ModuleScript requireable with its own source, Scripts and LocalScripts present
but not started. Unlike files, a place also gives instances their state:
property values (positions, sizes, colours, text, enum settings...),
attributes and tags travel in `ProjectNode.state` and are set as the instance
is built.

Roots of a place are services; a model's roots are not, and go into Workspace,
where Studio inserts a model. Each script of the file gets a stand-in file
path (`<file>/<dotted instance path>`) so it can be scored or run by path.
Values the mock cannot hold yet (refs between instances, sequences, fonts,
physical properties...) are left at the class default.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from luaurft.luau.kind import ScriptKind
from luaurft.roblox.files import Instance, RobloxFileError, RobloxTree, load_roblox_file
from luaurft.roblox.files.tree import SCRIPT_CLASSES
from luaurft.roblox.files.values import (
    BrickColor,
    CFrame,
    Color3,
    Color3uint8,
    UDim,
    UDim2,
    Vector2,
    Vector3,
)
from luaurft.roblox.project import (
    SERVICE_OF_KIND,
    InstancePath,
    ProjectNode,
    ProjectTree,
    dotted,
)

#: Properties a file stores under another name than scripts use:
#: (class that declares it, name scripts use) -> name in the file.
SERIALIZED_NAMES = {
    ("BasePart", "Size"): "size",
    ("Part", "Shape"): "shape",
    ("BasePart", "Color"): "Color3uint8",
    ("FormFactorPart", "FormFactor"): "formFactorRaw",
    ("Humanoid", "Health"): "Health_XML",
    ("Sound", "RollOffMaxDistance"): "xmlRead_MaxDistance_3",
    ("Fire", "Heat"): "Heat_xml",
    ("Fire", "Size"): "Size_xml",
}
_SCRIPT_NAMES = {stored: name for (_, name), stored in SERIALIZED_NAMES.items()}


def script_property_name(stored: str) -> str:
    """The name scripts use for a property a file stores as `stored`."""
    return _SCRIPT_NAMES.get(stored, stored)


#: Set by the builder from the node itself, or meaningless inside the mock.
_NOT_COPIED = frozenset(
    {"Name", "Source", "LinkedSource", "HistoryId", "UniqueId", "SourceAssetId"}
)
DEFAULT_MODEL_PARENT = "Workspace"


def lua_value(value: object) -> Any | None:
    """A property or attribute value in the form the mock's builder reads (plain
    scalars, or `{"t": type, "v": [numbers]}`), or None when it cannot hold it."""
    match value:
        case bool():
            return value
        case BrickColor():
            return None  # BrickColor properties are mirrored by Color (Color3uint8)
        case int():
            return int(value)
        case float():
            return float(value)
        case str():
            return str(value)
        case Vector3():
            return {"t": "Vector3", "v": [value.x, value.y, value.z]}
        case Vector2():
            return {"t": "Vector2", "v": [value.x, value.y]}
        case Color3():
            return {"t": "Color3", "v": [value.r, value.g, value.b]}
        case Color3uint8():
            return {"t": "Color3", "v": [value.r / 255, value.g / 255, value.b / 255]}
        case CFrame():
            p = value.position
            return {"t": "CFrame", "v": [p.x, p.y, p.z, *value.rotation]}
        case UDim():
            return {"t": "UDim", "v": [value.scale, value.offset]}
        case UDim2():
            return {
                "t": "UDim2",
                "v": [value.x.scale, value.x.offset, value.y.scale, value.y.offset],
            }
    return None


def instance_state(instance: Instance) -> dict[str, Any]:
    """What the mock world sets on `instance` after creating it."""
    props: dict[str, Any] = {}
    for name, value in instance.properties.items():
        if name in _NOT_COPIED:
            continue
        converted = lua_value(value)
        if converted is not None:
            props[script_property_name(name)] = converted
    attributes = {
        name: converted
        for name, value in instance.attributes.items()
        if (converted := lua_value(value)) is not None
    }
    return {"props": props, "attributes": attributes, "tags": list(instance.tags)}


def script_file(origin: str | os.PathLike[str], path: InstancePath) -> Path:
    """The stand-in file path of a script inside a place file."""
    return Path(origin) / dotted(path)


def _placed_roots(tree: RobloxTree) -> Iterator[tuple[InstancePath, Instance]]:
    from luaurft.roblox.api import default_index

    index = default_index()
    for root in tree.roots:
        if index.is_service(root.class_name):
            for child in root.children:
                yield (root.class_name, child.name), child
        else:
            yield (DEFAULT_MODEL_PARENT, root.name), root


def _nodes(
    placed: list[tuple[InstancePath, Instance]], where: Path, seen: set[InstancePath]
) -> Iterator[ProjectNode]:
    """Nodes for `placed` instances and all below them, parents before children.
    Two siblings with one name keep the first, as `script.Parent.X` finds the first."""
    stack = list(reversed(placed))
    while stack:
        path, instance = stack.pop()
        if path in seen:
            continue
        seen.add(path)
        is_script = instance.class_name in SCRIPT_CLASSES
        source = instance.properties.get("Source")
        yield ProjectNode(
            path,
            instance.class_name,
            file=script_file(where, path) if is_script else None,
            source=(str(source) if isinstance(source, str) else "") if is_script else None,
            state=instance_state(instance),
        )
        stack.extend(((*path, c.name), c) for c in reversed(instance.children))


def place_project(tree: RobloxTree, origin: str | os.PathLike[str] | None = None) -> ProjectTree:
    """The ProjectTree of a place or model file's instances (see module docstring).
    Services are not nodes (every world has them); everything inside them is."""
    where = Path(origin if origin is not None else tree.origin)
    nodes = sorted(_nodes(list(_placed_roots(tree)), where, set()), key=lambda n: len(n.path))
    return ProjectTree(root=where, nodes=tuple(nodes), problems=())


MODEL_SUFFIXES = (".rbxm", ".rbxmx", ".model.json")


def model_name(file_name: str) -> str | None:
    """The instance name of a model file in a Rojo folder (`Crate.rbxm` -> `Crate`),
    or None when the file is not a model."""
    lowered = file_name.lower()
    for suffix in MODEL_SUFFIXES:
        if lowered.endswith(suffix) and len(file_name) > len(suffix):
            return file_name[: -len(suffix)]
    return None


def model_nodes(file: Path, path: InstancePath) -> list[ProjectNode]:
    """A model file of a Rojo project as Rojo builds it: its one root instance at
    `path` (named after the file), with everything below it. RobloxFileError when
    it cannot be read or holds more or fewer than one root."""
    tree = _json_model(file) if file.name.lower().endswith(".json") else load_roblox_file(file)
    if len(tree.roots) != 1:
        raise RobloxFileError(
            str(file),
            None,
            f"a model in a Rojo project must hold exactly one root instance, not {len(tree.roots)}",
        )
    return list(_nodes([(path, tree.roots[0])], file, set()))


def _json_model(file: Path) -> RobloxTree:
    """A Rojo `.model.json`: ClassName, Children, and the scalar Properties,
    Attributes and Tags (typed values such as `{"Vector3": [...]}` are not read)."""
    try:
        document = json.loads(file.read_text("utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise RobloxFileError(str(file), None, f"not a readable JSON model ({exc})") from None

    def build(entry: object, depth: int) -> Instance:
        if not isinstance(entry, dict) or not isinstance(entry.get("ClassName"), str):
            raise RobloxFileError(str(file), None, "every instance needs a ClassName")
        if depth > 200:
            raise RobloxFileError(str(file), None, "instances nested more than 200 deep")
        instance = Instance(entry["ClassName"])
        if isinstance(entry.get("Name"), str):
            instance.properties["Name"] = entry["Name"]
        for key, target in (
            ("Properties", instance.properties),
            ("Attributes", instance.attributes),
        ):
            values = entry.get(key)
            for name, value in values.items() if isinstance(values, dict) else ():
                if isinstance(value, (bool, int, float, str)):
                    target[name] = value
        tags = entry.get("Tags")
        instance.tags = [t for t in tags if isinstance(t, str)] if isinstance(tags, list) else []
        children = entry.get("Children")
        for child in children if isinstance(children, list) else ():
            instance.add_child(build(child, depth + 1))
        return instance

    return RobloxTree(roots=[build(document, 0)], origin=str(file))


def load_place(path: str | os.PathLike[str]) -> ProjectTree:
    """The ProjectTree of a place or model file on disk (RobloxFileError if unreadable)."""
    return place_project(load_roblox_file(path), path)


def with_script(
    project: ProjectTree,
    file: str | os.PathLike[str],
    source: str,
    kind: ScriptKind,
    at: InstancePath | None = None,
) -> tuple[ProjectTree, ProjectNode]:
    """`project` with one more script, `file`, at `at` (default: where its kind
    lives, `ServerScriptService.<name>` for a Script). A place instance already at
    that path is replaced, so a place's own script can be run from an edited file."""
    name = Path(file).name.split(".")[0] or "Script"
    path = at if at is not None else (*SERVICE_OF_KIND[kind], name)
    node = ProjectNode(path, kind.value, Path(file), source)
    return with_nodes(project, [node]), node


def with_nodes(project: ProjectTree, added: Sequence[ProjectNode]) -> ProjectTree:
    """`project` with `added` in it: scripts replace a place instance at their path;
    a Folder already there is kept (with its place state); missing parents become
    Folders."""
    replaced = {n.path for n in added if n.class_name != "Folder"}
    kept = [n for n in project.nodes if n.path not in replaced]
    present = {n.path for n in kept}
    nodes = list(kept)
    for node in added:
        for depth in range(2, len(node.path) + 1):
            path = node.path[:depth]
            if path in present:
                continue
            present.add(path)
            nodes.append(node if path == node.path else ProjectNode(path, "Folder"))
    nodes.sort(key=lambda n: len(n.path))  # stable: the place's order first
    return ProjectTree(root=project.root, nodes=tuple(nodes), problems=project.problems)
