"""syntax/compile-error: the Luau compiler rejects the code."""

from __future__ import annotations

from collections.abc import Iterator

from luaurft.scoring.rule import Finding, Rule, RuleContext, Severity


class CompileErrorRule(Rule):
    id = "syntax/compile-error"
    scorer = "syntax"
    severity = Severity.ERROR
    summary = "The Luau compiler rejects the code; its message and position are reported."
    bad = "local function greet(name)\n\tprint('hi ' .. name)\n"
    good = "local function greet(name)\n\tprint('hi ' .. name)\nend\n"
    # The syntax formula caps code that does not compile; this finding itself is the reason.
    cost = 0.0

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        result = ctx.source.compiled
        if result.ok or result.error is None:
            return
        # An error "at <eof>" names the line after the last one; point at the last code instead.
        last = max((i + 1 for i, text in enumerate(ctx.source.lines) if text.strip()), default=1)
        line = min(max(result.error.line, 1), last)
        column = result.error.column or _first_error_column(ctx, line)
        yield self.at(ctx, (line, column), f"Luau compiler: {result.error.message}")


def _first_error_column(ctx: RuleContext, line: int) -> int:
    # The compiler names only the line; tree-sitter's first error node on that
    # line, if any, gives a column. Otherwise point at the line's first token.
    for node in ctx.source.nodes("ERROR"):
        if node.start_point[0] + 1 == line:
            return ctx.source.column_of(node)
    text = ctx.source.line(line)
    return len(text) - len(text.lstrip()) + 1
