"""The engine surface the mock world answers from: every class of the Roblox API
dump with its members, value types, security levels and Studio defaults.

The data (`data/api_surface.txt.gz`, built by `scripts/gen_api_surface.py` from
the API dump and rbx-dom's reflection database) is read once per process and
answers the runtime's questions (a class's flags, a member, a default) through
host functions, memoised here: a run builds only the classes and members its
script touches, and no per-run copy of the data exists.
"""

from __future__ import annotations

import gzip
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources
from typing import Any

SURFACE_FILE = "api_surface.txt.gz"


@dataclass(frozen=True, slots=True)
class SurfaceClass:
    name: str
    superclass: str | None
    creatable: bool
    service: bool
    deprecated: bool
    browsable: bool
    #: The class's own member lines, as the runtime parses them.
    block: str

    def members(self) -> list[tuple[str, ...]]:
        """(kind, name, *fields) per own member (kind p, f, e or c)."""
        return [
            tuple(line.split("\t"))
            for line in self.block.splitlines()
            if line and not line.startswith("d\t")
        ]


@cache
def surface_text() -> str:
    data = resources.files("luaurft.roblox").joinpath("data", SURFACE_FILE).read_bytes()
    return gzip.decompress(data).decode("utf-8")


@cache
def surface_classes() -> dict[str, SurfaceClass]:
    """Every class of the generated surface by name."""
    out: dict[str, SurfaceClass] = {}
    text = surface_text()
    for chunk in text.split("\n@")[1:]:
        head, _, block = chunk.partition("\n")
        name, superclass, flags = head.split(" ")
        out[name] = SurfaceClass(
            name=name,
            superclass=None if superclass == "-" else superclass,
            creatable="c" in flags,
            service="s" in flags,
            deprecated="d" in flags,
            browsable="h" not in flags,
            block=block,
        )
    return out


@cache
def event_names() -> frozenset[str]:
    """The name of every event of every class (what `X.Name:Connect` can mean)."""
    return frozenset(
        m[1] for cls in surface_classes().values() for m in cls.members() if m[0] == "e"
    )


@cache
def instance_params() -> dict[str, tuple[tuple[str, str] | None, ...]]:
    """Method name -> (class, parameter name) of each of its parameters that takes an
    instance (None for one that takes anything else), from the methods of that name
    whose instance parameters agree across classes (a name whose classes disagree
    is left out)."""
    found: dict[str, tuple[tuple[str, str] | None, ...] | None] = {}
    for cls in surface_classes().values():
        for member in cls.members():
            if member[0] != "f":
                continue
            params = tuple(
                (p.partition("/")[0], p.partition("/")[2]) if "/" in p else None
                for p in (member[4].split(",") if len(member) > 4 else ())
            )
            if member[1] in found and found[member[1]] != params:
                found[member[1]] = None
            else:
                found.setdefault(member[1], params)
    return {name: params for name, params in found.items() if params}


def class_members(name: str) -> frozenset[str]:
    """Every member name of class `name`, inherited ones included (empty if unknown)."""
    return _class_members(name)


@cache
def _class_members(name: str) -> frozenset[str]:
    classes = surface_classes()
    out: set[str] = set()
    current: str | None = name
    while current is not None and current in classes:
        out |= set(_own(current)[0])
        current = classes[current].superclass
    return frozenset(out)


@cache
def _subclasses() -> dict[str, tuple[str, ...]]:
    children: dict[str, list[str]] = {}
    for cls in surface_classes().values():
        if cls.superclass is not None:
            children.setdefault(cls.superclass, []).append(cls.name)
    return {name: tuple(names) for name, names in children.items()}


@cache
def members_below(name: str) -> frozenset[str]:
    """Every member name of class `name`, of its superclasses and of every class that
    inherits from it: what a value known only to be a `name` (or a subclass) may have."""
    out = set(_class_members(name))
    below = list(_subclasses().get(name, ()))
    while below:
        current = below.pop()
        out |= set(_own(current)[0])
        below.extend(_subclasses().get(current, ()))
    return frozenset(out)


#: The runtime's enum data (scripts/gen_enums.py): a line `Enum Item=value ...` each.
ENUMS_FILE = "enums_data.luau"


@cache
def _enum_values() -> dict[str, dict[str, int]]:
    text = resources.files("luaurft.roblox").joinpath("runtime", ENUMS_FILE).read_text("utf-8")
    body = text.partition("[[")[2].partition("]]")[0]
    out: dict[str, dict[str, int]] = {}
    for line in body.splitlines():
        if line.strip():
            name, *items = line.split()
            # Legacy names ("Blacklist~0") are no items of their own: only "Name=value".
            out[name] = {k: int(v) for k, sep, v in (item.partition("=") for item in items) if sep}
    return out


def enum_item_value(enum: str, item: str) -> int | None:
    """The Value of `Enum.<enum>.<item>` (None when either is unknown): surface
    defaults name enum items, files and the world's export number them."""
    return _enum_values().get(enum, {}).get(item)


