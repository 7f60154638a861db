"""Which Roblox class or datatype an expression holds, as far as it can be known for sure.

A small, conservative inference over one file:

- names are the scope analysis's (`scope.py`, the one resolver every rule
  reads): a local's declaration, value, later assignments and reads;
- a local's type comes from its value (`game:GetService("Players")`,
  `Instance.new("Part")`, `x:FindFirstChildOfClass("Humanoid")`,
  `Players.LocalPlayer`, `Vector3.new(...)`, `a.Position - b.Position`, ...),
  its type annotation, the event it handles (`Players.PlayerAdded:Connect(
  function(player) ...)` gives `player` the type Player) or the array it loops
  over (`for _, p in Players:GetPlayers()`); a local assigned values of
  different types has none;
- every type carries a certainty: EXACT (this class, no subclass: a service,
  `Instance.new("Part")`, a sealed class such as Player), ISA (this class or a
  subclass: a property typed BasePart) or HINT (a convention, not a fact: a
  child named "Humanoid" is usually a Humanoid).

Rules decide what each certainty allows: a member can only be called unknown
on an EXACT class whose members are all known; a deprecation can be reported
on a HINT.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum, StrEnum
from typing import TYPE_CHECKING, Any

from luaurft.luau.source import field_id
from luaurft.roblox.api import ApiIndex, Member, MemberKind, default_index
from luaurft.scoring.analysis.scope import (
    Declaration,
    DeclKind,
    ScopeAnalysis,
    analyze_scopes,
    scope_analysis,
)

if TYPE_CHECKING:
    import tree_sitter

    from luaurft.luau.kind import ScriptKind
    from luaurft.luau.source import LuauSource
    from luaurft.scoring.rule import RuleContext


# Field ids, looked up once: `child_by_field_id` skips the name lookup on every call.
_F_ARGUMENTS = field_id("arguments")
_F_CLAUSE = field_id("clause")
_F_FIELD = field_id("field")
_F_LEFT = field_id("left")
_F_METHOD = field_id("method")
_F_NAME = field_id("name")
_F_OPERAND = field_id("operand")
_F_RIGHT = field_id("right")
_F_TABLE = field_id("table")
_F_VALUE = field_id("value")


class Certainty(IntEnum):
    HINT = 1
    ISA = 2
    EXACT = 3


class TypeKind(StrEnum):
    CLASS = "class"  # an Instance of this class
    DATATYPE = "datatype"  # a Vector3, CFrame, RBXScriptSignal, ... value
    LIBRARY = "library"  # a global table such as Vector3, Instance, task
    ENUMS = "enums"  # the Enum global
    ENUM = "enum"  # Enum.KeyCode
    ENUM_ITEM = "enum_item"  # Enum.KeyCode.E
    ARRAY = "array"  # an array of `name` (a class)
    TABLE = "table"  # a table the script built itself


@dataclass(frozen=True, slots=True)
class RobloxType:
    kind: TypeKind
    name: str
    certainty: Certainty = Certainty.EXACT
    # An RBXScriptSignal's argument types (from the event it came from).
    params: tuple[str, ...] = ()

    @property
    def is_exact(self) -> bool:
        return self.certainty is Certainty.EXACT

    def at_most(self, certainty: Certainty) -> RobloxType:
        if self.certainty <= certainty:
            return self
        return RobloxType(self.kind, self.name, certainty, self.params)


# Instance methods whose result's class is named by their string argument.
_EXACT_BY_ARGUMENT = frozenset({"FindFirstChildOfClass", "FindFirstAncestorOfClass"})
_ISA_BY_ARGUMENT = frozenset({"FindFirstChildWhichIsA", "FindFirstAncestorWhichIsA"})
_CHILD_BY_NAME = frozenset({"FindFirstChild", "WaitForChild", "FindFirstDescendant"})
_SERVICE_GETTERS = frozenset({"GetService", "FindService", "getService", "service"})
_SIGNAL_GETTERS = frozenset({"GetPropertyChangedSignal", "GetAttributeChangedSignal"})
_CONNECTORS = frozenset({"Connect", "Once", "ConnectParallel", "connect"})

# How deep inference follows nested expressions and chains of locals; Python's
# own recursion limit must never be the one that stops it.
_MAX_DEPTH = 120
# What `Bindings.type_of` finds for an expression not inferred yet (None is a type: unknown).
_UNKNOWN: Any = object()


def string_literal(source: LuauSource, node: tree_sitter.Node | None) -> str | None:
    """The value of a plain string literal ("Players", 'Players'), else None."""
    if node is None or node.type != "string":
        return None
    text = source.node_text(node)
    if len(text) >= 2 and text[0] in "\"'" and text[-1] == text[0] and "\\" not in text:
        return text[1:-1]
    if text.startswith("`") and text.endswith("`") and "{" not in text and "\\" not in text:
        return text[1:-1]
    return None


def call_arguments(call: tree_sitter.Node) -> list[tree_sitter.Node]:
    args = call.child_by_field_id(_F_ARGUMENTS)
    if args is None:
        return []
    if args.type == "arguments":
        return [c for c in args.named_children if c.type != "comment"]
    return [args]  # f "str" / f {table}


def unparen(node: tree_sitter.Node) -> tree_sitter.Node:
    while node.type == "parenthesized_expression" and node.named_child_count:
        inner = node.named_children[0]
        node = inner
    return node


class Bindings:
    """Roblox type inference for one piece of code, on top of its scope analysis.

    Names are resolved once, by `scope.py`: a local's declaration, value, later
    assignments and reads are its `Declaration`'s; this class only adds types.
    """

    def __init__(
        self,
        source: LuauSource,
        index: ApiIndex,
        kind: ScriptKind | str,
        scopes: ScopeAnalysis | None = None,
    ) -> None:
        self.source = source
        self.index = index
        self.kind = str(kind)
        self.scopes = scopes if scopes is not None else analyze_scopes(source)
        self._references = self.scopes.references_by_node
        self._types: dict[int, RobloxType | None] = {}
        self._local_types: dict[Declaration, RobloxType | None] = {}
        self._in_progress: set[int] = set()
        # Globals the script assigns itself (`spawn = nil`, `function wait() end`):
        # no longer the built-in they are named after.
        self.assigned_globals: set[str] = set(self.scopes.global_writes)
        self.defined_member_names: set[str] = set()
        # Type aliases the script declares (`type Player = {...}`) shadow class names.
        self.type_names: set[str] = set()
        self._collect()

    # -- building -----------------------------------------------------------------

    def _collect(self) -> None:
        src = self.source
        text = src.node_text
        for definition in src.nodes("type_definition"):
            name = definition.child_by_field_id(_F_NAME)
            if name is not None:
                self.type_names.add(text(name))
        # Members the script defines itself: `function M.f()`, `function M:f()`,
        # `M.f = function() end` and `{ f = function() end }`.
        for info in self.scopes.functions:
            fn = info.node
            if fn.type == "function_declaration":
                name = fn.child_by_field_id(_F_NAME)
                if name is not None and name.type in (
                    "dot_index_expression",
                    "method_index_expression",
                ):
                    field_node = name.child_by_field_id(_F_FIELD) or name.child_by_field_id(
                        _F_METHOD
                    )
                    if field_node is not None:
                        self.defined_member_names.add(text(field_node))
                continue
            holder = fn.parent
            if holder is None:
                continue
            if holder.type == "field":
                key = holder.child_by_field_id(_F_NAME)
                value = holder.child_by_field_id(_F_VALUE)
                if key is not None and key.type == "identifier" and _same(value, fn):
                    self.defined_member_names.add(text(key))
            elif holder.type == "expression_list":
                field_node = _assigned_field(holder, fn)
                if field_node is not None:
                    self.defined_member_names.add(text(field_node))

    def references(self, local: Declaration) -> list[tree_sitter.Node]:
        """Every place the local is read as a value (`x += 1` is a write here)."""
        return [ref.node for ref in local.reads if not ref.write]

    # -- resolution ---------------------------------------------------------------

    def resolve(self, ident: tree_sitter.Node) -> Declaration | None:
        """The local an identifier refers to (None: a global, or not a variable at all)."""
        ref = self._references.get(ident.id)
        return ref.declaration if ref is not None else None

    def is_global(self, ident: tree_sitter.Node, name: str | None = None) -> bool:
        """True when the identifier is the global `name` (not shadowed, not reassigned)."""
        text = self.source.node_text(ident)
        if name is not None and text != name:
            return False
        return self.resolve(ident) is None and text not in self.assigned_globals

    # -- types --------------------------------------------------------------------

    def type_of(self, node: tree_sitter.Node | None) -> RobloxType | None:
        """The Roblox type of an expression, or None when it is not known."""
        if node is None:
            return None
        key = node.id
        types = self._types
        # Most questions are repeats (rules ask about the same expressions): one lookup.
        known = types.get(key, _UNKNOWN)
        if known is not _UNKNOWN:
            return known
        in_progress = self._in_progress
        if key in in_progress or len(in_progress) > _MAX_DEPTH:
            # A cycle, or an expression nested too deep to follow: unknown.
            return None
        in_progress.add(key)
        try:
            found = self._infer(node)
        finally:
            in_progress.discard(key)
        types[key] = found
        return found

    def _class_type(self, name: str | None, certainty: Certainty) -> RobloxType | None:
        """The type `name` ("Part", "Vector3", "{Player}") names, reached with `certainty`.

        A class value may be a subclass unless the class is sealed, so a class
        is at best ISA; a datatype is whatever its source is.
        """
        if not name:
            return None
        if name.startswith("{") and name.endswith("}"):
            inner = name[1:-1]
            if not self.index.is_class(inner):
                return None
            return RobloxType(TypeKind.ARRAY, inner, certainty)
        if self.index.is_class(name):
            if certainty is Certainty.HINT:
                return RobloxType(TypeKind.CLASS, name, Certainty.HINT)
            sealed = self.index.is_sealed(name)
            return RobloxType(TypeKind.CLASS, name, Certainty.EXACT if sealed else Certainty.ISA)
        if name in self.index.datatypes:
            return RobloxType(TypeKind.DATATYPE, name, certainty)
        return None

    def _member_type(self, member: Member, receiver: RobloxType) -> RobloxType | None:
        certainty = Certainty.EXACT if receiver.certainty >= Certainty.ISA else Certainty.HINT
        if member.kind is MemberKind.EVENT:
            return RobloxType(TypeKind.DATATYPE, "RBXScriptSignal", certainty, member.params)
        return self._class_type(member.type, certainty)

    def _annotation_type(self, node: tree_sitter.Node | None) -> RobloxType | None:
        if node is None:
            return None
        if node.type == "optional_type" and node.named_child_count:
            node = node.named_children[0]
        if node.type != "identifier":
            return None
        name = self.source.node_text(node)
        if name in self.type_names:
            return None
        return self._class_type(name, Certainty.ISA)

    def _infer(self, node: tree_sitter.Node) -> RobloxType | None:
        src = self.source
        t = node.type
        if t == "parenthesized_expression":
            inner = node.named_children[0] if node.named_child_count else None
            return self.type_of(inner)
        if t == "identifier":
            return self._identifier_type(node)
        if t == "cast_expression":
            kids = node.named_children
            cast = self._annotation_type(kids[-1]) if len(kids) >= 2 else None
            return cast or (self.type_of(kids[0]) if kids else None)
        if t == "table_constructor":
            return RobloxType(TypeKind.TABLE, "table")
        if t == "binary_expression":
            return self._binary_type(node)
        if t == "unary_expression":
            operand = node.child_by_field_id(_F_OPERAND)
            op = node.children[0].type if node.children else ""
            if op == "-":
                negated = self.type_of(operand)
                if negated is not None and negated.kind is TypeKind.DATATYPE:
                    return negated
            return None
        if t == "function_call":
            return self._call_type(node)
        if t == "dot_index_expression":
            table = node.child_by_field_id(_F_TABLE)
            field_node = node.child_by_field_id(_F_FIELD)
            if table is None or field_node is None:
                return None
            return self._field_type(self.type_of(table), src.node_text(field_node))
        if t == "bracket_index_expression":
            table = node.child_by_field_id(_F_TABLE)
            key = string_literal(src, node.child_by_field_id(_F_FIELD))
            if table is None or key is None:
                return None
            return self._field_type(self.type_of(table), key)
        return None

    def _identifier_type(self, node: tree_sitter.Node) -> RobloxType | None:
        ref = self._references.get(node.id)
        if ref is None or ref.write:
            return None  # a field name, a declaration, a type or a target: not a value here
        if ref.declaration is not None:
            return self.local_type(ref.declaration)
        name = ref.name
        if name in self.assigned_globals:
            return None
        if name == "game":
            return RobloxType(TypeKind.CLASS, "DataModel")
        if name in ("workspace", "Workspace"):
            return RobloxType(TypeKind.CLASS, "Workspace")
        if name == "script":
            return RobloxType(TypeKind.CLASS, self.kind) if self.index.is_class(self.kind) else None
        if name == "Enum":
            return RobloxType(TypeKind.ENUMS, "Enum")
        if name in self.index.datatypes and self.index.datatypes[name].library:
            return RobloxType(TypeKind.LIBRARY, name)
        return None

    def local_type(self, local: Declaration) -> RobloxType | None:
        if local in self._local_types:
            return self._local_types[local]
        key = local.node.id
        if key in self._in_progress or len(self._in_progress) > _MAX_DEPTH:
            return None
        self._in_progress.add(key)
        try:
            found = self._compute_local_type(local)
        finally:
            self._in_progress.discard(key)
        self._local_types[local] = found
        return found

    def _compute_local_type(self, local: Declaration) -> RobloxType | None:
        kind = local.kind
        if kind is DeclKind.LOCAL_FUNCTION or kind is DeclKind.SELF:
            return None
        annotated = self._annotation_type(annotation_of(local))
        if annotated is not None:
            return annotated
        # Later assignments: the value, or None when it cannot be known (`x += 1`).
        assigned = [write.value for write in local.writes]
        if kind is DeclKind.LOCAL:
            candidates: list[RobloxType | None] = []
            if local.value is not None:
                candidates.append(self.type_of(local.value))
            elif not assigned:
                return None  # `local x` then assigned: the assignments decide
            candidates.extend(self.type_of(v) if v is not None else None for v in assigned)
            return _agree(candidates)
        if kind is DeclKind.PARAMETER:
            if assigned or local.function is None:
                return None
            return self._param_type(local.function.node, local.index)
        # A loop variable: the value of a generic `for` over an array.
        clause = local.statement.child_by_field_id(_F_CLAUSE)
        if assigned or local.index != 1 or clause is None or clause.type != "for_generic_clause":
            return None
        return self._loop_value_type(clause)

    def _loop_value_type(self, clause: tree_sitter.Node) -> RobloxType | None:
        exprs = next((c for c in clause.named_children if c.type == "expression_list"), None)
        if exprs is None or exprs.named_child_count != 1:
            return None
        iterated = exprs.named_children[0]
        if iterated.type == "function_call":
            callee = iterated.child_by_field_id(_F_NAME)
            if (
                callee is not None
                and callee.type == "identifier"
                and self.source.node_text(callee) in ("ipairs", "pairs")
            ):
                args = call_arguments(iterated)
                if len(args) == 1 and self.is_global(callee):
                    iterated = args[0]
        array = self.type_of(iterated)
        if array is None or array.kind is not TypeKind.ARRAY:
            return None
        return self._class_type(array.name, array.certainty)

    def _param_type(self, fn: tree_sitter.Node, position: int) -> RobloxType | None:
        uses: list[RobloxType | None] = []
        if fn.type == "function_definition":
            parent = fn.parent
            if parent is not None and parent.type == "arguments" and parent.parent is not None:
                uses.append(self._handler_param(parent.parent, fn, position))
            else:
                holder = self._local_holding(fn)
                if holder is None:
                    return None
                uses.extend(self._uses_of_function(holder, position))
        else:
            name = fn.child_by_field_id(_F_NAME)
            if name is None or name.type != "identifier":
                return None
            holder = self._local_holding(fn)
            if holder is None:
                return None
            uses.extend(self._uses_of_function(holder, position))
        return _agree(uses) if uses else None

    def _local_holding(self, fn: tree_sitter.Node) -> Declaration | None:
        """The local whose value is this function (`local onTouched = function(hit) ... end`)."""
        info = self.scopes.function_info(fn)
        holder = info.declaration if info is not None else None
        if holder is None or holder.value is None or holder.value.id != fn.id:
            return None
        return holder

    def _uses_of_function(self, holder: Declaration, position: int) -> list[RobloxType | None]:
        references = self.references(holder)
        if holder.writes or not references:
            return [None]
        uses: list[RobloxType | None] = []
        for ref in references:
            parent = ref.parent
            if parent is not None and parent.type == "arguments" and parent.parent is not None:
                call = parent.parent
                callee = call.child_by_field_id(_F_NAME)
                if callee is not None and callee.type == "method_index_expression":
                    method = callee.child_by_field_id(_F_METHOD)
                    if method is not None and self.source.node_text(method) in _CONNECTORS:
                        uses.append(self._handler_param(call, ref, position))
                        continue
                uses.append(None)
            elif (
                parent is not None
                and parent.type == "function_call"
                and _same(parent.child_by_field_id(_F_NAME), ref)
            ):
                args = call_arguments(parent)
                uses.append(self.type_of(args[position]) if position < len(args) else None)
            else:
                uses.append(None)
        return uses

    def _handler_param(
        self, call: tree_sitter.Node, handler: tree_sitter.Node, position: int
    ) -> RobloxType | None:
        """The type of argument `position` of `handler` when `call` is `signal:Connect(handler)`."""
        callee = call.child_by_field_id(_F_NAME)
        if callee is None or callee.type != "method_index_expression":
            return None
        method = callee.child_by_field_id(_F_METHOD)
        if method is None or self.source.node_text(method) not in _CONNECTORS:
            return None
        args = call_arguments(call)
        if not args or args[0].id != handler.id:
            return None
        signal = self.type_of(callee.child_by_field_id(_F_TABLE))
        if signal is None or signal.name != "RBXScriptSignal" or position >= len(signal.params):
            return None
        certainty = Certainty.ISA if signal.certainty >= Certainty.ISA else Certainty.HINT
        return self._class_type(signal.params[position], certainty)

    def _binary_type(self, node: tree_sitter.Node) -> RobloxType | None:
        left = node.child_by_field_id(_F_LEFT)
        right = node.child_by_field_id(_F_RIGHT)
        op = next((c.type for c in node.children if not c.is_named), "")
        if op == "and":
            # `a and b` is b whenever it is anything at all (else a falsy a).
            return self.type_of(right)
        lt, rt = self.type_of(left), self.type_of(right)
        if op == "or":
            return _agree([lt, rt])
        if op not in ("+", "-", "*", "/"):
            return None
        ldt = lt.name if lt is not None and lt.kind is TypeKind.DATATYPE else None
        rdt = rt.name if rt is not None and rt.kind is TypeKind.DATATYPE else None
        result: str | None = None
        if op in ("+", "-"):
            if ldt == "CFrame" and rdt in ("Vector3", None):
                result = "CFrame"
            elif ldt in ("Vector3", "Vector2", "UDim2", "UDim") and rdt in (ldt, None):
                result = ldt
            elif rdt in ("Vector3", "Vector2", "UDim2", "UDim") and ldt is None:
                result = rdt
        elif op == "*":
            if ldt == "CFrame" and rdt in ("CFrame", "Vector3"):
                result = rdt
            elif ldt in ("Vector3", "Vector2") and rdt in (ldt, None):
                result = ldt
            elif rdt in ("Vector3", "Vector2") and ldt is None:
                result = rdt
        elif op == "/" and ldt in ("Vector3", "Vector2") and rdt in (ldt, None):
            result = ldt
        if result is None:
            return None
        certainty = min((t.certainty for t in (lt, rt) if t is not None), default=Certainty.HINT)
        return RobloxType(TypeKind.DATATYPE, result, certainty)

    def _call_type(self, call: tree_sitter.Node) -> RobloxType | None:
        src = self.source
        callee = call.child_by_field_id(_F_NAME)
        if callee is None:
            return None
        args = call_arguments(call)
        if callee.type == "method_index_expression":
            receiver_node = callee.child_by_field_id(_F_TABLE)
            method_node = callee.child_by_field_id(_F_METHOD)
            if receiver_node is None or method_node is None:
                return None
            method = src.node_text(method_node)
            receiver = self.type_of(receiver_node)
            return self._method_result(receiver, method, args)
        if callee.type == "dot_index_expression":
            table = callee.child_by_field_id(_F_TABLE)
            field_node = callee.child_by_field_id(_F_FIELD)
            if table is None or field_node is None:
                return None
            lib = self.type_of(table)
            name = src.node_text(field_node)
            if lib is None or lib.kind is not TypeKind.LIBRARY:
                return None
            if lib.name == "Instance" and name == "new":
                cls = string_literal(src, args[0]) if args else None
                if cls and self.index.is_class(cls):
                    return RobloxType(TypeKind.CLASS, cls, Certainty.EXACT)
                return None
            if lib.name == "Instance" and name == "fromExisting":
                return self.type_of(args[0]) if args else None
            member = self.index.datatypes[lib.name].library.get(name)
            if member is None or member.type is None:
                return None
            return self._class_type(member.type, Certainty.EXACT)
        if (
            callee.type == "identifier"
            and src.node_text(callee) == "setmetatable"
            and self.is_global(callee)
        ):
            return RobloxType(TypeKind.TABLE, "table")
        return None

    def _method_result(
        self, receiver: RobloxType | None, method: str, args: list[tree_sitter.Node]
    ) -> RobloxType | None:
        src = self.source
        first = string_literal(src, args[0]) if args else None
        if receiver is None:
            # `char:FindFirstChildOfClass("Humanoid")` on a value of unknown type:
            # these Instance methods are named distinctively enough to trust, unless
            # the script defines a method of that name itself.
            if method in self.defined_member_names or not first:
                return None
            if method in _EXACT_BY_ARGUMENT and self.index.is_class(first):
                return RobloxType(TypeKind.CLASS, first, Certainty.EXACT)
            if method in _ISA_BY_ARGUMENT and self.index.is_class(first):
                return self._class_type(first, Certainty.ISA)
            if method in _CHILD_BY_NAME and first in self.index.child_hints:
                return self._class_type(self.index.child_hints[first], Certainty.HINT)
            return None
        if receiver.kind is TypeKind.CLASS:
            weak = receiver.certainty < Certainty.ISA
            if method in _SERVICE_GETTERS and self.index.is_a(receiver.name, "ServiceProvider"):
                if first and self.index.is_service(first):
                    return RobloxType(
                        TypeKind.CLASS, first, Certainty.HINT if weak else Certainty.EXACT
                    )
                return None
            if method in _EXACT_BY_ARGUMENT and first and self.index.is_class(first):
                return RobloxType(
                    TypeKind.CLASS, first, Certainty.HINT if weak else Certainty.EXACT
                )
            if method in _ISA_BY_ARGUMENT and first and self.index.is_class(first):
                return self._class_type(first, Certainty.HINT if weak else Certainty.ISA)
            if method in _CHILD_BY_NAME and first in self.index.child_hints:
                return self._class_type(self.index.child_hints[first], Certainty.HINT)
            if method == "Clone":
                return receiver
            if method in _SIGNAL_GETTERS:
                return RobloxType(TypeKind.DATATYPE, "RBXScriptSignal", receiver.certainty)
            member = self.index.member(receiver.name, method)
            if member is None or member.kind is not MemberKind.METHOD:
                return None
            return self._member_type(member, receiver)
        if receiver.kind is TypeKind.DATATYPE:
            if receiver.name == "RBXScriptSignal" and method in ("Wait", "wait"):
                if receiver.params:
                    certainty = (
                        Certainty.ISA if receiver.certainty >= Certainty.ISA else Certainty.HINT
                    )
                    return self._class_type(receiver.params[0], certainty)
                return None
            dt = self.index.datatypes.get(receiver.name)
            member = dt.members.get(method) if dt else None
            if member is None or member.type is None:
                return None
            return self._class_type(member.type, receiver.certainty)
        if receiver.kind is TypeKind.ENUM and method == "GetEnumItems":
            return None
        return None

    def _field_type(self, table: RobloxType | None, name: str) -> RobloxType | None:
        index = self.index
        if table is None:
            event = index.event_named(name)
            if event is not None:
                params = _shared_params(index.members_named(name))
                return RobloxType(TypeKind.DATATYPE, "RBXScriptSignal", Certainty.HINT, params)
            typed = index.property_type_named(name)
            if typed is not None:
                # `hit.Parent` is an Instance (a class), `x.Position` a Vector3 (a datatype).
                return self._class_type(typed, Certainty.HINT)
            if name in index.child_hints:
                return self._class_type(index.child_hints[name], Certainty.HINT)
            return None
        if table.kind is TypeKind.ENUMS:
            return RobloxType(TypeKind.ENUM, name, Certainty.EXACT) if index.enum(name) else None
        if table.kind is TypeKind.ENUM:
            return RobloxType(TypeKind.ENUM_ITEM, table.name, Certainty.EXACT)
        if table.kind is TypeKind.LIBRARY:
            member = index.datatypes[table.name].library.get(name)
            if member is None or member.kind is not MemberKind.PROPERTY:
                return None  # a library function, not a value
            return self._class_type(member.type, Certainty.EXACT)
        if table.kind is TypeKind.CLASS:
            member = index.member(table.name, name)
            if member is None:
                if (
                    table.certainty >= Certainty.ISA
                    and index.is_service(name)
                    and index.is_a(table.name, "ServiceProvider")
                ):
                    # game.Players: the DataModel's children are its services, by class name.
                    return RobloxType(TypeKind.CLASS, name, Certainty.EXACT)
                if name in index.child_hints:
                    return self._class_type(index.child_hints[name], Certainty.HINT)
                return None
            if member.kind in (MemberKind.PROPERTY, MemberKind.EVENT):
                return self._member_type(member, table)
            return None
        if table.kind is TypeKind.DATATYPE:
            dt = index.datatypes.get(table.name)
            member = dt.members.get(name) if dt else None
            if member is None or member.type is None:
                return None
            return self._class_type(member.type, table.certainty)
        return None


def annotation_of(local: Declaration) -> tree_sitter.Node | None:
    """The type written after a local's, parameter's or loop variable's name, if any."""
    ident = local.node
    if local.kind is DeclKind.PARAMETER:
        kids = ident.parent.children if ident.parent is not None else []
        annotation = None
        for j, kid in enumerate(kids[:-1]):
            if kid.type == ":":
                annotation = kids[j + 1]
        return annotation
    colon = ident.next_sibling
    if colon is None or colon.type != ":":
        return None
    return colon.next_sibling


