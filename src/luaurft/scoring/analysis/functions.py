"""The functions in a piece of code: each one's name, parameters and body, the innermost
function around a node, and the script-private functions nothing uses.

Computed once per `RuleContext` (through `ctx.memo`) from the source's shared walk.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from typing import TYPE_CHECKING

from luaurft.scoring.analysis.nodes import FUNCTION_NODES, contains
from luaurft.scoring.analysis.scope import scope_analysis
from luaurft.scoring.analysis.statements import block_statements

if TYPE_CHECKING:
    import tree_sitter

    from luaurft.luau.source import LuauSource
    from luaurft.scoring.rule import RuleContext

# A tuple, in a fixed order, for `source.nodes(*FUNCTION_TYPES)`.
FUNCTION_TYPES: tuple[str, ...] = tuple(sorted(FUNCTION_NODES))


@dataclass(frozen=True)
class FunctionInfo:
    node: tree_sitter.Node
    name: str | None  # None for an anonymous function
    name_node: tree_sitter.Node | None
    is_local: bool
    body: tree_sitter.Node | None
    params: tuple[tree_sitter.Node, ...]  # `parameter` nodes
    has_vararg: bool

    @property
    def line(self) -> int:
        return self.node.start_point[0] + 1

    @property
    def label(self) -> str:
        return f"function '{self.name}'" if self.name else "anonymous function"


def _function_info(source: LuauSource, node: tree_sitter.Node) -> FunctionInfo:
    name_node = node.child_by_field_name("name")
    is_local = node.type == "function_declaration" and any(c.type == "local" for c in node.children)
    params_node = node.child_by_field_name("parameters")
    params = (
        tuple(c for c in params_node.named_children if c.type == "parameter") if params_node else ()
    )
    has_vararg = any(any(g.type == "vararg_expression" for g in p.children) for p in params)
    name = source.node_text(name_node) if name_node is not None else None
    if name is None and node.type == "function_definition":
        name, name_node = _assigned_name(source, node)
        is_local = name_node is not None and _is_local_binding(name_node)
    return FunctionInfo(
        node=node,
        name=name,
        name_node=name_node,
        is_local=is_local,
        body=node.child_by_field_name("body"),
        params=params,
        has_vararg=has_vararg,
    )


def _assigned_name(
    source: LuauSource, fn: tree_sitter.Node
) -> tuple[str | None, tree_sitter.Node | None]:
    # `local name = function() end` and `M.name = function() end`: the function
    # is the only value of a one-target assignment.
    values = fn.parent
    if values is None or values.type != "expression_list" or values.named_child_count != 1:
        return None, None
    assignment = values.parent
    if (
        assignment is None
        or assignment.type != "assignment_statement"
        or not assignment.named_children
    ):
        return None, None
    targets = assignment.named_children[0].children_by_field_name("name")
    if len(targets) != 1:
        return None, None
    return source.node_text(targets[0]), targets[0]


def _is_local_binding(name_node: tree_sitter.Node) -> bool:
    # identifier <- variable_list <- assignment_statement <- variable_declaration
    node: tree_sitter.Node | None = name_node
    for _ in range(3):
        node = node.parent if node is not None else None
    return (
        name_node.type == "identifier" and node is not None and node.type == "variable_declaration"
    )


def functions(ctx: RuleContext) -> list[FunctionInfo]:
    """Every function in the code, in document order."""

    def compute() -> list[FunctionInfo]:
        return [_function_info(ctx.source, n) for n in ctx.source.nodes(*FUNCTION_TYPES)]

    result: list[FunctionInfo] = ctx.memo("functions.all", compute)
    return result


def innermost_function(ctx: RuleContext, node: tree_sitter.Node) -> FunctionInfo | None:
    """The innermost function whose body holds `node`, found from function spans (no parent walk)."""
    spans: tuple[list[int], list[FunctionInfo]] = ctx.memo(
        "functions.spans",
        lambda: ([f.node.start_byte for f in functions(ctx)], functions(ctx)),
    )
    starts, infos = spans
    index = bisect.bisect_right(starts, node.start_byte) - 1
    while index >= 0:
        candidate = infos[index].node
        if candidate.end_byte >= node.end_byte and candidate.start_byte < node.start_byte:
            return infos[index]
        index -= 1
    return None


def is_empty_body(fn: FunctionInfo) -> bool:
    return not block_statements(fn.body) or all(
        s.type == "empty_statement" for s in block_statements(fn.body)
    )


def unused_local_functions(ctx: RuleContext) -> list[FunctionInfo]:
    """Script-private functions (local, or global by plain name) never read outside their own body.

    Reads are the scope analysis's: a call of a same-named parameter or field is
    not a use. Where a parse error may hide a use, the function counts as used:
    the rule errs towards silence, never towards a false "unused".
    """

    def compute() -> list[FunctionInfo]:
        # A global `function name()` is as private as a local one: every script
        # has its own environment, and a module exports only what it returns.
        candidates = [
            fn
            for fn in functions(ctx)
            if fn.name_node is not None
            and fn.name
            and not fn.name.startswith("_")
            and (
                fn.is_local
                or (fn.node.type == "function_declaration" and fn.name_node.type == "identifier")
            )
        ]
        if not candidates:
            return []
        scopes = scope_analysis(ctx)
        unused = []
        for fn in candidates:
            assert fn.name is not None and fn.name_node is not None
            decl = scopes.declaration(fn.name_node)
            if decl is not None:
                if decl.type_uses or not scopes.reliable(decl):
                    continue
                reads = decl.reads
            elif scopes.partial:
                continue
            else:
                reads = scopes.global_reads.get(fn.name, [])
            if not any(not contains(fn.node, read.node) for read in reads):
                unused.append(fn)
        return unused

    result: list[FunctionInfo] = ctx.memo("functions.unused_local", compute)
    return result
