"""Which declared names are never read: shared by bug/unused-local and bug/unused-parameter.

Only the trailing names of a list are reported (`local ok, err = pcall(f)` with
`err` unused; `function(player, message)` with `message` unused): an unused name
before a used one holds its position and cannot simply go. Names starting with
`_` are unused on purpose. A local function only called from its own body
counts as unused.
"""

from __future__ import annotations

from luaurft.scoring.analysis.scope import Declaration, DeclKind, ScopeAnalysis


def is_read(scopes: ScopeAnalysis, decl: Declaration) -> bool:
    if decl.type_uses:
        return True
    if decl.kind is DeclKind.LOCAL_FUNCTION:
        info = scopes.function_info(decl.statement)
        if info is not None:
            return any(not info.contains(ref.node) for ref in decl.reads)
    return bool(decl.reads)


def trailing_unused(scopes: ScopeAnalysis, group: list[Declaration]) -> list[Declaration]:
    """The unused names at the end of a declaration list (`_`-names end the run silently)."""
    found: list[Declaration] = []
    for decl in reversed(group):
        if decl.name.startswith("_"):
            continue
        if is_read(scopes, decl):
            break
        found.append(decl)
    return list(reversed(found))
