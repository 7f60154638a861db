"""`LuauSource`: one piece of Luau, parsed once.

Every rule and scorer reads the same object: the text, a line index, the
tree-sitter tree (built lazily, once) and the Luau compiler's verdict. Objects
are cached by content hash, so scoring the same code twice parses it once.
"""

from __future__ import annotations

import builtins
import hashlib
import itertools
import operator
import re
import threading
from collections import Counter, OrderedDict, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import ClassVar

import tree_sitter
import tree_sitter_luau

from luaurft.errors import SourceDecodeError

_LANGUAGE = tree_sitter.Language(tree_sitter_luau.language())

# The node index files nodes by kind id, not by `node.type`: an int instead of a
# new string for each of the ~1.4 million nodes of a megabyte of code. Kinds that
# share a name (a named and an anonymous `nil`, aliases) share one list, so each
# name's list is in document order as it is walked.
_KIND_OF_ID: tuple[str, ...] = tuple(
    _LANGUAGE.node_kind_for_id(k) or f"<kind {k}>" for k in range(_LANGUAGE.node_kind_count)
)
_KIND_NAMES: tuple[str, ...] = tuple(sorted(set(_KIND_OF_ID)))
# Nodes whose children are statements.
_BLOCKS = frozenset({"chunk", "block"})
_KIND_SLOT: tuple[int, ...] = tuple(_KIND_NAMES.index(name) for name in _KIND_OF_ID)

# pluau's compiler reports "syntax error: <line>: <message>"; the chunk name may
# precede the line when code is loaded through a VM ("src/lib.rs:389:1: ...").
_COMPILE_ERROR = re.compile(r"^(?:syntax error:\s*)?(?:.*?:)?\s*(\d+):\s*(.*)$", re.DOTALL)

# git's merge-conflict markers: the two sides' edges (with the branch or commit
# after them), diff3's base section and the separator, each alone on a line.
_CONFLICT_EDGE = re.compile(r"^(?:<{7}|>{7})(?:[ \t].*)?$", re.MULTILINE)
_CONFLICT_MARKER = re.compile(r"^(?:(?:<{7}|>{7}|\|{7})(?:[ \t].*)?|={7}[ \t]*)\r?$")


def luau_language() -> tree_sitter.Language:
    """The tree-sitter Luau grammar, for rules that build queries."""
    return _LANGUAGE


def field_id(name: str) -> int:
    """The grammar's id for a field name: `node.child_by_field_id(field_id("table"))` is
    `node.child_by_field_name("table")` without looking the name up on every call."""
    found = _LANGUAGE.field_id_for_name(name)
    if found is None:
        raise ValueError(f"the Luau grammar has no field {name!r}")
    return found


@dataclass(frozen=True, slots=True)
class CompileError:
    """The Luau compiler's reason for rejecting code (1-based line; column when known)."""

    message: str
    line: int
    column: int | None = None


@dataclass(frozen=True, slots=True)
class CompileResult:
    """The Luau compiler's verdict: `ok` with the bytecode size, or the error."""

    ok: bool
    bytecode_size: int = 0
    error: CompileError | None = None


def compile_luau(text: str) -> CompileResult:
    """Compile `text` with Luau's own compiler (through pluau) and report the verdict."""
    import pluau

    compiler = pluau.Compiler(1, 1, 0, 0)
    try:
        bytecode = compiler.compile(text)
    except RuntimeError as exc:
        return CompileResult(ok=False, error=parse_compile_error(str(exc)))
    return CompileResult(ok=True, bytecode_size=len(bytecode))


def parse_compile_error(raw: str) -> CompileError:
    """Turn a compiler message such as "syntax error: 4: Expected 'end'" into a CompileError."""
    match = _COMPILE_ERROR.match(raw.strip())
    if not match:
        return CompileError(message=raw.strip(), line=1)
    return CompileError(message=match.group(2).strip(), line=int(match.group(1)))


# The sort key of document order (a C getter: merged lists sort tens of thousands of nodes).
_start_byte = operator.attrgetter("start_byte")


def _index_nodes(
    cursor: tree_sitter.TreeCursor,
    by_slot: list[list[tree_sitter.Node]],
    others: dict[str, list[tree_sitter.Node]],
) -> int:
    """Append every node under the cursor, in document order, to its kind's list;
    return how many levels deep the tree goes below the cursor's node."""
    slot = _KIND_SLOT
    depth = deepest = 0
    while True:
        # A cursor on a tree always has a node (no `is None` test per node).
        node: tree_sitter.Node = cursor.node  # type: ignore[assignment]
        try:
            by_slot[slot[node.kind_id]].append(node)
        except IndexError:
            others[node.type].append(node)
        if cursor.goto_first_child():
            depth += 1
            if depth > deepest:
                deepest = depth
            continue
        while not cursor.goto_next_sibling():
            if not cursor.goto_parent():
                return deepest
            depth -= 1


