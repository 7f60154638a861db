"""What a script changed in the mock world: the instances it added, removed and
changed between the world just before it started and after its run, as text a
person reads and as JSON data.

The two trees are compared by `files.compare.differences` (instances paired by
class, name and position among same-named siblings, values within a float
tolerance). Paths are dotted instance paths; the second and later of siblings
that share a class and a name get `[n]`. Property names are the ones scripts
use (`Size`, `Color`), values the writer's. A property the world did not hold
on one side was at its class's default (the export leaves defaults out): the
text shows that default, from the engine surface, and `(default)` only where
the surface has none the export can form; the JSON keeps `null` on that side
and gives the default as `default`. Services exist in
every game, so a service the script first asked for is not a change, only what
it put in it. An instance moved to another parent reads as removed from the old
path and added at the new one.
"""

from __future__ import annotations

import base64
import math
from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass, fields, is_dataclass
from typing import TYPE_CHECKING, Any

from luaurft.roblox.files.compare import MISSING, differences
from luaurft.roblox.files.tree import Instance, RobloxTree
from luaurft.roblox.files.values import CFrame, Content, Ref
from luaurft.roblox.place import script_property_name
from luaurft.roblox.world_export import property_default

if TYPE_CHECKING:
    from luaurft.roblox.mock import ScriptRun

#: Relative and absolute tolerance: the world holds doubles, files float32.
_TOLERANCE = 1e-5
#: Changes the text form lists before it says how many more there are.
TEXT_LIMIT = 200
#: Properties that say where a script is, not what the world holds.
_IGNORED = ("Source",)


@dataclass(frozen=True, slots=True)
class ValueChange:
    """One property or attribute: `old` and `new` as values (None: it had none).
    `default`: for a property one side lacks, its class's default (None: unknown)."""

    name: str
    old: object
    new: object
    default: object = None

    def side_text(self, value: object) -> str:
        """`old` or `new` as the text shows it: an absent one as the default."""
        return text_value(self.default if value is None else value)


@dataclass(frozen=True, slots=True)
class InstanceChange:
    path: str
    class_name: str
    properties: tuple[ValueChange, ...] = ()
    attributes: tuple[ValueChange, ...] = ()
    tags_added: tuple[str, ...] = ()
    tags_removed: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class PlacedInstance:
    """An instance that is in one world only, with what it holds."""

    path: str
    class_name: str
    attributes: tuple[ValueChange, ...] = ()
    tags: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class WorldDiff:
    added: tuple[PlacedInstance, ...]
    removed: tuple[PlacedInstance, ...]
    changed: tuple[InstanceChange, ...]
    #: What limits the diff (a world too large to export whole).
    notes: tuple[str, ...] = ()

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.changed)

    def to_dict(self) -> dict[str, Any]:
        def values(changes: Sequence[ValueChange]) -> dict[str, Any]:
            return {c.name: _json_change(c) for c in changes}

        def placed(items: Sequence[PlacedInstance]) -> list[dict[str, Any]]:
            return [
                {
                    "path": i.path,
                    "class": i.class_name,
                    "attributes": {a.name: json_value(a.new) for a in i.attributes},
                    "tags": list(i.tags),
                }
                for i in items
            ]

        return {
            "added": placed(self.added),
            "removed": placed(self.removed),
            "changed": [
                {
                    "path": c.path,
                    "class": c.class_name,
                    "properties": values(c.properties),
                    "attributes": values(c.attributes),
                    "tags_added": list(c.tags_added),
                    "tags_removed": list(c.tags_removed),
                }
                for c in self.changed
            ],
            "notes": list(self.notes),
        }

    def to_text(self, limit: int = TEXT_LIMIT) -> str:
        counts = (
            f"{len(self.added)} added, {len(self.removed)} removed, {len(self.changed)} changed"
        )
        lines = [f"World changes: {counts}"]
        lines.extend(f"note: {note}" for note in self.notes)
        body = list(self._body())
        lines.extend(body[:limit])
        if len(body) > limit:
            lines.append(f"... and {len(body) - limit} more lines")
        return "\n".join(lines)

    def _body(self) -> Iterator[str]:
        for sign, items in (("+", self.added), ("-", self.removed)):
            for item in items:
                yield f"{sign} {item.path} ({item.class_name})"
                for a in item.attributes:
                    yield f"    attribute {a.name} = {text_value(a.new)}"
                if item.tags:
                    yield f"    tags {', '.join(item.tags)}"
        for change in self.changed:
            yield f"~ {change.path} ({change.class_name})"
            for label, values in (("", change.properties), ("attribute ", change.attributes)):
                for c in values:
                    yield f"    {label}{c.name}: {c.side_text(c.old)} -> {c.side_text(c.new)}"
            if change.tags_added:
                yield f"    tags added: {', '.join(change.tags_added)}"
            if change.tags_removed:
                yield f"    tags removed: {', '.join(change.tags_removed)}"


