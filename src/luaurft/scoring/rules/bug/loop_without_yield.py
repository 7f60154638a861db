"""bug/loop-without-yield: `while true do` / `repeat ... until false` with a path that never yields.

Such a loop spins without giving the engine a frame: Roblox kills the script
("Script timeout: exhausted allowed execution time") after freezing the game.
The body is followed path by path: `if`/`elseif`/`else` branches, `continue`,
`break`, `return` and `error` (which end the risk), nested loops and `do` blocks.
A yield is `task.wait`/`wait`/`coroutine.yield`, `:Wait()`, `:WaitForChild`,
`Invoke*` and any `*Async`/web call. A call whose behaviour is unknown (a module's
function, a method not in the known list) may yield and counts as one: the rule
only fires when it can see that a path never yields. Local functions are looked
into.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from luaurft.roblox.behaviour import (
    NON_YIELDING_FUNCTIONS,
    NON_YIELDING_LIBRARIES,
    NON_YIELDING_METHODS,
    YIELDING_FUNCTIONS,
    method_yields,
)
from luaurft.scoring.analysis.calls import Call, CallIndex, calls, root_identifier
from luaurft.scoring.analysis.nodes import FUNCTION_NODES, named_children, unparenthesize
from luaurft.scoring.analysis.protection import PROTECTING_FUNCTIONS
from luaurft.scoring.analysis.scope import ScopeAnalysis, scope_analysis
from luaurft.scoring.rule import Finding, Rule, RuleContext, Severity

if TYPE_CHECKING:
    from tree_sitter import Node

    from luaurft.luau.source import LuauSource

# How a path through a statement ends: falls through to the next statement, jumps
# back to the loop (`continue`), leaves the loop (`break`), or leaves the function or
# thread (`return`, `error`). Each with whether the path yielded on the way.
FALL, CONTINUE, BREAK, EXIT = "fall", "continue", "break", "exit"
Outcome = tuple[str, bool]

_NON_RETURNING = frozenset({"error"})


class _YieldFlow:
    def __init__(self, source: LuauSource, scopes: ScopeAnalysis, index: CallIndex) -> None:
        self.source = source
        self.scopes = scopes
        self.calls = index
        self._function_memo: dict[int, bool] = {}
        self._functions_by_tail: dict[str, list[Node]] | None = None

    # -- paths ----------------------------------------------------------------

    def block(self, block: Node | None) -> set[Outcome]:
        live: set[bool] = {False}
        done: set[Outcome] = set()
        for statement in named_children(block):
            new_live: set[bool] = set()
            outcomes = self.statement(statement)
            for before in live:
                for kind, yielded in outcomes:
                    if kind == FALL:
                        new_live.add(before or yielded)
                    else:
                        done.add((kind, before or yielded))
            live = new_live
            if not live:
                break
        return done | {(FALL, y) for y in live}

    def statement(self, node: Node) -> set[Outcome]:
        kind = node.type
        if kind == "return_statement":
            return {(EXIT, True)}
        if kind == "break_statement":
            return {(BREAK, False)}
        if kind == "continue_statement":
            return {(CONTINUE, False)}
        if kind == "if_statement":
            return self._if(node)
        if kind == "do_statement":
            return self.block(node.child_by_field_name("body"))
        if kind in ("while_statement", "for_statement", "repeat_statement"):
            return self._inner_loop(node)
        if kind == "function_declaration":
            return {(FALL, False)}
        if kind == "function_call":
            call = self.calls.of(node)
            if call is not None and call.function in _NON_RETURNING:
                return {(EXIT, True)}
        return {(FALL, self.may_yield(node))}

    def _if(self, node: Node) -> set[Outcome]:
        outcomes: set[Outcome] = set()
        condition_yields = self.may_yield(node.child_by_field_name("condition"))
        has_else = False
        for child in node.children:
            if child.type == "block":
                branch = self.block(child)
            elif child.type == "elseif_statement":
                cond = self.may_yield(child.child_by_field_name("condition"))
                branch = {
                    (k, y or cond) for k, y in self.block(child.child_by_field_name("consequence"))
                }
            elif child.type == "else_statement":
                has_else = True
                branch = self.block(child.child_by_field_name("body"))
            else:
                continue
            outcomes |= {(k, y or condition_yields) for k, y in branch}
        if not has_else:
            outcomes.add((FALL, condition_yields))
        return outcomes

    def _inner_loop(self, node: Node) -> set[Outcome]:
        header_yields = False
        if node.type == "while_statement":
            header_yields = self.may_yield(node.child_by_field_name("condition"))
        elif node.type == "for_statement":
            header_yields = self.may_yield(node.child_by_field_name("clause"))
        body = self.block(node.child_by_field_name("body"))
        outcomes: set[Outcome] = set()
        repeating_paths_yield = all(y for k, y in body if k in (FALL, CONTINUE))
        for kind, yielded in body:
            if kind == BREAK:
                outcomes.add((FALL, yielded or header_yields))
            elif kind == EXIT:
                outcomes.add((EXIT, True))
            elif node.type == "repeat_statement":
                outcomes.add(
                    (FALL, yielded or self.may_yield(node.child_by_field_name("condition")))
                )
        if node.type != "repeat_statement" and not _is_literal(self.source, node, "true"):
            # The loop may run zero times. When every iteration yields, take the
            # common case (it runs) rather than guess an empty collection.
            outcomes.add((FALL, header_yields or repeating_paths_yield))
        return outcomes

    # -- calls ----------------------------------------------------------------

    def may_yield(self, node: Node | None) -> bool:
        """True when evaluating `node` yields, or calls something that might."""
        if node is None:
            return False
        stack = [node]
        while stack:
            current = stack.pop()
            if current.type in FUNCTION_NODES:
                continue
            if current.type == "function_call":
                call = self.calls.of(current)
                if call is not None and self._call_may_yield(call):
                    return True
            stack.extend(current.children)
        return False

    def _call_may_yield(self, call: Call) -> bool:
        if call.method is not None:
            name = call.method
            if method_yields(name):
                return True
            if name in NON_YIELDING_METHODS:
                return False
            return self._named_functions_may_yield(name, default=True)
        function = call.function
        if function is None:
            return True
        if function in YIELDING_FUNCTIONS:
            return True
        if function in PROTECTING_FUNCTIONS:
            return self._value_may_yield(call.args[0]) if call.args else False
        if function in NON_YIELDING_FUNCTIONS or function in _NON_RETURNING:
            return False
        root = function.split(".", 1)[0]
        if root in NON_YIELDING_LIBRARIES and "." in function:
            return False
        if "." not in function:
            decl = self.scopes.declaration(call.callee)
            if decl is not None:
                if decl.value is not None and decl.value.type in FUNCTION_NODES and not decl.writes:
                    return self._function_may_yield(decl.value)
                return True
        return self._named_functions_may_yield(function.rsplit(".", 1)[-1], default=True)

    def _value_may_yield(self, value: Node) -> bool:
        value = unparenthesize(value)
        if value.type in FUNCTION_NODES:
            return self._function_may_yield(value)
        text = self.source.node_text(value)
        tail = text.replace(":", ".").rsplit(".", 1)[-1]
        if method_yields(tail) or text in YIELDING_FUNCTIONS:
            return True
        if value.type == "identifier":
            decl = self.scopes.declaration(value)
            if decl is not None and decl.value is not None and decl.value.type in FUNCTION_NODES:
                return self._function_may_yield(decl.value)
        return True

    def _named_functions_may_yield(self, tail: str, *, default: bool) -> bool:
        """Functions declared in this file under this name (`function M:tail()`, `M.tail = function`)."""
        if self._functions_by_tail is None:
            self._functions_by_tail = {}
            for info in self.scopes.functions:
                name = info.name
                if name is None and info.node.parent is not None:
                    name = _assigned_name(self.source, info.node)
                if name:
                    key = name.replace(":", ".").rsplit(".", 1)[-1]
                    self._functions_by_tail.setdefault(key, []).append(info.node)
        found = self._functions_by_tail.get(tail)
        if not found:
            return default
        return any(self._function_may_yield(f) for f in found)

    def _function_may_yield(self, function: Node) -> bool:
        key = function.id
        if key in self._function_memo:
            return self._function_memo[key]
        self._function_memo[key] = False
        body = function.child_by_field_name("body")
        result = any(self.may_yield(s) for s in named_children(body))
        self._function_memo[key] = result
        return result


def _assigned_name(source: LuauSource, function: Node) -> str | None:
    # `M.step = function() ... end` and `{ step = function() ... end }`.
    parent = function.parent
    if parent is None:
        return None
    if parent.type == "field":
        key = parent.child_by_field_name("name")
        return source.node_text(key) if key is not None and key.type == "identifier" else None
    if parent.type == "expression_list" and parent.parent is not None:
        statement = parent.parent
        values = named_children(parent)
        targets = []
        for child in statement.children:
            if child.type == "variable_list":
                targets = named_children(child)
        for value, target in zip(values, targets, strict=False):
            if value.id == function.id:
                return source.node_text(target)
    return None


def _is_literal(source: LuauSource, loop: Node, word: str) -> bool:
    condition = loop.child_by_field_name("condition")
    return condition is not None and unparenthesize(condition).type == word


class LoopWithoutYieldRule(Rule):
    id = "bug/loop-without-yield"
    scorer = "bug"
    severity = Severity.ERROR
    summary = (
        "An endless loop (`while true do`, `repeat ... until false`) must yield on every "
        "path through its body, or it freezes the game until the script is killed."
    )
    bad = (
        "local part = workspace.Spinner\n"
        "while true do\n"
        "\tpart.CFrame *= CFrame.Angles(0, 0.05, 0)\n"
        "end\n"
    )
    good = (
        "local part = workspace.Spinner\n"
        "while true do\n"
        "\tpart.CFrame *= CFrame.Angles(0, 0.05, 0)\n"
        "\ttask.wait()\n"
        "end\n"
    )

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        scopes = scope_analysis(ctx)
        flow = _YieldFlow(ctx.source, scopes, calls(ctx))
        for loop in scopes.loops:
            node = loop.node
            if node.type == "while_statement":
                if not _is_literal(ctx.source, node, "true"):
                    continue
            elif node.type == "repeat_statement":
                if not (
                    _is_literal(ctx.source, node, "false") or _is_literal(ctx.source, node, "nil")
                ):
                    continue
            else:
                continue
            if scopes.in_error_region(node):
                continue
            body = node.child_by_field_name("body")
            outcomes = flow.block(body)
            if any(kind in (BREAK, EXIT) for kind, _ in outcomes):
                # A loop-and-a-half: it ends when its exit condition holds, which a
                # reading of the code cannot decide.
                continue
            repeating = [y for _, y in outcomes]
            if all(repeating):
                continue
            head = "while true" if node.type == "while_statement" else "repeat ... until false"
            if not any(repeating):
                yield self.at(
                    ctx,
                    node,
                    f"`{head}` loop never yields: it spins until Roblox kills the script",
                    "add task.wait() (or wait on an event) inside the loop",
                )
            elif not _branches_on_changed_state(ctx.source, body, flow.calls):
                yield self.at(
                    ctx,
                    node,
                    f"`{head}` loop has a path through its body that never yields "
                    "(a branch or `continue` skips the wait)",
                    "make every path through the loop reach a task.wait() or an event :Wait()",
                    severity=Severity.WARNING,
                )


_MUTATING_TABLE_FUNCTIONS = frozenset({"table.remove", "table.insert", "table.clear", "table.move"})


def _branches_on_changed_state(source: LuauSource, body: Node | None, index: CallIndex) -> bool:
    """True when a branch condition reads a name the loop body itself changes.

    Without a yield no other code runs, so a path that skips the wait repeats
    forever unless the loop changes what its conditions test (a queue it drains,
    a counter it moves). Then the path ends on its own and the rule stays silent.
    """
    if body is None:
        return False
    tested: set[str] = set()
    changed: set[str] = set()
    stack = [body]
    while stack:
        node = stack.pop()
        kind = node.type
        if kind in FUNCTION_NODES:
            continue
        if kind in ("if_statement", "elseif_statement"):
            tested |= _names(source, node.child_by_field_name("condition"))
        elif kind in ("assignment_statement", "update_statement"):
            for child in node.children:
                if child.type == "variable_list":
                    for target in named_children(child):
                        root = root_identifier(target)
                        if root is not None:
                            changed.add(source.node_text(root))
        elif kind == "function_call":
            call = index.of(node)
            if call is not None and call.function in _MUTATING_TABLE_FUNCTIONS and call.args:
                root = root_identifier(call.args[0])
                if root is not None:
                    changed.add(source.node_text(root))
        stack.extend(node.children)
    return bool(tested & changed)


def _names(source: LuauSource, node: Node | None) -> set[str]:
    found: set[str] = set()
    stack = [node] if node is not None else []
    while stack:
        current = stack.pop()
        if current.type == "identifier":
            found.add(source.node_text(current))
        stack.extend(current.children)
    return found
