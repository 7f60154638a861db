"""Built-in tasks that rely on the world's targeted client log, tools and marketplace
reject solutions that only look right."""

from __future__ import annotations

import pytest

from luaurft.eval.checks import check_solution
from luaurft.eval.tasks import builtin_suite

SUITE = builtin_suite()


def _failed(task_id: str, code: str) -> list[str]:
    report = check_solution(SUITE.get(task_id), code)
    return [c.name for c in report.checks if not c.passed]


MUTATIONS = {
    # Sending to everyone is not sending to the target.
    "remote-trade-request": (
        "tradeIncoming:FireClient(target, sender.Name, sender.UserId)",
        "tradeIncoming:FireAllClients(sender.Name, sender.UserId)",
        "a valid request reaches only the target",
    ),
    "npc-shopkeeper-dialog": (
        "openDialog:FireClient(player, npc.Name, DIALOG_LINES)",
        "openDialog:FireAllClients(npc.Name, DIALOG_LINES)",
        "triggering sends the dialog to that player",
    ),
    # A handler that never reaches MarketplaceService.
    "devproduct-coin-packs": (
        "MarketplaceService.ProcessReceipt = ProductHandler.processReceipt",
        "",
        "a real purchase goes through MarketplaceService.ProcessReceipt",
    ),
    "devproduct-receipt-ledger": (
        "MarketplaceService.ProcessReceipt = GemReceipts.processReceipt",
        "",
        "a real purchase goes through MarketplaceService.ProcessReceipt",
    ),
    # Ownership that ignores the marketplace.
    "gamepass-vip-perks": (
        "return ok and owns == true",
        "return false",
        "the real lookup is used by default",
    ),
    "gamepass-double-coins": (
        "return MarketplaceService:UserOwnsGamePassAsync(userId, passId)",
        "return false",
        "the default lookup asks MarketplaceService",
    ),
    "gamepass-tool-grant": (
        "if wasPurchased and passId == PASS_ID then",
        "if wasPurchased then",
        "buying through the prompt grants the coil",
    ),
}


@pytest.mark.parametrize("task_id", sorted(MUTATIONS))
def test_a_near_miss_fails_the_check_that_targets_it(task_id: str) -> None:
    old, new, check = MUTATIONS[task_id]
    reference = SUITE.get(task_id).solution
    assert old in reference
    assert _failed(task_id, reference) == []
    assert check in _failed(task_id, reference.replace(old, new))
