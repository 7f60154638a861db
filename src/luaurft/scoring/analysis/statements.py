"""Statements: which nodes are statements, and every block's statements, listed once per context."""

from __future__ import annotations

from typing import TYPE_CHECKING

from luaurft.scoring.analysis.nodes import STATEMENT_CONTAINERS

if TYPE_CHECKING:
    import tree_sitter

    from luaurft.scoring.rule import RuleContext


CONTROL_TYPES: tuple[str, ...] = (
    "if_statement",
    "for_statement",
    "while_statement",
    "repeat_statement",
    "do_statement",
)
STATEMENT_TYPES: tuple[str, ...] = (
    "variable_declaration",
    "assignment_statement",
    "update_statement",
    "function_call",
    "function_declaration",
    "return_statement",
    "break_statement",
    "continue_statement",
    "type_definition",
    "empty_statement",
    *CONTROL_TYPES,
)

# For membership tests: a tuple is searched one string at a time.
_STATEMENT_TYPE_SET = frozenset(STATEMENT_TYPES)


def is_statement(node: tree_sitter.Node) -> bool:
    if node.type not in _STATEMENT_TYPE_SET:
        return False
    # Asked last: tree-sitter finds a parent by walking down from the root.
    parent = node.parent
    return parent is not None and parent.type in STATEMENT_CONTAINERS


def block_statements(block: tree_sitter.Node | None) -> list[tree_sitter.Node]:
    """The statements of a block or chunk, comments left out."""
    if block is None:
        return []
    return [c for c in block.named_children if c.type in _STATEMENT_TYPE_SET]


def statements(ctx: RuleContext) -> list[tuple[tree_sitter.Node, list[tree_sitter.Node]]]:
    """Every block (the chunk first) with its statements, from one pass over the block index."""

    def compute() -> list[tuple[tree_sitter.Node, list[tree_sitter.Node]]]:
        source = ctx.source
        return [(b, block_statements(b)) for b in (source.root, *source.nodes("block"))]

    result: list[tuple[tree_sitter.Node, list[tree_sitter.Node]]] = ctx.memo(
        "statements.by_block", compute
    )
    return result
