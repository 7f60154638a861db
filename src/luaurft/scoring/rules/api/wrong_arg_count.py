"""api/wrong-arg-count: a standard-library function, global function or datatype
constructor called with a number of arguments it is not meant to get."""

from __future__ import annotations

from collections.abc import Iterator

from luaurft.scoring.rule import Finding, Rule, RuleContext, Severity
from luaurft.scoring.rules.api._library import global_calls, index_for


class WrongArgCountRule(Rule):
    id = "api/wrong-arg-count"
    scorer = "api"
    severity = Severity.WARNING
    summary = (
        "A built-in function or constructor gets a number of arguments it does not take "
        "(`math.floor(x, 2)`, `string.sub(s)`, `Vector3.new(1, 2, 3, 4)`): extra ones are "
        "silently dropped, missing ones raise."
    )
    bad = 'local price = math.floor(12.345, 2)\nprint(string.sub("hello"), price)\n'
    good = 'local price = math.floor(12.345 * 100) / 100\nprint(string.sub("hello", 2), price)\n'

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        index = index_for(ctx)
        for found in global_calls(ctx):
            arity = index.signature(found.name)
            if arity is None:
                continue
            count = len(found.args)
            if found.open_ended:
                # The last argument passes any number of values: a call at least one
                # (in practice), `...` possibly none.
                least = count - (found.args[-1].type == "vararg_expression")
                if arity.at_least(least):
                    continue
                count = least
            elif arity.accepts(count):
                continue
            yield self.at(
                ctx,
                found.call.node,
                f"{found.name} expects {arity.describe()} argument"
                f"{'' if arity.describe() == '1' else 's'}, not {count}",
                f"call {found.name} with {arity.describe()} argument"
                f"{'' if arity.describe() == '1' else 's'}",
            )
