"""syntax/python-self-call: `self.method()` where Luau calls `self:method()`.

It compiles (an undefined global, or a field), so it is checked against the
names the code defines itself.
"""

from __future__ import annotations

from collections.abc import Iterator

from luaurft.scoring.lexical import NAME_START, code_view, may_hold, token_run
from luaurft.scoring.rule import Finding, Rule, RuleContext, Severity

# `self . name (`: the tokens the rule looks at, in a row.
_SELF_DOT_CALL = token_run(NAME_START + "self", r"\.", r"[A-Za-z_][A-Za-z0-9_]*", r"\(")


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
        if "self." not in ctx.source.text or not may_hold(ctx, _SELF_DOT_CALL):
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
