"""quality/module-return: a ModuleScript must end by returning exactly one value (its table)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from luaurft.luau.kind import ScriptKind, registers_tests
from luaurft.luau.source import field_id
from luaurft.scoring.analysis.dead_code import always_exits
from luaurft.scoring.analysis.statements import statements as blocks
from luaurft.scoring.rule import Finding, Rule, RuleContext, Severity

if TYPE_CHECKING:
    from tree_sitter import Node

    from luaurft.luau.source import LuauSource

_F_ARGUMENTS = field_id("arguments")


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
        statements = [s for s in blocks(ctx)[0][1] if s.type != "empty_statement"]
        last = statements[-1] if statements else None
        fix = "end the module with `return <its table>`"
        if last is not None and last.type != "return_statement" and always_exits(source, last):
            # `if found then return found else error(...) end`: every path returns or fails.
            return
        if (last is None or last.type != "return_statement") and registers_tests(source.text):
            return
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
            # `return nil` is one value: require() works and gives nil, as a module of
            # types only (roblox-ts writes them so) means. It is a slip where the
            # module builds a table and hands out nil instead.
            built = _built_table(source, statements)
            if built is not None:
                yield self.at(
                    ctx,
                    last,
                    f"ModuleScript returns nil, not the `{built}` table it builds: "
                    "require() gives every caller nil",
                    f"end the module with `return {built}`",
                )


def _built_table(source: LuauSource, statements: list[Node]) -> str | None:
    """The name of the first top-level `local X = {...}` (or `setmetatable({...}, ...)`)."""
    for statement in statements:
        if statement.type != "variable_declaration":
            continue
        assignment = statement.named_child(0)
        if assignment is None or assignment.type != "assignment_statement":
            continue
        names = assignment.named_child(0)
        values = assignment.named_child(1)
        if names is None or values is None or values.type != "expression_list":
            continue
        name, value = names.named_child(0), values.named_child(0)
        if name is None or value is None or name.type != "identifier":
            continue
        if value.type == "table_constructor" or (
            value.type == "function_call"
            and source.node_text(value).startswith("setmetatable(")
            and (args := value.child_by_field_id(_F_ARGUMENTS)) is not None
            and (first := args.named_child(0)) is not None
            and first.type == "table_constructor"
        ):
            return source.node_text(name)
    return None
