"""A compact outline of a place's instance tree, for a prompt.

A model writing code for an existing place needs to know what is in it
(`workspace.School.Lights` holds Parts with PointLights), but a real place has
thousands of instances. The outline lists at most `max_instances` of them as an
indented tree, one per line, `Name (Class)`, chosen in this order:

1. instances whose name shares a word with the task ("every light in the
   school" reaches `School` and `Lights`), with their ancestors;
2. then the first child of every parent before the second of any (parents
   before children), so one crowded folder cannot hide the rest of the place.

A line whose children were not all listed says how many were left out, and
the last line says how many instances the place has in all.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from luaurft.roblox.project import InstancePath, ProjectNode, ProjectTree

#: Instances an outline lists at most: with typical names, 1,000 to 2,500 characters.
OUTLINE_MAX_INSTANCES = 60
#: Longer names are cut: an outline line stays short whatever the place holds.
_MAX_NAME = 40
# Words of a task too common to point at an instance.
_COMMON = frozenset(
    {
        "make",
        "every",
        "each",
        "when",
        "with",
        "that",
        "this",
        "from",
        "into",
        "then",
        "them",
        "they",
        "their",
        "there",
        "have",
        "will",
        "should",
        "would",
        "could",
        "script",
        "code",
        "game",
        "place",
        "player",
        "players",
        "turn",
        "using",
        "work",
        "works",
        "need",
        "want",
        "like",
        "only",
        "also",
    }
)


def task_words(task: str) -> frozenset[str]:
    """The words of `task` that can name an instance: lower case, four letters or
    more, a plural's final s dropped (`lights` finds `Light` and `Lights`)."""
    words = set()
    for raw in re.findall(r"[A-Za-z][A-Za-z0-9]{3,}", task):
        word = raw.lower()
        if word in _COMMON:
            continue
        words.add(word[:-1] if word.endswith("s") and len(word) > 4 else word)
    return frozenset(words)


def _relevant(name: str, words: frozenset[str]) -> bool:
    lowered = name.lower()
    return any(word in lowered for word in words)


def _shown_name(name: str) -> str:
    name = name if name.isprintable() else repr(name)
    return name if len(name) <= _MAX_NAME else name[: _MAX_NAME - 1] + "…"


def place_outline(
    tree: ProjectTree, task: str = "", *, max_instances: int = OUTLINE_MAX_INSTANCES
) -> str:
    """The outline of `tree` (see module docstring); empty for a tree without instances."""
    nodes = [n for n in tree.nodes if len(n.path) >= 2]
    if not nodes:
        return ""
    children: dict[InstancePath, list[ProjectNode]] = {}
    for node in nodes:
        children.setdefault(node.path[:-1], []).append(node)
    # A node's rank: the highest sibling index on its way down from its service,
    # never lower than its parent's, so parents always rank before children.
    rank: dict[InstancePath, int] = {}
    for siblings in children.values():
        for index, node in enumerate(siblings):
            rank[node.path] = index
    for node in nodes:  # parents before children
        rank[node.path] = max(rank[node.path], rank.get(node.path[:-1], 0))
    words = task_words(task)
    wanted: set[InstancePath] = set()
    for node in nodes:
        if words and _relevant(node.name, words):
            wanted.update(node.path[:depth] for depth in range(2, len(node.path) + 1))
    # Ancestors sort before descendants in both groups, so the chosen set is a tree.
    ranked = sorted(nodes, key=lambda n: (n.path not in wanted, rank[n.path], len(n.path)))
    shown = {n.path for n in ranked[:max_instances]}
    lines: list[str] = []
    services = list(dict.fromkeys(n.path[0] for n in nodes))
    for service in services:
        listed = [n for n in children.get((service,), []) if n.path in shown]
        if not listed:
            continue
        lines.append(service + _left_out(children.get((service,), []), shown))
        lines.extend(_lines(listed, children, shown, 1))
    lines.append(f"({len(shown)} of {len(nodes)} instances shown)")
    return "\n".join(lines)


def _left_out(siblings: Iterable[ProjectNode], shown: set[InstancePath]) -> str:
    hidden = sum(1 for n in siblings if n.path not in shown)
    return f" … {hidden} more inside" if hidden else ""


def _lines(
    listed: list[ProjectNode],
    children: dict[InstancePath, list[ProjectNode]],
    shown: set[InstancePath],
    depth: int,
) -> list[str]:
    out: list[str] = []
    stack = [(node, depth) for node in reversed(listed)]
    while stack:
        node, level = stack.pop()
        below = children.get(node.path, [])
        out.append(
            f"{'  ' * level}{_shown_name(node.name)} ({node.class_name})" + _left_out(below, shown)
        )
        stack.extend((child, level + 1) for child in reversed(below) if child.path in shown)
    return out


__all__ = ["OUTLINE_MAX_INSTANCES", "place_outline", "task_words"]
