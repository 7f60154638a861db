"""syntax/ts-import: a roblox-ts (TypeScript) `import ... from "..."` line left in Luau.

`import { Players } from "@rbxts/services"` compiles: Luau reads it as two
calls, `import{ Players }` and `from "@rbxts/services"`, of globals that do not
exist, so the script dies on its first line. The compiler never says so; this
rule does, where the line stands.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from luaurft.luau.lexer import TokenKind
from luaurft.scoring.lexical import NAME_END, NAME_START, code_view, may_name, spelled
from luaurft.scoring.rule import Finding, Rule, RuleContext, Severity

# `import` and a later `from` on the same line, each a name of its own: in code that
# compiles (lexed token for token, see `lexical.may_hold`) a miss means no such line.
_IMPORT_FROM = re.compile(spelled("import") + NAME_END + "[^\n]*?" + NAME_START + "from" + NAME_END)


class TsImportRule(Rule):
    id = "syntax/ts-import"
    scorer = "syntax"
    severity = Severity.ERROR
    summary = (
        'A TypeScript/roblox-ts `import { X } from "..."` line: Luau runs it as two calls of '
        "undefined globals; use `game:GetService` or `require`."
    )
    bad = 'import { Players } from "@rbxts/services"\nprint(#Players:GetPlayers())\n'
    good = (
        'local Players = game:GetService("Players")\nprint(#Players:GetPlayers())\n'
        "local import = require(script.Parent.Import)\nimport({ 'a' })\n"
    )

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        if "import" not in ctx.source.text or "from" not in ctx.source.text:
            return
        if ctx.source.compiles and not _IMPORT_FROM.search(ctx.source.text):
            return
        if not (may_name(ctx, "import") and may_name(ctx, "from")):
            return  # both words only in comments and strings
        view = code_view(ctx)
        if view.defines("import") or view.defines("from"):
            return  # the script defines a function of that name itself
        code = view.code
        for i in view.positions("import"):
            tok = code[i]
            if not tok.is_name("import") or not view.at_statement_start(i):
                continue
            # `from` and then a string later on the same line: `import X from "m"`,
            # `import { X, Y } from "m"`, `import * as X from "m"`.
            rest = [t for t in code[i + 1 : i + 40] if t.line == tok.line]
            module = next(
                (
                    rest[k + 1].text
                    for k, t in enumerate(rest[:-1])
                    if t.is_name("from") and rest[k + 1].kind is TokenKind.STRING
                ),
                None,
            )
            if module is None:
                continue
            yield self.at(
                ctx,
                (tok.line, tok.column),
                f"`import ... from {module}` is TypeScript (roblox-ts); Luau runs it as calls "
                "of the undefined globals `import` and `from`",
                'local Players = game:GetService("Players") (or require(module) for a module)',
            )
