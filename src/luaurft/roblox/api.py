"""`ApiIndex`: what luaurft knows about the Roblox API.

Two sources, merged:

- the curated table shipped with the package (`roblox/data/api/*.toml`): every
  service, every creatable class by name, the classes game scripts commonly
  hold with all their members, common enums, datatypes and their libraries,
  deprecations with their replacements, and which APIs only run on the client
  or the server;
- optionally, a full Roblox API dump (`API-Dump.json` or `Full-API-Dump.json`,
  the JSON Roblox Studio emits) from an explicit path, `LUAURFT_API_DUMP`, or
  the user cache (`luaurft roblox-api update` fills it). The dump is laid over
  the curated table: its facts win, the curated annotations (replacements,
  member types, client/server facts) stay.

A class's member list is "complete" when every member it has is known (every
curated class is checked against Roblox's dump by the tests; every dumped
class is complete by construction). Rules only call a member unknown on
complete classes.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import tomllib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cache, cached_property
from importlib import resources
from pathlib import Path
from stat import S_ISREG
from typing import Any

from luaurft.errors import LuaurftError
from luaurft.roblox.globals import DEPRECATED_GLOBALS, KNOWN_GLOBALS, DeprecatedGlobal

API_DUMP_ENV = "LUAURFT_API_DUMP"
CACHE_DUMP_NAME = "API-Dump.json"


class ApiDumpError(LuaurftError):
    """An API dump that cannot be found, read or downloaded."""


class MemberKind(StrEnum):
    PROPERTY = "property"
    METHOD = "method"
    EVENT = "event"
    CALLBACK = "callback"


@dataclass(frozen=True, slots=True)
class Member:
    """One member of a class or datatype.

    `type` is the class or datatype a property holds or a method returns
    ("{Class}" for an array of them), when that is a Roblox type; `params` are
    an event's argument types. `replacement` is set on deprecated members: what
    to use instead ("" when nothing replaces it).
    """

    name: str
    kind: MemberKind
    owner: str
    type: str | None = None
    params: tuple[str, ...] = ()
    readonly: bool = False
    deprecated: bool = False
    replacement: str | None = None

    @property
    def element_type(self) -> str | None:
        """The element class of an array-valued member ("{Player}" → "Player")."""
        if self.type and self.type.startswith("{") and self.type.endswith("}"):
            return self.type[1:-1]
        return None

    @property
    def qualified(self) -> str:
        sep = ":" if self.kind is MemberKind.METHOD else "."
        return f"{self.owner}{sep}{self.name}"


@dataclass(slots=True)
class ClassInfo:
    """A Roblox class. `complete`: every member of this class (not its ancestors) is known."""

    name: str
    superclass: str | None = None
    service: bool = False
    creatable: bool = True
    sealed: bool = False
    deprecated: bool = False
    replacement: str | None = None
    complete: bool = False
    members: dict[str, Member] = field(default_factory=dict)


@dataclass(slots=True)
class DataTypeInfo:
    """A datatype (Vector3, CFrame, ...) or engine library (task, Instance).

    `library` holds the members of its global table, `members` those of its
    values. `complete`: both lists are exhaustive.
    """

    name: str
    complete: bool = False
    library: dict[str, Member] = field(default_factory=dict)
    members: dict[str, Member] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Arity:
    """How many arguments a function takes: `counts` lists the allowed ones when they
    are not a range (CFrame.new takes 0, 1, 2, 3, 7 or 12); `maximum` None is "or more"."""

    minimum: int
    maximum: int | None
    counts: frozenset[int] = frozenset()

    @classmethod
    def parse(cls, spec: str) -> Arity:
        spec = spec.strip()
        if "," in spec:
            counts = frozenset(int(part) for part in spec.split(","))
            return cls(min(counts), max(counts), counts)
        if spec.endswith("+"):
            return cls(int(spec[:-1]), None)
        low, _, high = spec.partition("-")
        return cls(int(low), int(high or low))

    def accepts(self, count: int) -> bool:
        if self.counts:
            return count in self.counts
        return count >= self.minimum and (self.maximum is None or count <= self.maximum)

    def at_least(self, count: int) -> bool:
        """Whether some allowed count is `count` or more (a call whose last argument
        may expand to several values passes at least `count`)."""
        return self.maximum is None or self.maximum >= count

    def describe(self) -> str:
        if self.counts:
            listed = sorted(self.counts)
            return ", ".join(map(str, listed[:-1])) + f" or {listed[-1]}"
        if self.maximum is None:
            return f"at least {self.minimum}"
        if self.maximum == self.minimum:
            return str(self.minimum)
        return f"{self.minimum} to {self.maximum}"


@dataclass(frozen=True, slots=True)
class LibraryInfo:
    """A Luau standard library (`string`, `table`, `math`, ...): its functions with
    their arities and its constants. `complete`: no other member exists."""

    name: str
    functions: dict[str, Arity]
    constants: frozenset[str] = frozenset()
    complete: bool = False

    def has(self, member: str) -> bool:
        return member in self.functions or member in self.constants


@dataclass(frozen=True, slots=True)
class EnumInfo:
    """An enum; `items` is None when only its name is known."""

    name: str
    items: frozenset[str] | None = None
    deprecated_items: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class SideRestriction:
    """An API that only works on one side of the client/server boundary."""

    side: str  # "client" or "server"
    reason: str


@dataclass(frozen=True, slots=True)
class ApiSource:
    """One source merged into an index: the curated table or a dump file."""

    kind: str  # "curated" or "dump"
    path: str | None = None
    sha256: str | None = None
    version: str | None = None

    def describe(self) -> str:
        if self.kind == "curated":
            return "curated table (package data)"
        return f"API dump {self.path}" + (f" ({self.version})" if self.version else "")


@dataclass
class ApiIndex:
    """Roblox API facts for the rules: classes, members, services, datatypes, enums, globals."""

    classes: dict[str, ClassInfo] = field(default_factory=dict)
    datatypes: dict[str, DataTypeInfo] = field(default_factory=dict)
    enums: dict[str, EnumInfo] = field(default_factory=dict)
    client_only_services: dict[str, str] = field(default_factory=dict)
    server_only_services: dict[str, str] = field(default_factory=dict)
    side_members: dict[tuple[str, str], SideRestriction] = field(default_factory=dict)
    child_hints: dict[str, str] = field(default_factory=dict)
    name_only_methods: frozenset[str] = frozenset()
    #: Luau's standard libraries by name (see `roblox/data/api/stdlib.toml`).
    libraries: dict[str, LibraryInfo] = field(default_factory=dict)
    #: Arities by qualified name: library functions (`string.sub`), global
    #: functions (`pcall`) and datatype constructors (`Vector3.new`).
    signatures: dict[str, Arity] = field(default_factory=dict)
    #: Functions that do not exist but are often written, with what to write instead.
    mistakes: dict[str, str] = field(default_factory=dict)
    sources: tuple[ApiSource, ...] = ()

    # -- classes and services ------------------------------------------------

    def get_class(self, name: str) -> ClassInfo | None:
        return self.classes.get(name)

    def is_class(self, name: str) -> bool:
        return name in self.classes

    def is_service(self, name: str) -> bool:
        info = self.classes.get(name)
        return info is not None and info.service

    def service_names(self) -> list[str]:
        return sorted(n for n, c in self.classes.items() if c.service)

    @cached_property
    def services(self) -> frozenset[str]:
        """The names of the services, for rules that test many names at once."""
        return frozenset(n for n, c in self.classes.items() if c.service)

    def is_creatable(self, name: str) -> bool:
        info = self.classes.get(name)
        return info is not None and info.creatable and not info.service

    def ancestry(self, name: str) -> list[str]:
        """`name` and its superclasses, nearest first (stops at the first unknown class)."""
        cached = self._ancestry.get(name)
        if cached is not None:
            return cached
        chain: list[str] = []
        current: str | None = name
        while current and current not in chain:
            info = self.classes.get(current)
            if info is None:
                break
            chain.append(current)
            current = info.superclass
        self._ancestry[name] = chain
        return chain

    @cached_property
    def _ancestry(self) -> dict[str, list[str]]:
        # Indexes are built once and then only read, so lookups can be remembered.
        return {}

    @cached_property
    def _member_cache(self) -> dict[tuple[str, str], Member | None]:
        return {}

    @cached_property
    def creatable_names(self) -> list[str]:
        return sorted(n for n in self.classes if self.is_creatable(n))

    def is_a(self, name: str, base: str) -> bool:
        return base in self.ancestry(name)

    def member(self, class_name: str, member_name: str) -> Member | None:
        """The member `member_name` of `class_name` or of one of its superclasses."""
        key = (class_name, member_name)
        cache = self._member_cache
        if key in cache:
            return cache[key]
        found: Member | None = None
        for cls in self.ancestry(class_name):
            found = self.classes[cls].members.get(member_name)
            if found is not None:
                break
        cache[key] = found
        return found

    def members_complete(self, class_name: str) -> bool:
        """True when every member of the class, inherited ones included, is known."""
        chain = self.ancestry(class_name)
        if not chain:
            return False
        last = self.classes[chain[-1]]
        # The chain must reach the root: a class whose superclass is unknown
        # may inherit members nobody listed.
        return last.superclass is None and all(self.classes[c].complete for c in chain)

    def member_names(self, class_name: str) -> frozenset[str]:
        """Every member of the class, inherited ones included."""
        cached = self._member_names.get(class_name)
        if cached is None:
            cached = frozenset(
                m for cls in self.ancestry(class_name) for m in self.classes[cls].members
            )
            self._member_names[class_name] = cached
        return cached

    @cached_property
    def _member_names(self) -> dict[str, frozenset[str]]:
        return {}

    def member_in_other_case(self, class_name: str, name: str) -> str | None:
        """The member of `class_name` that `name` spells in another case (`Parent` for
        `parent`), or None: members are case-sensitive, so `script.parent` errors."""
        if not self.is_class(class_name) or self.member(class_name, name) is not None:
            return None
        lowered = self._members_by_lower_case.get(class_name)
        if lowered is None:
            lowered = {}
            # Sorted, so that of two members one spelling apart the same one answers every time.
            for member in sorted(self.member_names(class_name)):
                lowered.setdefault(member.lower(), member)
            self._members_by_lower_case[class_name] = lowered
        return lowered.get(name.lower())

    @cached_property
    def _members_by_lower_case(self) -> dict[str, dict[str, str]]:
        return {}

    def subclass_exists(self, class_name: str) -> bool:
        """Whether some known class inherits from `class_name`."""
        return class_name in self._subclassed

    @cached_property
    def _subclassed(self) -> frozenset[str]:
        return frozenset(c.superclass for c in self.classes.values() if c.superclass)

    def is_sealed(self, class_name: str) -> bool:
        """A class no other class inherits from: a value that IsA it is exactly it."""
        info = self.classes.get(class_name)
        if info is None:
            return False
        if info.sealed or info.service:
            return True
        # A dump lists every class, so there "no known subclass" is a fact.
        return self.has_dump and info.complete and not self.subclass_exists(class_name)

    @cached_property
    def _members_by_name(self) -> dict[str, tuple[Member, ...]]:
        found: dict[str, list[Member]] = {}
        for info in self.classes.values():
            for member in info.members.values():
                found.setdefault(member.name, []).append(member)
        for dt in self.datatypes.values():
            for member in dt.members.values():
                found.setdefault(member.name, []).append(member)
        return {k: tuple(v) for k, v in found.items()}

    @cached_property
    def deprecated_member_names(self) -> frozenset[str]:
        """The names under which some class or datatype value has a deprecated member."""
        tables = [c.members for c in self.classes.values()]
        tables += [d.members for d in self.datatypes.values()]
        return frozenset(n for members in tables for n, m in members.items() if m.deprecated)

    def members_named(self, name: str) -> tuple[Member, ...]:
        """Every known member called `name`, on any class or datatype value."""
        return self._members_by_name.get(name, ())

    @cached_property
    def _by_name_cache(self) -> dict[tuple[str, str], Any]:
        # The questions asked by member name alone, remembered like `_member_cache`.
        return {}

    def event_named(self, name: str) -> Member | None:
        """An event called `name` when every member of that name is an event (e.g. `Touched`)."""
        key = ("event", name)
        cache = self._by_name_cache
        if key not in cache:
            cache[key] = self._event_named(name)
        result: Member | None = cache[key]
        return result

    def _event_named(self, name: str) -> Member | None:
        found = self.members_named(name)
        if found and all(m.kind is MemberKind.EVENT for m in found):
            return found[0]
        return None

    def property_type_named(self, name: str) -> str | None:
        """The datatype every property called `name` holds, when they all agree (e.g. `CFrame`)."""
        key = ("property_type", name)
        cache = self._by_name_cache
        if key not in cache:
            cache[key] = self._property_type_named(name)
        result: str | None = cache[key]
        return result

    def _property_type_named(self, name: str) -> str | None:
        found = [m for m in self.members_named(name) if m.kind is MemberKind.PROPERTY]
        types = {m.type for m in found}
        if len(types) == 1:
            (only,) = types
            if only in self.datatypes:
                return only
        return None

    # -- datatypes, enums, globals --------------------------------------------

    def datatype(self, name: str) -> DataTypeInfo | None:
        return self.datatypes.get(name)

    def enum(self, name: str) -> EnumInfo | None:
        return self.enums.get(name)

    def library(self, name: str) -> LibraryInfo | None:
        """A Luau standard library (`string`, `math`, `task`, ...)."""
        return self.libraries.get(name)

    def signature(self, qualified: str) -> Arity | None:
        """The arity of a library function, global function or datatype constructor."""
        return self.signatures.get(qualified)

    def mistake(self, qualified: str) -> str | None:
        """What to write instead of a library function that does not exist (`table.contains`)."""
        return self.mistakes.get(qualified)

    @property
    def has_dump(self) -> bool:
        return any(s.kind == "dump" for s in self.sources)

    @staticmethod
    def deprecated_global(name: str) -> DeprecatedGlobal | None:
        return DEPRECATED_GLOBALS.get(name)

    @staticmethod
    def is_known_global(name: str) -> bool:
        return name in KNOWN_GLOBALS

    # -- client and server ------------------------------------------------------

    def member_side(self, class_name: str, member_name: str) -> SideRestriction | None:
        """Where `class_name.member_name` runs, when it only runs on one side."""
        key = (class_name, member_name)
        cache = self._side_cache
        if key not in cache:
            cache[key] = self._member_side(class_name, member_name)
        return cache[key]

    @cached_property
    def _side_cache(self) -> dict[tuple[str, str], SideRestriction | None]:
        return {}

    def _member_side(self, class_name: str, member_name: str) -> SideRestriction | None:
        for cls in self.ancestry(class_name) or [class_name]:
            found = self.side_members.get((cls, member_name))
            if found is not None:
                return found
        return None

    def service_side(self, service: str) -> SideRestriction | None:
        if service in self.client_only_services:
            return SideRestriction("client", self.client_only_services[service])
        if service in self.server_only_services:
            return SideRestriction("server", self.server_only_services[service])
        return None

    def side_by_member_name(self, member_name: str) -> tuple[str, SideRestriction] | None:
        """(class, restriction) when every class with a member of this name restricts it
        the same way, so the member is recognisable without knowing the receiver."""
        key = ("side", member_name)
        cache = self._by_name_cache
        if key not in cache:
            cache[key] = self._side_by_member_name(member_name)
        result: tuple[str, SideRestriction] | None = cache[key]
        return result

    def _side_by_member_name(self, member_name: str) -> tuple[str, SideRestriction] | None:
        owners = {m.owner for m in self.members_named(member_name)}
        if not owners:
            return None
        sides = {self.member_side(owner, member_name) for owner in owners}
        if len(sides) == 1:
            (only,) = sides
            if only is not None:
                return sorted(owners)[0], only
        return None

    # -- identity ---------------------------------------------------------------

    def fingerprint(self) -> str:
        """Changes when the facts change; '' for the curated table alone (it is hashed with the code)."""
        dumps = [s for s in self.sources if s.kind == "dump"]
        if not dumps:
            return ""
        return hashlib.sha256("|".join(s.sha256 or "" for s in dumps).encode()).hexdigest()[:16]

    def counts(self) -> dict[str, int]:
        detailed = [c for c in self.classes.values() if c.complete]
        return {
            "services": sum(1 for c in self.classes.values() if c.service),
            "classes": len(self.classes),
            "classes_with_members": len(detailed),
            "creatable_classes": sum(1 for c in self.classes.values() if self.is_creatable(c.name)),
            "members": sum(len(c.members) for c in self.classes.values()),
            "deprecated_members": sum(
                1 for c in self.classes.values() for m in c.members.values() if m.deprecated
            ),
            "datatypes": len(self.datatypes),
            "enums": len(self.enums),
            "enums_with_items": sum(1 for e in self.enums.values() if e.items is not None),
        }


# -- the curated table ------------------------------------------------------------


def _read_toml(name: str) -> dict[str, Any]:
    data = resources.files("luaurft.roblox").joinpath("data", "api", name)
    return tomllib.loads(data.read_text("utf-8"))


def _split_entry(entry: str) -> tuple[str, str | None]:
    name, _, type_ = entry.partition(":")
    return name.strip(), (type_.strip() or None)


def _split_event(entry: str) -> tuple[str, tuple[str, ...]]:
    name, _, rest = entry.partition("(")
    params = tuple(p.strip() for p in rest.rstrip(")").split(",") if p.strip())
    return name.strip(), params


def _member_table(
    owner: str,
    spec: Mapping[str, Any],
    deprecated: Mapping[str, str],
    readonly: Iterable[str] = (),
) -> dict[str, Member]:
    ro = set(readonly)
    members: dict[str, Member] = {}

    def add(name: str, kind: MemberKind, type_: str | None, params: tuple[str, ...] = ()) -> None:
        members[name] = Member(
            name=name,
            kind=kind,
            owner=owner,
            type=type_,
            params=params,
            readonly=name in ro,
            deprecated=name in deprecated,
            replacement=deprecated.get(name),
        )

    for entry in spec.get("properties", ()):
        name, type_ = _split_entry(entry)
        add(name, MemberKind.PROPERTY, type_)
    for entry in spec.get("methods", ()):
        name, type_ = _split_entry(entry)
        add(name, MemberKind.METHOD, type_)
    for entry in spec.get("events", ()):
        name, params = _split_event(entry)
        add(name, MemberKind.EVENT, "RBXScriptSignal", params)
    for name in spec.get("callbacks", ()):
        add(name, MemberKind.CALLBACK, None)
    return members


def _curated() -> ApiIndex:
    names = _read_toml("names.toml")
    classes_doc = _read_toml("classes.toml")
    datatypes_doc = _read_toml("datatypes.toml")
    enums_doc = _read_toml("enums.toml")
    context = _read_toml("context.toml")

    index = ApiIndex(sources=(ApiSource("curated"),))
    deprecated_classes: dict[str, str] = names.get("deprecated_classes", {})
    for name in names["services"]:
        index.classes[name] = ClassInfo(name, superclass="Instance", service=True, creatable=False)
    for name in names["creatable"]:
        index.classes.setdefault(name, ClassInfo(name, superclass="Instance"))
    for name, spec in classes_doc["class"].items():
        index.classes[name] = ClassInfo(
            name=name,
            superclass=spec.get("superclass"),
            service=bool(spec.get("service", False)),
            creatable=bool(spec.get("creatable", not spec.get("service", False))),
            sealed=bool(spec.get("sealed", False)),
            complete=True,
            members=_member_table(name, spec, spec.get("deprecated", {}), spec.get("readonly", ())),
        )
    for name, replacement in deprecated_classes.items():
        # Deprecated classes not listed above are abstract ones (BodyMover, ...).
        info = index.classes.setdefault(
            name, ClassInfo(name, superclass="Instance", creatable=False)
        )
        info.deprecated = True
        info.replacement = replacement
    # Classes known by name only get "Instance" as superclass (all that is
    # certain) and are never complete, so no member is ever called unknown on them.

    for name, spec in datatypes_doc["datatype"].items():
        deprecated = spec.get("deprecated", {})
        dt = DataTypeInfo(name=name, complete=bool(spec.get("complete", False)))
        dt.members = _member_table(name, spec, deprecated)
        functions = [e.replace("()", "", 1) for e in spec.get("library", ()) if "()" in e]
        constants = [e for e in spec.get("library", ()) if "()" not in e]
        dt.library = _member_table(name, {"properties": constants, "methods": functions}, {})
        index.datatypes[name] = dt

    for name in names["enums"]:
        index.enums[name] = EnumInfo(name)
    for name, spec in enums_doc["enum"].items():
        index.enums[name] = EnumInfo(
            name, frozenset(spec["items"]), frozenset(spec.get("deprecated", ()))
        )

    for side in ("client", "server"):
        block = context[f"{side}_only"]
        services = index.client_only_services if side == "client" else index.server_only_services
        services.update(block.get("services", {}))
        for key, reason in block.get("members", {}).items():
            cls, _, member = key.partition(".")
            index.side_members[(cls, member)] = SideRestriction(side, reason)
    index.child_hints = dict(context.get("child_hints", {}))
    index.name_only_methods = frozenset(context.get("name_only", {}).get("methods", ()))
    _read_stdlib(index, _read_toml("stdlib.toml"))
    return index


def _read_stdlib(index: ApiIndex, doc: Mapping[str, Any]) -> None:
    for name, spec in doc["library"].items():
        functions = {f: Arity.parse(a) for f, a in spec.get("functions", {}).items()}
        index.libraries[name] = LibraryInfo(
            name, functions, frozenset(spec.get("constants", ())), bool(spec.get("complete"))
        )
        index.signatures.update({f"{name}.{f}": arity for f, arity in functions.items()})
    for name, spec in doc["globals"]["functions"].items():
        index.signatures[name] = Arity.parse(spec)
    for name, spec in doc["constructors"].items():
        index.signatures[name] = Arity.parse(spec)
    index.mistakes.update(doc.get("mistakes", {}))


@cache
def curated_index() -> ApiIndex:
    """The curated table alone (shared; treat as read-only)."""
    return _curated()


# -- the full API dump --------------------------------------------------------------

_ARRAY_TYPES = frozenset({"Instances", "Objects"})


def _tags(entry: Mapping[str, Any]) -> tuple[set[str], str | None]:
    names: set[str] = set()
    preferred = None
    for tag in entry.get("Tags") or ():
        if isinstance(tag, str):
            names.add(tag)
        elif isinstance(tag, dict) and "PreferredDescriptorName" in tag:
            preferred = str(tag["PreferredDescriptorName"])
    return names, preferred


def _dump_type(value: Any, datatypes: Mapping[str, DataTypeInfo]) -> str | None:
    if isinstance(value, list):
        value = value[0] if value else None
    if not isinstance(value, dict):
        return None
    name = value.get("Name")
    if name in _ARRAY_TYPES:
        return "{Instance}"
    if value.get("Category") == "Class" or name in datatypes:
        return str(name)
    return None


def _dump_param(value: Any) -> str:
    type_ = value.get("Type", {}) if isinstance(value, dict) else {}
    name = str(type_.get("Name", "?"))
    return f"Enum.{name}" if type_.get("Category") == "Enum" else name


_DUMP_KINDS = {
    "Property": MemberKind.PROPERTY,
    "Function": MemberKind.METHOD,
    "Event": MemberKind.EVENT,
    "Callback": MemberKind.CALLBACK,
}


def read_dump(path: str | Path) -> dict[str, Any]:
    """Read and check an API dump file (either format Roblox emits)."""
    p = Path(path).expanduser()
    try:
        data = json.loads(p.read_bytes())
    except FileNotFoundError:
        raise ApiDumpError(
            f"no API dump at {p}; pass an existing API-Dump.json, or run "
            "`luaurft roblox-api update` to download one"
        ) from None
    except (OSError, ValueError) as exc:
        raise ApiDumpError(f"cannot read the API dump {p}: {exc}") from None
    if not isinstance(data, dict) or not isinstance(data.get("Classes"), list):
        raise ApiDumpError(
            f"{p} is not a Roblox API dump (no 'Classes' list); use API-Dump.json or "
            "Full-API-Dump.json from Roblox Studio or `luaurft roblox-api update`"
        )
    return data


def merge_dump(base: ApiIndex, data: Mapping[str, Any], source: ApiSource) -> ApiIndex:
    """A new index: `base` with the dump's facts laid over it."""
    index = ApiIndex(
        classes={},
        datatypes=base.datatypes,
        enums=dict(base.enums),
        client_only_services=base.client_only_services,
        server_only_services=base.server_only_services,
        side_members=base.side_members,
        child_hints=base.child_hints,
        name_only_methods=base.name_only_methods,
        libraries=base.libraries,
        signatures=base.signatures,
        mistakes=base.mistakes,
        sources=(*base.sources, source),
    )
    dumped: set[str] = set()
    for cls in data["Classes"]:
        name = str(cls.get("Name", ""))
        if not name:
            continue
        dumped.add(name)
        tags, preferred = _tags(cls)
        old = base.classes.get(name)
        superclass = cls.get("Superclass")
        members: dict[str, Member] = dict(old.members) if old else {}
        for raw in cls.get("Members") or ():
            kind = _DUMP_KINDS.get(str(raw.get("MemberType")))
            member_name = str(raw.get("Name", ""))
            if kind is None or not member_name:
                continue
            mtags, mpreferred = _tags(raw)
            known = members.get(member_name)
            deprecated = "Deprecated" in mtags
            replacement = None
            if deprecated:
                replacement = (
                    known.replacement
                    if known and known.replacement is not None
                    else (mpreferred or "")
                )
            if kind is MemberKind.PROPERTY:
                type_ = _dump_type(raw.get("ValueType"), base.datatypes)
            elif kind is MemberKind.METHOD:
                type_ = _dump_type(raw.get("ReturnType"), base.datatypes)
            elif kind is MemberKind.EVENT:
                type_ = "RBXScriptSignal"
            else:
                type_ = None
            members[member_name] = Member(
                name=member_name,
                kind=kind,
                owner=name,
                # Curated types are more precise ({Player} rather than {Instance}).
                type=known.type if known and known.type else type_,
                params=tuple(_dump_param(p) for p in raw.get("Parameters") or ())
                if kind is MemberKind.EVENT
                else (),
                readonly="ReadOnly" in mtags,
                deprecated=deprecated,
                replacement=replacement,
            )
        deprecated_cls = "Deprecated" in tags
        index.classes[name] = ClassInfo(
            name=name,
            superclass=None if superclass in (None, "", "<<<ROOT>>>") else str(superclass),
            service="Service" in tags,
            creatable="NotCreatable" not in tags and "Service" not in tags,
            sealed=old.sealed if old else False,
            deprecated=deprecated_cls,
            replacement=(
                (old.replacement if old and old.replacement is not None else preferred or "")
                if deprecated_cls
                else None
            ),
            complete=True,
            members=members,
        )
    for name, info in base.classes.items():
        if name not in dumped:
            index.classes[name] = info
    enums = data.get("Enums")
    if isinstance(enums, list):
        for enum in enums:
            name = str(enum.get("Name", ""))
            items = [i for i in enum.get("Items") or () if isinstance(i, dict)]
            # A legacy name still reaches its item (`Enum.RaycastFilterType.Blacklist` is
            # `Exclude`): an item, a deprecated one.
            legacy = {n for i in items for n in i.get("LegacyNames") or () if str(n).isidentifier()}
            index.enums[name] = EnumInfo(
                name,
                frozenset(str(i.get("Name")) for i in items) | legacy,
                frozenset(str(i.get("Name")) for i in items if "Deprecated" in _tags(i)[0])
                | legacy,
            )
    return index


