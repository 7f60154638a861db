"""Pieces the API rules share: the call and index shapes they look at, and fix texts."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from luaurft.luau.source import field_id
from luaurft.roblox.api import Member, MemberKind
from luaurft.roblox.surface import member_security, resolve_member
from luaurft.scoring.analysis.bindings import (
    RobloxType,
    TypeKind,
    bindings_for,
    call_arguments,
    string_literal,
)
from luaurft.scoring.analysis.nodes import expression_list_of, variable_list_of

if TYPE_CHECKING:
    import tree_sitter

    from luaurft.luau.source import LuauSource
    from luaurft.scoring.rule import RuleContext


@dataclass(slots=True)  # not frozen: built for every index expression, frozen init is slow
class Access:
    """`receiver.name`, `receiver:name(...)` or `receiver.name(...)` somewhere in the code.

    `node` is the index expression; `call` the call it is the callee of, if any;
    `assigned` is True when the access is the target of an assignment.
    """

    node: tree_sitter.Node
    receiver: tree_sitter.Node
    name_node: tree_sitter.Node
    name: str
    method: bool
    call: tree_sitter.Node | None
    assigned: bool


def accesses(ctx: RuleContext) -> list[Access]:
    """Every `a.b` and `a:b(...)` in the code, in reading order (computed once per code)."""
    return ctx.memo("api.accesses", lambda: _accesses(ctx.source))


def receiver_types(ctx: RuleContext) -> list[RobloxType | None]:
    """The Roblox type of every access's receiver, in the order of `accesses(ctx)`.

    Several rules ask the type of every receiver. The bindings remember each
    answer, but asking costs a call per access and rule; the list is made once,
    by the first rule that needs it, asking in the same order those rules did.
    """

    def compute() -> list[RobloxType | None]:
        type_of = bindings_for(ctx).type_of
        return [type_of(access.receiver) for access in accesses(ctx)]

    found: list[RobloxType | None] = ctx.memo("api.receiver_types", compute)
    return found


def kept_level(class_name: str, access: Access) -> str | None:
    """The security level (`RobloxScriptSecurity`, `PluginSecurity`, ...) the engine
    asks of this use of a member of `class_name` that a game script lacks; None
    where a game script may use it so, or the engine has no such member."""
    security = member_security(class_name, access.name)
    if security is None or (
        # A method named but not called (`pcall(Service.Method, Service)`) is
        # checked where it is called, which may be elsewhere.
        security[2] == "f" and not access.method and access.call is None
    ):
        return None
    return security[1] if access.assigned else security[0]


# What a literal written in the code is, by its node type (for messages).
LITERAL_KINDS: dict[str, str] = {
    "string": "a string",
    "number": "a number",
    "true": "a boolean",
    "false": "a boolean",
    "table_constructor": "a table",
}


@dataclass(frozen=True, slots=True)
class PropertyWrite:
    """`x.Name = <literal>` where the Roblox class of `x` is known and has a property `Name`."""

    access: Access
    class_name: str
    value: tree_sitter.Node
    #: The property's type in the engine surface (`Vector3`, `Enum:Material`, `Content`, ...).
    type: str


def literal_property_writes(ctx: RuleContext) -> list[PropertyWrite]:
    """Every literal written to a property of a value of known class (computed once)."""

    def compute() -> list[PropertyWrite]:
        found = []
        for access, receiver in zip(accesses(ctx), receiver_types(ctx), strict=True):
            if not access.assigned or receiver is None or receiver.kind is not TypeKind.CLASS:
                continue
            value = _assigned_value(access.node)
            if value is None or value.type not in LITERAL_KINDS:
                continue
            member = resolve_member(receiver.name, access.name)
            if member is not None and member[1] == "p":
                tag = member[2].split("\t", 1)[0]
                found.append(PropertyWrite(access, receiver.name, value, tag))
        return found

    writes: list[PropertyWrite] = ctx.memo("api.literal_property_writes", compute)
    return writes


def _assigned_value(target: tree_sitter.Node) -> tree_sitter.Node | None:
    """The value an assignment writes to `target` (`a, b = x, y`: by position), if any."""
    targets = target.parent
    statement = targets.parent if targets is not None else None
    if statement is None or statement.type != "assignment_statement":
        return None
    for written, value in zip(
        variable_list_of(statement), expression_list_of(statement), strict=False
    ):
        if written.id == target.id:
            return value
    return None


_NAME = field_id("name")
_TABLE = field_id("table")
_FIELD = field_id("field")
_METHOD = field_id("method")


def _accesses(source: LuauSource) -> list[Access]:
    # Calls by their callee and assignment targets, found from above: cheaper
    # than asking every index expression for its parent.
    calls: dict[int, tree_sitter.Node] = {}
    for call in source.nodes("function_call"):
        callee = call.child_by_field_id(_NAME)
        if callee is not None:
            calls[callee.id] = call
    targets: set[int] = set()
    for kind in ("assignment_statement", "update_statement"):  # a set: order is moot
        for statement in source.nodes(kind):
            for part in statement.children:
                if part.type == "variable_list":
                    targets.update([target.id for target in part.children])
    text = source.node_text
    found: list[Access] = []
    for node in source.nodes("dot_index_expression", "method_index_expression"):
        method = node.type == "method_index_expression"
        receiver = node.child_by_field_id(_TABLE)
        name_node = node.child_by_field_id(_METHOD if method else _FIELD)
        if receiver is None or name_node is None:
            continue
        key = node.id
        found.append(
            Access(
                node, receiver, name_node, text(name_node), method, calls.get(key), key in targets
            )
        )
    return found


def method_calls(
    ctx: RuleContext, names: Iterable[str]
) -> Iterator[tuple[Access, list[tree_sitter.Node]]]:
    """`receiver:Name(args)` calls for the given method names, with their arguments."""
    wanted = set(names)
    for access in accesses(ctx):
        if access.method and access.call is not None and access.name in wanted:
            yield access, call_arguments(access.call)


def first_string_argument(source: LuauSource, args: list[tree_sitter.Node]) -> str | None:
    return string_literal(source, args[0]) if args else None


def closest(name: str, candidates: Iterable[str]) -> str | None:
    """The candidate `name` was most likely meant to be (case first, then spelling)."""
    pool = list(candidates)
    lowered = {c.lower(): c for c in pool}
    if name.lower() in lowered and lowered[name.lower()] != name:
        return lowered[name.lower()]
    found = difflib.get_close_matches(name, pool, n=1, cutoff=0.75)
    return found[0] if found else None


def member_label(member: Member) -> str:
    """`Class:Method` or `Class.Property` as Roblox documents it."""
    sep = ":" if member.kind is MemberKind.METHOD else "."
    return f"{member.owner}{sep}{member.name}"


def replacement_fix(member: Member, receiver_text: str) -> str | None:
    """What to write instead of a deprecated member, from its replacement."""
    replacement = member.replacement
    if not replacement:
        return None
    if not replacement.isidentifier():
        # Already a description or a qualified name ("Animator:LoadAnimation").
        return f"use {replacement}"
    # Name the receiver when it is short enough to read at a glance.
    receiver = receiver_text if len(receiver_text) <= 24 and "\n" not in receiver_text else ""
    if member.kind is MemberKind.METHOD:
        return f"use {receiver}:{replacement}()"
    return f"use {receiver}.{replacement}"


def short(text: str, limit: int = 40) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."
