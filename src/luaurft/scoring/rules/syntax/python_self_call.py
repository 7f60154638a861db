"""syntax/python-self-call: `self.method()` where Luau calls `self:method()`.

It compiles (an undefined global, or a field), so it is checked against the
names the code defines itself.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from luaurft.scoring.lexical import code_view, spelled, token_gap, token_run
from luaurft.scoring.rule import Finding, Rule, RuleContext, Severity

_NAME = r"[A-Za-z_][A-Za-z0-9_]*"
# `self . name (`: the tokens the rule looks at, in a row.
_SELF_DOT_CALL = token_run(spelled("self"), r"\.", f"(?P<name>{_NAME})", r"\(")
# `function a.b:name`: a function's name, where every method is declared.
_FUNCTION_NAME = re.compile(
    spelled("function")
    + token_gap(0)
    + f"(?P<chain>{_NAME}(?:{token_gap(1)}[.:]{token_gap(2)}{_NAME})*)"
)
_NAMES = re.compile(_NAME)


class PythonSelfCallRule(Rule):
    id = "syntax/python-self-call"
    scorer = "syntax"
    severity = Severity.WARNING
    summary = "`self.method()` calls a method without passing `self`; Luau method calls use `self:method()`."
    bad = (
        "local Door = {}\nDoor.__index = Door\n\nfunction Door:open()\n\tself.isOpen = true\nend\n\n"
        "function Door:toggle()\n\tself.open()\nend\n\nreturn Door\n"
    )
    good = (
        "local Door = {}\nDoor.__index = Door\n\nfunction Door:open()\n\tself.isOpen = true\nend\n\n"
        "function Door:toggle()\n\tself:open()\n\tself.onToggled(self)\nend\n\nreturn Door\n"
    )

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        if "self." not in ctx.source.text or not _may_call_a_method(ctx):
            return
        view = code_view(ctx)
        methods = view.methods - view.assigned_self_fields
        if not methods:
            return
        code = view.code
        for i in view.positions("self"):
            if i >= len(code) - 3:
                break
            tok = code[i]
            if not (
                tok.is_name("self")
                and code[i + 1].is_op(".")
                and code[i + 2].text in methods
                and code[i + 3].is_op("(")
            ):
                continue
            first_arg = code[i + 4] if i + 4 < len(code) else None
            if first_arg is not None and first_arg.is_name("self"):
                continue
            name = code[i + 2].text
            yield self.at(
                ctx,
                (tok.line, tok.column),
                f"`self.{name}(...)` calls the method without `self`; write `self:{name}(...)`",
                fix=f"self:{name}(...)",
            )


def _may_call_a_method(ctx: RuleContext) -> bool:
    """False when `code_view(ctx)` surely holds no `self.name(` of a declared method, so
    the rule need not lex: in code that compiles, the text's `self . name (` runs
    (see `lexical.token_run`) name none of the names in a function's name."""
    source = ctx.source
    if not source.compiles:
        return True
    called = {hit.group("name") for hit in _SELF_DOT_CALL.finditer(source.text)}
    if not called:
        return False
    declared: set[str] = set()
    for hit in _FUNCTION_NAME.finditer(source.text):
        declared.update(_NAMES.findall(hit.group("chain")))
    return not called.isdisjoint(declared)
