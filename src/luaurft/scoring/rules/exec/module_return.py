"""exec/module-return: a ModuleScript that does not return exactly one value.

`require` of such a module fails with "Module code did not return exactly one
value"; the finding points at the module's last line, where the return belongs.
"""

from __future__ import annotations

from collections.abc import Iterator

from luaurft.luau.kind import ScriptKind
from luaurft.scoring.execution import execute
from luaurft.scoring.rule import Finding, Rule, RuleContext, Severity


class ModuleReturnRule(Rule):
    id = "exec/module-return"
    scorer = "exec"
    severity = Severity.ERROR
    summary = "A ModuleScript must return exactly one value; require fails otherwise."
    bad = "-- kind: ModuleScript\nlocal Util = {}\nfunction Util.double(x)\n\treturn x * 2\nend\n"
    good = "-- kind: ModuleScript\nlocal Util = {}\nfunction Util.double(x)\n\treturn x * 2\nend\nreturn Util\n"
    cost = 0.5

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        if ctx.kind is not ScriptKind.MODULE_SCRIPT:
            return
        run = execute(ctx)
        if run is None or run.module is None:
            return
        returned = int(run.module.get("returned", 1))
        if returned == 1:
            return
        line = _last_code_line(ctx)
        what = "nothing" if returned == 0 else f"{returned} values"
        yield self.at(
            ctx,
            line,
            f"the module returned {what}; require() needs exactly one value",
            "end the module with `return` and the table (or function) it exports",
        )


def _last_code_line(ctx: RuleContext) -> int:
    for number in range(len(ctx.source.lines), 0, -1):
        text = ctx.source.line(number).strip()
        if text and not text.startswith("--"):
            return number
    return 1