# -- where the dump comes from ---------------------------------------------------------


def user_cache_dir() -> Path:
    """The platform's user cache directory for luaurft."""
    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local")
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Caches"
    else:
        base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "luaurft"


def cached_dump_path() -> Path:
    return user_cache_dir() / CACHE_DUMP_NAME


def resolve_dump_path(explicit: str | Path | None = None) -> tuple[Path | None, str]:
    """Which dump to load and why: an explicit path, `LUAURFT_API_DUMP`, the user cache, or none.

    An explicit path or environment variable that points nowhere is an error
    (someone asked for that file); a missing cache file just means "none".
    """
    if explicit:
        return Path(explicit).expanduser(), "--api-dump"
    env = os.environ.get(API_DUMP_ENV, "").strip()
    if env:
        return Path(env).expanduser(), API_DUMP_ENV
    cached = cached_dump_path()
    if cached.is_file():
        return cached, "user cache"
    return None, "none"


def load_index(api_dump: str | Path | None = None, *, use_environment: bool = True) -> ApiIndex:
    """The curated table, with a dump merged over it when one is given or found.

    `use_environment=False` ignores `LUAURFT_API_DUMP` and the cache (only
    `api_dump`, if given, is merged).
    """
    if api_dump is None and not use_environment:
        return curated_index()
    path, _ = resolve_dump_path(api_dump)
    if path is None:
        return curated_index()
    return _load_with_dump(str(path.resolve()), _file_stamp(path))


