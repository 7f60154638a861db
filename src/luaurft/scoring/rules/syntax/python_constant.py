"""syntax/python-constant: Python `True`/`False`/`None` used as values.

It compiles (an undefined global, or a field), so it is checked against the
names the code defines itself.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator

from luaurft.luau.lexer import TokenKind
from luaurft.scoring.lexical import NAME_END, CodeView, code_view, may_name, spelled, surely_defines
from luaurft.scoring.rule import Finding, Rule, RuleContext, Severity
from luaurft.scoring.rules.api._helpers import accesses

_PY_CONSTANTS = {"True": "true", "False": "false", "None": "nil"}
# Where a name token spelled like a constant may stand: the lexer's names are ASCII.
_SPELLED = re.compile(spelled("True", "False", "None") + NAME_END)


class PythonConstantRule(Rule):
    id = "syntax/python-constant"
    scorer = "syntax"
    severity = Severity.WARNING
    summary = "Python `True`/`False`/`None` used as values (undefined globals in Luau, so nil)."
    bad = "local enabled = True\nif target == None then\n\treturn\nend\n"
    good = (
        "local enabled = true\nif target == nil then\n\treturn\nend\nlocal font = Enum.Font.None\n"
    )

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        if not any(name in ctx.source.text for name in _PY_CONSTANTS) or not may_name(
            ctx, *_PY_CONSTANTS
        ):
            return
        if _nothing_to_report(ctx):
            return
        view = code_view(ctx)
        for i in view.positions(*_PY_CONSTANTS):
            tok = view.code[i]
            if tok.kind is not TokenKind.NAME or tok.text not in _PY_CONSTANTS:
                continue
            prev, nxt = view.prev(i), view.next(i)
            if view.defines(tok.text) or (prev is not None and prev.is_op(".", ":", "::")):
                continue
            if nxt is not None and nxt.is_op("="):
                continue
            if _type_field(view, i):
                continue
            luau = _PY_CONSTANTS[tok.text]
            yield self.at(
                ctx,
                (tok.line, tok.column),
                f"`{tok.text}` is Python; in Luau it is an undefined global (nil): write `{luau}`",
                fix=luau,
            )


def _nothing_to_report(ctx: RuleContext) -> bool:
    """Each of `True`/`False`/`None` the code spells is one the rule skips: a name the
    code declares (`local None = ...`, as libraries ported from JavaScript do), or
    only ever a member name (`Enum.Font.None`, `x:None()`). Proven where the code
    compiles and parses cleanly (the tree's index expressions are the lexer's
    `name . name` runs), so the rule need not lex: a word is only a member name
    when its member names are as many as its spellings outside comments and strings."""
    source = ctx.source
    if not source.compiles or source.tree_has_errors:
        return False
    spelled = Counter(_SPELLED.findall(source.text))
    for node in source.nodes("comment", "string"):
        words = source.node_text(node)
        if "True" in words or "False" in words or "None" in words:
            spelled.subtract(_SPELLED.findall(words))
    members = Counter(access.name for access in accesses(ctx) if access.name in _PY_CONSTANTS)
    return all(
        members[word] == count or surely_defines(ctx, word)
        for word, count in spelled.items()
        if count > 0
    )


def _type_field(view: CodeView, i: int) -> bool:
    """`None: () -> any` or `None: string` at the start of a field: a name being declared
    in a table type, not the Python constant (`{ None:Get() }` is still a call)."""
    prev, colon = view.prev(i), view.next(i)
    if prev is None or not prev.is_op("{", ",", ";") or colon is None or not colon.is_op(":"):
        return False
    # `None:Method(...)`, `None:Method{...}`, `None:Method"..."`: a method call on the name.
    after, then = view.next(i, 2), view.next(i, 3)
    if after is None or after.kind is not TokenKind.NAME or then is None:
        return True
    return not (then.is_op("(", "{") or then.kind is TokenKind.STRING)
