"""Dead code: regions that never run (`if false`, after an unconditional exit) or do nothing (`local _ = 1`)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from luaurft.luau.source import field_id
from luaurft.scoring.analysis.nodes import is_literal
from luaurft.scoring.analysis.statements import block_statements, typed_statements

if TYPE_CHECKING:
    import tree_sitter

    from luaurft.luau.source import LuauSource
    from luaurft.scoring.rule import RuleContext


@dataclass(frozen=True)
class DeadCode:
    """A region that never runs or does nothing: `node` spans it, `reason` says why."""

    node: tree_sitter.Node
    start_byte: int
    end_byte: int
    reason: str


_F_NAME = field_id("name")
_F_BODY = field_id("body")
_F_CONDITION = field_id("condition")
_F_CONSEQUENCE = field_id("consequence")
_F_ALTERNATIVE = field_id("alternative")


# The statement types `always_exits` can say yes to.
_MAY_EXIT = frozenset(
    {
        "return_statement",
        "break_statement",
        "continue_statement",
        "function_call",
        "do_statement",
        "if_statement",
    }
)


def always_exits(source: LuauSource, stmt: tree_sitter.Node) -> bool:
    """`stmt` leaves its block on every path: a return, break, continue or `error(...)`,
    or an if/else (or do block) each of whose branches ends in one."""
    kind = stmt.type
    if kind in ("return_statement", "break_statement", "continue_statement"):
        return True
    if kind == "function_call":
        callee = stmt.child_by_field_id(_F_NAME)
        # `error` is five bytes: a longer or shorter name is not read at all.
        return (
            callee is not None
            and callee.end_byte - callee.start_byte == 5
            and source.node_text(callee) == "error"
        )
    if kind == "do_statement":
        body = block_statements(stmt.child_by_field_id(_F_BODY))
        body = _without_separators(body)
        return bool(body) and always_exits(source, body[-1])
    if kind == "if_statement":
        alternatives = stmt.children_by_field_id(_F_ALTERNATIVE)
        # Without an `else` some run falls through: nothing more to read.
        if not any(alt.type == "else_statement" for alt in alternatives):
            return False
        branches: list[tree_sitter.Node | None] = [stmt.child_by_field_id(_F_CONSEQUENCE)]
        for alt in alternatives:
            if alt.type == "else_statement":
                branches.append(_first_block(alt))
            else:
                branches.append(alt.child_by_field_id(_F_CONSEQUENCE))
        for block in branches:
            stmts = _without_separators(block_statements(block))
            if not stmts or not always_exits(source, stmts[-1]):
                return False
        return True
    return False


def _without_separators(stmts: list[tree_sitter.Node]) -> list[tree_sitter.Node]:
    """The statements less trailing `;`s (`return x;` ends its block as `return x` does)."""
    end = len(stmts)
    while end and stmts[end - 1].type == "empty_statement":
        end -= 1
    return stmts[:end]


def _first_block(node: tree_sitter.Node) -> tree_sitter.Node | None:
    for child in node.named_children:
        if child.type == "block":
            return child
    return None


_UNKNOWN = object()
_COMPARISONS = {
    "==": lambda a, b: a == b,
    "~=": lambda a, b: a != b,
}
_ORDERINGS = {
    "<": lambda a, b: a < b,
    ">": lambda a, b: a > b,
    "<=": lambda a, b: a <= b,
    ">=": lambda a, b: a >= b,
}


def _constant_value(source: LuauSource, node: tree_sitter.Node) -> object:
    """The value of a literal number, string, boolean or nil; `_UNKNOWN` for anything else."""
    kind = node.type
    if kind == "true" or kind == "false":
        return kind == "true"
    if kind == "nil":
        return None
    if kind == "number":
        try:
            return float(source.node_text(node))
        except ValueError:
            return _UNKNOWN
    if kind == "string":
        if any(c.type == "interpolation" for c in node.children):
            return _UNKNOWN
        content = next((c for c in node.named_children if c.type == "string_content"), None)
        return source.node_text(content) if content is not None else ""
    if kind == "parenthesized_expression":
        if node.named_child_count == 1:
            return _constant_value(source, node.named_children[0])
        return _UNKNOWN
    if kind == "unary_expression":
        if node.child_count == 2:
            operand = _constant_value(source, node.children[1])
            if node.children[0].type == "not" and operand is not _UNKNOWN:
                return operand is None or operand is False
        return _UNKNOWN
    if kind == "binary_expression" and node.child_count == 3:
        left, operator, right = node.children
        # The left side decides first: an unknown one leaves the right unread.
        a = _constant_value(source, left)
        if a is _UNKNOWN:
            return _UNKNOWN
        b = _constant_value(source, right)
        if b is _UNKNOWN:
            return _UNKNOWN
        op = operator.type
        if op in _COMPARISONS:
            return _COMPARISONS[op](a, b)
        if op in _ORDERINGS and type(a) is type(b) and isinstance(a, (float, str)):
            return _ORDERINGS[op](a, b)
    return _UNKNOWN


def _is_constant_false(source: LuauSource, node: tree_sitter.Node | None) -> bool:
    """`false`, `nil`, `1 == 2`, `not true`: a condition that can never hold."""
    if node is None:
        return False
    value = _constant_value(source, node)
    return value is None or value is False


_DISCARD_DECLARATION = re.compile(rb"local\s+_\s*(?:[=,:]|$)")


def _discarded_constant(source: LuauSource, decl: tree_sitter.Node) -> bool:
    # `local _ = 1`: binds nothing anyone reads and computes nothing.
    if not _DISCARD_DECLARATION.match(source.bytes, decl.start_byte, decl.start_byte + 40):
        return False
    assignment = next((c for c in decl.named_children if c.type == "assignment_statement"), None)
    names_node = assignment.child_by_field_name("name") if assignment else None
    target_list = assignment.named_children[0] if assignment and assignment.named_children else None
    if assignment is None or target_list is None or names_node is None:
        return False
    names = [c for c in target_list.named_children if c.type == "identifier"]
    if not names or any(source.node_text(n) != "_" for n in names):
        return False
    values = next((c for c in assignment.named_children if c.type == "expression_list"), None)
    if values is None:
        return True
    return all(
        is_literal(v) or v.type in ("identifier", "function_definition")
        for v in values.named_children
    )


def dead_code(ctx: RuleContext) -> list[DeadCode]:
    """Code that never runs (`if false`, after an unconditional exit) or does nothing."""

    def compute() -> list[DeadCode]:
        source = ctx.source
        found: list[DeadCode] = []
        for stmt in source.nodes("if_statement"):
            alternatives = stmt.children_by_field_id(_F_ALTERNATIVE)
            if _is_constant_false(source, stmt.child_by_field_id(_F_CONDITION)):
                body = stmt.child_by_field_id(_F_CONSEQUENCE)
                end = body.end_byte if body is not None else stmt.end_byte
                if not alternatives:
                    found.append(
                        DeadCode(
                            stmt,
                            stmt.start_byte,
                            stmt.end_byte,
                            "`if` with a constant false condition never runs",
                        )
                    )
                else:
                    found.append(
                        DeadCode(
                            stmt, stmt.start_byte, end, "this branch's condition is constant false"
                        )
                    )
            for alt in alternatives:
                if alt.type == "elseif_statement" and _is_constant_false(
                    source, alt.child_by_field_id(_F_CONDITION)
                ):
                    found.append(
                        DeadCode(
                            alt,
                            alt.start_byte,
                            alt.end_byte,
                            "`elseif` with a constant false condition never runs",
                        )
                    )
        for stmt in source.nodes("while_statement"):
            if _is_constant_false(source, stmt.child_by_field_id(_F_CONDITION)):
                found.append(
                    DeadCode(
                        stmt,
                        stmt.start_byte,
                        stmt.end_byte,
                        "`while` with a constant false condition never runs",
                    )
                )
        for _block, stmts in typed_statements(ctx):
            for i, (stmt, kind) in enumerate(stmts[:-1]):
                if kind in _MAY_EXIT and always_exits(source, stmt):
                    # `break;`, `error(...);`: the `;` is a separator, not code.
                    after = [s for s, k in stmts[i + 1 :] if k != "empty_statement"]
                    if not after:
                        break
                    first, last = after[0], after[-1]
                    found.append(
                        DeadCode(
                            first,
                            first.start_byte,
                            last.end_byte,
                            "code after an unconditional exit never runs",
                        )
                    )
                    break
        for decl in source.nodes("variable_declaration"):
            if _discarded_constant(source, decl):
                found.append(
                    DeadCode(
                        decl,
                        decl.start_byte,
                        decl.end_byte,
                        "binding a value to `_` that computes nothing does nothing",
                    )
                )
        found.sort(key=lambda d: d.start_byte)
        return found

    result: list[DeadCode] = ctx.memo("dead_code.regions", compute)
    return result
