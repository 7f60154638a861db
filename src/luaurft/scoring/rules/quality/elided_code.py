"""quality/elided-code: code left out ('...' in a function without varargs, '-- rest of code').

A marker among a type's fields leaves no code out and is not reported.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from luaurft.scoring.analysis.comments import comment_facts
from luaurft.scoring.analysis.functions import innermost_function
from luaurft.scoring.rule import Finding, Rule, RuleContext, Severity

if TYPE_CHECKING:
    from tree_sitter import Node

_LONE_ELLIPSIS = re.compile(r"^\s*(?:\.\.\.|…)\s*(?:--.*)?$")


class ElidedCodeRule(Rule):
    id = "quality/elided-code"
    scorer = "quality"
    severity = Severity.ERROR
    summary = (
        "Code left out: '...' inside a function that takes no varargs, or a comment such as "
        "'-- rest of code'."
    )
    bad = "local function setup()\n\tlocal parts = {}\n\t-- ... existing code ...\n\treturn parts\nend\n"
    good = "local function log(...)\n\tprint('[game]', ...)\nend\nlog('ready')\n"
    cost = 0.25
    reads_tree = False

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        source = ctx.source
        flagged: set[int] = set()
        # Code the compiler accepts uses `...` only where it is legal; a tree
        # with errors would misplace the functions that declare it.
        trust_tree = not (source.compiles and source.tree_has_errors)
        for vararg in source.nodes("vararg_expression") if trust_tree else []:
            parent = vararg.parent
            if parent is not None and parent.type == "parameter":
                continue
            info = innermost_function(ctx, vararg)
            # The main chunk is a vararg function: `local args = ...` at the top
            # level is legal Luau (a chunk run with arguments), not elided code.
            if info is not None and not info.has_vararg:
                flagged.add(vararg.start_point[0] + 1)
                yield self.at(
                    ctx,
                    vararg,
                    "'...' in a function without varargs stands for missing code",
                    "write the code it stands for",
                )
        # A line holding only `...` is a statement the compiler rejects, unless
        # it continues a call or table inside a vararg function.
        lone_lines = [] if source.compiles else list(enumerate(source.lines, start=1))
        for number, text in lone_lines:
            if number not in flagged and _LONE_ELLIPSIS.match(text):
                flagged.add(number)
                yield self.at(
                    ctx,
                    (number, len(text) - len(text.lstrip()) + 1),
                    "'...' stands for missing code",
                    "write the code it stands for",
                )
        for fact in comment_facts(ctx):
            if fact.line not in flagged and fact.marks.elision and not _in_type(fact.node):
                yield self.at(
                    ctx,
                    fact.node,
                    "comment stands in for code that was left out",
                    "write the code it stands for",
                )


def _in_type(comment: Node) -> bool:
    """The comment sits among a type's fields (`-- ...` where a ported type was
    open): a type leaves no code out."""
    parent = comment.parent
    return parent is not None and parent.type == "object_type"
