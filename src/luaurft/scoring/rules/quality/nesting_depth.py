"""quality/nesting-depth: control blocks (`if`, loops, `do`) nested more than `MAX_NESTING` deep.

Per function; nested functions are measured on their own. A hint to split the
function (severity info), never a defect on its own.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from luaurft.scoring.analysis.functions import FUNCTION_TYPES
from luaurft.scoring.analysis.statements import CONTROL_TYPES
from luaurft.scoring.rule import Finding, Rule, RuleContext, Severity
from luaurft.scoring.rules.quality._node_key import NodeKey, node_key

if TYPE_CHECKING:
    import tree_sitter

MAX_NESTING = 4


def _nest(depth: int) -> str:
    lines = []
    for level in range(depth):
        lines.append("\t" * (level + 1) + f"if value > {level} then")
    lines.append("\t" * (depth + 1) + "print(value)")
    for level in reversed(range(depth)):
        lines.append("\t" * (level + 1) + "end")
    return "local function check(value)\n" + "\n".join(lines) + "\nend\ncheck(9)\n"


class NestingDepthRule(Rule):
    id = "quality/nesting-depth"
    scorer = "quality"
    severity = Severity.INFO
    summary = f"Control blocks nested more than {MAX_NESTING} deep in one function: use early returns or helpers."
    bad = _nest(MAX_NESTING + 1)
    good = _nest(MAX_NESTING)
    needs_clean_tree = True

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        # One sweep in document order: a stack of open blocks, where a function
        # starts a fresh count so callbacks are measured on their own.
        deepest: dict[NodeKey, tuple[int, tree_sitter.Node]] = {}
        stack: list[tuple[int, bool, NodeKey]] = []  # (end byte, is function, owner key)
        for node in ctx.source.nodes(*CONTROL_TYPES, *FUNCTION_TYPES):
            while stack and stack[-1][0] <= node.start_byte:
                stack.pop()
            is_function = node.type in FUNCTION_TYPES
            owner = stack[-1][2] if stack else node_key(None)
            if is_function:
                stack.append((node.end_byte, True, node_key(node)))
                continue
            depth = 1
            for _end, opened_function, _owner in reversed(stack):
                if opened_function:
                    break
                depth += 1
            if depth > deepest.get(owner, (0, node))[0]:
                deepest[owner] = (depth, node)
            stack.append((node.end_byte, False, owner))
        for depth, node in sorted(deepest.values(), key=lambda d: d[1].start_byte):
            if depth > MAX_NESTING:
                yield self.at(
                    ctx,
                    node,
                    f"control blocks nested {depth} deep (more than {MAX_NESTING})",
                    "return early or move the inner part into a function",
                )
