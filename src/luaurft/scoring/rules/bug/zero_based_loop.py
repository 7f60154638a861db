"""bug/zero-based-loop: `for i = 0, #t do ... t[i]`, an array walked from 0 as in Python or JS.

Luau arrays start at 1: `t[0]` is nil on the first pass, so the loop handles a
nil (or errors on it) and still reaches the last element only because `#t` is
inclusive. Only loops whose bound is the length of the very table they index
are reported (`for i = 0, #parts do parts[i]...`); a loop from 0 over a count
(`for i = 0, 9`) is ordinary arithmetic.
"""

from __future__ import annotations

from collections.abc import Iterator

from luaurft.scoring.analysis.nodes import unparenthesize
from luaurft.scoring.rule import Finding, Rule, RuleContext, Severity


class ZeroBasedLoopRule(Rule):
    id = "bug/zero-based-loop"
    scorer = "bug"
    severity = Severity.WARNING
    summary = (
        "`for i = 0, #t do ... t[i]`: Luau arrays start at 1, so the first pass reads `t[0]`, "
        "which is nil."
    )
    bad = "local names = { 'Ann', 'Bo' }\nfor i = 0, #names do\n\tprint(names[i])\nend\n"
    good = "local names = { 'Ann', 'Bo' }\nfor i = 1, #names do\n\tprint(names[i])\nend\n"

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        source = ctx.source
        if "#" not in source.text:
            return
        for clause in source.nodes("for_numeric_clause"):
            name = clause.child_by_field_name("name")
            start = clause.child_by_field_name("start")
            end = clause.child_by_field_name("end")
            if name is None or start is None or end is None:
                continue
            start = unparenthesize(start)
            if start.type != "number" or source.node_text(start).strip() not in ("0", "0.0"):
                continue
            end = unparenthesize(end)
            operand = end.child_by_field_name("operand") if end.type == "unary_expression" else None
            if operand is None or not source.node_text(end).startswith("#"):
                continue
            table = source.node_text(operand)
            loop = clause.parent
            body = (
                next((c for c in loop.named_children if c.type == "block"), None) if loop else None
            )
            if body is None:
                continue
            counter = source.node_text(name)
            for index in source.nodes("bracket_index_expression"):
                if not (body.start_byte <= index.start_byte and index.end_byte <= body.end_byte):
                    continue
                target = index.child_by_field_name("table")
                field = index.child_by_field_name("field")
                if (
                    target is not None
                    and field is not None
                    and source.node_text(target) == table
                    and source.node_text(unparenthesize(field)) == counter
                ):
                    yield self.at(
                        ctx,
                        start,
                        f"`{table}` is walked from index 0, but Luau arrays start at 1: "
                        f"`{table}[0]` is nil",
                        f"start the loop at 1 (`for {counter} = 1, #{table} do`), or use "
                        f"`for {counter}, value in {table} do`",
                    )
                    break
