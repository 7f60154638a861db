"""bug/unused-local: a local variable or local function that is never read.

Numeric `for` counters are not reported (`for i = 1, 3 do spawnWave() end` is
plain). A local holding a new table that is only stored into (`local t = {};
t.x = 1`, `table.insert(t, v)`) is unused too. A function with an empty body is
left to the quality scorer.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from luaurft.scoring.analysis.functions import unused_local_functions
from luaurft.scoring.analysis.scope import Declaration, DeclKind, scope_analysis
from luaurft.scoring.rule import Finding, Rule, RuleContext, Severity
from luaurft.scoring.rules.bug._unused import trailing_unused

if TYPE_CHECKING:
    from tree_sitter import Node

    from luaurft.luau.source import LuauSource

_INDEXES = frozenset({"dot_index_expression", "bracket_index_expression"})


def only_written(source: LuauSource, decl: Declaration) -> bool:
    """A local holding a new table that the code only ever stores into (`t.x = 1`)."""
    if decl.kind is not DeclKind.LOCAL or decl.writes or not decl.reads or decl.type_uses:
        return False
    if decl.value is None or decl.value.type != "table_constructor":
        return False
    return all(_stores_into(source, ref.node) for ref in decl.reads)


def _stores_into(source: LuauSource, node: Node) -> bool:
    """`node` is only stored into here: `t.x = v`, `t[k] = v`, or `table.insert(t, v)`
    as a statement."""
    parent = node.parent
    if parent is None:
        return False
    if parent.type in _INDEXES:
        target = parent.parent
        return (
            parent.named_children[0] == node
            and target is not None
            and (target.type == "variable_list")
        )
    if parent.type == "arguments" and parent.named_children[0] == node:
        call = parent.parent
        return (
            call is not None
            and call.parent is not None
            and call.parent.type in ("block", "chunk")
            and source.node_text(call.children[0]) == "table.insert"
        )
    return False


def _numeric_counter(decl: Declaration) -> bool:
    clause = decl.statement.child_by_field_name("clause")
    return clause is not None and clause.type == "for_numeric_clause"


# A tuple: members compare by identity at once, where a set would hash each kind.
_CHECKED = (DeclKind.LOCAL, DeclKind.LOCAL_FUNCTION, DeclKind.LOOP_VARIABLE)


class UnusedLocalRule(Rule):
    id = "bug/unused-local"
    scorer = "bug"
    severity = Severity.INFO
    summary = (
        "A local variable or local function is never read (a new table only stored into "
        "counts): dead code, or a value that was meant to be used."
    )
    bad = "local function spawnCoin()\n\tlocal coin = Instance.new('Part')\n\treturn nil\nend\nspawnCoin()\n"
    good = (
        "local function spawnCoin()\n\tlocal coin = Instance.new('Part')\n"
        "\tcoin.Parent = workspace\n\treturn coin\nend\nspawnCoin()\n"
    )

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        scopes = scope_analysis(ctx)
        seen: set[int] = set()
        # An unused function is reported once, by quality/unused-function (which
        # runs on clean trees only); here only what that rule does not say.
        said = (
            set()
            if ctx.source.tree_has_errors
            else {
                fn.name_node.start_byte
                for fn in unused_local_functions(ctx)
                if fn.name_node is not None
            }
        )
        for decl in scopes.declarations:
            kind = decl.kind
            if kind not in _CHECKED:
                continue
            # A group seen is done with, whatever else holds: asked first, it spares
            # the other questions for every later name of a list.
            key = id(decl.group)
            if key in seen:
                continue
            if said and decl.node.start_byte in said:
                continue
            if kind is DeclKind.LOOP_VARIABLE and _numeric_counter(decl):
                continue
            if not scopes.reliable(decl):
                continue
            seen.add(key)
            for stored in decl.group:
                if only_written(ctx.source, stored) and not stored.name.startswith("_"):
                    yield self.at(
                        ctx,
                        stored.node,
                        f"local `{stored.name}` is only written to: nothing reads the table",
                        "remove it, or use the values it stores",
                    )
            group = decl.group
            if len(group) == 1 and (
                decl.type_uses or (decl.reads and kind is not DeclKind.LOCAL_FUNCTION)
            ):
                continue  # one name, read: the commonest local, and nothing to say
            for unused in trailing_unused(scopes, group):
                what = {
                    DeclKind.LOCAL_FUNCTION: "local function",
                    DeclKind.LOOP_VARIABLE: "loop variable",
                }.get(unused.kind, "local")
                assigned = " (only assigned)" if unused.writes else ""
                yield self.at(
                    ctx,
                    unused.node,
                    f"{what} `{unused.name}` is never used{assigned}",
                    f"remove it, or name it `_` / `_{unused.name}` if it must stay",
                )
