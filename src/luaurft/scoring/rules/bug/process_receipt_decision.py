"""bug/process-receipt-decision: a ProcessReceipt callback that does not say the purchase is granted.

Roblox calls `MarketplaceService.ProcessReceipt` for each developer-product
purchase and reads its return value: only `Enum.ProductPurchaseDecision.
PurchaseGranted` settles the purchase. Anything else (nil included) leaves it
pending, and Roblox calls the callback again on the player's next join, so the
items are handed out again. Reported when the callback never returns
PurchaseGranted, or when it can run off its end (returning nil) after granting
something. A callback that returns another function's result decides there,
and is left alone.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from luaurft.scoring.analysis.handlers import function_given
from luaurft.scoring.analysis.nodes import (
    FUNCTION_NODES,
    field_writes,
    named_children,
    unparenthesize,
)
from luaurft.scoring.analysis.scope import scope_analysis
from luaurft.scoring.rule import Finding, Rule, RuleContext, Severity

if TYPE_CHECKING:
    from tree_sitter import Node

    from luaurft.luau.source import LuauSource

_CALLBACK = "ProcessReceipt"
_GRANTED = "PurchaseGranted"


def _always_returns(source: LuauSource, block: Node) -> bool:
    """Every path through `block` ends in a return (or an `error(...)`). A worklist, not
    recursion: hostile code may nest its branches thousands deep."""
    pending = [block]
    while pending:
        statements = [s for s in named_children(pending.pop()) if s.type != "comment"]
        if not statements:
            return False
        last = statements[-1]
        if last.type == "return_statement":
            continue
        if last.type == "function_call":
            callee = last.child_by_field_name("name")
            if callee is None or source.node_text(callee) != "error":
                return False
            continue
        if last.type == "do_statement":
            inner = next((c for c in last.named_children if c.type == "block"), None)
            if inner is None:
                return False
            pending.append(inner)
            continue
        if last.type != "if_statement":
            return False
        has_else = False
        for branch in last.named_children:
            if branch.type == "block":
                body: Node | None = branch
            elif branch.type in ("elseif_statement", "else_statement"):
                has_else = has_else or branch.type == "else_statement"
                body = next((c for c in branch.named_children if c.type == "block"), None)
            else:
                continue  # the condition
            if body is None:
                return False
            pending.append(body)
        if not has_else:
            return False
    return True


def _delegates(source: LuauSource, body: Node) -> bool:
    """The callback returns what another call returns (`return handle(receipt)`)."""
    for node in _returns_in(body):
        values = next((c for c in node.named_children if c.type == "expression_list"), None)
        first = (
            values.named_children[0] if values is not None and values.named_child_count else None
        )
        if first is not None and unparenthesize(first).type == "function_call":
            return True
    return False


def _returns_in(body: Node) -> Iterator[Node]:
    """The return statements of this function (not of functions inside it)."""
    stack = list(body.named_children)
    while stack:
        node = stack.pop()
        if node.type in FUNCTION_NODES:
            continue
        if node.type == "return_statement":
            yield node
        stack.extend(node.named_children)


class ProcessReceiptDecisionRule(Rule):
    id = "bug/process-receipt-decision"
    scorer = "bug"
    severity = Severity.WARNING
    summary = (
        "A MarketplaceService.ProcessReceipt callback that never returns PurchaseGranted, or can "
        "end without a decision: the purchase stays pending and is granted again."
    )
    bad = (
        'local MarketplaceService = game:GetService("MarketplaceService")\n'
        "MarketplaceService.ProcessReceipt = function(receipt)\n"
        "\tprint(receipt.ProductId)\n"
        "end\n"
    )
    good = (
        'local MarketplaceService = game:GetService("MarketplaceService")\n'
        "MarketplaceService.ProcessReceipt = function(receipt)\n"
        "\tprint(receipt.ProductId)\n"
        "\treturn Enum.ProductPurchaseDecision.PurchaseGranted\n"
        "end\n"
    )

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        source = ctx.source
        if _CALLBACK not in source.text:
            return
        scopes = scope_analysis(ctx)
        for _, value in field_writes(source, _CALLBACK):
            info = function_given(scopes, value)
            if info is None or info.body is None or _delegates(source, info.body):
                continue
            if _GRANTED not in source.node_text(info.body):
                yield self.at(
                    ctx,
                    value,
                    "this ProcessReceipt callback never returns "
                    "Enum.ProductPurchaseDecision.PurchaseGranted: every purchase stays "
                    "pending and is handed out again on the player's next join",
                    "return Enum.ProductPurchaseDecision.PurchaseGranted once the items are "
                    "given (NotProcessedYet when they could not be)",
                )
            elif not _always_returns(source, info.body):
                yield self.at(
                    ctx,
                    value,
                    "this ProcessReceipt callback can reach its end without returning a "
                    "decision (nil): that purchase stays pending and is handed out again",
                    "end it with `return Enum.ProductPurchaseDecision.NotProcessedYet` (or "
                    "PurchaseGranted on every path that gave the items)",
                )
