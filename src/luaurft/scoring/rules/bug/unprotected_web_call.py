"""bug/unprotected-web-call: a call to a web service that can fail, made outside pcall."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from luaurft.roblox.behaviour import WEB_CALLS
from luaurft.scoring.analysis.calls import calls
from luaurft.scoring.analysis.nodes import ancestors
from luaurft.scoring.analysis.protection import PROTECTING_FUNCTIONS, protection
from luaurft.scoring.analysis.scope import scope_analysis
from luaurft.scoring.rule import Finding, Rule, RuleContext, Severity

if TYPE_CHECKING:
    from tree_sitter import Node


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
            if guard.is_protected(call.node):
                continue
            if scopes.partial and (
                scopes.in_error_region(call.node)
                or any(a.type == "ERROR" for a in ancestors(call.node))
            ):
                # Unparsed code around the call may be the pcall that protects it.
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
