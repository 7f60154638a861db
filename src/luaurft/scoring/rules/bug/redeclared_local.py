"""bug/redeclared-local: `local x` declared again in the same block, hiding the first."""

from __future__ import annotations

from collections.abc import Iterator

from luaurft.scoring.analysis.nodes import contains
from luaurft.scoring.analysis.scope import DeclKind, scope_analysis
from luaurft.scoring.rule import Finding, Rule, RuleContext, Severity

_KINDS = frozenset({DeclKind.LOCAL, DeclKind.LOCAL_FUNCTION, DeclKind.PARAMETER})


class RedeclaredLocalRule(Rule):
    id = "bug/redeclared-local"
    scorer = "bug"
    severity = Severity.INFO
    summary = (
        "A local is declared a second time in the same block (or a parameter again in "
        "its function's body); assigning the existing one is what was meant, and the "
        "two declarations make it unclear which value later code sees."
    )
    bad = (
        "local function total(prices: { number }): number\n\tlocal sum = 0\n"
        "\tfor _, price in prices do\n\t\tsum += price\n\tend\n"
        "\tlocal sum = sum * 1.2\n\treturn sum\nend\nreturn total\n"
    )
    good = (
        "local function total(prices: { number }): number\n\tlocal sum = 0\n"
        "\tfor _, price in prices do\n\t\tsum += price\n\tend\n"
        "\tlocal withTax = sum * 1.2\n\treturn withTax\nend\nreturn total\n"
    )

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        scopes = scope_analysis(ctx)
        for decl in scopes.declarations:
            outer = decl.shadows
            if outer is None or decl.kind not in _KINDS or outer.kind not in _KINDS:
                continue
            if decl.name.startswith("_") or decl.function is not outer.function:
                continue
            if decl.scope is not outer.scope and not (
                outer.kind is DeclKind.PARAMETER
                and decl.scope.parent is outer.scope
                and decl.scope.function is outer.scope.function
            ):
                continue
            if not (scopes.reliable(decl) and scopes.reliable(outer)):
                continue
            if outer.kind is DeclKind.PARAMETER and any(
                contains(decl.statement, ref.node) for ref in outer.reads
            ):
                continue  # `local value = value or default`: a parameter given its default
            line = outer.node.start_point[0] + 1
            yield self.at(
                ctx,
                decl.node,
                f"`{decl.name}` is declared again; the {outer.kind.value} on line {line} "
                "is hidden from here on",
                f"assign the existing `{decl.name}` (drop `local`), or give this one its own name",
            )
