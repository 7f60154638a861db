"""Scope analysis: which name each identifier refers to, in one walk of the tree.

`scope_analysis(ctx)` computes it once per piece of code (through
`RuleContext.memo("scope", ...)`) and every rule reads the same result:

- declarations: locals, local functions, parameters, for-loop variables and the
  implicit `self` of `function T:m()`, each with its reads, writes, the
  declaration it shadows and the group it was declared in (`local a, b = ...`);
- references: every identifier used as a value, resolved to its declaration or
  to a global, marked read and/or write (`x += 1` is both);
- globals read and written, function bodies and loops.

Luau's syntax is followed: identifiers inside type annotations, type aliases and
generic lists are types, not variables (they only mark a same-named local as
used, since a module local such as `Types` is often used only in `Types.Foo`);
`typeof(expr)` inside a type is a value use; interpolated strings hold
expressions; `repeat ... until cond` sees the body's locals; `local function f`
is visible in its own body, `local f = function` is not.

Where tree-sitter could not parse part of the code (ERROR nodes), the analysis
is partial: `in_error_region` and `reliable` let rules stay silent there.

The walk uses an explicit stack, so deeply nested code cannot exhaust Python's
recursion limit.
"""

from __future__ import annotations

import bisect
import operator
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING

from luaurft.luau.source import field_id

if TYPE_CHECKING:
    from tree_sitter import Node

    from luaurft.luau.source import LuauSource
    from luaurft.scoring.rule import RuleContext


# Field ids, looked up once: `child_by_field_id` skips the name lookup on every call.
_F_BODY = field_id("body")
_F_CLAUSE = field_id("clause")
_F_CONDITION = field_id("condition")
_F_NAME = field_id("name")
_F_PARAMETERS = field_id("parameters")
_F_TABLE = field_id("table")
# The index expressions whose table `_index_table_only` follows (see `dispatch`).
_INDEX_TYPES = frozenset({"dot_index_expression", "method_index_expression"})


class DeclKind(StrEnum):
    LOCAL = "local"
    LOCAL_FUNCTION = "local function"
    PARAMETER = "parameter"
    LOOP_VARIABLE = "loop variable"
    SELF = "self"


class ScopeKind(StrEnum):
    CHUNK = "chunk"
    FUNCTION = "function"
    BLOCK = "block"
    LOOP = "loop"


FUNCTION_NODES = frozenset({"function_declaration", "function_definition"})
LOOP_NODES = frozenset({"while_statement", "repeat_statement", "for_statement"})

# Subtrees that are types: identifiers inside them never name variables.
TYPE_NODES = frozenset(
    {
        "builtin_type",
        "empty_type",
        "field_type",
        "function_type",
        "generic_type",
        "intersection_type",
        "literal_type",
        "object_field_type",
        "object_type",
        "optional_type",
        "tuple_type",
        "union_type",
        "variadic_type",
        "type_definition",
    }
)

# Nodes with nothing to resolve inside.
_INERT = frozenset(
    {
        "comment",
        "string_content",
        "escape_sequence",
        "number",
        "nil",
        "true",
        "false",
        "hash_bang_line",
        "break_statement",
        "continue_statement",
        "empty_statement",
        "generic_type_list",
        "attribute",
    }
)


@dataclass(eq=False, slots=True)
class Scope:
    node: Node
    kind: ScopeKind
    parent: Scope | None
    function: FunctionInfo | None
    names: dict[str, Declaration] = field(default_factory=dict)

    def lookup(self, name: str) -> Declaration | None:
        scope: Scope | None = self
        while scope is not None:
            found = scope.names.get(name)
            if found is not None:
                return found
            scope = scope.parent
        return None

    def encloses(self, other: Scope) -> bool:
        """True when `other` is this scope or nested inside it."""
        scope: Scope | None = other
        while scope is not None:
            if scope is self:
                return True
            scope = scope.parent
        return False


