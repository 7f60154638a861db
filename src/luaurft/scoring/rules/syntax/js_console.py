"""syntax/js-console: `console.log(...)` instead of `print(...)`.

`console.log` compiles (it fails when it runs), so it is checked against the
names the code defines.
"""

from __future__ import annotations

from collections.abc import Iterator

from luaurft.scoring.lexical import (
    NAME_END,
    code_view,
    may_hold,
    may_name,
    spelled,
    surely_defines,
    token_run,
)
from luaurft.scoring.rule import Finding, Rule, RuleContext, Severity

_CONSOLE_METHODS = frozenset({"log", "error", "warn", "info", "debug"})
_CONSOLE_CALL = token_run(
    spelled("console"),
    r"\.",
    "(?:" + "|".join(sorted(_CONSOLE_METHODS)) + ")" + NAME_END,
    r"\(",
)


class JsConsoleRule(Rule):
    id = "syntax/js-console"
    scorer = "syntax"
    severity = Severity.WARNING
    summary = "JavaScript `console.log(...)` instead of `print(...)` / `warn(...)`."
    bad = "console.log('player joined')\n"
    good = "print('player joined')\nwarn('low health')\n"

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        if "console" not in ctx.source.text or not may_hold(ctx, _CONSOLE_CALL):
            return
        # Libraries ported from JavaScript bring their own `local console = ...`.
        if not may_name(ctx, "console") or surely_defines(ctx, "console"):
            return
        view = code_view(ctx)
        if view.defines("console"):
            return
        code = view.code
        for i in view.positions("console"):
            if i >= len(code) - 3:
                break
            tok = code[i]
            prev = view.prev(i)
            if (
                tok.is_name("console")
                and not (prev is not None and prev.is_op(".", ":"))
                and code[i + 1].is_op(".")
                and code[i + 2].text in _CONSOLE_METHODS
                and code[i + 3].is_op("(")
            ):
                method = code[i + 2].text
                luau = "warn" if method in ("warn", "error") else "print"
                yield self.at(
                    ctx,
                    (tok.line, tok.column),
                    f"`console.{method}` is JavaScript; Roblox writes to the output with `{luau}(...)`",
                    fix=f"{luau}(...)",
                )
