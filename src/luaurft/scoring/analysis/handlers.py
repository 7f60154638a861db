"""Event handlers: functions connected to signals, found through calls and scopes."""

from __future__ import annotations

from typing import TYPE_CHECKING

from luaurft.scoring.analysis.calls import Call, CallIndex
from luaurft.scoring.analysis.nodes import FUNCTION_NODES, same, unparenthesize
from luaurft.scoring.analysis.scope import FunctionInfo, Reference, ScopeAnalysis

if TYPE_CHECKING:
    from tree_sitter import Node

    from luaurft.luau.source import LuauSource

CONNECT_METHODS = frozenset({"Connect", "ConnectParallel"})
_WRAPPERS = frozenset({"parenthesized_expression", "cast_expression"})


def handler_function(scopes: ScopeAnalysis, call: Call) -> FunctionInfo | None:
    """The function passed as the first argument of `call`: a literal or a local function's name."""
    return function_given(scopes, call.args[0]) if call.args else None


def function_given(scopes: ScopeAnalysis, value: Node) -> FunctionInfo | None:
    """The function an expression gives (a handler passed, a callback assigned): a function
    literal, or the name of a local bound to one (`local function f`, `local f = function`)."""
    value = unparenthesize(value)
    if value.type in FUNCTION_NODES:
        return scopes.function_info(value)
    if value.type == "identifier":
        decl = scopes.declaration(value)
        if decl is not None and decl.value is not None and decl.value.type in FUNCTION_NODES:
            return scopes.function_info(decl.value)
    return None


def signal_field(source: LuauSource, call: Call) -> str | None:
    """For `obj.Event:Connect(...)`, the event's name (`Event`)."""
    signal = call.object
    if signal is None or signal.type != "dot_index_expression":
        return None
    field = signal.child_by_field_name("field")
    return source.node_text(field) if field is not None else None


def _connected_to(source: LuauSource, index: CallIndex, function: Node) -> str | None:
    value = function
    args = value.parent
    while args is not None and args.type in _WRAPPERS:
        value = args
        args = value.parent
    if args is None or args.type != "arguments" or args.parent is None:
        return None
    call = index.of(args.parent)
    if call is None or call.method not in CONNECT_METHODS or not call.args:
        return None
    if not same(unparenthesize(call.args[0]), unparenthesize(value)) or call.object is None:
        return None
    return source.node_text(call.object)


def handler_signal(
    source: LuauSource, scopes: ScopeAnalysis, index: CallIndex, info: FunctionInfo
) -> str | None:
    """The signal `info` is connected to with `:Connect` (`X.Event`), directly or by its local name."""
    signal = _connected_to(source, index, info.node)
    if signal is not None:
        return signal
    if info.declaration is None:
        return None
    for ref in info.declaration.reads:
        signal = _connected_to(source, index, ref.node)
        if signal is not None:
            return signal
    return None


def function_uses(scopes: ScopeAnalysis, info: FunctionInfo) -> list[Reference] | None:
    """Where the function `info` is named: its local's reads, or for a plain global
    `function f()` the reads of `f`; None when it is anonymous or a field (`M.f`),
    whose uses cannot be listed."""
    if info.declaration is not None:
        return info.declaration.reads
    name = info.name
    if name is None or not name.isidentifier():
        return None
    # The declaration is the global's one write; another write makes the name hold
    # something else at times.
    for write in scopes.global_writes.get(name, []):
        if write.value is None or not same(write.value, info.node):
            return None
    return scopes.global_reads.get(name, [])


def connected_signal(source: LuauSource, index: CallIndex, use: Node) -> str | None:
    """For a function (a literal or a name) passed to `X.Event:Connect`, the signal `X.Event`."""
    return _connected_to(source, index, use)