def _node_text_of(text: str, encoded: bytes, ascii: bool) -> Callable[[tree_sitter.Node], str]:
    """`LuauSource.node_text` for one text. The function holds the text, never the
    `LuauSource`: a reference back would make a cycle only the cyclic collector frees."""
    if ascii:

        def node_text(node: tree_sitter.Node) -> str:
            return text[node.start_byte : node.end_byte]

    else:

        def node_text(node: tree_sitter.Node) -> str:
            return encoded[node.start_byte : node.end_byte].decode("utf-8", "replace")

    return node_text


class LuauSource:
    """Luau code with everything the scorers need, computed at most once.

    Build it with `LuauSource.of(text)` (cached by content hash) or
    `LuauSource.from_bytes(data)`; the constructor itself does no caching.
    """

    _cache: ClassVar[OrderedDict[str, LuauSource]] = OrderedDict()
    _cache_lock: ClassVar[threading.Lock] = threading.Lock()
    cache_size: ClassVar[int] = 512

    #: `node_text(node)`: the source text of a node. A function made for this
    #: text (see `_node_text_of`) rather than a method: rules call it about a
    #: million times per megabyte of code, and a method would look up the text
    #: and its encoding on the instance every time.
    node_text: Callable[[tree_sitter.Node], str]
    # Rules read these for most nodes they look at. Plain attributes
    # set in `__init__` (not `cached_property`, whose class-level descriptor keeps
    # CPython from specialising the read) cost a fifth as much per read.
    bytes: builtins.bytes
    lines: list[str]

    def __init__(self, text: str, *, path: str | None = None) -> None:
        # Luau treats a carriage return before a newline as whitespace; rules
        # count lines, so normalise once here.
        self.text = text.replace("\r\n", "\n").replace("\r", "\n")
        self.path = path
        encoded = self.text.encode("utf-8", "surrogatepass")
        self.sha256 = hashlib.sha256(encoded).hexdigest()
        # The parse and the node texts read this encoding, made once.
        self.bytes = encoded
        #: The text's lines without their newline; `lines[0]` is line 1.
        self.lines = self.text.split("\n")
        # In ASCII text tree-sitter's byte offsets are character offsets, so
        # node texts and columns are plain slices (rules ask for them a lot).
        self._ascii = self.text.isascii()
        self.node_text = _node_text_of(self.text, encoded, self._ascii)
        self._merged: dict[tuple[str, ...], list[tree_sitter.Node]] = {}
        self._lock = threading.Lock()

    # -- construction -----------------------------------------------------

    @classmethod
    def of(cls, text: str, *, path: str | None = None) -> LuauSource:
        """The shared `LuauSource` for this text (one per content hash)."""
        key = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
        with cls._cache_lock:
            hit = cls._cache.get(key)
            if hit is not None:
                cls._cache.move_to_end(key)
                return hit
        source = cls(text, path=path)
        with cls._cache_lock:
            cls._cache[key] = source
            while len(cls._cache) > cls.cache_size:
                cls._cache.popitem(last=False)
        return source

    @classmethod
    def from_bytes(cls, data: builtins.bytes, *, path: str | None = None) -> LuauSource:
        """Decode UTF-8 (a BOM is dropped); other bytes raise `SourceDecodeError`."""
        if data.startswith(b"\xef\xbb\xbf"):
            data = data[3:]
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise SourceDecodeError(exc.start, exc.reason, origin=path) from None
        if "\x00" in text:
            raise SourceDecodeError(text.index("\x00"), "NUL byte in text", origin=path)
        return cls.of(text, path=path)

    @classmethod
    def from_path(cls, path: str | Path) -> LuauSource:
        """Read and decode a file; unreadable or binary files raise a `LuaurftError`."""
        p = Path(path)
        return cls.from_bytes(p.read_bytes(), path=str(p))

    # -- text and lines ---------------------------------------------------

    @cached_property
    def _line_byte_starts(self) -> list[int]:
        # Each line starts one byte after the previous line and its newline.
        lengths = [len(line) + 1 for line in self.bytes.split(b"\n")]
        lengths[-1:] = []
        return list(itertools.accumulate(lengths, initial=0))

    def line_byte_range(self, number: int) -> tuple[int, int]:
        """The byte offsets (start, end) of 1-based line `number`, its newline left out."""
        starts = self._line_byte_starts
        start = starts[number - 1]
        end = starts[number] - 1 if number < len(starts) else len(self.bytes)
        return start, end

    def line(self, number: int) -> str:
        """The text of 1-based line `number` ('' when out of range)."""
        if 1 <= number <= len(self.lines):
            return self.lines[number - 1]
        return ""

    def column_of(self, node: tree_sitter.Node) -> int:
        """1-based character column of a node's start (tree-sitter counts bytes)."""
        row, col = node.start_point
        if self._ascii:
            return col + 1
        start = self._line_byte_starts[row]
        return len(self.bytes[start : start + col].decode("utf-8", "replace")) + 1

    @property
    def is_ascii(self) -> bool:
        """True when every character is ASCII: byte offsets are character offsets."""
        return self._ascii

    @cached_property
    def is_blank(self) -> bool:
        return not self.text.strip()

    # -- tree-sitter ------------------------------------------------------

    @cached_property
    def tree(self) -> tree_sitter.Tree:
        """The tree-sitter tree, parsed on first use."""
        parser = tree_sitter.Parser(_LANGUAGE)
        return parser.parse(self.bytes)

    @property
    def root(self) -> tree_sitter.Node:
        return self.tree.root_node

    @cached_property
    def tree_has_errors(self) -> bool:
        """True when tree-sitter could not parse everything (partial analysis)."""
        return self.root.has_error

    @cached_property
    def misparsed_lines(self) -> tuple[tuple[int, int], ...]:
        """The (first, last) lines of every statement holding a tree-sitter parse
        error, in order; empty for a clean tree.

        Where the code compiles, such a statement is one the grammar could not
        read although Luau can (the grammar lags the language: generic function
        types, `{} :: typeof(...)`), so its tree is not what Luau reads. An error
        that stands as a statement of its own is the unread tail of the one before
        it, which is taken in too."""
        if not self.root.has_error:
            return ()
        spans: list[tuple[int, int]] = []
        for error in self.nodes("ERROR"):
            statement = error
            while statement.parent is not None and statement.parent.type not in _BLOCKS:
                statement = statement.parent
            first = statement
            if statement is error and statement.prev_named_sibling is not None:
                first = statement.prev_named_sibling
            spans.append((first.start_point[0] + 1, statement.end_point[0] + 1))
        return tuple(sorted(spans))

    @cached_property
    def _nodes_by_type(self) -> dict[str, list[tree_sitter.Node]]:
        # One walk of the whole tree, shared by every rule that asks for nodes by type.
        by_slot: list[list[tree_sitter.Node]] = [[] for _ in _KIND_NAMES]
        # ERROR nodes, whose kind id lies past the grammar's kinds.
        others: dict[str, list[tree_sitter.Node]] = defaultdict(list)
        self.__dict__["tree_depth"] = _index_nodes(self.tree.walk(), by_slot, others)
        index = {name: found for name, found in zip(_KIND_NAMES, by_slot, strict=True) if found}
        index.update(others)
        return index

    @cached_property
    def tree_depth(self) -> int:
        """How many levels the tree goes below its root (found by the node index's walk).

        Real scripts stay under a hundred; Luau refuses to compile code much past
        2,000 (`Exceeded allowed recursion depth`)."""
        self._nodes_by_type  # noqa: B018 - the walk that builds the index measures it
        return int(self.__dict__["tree_depth"])

    def nodes(self, *types: str) -> list[tree_sitter.Node]:
        """Every node of the given types, in document order (a shared list: do not modify it)."""
        if len(types) == 1:
            return self._nodes_by_type.get(types[0], [])
        # Several rules ask for the same mix of types; merge each mix once.
        found = self._merged.get(types)
        if found is None:
            found = [n for t in types for n in self._nodes_by_type.get(t, [])]
            found.sort(key=_start_byte)
            self._merged[types] = found
        return found

    def walk(self) -> Iterator[tree_sitter.Node]:
        """Every node, depth first, in document order."""
        stack = [self.root]
        while stack:
            node = stack.pop()
            yield node
            stack.extend(reversed(node.children))

    @cached_property
    def comments(self) -> list[tree_sitter.Node]:
        return self.nodes("comment")

    @cached_property
    def identifier_counts(self) -> Counter[str]:
        """How often each name is spelled by an identifier of the tree (the script-kind
        inference and the rules' name screens both ask)."""
        identifiers = self.nodes("identifier")
        if self._ascii:
            text = self.text
            return Counter([text[n.start_byte : n.end_byte] for n in identifiers])
        return Counter([self.node_text(n) for n in identifiers])

    @cached_property
    def conflict_marker_lines(self) -> tuple[int, ...]:
        """1-based lines that are git merge-conflict markers (`<<<<<<< HEAD`,
        `=======`, `>>>>>>> main`): the text holds both sides of a merge left
        unresolved. Empty for code that compiles, where such a line can only sit in
        a long string or comment, and without a `<<<<<<<` or `>>>>>>>` line: a lone
        `=======` is more likely a prose underline than a merge."""
        if _CONFLICT_EDGE.search(self.text) is None or self.compiles:
            return ()
        return tuple(i + 1 for i, line in enumerate(self.lines) if _CONFLICT_MARKER.match(line))

    # -- the compiler -----------------------------------------------------

    @cached_property
    def compiled(self) -> CompileResult:
        """Luau's compiler verdict; it decides whether code is valid."""
        return compile_luau(self.text)

    @property
    def compiles(self) -> bool:
        return self.compiled.ok

    def __repr__(self) -> str:
        where = f" {self.path}" if self.path else ""
        return f"<LuauSource{where} {len(self.lines)} lines sha256={self.sha256[:10]}>"
