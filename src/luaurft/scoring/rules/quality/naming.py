"""Naming: one casing style per file, and names that say what a value is."""

from __future__ import annotations

import re
from collections.abc import Iterator

from luaurft.scoring.analysis.scope import DeclKind, scope_analysis
from luaurft.scoring.rule import Finding, Rule, RuleContext, Severity

_CAMEL = re.compile(r"^[a-z][a-z0-9]*(?:[A-Z][a-z0-9]*)+$")
_SNAKE = re.compile(r"^[a-z][a-z0-9]*(?:_[a-z0-9]+)+$")


def casing(name: str) -> str | None:
    """'camel' or 'snake' for names that show a style; None for single words, PascalCase, CONSTANTS."""
    bare = name.lstrip("_")
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
        styled = [(d, casing(d.name)) for d in scope_analysis(ctx).named_in_order()]
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


# Single letters that are idioms: loop indices, key/value, coordinates, time,
# colour channels, errors, tables.
IDIOMATIC_SHORT: frozenset[str] = frozenset(
    ["_", "i", "j", "k", "v", "x", "y", "z", "n", "t", "e", "r", "g", "b"]
) | {"dt", "ok", "id", "fn", "cb", "mt", "dx", "dy", "dz"}
MEANINGLESS: frozenset[str] = frozenset(
    [
        "foo",
        "bar",
        "baz",
        "qux",
        "quux",
        "tmp",
        "temp",
        "thing",
        "things",
        "stuff",
        "blah",
        "asdf",
        "dummy",
        "myvar",
        "var",
        "variable",
        "something",
        "whatever",
        "junk",
    ]
)
_NUMBERED_PLACEHOLDER = re.compile(
    r"^(?:var|tmp|temp|foo|bar|thing|obj|val|data|value|item|x|a|b)\d+$", re.IGNORECASE
)


class MeaninglessNameRule(Rule):
    id = "quality/meaningless-name"
    scorer = "quality"
    severity = Severity.INFO
    summary = "A name that is a placeholder (foo, tmp, data2), or a local or function named with a stray single letter."
    bad = "local function f(p)\n\tlocal tmp = p.Character\n\treturn tmp\nend\nprint(f)\n"
    good = (
        "local function characterOf(player)\n\tlocal character = player.Character\n\treturn character\nend\n"
        "for i, v in ipairs({1, 2}) do\n\tprint(i, v)\nend\ntable.sort({}, function(a, b) return a < b end)\nprint(characterOf)\n"
    )

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        seen: set[str] = set()
        for decl in scope_analysis(ctx).named_in_order():
            name = decl.name
            if name in seen or name.startswith("_") or name == "self":
                continue
            lowered = name.lower()
            if lowered in MEANINGLESS or _NUMBERED_PLACEHOLDER.match(name):
                reason = f"'{name}' is a placeholder name"
            elif (
                len(name) == 1
                and name not in IDIOMATIC_SHORT
                and decl.kind in (DeclKind.LOCAL, DeclKind.LOCAL_FUNCTION)
            ):
                # Single-letter parameters are idioms (`lerp(a, b, t)`, sort
                # comparators); a single-letter local or function is not.
                reason = f"'{name}' says nothing about the value"
            else:
                continue
            seen.add(name)
            yield self.at(ctx, decl.node, reason, "name it after what it holds")
