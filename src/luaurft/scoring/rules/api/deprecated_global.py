"""api/deprecated-global: deprecated globals (`wait`, `spawn`, `delay`, `tick`, ...)."""

from __future__ import annotations

import re
from collections.abc import Iterator

import tree_sitter

from luaurft.luau.source import luau_language
from luaurft.roblox.globals import DEPRECATED_GLOBALS, DEPRECATED_LIBRARY_FUNCTIONS
from luaurft.scoring.analysis.bindings import bindings_for, identifier_role
from luaurft.scoring.rule import Finding, Rule, RuleContext, Severity


def _query() -> tree_sitter.Query:
    names = " ".join(f'"{n}"' for n in sorted(DEPRECATED_GLOBALS))
    libraries = " ".join(f'"{n.split(".")[0]}"' for n in sorted(DEPRECATED_LIBRARY_FUNCTIONS))
    return tree_sitter.Query(
        luau_language(),
        f"((identifier) @global (#any-of? @global {names}))\n"
        f"(dot_index_expression table: (identifier) @library (#any-of? @library {libraries})) @access",
    )


_QUERY = _query()
# Most code uses none of these names outside `task.wait` and the like: a text scan
# (a name not right after `.` or `:`) decides whether the query is worth running.
_MAYBE = re.compile(
    r"(?<![\w.:])(?:"
    + "|".join(
        sorted({n.split(".")[0] for n in (*DEPRECATED_GLOBALS, *DEPRECATED_LIBRARY_FUNCTIONS)})
    )
    + r")\b"
)


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
        if not _MAYBE.search(src.text):
            return
        captures = tree_sitter.QueryCursor(_QUERY).captures(src.root)
        if not captures:
            return
        bindings = bindings_for(ctx)
        for ident in captures.get("global", ()):
            if identifier_role(ident) != "read" or not bindings.is_global(ident):
                continue
            name = src.node_text(ident)
            info = DEPRECATED_GLOBALS[name]
            yield self.at(
                ctx, ident, f"`{name}` is deprecated: {info.reason}", f"use {info.replacement}"
            )
        for access in captures.get("access", ()):
            table = access.child_by_field_name("table")
            field = access.child_by_field_name("field")
            if table is None or field is None or not bindings.is_global(table):
                continue
            qualified = f"{src.node_text(table)}.{src.node_text(field)}"
            found = DEPRECATED_LIBRARY_FUNCTIONS.get(qualified)
            if found is not None:
                yield self.at(
                    ctx,
                    access,
                    f"`{qualified}` is deprecated: {found.reason}",
                    f"use {found.replacement}",
                )
