"""The `Instance.new(...)` calls of a script, found once for every rule that reads them."""

from __future__ import annotations

from collections.abc import Iterator

import tree_sitter

from luaurft.scoring.analysis.bindings import TypeKind, bindings_for, call_arguments, string_literal
from luaurft.scoring.rule import RuleContext


def instance_new_calls(
    ctx: RuleContext,
) -> Iterator[tuple[tree_sitter.Node, list[tree_sitter.Node], str | None]]:
    """Every `Instance.new(...)` call (the real global), with its arguments and literal class name."""

    def compute() -> list[tuple[tree_sitter.Node, list[tree_sitter.Node], str | None]]:
        bindings = bindings_for(ctx)
        src = ctx.source
        found = []
        for call in src.nodes("function_call"):
            callee = call.child_by_field_name("name")
            if callee is None or callee.type != "dot_index_expression":
                continue
            table = callee.child_by_field_name("table")
            field = callee.child_by_field_name("field")
            if table is None or field is None or src.node_text(field) != "new":
                continue
            lib = bindings.type_of(table)
            if lib is None or lib.kind is not TypeKind.LIBRARY or lib.name != "Instance":
                continue
            args = call_arguments(call)
            found.append((call, args, string_literal(src, args[0]) if args else None))
        return found

    yield from ctx.memo("api.instance_new_calls", compute)
