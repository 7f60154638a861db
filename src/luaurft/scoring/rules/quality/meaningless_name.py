"""quality/meaningless-name: names that say nothing about the value they hold."""

from __future__ import annotations

import re
from collections.abc import Iterator

from luaurft.scoring.analysis.scope import DeclKind
from luaurft.scoring.rule import Finding, Rule, RuleContext, Severity
from luaurft.scoring.rules.quality._declared import declared_in_order

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
        # What each name is, worked out once however often it is declared.
        looked_up: dict[str, str] = {}
        for decl in declared_in_order(ctx):
            name = decl.name
            if name in seen:
                continue
            verdict = looked_up.get(name)
            if verdict is None:
                verdict = looked_up[name] = _verdict(name)
            if verdict == "placeholder":
                reason = f"'{name}' is a placeholder name"
            elif verdict == "short" and decl.kind in (DeclKind.LOCAL, DeclKind.LOCAL_FUNCTION):
                # Single-letter parameters are idioms (`lerp(a, b, t)`, sort
                # comparators); a single-letter local or function is not.
                reason = f"'{name}' says nothing about the value"
            else:
                continue
            seen.add(name)
            yield self.at(ctx, decl.node, reason, "name it after what it holds")


def _verdict(name: str) -> str:
    """'placeholder', 'short' (a single letter that is no idiom) or 'fine'."""
    if name.startswith("_") or name == "self":
        return "fine"
    if name.lower() in MEANINGLESS or _NUMBERED_PLACEHOLDER.match(name):
        return "placeholder"
    if len(name) == 1 and name not in IDIOMATIC_SHORT:
        return "short"
    return "fine"
