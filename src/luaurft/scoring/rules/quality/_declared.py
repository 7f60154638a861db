"""The names the code declares, in document order, listed once for the naming rules."""

from __future__ import annotations

from typing import TYPE_CHECKING

from luaurft.scoring.analysis.scope import scope_analysis

if TYPE_CHECKING:
    from luaurft.scoring.analysis.scope import Declaration
    from luaurft.scoring.rule import RuleContext


def declared_in_order(ctx: RuleContext) -> list[Declaration]:
    """`ScopeAnalysis.named_in_order()`, sorted once per context (a shared list: do not modify it)."""
    found: list[Declaration] = ctx.memo(
        "quality.named_in_order", lambda: scope_analysis(ctx).named_in_order()
    )
    return found
