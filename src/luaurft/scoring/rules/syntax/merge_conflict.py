"""syntax/merge-conflict: git merge-conflict markers left in the code.

A merge that stopped on a conflict writes both sides into the file between
`<<<<<<<`, `=======` and `>>>>>>>` lines; committed as is, the code does not
compile. Reported once per conflict, so the feedback names the markers rather
than reading `=======` as JavaScript's `===` or the branch name as a global.
Which lines are markers is `LuauSource.conflict_marker_lines`'s to say.
"""

from __future__ import annotations

from collections.abc import Iterator

from luaurft.scoring.rule import Finding, Rule, RuleContext, Severity


class MergeConflictRule(Rule):
    id = "syntax/merge-conflict"
    scorer = "syntax"
    severity = Severity.ERROR
    summary = (
        "Unresolved git merge-conflict markers (`<<<<<<<`, `=======`, `>>>>>>>`) are left "
        "in the code; keep one side and delete the markers."
    )
    bad = (
        "local speed = 16\n"
        "<<<<<<< HEAD\n"
        "speed = 20\n"
        "=======\n"
        "speed = 24\n"
        ">>>>>>> sprint\n"
        "print(speed)\n"
    )
    good = "local speed = 16\nspeed = 24\nprint(speed)\n"

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        source = ctx.source
        markers = source.conflict_marker_lines
        conflict: list[int] = []
        for number in markers:
            # A conflict opens at `<<<<<<<`, or at the first marker after one closed
            # (the opening line may have been cut away).
            if conflict and (
                source.line(number).startswith("<<<<<<<")
                or source.line(conflict[-1]).startswith(">>>>>>>")
            ):
                yield self._finding(ctx, conflict)
                conflict = []
            conflict.append(number)
        if conflict:
            yield self._finding(ctx, conflict)

    def _finding(self, ctx: RuleContext, lines: list[int]) -> Finding:
        first, last = lines[0], lines[-1]
        where = f"lines {first}-{last}" if last > first else f"line {first}"
        return self.at(
            ctx,
            (first, 1),
            f"unresolved git merge conflict ({where}): the code holds both sides of a "
            "merge between `<<<<<<<`, `=======` and `>>>>>>>` markers",
            fix="keep the side that is meant and delete the marker lines",
        )