@dataclass(eq=False, slots=True)
class Declaration:
    """One declared name. `node` is the declaring identifier (the function node for `self`)."""

    name: str
    kind: DeclKind
    node: Node
    scope: Scope
    function: FunctionInfo | None
    statement: Node
    value: Node | None = None
    index: int = 0
    group: list[Declaration] = field(default_factory=list)
    shadows: Declaration | None = None
    reads: list[Reference] = field(default_factory=list)
    writes: list[Reference] = field(default_factory=list)
    type_uses: int = 0

    @property
    def used(self) -> bool:
        return bool(self.reads) or self.type_uses > 0


@dataclass(eq=False, slots=True)
class Reference:
    """An identifier used as a value: read, written (assignment target) or both (`+=`)."""

    name: str
    node: Node
    declaration: Declaration | None
    scope: Scope
    read: bool = True
    write: bool = False
    # For writes: the assigned expression, when the assignment has one for this target.
    value: Node | None = None

    @property
    def is_global(self) -> bool:
        return self.declaration is None


@dataclass(eq=False, slots=True)
class FunctionInfo:
    node: Node
    scope: Scope
    parent: FunctionInfo | None
    body: Node | None
    parameters: list[Declaration] = field(default_factory=list)
    is_method: bool = False
    has_vararg: bool = False
    uses_vararg: bool = False
    # The local it is bound to (`local function f`, `local f = function`), if any.
    declaration: Declaration | None = None
    # The declared name as written (`f`, `M.f`, `M:f`), for function declarations.
    name: str | None = None

    def contains(self, node: Node) -> bool:
        return self.node.start_byte <= node.start_byte and node.end_byte <= self.node.end_byte


@dataclass(eq=False, slots=True)
class LoopInfo:
    node: Node
    scope: Scope
    function: FunctionInfo | None


@dataclass(eq=False)
class ScopeAnalysis:
    source: LuauSource
    root: Scope
    declarations: list[Declaration] = field(default_factory=list)
    references: list[Reference] = field(default_factory=list)
    functions: list[FunctionInfo] = field(default_factory=list)
    loops: list[LoopInfo] = field(default_factory=list)
    global_reads: dict[str, list[Reference]] = field(default_factory=lambda: defaultdict(list))
    global_writes: dict[str, list[Reference]] = field(default_factory=lambda: defaultdict(list))
    references_by_node: dict[int, Reference] = field(default_factory=dict)
    declarations_by_node: dict[int, Declaration] = field(default_factory=dict)
    functions_by_node: dict[int, FunctionInfo] = field(default_factory=dict)
    # Byte ranges tree-sitter could not parse (ERROR and MISSING nodes), sorted.
    error_ranges: list[tuple[int, int]] = field(default_factory=list)
    # Every scope the walk opened, the root first (what `release_analysis` unlinks).
    scopes: list[Scope] = field(default_factory=list)

    @property
    def partial(self) -> bool:
        """True when part of the code could not be parsed and the analysis may be incomplete."""
        return bool(self.error_ranges)

    def release_analysis(self) -> None:
        """Unlink the records from one another; the analysis is empty afterwards.

        Declarations list their reads and each read names its declaration, a scope
        maps names to declarations that name their scope, and so on: reference
        cycles that only the cyclic garbage collector frees, and it then has to
        scan them (with the tree they hold) many times first. Scoring calls this
        once a card is done (see `RuleContext.release`).
        """
        for decl in self.declarations:
            decl.reads.clear()
            decl.writes.clear()
            decl.group.clear()
        for info in self.functions:
            info.parameters.clear()
            info.declaration = None
        for scope in self.scopes:
            scope.names.clear()
            scope.function = None

    def named_in_order(self) -> list[Declaration]:
        """The names the code declares (locals, local functions, parameters, loop
        variables; not the implicit `self`), in document order."""
        found = [d for d in self.declarations if d.kind is not DeclKind.SELF]
        found.sort(key=_declared_at)
        return found

    def reference(self, identifier: Node) -> Reference | None:
        return self.references_by_node.get(identifier.id)

    def declaration(self, identifier: Node) -> Declaration | None:
        """The declaration an identifier declares or refers to, if any."""
        found = self.declarations_by_node.get(identifier.id)
        if found is not None:
            return found
        ref = self.references_by_node.get(identifier.id)
        return ref.declaration if ref is not None else None

    def function_info(self, node: Node) -> FunctionInfo | None:
        return self.functions_by_node.get(node.id)

    def enclosing_function(self, node: Node) -> FunctionInfo | None:
        """The innermost function whose body or parameters contain `node` (None: the chunk)."""
        parent = node.parent
        while parent is not None:
            if parent.type in FUNCTION_NODES:
                return self.functions_by_node.get(parent.id)
            parent = parent.parent
        return None

    def in_error_region(self, node: Node) -> bool:
        """True when `node` overlaps code tree-sitter could not parse."""
        if not self.error_ranges:
            return False
        i = bisect.bisect_right(self.error_ranges, (node.end_byte, node.end_byte))
        for start, end in self.error_ranges[max(0, i - 8) : i]:
            if start < node.end_byte and node.start_byte < end:
                return True
            if start == end and node.start_byte <= start <= node.end_byte:
                return True
        return any(
            start <= node.start_byte and node.end_byte <= end
            for start, end in self.error_ranges[:i]
        )

    def reliable(self, declaration: Declaration) -> bool:
        """True when every use of `declaration` was parsed: its scope holds no parse error."""
        return not self.error_ranges or not declaration.scope.node.has_error

    def names_in_errors(self) -> set[str]:
        """Identifier texts inside unparsed regions (they may hide declarations or uses)."""
        names: set[str] = set()
        for node in self.source.nodes("ERROR"):
            stack = [node]
            while stack:
                current = stack.pop()
                if current.type == "identifier":
                    names.add(self.source.node_text(current))
                stack.extend(current.children)
        return names


