"""quality/function-length: a function body longer than `MAX_FUNCTION_LINES` lines of code.

Nested functions are measured on their own. A hint to split the function
(severity info), never a defect on its own.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterator

from luaurft.scoring.analysis.functions import functions
from luaurft.scoring.analysis.lines import code_line_set
from luaurft.scoring.rule import Finding, Rule, RuleContext, Severity

MAX_FUNCTION_LINES = 60


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
        # Sorted once, the code lines of a body are counted by two bisections instead
        # of a test per line (nested functions have their lines counted again).
        code: list[int] | None = None
        for fn in functions(ctx):
            if fn.body is None:
                continue
            if code is None:
                code = sorted(code_line_set(ctx))
            first, last = fn.body.start_point[0] + 1, fn.body.end_point[0] + 1
            length = bisect_right(code, last) - bisect_left(code, first)
            if length > MAX_FUNCTION_LINES:
                yield self.at(
                    ctx,
                    fn.node,
                    f"{fn.label} has {length} lines of code (more than {MAX_FUNCTION_LINES})",
                    "split it into smaller functions with descriptive names",
                )
