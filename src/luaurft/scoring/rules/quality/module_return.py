"""quality/module-return: a ModuleScript must end by returning exactly one value (its table)."""

from __future__ import annotations

from collections.abc import Iterator

from luaurft.luau.kind import ScriptKind
from luaurft.scoring.analysis.statements import statements as blocks
from luaurft.scoring.rule import Finding, Rule, RuleContext, Severity


class ModuleReturnRule(Rule):
    id = "quality/module-return"
    scorer = "quality"
    severity = Severity.ERROR
    summary = (
        "A ModuleScript that does not end with `return` of exactly one value: require() would fail."
    )
    bad = "-- kind: ModuleScript\nlocal Config = {}\nConfig.MaxPlayers = 8\n"
    good = "-- kind: ModuleScript\nlocal Config = {}\nConfig.MaxPlayers = 8\nreturn Config\n"
    needs_clean_tree = True

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        if ctx.kind != ScriptKind.MODULE_SCRIPT or ctx.source.is_blank:
            return
        source = ctx.source
        statements = blocks(ctx)[0][1]  # the chunk's, listed once per context
        last = statements[-1] if statements else None
        fix = "end the module with `return <its table>`"
        if last is None or last.type != "return_statement":
            line = max(i for i, text in enumerate(source.lines, start=1) if text.strip())
            yield self.at(ctx, line, "ModuleScript does not return a value", fix)
            return
        values = next((c for c in last.named_children if c.type == "expression_list"), None)
        returned = values.named_children if values is not None else []
        if len(returned) != 1:
            yield self.at(
                ctx,
                last,
                f"ModuleScript returns {len(returned)} values; require() needs exactly one",
                fix,
            )
        elif returned[0].type == "nil":
            yield self.at(ctx, last, "ModuleScript returns nil", fix)
