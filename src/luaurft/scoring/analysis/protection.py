"""Whether code runs under pcall: the error-protection analysis behind the web-call rule.

Code is protected when the function that holds it is run by `pcall`/`xpcall`
(passed as the called function), by a Promise, by a helper whose name says it
retries or protects (`retry`, `safeCall`, ...), or by a local helper that hands
its parameter to pcall; or when that function is only ever called from code that
is itself protected. A call written inside pcall's argument list
(`pcall(store:GetAsync(key))`) runs before pcall and is not protected.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from luaurft.scoring.analysis.calls import Call, CallIndex, calls
from luaurft.scoring.analysis.nodes import FUNCTION_NODES, ancestors, same
from luaurft.scoring.analysis.scope import FunctionInfo, ScopeAnalysis, scope_analysis

if TYPE_CHECKING:
    from tree_sitter import Node

    from luaurft.luau.source import LuauSource
    from luaurft.scoring.rule import RuleContext

PROTECTING_FUNCTIONS = frozenset({"pcall", "xpcall", "ypcall"})
# Promise libraries run their executors and handlers under pcall. A value these
# are called on is a Promise.
PROMISE_METHODS = frozenset(
    {"andThen", "catch", "finally", "andThenCall", "tap", "expect", "await", "awaitStatus"}
)
_PROTECTING_HELPER = re.compile(r"retry|retries|pcall|safe|protect|attempt|guard", re.IGNORECASE)


class Protection:
    def __init__(self, source: LuauSource, scopes: ScopeAnalysis, index: CallIndex) -> None:
        self.source = source
        self.scopes = scopes
        self.calls = index
        self._functions: dict[int, bool] = {}

    def is_protected(self, node: Node) -> bool:
        """True when `node` runs inside a function that only ever runs under pcall."""
        for parent in ancestors(node):
            if parent.type in FUNCTION_NODES:
                return self.function_protected(parent)
        return False

    def function_protected(self, function: Node) -> bool:
        key = function.id
        if key in self._functions:
            return self._functions[key]
        # A function reached again while deciding is not protected through itself.
        self._functions[key] = False
        result = self._decide(function)
        self._functions[key] = result
        return result

    def _decide(self, function: Node) -> bool:
        parent = function.parent
        if parent is not None and parent.type == "arguments":
            return self._passed_to_protector(function)
        info = self.scopes.function_info(function)
        if info is None:
            return False
        uses = self._uses(info)
        return bool(uses) and all(self._protected_use(use) for use in uses)

    def _passed_to_protector(self, value: Node) -> bool:
        args = value.parent
        if args is None or args.parent is None:
            return False
        call = self.calls.of(args.parent)
        if call is None:
            return False
        position = next((i for i, a in enumerate(call.args) if same(a, value)), -1)
        return position >= 0 and self._protecting_argument(call, position)

    def _protecting_argument(self, call: Call, position: int) -> bool:
        function = call.function
        if function in PROTECTING_FUNCTIONS:
            return position == 0
        if function is not None and function.split(".", 1)[0] == "Promise":
            return True
        if call.method in PROMISE_METHODS:
            return True
        name = call.name
        if name is not None and _PROTECTING_HELPER.search(name):
            return True
        if function is not None and "." not in function:
            return self._helper_pcalls_parameter(call, position)
        return False

    def _helper_pcalls_parameter(self, call: Call, position: int) -> bool:
        # `local function withRetry(fn) ... pcall(fn) ... end`: its `fn` argument is protected.
        decl = self.scopes.declaration(call.callee)
        if decl is None or decl.value is None or decl.value.type not in FUNCTION_NODES:
            return False
        info = self.scopes.function_info(decl.value)
        if info is None or position >= len(info.parameters):
            return False
        for ref in info.parameters[position].reads:
            parent = ref.node.parent
            if parent is None or parent.type != "arguments" or parent.parent is None:
                continue
            outer = self.calls.of(parent.parent)
            if (
                outer is not None
                and outer.function in PROTECTING_FUNCTIONS
                and same(outer.args[0], ref.node)
            ):
                return True
        return False

    def _uses(self, info: FunctionInfo) -> list[Node]:
        """Where the function is referred to (called or passed), besides its own body."""
        if info.declaration is not None:
            return [r.node for r in info.declaration.reads if not info.contains(r.node)]
        if info.name is None or ("." not in info.name and ":" not in info.name):
            return []
        # `function M.f()` / `function M:f()`: calls of `.f` / `:f` and references to `M.f`.
        tail = re.split(r"[.:]", info.name)[-1]
        dotted = info.name.replace(":", ".")
        uses: list[Node] = []
        for call in self.calls.all:
            if info.contains(call.node) or call.name != tail:
                continue
            if call.method is not None or (call.function or "").endswith("." + tail):
                uses.append(call.callee)
        for node in self.source.nodes("dot_index_expression"):
            parent = node.parent
            if (
                parent is not None
                and parent.type == "arguments"
                and self.source.node_text(node) == dotted
            ):
                uses.append(node)
        return uses

    def _protected_use(self, use: Node) -> bool:
        parent = use.parent
        if parent is None:
            return False
        if parent.type == "arguments":
            return self._passed_to_protector(use)
        if parent.type == "function_call" and same(parent.child_by_field_name("name"), use):
            return self.is_protected(parent)
        return False


def protection(ctx: RuleContext) -> Protection:
    """The protection analysis of the context's source, shared between rules."""
    result: Protection = ctx.memo(
        "protection", lambda: Protection(ctx.source, scope_analysis(ctx), calls(ctx))
    )
    return result
