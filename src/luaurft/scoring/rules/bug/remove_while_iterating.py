"""bug/remove-while-iterating: `table.remove` on the array a `for ... in` loop is walking.

Removing shifts every later element down one slot, so the loop skips the element
after each removed one. Iterate backwards with a numeric `for`, or build a new
array. A removal followed by `break` or `return` ends the loop and is fine, and
so is removing the last element (`table.remove(t)`, `table.remove(t, #t)`): it
shifts nothing, so the walk only ends sooner.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from luaurft.scoring.analysis.calls import calls, root_identifier
from luaurft.scoring.analysis.nodes import FUNCTION_NODES, named_children, statement_of
from luaurft.scoring.analysis.scope import ScopeAnalysis, scope_analysis
from luaurft.scoring.rule import Finding, Rule, RuleContext, Severity

if TYPE_CHECKING:
    from tree_sitter import Node

    from luaurft.luau.source import LuauSource

_NAME_LIKE = frozenset({"identifier", "dot_index_expression", "bracket_index_expression"})


def iterated_table(source: LuauSource, clause: Node) -> Node | None:
    """The table a generic `for` walks: `ipairs(t)`, `pairs(t)`, `next, t` or plain `t`."""
    values: list[Node] = []
    for child in clause.children:
        if child.type == "expression_list":
            values = named_children(child)
    if not values:
        # A single iterated expression is not wrapped in an expression list.
        values = [c for c in clause.named_children if c.type not in ("variable_list", "comment")]
    if not values:
        return None
    first = values[0]
    if first.type == "function_call":
        callee = first.child_by_field_name("name")
        name = source.node_text(callee) if callee is not None else ""
        args = named_children(first.child_by_field_name("arguments"))
        if name in ("ipairs", "pairs") and len(args) == 1:
            return args[0] if args[0].type in _NAME_LIKE else None
        return None
    if first.type == "identifier" and source.node_text(first) == "next" and len(values) > 1:
        return values[1] if values[1].type in _NAME_LIKE else None
    return first if first.type in _NAME_LIKE and len(values) == 1 else None


def _same_table(source: LuauSource, scopes: ScopeAnalysis, a: Node, b: Node) -> bool:
    if " ".join(source.node_text(a).split()) != " ".join(source.node_text(b).split()):
        return False
    root_a, root_b = root_identifier(a), root_identifier(b)
    if root_a is None or root_b is None:
        return False
    return scopes.declaration(root_a) is scopes.declaration(root_b)


def _removes_last(source: LuauSource, scopes: ScopeAnalysis, args: tuple[Node, ...]) -> bool:
    """`table.remove(t)` or `table.remove(t, #t)`: the last element goes, nothing shifts."""
    if len(args) == 1:
        return True
    position = args[1]
    if len(args) != 2 or position.type != "unary_expression" or position.child_count != 2:
        return False
    operator, operand = position.children
    return operator.type == "#" and _same_table(source, scopes, operand, args[0])


def _ends_loop_after(call: Node) -> bool:
    statement = statement_of(call)
    if statement is None:
        return False
    if statement.type == "return_statement":
        return True
    sibling = statement.next_named_sibling
    while sibling is not None:
        if sibling.type in ("break_statement", "return_statement"):
            return True
        sibling = sibling.next_named_sibling
    return False


class RemoveWhileIteratingRule(Rule):
    id = "bug/remove-while-iterating"
    scorer = "bug"
    severity = Severity.WARNING
    summary = (
        "table.remove on the array being walked by ipairs/pairs/for-in skips the element "
        "after each removal; iterate backwards instead."
    )
    bad = (
        "local enemies = {}\n"
        "for i, enemy in ipairs(enemies) do\n"
        "\tif enemy.Health <= 0 then\n"
        "\t\ttable.remove(enemies, i)\n"
        "\tend\n"
        "end\n"
    )
    good = (
        "local enemies = {}\n"
        "for i = #enemies, 1, -1 do\n"
        "\tif enemies[i].Health <= 0 then\n"
        "\t\ttable.remove(enemies, i)\n"
        "\tend\n"
        "end\n"
    )

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        if "table.remove" not in ctx.source.text:
            return
        scopes = scope_analysis(ctx)
        index = calls(ctx)
        for loop in ctx.source.nodes("for_statement"):
            clause = loop.child_by_field_name("clause")
            if clause is None or clause.type != "for_generic_clause":
                continue
            table = iterated_table(ctx.source, clause)
            body = loop.child_by_field_name("body")
            if table is None or body is None or scopes.in_error_region(loop):
                continue
            stack = [body]
            while stack:
                node = stack.pop()
                if node.type in FUNCTION_NODES:
                    continue
                if node.type == "function_call":
                    call = index.of(node)
                    if (
                        call is not None
                        and call.function == "table.remove"
                        and call.args
                        and _same_table(ctx.source, scopes, call.args[0], table)
                        and not _removes_last(ctx.source, scopes, call.args)
                        and not _ends_loop_after(node)
                    ):
                        name = ctx.source.node_text(table)
                        yield self.at(
                            ctx,
                            node,
                            f"`table.remove({name}, ...)` while a for loop walks `{name}`: "
                            "the element after each removed one is skipped",
                            f"walk backwards: for i = #{name}, 1, -1 do ... end",
                        )
                stack.extend(node.children)
