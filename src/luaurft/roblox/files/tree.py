"""The instance tree a place or model file holds.

A file is a forest: a place's roots are its services (children of the
DataModel), a model's roots are what it inserts. Each `Instance` keeps its
properties as the file stores them (serialized names, typed values from
`values`), except the two blobs every instance carries, which are decoded:
`AttributesSerialize` into `attributes` and `Tags` into `tags`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from luaurft.roblox.files.values import PropertyValue

#: Properties held decoded on the instance instead of in `properties`.
ATTRIBUTES_PROPERTY = "AttributesSerialize"
TAGS_PROPERTY = "Tags"
SCRIPT_CLASSES = ("Script", "LocalScript", "ModuleScript")


@dataclass(eq=False)
class Instance:
    class_name: str
    properties: dict[str, PropertyValue] = field(default_factory=dict)
    attributes: dict[str, PropertyValue] = field(default_factory=dict)
    tags: list[str] = field(default_factory=list)
    children: list[Instance] = field(default_factory=list)
    parent: Instance | None = field(default=None, repr=False)

    @property
    def name(self) -> str:
        value = self.properties.get("Name")
        return value if isinstance(value, str) else self.class_name

    @property
    def path(self) -> tuple[str, ...]:
        """Names from the root of the file down to this instance."""
        names: list[str] = []
        node: Instance | None = self
        while node is not None:
            names.append(node.name)
            node = node.parent
        return tuple(reversed(names))

    @property
    def full_name(self) -> str:
        return ".".join(self.path)

    def add_child(self, child: Instance) -> Instance:
        child.parent = self
        self.children.append(child)
        return child

    def find_first_child(self, name: str) -> Instance | None:
        return next((c for c in self.children if c.name == name), None)

    def descendants(self) -> Iterator[Instance]:
        """Every instance below this one, parents before children."""
        stack = list(reversed(self.children))
        while stack:
            node = stack.pop()
            yield node
            stack.extend(reversed(node.children))


@dataclass(eq=False)
class RobloxTree:
    """The instances of one file, with its metadata and what the reader skipped."""

    roots: list[Instance] = field(default_factory=list)
    meta: dict[str, str] = field(default_factory=dict)
    #: One line per skipped unknown chunk, property or attribute type.
    warnings: list[str] = field(default_factory=list)
    origin: str = "<memory>"

    def instances(self) -> Iterator[Instance]:
        """Every instance, parents before children, roots in file order."""
        for root in self.roots:
            yield root
            yield from root.descendants()

    def __len__(self) -> int:
        return sum(1 for _ in self.instances())

    def find(self, path: str | tuple[str, ...]) -> Instance | None:
        """The first instance at a dotted path (or tuple of names) from the roots."""
        names = tuple(path.split(".")) if isinstance(path, str) else path
        if not names:
            return None
        node = next((r for r in self.roots if r.name == names[0]), None)
        for name in names[1:]:
            if node is None:
                return None
            node = node.find_first_child(name)
        return node

    def scripts(self) -> Iterator[Instance]:
        """Every Script, LocalScript and ModuleScript, in tree order."""
        return (i for i in self.instances() if i.class_name in SCRIPT_CLASSES)
