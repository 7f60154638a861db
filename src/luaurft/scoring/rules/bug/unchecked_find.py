"""bug/unchecked-find: indexing the result of FindFirstChild & co. without a nil check.

`FindFirstChild*`, `FindFirstAncestor*`, `FindFirstDescendant`,
`GetPlayerFromCharacter`, `GetPlayerByUserId` and `WaitForChild(name, timeout)`
return nil when nothing matches; `WaitForChild(name)` without a timeout (or with
`math.huge`) waits and never returns nil, so it is not checked. What guards a use is
`_nil_guards`'s to say (a condition that tests the value, an earlier `if` that
tests it and leaves, `assert`). A local that is reassigned is left alone: the
reassignment is usually the fallback.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from luaurft.roblox.behaviour import NIL_RETURNING_METHODS
from luaurft.scoring.analysis.bindings import annotation_of
from luaurft.scoring.analysis.calls import Call, calls
from luaurft.scoring.analysis.nodes import operator_of, same
from luaurft.scoring.analysis.scope import Declaration, ScopeAnalysis, scope_analysis
from luaurft.scoring.rule import Finding, Rule, RuleContext, Severity
from luaurft.scoring.rules.bug._nil_guards import (
    Guards,
    Mentions,
    lift,
    lift_down,
    lifted,
    mentions_declaration,
)

if TYPE_CHECKING:
    from tree_sitter import Node

    from luaurft.luau.source import LuauSource


_INDEXES = frozenset(
    {"dot_index_expression", "bracket_index_expression", "method_index_expression"}
)

# Cheap text test before any tree work: the names of every nil-returning call.
# Words a call that may return nil has in its name. Substring tests: a regex
# alternation of literals tries each one at every position of the text.
_NIL_RETURNING_HINTS = ("FindFirst", "GetPlayerFrom", "GetPlayerByUserId", "WaitForChild")


def may_return_nil(call: Call) -> bool:
    if call.method in NIL_RETURNING_METHODS:
        return True
    # A timeout of `math.huge` never runs out: that wait returns the child, as one without.
    return call.method == "WaitForChild" and len(call.args) >= 2 and not _forever(call.args[1])


def _forever(timeout: Node) -> bool:
    return b"".join((timeout.text or b"").split()) == b"math.huge"


def indexed_by(node: Node) -> Node | None:
    """The index expression that indexes this value (`v.x`, `v[k]`, `v:m()`), if any."""
    value, parent = lifted(node)
    if parent is not None and parent.type in _INDEXES:
        table = parent.child_by_field_name("table")
        if same(table, value):
            return parent
    return None


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
        value = lift_down(value)
        conjunction = False
        while value.type == "binary_expression" and operator_of(value) == "and":
            left = value.child_by_field_name("left")
            if left is None:
                break
            value, conjunction = lift_down(left), True
        if conjunction and direct(value):
            found.append(other)
    return tuple(found)


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


def _holders_by_call(
    source: LuauSource, by_value: dict[int, Declaration]
) -> dict[str, list[Declaration]]:
    """Never-reassigned locals that hold a call, by the call's text."""
    found: dict[str, list[Declaration]] = {}
    for decl in by_value.values():
        value = decl.value
        if value is None or decl.writes:
            continue
        value = lift_down(value)
        if value.type == "function_call":
            found.setdefault(source.node_text(value), []).append(decl)
    return found


def _mentions_call(
    source: LuauSource,
    scopes: ScopeAnalysis,
    call_text: str,
    holders: dict[str, list[Declaration]],
) -> Mentions:
    """A test of the call itself, or of a local that holds the same call: in
    `local tool = c:FindFirstChild("T"); if tool then c:FindFirstChild("T"):Destroy() end`
    the second lookup finds what the first one found, as with a condition that
    makes the call itself."""
    by_call = _mentions_text(source, call_text)
    held = holders.get(call_text)
    if not held:
        return by_call
    by_holder = [mentions_declaration(scopes, decl) for decl in held]

    def mentions(node: Node) -> bool:
        return by_call(node) or any(m(node) for m in by_holder)

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
        text = ctx.source.text
        if not any(hint in text for hint in _NIL_RETURNING_HINTS):
            return
        scopes = scope_analysis(ctx)
        guards = Guards(ctx.source, scopes)
        by_value = {d.value.id: d for d in scopes.declarations if d.value is not None}
        holders: dict[str, list[Declaration]] | None = None
        for call in calls(ctx).all:
            if not may_return_nil(call) or scopes.in_error_region(call.node):
                continue
            call_text = ctx.source.node_text(call.node)
            index = indexed_by(call.node)
            if index is not None:
                if holders is None:
                    holders = _holders_by_call(ctx.source, by_value)
                if not guards.guarded(
                    call.node, _mentions_call(ctx.source, scopes, call_text, holders), None
                ):
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
            declared = annotation_of(decl)
            if declared is not None and not ctx.source.node_text(declared).rstrip().endswith("?"):
                # `local root: BasePart = x:FindFirstChild("Root")`: a non-optional
                # type, stated as a cast would state it (see `_asserted_present`).
                continue
            by_name = mentions_declaration(scopes, decl, _and_proxies(ctx.source, scopes, decl))
            by_call = _mentions_text(ctx.source, call_text)

            # `if ws:FindFirstChild("Map") then local map = ws:FindFirstChild("Map") ...`:
            # a condition that makes the same call tests the value as well as the local.
            def mentions(
                node: Node, by_name: Mentions = by_name, by_call: Mentions = by_call
            ) -> bool:
                return by_name(node) or by_call(node)

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
