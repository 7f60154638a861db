"""syntax/python-append: `list.append(x)` instead of `table.insert(list, x)`.

It compiles (an undefined global, or a field), so it is checked against the
names the code defines itself.
"""

from __future__ import annotations

from collections.abc import Iterator

from luaurft.luau.lexer import TokenKind
from luaurft.scoring.lexical import NAME_END, code_view, may_hold, token_run
from luaurft.scoring.rule import Finding, Rule, RuleContext, Severity

# `. append (`: the tokens the rule looks at, in a row.
_DOT_APPEND_CALL = token_run(r"\.", "append" + NAME_END, r"\(")


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
        if ".append" not in ctx.source.text or not may_hold(ctx, _DOT_APPEND_CALL):
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
