"""quality/inconsistent-casing: one casing style per file."""

from __future__ import annotations

import re
from collections.abc import Iterator

from luaurft.scoring.rule import Finding, Rule, RuleContext, Severity
from luaurft.scoring.rules.quality._declared import declared_in_order

_CAMEL = re.compile(r"^[a-z][a-z0-9]*(?:[A-Z][a-z0-9]*)+$")
_SNAKE = re.compile(r"^[a-z][a-z0-9]*(?:_[a-z0-9]+)+$")


# A numbered twin (`value_2`, roblox-ts's `_binding_1`) keeps its base name's style.
_NUMBER_SUFFIX = re.compile(r"_[0-9]+$")


def casing(name: str) -> str | None:
    """'camel' or 'snake' for names that show a style; None for single words, PascalCase,
    CONSTANTS, and names with a leading underscore: `_` marks a name unused, private or
    generated (`_arg0`, `_rust_classes` in roblox-ts output), not the file's style."""
    if name.startswith("_"):
        return None
    bare = _NUMBER_SUFFIX.sub("", name)
    if _CAMEL.match(bare):
        return "camel"
    if _SNAKE.match(bare):
        return "snake"
    return None


class InconsistentCasingRule(Rule):
    id = "quality/inconsistent-casing"
    scorer = "quality"
    severity = Severity.INFO
    summary = "Locals in one file mix camelCase and snake_case; the less used style is flagged."
    bad = (
        "local playerCount = 0\nlocal maxPlayers = 10\nlocal spawn_delay = 3\n"
        "print(playerCount, maxPlayers, spawn_delay)\n"
    )
    good = "local playerCount = 0\nlocal maxPlayers = 10\nlocal spawnDelay = 3\nprint(playerCount, maxPlayers, spawnDelay)\n"

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        declared = declared_in_order(ctx)
        # Names repeat (`i`, `player`, ...): each is matched against the styles once.
        styles = {name: casing(name) for name in {d.name for d in declared}}
        styled = [(d, styles[d.name]) for d in declared]
        counts = {"camel": 0, "snake": 0}
        for _, style in styled:
            if style:
                counts[style] += 1
        if not counts["camel"] or not counts["snake"]:
            return
        # Roblox code is camelCase by convention, so a tie flags snake_case.
        minority = "snake" if counts["snake"] <= counts["camel"] else "camel"
        majority = "camelCase" if minority == "snake" else "snake_case"
        seen: set[str] = set()
        for decl, style in styled:
            if style == minority and decl.name not in seen:
                seen.add(decl.name)
                yield self.at(
                    ctx,
                    decl.node,
                    f"'{decl.name}' breaks the file's {majority} naming",
                    f"rename it in {majority}",
                )
