"""bug/connect-call-result: `signal:Connect(onTouched())` calls the handler instead of passing it.

`Connect` needs a function. With the parentheses, the handler runs once, right
now, with no arguments, and what it returns (usually nothing) is passed on:
Roblox then errors ("Attempt to connect failed: Passed value is not a
function"). Only calls of a local function of this script that never returns
a function are reported, so handler factories (`Connect(makeHandler(door))`)
stay legal.
"""

from __future__ import annotations

from collections.abc import Iterator

from luaurft.scoring.analysis.calls import calls
from luaurft.scoring.analysis.handlers import CONNECT_METHODS
from luaurft.scoring.analysis.nodes import FUNCTION_NODES, unparenthesize
from luaurft.scoring.analysis.scope import FunctionInfo, scope_analysis
from luaurft.scoring.rule import Finding, Rule, RuleContext, Severity


def _returns_function(info: FunctionInfo) -> bool:
    """Whether any `return` of the function itself (not of a nested one) gives a function
    or anything that might be one (a call, a name)."""
    body = info.body
    if body is None:
        return False
    stack = list(body.children)
    while stack:
        node = stack.pop()
        if node.type in FUNCTION_NODES:
            continue
        if node.type == "return_statement":
            values = next((c for c in node.named_children if c.type == "expression_list"), None)
            for value in values.named_children if values is not None else ():
                if unparenthesize(value).type not in (
                    "number",
                    "string",
                    "true",
                    "false",
                    "nil",
                    "table_constructor",
                    "binary_expression",
                ):
                    return True
        stack.extend(node.children)
    return False


class ConnectCallResultRule(Rule):
    id = "bug/connect-call-result"
    scorer = "bug"
    severity = Severity.ERROR
    summary = (
        "`signal:Connect(handler())` calls the handler once, now, and connects what it returns "
        "(nothing): Connect errors; pass the function itself."
    )
    bad = (
        "local part = script.Parent\n"
        "local function onTouched(hit)\n\tprint(hit.Name)\nend\n"
        "part.Touched:Connect(onTouched())\n"
    )
    good = (
        "local part = script.Parent\n"
        "local function onTouched(hit)\n\tprint(hit.Name)\nend\n"
        "part.Touched:Connect(onTouched)\n"
    )

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        source = ctx.source
        if "Connect" not in source.text:
            return
        scopes = scope_analysis(ctx)
        for call in calls(ctx).all:
            if call.method not in CONNECT_METHODS or len(call.args) != 1:
                continue
            arg = unparenthesize(call.args[0])
            if arg.type != "function_call":
                continue
            callee = arg.children[0] if arg.children else None
            if callee is None or callee.type != "identifier":
                continue
            decl = scopes.declaration(callee)
            value = decl.value if decl is not None else None
            if value is None or value.type not in FUNCTION_NODES:
                continue
            info = scopes.function_info(value)
            if info is None or _returns_function(info):
                continue
            name = source.node_text(callee)
            yield self.at(
                ctx,
                arg,
                f"`{source.node_text(arg)}` runs `{name}` now and connects what it returns "
                "(nothing), so Connect errors",
                f"pass the function itself: `:Connect({name})`",
            )
