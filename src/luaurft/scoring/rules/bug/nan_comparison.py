"""bug/nan-comparison: comparing with NaN (`0/0`), which is never equal to anything."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from luaurft.scoring.analysis.nodes import operator_of, unparenthesize
from luaurft.scoring.analysis.scope import ScopeAnalysis, scope_analysis
from luaurft.scoring.rule import Finding, Rule, RuleContext, Severity
from luaurft.scoring.rules.bug._binary import binary_expressions

if TYPE_CHECKING:
    from tree_sitter import Node

    from luaurft.luau.source import LuauSource

COMPARISONS = frozenset({"==", "~=", "<", ">", "<=", ">="})
# Cheap text test before any tree work: a zero divided by a zero, or huge minus huge.
# `0/0` and `math.huge - math.huge`, as two searches that each start with a literal
# the regex engine can jump to (`\b0` as `0` not after a word character).
_ZERO_OVER_ZERO = re.compile(r"0(?<!\w0)[\d._]*\s*\)?\s*/\s*\(?\s*-?0")
_HUGE_MINUS_HUGE = re.compile(r"math\.huge\s*-\s*math\.huge")


def _is_zero(source: LuauSource, node: Node) -> bool:
    node = unparenthesize(node)
    if node.type != "number":
        return False
    try:
        return float(source.node_text(node).replace("_", "")) == 0.0
    except ValueError:
        return False


def is_nan_expression(
    source: LuauSource, scopes: ScopeAnalysis, node: Node, depth: int = 0
) -> bool:
    """`0/0`, `-(0/0)`, `math.huge - math.huge`, or a never-reassigned local holding one."""
    node = unparenthesize(node)
    if node.type == "unary_expression":
        operand = node.child_by_field_name("operand")
        return operand is not None and is_nan_expression(source, scopes, operand, depth)
    if node.type == "binary_expression":
        left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
        if left is None or right is None:
            return False
        operator = operator_of(node)
        if operator == "/" and _is_zero(source, left) and _is_zero(source, right):
            return True
        huge = "math.huge"
        return operator == "-" and source.node_text(left) == huge == source.node_text(right)
    if node.type == "identifier" and depth < 3:
        decl = scopes.declaration(node)
        if decl is not None and decl.value is not None and not decl.writes:
            return is_nan_expression(source, scopes, decl.value, depth + 1)
    return False


class NanComparisonRule(Rule):
    id = "bug/nan-comparison"
    scorer = "bug"
    severity = Severity.WARNING
    summary = (
        "Comparing with NaN (0/0) is always false (or always true for ~=); test a number "
        "for NaN with `x ~= x`."
    )
    bad = "local function isBroken(x: number)\n\treturn x == 0/0\nend\n"
    good = "local function isBroken(x: number)\n\treturn x ~= x\nend\n"

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        text = ctx.source.text
        # Both hints need a `/` or `math.huge`: a substring test skips the regex mostly.
        if not (
            ("/" in text and _ZERO_OVER_ZERO.search(text))
            or ("math.huge" in text and _HUGE_MINUS_HUGE.search(text))
        ):
            return
        scopes = scope_analysis(ctx)
        for node in binary_expressions(ctx, *COMPARISONS):
            operator = operator_of(node)
            left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
            if left is None or right is None:
                continue
            nan_side = next(
                (side for side in (right, left) if is_nan_expression(ctx.source, scopes, side)),
                None,
            )
            if nan_side is None:
                continue
            other = left if nan_side is right else right
            result = "true" if operator == "~=" else "false"
            value = ctx.source.node_text(other)
            yield self.at(
                ctx,
                node,
                f"comparing with NaN is always {result}: NaN is not equal to anything, itself included",
                f"test for NaN with `{value} ~= {value}`",
            )
