"""bug/shadowed-local: a local that hides a local of an enclosing block of the same function."""

from __future__ import annotations

from collections.abc import Iterator

from luaurft.scoring.analysis.nodes import contains
from luaurft.scoring.analysis.scope import Declaration, DeclKind, ScopeAnalysis, scope_analysis
from luaurft.scoring.rule import Finding, Rule, RuleContext, Severity


def _rebinds_itself(decl: Declaration, outer: Declaration) -> bool:
    # `local value = value or default`, `local name = tostring(name)`: the new
    # local is computed from the old one on purpose.
    return any(contains(decl.statement, ref.node) for ref in outer.reads)


def shadowing(scopes: ScopeAnalysis, decl: Declaration) -> Declaration | None:
    """The same-function local `decl` hides, when that is worth reporting."""
    outer = decl.shadows
    if outer is None or decl.kind is DeclKind.SELF or outer.kind is DeclKind.SELF:
        return None
    if decl.name.startswith("_") or decl.function is not outer.function:
        return None
    if decl.scope is outer.scope:
        # Redeclaring in the same block (`local ok, err = pcall(...)` twice) replaces
        # the old local for good; nothing can reach the hidden one by mistake.
        return None
    if not (scopes.reliable(decl) and scopes.reliable(outer)):
        return None
    if _rebinds_itself(decl, outer):
        return None
    return outer


class ShadowedLocalRule(Rule):
    id = "bug/shadowed-local"
    scorer = "bug"
    severity = Severity.INFO
    summary = (
        "A local hides another local of the same function with the same name, so later "
        "code can silently use the wrong one."
    )
    bad = (
        "local function total(items)\n"
        "\tlocal sum = 0\n"
        "\tfor _, item in items do\n"
        "\t\tlocal sum = item.price\n"
        "\t\tprint(sum)\n"
        "\tend\n"
        "\treturn sum\n"
        "end\n"
    )
    good = (
        "local function total(items)\n"
        "\tlocal sum = 0\n"
        "\tfor _, item in items do\n"
        "\t\tsum += item.price\n"
        "\tend\n"
        "\treturn sum\n"
        "end\n"
    )

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        scopes = scope_analysis(ctx)
        for decl in scopes.declarations:
            outer = shadowing(scopes, decl)
            if outer is None:
                continue
            line = outer.node.start_point[0] + 1
            yield self.at(
                ctx,
                decl.node,
                f"`{decl.name}` hides the {outer.kind.value} `{outer.name}` declared on line {line}",
                f"rename one of them, or assign to the existing `{decl.name}` instead of redeclaring it",
            )
