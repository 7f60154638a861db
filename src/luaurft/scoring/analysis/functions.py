"""The functions in a piece of code: each one's name, parameters and body, the innermost
function around a node, and the script-private functions nothing uses.

Computed once per `RuleContext` (through `ctx.memo`) from the source's shared walk.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from typing import TYPE_CHECKING

from luaurft.luau.source import field_id
from luaurft.scoring.analysis.nodes import FUNCTION_NODES, contains
from luaurft.scoring.analysis.scope import scope_analysis
from luaurft.scoring.analysis.statements import is_empty_block

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


_F_NAME = field_id("name")
_F_PARAMETERS = field_id("parameters")
_F_BODY = field_id("body")


def _function_info(source: LuauSource, node: tree_sitter.Node) -> FunctionInfo:
    name_node = node.child_by_field_id(_F_NAME)
    kind = node.type
    is_local = False
    if kind == "function_declaration":
        for child in node.children:
            child_kind = child.type
            if child_kind == "local":
                is_local = True
                break
            if child_kind == "function":
                break  # `local` comes before the keyword, or not at all
    params_node = node.child_by_field_id(_F_PARAMETERS)
    params = (
        tuple(c for c in params_node.named_children if c.type == "parameter") if params_node else ()
    )
    # A vararg parameter is `...` (with its type after it): its text starts there.
    data = source.bytes
    has_vararg = any(data.startswith(b"...", p.start_byte, p.end_byte) for p in params)
    name = source.node_text(name_node) if name_node is not None else None
    if name is None and kind == "function_definition":
        name, name_node, is_local = _assigned_name(source, node)
    return FunctionInfo(
        node=node,
        name=name,
        name_node=name_node,
        is_local=is_local,
        body=node.child_by_field_id(_F_BODY),
        params=params,
        has_vararg=has_vararg,
    )


def _assigned_name(
    source: LuauSource, fn: tree_sitter.Node
) -> tuple[str | None, tree_sitter.Node | None, bool]:
    """The name a function value is bound to, its node, and whether the binding is local:
    `local name = function() end` and `M.name = function() end`, where the function
    is the only value of a one-target assignment."""
    values = fn.parent
    if values is None or values.type != "expression_list" or values.named_child_count != 1:
        return None, None, False
    assignment = values.parent
    if (
        assignment is None
        or assignment.type != "assignment_statement"
        or not assignment.named_children
    ):
        return None, None, False
    targets = assignment.named_children[0].children_by_field_id(_F_NAME)
    if len(targets) != 1:
        return None, None, False
    target = targets[0]
    # identifier <- variable_list <- assignment_statement <- variable_declaration
    declaration = assignment.parent if target.type == "identifier" else None
    is_local = declaration is not None and declaration.type == "variable_declaration"
    return source.node_text(target), target, is_local


def functions(ctx: RuleContext) -> list[FunctionInfo]:
    """Every function in the code, in document order."""

    def compute() -> list[FunctionInfo]:
        return [_function_info(ctx.source, n) for n in ctx.source.nodes(*FUNCTION_TYPES)]

    result: list[FunctionInfo] = ctx.memo("functions.all", compute)
    return result


def innermost_function(ctx: RuleContext, node: tree_sitter.Node) -> FunctionInfo | None:
    """The innermost function whose body holds `node`, found from function spans (no parent walk)."""
    spans: tuple[list[int], list[int], list[FunctionInfo]] = ctx.memo(
        "functions.spans", lambda: _function_spans(functions(ctx))
    )
    starts, ends, infos = spans
    start, end = node.start_byte, node.end_byte
    index = bisect.bisect_right(starts, start) - 1
    while index >= 0:
        if ends[index] >= end and starts[index] < start:
            return infos[index]
        index -= 1
    return None


def _function_spans(infos: list[FunctionInfo]) -> tuple[list[int], list[int], list[FunctionInfo]]:
    """The functions' start and end bytes, read once for every `innermost_function`."""
    return [f.node.start_byte for f in infos], [f.node.end_byte for f in infos], infos


def is_empty_body(fn: FunctionInfo) -> bool:
    return is_empty_block(fn.body)


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
