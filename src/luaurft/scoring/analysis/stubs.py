"""Stubs: functions that are placeholders, and the comments and strings that mark code unfinished."""

from __future__ import annotations

from typing import TYPE_CHECKING

from luaurft.scoring.analysis.comments import comment_facts
from luaurft.scoring.analysis.functions import FunctionInfo, functions, is_empty_body
from luaurft.scoring.analysis.nodes import contains
from luaurft.scoring.analysis.statements import block_statements, statements
from luaurft.scoring.analysis.strings import string_marks, string_texts

if TYPE_CHECKING:
    import tree_sitter

    from luaurft.scoring.rule import RuleContext

# A marked function whose own statements are worth at most this (one print, a
# literal return) is a stub.
STUB_WORK_MAX = 0.5


def marker_spans(ctx: RuleContext) -> list[tuple[int, int]]:
    """Byte spans of comments and strings that say the code is unfinished (TODO, placeholder...)."""

    def compute() -> list[tuple[int, int]]:
        spans = [
            (f.node.start_byte, f.node.end_byte) for f in comment_facts(ctx) if f.kind == "marker"
        ]
        # A string of "..." is a loading label, not elided code: strings count
        # only when they say TODO or hold a placeholder message.
        spans += [
            (node.start_byte, node.end_byte)
            for (node, _), marks in zip(string_texts(ctx), string_marks(ctx), strict=True)
            if marks.todo or marks.placeholder
        ]
        return spans

    result: list[tuple[int, int]] = ctx.memo("stubs.marker_spans", compute)
    return result


def has_marker(spans: list[tuple[int, int]], node: tree_sitter.Node) -> bool:
    if not spans:
        return False
    low, high = node.start_byte, node.end_byte
    return any(low <= start and end <= high for start, end in spans)


def stub_functions(ctx: RuleContext) -> list[FunctionInfo]:
    """Functions that are placeholders: an empty body, or a short body that carries a
    TODO/placeholder and does nothing real itself (a literal return, a print, an
    `error("not implemented")`). A complete short function with a FIXME note about
    a workaround, or one that returns a closure, is not a stub."""

    def compute() -> list[FunctionInfo]:
        # What counts as work is the substance formula's call.
        from luaurft.scoring.substance import statement_units

        stubs = []
        source = ctx.source
        markers = marker_spans(ctx)
        for fn in functions(ctx):
            if is_empty_body(fn):
                stubs.append(fn)
            elif markers and len(block_statements(fn.body)) <= 2 and has_marker(markers, fn.node):
                # Work nested in its own blocks counts: `if not ok then error(...) end`
                # under a TODO note is a finished function, not a stub.
                body = fn.body
                nested = [
                    stmt
                    for block, block_stmts in statements(ctx)
                    if body is not None and contains(body, block)
                    for stmt in block_stmts
                ]
                work = sum(
                    statement_units(source, s, markers, frozenset(), results_count=False)[0]
                    for s in nested
                )
                if work <= STUB_WORK_MAX:
                    stubs.append(fn)
        return stubs

    result: list[FunctionInfo] = ctx.memo("stubs.functions", compute)
    return result
