"""The bug-risk scorer: how free of run-time failure risks the code is, for the code there is."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, ClassVar

from luaurft.scoring.registry import rules_for
from luaurft.scoring.rule import Finding, RuleContext
from luaurft.scoring.scorer import Scorer, penalty

if TYPE_CHECKING:
    from tree_sitter import Node

    from luaurft.luau.source import LuauSource

# Statements of real work needed before "no bugs found" counts in full.
SUBSTANCE_STATEMENTS = 6
_DEAD_CONDITIONS = frozenset({"false", "nil"})


def _boilerplate(source: LuauSource, statement: Node) -> bool:
    """Statements that do no work: declarations of functions (their bodies count
    instead), `local M = {}`, `return M`, `return {}`, `return nil`."""
    kind = statement.type
    if kind == "function_declaration":
        return True
    if kind in ("if_statement", "while_statement"):
        condition = statement.child_by_field_name("condition")
        has_else = any(c.type in ("elseif_statement", "else_statement") for c in statement.children)
        return condition is not None and condition.type in _DEAD_CONDITIONS and not has_else
    if kind == "return_statement":
        values = [c for c in statement.named_children if c.type != "comment"]
        if not values:
            return True
        inner = (
            [c for c in values[0].named_children] if values[0].type == "expression_list" else values
        )
        return len(inner) == 1 and (
            inner[0].type in ("identifier", "nil")
            or (inner[0].type == "table_constructor" and inner[0].named_child_count == 0)
        )
    if kind == "variable_declaration":
        text = " ".join(source.node_text(statement).split())
        return text.endswith("= {}") or "=" not in text
    return False


def _dead(block: Node) -> bool:
    # `if false then ... end` / `while false do ... end`: padding that never runs.
    parent = block.parent
    if parent is None or parent.type not in ("if_statement", "while_statement"):
        return False
    condition = parent.child_by_field_name("condition")
    return condition is not None and condition.type in _DEAD_CONDITIONS


def working_statements(source: LuauSource, limit: int | None = None) -> int:
    """How many statements in the code do work (see `_boilerplate` and `_dead`),
    counting no further than `limit` when one is given."""
    count = 0
    containers = [source.root, *source.nodes("block")]
    for container in containers:
        if container.type == "block" and _dead(container):
            continue
        for statement in container.named_children:
            if statement.type != "comment" and not _boilerplate(source, statement):
                count += 1
                if limit is not None and count >= limit:
                    return count
    return count


def substance(source: LuauSource) -> float:
    """0 for empty or stub code, rising to 1 at `SUBSTANCE_STATEMENTS` working statements."""
    if source.is_blank:
        return 0.0
    return min(1.0, working_statements(source, SUBSTANCE_STATEMENTS) / SUBSTANCE_STATEMENTS)


class BugScorer(Scorer):
    name = "bug"
    formula: ClassVar[str] = (
        "substance × max(0, 1 − penalty(findings)). penalty sums the findings' costs "
        "(error 0.25, warning 0.10, info 0.03 unless the rule sets its own), the n-th "
        "finding of one rule costing cost·0.5^(n−1). substance = min(1, working statements "
        f"/ {SUBSTANCE_STATEMENTS}): function declarations, `local M = {{}}`, `return M` and "
        "code under `if false` do not count, so empty, trivial and stub code cannot score "
        "high by having nothing to get wrong."
    )

    def score(self, ctx: RuleContext, findings: Sequence[Finding]) -> float:
        costs = {r.id: r.cost for r in rules_for(self.name)}
        return substance(ctx.source) * max(0.0, 1.0 - penalty(findings, costs))
