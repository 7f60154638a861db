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


def is_empty_block(block: tree_sitter.Node | None) -> bool:
    """`block` holds no statement but empty ones (`;`): its children are read only up
    to the first real statement."""
    if block is None:
        return True
    for index in range(block.named_child_count):
        child = block.named_child(index)
        kind = child.type if child is not None else None
        if kind in _STATEMENT_TYPE_SET and kind != "empty_statement":
            return False
    return True


def statements(ctx: RuleContext) -> list[tuple[tree_sitter.Node, list[tree_sitter.Node]]]:
    """Every block (the chunk first) with its statements, from one pass over the block index."""

    def compute() -> list[tuple[tree_sitter.Node, list[tree_sitter.Node]]]:
        return [(block, [node for node, _kind in typed]) for block, typed in typed_statements(ctx)]

    result: list[tuple[tree_sitter.Node, list[tree_sitter.Node]]] = ctx.memo(
        "statements.by_block", compute
    )
    return result


def typed_statements(
    ctx: RuleContext,
) -> list[tuple[tree_sitter.Node, list[tuple[tree_sitter.Node, str]]]]:
    """`statements`, each statement with its type: read once here, asked by every pass."""

    def compute() -> list[tuple[tree_sitter.Node, list[tuple[tree_sitter.Node, str]]]]:
        source = ctx.source
        found = []
        for block in (source.root, *source.nodes("block")):
            typed = []
            for child in block.named_children:
                kind = child.type
                if kind in _STATEMENT_TYPE_SET:
                    typed.append((child, kind))
            found.append((block, typed))
        return found

    result: list[tuple[tree_sitter.Node, list[tuple[tree_sitter.Node, str]]]] = ctx.memo(
        "statements.typed", compute
    )
    return result