_Task = tuple[Callable[["Node", Scope], None], "Node", Scope]


# Document order of references and declarations: C getters as sort keys.
_start = operator.attrgetter("node.start_byte")
_declared_at = operator.attrgetter("node.start_byte")


class _Walker:
    """Visits the tree once, in document order, keeping the scope chain."""

    def __init__(self, source: LuauSource) -> None:
        self.source = source
        # ASCII text is sliced by byte offsets directly (`LuauSource.node_text`'s fast path).
        self._ascii_text = source.text if source.is_ascii else ""
        root = source.root
        self.root_scope = Scope(node=root, kind=ScopeKind.CHUNK, parent=None, function=None)
        self.result = ScopeAnalysis(source=source, root=self.root_scope)
        self.result.scopes.append(self.root_scope)
        self.stack: list[_Task] = []
        # Read for every name and every string: held here, not looked up through
        # `self.source` / `self.result` each time.
        self._bytes = source.bytes
        self._references = self.result.references
        self._references_by_node = self.result.references_by_node
        self._global_reads = self.result.global_reads
        self.handlers: dict[str, Callable[[Node, Scope], None]] = {
            "identifier": self._read,
            "variable_declaration": self._local_declaration,
            "function_declaration": self._function_declaration,
            "function_definition": self._function_definition,
            "assignment_statement": self._assignment,
            "update_statement": self._update,
            "do_statement": self._do,
            "while_statement": self._while,
            "repeat_statement": self._repeat,
            "if_statement": self._if,
            "elseif_statement": self._if,
            "else_statement": self._if,
            "for_statement": self._for,
            "dot_index_expression": self._index_table_only,
            "method_index_expression": self._index_table_only,
            "field": self._field,
            "vararg_expression": self._vararg,
            # Unparsed code: resolve what names it holds; rules skip error regions.
            "ERROR": self._children,
            "cast_expression": self._cast,
        }
        # What `_visit` does with each node type, decided once: a handler, the
        # type walk, nothing (inert) or the children; unknown types get the children.
        self.dispatch: dict[str, Callable[[Node, Scope], None] | None] = {
            **{kind: None for kind in _INERT},
            **{kind: self._type for kind in TYPE_NODES},
            **self.handlers,
        }
        self.visit_children = self._children
        self.visit = self._visit

    # -- driver -------------------------------------------------------------

    def run(self) -> ScopeAnalysis:
        for node in self.source.nodes("ERROR"):
            self.result.error_ranges.append((node.start_byte, node.end_byte))
        self._collect_missing()
        # tree-sitter may read a merge-conflict marker's branch (`<<<<<<< HEAD`) as
        # a name: the line is no more code than an unparsed one.
        for number in self.source.conflict_marker_lines:
            self.result.error_ranges.append(self.source.line_byte_range(number))
        self.result.error_ranges.sort()
        self.stack.append((self._children, self.source.root, self.root_scope))
        stack = self.stack
        while stack:
            handler, node, scope = stack.pop()
            handler(node, scope)
        for decl in self.result.declarations:
            if len(decl.reads) > 1:
                decl.reads.sort(key=_start)
        # Globals in reading order too: a rule reports a name at its first use, which the
        # walk's stack order may not visit first (`f(g(x), x)`).
        for refs in (*self.result.global_reads.values(), *self.result.global_writes.values()):
            if len(refs) > 1:
                refs.sort(key=_start)
        # The handler tables hold bound methods of this walker: a reference cycle
        # only the cyclic garbage collector could free, keeping the result, the
        # source and its tree alive until it runs. Break it now.
        self.handlers.clear()
        self.dispatch.clear()
        del self.visit, self.visit_children
        return self.result

    def _collect_missing(self) -> None:
        if not self.source.root.has_error:
            return
        stack = [self.source.root]
        while stack:
            node = stack.pop()
            if node.is_missing:
                self.result.error_ranges.append((node.start_byte, node.end_byte))
            stack.extend(c for c in node.children if c.has_error or c.is_missing)

    def _scope(
        self, node: Node, kind: ScopeKind, parent: Scope, function: FunctionInfo | None
    ) -> Scope:
        scope = Scope(node, kind, parent, function)
        self.result.scopes.append(scope)
        return scope

    def _push(self, tasks: list[_Task]) -> None:
        # Tasks run in list order: the stack pops the last pushed first.
        self.stack.extend(reversed(tasks))

    def _visit(self, node: Node, scope: Scope) -> None:
        handler = self.dispatch.get(node.type, self.visit_children)
        if handler is not None:
            handler(node, scope)

    def _children(self, node: Node, scope: Scope) -> None:
        """Visit the named children in order (names at once, the rest through the stack)."""
        dispatch = self.dispatch
        visit_children = self.visit_children
        read = self._read
        stack = self.stack
        while True:
            tasks: list[_Task] = []
            for child in node.named_children:
                kind = child.type
                if kind == "identifier":
                    # Nothing in an expression declares a name in this scope, so
                    # resolving it now or later gives the same answer.
                    read(child, scope)
                elif kind == "string":
                    # Only interpolated (backtick) strings hold expressions.
                    if self._bytes[child.start_byte] == 0x60:
                        tasks.append((visit_children, child, scope))
                else:
                    # The handler `_visit` would pick, chosen now: one call less per node.
                    handler = dispatch.get(kind, visit_children)
                    if handler is not None:
                        tasks.append((handler, child, scope))
            if not tasks:
                return
            first = tasks[0]
            if first[0] is not visit_children:
                stack.extend(reversed(tasks))
                return
            # The stack would pop the first task next: visit its children here,
            # one push and pop less (most expressions nest calls in calls).
            if len(tasks) > 1:
                del tasks[0]
                stack.extend(reversed(tasks))
            node = first[1]

    def _cast(self, node: Node, scope: Scope) -> None:
        # `value :: Type`: the part after `::` is a type. A cast of a cast
        # (`x :: A :: B`) is followed down in this loop, in the order a recursion
        # would take, so a long chain cannot exhaust Python's stack.
        frames = [(node.children, 0, False)]
        while frames:
            children, index, after = frames.pop()
            while index < len(children):
                child = children[index]
                index += 1
                if child.type == "::":
                    after = True
                elif not child.is_named:
                    continue
                elif after:
                    self._type(child, scope)
                elif child.type == "cast_expression":
                    frames.append((children, index, after))
                    frames.append((child.children, 0, False))
                    break
                else:
                    self._visit(child, scope)

    # -- names --------------------------------------------------------------

    def _text(self, node: Node) -> str:
        return self.source.node_text(node)

    def _declare(
        self,
        ident: Node,
        kind: DeclKind,
        scope: Scope,
        statement: Node,
        *,
        value: Node | None = None,
        index: int = 0,
        group: list[Declaration] | None = None,
        name: str | None = None,
    ) -> Declaration:
        text = name if name is not None else self.source.node_text(ident)
        decl = Declaration(
            text,
            kind,
            ident,
            scope,
            scope.function,
            statement,
            value,
            index,
            [],
            scope.lookup(text),
        )
        if group is not None:
            group.append(decl)
            decl.group = group
        else:
            decl.group = [decl]
        scope.names[text] = decl
        self.result.declarations.append(decl)
        if kind is not DeclKind.SELF:
            self.result.declarations_by_node[ident.id] = decl
        return decl

    def _reference(
        self,
        ident: Node,
        scope: Scope,
        *,
        read: bool = True,
        write: bool = False,
        value: Node | None = None,
    ) -> Reference:
        name = self._text(ident)
        decl = scope.lookup(name)
        ref = Reference(name, ident, decl, scope, read, write, value)
        result = self.result
        result.references.append(ref)
        result.references_by_node[ident.id] = ref
        if decl is not None:
            if read:
                decl.reads.append(ref)
            if write:
                decl.writes.append(ref)
        else:
            if read:
                result.global_reads[name].append(ref)
            if write:
                result.global_writes[name].append(ref)
        return ref

    def _read(self, node: Node, scope: Scope) -> None:
        # `_reference(node, scope)` for the commonest case, a plain read, inlined.
        name = (
            self._ascii_text[node.start_byte : node.end_byte]
            if self._ascii_text
            else self.source.node_text(node)
        )
        found: Scope | None = scope
        decl = None
        while found is not None:
            decl = found.names.get(name)
            if decl is not None:
                break
            found = found.parent
        ref = Reference(name, node, decl, scope)
        self._references.append(ref)
        self._references_by_node[node.id] = ref
        if decl is not None:
            decl.reads.append(ref)
        else:
            self._global_reads[name].append(ref)

    # -- types --------------------------------------------------------------

    def _type(self, node: Node, scope: Scope) -> None:
        """A type annotation: identifiers mark same-named locals used; `typeof(e)` reads `e`."""
        stack = [node]
        while stack:
            current = stack.pop()
            if current.type == "identifier":
                decl = scope.lookup(self._text(current))
                if decl is not None:
                    decl.type_uses += 1
                continue
            in_typeof = False
            for child in current.children:
                kind = child.type
                if kind == "typeof":
                    in_typeof = True
                elif not child.is_named:
                    continue
                elif in_typeof:
                    # typeof(expr): the expression is a value read, not a type.
                    self.stack.append((self.visit, child, scope))
                    in_typeof = False
                else:
                    stack.append(child)

    # -- statements ---------------------------------------------------------

    def _block(self, block: Node | None, scope: Scope) -> list[_Task]:
        if block is None:
            return []
        # The handler `_visit` would pick, chosen now (inert statements dropped).
        dispatch = self.dispatch
        visit_children = self.visit_children
        tasks: list[_Task] = []
        for child in block.named_children:
            handler = dispatch.get(child.type, visit_children)
            if handler is not None:
                tasks.append((handler, child, scope))
        return tasks

    def _local_declaration(self, node: Node, scope: Scope) -> None:
        assignment = None
        names = None
        for child in node.children:
            kind = child.type
            if kind == "assignment_statement":
                assignment = child
            elif kind == "variable_list":
                names = child
        values: list[Node] = []
        # The values that pair with the names: only when the names are the assignment's.
        paired: list[Node] = []
        if assignment is not None:
            in_assignment = False
            for child in assignment.children:
                kind = child.type
                if kind == "variable_list":
                    names = child
                    in_assignment = True
                elif kind == "expression_list":
                    values = [c for c in child.named_children if c.type != "comment"]
            if in_assignment:
                paired = values
        visit = self.visit
        tasks: list[_Task] = [(visit, v, scope) for v in values]
        if names is not None:
            declare_locals = self._declare_locals

            def declare(names: Node, scope: Scope) -> None:
                declare_locals(names, scope, node, paired)

            tasks.append((declare, names, scope))
        self._push(tasks)

    def _declare_locals(
        self, names: Node, scope: Scope, statement: Node, values: list[Node]
    ) -> None:
        group: list[Declaration] = []
        after_colon = False
        idents: list[Node] = []
        for child in names.children:
            kind = child.type
            if kind == ":":
                after_colon = True
            elif not child.is_named or kind == "attribute":
                continue
            elif after_colon:
                self._type(child, scope)
                after_colon = False
            elif kind == "identifier":
                idents.append(child)
        for i, ident in enumerate(idents):
            value = values[i] if i < len(values) else None
            decl = self._declare(
                ident, DeclKind.LOCAL, scope, statement, value=value, index=i, group=group
            )
            if value is not None and value.type == "function_definition":
                info = self.result.functions_by_node.get(value.id)
                if info is not None and info.declaration is None:
                    info.declaration = decl

    def _assignment(self, node: Node, scope: Scope) -> None:
        targets, values = _targets_and_values(node)
        tasks: list[_Task] = [(self.visit, v, scope) for v in values]
        for i, target in enumerate(targets):
            if target.type == "identifier":
                value = values[i] if i < len(values) else None
                tasks.append((self._writer(value), target, scope))
            else:
                tasks.append((self.visit, target, scope))
        self._push(tasks)

    def _writer(self, value: Node | None) -> Callable[[Node, Scope], None]:
        def write(target: Node, scope: Scope) -> None:
            self._reference(target, scope, read=False, write=True, value=value)
            if value is not None and value.type == "function_definition":
                ref = self.result.references_by_node[target.id]
                info = self.result.functions_by_node.get(value.id)
                if info is not None and info.declaration is None and ref.declaration is not None:
                    info.declaration = ref.declaration

        return write

    def _update(self, node: Node, scope: Scope) -> None:
        targets, values = _targets_and_values(node)
        tasks: list[_Task] = [(self.visit, v, scope) for v in values]
        for target in targets:
            if target.type == "identifier":
                tasks.append((self._read_write, target, scope))
            else:
                tasks.append((self.visit, target, scope))
        self._push(tasks)

    def _read_write(self, node: Node, scope: Scope) -> None:
        self._reference(node, scope, read=True, write=True)

    def _do(self, node: Node, scope: Scope) -> None:
        inner = self._scope(node, ScopeKind.BLOCK, scope, scope.function)
        self._push(self._block(node.child_by_field_id(_F_BODY), inner))

    def _while(self, node: Node, scope: Scope) -> None:
        inner = self._scope(node, ScopeKind.LOOP, scope, scope.function)
        self.result.loops.append(LoopInfo(node=node, scope=inner, function=scope.function))
        tasks: list[_Task] = []
        condition = node.child_by_field_id(_F_CONDITION)
        if condition is not None:
            tasks.append((self.visit, condition, scope))
        tasks.extend(self._block(node.child_by_field_id(_F_BODY), inner))
        self._push(tasks)

    def _repeat(self, node: Node, scope: Scope) -> None:
        # The `until` condition is inside the body's scope: it sees the body's locals.
        inner = self._scope(node, ScopeKind.LOOP, scope, scope.function)
        self.result.loops.append(LoopInfo(node=node, scope=inner, function=scope.function))
        tasks = self._block(node.child_by_field_id(_F_BODY), inner)
        condition = node.child_by_field_id(_F_CONDITION)
        if condition is not None:
            tasks.append((self.visit, condition, inner))
        self._push(tasks)

    def _if(self, node: Node, scope: Scope) -> None:
        # Conditions are evaluated in the enclosing scope; each branch body is its own scope.
        tasks: list[_Task] = []
        for child in node.children:
            if child.type == "block":
                inner = self._scope(child, ScopeKind.BLOCK, scope, scope.function)
                tasks.extend(self._block(child, inner))
            elif child.is_named:
                tasks.append((self.visit, child, scope))
        self._push(tasks)

    def _for(self, node: Node, scope: Scope) -> None:
        inner = self._scope(node, ScopeKind.LOOP, scope, scope.function)
        self.result.loops.append(LoopInfo(node=node, scope=inner, function=scope.function))
        clause = node.child_by_field_id(_F_CLAUSE)
        tasks: list[_Task] = []
        if clause is not None:
            if clause.type == "for_numeric_clause":
                name = clause.child_by_field_id(_F_NAME)
                after_colon = False
                for child in clause.children:
                    if child.type == ":":
                        after_colon = True
                    elif not child.is_named or (name is not None and child.id == name.id):
                        continue
                    elif after_colon:
                        after_colon = False
                    else:
                        tasks.append((self.visit, child, scope))
                tasks.append((self._declare_numeric_loop, clause, inner))
            else:
                for child in clause.children:
                    if child.type == "expression_list":
                        tasks.extend(
                            (self.visit, c, scope)
                            for c in child.named_children
                            if c.type != "comment"
                        )
                tasks.append((self._declare_generic_loop, clause, inner))
        tasks.extend(self._block(node.child_by_field_id(_F_BODY), inner))
        self._push(tasks)

    def _declare_numeric_loop(self, clause: Node, scope: Scope) -> None:
        name = clause.child_by_field_id(_F_NAME)
        if name is not None:
            self._declare(name, DeclKind.LOOP_VARIABLE, scope, clause.parent or clause)
        after_colon = False
        for child in clause.children:
            if child.type == ":":
                after_colon = True
            elif after_colon and child.is_named:
                self._type(child, scope)
                after_colon = False

    def _declare_generic_loop(self, clause: Node, scope: Scope) -> None:
        group: list[Declaration] = []
        for child in clause.children:
            if child.type != "variable_list":
                continue
            after_colon = False
            index = 0
            for item in child.children:
                if item.type == ":":
                    after_colon = True
                elif not item.is_named:
                    continue
                elif after_colon:
                    self._type(item, scope)
                    after_colon = False
                elif item.type == "identifier":
                    self._declare(
                        item,
                        DeclKind.LOOP_VARIABLE,
                        scope,
                        clause.parent or clause,
                        index=index,
                        group=group,
                    )
                    index += 1

    # -- functions ----------------------------------------------------------

    def _function_declaration(self, node: Node, scope: Scope) -> None:
        name = node.child_by_field_id(_F_NAME)
        is_local = node.child_count > 0 and node.children[0].type == "local"
        if name is None:
            self._function(node, scope)
            return
        if is_local and name.type == "identifier":
            decl = self._declare(name, DeclKind.LOCAL_FUNCTION, scope, node, value=node)
            self._function(node, scope, declaration=decl, name=decl.name)
            return
        if name.type == "identifier":
            ref = self._reference(name, scope, read=False, write=True, value=node)
            self._function(node, scope, declaration=ref.declaration, name=ref.name)
            return
        is_method = name.type == "method_index_expression"
        table = name.child_by_field_id(_F_TABLE)
        if table is not None:
            self._visit(table, scope)
        self._function(node, scope, is_method=is_method, name=self._text(name))

    def _function_definition(self, node: Node, scope: Scope) -> None:
        self._function(node, scope)

    def _function(
        self,
        node: Node,
        scope: Scope,
        *,
        declaration: Declaration | None = None,
        name: str | None = None,
        is_method: bool = False,
    ) -> None:
        inner = self._scope(node, ScopeKind.FUNCTION, scope, None)
        body = node.child_by_field_id(_F_BODY)
        info = FunctionInfo(
            node=node,
            scope=inner,
            parent=scope.function,
            body=body,
            is_method=is_method,
            declaration=declaration,
            name=name,
        )
        inner.function = info
        self.result.functions.append(info)
        self.result.functions_by_node[node.id] = info
        if is_method:
            self._declare(node, DeclKind.SELF, inner, node, name="self")
        params = node.child_by_field_id(_F_PARAMETERS)
        after_params = False
        after_colon = False
        tasks: list[_Task] = []
        for child in node.children:
            if child is params or (params is not None and child.id == params.id):
                after_params = True
                continue
            if not after_params:
                continue
            if child.type == ":":
                after_colon = True
            elif after_colon and child.is_named:
                tasks.append((self._type, child, scope))
                after_colon = False
        if params is not None:
            group: list[Declaration] = []
            for param in params.named_children:
                if param.type != "parameter":
                    continue
                after_colon = False
                for part in param.children:
                    if part.type == ":":
                        after_colon = True
                    elif not part.is_named:
                        continue
                    elif after_colon:
                        self._type(part, inner)
                        after_colon = False
                    elif part.type == "identifier":
                        info.parameters.append(
                            self._declare(
                                part,
                                DeclKind.PARAMETER,
                                inner,
                                params,
                                index=len(group),
                                group=group,
                            )
                        )
                    elif part.type == "vararg_expression":
                        info.has_vararg = True
        tasks.extend(self._block(body, inner))
        self._push(tasks)

    # -- expressions --------------------------------------------------------

    def _index_table_only(self, node: Node, scope: Scope) -> None:
        # `a.b` and `a:b`: only `a` is a name; `b` is a field. A chain (`a.b.c...`)
        # is followed down its tables in this loop, not by a recursion per link.
        while True:
            table = node.child_by_field_id(_F_TABLE)
            if table is None:
                table = node.named_children[0] if node.named_child_count else None
            if table is None:
                return
            kind = table.type
            if kind == "identifier":
                self._read(table, scope)  # what `_visit` would pick, one call less per access
                return
            if kind not in _INDEX_TYPES:
                self._visit(table, scope)
                return
            node = table

    def _field(self, node: Node, scope: Scope) -> None:
        # `{a = 1}`: `a` is a key. `{[a] = 1}` and `{a}`: `a` is a value.
        children = node.children
        kinds = [c.type for c in children]
        if "=" in kinds and "[" not in kinds:
            seen_equals = False
            for child, kind in zip(children, kinds, strict=True):
                if kind == "=":
                    seen_equals = True
                elif seen_equals and child.is_named:
                    self.stack.append((self.visit, child, scope))
            return
        self._children(node, scope)

    def _vararg(self, node: Node, scope: Scope) -> None:
        parent = node.parent
        if parent is not None and parent.type == "parameter":
            return
        if scope.function is not None:
            scope.function.uses_vararg = True


def analyze_scopes(source: LuauSource) -> ScopeAnalysis:
    """Scope analysis of `source` (prefer `scope_analysis(ctx)`, which shares the result)."""
    return _Walker(source).run()


def scope_analysis(ctx: RuleContext) -> ScopeAnalysis:
    """The scope analysis of the context's source, computed once and shared by every rule."""
    result: ScopeAnalysis = ctx.memo("scope", lambda: analyze_scopes(ctx.source))
    return result


def _targets_and_values(statement: Node) -> tuple[list[Node], list[Node]]:
    """The targets and values of an assignment or `+=`-style update, comments left out."""
    targets: list[Node] = []
    values: list[Node] = []
    for child in statement.children:
        if child.type == "variable_list":
            targets = [c for c in child.named_children if c.type != "comment"]
        elif child.type == "expression_list":
            values = [c for c in child.named_children if c.type != "comment"]
    return targets, values
