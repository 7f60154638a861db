"""bug/unchecked-find: indexing the result of FindFirstChild & co. without a nil check.

`FindFirstChild*`, `FindFirstAncestor*`, `FindFirstDescendant`,
`GetPlayerFromCharacter`, `GetPlayerByUserId` and `WaitForChild(name, timeout)`
return nil when nothing matches; `WaitForChild(name)` without a timeout waits
and never returns nil, so it is not checked. A use is guarded by an enclosing
`if`/`elseif`/`while`/if-expression condition or an `and`/`or` left operand that
tests the value, or by an earlier `if` that tests it and leaves (`return`,
`break`, `continue`, `error`), or by `assert`. A local that is reassigned is left
alone: the reassignment is usually the fallback.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

from luaurft.roblox.behaviour import NIL_RETURNING_METHODS
from luaurft.scoring.analysis.calls import Call, calls
from luaurft.scoring.analysis.nodes import (
    FUNCTION_NODES,
    STATEMENT_CONTAINERS,
    ancestors,
    contains,
    named_children,
    operator_of,
    same,
)
from luaurft.scoring.analysis.scope import Declaration, ScopeAnalysis, scope_analysis
from luaurft.scoring.rule import Finding, Rule, RuleContext, Severity

if TYPE_CHECKING:
    from tree_sitter import Node

    from luaurft.luau.source import LuauSource

_INDEXES = frozenset(
    {"dot_index_expression", "bracket_index_expression", "method_index_expression"}
)
_WRAPPERS = frozenset({"cast_expression", "parenthesized_expression"})
_CONDITIONAL = frozenset(
    {"if_statement", "elseif_statement", "while_statement", "if_expression", "elseif_clause"}
)
_LEAVING = frozenset({"return_statement", "break_statement", "continue_statement"})

# Cheap text test before any tree work: the names of every nil-returning call.
_NIL_RETURNING_HINT = re.compile(r"FindFirst|GetPlayerFrom|GetPlayerByUserId|WaitForChild")

Mentions = Callable[["Node"], bool]


def may_return_nil(call: Call) -> bool:
    if call.method in NIL_RETURNING_METHODS:
        return True
    return call.method == "WaitForChild" and len(call.args) >= 2


def lift(node: Node) -> Node:
    """The outermost `(...)`/`::` wrapper around a value."""
    return _lifted(node)[0]


def _lifted(node: Node) -> tuple[Node, Node | None]:
    """`lift(node)` and its parent (asking tree-sitter for a parent walks down from the root)."""
    parent = node.parent
    while parent is not None and parent.type in _WRAPPERS:
        node = parent
        parent = node.parent
    return node, parent


def indexed_by(node: Node) -> Node | None:
    """The index expression that indexes this value (`v.x`, `v[k]`, `v:m()`), if any."""
    value, parent = _lifted(node)
    if parent is not None and parent.type in _INDEXES:
        table = parent.child_by_field_name("table")
        if same(table, value):
            return parent
    return None


class Guards:
    def __init__(self, source: LuauSource, scopes: ScopeAnalysis) -> None:
        self.source = source
        self.scopes = scopes

    def guarded(self, use: Node, mentions: Mentions, limit: Node | None) -> bool:
        """True when `use` runs only after something tested the value (see module doc)."""
        child = use
        for parent in ancestors(use):
            kind = parent.type
            if kind == "binary_expression":
                left = parent.child_by_field_name("left")
                operator = operator_of(parent)
                if (
                    operator in ("and", "or")
                    and left is not None
                    and not contains(left, child)
                    and mentions(left)
                ):
                    return True
            elif kind in _CONDITIONAL:
                if self._condition_mentions(parent, child, mentions):
                    return True
            elif kind in STATEMENT_CONTAINERS and self._earlier_exit(parent, child, mentions):
                return True
            if limit is not None and same(parent, limit):
                break
            child = parent
        return False

    def _condition_mentions(self, node: Node, branch: Node, mentions: Mentions) -> bool:
        condition = node.child_by_field_name("condition")
        if condition is None or contains(condition, branch):
            return False
        if mentions(condition):
            return True
        # `if a then ... elseif b then <use> end`: the chain's first condition also tests.
        if node.type in ("elseif_statement", "elseif_clause") and node.parent is not None:
            return self._condition_mentions(node.parent, branch, mentions)
        return False

    def _earlier_exit(self, block: Node, statement: Node, mentions: Mentions) -> bool:
        for earlier in named_children(block):
            if earlier.start_byte >= statement.start_byte:
                return False
            kind = earlier.type
            if kind == "if_statement":
                condition = earlier.child_by_field_name("condition")
                if condition is not None and mentions(condition) and _leaves(earlier):
                    return True
            elif kind == "function_call" and self._is_assert(earlier) and mentions(earlier):
                return True
        return False

    def _is_assert(self, call: Node) -> bool:
        callee = call.child_by_field_name("name")
        return callee is not None and self.source.node_text(callee) == "assert"


def _leaves(statement: Node) -> bool:
    """True when some path through `statement` returns, breaks, continues or errors."""
    stack = [statement]
    while stack:
        node = stack.pop()
        if node.type in FUNCTION_NODES:
            continue
        if node.type in _LEAVING:
            return True
        if node.type == "function_call":
            callee = node.child_by_field_name("name")
            if callee is not None and callee.type == "identifier" and callee.text == b"error":
                return True
        stack.extend(node.children)
    return False


def mentions_declaration(
    scopes: ScopeAnalysis, decl: Declaration, proxies: tuple[Declaration, ...] = ()
) -> Mentions:
    """Whether a node reads `decl`, or a local that is nil whenever `decl` is (`proxies`)."""
    wanted = (decl, *proxies)

    def mentions(node: Node) -> bool:
        stack = [node]
        while stack:
            current = stack.pop()
            if current.type == "identifier" and any(
                scopes.declaration(current) is d for d in wanted
            ):
                return True
            stack.extend(current.children)
        return False

    return mentions


def _and_proxies(
    source: LuauSource, scopes: ScopeAnalysis, decl: Declaration
) -> tuple[Declaration, ...]:
    """Locals bound to `decl and ...` (never reassigned): testing them tests `decl` too, so
    `local seat = car and car:FindFirstChild("Seat"); if not seat then return end` guards `car`."""
    direct = mentions_declaration(scopes, decl)
    found = []
    for other in scopes.declarations:
        value = other.value
        if value is None or other.writes or other is decl:
            continue
        value = _lift_down(value)
        conjunction = False
        while value.type == "binary_expression" and operator_of(value) == "and":
            left = value.child_by_field_name("left")
            if left is None:
                break
            value, conjunction = _lift_down(left), True
        if conjunction and direct(value):
            found.append(other)
    return tuple(found)


def _lift_down(node: Node) -> Node:
    """Inside `(...)` and `::` wrappers."""
    while node.type in _WRAPPERS and node.named_children:
        node = node.named_children[0]
    return node


def _asserted_present(source: LuauSource, call: Node) -> bool:
    """The call is cast to a non-optional type: `find(...) :: BasePart` (not `:: BasePart?`)."""
    parent = call.parent
    while parent is not None and parent.type == "parenthesized_expression":
        parent = parent.parent
    if parent is None or parent.type != "cast_expression":
        return False
    cast_type = parent.named_children[-1] if parent.named_children else None
    return cast_type is not None and not source.node_text(cast_type).rstrip().endswith("?")


def _mentions_text(source: LuauSource, text: str) -> Mentions:
    def mentions(node: Node) -> bool:
        return text in source.node_text(node)

    return mentions


class UncheckedFindRule(Rule):
    id = "bug/unchecked-find"
    scorer = "bug"
    severity = Severity.WARNING
    summary = (
        "FindFirstChild/FindFirstAncestor/GetPlayerFromCharacter and WaitForChild with a "
        "timeout can return nil; check the result before indexing it."
    )
    bad = (
        "local function heal(character: Model)\n"
        '\tlocal humanoid = character:FindFirstChild("Humanoid")\n'
        "\thumanoid.Health = humanoid.MaxHealth\n"
        "end\n"
    )
    good = (
        "local function heal(character: Model)\n"
        '\tlocal humanoid = character:FindFirstChildOfClass("Humanoid")\n'
        "\tif not humanoid then\n"
        "\t\treturn\n"
        "\tend\n"
        "\thumanoid.Health = humanoid.MaxHealth\n"
        "end\n"
    )

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        if _NIL_RETURNING_HINT.search(ctx.source.text) is None:
            return
        scopes = scope_analysis(ctx)
        guards = Guards(ctx.source, scopes)
        by_value = {d.value.id: d for d in scopes.declarations if d.value is not None}
        for call in calls(ctx).all:
            if not may_return_nil(call) or scopes.in_error_region(call.node):
                continue
            call_text = ctx.source.node_text(call.node)
            index = indexed_by(call.node)
            if index is not None:
                if not guards.guarded(call.node, _mentions_text(ctx.source, call_text), None):
                    yield self.at(
                        ctx,
                        call.node,
                        f"`{_short(call_text)}` can return nil and is indexed at once",
                        "store it in a local and check it: `if not found then return end`",
                    )
                continue
            if _asserted_present(ctx.source, call.node):
                # `x:FindFirstChild("Root") :: BasePart`: the programmer states the
                # child exists; the type checker holds them to it, not this rule.
                continue
            decl = by_value.get(lift(call.node).id)
            if decl is None or decl.writes or decl.name.startswith("_"):
                continue
            mentions = mentions_declaration(scopes, decl, _and_proxies(ctx.source, scopes, decl))
            for ref in decl.reads:
                if indexed_by(ref.node) is None:
                    continue
                if guards.guarded(ref.node, mentions, None):
                    continue
                if _unparsed_between(scopes, decl.node.start_byte, ref.node.end_byte):
                    # The check may sit in code tree-sitter could not parse.
                    break
                yield self.at(
                    ctx,
                    ref.node,
                    f"`{decl.name}` comes from `{_short(call_text)}`, which can return nil, "
                    "and is indexed without a nil check",
                    f"check it first: `if not {decl.name} then return end`",
                )
                break


def _unparsed_between(scopes: ScopeAnalysis, start: int, end: int) -> bool:
    return any(s < end and start < e for s, e in scopes.error_ranges)


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= 60 else text[:57] + "..."