def surface_header() -> str:
    """The data file's first line: what it was derived from."""
    return surface_text().split("\n", 1)[0]


def _own(name: str) -> tuple[dict[str, tuple[str, str]], dict[str, str]]:
    """A class's own members (name -> (kind, rest of the line)) and its defaults
    of inherited properties (name -> token)."""
    return _own_cached(name)


@cache
def _own_cached(name: str) -> tuple[dict[str, tuple[str, str]], dict[str, str]]:
    members: dict[str, tuple[str, str]] = {}
    defaults: dict[str, str] = {}
    cls = surface_classes().get(name)
    for line in cls.block.splitlines() if cls is not None else ():
        kind, _, rest = line.partition("\t")
        member, _, rest = rest.partition("\t")
        if kind == "d":
            defaults[member] = rest
        elif kind:
            members[member] = (kind, rest)
    return members, defaults


# Keys come from scripts (`part[anything]`): the caches are bounded.
@lru_cache(maxsize=1 << 16)
def resolve_member(class_name: str, key: str) -> tuple[str, str, str] | None:
    """(declaring class, kind, rest of its line) of member `key` of `class_name`,
    walking the API dump's superclass chain; None when no class of it has one."""
    classes = surface_classes()
    name: str | None = class_name
    while name is not None and name in classes:
        found = _own(name)[0].get(key)
        if found is not None:
            return name, found[0], found[1]
        name = classes[name].superclass
    return None


# Where a member line keeps its flags (`p Name type flags default`, `f Name
# category flags params`, `e Name flags`, `c Name flags`): the field after the name.
_FLAGS_FIELD = {"p": 1, "f": 1, "e": 0, "c": 0}


@lru_cache(maxsize=1 << 16)
def member_security(class_name: str, key: str) -> tuple[str | None, str | None, str] | None:
    """(read level, write level, kind) of member `key` of `class_name`: the security
    a caller needs (`RobloxScriptSecurity`, `PluginSecurity`, ...), None where a game
    script may, and the member's kind (p, f, e or c); None when no class of the
    chain has the member."""
    found = resolve_member(class_name, key)
    if found is None:
        return None
    _, kind, rest = found
    fields = rest.split("\t")
    at = _FLAGS_FIELD.get(kind, 0)
    flags = fields[at].split() if at < len(fields) else []
    read = next((f[1:] for f in flags if f.startswith("R")), None)
    write = next((f[1:] for f in flags if f.startswith("W")), None)
    # A level on the read side guards every use; a write level only assignments.
    return read, write or read, kind


@lru_cache(maxsize=1 << 16)
def resolve_default(class_name: str, key: str) -> str | None:
    """The default token of property `key` on a new `class_name` ("" when the
    property has none recorded); None when no class of the chain has the property."""
    classes = surface_classes()
    name: str | None = class_name
    while name is not None and name in classes:
        members, defaults = _own(name)
        if key in defaults:
            return defaults[key]
        found = members.get(key)
        if found is not None:
            return found[1].split("\t")[2] if found[0] == "p" and found[1].count("\t") >= 2 else ""
        name = classes[name].superclass
    return None


# -- host functions (the runtime's rt.surface*) --------------------------------------------
# None of them holds a reference to a VM; each returns a list of values.


def host_class(lua: Any, args: Sequence[Any]) -> list[str]:
    """`rt.surfaceClass(name)` -> "super flags" (flags c creatable, s service), or nothing."""
    cls = surface_classes().get(_text(args, 0))
    if cls is None:
        return []
    flags = ("c" if cls.creatable else "") + ("s" if cls.service else "")
    return [f"{cls.superclass or '-'} {flags or '-'}"]


def host_member(lua: Any, args: Sequence[Any]) -> list[str]:
    """`rt.surfaceMember(class, key)` -> declaring class, kind, rest; or nothing."""
    found = resolve_member(_text(args, 0), _text(args, 1))
    return list(found) if found is not None else []


def host_default(lua: Any, args: Sequence[Any]) -> list[str]:
    """`rt.surfaceDefault(class, key)` -> token ("" for none recorded); or nothing."""
    found = resolve_default(_text(args, 0), _text(args, 1))
    return [found] if found is not None else []


def _text(args: Sequence[Any], i: int) -> str:
    from luaurft.luau.sandbox import lua_text

    return lua_text(args[i]) if len(args) > i and args[i] is not None else ""


HOST_FUNCTIONS = {
    "surfaceClass": host_class,
    "surfaceMember": host_member,
    "surfaceDefault": host_default,
}


__all__ = [
    "HOST_FUNCTIONS",
    "SurfaceClass",
    "class_members",
    "enum_item_value",
    "event_names",
    "resolve_default",
    "resolve_member",
    "surface_classes",
    "surface_header",
    "surface_text",
]