def _assigned_field(values: tree_sitter.Node, fn: tree_sitter.Node) -> tree_sitter.Node | None:
    """`f` when `fn` is the value assigned to `M.f` in `M.f = function() end`."""
    statement = values.parent
    if statement is None or statement.type != "assignment_statement":
        return None
    position = next(
        (
            i
            for i, v in enumerate(c for c in values.named_children if c.type != "comment")
            if v.id == fn.id
        ),
        None,
    )
    targets = next((c for c in statement.named_children if c.type == "variable_list"), None)
    if position is None or targets is None:
        return None
    names = [t for i, t in enumerate(targets.children) if targets.field_name_for_child(i) == "name"]
    if position >= len(names) or names[position].type != "dot_index_expression":
        return None
    return names[position].child_by_field_id(_F_FIELD)


def _same(a: tree_sitter.Node | None, b: tree_sitter.Node | None) -> bool:
    return a is not None and b is not None and a.id == b.id


_TYPE_PARENTS = frozenset(
    {"type_definition", "generic_type_list", "attribute", "type_pack", "type_parameters"}
)
_DECLARING = frozenset({"variable_declaration", "for_generic_clause"})


def identifier_role(ident: tree_sitter.Node) -> str:
    """What an identifier does where it stands: "read" (an expression), "write" (an
    assignment target), "declare" (a new local or parameter) or "other" (a field or
    method name, a table key, a type)."""
    parent = ident.parent
    if parent is None:
        return "other"
    ptype = parent.type
    # The commonest parents first: `a.b` and `a:b`, which name one field each.
    if ptype == "dot_index_expression":
        return "other" if _same(parent.child_by_field_id(_F_FIELD), ident) else "read"
    if ptype == "method_index_expression":
        return "other" if _same(parent.child_by_field_id(_F_METHOD), ident) else "read"
    if ptype == "variable_list":
        if not _is_field(parent, ident, "name"):
            return "other"
        holder = parent.parent
        if holder is not None and holder.type == "assignment_statement":
            statement = holder.parent
            if statement is not None:
                return "declare" if statement.type == "variable_declaration" else "write"
        if holder is not None and holder.type in _DECLARING:
            return "declare"
        return "write"
    if ptype == "parameter":
        return "declare"
    if ptype == "for_numeric_clause":
        return "declare" if _is_field(parent, ident, "name") else "read"
    if ptype == "function_declaration":
        if _is_field(parent, ident, "name"):
            return "declare" if any(c.type == "local" for c in parent.children) else "write"
        return "other"
    if ptype == "field":
        return "other" if _is_field(parent, ident, "name") else "read"
    if ptype == "cast_expression":
        first = parent.named_children[0] if parent.named_child_count else None
        return "read" if _same(first, ident) else "other"
    if ptype in _TYPE_PARENTS or ptype.endswith("_type"):
        return "other"
    return "read"


def _is_field(parent: tree_sitter.Node, child: tree_sitter.Node, name: str) -> bool:
    key = child.id
    return any(c.id == key for c in parent.children_by_field_name(name))


def _shared_params(members: tuple[Member, ...]) -> tuple[str, ...]:
    params = {m.params for m in members}
    return next(iter(params)) if len(params) == 1 else ()


def _agree(types: list[RobloxType | None]) -> RobloxType | None:
    """One type when every candidate has the same one (at the weakest certainty), else None."""
    if not types or any(t is None for t in types):
        return None
    first = types[0]
    assert first is not None
    if any(t is None or t.kind is not first.kind or t.name != first.name for t in types):
        return None
    weakest = min(t.certainty for t in types if t is not None)
    return first.at_most(weakest)


def bindings_for(ctx: RuleContext) -> Bindings:
    """The shared `Bindings` of a rule context (built once per piece of code)."""
    return ctx.memo(
        "analysis.bindings",
        lambda: Bindings(ctx.source, api_index_for(ctx), ctx.kind, scope_analysis(ctx)),
    )


def api_index_for(ctx: RuleContext) -> ApiIndex:
    """The API index the rules use for this context (the process default)."""
    return ctx.memo("roblox.api_index", default_index)
