"""quality/placeholder: placeholder text ('your code here') instead of code.

A comment that only says "placeholder" after an assignment on its own line
(`icon.Image = "rbxasset://..." -- Placeholder`) labels a stand-in value (an
asset, a text) in code that is complete, so it is left alone.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from luaurft.scoring.rule import Finding, Rule, RuleContext, Severity
from luaurft.scoring.rules.quality._texts import marked_texts

if TYPE_CHECKING:
    from tree_sitter import Node


# A comment that is only the word, perhaps with what it stands in for.
_VALUE_LABEL = re.compile(
    r"^\s*(?:a\s+|the\s+)?placeholder(?:\s+(?:value|image|asset|id|icon|text|sound))?\s*[.!]*\s*$",
    re.IGNORECASE,
)
# Code ending in an assignment of a value: `x.Image = "..."`, `local id = 123`.
_ASSIGNMENT = re.compile(r"(?<![=~<>])=(?!=)[^=]+$")


def _labels_value(ctx: RuleContext, node: Node, text: str) -> bool:
    """True for a comment that says "placeholder" after an assignment on its line."""
    if not _VALUE_LABEL.match(text):
        return False
    data = ctx.source.bytes
    line_start = data.rfind(b"\n", 0, node.start_byte) + 1
    before = data[line_start : node.start_byte].decode("utf-8", "replace")
    return bool(_ASSIGNMENT.search(before.rstrip()))


class PlaceholderRule(Rule):
    id = "quality/placeholder"
    scorer = "quality"
    severity = Severity.ERROR
    summary = (
        "Placeholder text ('your code here', 'implement this', 'not implemented') instead of code."
    )
    bad = "local function onTouched(hit)\n\t-- your code here\n\tprint(hit)\nend\n"
    good = "local function onTouched(hit)\n\t-- Parts without a humanoid are ignored below.\n\tprint(hit)\nend\n"
    cost = 0.2
    reads_tree = False

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        for node, text, where, marks in marked_texts(ctx):
            if marks.placeholder and not (where == "comment" and _labels_value(ctx, node, text)):
                yield self.at(
                    ctx, node, "placeholder instead of an implementation", "write the missing code"
                )
