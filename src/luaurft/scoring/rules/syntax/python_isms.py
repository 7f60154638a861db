"""Python habits in Luau: the syntax a model trained on Python reaches for.

Each is reported where it stands, even when it is what stops the compiler, so
the feedback says *why* the code fails. The ones that can never be Luau run
only on code the compiler rejects; the ones that compile (`len(t)`, `None`,
`t.append(x)`) are checked against the names the code defines itself.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from luaurft.luau.lexer import TokenKind
from luaurft.scoring.lexical import NAME_START, CodeView, code_view, may_hold, may_name, token_run
from luaurft.scoring.rule import Finding, Rule, RuleContext, Severity


class PythonDefRule(Rule):
    id = "syntax/python-def"
    scorer = "syntax"
    severity = Severity.ERROR
    summary = "Python `def` instead of a Luau function declaration."
    bad = "def greet(name):\n\tprint('hi ' .. name)\n"
    good = "local function greet(name)\n\tprint('hi ' .. name)\nend\n"

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        if ctx.source.compiles:
            return
        view = code_view(ctx)
        code = view.code
        for i in view.positions("def"):
            tok = code[i]
            nxt, prev = view.next(i), view.prev(i)
            if (
                tok.is_name("def")
                and nxt is not None
                and nxt.kind is TokenKind.NAME
                and nxt.line == tok.line
                and (
                    view.at_statement_start(i)
                    or (prev is not None and prev.is_name("async") and prev.line == tok.line)
                )
            ):
                yield self.at(
                    ctx,
                    (tok.line, tok.column),
                    f"`def {nxt.text}` is Python; Luau declares functions with "
                    f"`local function {nxt.text}(...) ... end`",
                    fix=f"local function {nxt.text}(...) ... end",
                )


class PythonElifRule(Rule):
    id = "syntax/python-elif"
    scorer = "syntax"
    severity = Severity.ERROR
    summary = "Python `elif` instead of Luau `elseif`."
    bad = "if n > 0 then\n\tprint('positive')\nelif n < 0 then\n\tprint('negative')\nend\n"
    good = "if n > 0 then\n\tprint('positive')\nelseif n < 0 then\n\tprint('negative')\nend\n"

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        if ctx.source.compiles:
            return
        view = code_view(ctx)
        for i in view.positions("elif"):
            tok = view.code[i]
            nxt = view.next(i)
            if (
                tok.is_name("elif")
                and i in view.line_first
                and nxt is not None
                and nxt.line == tok.line
                and not nxt.is_op("=", ".", ":", "(", "[", ",")
            ):
                yield self.at(
                    ctx,
                    (tok.line, tok.column),
                    "`elif` is Python; Luau writes `elseif ... then`",
                    fix="elseif",
                )


_PY_CONSTANTS = {"True": "true", "False": "false", "None": "nil"}
# Cheap text checks that skip the lexer for most code (`\b` in a pattern is slow).


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
        view = code_view(ctx)
        defined = view.defined_names
        for i in view.positions(*_PY_CONSTANTS):
            tok = view.code[i]
            if tok.kind is not TokenKind.NAME or tok.text not in _PY_CONSTANTS:
                continue
            prev, nxt = view.prev(i), view.next(i)
            if tok.text in defined or (prev is not None and prev.is_op(".", ":", "::")):
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


class PythonNotEqualRule(Rule):
    id = "syntax/python-not-equal"
    scorer = "syntax"
    severity = Severity.ERROR
    summary = "`!=` (Python, JavaScript, C) instead of Luau's `~=`."
    bad = "if a != b then\n\tprint('different')\nend\n"
    good = "if a ~= b then\n\tprint('different')\nend\n"

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        if ctx.source.compiles:
            return
        view = code_view(ctx)
        for i in view.positions("!="):
            tok = view.code[i]
            if tok.is_op("!="):
                yield self.at(
                    ctx,
                    (tok.line, tok.column),
                    "`!=` is not Luau; inequality is written `~=`",
                    fix="~=",
                )


class PythonImportRule(Rule):
    id = "syntax/python-import"
    scorer = "syntax"
    severity = Severity.ERROR
    summary = "Python `import`/`from ... import` instead of `require` or `game:GetService`."
    bad = "import math\nfrom roblox import Players\n"
    good = "local Players = game:GetService('Players')\nlocal Util = require(script.Parent.Util)\n"

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        if ctx.source.compiles:
            return
        view = code_view(ctx)
        code = view.code
        for i in view.positions("import", "from"):
            tok = code[i]
            if not tok.is_name("import", "from") or not view.at_statement_start(i):
                continue
            nxt = view.next(i)
            if nxt is None or nxt.line != tok.line or nxt.kind is not TokenKind.NAME:
                continue
            if tok.is_name("import") and not _from_a_string(view, i):
                # (`import X from "m"` is TypeScript: syntax/ts-import reports it.)
                yield self._finding(ctx, tok.line, tok.column, "import")
            elif tok.is_name("from") and any(
                t.is_name("import") for t in code[i + 2 : i + 12] if t.line == tok.line
            ):
                yield self._finding(ctx, tok.line, tok.column, "from ... import")

    def _finding(self, ctx: RuleContext, line: int, column: int, what: str) -> Finding:
        return self.at(
            ctx,
            (line, column),
            f'`{what}` is Python; Roblox gets services with `game:GetService("Name")` '
            "and modules with `require(moduleScript)`",
            fix='local Name = game:GetService("Name")',
        )


def _from_a_string(view: CodeView, i: int) -> bool:
    line = view.code[i].line
    rest = [t for t in view.code[i + 1 : i + 40] if t.line == line]
    return any(
        t.is_name("from") and rest[k + 1].kind is TokenKind.STRING for k, t in enumerate(rest[:-1])
    )


_FSTRING_PREFIX = {"f", "F", "rf", "fr", "Rf", "fR", "RF", "FR", "rF", "Fr"}
_FSTRING_MARKERS = tuple(f"{p}{q}" for p in ("f", "F", "fr", "fR", "Fr", "FR") for q in "\"'")
# The prefix as a name of its own, the quote right after it (no gap: `nxt.start == tok.end`).
_FSTRING_START = token_run(NAME_START + "(?:" + "|".join(sorted(_FSTRING_PREFIX)) + ")[\"']")


class PythonFStringRule(Rule):
    id = "syntax/python-fstring"
    scorer = "syntax"
    severity = Severity.WARNING
    summary = 'Python f-string (`f"{x}"`) instead of a Luau interpolated string.'
    bad = 'local name = "Ana"\nprint(f"Hello {name}")\n'
    good = 'local name = "Ana"\nprint(`Hello {name}`)\n'

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        if not any(marker in ctx.source.text for marker in _FSTRING_MARKERS) or not may_hold(
            ctx, _FSTRING_START
        ):
            return
        view = code_view(ctx)
        for i in view.positions(*_FSTRING_PREFIX):
            tok = view.code[i]
            nxt = view.next(i)
            if (
                tok.kind is TokenKind.NAME
                and tok.text in _FSTRING_PREFIX
                and tok.text not in view.defined_names
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


class PythonCommentRule(Rule):
    id = "syntax/python-comment"
    scorer = "syntax"
    severity = Severity.ERROR
    summary = "`#` used as a comment (Python); in Luau `#` is the length operator and comments start with `--`."
    bad = "local speed = 16 # walk speed\n# main loop\nprint(speed)\n"
    good = "local speed = 16 -- walk speed\nlocal count = #game:GetService('Players'):GetPlayers()\nprint(speed, count)\n"

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        if ctx.source.compiles:
            return
        for tok in code_view(ctx).foreign_comments:
            if tok.text.startswith("#"):
                yield self.at(
                    ctx,
                    (tok.line, tok.column),
                    "`#` does not start a comment in Luau (it is the length operator); "
                    "comments start with `--`",
                    fix="-- " + tok.text.lstrip("#!").strip(),
                )


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
_BUILTIN_RE = re.compile(r"(?:" + "|".join(_BUILTINS) + r")\s*\(")


class PythonBuiltinRule(Rule):
    id = "syntax/python-builtin"
    scorer = "syntax"
    severity = Severity.WARNING
    summary = "Python built-ins (`len(`, `range(`, `str(`...) that do not exist in Luau."
    bad = "local items = {1, 2, 3}\nprint(len(items))\n"
    good = "local items = {1, 2, 3}\nprint(#items)\nlocal function len(t)\n\treturn #t\nend\nprint(len(items))\n"

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        text = ctx.source.text
        if not any(
            m.start() == 0 or not (text[m.start() - 1].isalnum() or text[m.start() - 1] in "_.:")
            for m in _BUILTIN_RE.finditer(text)
        ):
            return
        view = code_view(ctx)
        defined = view.defined_names
        for i in view.positions(*_BUILTINS):
            tok = view.code[i]
            if tok.kind is not TokenKind.NAME or tok.text not in _BUILTINS or tok.text in defined:
                continue
            prev, nxt = view.prev(i), view.next(i)
            if nxt is None or not nxt.is_op("(") or (prev is not None and prev.is_op(".", ":")):
                continue
            message, fix = _BUILTINS[tok.text]
            yield self.at(ctx, (tok.line, tok.column), message, fix=fix)


class PythonAppendRule(Rule):
    id = "syntax/python-append"
    scorer = "syntax"
    severity = Severity.WARNING
    summary = "Python `list.append(x)` on a Luau table instead of `table.insert(list, x)`."
    bad = "local names = {}\nnames.append('Ana')\n"
    good = (
        "local names = {}\ntable.insert(names, 'Ana')\n"
        "local Queue = {}\nfunction Queue.append(q, v)\n\ttable.insert(q, v)\nend\nQueue.append(names, 'Bo')\n"
    )

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        if ".append" not in ctx.source.text:
            return
        view = code_view(ctx)
        if "append" in view.defined_fields:
            return
        code = view.code
        for i in range(1, len(code) - 2):
            if not (
                code[i].is_op(".") and code[i + 1].is_name("append") and code[i + 2].is_op("(")
            ):
                continue
            # `Module.append(list, x)` is a library call; Python's form has one argument.
            if view.argument_count(i + 2) != 1:
                continue
            receiver = code[i - 1]
            target = receiver.text if receiver.kind is TokenKind.NAME else "list"
            yield self.at(
                ctx,
                (receiver.line, receiver.column),
                f"`{target}.append(x)` is Python; Luau appends with `table.insert({target}, x)`",
                fix=f"table.insert({target}, x)",
            )


class PythonBlockColonRule(Rule):
    id = "syntax/python-block-colon"
    scorer = "syntax"
    severity = Severity.ERROR
    summary = "A Python block header ending in `:` (`if x:`, `for ...:`) instead of `then`/`do` ... `end`."
    bad = "if health <= 0:\n\tprint('dead')\n"
    good = (
        "if health <= 0 then\n\tprint('dead')\nend\nlocal part = workspace:FindFirstChild('Part')\n"
    )

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        if ctx.source.compiles:
            return
        view = code_view(ctx)
        for i in view.python_headers:
            tok = view.code[i]
            if tok.text == "def":
                continue  # python-def already says how a Luau function is written
            yield self.at(
                ctx,
                (tok.line, tok.column),
                f"`{tok.text} ...:` is a Python block header; Luau writes "
                + _LUAU_BLOCK.get(tok.text, "blocks that end with `end`"),
            )


_LUAU_BLOCK = {
    "if": "`if ... then ... end`",
    "elif": "`elseif ... then`",
    "else": "`else ... end`",
    "for": "`for ... do ... end`",
    "while": "`while ... do ... end`",
    "class": "classes as tables with a metatable",
}
