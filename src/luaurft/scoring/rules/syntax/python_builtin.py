"""syntax/python-builtin: Python built-ins (`len(`, `range(`, ...) that Luau lacks.

It compiles (an undefined global, or a field), so it is checked against the
names the code defines itself.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from luaurft.luau.lexer import TokenKind
from luaurft.scoring.lexical import code_view, may_name
from luaurft.scoring.rule import Finding, Rule, RuleContext, Severity

_BUILTINS = {
    "len": ("`len(x)` is Python; Luau takes a length with `#x`", "#x"),
    "range": (
        "`range(n)` is Python; Luau counts with `for i = 1, n do ... end`",
        "for i = 1, n do",
    ),
    "enumerate": (
        "`enumerate(t)` is Python; Luau iterates with `for i, v in ipairs(t) do`",
        "ipairs(t)",
    ),
    "str": ("`str(x)` is Python; Luau converts with `tostring(x)`", "tostring(x)"),
    "int": (
        "`int(x)` is Python; Luau converts with `tonumber(x)` (and `math.floor`)",
        "tonumber(x)",
    ),
    "float": ("`float(x)` is Python; Luau converts with `tonumber(x)`", "tonumber(x)"),
    "isinstance": (
        '`isinstance` is Python; Luau checks `typeof(x)` or `instance:IsA("Class")`',
        'x:IsA("Class")',
    ),
    "sorted": ("`sorted(t)` is Python; Luau sorts in place with `table.sort(t)`", "table.sort(t)"),
}
# A builtin's name and `(`, not right after a letter, digit, `_`, `.` or `:` (a longer
# name, a field or a method); one pattern per name, each opening with the name's
# letters, so a search skips to them (an alternation of them is tried everywhere).
_BUILTIN_CALLS = tuple(re.compile(rf"{name}(?<![\w.:]{name})\s*\(") for name in _BUILTINS)


class PythonBuiltinRule(Rule):
    id = "syntax/python-builtin"
    scorer = "syntax"
    severity = Severity.WARNING
    summary = "Python built-ins (`len(`, `range(`, `str(`...) that do not exist in Luau."
    bad = "local items = {1, 2, 3}\nprint(len(items))\n"
    good = "local items = {1, 2, 3}\nprint(#items)\nlocal function len(t)\n\treturn #t\nend\nprint(len(items))\n"

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        text = ctx.source.text
        # The text first: `may_name` lists the tree's identifiers, which few files need.
        if not any(call.search(text) for call in _BUILTIN_CALLS) or not may_name(ctx, *_BUILTINS):
            return
        view = code_view(ctx)
        for i in view.positions(*_BUILTINS):
            tok = view.code[i]
            if (
                tok.kind is not TokenKind.NAME
                or tok.text not in _BUILTINS
                or view.defines(tok.text)
            ):
                continue
            prev, nxt = view.prev(i), view.next(i)
            if nxt is None or not nxt.is_op("(") or (prev is not None and prev.is_op(".", ":")):
                continue
            message, fix = _BUILTINS[tok.text]
            yield self.at(ctx, (tok.line, tok.column), message, fix=fix)
