"""syntax/python-fstring: a Python f-string instead of a Luau interpolated string.

It compiles (an undefined global, or a field), so it is checked against the
names the code defines itself.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from luaurft.luau.lexer import TokenKind
from luaurft.scoring.lexical import code_view, may_hold, may_name, spelled, token_run
from luaurft.scoring.rule import Finding, Rule, RuleContext, Severity

_FSTRING_PREFIX = {"f", "F", "rf", "fr", "Rf", "fR", "RF", "FR", "rF", "Fr"}
# `f"`, `fr'`, ...: a prefix ending in f or r and a quote, in one pass over the text.
_FSTRING_MARKER = re.compile("[fF][rR]?[\"']")
# The prefix as a name of its own, the quote right after it (no gap: `nxt.start == tok.end`).
_FSTRING_START = token_run(spelled(*sorted(_FSTRING_PREFIX)) + "[\"']")
_FSTRING_START_BYTES = re.compile(_FSTRING_START.pattern.encode())


class PythonFStringRule(Rule):
    id = "syntax/python-fstring"
    scorer = "syntax"
    severity = Severity.WARNING
    summary = 'Python f-string (`f"{x}"`) instead of a Luau interpolated string.'
    bad = 'local name = "Ana"\nprint(f"Hello {name}")\n'
    good = 'local name = "Ana"\nprint(`Hello {name}`)\n'

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        # `%.2f"` ends many a format string: only a name `f` before a quote is a prefix,
        # and the tree's names answer that with a set lookup.
        if not _FSTRING_MARKER.search(ctx.source.text) or not may_name(ctx, *_FSTRING_PREFIX):
            return
        if not may_hold(ctx, _FSTRING_START) or not _prefix_before_quote(ctx):
            return
        view = code_view(ctx)
        for i in view.positions(*_FSTRING_PREFIX):
            tok = view.code[i]
            nxt = view.next(i)
            if (
                tok.kind is TokenKind.NAME
                and tok.text in _FSTRING_PREFIX
                and not view.defines(tok.text)
                and nxt is not None
                and nxt.kind is TokenKind.STRING
                and nxt.start == tok.end
                and nxt.text[:1] in "\"'"
                and "{" in nxt.text
            ):
                yield self.at(
                    ctx,
                    (tok.line, tok.column),
                    "f-strings are Python; Luau interpolates with backticks: `Hello {name}`",
                    fix="`...{expr}...`",
                )


def _prefix_before_quote(ctx: RuleContext) -> bool:
    """False when no name token spelled as a prefix stands right before a quote, proven
    from the tree where the code compiles and parses cleanly (its identifiers are the
    lexer's names): `"fr"` or `Values["fr"]` holds the letters but no such name."""
    source = ctx.source
    if not source.compiles or source.tree_has_errors:
        return True
    root = source.root
    for hit in _FSTRING_START_BYTES.finditer(source.bytes):
        start, end = hit.start(), hit.end() - 1  # the prefix, without its quote
        node = root.descendant_for_byte_range(start, end)
        if (
            node is not None
            and node.type == "identifier"
            and (node.start_byte, node.end_byte) == (start, end)
        ):
            return True
    return False
