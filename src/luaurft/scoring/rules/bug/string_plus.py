"""bug/string-plus: `+` used to join text, as in JavaScript or Python.

Luau joins strings with `..`. `+` converts both sides to numbers, so
`"Score: " + coins` errors at run time ("attempt to perform arithmetic on a
string value") on every call. A string that spells a number (`"5" + 1`) does
convert; that is left alone here.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from luaurft.scoring.analysis.nodes import unparenthesize
from luaurft.scoring.rule import Finding, Rule, RuleContext, Severity
from luaurft.scoring.rules.bug._binary import binary_expressions

if TYPE_CHECKING:
    from tree_sitter import Node

    from luaurft.luau.source import LuauSource


def _non_numeric_text(source: LuauSource, node: Node) -> bool:
    """A string literal (quoted, long-bracket or interpolated) that is not a number."""
    node = unparenthesize(node)
    if node.type not in ("string", "interpolated_string"):
        return False
    text = source.node_text(node)
    if text.startswith("`"):
        return "{" in text or not _is_number(text[1:-1])
    if text.startswith("["):
        body = text[text.index("[", 1) + 1 : text.rindex("]", 0, -1)]
    else:
        body = text[1:-1]
    return not _is_number(body)


def _is_number(text: str) -> bool:
    try:
        float(text.strip())
    except ValueError:
        return text.strip().lower().startswith("0x")
    return True


class StringPlusRule(Rule):
    id = "bug/string-plus"
    scorer = "bug"
    severity = Severity.ERROR
    summary = (
        '`+` used to join text (`"Score: " + coins`): Luau\'s `+` is arithmetic only, so it '
        "errors at run time; strings are joined with `..`."
    )
    bad = 'local coins = 10\nprint("Score: " + coins)\n'
    good = 'local coins = 10\nprint("Score: " .. coins)\n'

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        source = ctx.source
        if "+" not in source.text:
            return
        reported: set[int] = set()
        for binary in binary_expressions(ctx, "+"):
            left, right = binary.child_by_field_name("left"), binary.child_by_field_name("right")
            text_side = next(
                (s for s in (left, right) if s is not None and _non_numeric_text(source, s)), None
            )
            line = binary.start_point[0]
            if text_side is None or line in reported:
                continue
            reported.add(line)
            yield self.at(
                ctx,
                binary,
                "`+` on text is arithmetic in Luau and errors at run time "
                "(attempt to perform arithmetic on a string)",
                'join strings with `..` (`"Score: " .. coins`), or use string.format',
            )
