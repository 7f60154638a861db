"""bug/reverse-loop-step: `for i = #t, 1 do` counts down without a negative step."""

from __future__ import annotations

from collections.abc import Iterator

from luaurft.scoring.analysis.builtins import number_value
from luaurft.scoring.analysis.nodes import unparenthesize
from luaurft.scoring.rule import Finding, Rule, RuleContext, Severity


class ReverseLoopStepRule(Rule):
    id = "bug/reverse-loop-step"
    scorer = "bug"
    severity = Severity.WARNING
    summary = (
        "A numeric `for` that starts high and ends low (`for i = #t, 1 do`) without a "
        "negative step runs at most once; counting down needs `, -1`."
    )
    bad = "local queue = { 1, 2, 3 }\nfor i = #queue, 1 do\n\ttable.remove(queue, i)\nend\n"
    good = "local queue = { 1, 2, 3 }\nfor i = #queue, 1, -1 do\n\ttable.remove(queue, i)\nend\n"

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        source = ctx.source
        for clause in source.nodes("for_numeric_clause"):
            start = clause.child_by_field_name("start")
            end = clause.child_by_field_name("end")
            if start is None or end is None or clause.child_by_field_name("step") is not None:
                continue
            last = number_value(source, end)
            if last is None:
                continue
            first = number_value(source, start)
            length = unparenthesize(start)
            counts_length = length.type == "unary_expression" and length.children[0].type == "#"
            if not ((first is not None and first > last) or (counts_length and last <= 1)):
                continue
            yield self.at(
                ctx,
                start,
                f"this loop goes from {source.node_text(start)} down to {source.node_text(end)} "
                "with the default step 1, so it runs at most once",
                f"for ... = {source.node_text(start)}, {source.node_text(end)}, -1 do",
            )
