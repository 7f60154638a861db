"""bug/infinite-recursion: a function that calls itself on every path, before any exit.

`local function countdown(n) print(n) countdown(n - 1) end` never stops: each
call makes the next one, until Luau raises "stack overflow". A recursive call
is unconditional when it sits in a statement at the top of the function's own
body (not inside an `if`, a loop, a closure or the right side of `and`/`or`)
and no statement before it can leave the function (a `return`, a `break`, an
`error(...)`, anywhere inside it).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from luaurft.scoring.analysis.calls import callee_name
from luaurft.scoring.analysis.functions import FunctionInfo, functions
from luaurft.scoring.analysis.statements import block_statements
from luaurft.scoring.rule import Finding, Rule, RuleContext, Severity

if TYPE_CHECKING:
    import tree_sitter

    from luaurft.luau.source import LuauSource

# Where a call only may run: skipped when looking for the unconditional call.
_CONDITIONAL = frozenset(
    {
        "if_statement",
        "while_statement",
        "for_statement",
        "repeat_statement",
        "if_expression",
        "function_definition",
        "function_declaration",
    }
)
_LEAVING = frozenset({"return_statement", "break_statement", "continue_statement"})


class InfiniteRecursionRule(Rule):
    id = "bug/infinite-recursion"
    scorer = "bug"
    severity = Severity.ERROR
    summary = (
        "A function calls itself before anything can stop it (no base case): every call "
        "recurses until Luau raises a stack overflow."
    )
    bad = "local function countdown(n)\n\tprint(n)\n\tcountdown(n - 1)\nend\ncountdown(10)\n"
    good = (
        "local function countdown(n)\n\tif n <= 0 then\n\t\treturn\n\tend\n\tprint(n)\n"
        "\tcountdown(n - 1)\nend\ncountdown(10)\n"
    )

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        source = ctx.source
        data = source.bytes
        # Only a function whose body calls its own name can call itself: one look at
        # the calls spares walking the bodies of all the others.
        calls_at: dict[str, list[int]] | None = None
        for fn in functions(ctx):
            names = _self_names(fn)
            body = fn.body
            if not names or body is None:
                continue
            start, end = body.start_byte, body.end_byte
            # A call's name is spelt inside the body: most bodies never spell their
            # function's name, and a search of the bytes says so without the calls.
            # (A name decoded with a replacement character is not in the bytes.)
            if not any(
                "\ufffd" in name or data.find(name.encode(), start, end) >= 0 for name in names
            ):
                continue
            if calls_at is None:
                calls_at = {}
                for node in source.nodes("function_call"):
                    calls_at.setdefault(callee_name(source, node), []).append(node.start_byte)
            if not any(start <= at < end for name in names for at in calls_at.get(name, ())):
                continue
            for stmt in block_statements(fn.body):
                call = _unconditional_call(source, stmt, names)
                if call is not None:
                    yield self.at(
                        ctx,
                        call,
                        f"`{fn.name}` calls itself before anything can stop it: every call "
                        "recurses until the stack overflows",
                        "add a base case that returns before the recursive call",
                    )
                    break
                if _may_leave(source, stmt):
                    break


def _self_names(fn: FunctionInfo) -> frozenset[str]:
    """The callee spellings that call `fn` itself."""
    name = fn.name
    if not name or fn.node.type != "function_declaration":
        # `local g = function() g() end` calls the global `g`, not itself.
        return frozenset()
    if ":" in name:
        owner, _, method = name.rpartition(":")
        return frozenset({name, f"self:{method}", f"{owner}.{method}"})
    return frozenset({name})


def _unconditional_call(
    source: LuauSource, stmt: tree_sitter.Node, names: frozenset[str]
) -> tree_sitter.Node | None:
    stack = [stmt]
    while stack:
        node = stack.pop()
        if node.type in _CONDITIONAL:
            continue
        if node.type == "function_call" and callee_name(source, node) in names:
            return node
        if node.type == "binary_expression":
            # `a and f()`, `a or f()`: the right side may never run.
            operator = next((c.type for c in node.children if not c.is_named), "")
            if operator in ("and", "or"):
                left = node.child_by_field_name("left")
                if left is not None:
                    stack.append(left)
                continue
        stack.extend(reversed(node.named_children))
    return None


def _may_leave(source: LuauSource, stmt: tree_sitter.Node) -> bool:
    """Some path through `stmt` returns, breaks, continues or raises (closures aside)."""
    stack = [stmt]
    while stack:
        node = stack.pop()
        if node.type in ("function_definition", "function_declaration"):
            continue
        if node.type in _LEAVING:
            return True
        if node.type == "function_call" and callee_name(source, node) == "error":
            return True
        stack.extend(node.named_children)
    return False