def _json_change(change: ValueChange) -> dict[str, Any]:
    out = {"old": json_value(change.old), "new": json_value(change.new)}
    if change.default is not None:
        out["default"] = json_value(change.default)
    return out


def _paths(tree: RobloxTree) -> dict[int, tuple[int, str]]:
    """Tree-order position and display path of every instance (by id), `[n]` on
    later siblings that share a class and a name."""
    out: dict[int, tuple[int, str]] = {}
    stack: list[tuple[str, Instance, int]] = []

    def push(prefix: str, siblings: list[Instance]) -> None:
        seen: dict[tuple[str, str], int] = {}
        labelled = []
        for node in siblings:
            key = (node.class_name, node.name)
            seen[key] = seen.get(key, 0) + 1
            labelled.append((prefix, node, seen[key]))
        stack.extend(reversed(labelled))

    push("", tree.roots)
    while stack:
        prefix, node, ordinal = stack.pop()
        label = node.name if ordinal == 1 else f"{node.name}[{ordinal}]"
        path = f"{prefix}.{label}" if prefix else label
        out[id(node)] = (len(out), path)
        push(path, node.children)
    return out


def _placed(instance: Instance, paths: dict[int, tuple[int, str]]) -> tuple[int, PlacedInstance]:
    order, path = paths[id(instance)]
    return order, PlacedInstance(
        path,
        instance.class_name,
        tuple(ValueChange(k, None, v) for k, v in sorted(instance.attributes.items())),
        tuple(instance.tags),
    )


def _under(node: Instance, cut: Collection[str]) -> bool:
    """Whether an ancestor of `node` is one the other snapshot was cut at."""
    parent = node.parent
    while parent is not None:
        if parent.full_name in cut:
            return True
        parent = parent.parent
    return False


def world_diff(
    before: RobloxTree,
    after: RobloxTree,
    notes: Sequence[str] = (),
    *,
    before_cut: Collection[str] = (),
    after_cut: Collection[str] = (),
) -> WorldDiff:
    """The instances added, removed and changed from `before` to `after`, in tree
    order. `before_cut` / `after_cut`: dotted paths where a snapshot stopped (see
    `WorldSnapshot.cut_paths`); what the other side has below them is unknown, so
    it is not listed as added or removed."""
    before_paths, after_paths = _paths(before), _paths(after)
    added: list[tuple[int, PlacedInstance]] = []
    removed: list[tuple[int, PlacedInstance]] = []
    changes: dict[int, dict[str, Any]] = {}
    found = differences(
        before,
        after,
        rel_tol=_TOLERANCE,
        abs_tol=_TOLERANCE,
        ignore_properties=_IGNORED,
    )
    for d in found:
        node = d.instance
        if d.kind in ("only_first", "only_second"):
            first = d.kind == "only_first"
            into, paths = (removed, before_paths) if first else (added, after_paths)
            if _under(node, after_cut if first else before_cut):
                continue
            # A service is in every game: only what is inside it is a change.
            if node.parent is not None:
                into.append(_placed(node, paths))
            into.extend(_placed(n, paths) for n in node.descendants())
            continue
        entry = changes.setdefault(
            id(node), {"node": node, "property": [], "attribute": [], "tags": ((), ())}
        )
        if d.kind == "tags":
            old, new = set(d.old or ()), set(d.new or ())  # type: ignore[call-overload]
            entry["tags"] = (tuple(sorted(new - old)), tuple(sorted(old - new)))
            continue
        name = script_property_name(d.name) if d.kind == "property" else d.name
        absent = d.old is MISSING or d.new is MISSING
        default = (
            property_default(node.class_name, d.name) if d.kind == "property" and absent else None
        )
        entry[d.kind].append(
            ValueChange(
                name,
                None if d.old is MISSING else d.old,
                None if d.new is MISSING else d.new,
                default,
            )
        )
    changed: list[tuple[int, InstanceChange]] = []
    for key, entry in changes.items():
        order, path = before_paths[key]
        change = InstanceChange(
            path,
            entry["node"].class_name,
            tuple(sorted(entry["property"], key=lambda c: c.name)),
            tuple(sorted(entry["attribute"], key=lambda c: c.name)),
            *entry["tags"],
        )
        if change.properties or change.attributes or change.tags_added or change.tags_removed:
            changed.append((order, change))
    return WorldDiff(
        added=tuple(i for _, i in sorted(added, key=lambda p: p[0])),
        removed=tuple(i for _, i in sorted(removed, key=lambda p: p[0])),
        changed=tuple(c for _, c in sorted(changed, key=lambda p: p[0])),
        notes=tuple(notes),
    )


