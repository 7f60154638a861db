"""api/unknown-library-member: a function or constant a Luau library does not have
(`table.contains`, `string.trim`, `math.pie`)."""

from __future__ import annotations

from collections.abc import Iterator

from luaurft.scoring.analysis.builtins import is_real_global
from luaurft.scoring.analysis.scope import scope_analysis
from luaurft.scoring.rule import Finding, Rule, RuleContext, Severity
from luaurft.scoring.rules.api._helpers import accesses, closest
from luaurft.scoring.rules.api._library import index_for


class UnknownLibraryMemberRule(Rule):
    id = "api/unknown-library-member"
    scorer = "api"
    severity = Severity.ERROR
    summary = (
        "A member of a Luau standard library that does not exist (`table.contains`, "
        "`string.trim`, `math.pie`): it is nil, so calling it raises at run time."
    )
    bad = (
        "local function hasItem(items, item)\n"
        "\treturn table.contains(items, item)\n"
        "end\n"
        "print(hasItem({ 1, 2 }, 2), math.pie)\n"
    )
    good = (
        "local function hasItem(items, item)\n"
        "\treturn table.find(items, item) ~= nil\n"
        "end\n"
        "print(hasItem({ 1, 2 }, 2), math.pi)\n"
    )

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        index = index_for(ctx)
        text = ctx.source.node_text
        scopes = scope_analysis(ctx)
        # Only a library the code reads as a global is checked (`is_real_global`
        # below), and its name's length is at hand before the receiver's text.
        libraries = {n: lib for n, lib in index.libraries.items() if n in scopes.global_reads}
        if not libraries:
            return
        lengths = {len(name.encode()) for name in libraries}
        added: set[str] | None = None
        for access in accesses(ctx):
            if access.method:
                continue
            table = access.receiver
            if table.end_byte - table.start_byte not in lengths:
                continue
            library = libraries.get(text(table))
            if library is None or table.type != "identifier" or library.has(access.name):
                continue
            dt = index.datatype(library.name)
            if dt is not None and dt.complete:
                continue  # a Roblox library (task): api/unknown-member reports it
            field = access.name_node
            qualified = f"{library.name}.{access.name}"
            instead = index.mistake(qualified)
            if instead is None and not library.complete:
                continue
            if added is None:
                # A library extended on purpose (`table.contains = function ...`) has
                # the member: rare, so the assignments are only read for a candidate.
                nodes = ctx.source.nodes("dot_index_expression")
                added = {text(node) for node in nodes if _assigned(node)}
            if qualified in added or not is_real_global(scopes, table):
                continue
            if instead is None:
                names = [*library.functions, *library.constants]
                guess = closest(access.name, names)
                instead = f"{library.name}.{guess}" if guess else None
            yield self.at(
                ctx,
                field,
                f"{qualified} does not exist in Luau's {library.name} library",
                f"use {instead}" if instead else None,
            )


def _assigned(node: object) -> bool:
    parent = getattr(node, "parent", None)
    return parent is not None and parent.type == "variable_list"
