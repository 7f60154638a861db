"""bug/length-of-dictionary: `#t` on a table that only ever has named keys.

`#` counts a table's array part (the keys 1, 2, 3, ...). A local made with
named keys only (`{ sword = true, shield = true }`) has none, so `#` of it is 0
however many entries it holds. Reported only where nothing could have given it
an array part: the local is never reassigned, and is only read by field (`t.x`,
`t["x"]`, `t.x = v`, `t[k]`), by `#` or by `pairs`/`next`; a table handed to
any other call, returned, or written through a key that is not a string may be
filled elsewhere and is left alone.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from luaurft.luau.source import field_id
from luaurft.scoring.analysis.calls import calls
from luaurft.scoring.analysis.nodes import operator_of, same
from luaurft.scoring.analysis.scope import Declaration, DeclKind, scope_analysis
from luaurft.scoring.rule import Finding, Rule, RuleContext, Severity

if TYPE_CHECKING:
    from tree_sitter import Node

    from luaurft.luau.source import LuauSource

_NAME = field_id("name")
_TABLE = field_id("table")
_FIELD = field_id("field")
_OPERAND = field_id("operand")
# Calls that walk a table's keys without changing them.
_KEY_WALKERS = frozenset({"pairs", "next"})


def _named_keys(source: LuauSource, table: Node) -> list[str] | None:
    """The keys of a constructor whose every field has a name or a string key
    (`{ a = 1, ["b c"] = 2 }`); None if any field is positional or computed."""
    keys = []
    for item in table.named_children:
        if item.type == "comment":
            continue
        if item.type != "field":
            return None
        key = item.child_by_field_id(_NAME)
        if key is None:
            return None  # positional: an array element
        bracketed = item.children[0].type == "["
        if bracketed and key.type != "string":
            return None  # `[k] = v`: k may be a number
        keys.append(source.node_text(key))
    return keys or None


class LengthOfDictionaryRule(Rule):
    id = "bug/length-of-dictionary"
    scorer = "bug"
    severity = Severity.WARNING
    summary = (
        "`#t` where t only ever holds named keys (`{ sword = true }`): `#` counts the "
        "array part, so it is 0 however many entries there are."
    )
    bad = 'local owned = { Sword = true, Shield = true }\nprint("items owned: " .. #owned)\n'
    good = (
        "local owned = { Sword = true, Shield = true }\n"
        "local count = 0\n"
        "for _ in pairs(owned) do\n"
        "\tcount += 1\n"
        "end\n"
        'print("items owned: " .. count)\n'
    )

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        source = ctx.source
        if "#" not in source.text:
            return
        lengths = [
            node
            for node in source.nodes("unary_expression")
            if operator_of(node) == "#"
            and (operand := node.child_by_field_id(_OPERAND)) is not None
            and operand.type == "identifier"
        ]
        if not lengths:
            return
        scopes = scope_analysis(ctx)
        judged: dict[int, list[str] | None] = {}
        for node in lengths:
            operand = node.child_by_field_id(_OPERAND)
            decl = scopes.declaration(operand) if operand is not None else None
            if decl is None:
                continue
            key = id(decl)
            if key not in judged:
                judged[key] = _dictionary_keys(ctx, decl)
            keys = judged[key]
            if keys is None:
                continue
            shown = ", ".join(keys[:3]) + (", ..." if len(keys) > 3 else "")
            yield self.at(
                ctx,
                node,
                f"`#{decl.name}` is 0: `{decl.name}` has only named keys ({shown}), and `#` "
                "counts the array part (keys 1, 2, 3, ...)",
                f"count its entries: local n = 0; for _ in pairs({decl.name}) do n += 1 end",
            )


def _dictionary_keys(ctx: RuleContext, decl: Declaration) -> list[str] | None:
    """The named keys of a local that is only ever a dictionary, else None."""
    value = decl.value
    if (
        decl.kind is not DeclKind.LOCAL
        or decl.writes
        or value is None
        or value.type != "table_constructor"
    ):
        return None
    keys = _named_keys(ctx.source, value)
    if keys is None:
        return None
    if not all(_keeps_it_a_dictionary(ctx, ref.node) for ref in decl.reads):
        return None
    return keys


def _keeps_it_a_dictionary(ctx: RuleContext, use: Node) -> bool:
    """A read that cannot give the table an array part."""
    parent = use.parent
    if parent is None:
        return False
    kind = parent.type
    if kind == "unary_expression":
        return operator_of(parent) == "#"
    if kind == "dot_index_expression":
        return same(parent.child_by_field_id(_TABLE), use)
    if kind == "bracket_index_expression":
        if not same(parent.child_by_field_id(_TABLE), use):
            return True  # `other[t]`: t is a key there
        key = parent.child_by_field_id(_FIELD)
        # A read through any key is harmless; a write only through a string key.
        written = parent.parent is not None and parent.parent.type == "variable_list"
        return not written or (key is not None and key.type == "string")
    if kind == "arguments" and parent.parent is not None:
        call = calls(ctx).of(parent.parent)
        return (
            call is not None
            and call.function in _KEY_WALKERS
            and bool(call.args)
            and same(call.args[0], use)
        )
    return False
