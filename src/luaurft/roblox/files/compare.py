"""Differences between two instance trees, in words.

Used to check that a binary and an XML copy of a file (or a tree and what the
writer made of it) hold the same instances: same classes, names and parents in
the same order, the same properties with values equal within a float
tolerance (float32 in one file, decimal text in the other), the same
attributes and tags. Refs compare by where their targets sit in each tree.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Collection, Iterator
from dataclasses import dataclass, fields, is_dataclass

from luaurft.roblox.files.tree import Instance, RobloxTree
from luaurft.roblox.files.values import Content, PropertyValue, Ref

#: The side of a property or attribute one tree lacks.
MISSING = object()


@dataclass(frozen=True, slots=True)
class Difference:
    """One way two trees differ. `kind`: "only_first" / "only_second" (an instance
    and what is below it, with `ordinal` among its same-class same-name siblings),
    "property" / "attribute" (`name`, `old` from the first tree, `new` from the
    second, MISSING on the side that lacks it) or "tags" (`old`, `new` lists).
    `instance` is the first tree's for a pair."""

    kind: str
    instance: Instance
    name: str = ""
    old: object = None
    new: object = None
    ordinal: int = 0


def _keyed(siblings: list[Instance]) -> dict[tuple[str, str, int], Instance]:
    """Siblings by (class, name, how many before it had both): the same key in two
    trees is the same instance even when the files list siblings in other orders."""
    seen: dict[tuple[str, str], int] = {}
    out = {}
    for node in siblings:
        key = (node.class_name, node.name)
        out[(*key, seen.get(key, 0))] = node
        seen[key] = seen.get(key, 0) + 1
    return out


def _pairs(
    a: list[Instance], b: list[Instance], unmatched: list[Difference]
) -> Iterator[tuple[Instance, Instance]]:
    stack = [(a, b)]
    while stack:
        left_siblings, right_siblings = stack.pop()
        left, right = _keyed(left_siblings), _keyed(right_siblings)
        for key, node in left.items():
            other = right.get(key)
            if other is None:
                unmatched.append(Difference("only_first", node, ordinal=key[2]))
                continue
            yield node, other
            stack.append((node.children, other.children))
        for key, node in right.items():
            if key not in left:
                unmatched.append(Difference("only_second", node, ordinal=key[2]))


def _normal(value: object) -> object:
    if isinstance(value, Content) and value.object_ref is None:
        value = value.uri or ""
    if isinstance(value, bytes):
        return bytes(value)
    if isinstance(value, str):
        return str(value).encode("utf-8")
    return value


class _Comparer:
    def __init__(self, pairing: dict[int, Instance], rel_tol: float, abs_tol: float) -> None:
        self.pairing = pairing
        self.rel_tol = rel_tol
        self.abs_tol = abs_tol

    def same(self, a: object, b: object) -> bool:
        a, b = _normal(a), _normal(b)
        if isinstance(a, Ref) and isinstance(b, Ref):
            if a.target is None or b.target is None:
                return a.target is None and b.target is None
            return self.pairing.get(id(a.target)) is b.target
        if isinstance(a, bool) or isinstance(b, bool):
            return a is b or (isinstance(a, bool) and isinstance(b, bool) and a == b)
        if isinstance(a, int) and isinstance(b, int):
            return a == b
        if isinstance(a, (int, float)) and isinstance(b, (int, float)):
            if math.isnan(a) or math.isnan(b):
                return math.isnan(a) and math.isnan(b)
            return math.isclose(a, b, rel_tol=self.rel_tol, abs_tol=self.abs_tol)
        if isinstance(a, tuple) and isinstance(b, tuple):
            return len(a) == len(b) and all(self.same(x, y) for x, y in zip(a, b, strict=True))
        if is_dataclass(a) and type(a) is type(b):
            return all(self.same(getattr(a, f.name), getattr(b, f.name)) for f in fields(a))
        return bool(a == b)


def differences(
    a: RobloxTree,
    b: RobloxTree,
    *,
    rel_tol: float = 1e-6,
    abs_tol: float = 1e-6,
    ignore_properties: Collection[str] = (),
) -> Iterator[Difference]:
    """Every difference between two trees: those of paired instances first (their
    properties, attributes, tags), then the instances only one tree has."""
    unmatched: list[Difference] = []
    pairs = list(_pairs(a.roots, b.roots, unmatched))
    pairing = {id(left): right for left, right in pairs}
    comparer = _Comparer(pairing, rel_tol, abs_tol)
    for left, right in pairs:
        for kind, old_values, new_values, ignored in (
            ("property", left.properties, right.properties, ignore_properties),
            ("attribute", left.attributes, right.attributes, ()),
        ):
            for name in sorted(set(old_values) | set(new_values)):
                if name in ignored:
                    continue
                old, new = old_values.get(name, MISSING), new_values.get(name, MISSING)
                if old is MISSING or new is MISSING or not comparer.same(old, new):
                    yield Difference(kind, left, name, old, new)
        if left.tags != right.tags:
            yield Difference("tags", left, old=list(left.tags), new=list(right.tags))
    yield from unmatched


def _line(difference: Difference) -> str:
    node, name = difference.instance, difference.name
    where = node.full_name
    match difference.kind:
        case "only_first" | "only_second":
            side = "first" if difference.kind == "only_first" else "second"
            return f"{where} ({node.class_name}): only in the {side} tree"
        case "tags":
            return f"{where}: tags {difference.old!r} vs {difference.new!r}"
    if difference.old is MISSING or difference.new is MISSING:
        side = "first" if difference.old is MISSING else "second"
        return f"{where}.{name}: {difference.kind} missing from the {side} tree"
    return f"{where}.{name}: {difference.old!r} vs {difference.new!r}"


def tree_differences(
    a: RobloxTree,
    b: RobloxTree,
    *,
    rel_tol: float = 1e-6,
    abs_tol: float = 1e-6,
    ignore_properties: Collection[str] = (),
    limit: int = 50,
) -> list[str]:
    """What differs between two trees, one line each (empty when they hold the
    same instances); at most `limit` lines."""
    found = differences(a, b, rel_tol=rel_tol, abs_tol=abs_tol, ignore_properties=ignore_properties)
    return [_line(d) for d in itertools.islice(found, limit)]


def same_value(a: PropertyValue, b: PropertyValue, *, tol: float = 1e-6) -> bool:
    """Whether two property values are equal within `tol` (Refs by identity)."""
    return _Comparer({}, tol, tol).same(a, b)