def _file_stamp(path: Path) -> tuple[int, int]:
    try:
        stat = path.stat()
    except OSError:
        return (0, 0)
    return (stat.st_mtime_ns, stat.st_size)


@cache
def _load_with_dump(path: str, stamp: tuple[int, int]) -> ApiIndex:
    raw = Path(path).read_bytes() if Path(path).is_file() else b""
    data = read_dump(path)
    version = data.get("Version")
    source = ApiSource(
        "dump",
        path=path,
        sha256=hashlib.sha256(raw).hexdigest(),
        version=str(version) if version is not None else None,
    )
    return merge_dump(curated_index(), data, source)


_default_dump: str | None = None


def set_api_dump(path: str | Path | None) -> None:
    """Make `default_index()` use this dump (None: back to env/cache resolution)."""
    global _default_dump
    if path is not None:
        read_dump(path)  # fail now, with a clear message, not in the middle of scoring
    _default_dump = str(path) if path is not None else None


# Every rule asks for the index of every piece of code it scores, so the path
# resolution (environment, home directory, symlinks) is done once per
# configuration; only the file's stamp is read on each call, so a dump that
# appears, changes or goes away is still noticed.
_dump_targets: dict[tuple[str | None, ...], tuple[str, bool]] = {}


def _dump_target() -> tuple[str, bool]:
    """(resolved path of the dump `default_index()` would read, whether it was asked for)."""
    key = (
        _default_dump,
        os.environ.get(API_DUMP_ENV),
        os.environ.get("XDG_CACHE_HOME"),
        os.environ.get("LOCALAPPDATA"),
        os.environ.get("HOME"),
    )
    target = _dump_targets.get(key)
    if target is None:
        env = (key[1] or "").strip()
        if _default_dump:
            target = (str(Path(_default_dump).expanduser().resolve()), True)
        elif env:
            target = (str(Path(env).expanduser().resolve()), True)
        else:
            target = (str(cached_dump_path().resolve()), False)
        _dump_targets[key] = target
    return target


