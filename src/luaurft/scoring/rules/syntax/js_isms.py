"""JavaScript habits in Luau: `let`, `===`, `console.log`, brace blocks, `//` comments, `&&`.

Like the Python family, each is reported where it stands so the feedback says
why the compiler refused the code. `console.log` compiles (it fails when it
runs), so it is checked against the names the code defines.
"""

from __future__ import annotations

from collections.abc import Iterator

from luaurft.luau.lexer import TokenKind
from luaurft.scoring.lexical import NAME_END, NAME_START, code_view, may_hold, may_name, token_run
from luaurft.scoring.rule import Finding, Rule, RuleContext, Severity

_DECLARATIONS = frozenset({"let", "const", "var"})


class JsDeclarationRule(Rule):
    id = "syntax/js-declaration"
    scorer = "syntax"
    severity = Severity.ERROR
    summary = "JavaScript `let`/`const`/`var` instead of Luau `local`."
    bad = "let speed = 16\nconst MAX = 100\n"
    good = "local speed = 16\nlocal MAX = 100\nlocal let = 'a name'\nprint(let, speed, MAX)\n"

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        if ctx.source.compiles:
            return
        view = code_view(ctx)
        for i in view.positions(*_DECLARATIONS):
            tok = view.code[i]
            if tok.kind is not TokenKind.NAME or tok.text not in _DECLARATIONS:
                continue
            nxt = view.next(i)
            if (
                nxt is not None
                and nxt.line == tok.line
                and (nxt.kind is TokenKind.NAME or nxt.is_op("{", "["))
                and view.at_statement_start(i)
            ):
                yield self.at(
                    ctx,
                    (tok.line, tok.column),
                    f"`{tok.text}` is JavaScript; Luau declares variables with `local`",
                    fix="local",
                )


class JsStrictEqualityRule(Rule):
    id = "syntax/js-strict-equality"
    scorer = "syntax"
    severity = Severity.ERROR
    summary = "JavaScript `===`/`!==` instead of Luau `==`/`~=`."
    bad = "if a === b then\n\tprint('same')\nelseif a !== c then\n\tprint('not c')\nend\n"
    good = "if a == b then\n\tprint('same')\nelseif a ~= c then\n\tprint('not c')\nend\n"

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        if ctx.source.compiles:
            return
        view = code_view(ctx)
        for i in view.positions("===", "!=="):
            tok = view.code[i]
            if tok.is_op("===", "!=="):
                luau = "==" if tok.text == "===" else "~="
                yield self.at(
                    ctx,
                    (tok.line, tok.column),
                    f"`{tok.text}` is JavaScript; Luau compares with `{luau}`",
                    fix=luau,
                )


_CONSOLE_METHODS = frozenset({"log", "error", "warn", "info", "debug"})
_CONSOLE_CALL = token_run(
    NAME_START + "console",
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
        if not may_name(ctx, "console"):
            return
        view = code_view(ctx)
        if "console" in view.defined_names:
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


class JsBraceBlockRule(Rule):
    id = "syntax/js-brace-block"
    scorer = "syntax"
    severity = Severity.ERROR
    summary = "A `{ ... }` block (JavaScript, C) where Luau uses `then`/`do` ... `end`."
    bad = "if (health <= 0) {\n\tprint('dead')\n}\n"
    good = (
        "if health <= 0 then\n\tprint('dead')\nend\n"
        "local config = setmetatable({}, {\n\t__index = function() return 0 end,\n})\n"
    )

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        if ctx.source.compiles:
            return
        view = code_view(ctx)
        for j in view.brace_blocks:
            tok = view.code[j]
            yield self.at(
                ctx,
                (tok.line, tok.column),
                "`{` does not open a block in Luau (braces build tables); blocks are "
                "`if ... then ... end`, `while ... do ... end`, `function ... end`",
                fix="then / do ... end",
            )


class JsCommentRule(Rule):
    id = "syntax/js-comment"
    scorer = "syntax"
    severity = Severity.ERROR
    summary = (
        "`//` or `/* */` used as a comment (JavaScript); Luau comments are `--` and `--[[ ]]`."
    )
    bad = "local speed = 16 // walk speed\n// main loop\nprint(speed)\n"
    good = "local speed = 16 -- walk speed\nlocal half = speed // 2\nprint(half)\n"

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        if ctx.source.compiles:
            return
        for tok in code_view(ctx).foreign_comments:
            if tok.text.startswith("//"):
                yield self.at(
                    ctx,
                    (tok.line, tok.column),
                    "`//` does not start a comment in Luau (it is floor division); comments start with `--`",
                    fix="-- " + tok.text[2:].strip(),
                )
            elif tok.text.startswith("/*"):
                yield self.at(
                    ctx,
                    (tok.line, tok.column),
                    "`/* */` is not a Luau comment; block comments are `--[[ ... ]]`",
                    fix="--[[ ... ]]",
                )


_LOGICAL = {"&&": "and", "||": "or", "!": "not"}


class JsLogicalOperatorRule(Rule):
    id = "syntax/js-logical-operator"
    scorer = "syntax"
    severity = Severity.ERROR
    summary = "`&&`, `||` or `!` instead of Luau's `and`, `or`, `not`."
    bad = "if alive && !paused || debug then\n\tstep()\nend\n"
    good = "if alive and not paused or debug then\n\tstep()\nend\n"

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        if ctx.source.compiles:
            return
        view = code_view(ctx)
        for i in view.positions(*_LOGICAL):
            tok = view.code[i]
            if tok.kind is TokenKind.OP and tok.text in _LOGICAL:
                luau = _LOGICAL[tok.text]
                yield self.at(
                    ctx,
                    (tok.line, tok.column),
                    f"`{tok.text}` is not Luau; write `{luau}`",
                    fix=luau,
                )
