"""api/deprecated-global: deprecated globals (`wait`, `spawn`, `delay`, `tick`, ...)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from luaurft.roblox.globals import DEPRECATED_GLOBALS, DEPRECATED_LIBRARY_FUNCTIONS
from luaurft.scoring.analysis.bindings import bindings_for, identifier_role
from luaurft.scoring.analysis.scope import scope_analysis
from luaurft.scoring.rule import Finding, Rule, RuleContext, Severity
from luaurft.scoring.rules.api._helpers import accesses

_LIBRARIES = frozenset(n.split(".")[0] for n in DEPRECATED_LIBRARY_FUNCTIONS)
_FIELDS = frozenset(n.split(".", 1)[1] for n in DEPRECATED_LIBRARY_FUNCTIONS)
# A text scan for the names (not right after `.` or `:`) gates the findings. It runs
# only once the tree has shown a candidate: nearly every file mentions `table`, so
# the scan rarely spares the tree a look. The names alone lead the pattern, so the
# regex engine can jump between their first letters; the character before a hit is
# checked separately.
_NAMES = re.compile(
    "(?:"
    + "|".join(
        sorted({n.split(".")[0] for n in (*DEPRECATED_GLOBALS, *DEPRECATED_LIBRARY_FUNCTIONS)})
    )
    + r")\b"
)
_NAME_CHAR = re.compile(r"[\w.:]")


def _maybe_used(text: str) -> bool:
    for hit in _NAMES.finditer(text):
        start = hit.start()
        if start == 0 or not _NAME_CHAR.match(text, start - 1):
            return True
        # `"up " ..tick()`: a name right after the `..` operator is a read, not a field.
        if start >= 2 and text[start - 2 : start] == "..":
            return True
    return False


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
        text = src.node_text
        scopes = scope_analysis(ctx)
        global_reads = scopes.global_reads
        # Reads of the real globals, from the names the scope analysis left unresolved;
        # a global the script assigns itself is its own.
        names = [
            name
            for name in global_reads
            if name in DEPRECATED_GLOBALS and name not in scopes.global_writes
        ]
        # `table.getn`: the field's name is at hand for every access, so it is asked
        # first; most code indexes `table` only for functions that are not deprecated.
        library_accesses = [
            access.node
            for access in accesses(ctx)
            if access.name in _FIELDS
            and not access.method
            and access.receiver.type == "identifier"
            and text(access.receiver) in _LIBRARIES
        ]
        if not names and not library_accesses:
            return
        if not _maybe_used(src.text):
            return
        globals_ = [
            ref.node
            for name in names
            for ref in global_reads[name]
            if identifier_role(ref.node) == "read"
        ]
        if not globals_ and not library_accesses:
            return
        for ident in globals_:
            name = text(ident)
            info = DEPRECATED_GLOBALS[name]
            yield self.at(
                ctx, ident, f"`{name}` is deprecated: {info.reason}", f"use {info.replacement}"
            )
        bindings = bindings_for(ctx)
        for access in library_accesses:
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