def default_index() -> ApiIndex:
    """The index the rules use: `set_api_dump`'s path, else `LUAURFT_API_DUMP`, else the cache."""
    path, asked_for = _dump_target()
    try:
        stat = os.stat(path)
    except OSError:
        stat = None
    if stat is None or not S_ISREG(stat.st_mode):
        if not asked_for:
            return curated_index()
        return load_index(_default_dump)  # reports the missing or unreadable file
    return _load_with_dump(path, (stat.st_mtime_ns, stat.st_size))


# -- downloading the current dump ----------------------------------------------------

ROBLOX_SETUP_URL = "https://setup.rbxcdn.com"
_DUMP_FILES = ("Full-API-Dump.json", "API-Dump.json")


@dataclass(frozen=True, slots=True)
class DownloadedDump:
    path: Path
    version: str
    url: str
    size: int


def download_api_dump(
    dest: str | Path | None = None,
    *,
    base_url: str = ROBLOX_SETUP_URL,
    timeout: float = 30.0,
) -> DownloadedDump:
    """Download the current API dump from Roblox's setup CDN into `dest` (default: the cache).

    Asks `<base_url>/versionQTStudio` for the current Studio version, then
    fetches `<base_url>/<version>-Full-API-Dump.json` (or the plain
    `-API-Dump.json` when the full one is missing). Failures raise
    `ApiDumpError` with what went wrong; nothing is written then.
    """
    import httpx

    target = Path(dest).expanduser() if dest else cached_dump_path()
    base = base_url.rstrip("/")
    hint = (
        "check the network connection, or download API-Dump.json yourself and pass "
        f"--api-dump PATH (or set {API_DUMP_ENV})"
    )
    try:
        with httpx.Client(timeout=timeout, follow_redirects=True) as client:
            version_url = f"{base}/versionQTStudio"
            reply = client.get(version_url)
            if reply.status_code != 200:
                raise ApiDumpError(
                    f"{version_url} answered HTTP {reply.status_code}; cannot tell the "
                    f"current Roblox version: {hint}"
                )
            version = reply.text.strip()
            if not version.startswith("version-") or len(version) > 64:
                raise ApiDumpError(
                    f"{version_url} did not answer with a Roblox version ({version[:40]!r}); {hint}"
                )
            tried: list[str] = []
            for name in _DUMP_FILES:
                url = f"{base}/{version}-{name}"
                reply = client.get(url)
                if reply.status_code == 200:
                    break
                tried.append(f"{url} (HTTP {reply.status_code})")
            else:
                raise ApiDumpError(f"no API dump for {version}: " + "; ".join(tried))
    except httpx.HTTPError as exc:
        reason = str(exc) or type(exc).__name__
        raise ApiDumpError(f"could not reach {base} ({reason}); {hint}") from None
    body = reply.content
    try:
        data = json.loads(body)
    except ValueError:
        raise ApiDumpError(f"{url} did not return JSON; {hint}") from None
    if not isinstance(data, dict) or not isinstance(data.get("Classes"), list):
        raise ApiDumpError(f"{url} did not return an API dump (no 'Classes' list)")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(target.name + ".partial")
        partial.write_bytes(body)
        partial.replace(target)
    except OSError as exc:
        raise ApiDumpError(f"cannot write the API dump to {target}: {exc}") from None
    return DownloadedDump(path=target, version=version, url=url, size=len(body))


def index_summary(index: ApiIndex) -> dict[str, Any]:
    """What an index holds, for `luaurft roblox-api info` (JSON-ready)."""
    return {
        "sources": [
            {"kind": s.kind, "path": s.path, "version": s.version, "sha256": s.sha256}
            for s in index.sources
        ],
        "counts": index.counts(),
        "fingerprint": index.fingerprint(),
        "cache_path": str(cached_dump_path()),
    }


def iter_curated_members(index: ApiIndex | None = None) -> Iterator[Member]:
    """Every member of the curated classes (for tests and reports)."""
    for info in (index or curated_index()).classes.values():
        if info.complete:
            yield from info.members.values()
