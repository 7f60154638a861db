"""Structure: functions that are too long, too deeply nested or too complex to follow.

Thresholds (per function; nested functions are measured on their own):

- length: more than `MAX_FUNCTION_LINES` (60) lines of code in the body;
- nesting: control blocks (`if`, loops, `do`) nested more than `MAX_NESTING` (4) deep;
- cyclomatic complexity: 1 + branches (`if`, `elseif`, loops, if-expressions)
  + `and`/`or` operators, above `MAX_COMPLEXITY` (15).

Each is a hint to split the function (severity info), never a defect on its own.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from typing import TYPE_CHECKING

from luaurft.scoring import shape
from luaurft.scoring.rule import Finding, Rule, RuleContext, Severity

if TYPE_CHECKING:
    import tree_sitter

MAX_FUNCTION_LINES = 60
MAX_NESTING = 4
MAX_COMPLEXITY = 15

_BRANCH_TYPES = (
    "if_statement",
    "elseif_statement",
    "while_statement",
    "for_statement",
    "repeat_statement",
    "if_expression",
    "elseif_clause",
)

NodeKey = tuple[int, int]


def _key(node: tree_sitter.Node | None) -> NodeKey:
    return (-1, -1) if node is None else (node.start_byte, node.end_byte)


def _repeat_lines(n: int) -> str:
    body = "".join(f"\tlocal value{i} = i * {i}\n\tprint(value{i})\n" for i in range(n))
    return f"local function long()\n\tfor i = 1, 3 do\n{body}\tend\nend\nlong()\n"


class FunctionLengthRule(Rule):
    id = "quality/function-length"
    scorer = "quality"
    severity = Severity.INFO
    summary = f"A function body longer than {MAX_FUNCTION_LINES} lines of code: split it into named steps."
    bad = _repeat_lines(32)
    good = _repeat_lines(4)
    needs_clean_tree = True

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        code = shape.code_line_set(ctx)
        for fn in shape.functions(ctx):
            if fn.body is None:
                continue
            first, last = fn.body.start_point[0] + 1, fn.body.end_point[0] + 1
            length = sum(1 for line in range(first, last + 1) if line in code)
            if length > MAX_FUNCTION_LINES:
                yield self.at(
                    ctx,
                    fn.node,
                    f"{fn.label} has {length} lines of code (more than {MAX_FUNCTION_LINES})",
                    "split it into smaller functions with descriptive names",
                )


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
        for node in ctx.source.nodes(*shape.CONTROL_TYPES, *shape.FUNCTION_TYPES):
            while stack and stack[-1][0] <= node.start_byte:
                stack.pop()
            is_function = node.type in shape.FUNCTION_TYPES
            owner = stack[-1][2] if stack else _key(None)
            if is_function:
                stack.append((node.end_byte, True, _key(node)))
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


def _branches(n: int) -> str:
    arms = "".join(f"\telseif kind == 'k{i}' then\n\t\treturn {i}\n" for i in range(n))
    return f"local function classify(kind)\n\tif kind == 'none' then\n\t\treturn 0\n{arms}\tend\n\treturn -1\nend\nprint(classify('k1'))\n"


class ComplexityRule(Rule):
    id = "quality/complexity"
    scorer = "quality"
    severity = Severity.INFO
    summary = f"A function with cyclomatic complexity above {MAX_COMPLEXITY}: too many paths to test or follow."
    bad = _branches(MAX_COMPLEXITY)
    good = _branches(3)
    needs_clean_tree = True

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        source = ctx.source
        decisions: dict[NodeKey, int] = defaultdict(int)
        for node in source.nodes(*_BRANCH_TYPES, "binary_expression"):
            if node.type == "binary_expression":
                operator = node.child(1)
                if operator is None or operator.type not in ("and", "or"):
                    continue
            owner = shape.innermost_function(ctx, node)
            decisions[_key(owner.node if owner else None)] += 1
        for fn in shape.functions(ctx):
            complexity = 1 + decisions.get(_key(fn.node), 0)
            if complexity > MAX_COMPLEXITY:
                yield self.at(
                    ctx,
                    fn.node,
                    f"{fn.label} has cyclomatic complexity {complexity} (more than {MAX_COMPLEXITY})",
                    "split the decisions into smaller functions or a lookup table",
                )