@dataclass(frozen=True, slots=True)
class WorldChange:
    """What one run did to the world: the diff, and the world after it (the tree
    `--save-world` writes)."""

    script: str
    status: str
    diff: WorldDiff
    after: RobloxTree

    def to_dict(self) -> dict[str, Any]:
        return {"script": self.script, "status": self.status, "diff": self.diff.to_dict()}

    def to_text(self, limit: int = TEXT_LIMIT) -> str:
        return f"{self.script} ({self.status})\n{self.diff.to_text(limit)}"


def world_change(run: ScriptRun, script: str) -> WorldChange | None:
    """What a run made with `export_world=True` did to the world; None when the
    world could not be read (the worker died or the VM ran out of memory)."""
    if run.world_before is None or run.world_after is None:
        return None
    notes = [
        f"the world held {snap.total} instances {when}; the export stops at {snap.limit} "
        "(in tree order, every service kept): what lies past that is neither listed "
        "nor saved"
        for when, snap in (("before the run", run.world_before), ("after it", run.world_after))
        if snap.truncated
    ]
    after = run.world_after.tree()
    diff = world_diff(
        run.world_before.tree(),
        after,
        notes,
        before_cut=run.world_before.cut_paths(),
        after_cut=run.world_after.cut_paths(),
    )
    return WorldChange(script, run.status.value, diff, after)


# -- value forms ------------------------------------------------------------------------


def _number(value: float) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int):
        return str(int(value))
    if math.isnan(value) or math.isinf(value):
        return str(value)
    return f"{float(value):.6g}"


def text_value(value: object) -> str:
    """A value as a person reads it: numbers short, datatypes by their fields."""
    match value:
        case None:
            return "(default)"
        case bool() | int() | float():
            return _number(value)
        case str():
            return repr(str(value)) if len(value) <= 80 else repr(str(value)[:77] + "...")
        case bytes():
            return f"<{len(value)} bytes>"
        case Ref():
            return "nil" if value.target is None else value.target.full_name
        case CFrame():
            p = value.position
            where = f"{_number(p.x)}, {_number(p.y)}, {_number(p.z)}"
            turned = any(
                not math.isclose(r, i, abs_tol=1e-6)
                for r, i in zip(value.rotation, CFrame(p).rotation, strict=True)
            )
            return f"CFrame({where}{', rotated' if turned else ''})"
        case Content():
            return text_value(value.uri if value.object_ref is None else value.object_ref)
    if is_dataclass(value):
        parts = (text_value(getattr(value, f.name)) for f in fields(value))
        return f"{type(value).__name__}({', '.join(parts)})"
    if isinstance(value, tuple):
        return "(" + ", ".join(text_value(v) for v in value) + ")"
    return repr(value)


def json_value(value: object) -> Any:
    """A value as JSON data: scalars as they are, datatypes as `{"type": ..., fields}`,
    a ref as the path of its target."""
    match value:
        case None | bool() | str():
            return value if not isinstance(value, str) else str(value)
        case int():
            return int(value)
        case float():
            return float(value) if math.isfinite(value) else str(value)
        case bytes():
            return {"type": "bytes", "base64": base64.b64encode(value).decode()}
        case Ref():
            return {"type": "Ref", "path": None if value.target is None else value.target.full_name}
    if is_dataclass(value):
        out: dict[str, Any] = {"type": type(value).__name__}
        out.update({f.name: json_value(getattr(value, f.name)) for f in fields(value)})
        return out
    if isinstance(value, tuple):
        return [json_value(v) for v in value]
    return repr(value)
