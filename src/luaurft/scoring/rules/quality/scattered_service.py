"""quality/scattered-service: services fetched inside functions or midway through the script."""

from __future__ import annotations

from collections.abc import Iterator

from luaurft.luau.source import field_id
from luaurft.scoring.analysis.functions import innermost_function
from luaurft.scoring.analysis.statements import STATEMENT_TYPES
from luaurft.scoring.rule import Finding, Rule, RuleContext, Severity

_METHOD = field_id("method")
_NAME = field_id("name")

# Statements that may sit in the "header" of a script next to the services.
_HEADER_TYPES = frozenset({"variable_declaration", "type_definition", "empty_statement"})


class ScatteredServiceRule(Rule):
    id = "quality/scattered-service"
    scorer = "quality"
    severity = Severity.INFO
    summary = (
        "GetService inside a function or after the script's setup: gather services at the top."
    )
    bad = (
        "local function count()\n\tlocal Players = game:GetService('Players')\n\treturn #Players:GetPlayers()\nend\n"
        "print(count())\n"
    )
    good = (
        "local Players = game:GetService('Players')\n\nlocal function count()\n\treturn #Players:GetPlayers()\nend\n"
        "print(count())\n"
    )
    needs_clean_tree = True

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        source = ctx.source
        if "GetService" not in source.text:
            return  # no call can be named so
        header_end = source.root.end_byte
        for stmt in source.root.named_children:
            if stmt.type in STATEMENT_TYPES and stmt.type not in _HEADER_TYPES:
                header_end = stmt.start_byte
                break
        for call in source.nodes("function_call"):
            name = call.child_by_field_id(_NAME)
            method = (
                name.child_by_field_id(_METHOD)
                if name is not None and name.type == "method_index_expression"
                else None
            )
            if method is None or source.node_text(method) != "GetService":
                continue
            if innermost_function(ctx, call) is not None:
                yield self.at(
                    ctx,
                    call,
                    "GetService inside a function",
                    "fetch the service once at the top of the script",
                )
            elif call.start_byte > header_end:
                yield self.at(
                    ctx,
                    call,
                    "GetService after the script's setup",
                    "move it up with the other services",
                )
