"""Completeness: code that says it is unfinished (TODO, placeholders, elided code) or is empty."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from luaurft.scoring import prose, shape
from luaurft.scoring.rule import Finding, Rule, RuleContext, Severity

if TYPE_CHECKING:
    import tree_sitter

    from luaurft.luau.source import LuauSource


def _texts(ctx: RuleContext) -> Iterator[tuple[tree_sitter.Node, str]]:
    """Comment texts and string contents, with the node each sits in."""
    for fact in shape.comment_facts(ctx):
        yield fact.node, fact.text
    yield from shape.string_texts(ctx)


class TodoMarkerRule(Rule):
    id = "quality/todo-marker"
    scorer = "quality"
    severity = Severity.WARNING
    summary = "A TODO/FIXME/XXX marker: the author says this code is not finished."
    bad = "local function save(player)\n\t-- TODO: save the player's data\n\tprint(player.Name)\nend\n"
    good = "local function save(player)\n\t-- Saving happens on leave so a crash loses one session at most.\n\tprint(player.Name)\nend\n"
    cost = 0.08

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        for node, text in _texts(ctx):
            if prose.is_todo(text):
                yield self.at(
                    ctx, node, "unfinished-work marker", "finish the work or remove the marker"
                )


class PlaceholderRule(Rule):
    id = "quality/placeholder"
    scorer = "quality"
    severity = Severity.ERROR
    summary = (
        "Placeholder text ('your code here', 'implement this', 'not implemented') instead of code."
    )
    bad = "local function onTouched(hit)\n\t-- your code here\n\tprint(hit)\nend\n"
    good = "local function onTouched(hit)\n\t-- Parts without a humanoid are ignored below.\n\tprint(hit)\nend\n"
    cost = 0.2

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        for node, text in _texts(ctx):
            if prose.is_placeholder(text):
                yield self.at(
                    ctx, node, "placeholder instead of an implementation", "write the missing code"
                )


_LONE_ELLIPSIS = re.compile(r"^\s*(?:\.\.\.|…)\s*(?:--.*)?$")


class ElidedCodeRule(Rule):
    id = "quality/elided-code"
    scorer = "quality"
    severity = Severity.ERROR
    summary = (
        "Code left out: '...' inside a function that takes no varargs, or a comment such as "
        "'-- rest of code'."
    )
    bad = "local function setup()\n\tlocal parts = {}\n\t-- ... existing code ...\n\treturn parts\nend\n"
    good = "local function log(...)\n\tprint('[game]', ...)\nend\nlog('ready')\n"
    cost = 0.25

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        source = ctx.source
        flagged: set[int] = set()
        # Code the compiler accepts uses `...` only where it is legal; a tree
        # with errors would misplace the functions that declare it.
        trust_tree = not (source.compiles and source.tree_has_errors)
        for vararg in source.nodes("vararg_expression") if trust_tree else []:
            parent = vararg.parent
            if parent is not None and parent.type == "parameter":
                continue
            info = shape.innermost_function(ctx, vararg)
            # The main chunk is a vararg function: `local args = ...` at the top
            # level is legal Luau (a chunk run with arguments), not elided code.
            if info is not None and not info.has_vararg:
                flagged.add(vararg.start_point[0] + 1)
                yield self.at(
                    ctx,
                    vararg,
                    "'...' in a function without varargs stands for missing code",
                    "write the code it stands for",
                )
        # A line holding only `...` is a statement the compiler rejects, unless
        # it continues a call or table inside a vararg function.
        lone_lines = [] if source.compiles else list(enumerate(source.lines, start=1))
        for number, text in lone_lines:
            if number not in flagged and _LONE_ELLIPSIS.match(text):
                flagged.add(number)
                yield self.at(
                    ctx,
                    (number, len(text) - len(text.lstrip()) + 1),
                    "'...' stands for missing code",
                    "write the code it stands for",
                )
        for fact in shape.comment_facts(ctx):
            if fact.line not in flagged and prose.is_elision(fact.text):
                yield self.at(
                    ctx,
                    fact.node,
                    "comment stands in for code that was left out",
                    "write the code it stands for",
                )


# A no-op is legitimate when its name says so. A comment cannot excuse an empty
# body: "-- intentionally empty" on every stub would otherwise game the rule.
_NO_OP_NAME = re.compile(
    r"(?:^|[._:])(?:no_?op|do_?nothing|nothing|ignore|discard)$", re.IGNORECASE
)
# ...or when what it belongs to says so: every method of a `NoopRenderer` or a
# `NullLogger` is meant to do nothing.
_NO_OP_OWNER = re.compile(r"(?:^|[._:])(?:no_?op|null|dummy)[A-Z_a-z]*[.:]", re.IGNORECASE)
# A stand-in connection (`return { Disconnect = function() end }`) is an idiom:
# there is nothing to disconnect.
_NO_OP_FIELDS = frozenset({"Disconnect", "disconnect"})


def _named_no_op(source: LuauSource, fn: shape.FunctionInfo) -> bool:
    if fn.name:
        return bool(_NO_OP_NAME.search(fn.name) or _NO_OP_OWNER.search(fn.name))
    parent = fn.node.parent
    if parent is None or parent.type != "field":
        return False
    key = parent.child_by_field_name("name")
    return key is not None and source.node_text(key) in _NO_OP_FIELDS


class EmptyFunctionRule(Rule):
    id = "quality/empty-function"
    scorer = "quality"
    severity = Severity.WARNING
    summary = "A function with an empty body (a stub), unless its name says it is a no-op (`noop`)."
    bad = "local Shop = {}\nfunction Shop.buy(player, item)\nend\nreturn Shop\n"
    good = "local Shop = {}\nfunction Shop.buy(player, item)\n\treturn item.Price <= player.Coins\nend\nreturn Shop\n"

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        source = ctx.source
        if source.compiles and source.tree_has_errors:
            return  # partial analysis: a misparsed body may look empty
        for fn in shape.functions(ctx):
            if not shape.is_empty_body(fn) or _named_no_op(source, fn):
                continue
            yield self.at(
                ctx,
                fn.node,
                f"{fn.label} has an empty body",
                "implement it, or remove it if nothing needs it",
            )


class TruncatedCodeRule(Rule):
    id = "quality/truncated-code"
    scorer = "quality"
    severity = Severity.ERROR
    summary = "The code stops mid-statement: the compiler reaches the end of the text inside an unfinished construct."
    bad = "local Players = game:GetService('Players')\nPlayers.PlayerAdded:Connect(function(player)\n\tprint(player.Name ..\n"
    good = "local Players = game:GetService('Players')\nPlayers.PlayerAdded:Connect(function(player)\n\tprint(player.Name .. ' joined')\nend)\n"
    cost = 0.3

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        source = ctx.source
        result = source.compiled
        if result.ok or result.error is None or source.is_blank:
            return
        last = max(i for i, text in enumerate(source.lines, start=1) if text.strip())
        message = result.error.message
        at_end = "<eof>" in message or (
            message.startswith("Malformed") and result.error.line >= last
        )
        if at_end:
            yield self.at(
                ctx,
                last,
                f"the code ends mid-statement ({message})",
                "finish the last statement and close every block",
            )
