"""api/deprecated-global: deprecated globals (`wait`, `spawn`, `delay`, `tick`, ...)."""

from __future__ import annotations

from collections.abc import Iterator

from luaurft.roblox.globals import DEPRECATED_GLOBALS, DEPRECATED_LIBRARY_FUNCTIONS
from luaurft.scoring.analysis.bindings import bindings_for, identifier_role
from luaurft.scoring.rule import Finding, Rule, RuleContext, Severity


class DeprecatedGlobalRule(Rule):
    id = "api/deprecated-global"
    scorer = "api"
    severity = Severity.WARNING
    summary = (
        "A deprecated global (`wait`, `spawn`, `delay`, `tick`, `table.getn`, ...) is used; "
        "the fix names its modern replacement."
    )
    bad = "while true do\n\twait(1)\n\tprint('tick')\nend\n"
    good = "while true do\n\ttask.wait(1)\n\tprint('tick')\nend\n"

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        src = ctx.source
        bindings = bindings_for(ctx)
        for ident in src.nodes("identifier"):
            name = src.node_text(ident)
            if name in DEPRECATED_GLOBALS:
                if identifier_role(ident) != "read" or not bindings.is_global(ident):
                    continue
                info = DEPRECATED_GLOBALS[name]
                yield self.at(
                    ctx,
                    ident,
                    f"`{name}` is deprecated: {info.reason}",
                    f"use {info.replacement}",
                )
            elif name in ("table",) and bindings.is_global(ident):
                parent = ident.parent
                if parent is None or parent.type != "dot_index_expression":
                    continue
                field = parent.child_by_field_name("field")
                table = parent.child_by_field_name("table")
                if field is None or table is None or table.id != ident.id:
                    continue
                qualified = f"{name}.{src.node_text(field)}"
                found = DEPRECATED_LIBRARY_FUNCTIONS.get(qualified)
                if found is not None:
                    yield self.at(
                        ctx,
                        parent,
                        f"`{qualified}` is deprecated: {found.reason}",
                        f"use {found.replacement}",
                    )
