"""bug/unprotected-web-call: a call to a web service that can fail, made outside pcall.

A method is taken for a web call by its name (`GetAsync`, `SetAsync`, ...). An
object the code made with a constructor of a module it requires (`local store =
DataStoreMock.new()`) is that module's, with that module's methods, and so is a
method the code defines itself called on `self`: neither is reported. Nor is a
call whose result the code treats as a Promise (`store:GetAsync(key):andThen(...)`):
Roblox's web calls return values, so that is a library's wrapper, whose failure
rejects the promise.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from luaurft.luau.source import field_id
from luaurft.roblox.behaviour import WEB_CALLS
from luaurft.scoring.analysis.calls import calls
from luaurft.scoring.analysis.functions import functions
from luaurft.scoring.analysis.nodes import ancestors
from luaurft.scoring.analysis.protection import PROMISE_METHODS, PROTECTING_FUNCTIONS, protection
from luaurft.scoring.analysis.scope import Declaration, ScopeAnalysis, scope_analysis
from luaurft.scoring.rule import Finding, Rule, RuleContext, Severity

if TYPE_CHECKING:
    from tree_sitter import Node

_F_NAME = field_id("name")
_F_METHOD = field_id("method")


class UnprotectedWebCallRule(Rule):
    id = "bug/unprotected-web-call"
    scorer = "bug"
    severity = Severity.WARNING
    summary = (
        "DataStore, HTTP, Marketplace, Teleport, Badge and other web-service calls can "
        "fail at any time and must run under pcall."
    )
    bad = (
        'local store = game:GetService("DataStoreService"):GetDataStore("Coins")\n'
        "local function load(player)\n"
        "\treturn store:GetAsync(player.UserId)\n"
        "end\n"
    )
    good = (
        'local store = game:GetService("DataStoreService"):GetDataStore("Coins")\n'
        "local function load(player)\n"
        "\tlocal ok, coins = pcall(function()\n"
        "\t\treturn store:GetAsync(player.UserId)\n"
        "\tend)\n"
        "\treturn if ok then coins else nil\n"
        "end\n"
    )

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        guard = protection(ctx)
        scopes = scope_analysis(ctx)
        for call in calls(ctx).all:
            method = call.method
            if method is None or method not in WEB_CALLS or call.object is None:
                continue
            if guard.is_protected(call.node) or _returns_promise(ctx, call.node):
                continue
            if scopes.partial and (
                scopes.in_error_region(call.node)
                or any(a.type == "ERROR" for a in ancestors(call.node))
            ):
                # Unparsed code around the call may be the pcall that protects it.
                continue
            if _made_by_required_module(ctx, scopes, call.object) or (
                call.object.type == "identifier"
                and ctx.source.node_text(call.object) == "self"
                and method in _own_methods(ctx)
            ):
                continue
            target = ctx.source.node_text(call.object)
            service = _service_label(WEB_CALLS[method], target)
            if _inside_pcall_arguments(ctx, call.node):
                message = (
                    f"`{target}:{method}(...)` runs before pcall is entered, so its errors "
                    "are not caught"
                )
                fix = f"pass the method instead: pcall({target}.{method}, {target}, ...)"
            else:
                message = f"`{target}:{method}(...)` ({service}) can fail and is not inside pcall"
                fix = f"local ok, result = pcall({target}.{method}, {target}, ...); handle `not ok`"
            yield self.at(ctx, call.node, message, fix)


def _returns_promise(ctx: RuleContext, node: Node) -> bool:
    """The call's result has a Promise method called on it (`:andThen(...)`, `:await()`)."""
    parent = node.parent
    if parent is None or parent.type != "method_index_expression":
        return False
    method = parent.child_by_field_id(_F_METHOD)
    return method is not None and ctx.source.node_text(method) in PROMISE_METHODS


def _made_by_required_module(ctx: RuleContext, scopes: ScopeAnalysis, receiver: Node) -> bool:
    """`receiver` is a local made by a module the code requires (`local store =
    DataStoreMock.new()`, `Store.new(...)` where `local Store = require(...)`):
    its methods are that module's code, not Roblox's web calls, whatever their names."""
    if receiver.type != "identifier":
        return False
    declaration = _declaration(scopes, receiver)
    value = declaration.value if declaration is not None else None
    if value is None or value.type != "function_call":
        return False
    callee = value.child_by_field_id(_F_NAME)
    if callee is None or callee.type not in ("dot_index_expression", "method_index_expression"):
        return False
    owner = callee.named_child(0)
    if owner is None or owner.type != "identifier":
        return False
    module = _declaration(scopes, owner)
    made = module.value if module is not None else None
    return (
        made is not None
        and made.type == "function_call"
        and (ctx.source.node_text(made).startswith("require("))
    )


def _own_methods(ctx: RuleContext) -> frozenset[str]:
    """Method names the code defines itself (`function Store:GetAsync(...)`): on
    `self` they are the code's own methods."""

    def compute() -> frozenset[str]:
        names = (info.name for info in functions(ctx) if info.name is not None)
        return frozenset(re.split(r"[.:]", name)[-1] for name in names)

    found: frozenset[str] = ctx.memo("bug.own_method_names", compute)
    return found


def _declaration(scopes: ScopeAnalysis, identifier: Node) -> Declaration | None:
    """The local `identifier` reads, when it is one written only where it is declared."""
    reference = scopes.reference(identifier)
    declaration = reference.declaration if reference is not None else None
    if declaration is None or declaration.writes:
        return None
    return declaration


def _inside_pcall_arguments(ctx: RuleContext, node: Node) -> bool:
    parent = node.parent
    if parent is None or parent.type != "arguments" or parent.parent is None:
        return False
    outer = calls(ctx).of(parent.parent)
    return outer is not None and outer.function in PROTECTING_FUNCTIONS


def _service_label(owners: str, target: str) -> str:
    # Shared names (`GetAsync`) list several owners; the object's name usually tells which.
    choices = owners.split("/")
    lowered = target.lower()
    for owner in choices:
        if owner.lower().removesuffix("service") in lowered:
            return owner
    if "store" in lowered and "DataStore" in choices:
        return "DataStore"
    return owners
