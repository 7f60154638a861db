"""Every clean example script runs clean in the mock world, and its work shows in the effects."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import example_files
from luaurft.luau.sandbox import RunStatus
from luaurft.roblox.mock import run_script

EXAMPLES = example_files()


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_example_runs_clean(path: Path) -> None:
    result = run_script(path.read_text(encoding="utf-8"), path=str(path))
    assert result.status is RunStatus.OK, (result.error, [e.to_dict() for e in result.errors])
    assert result.errors == []
    assert result.never_resumed == []
    assert result.engine_errors == []
    assert not [o for o in result.output if o.stream == "error"]


def _run(name: str):
    path = next(p for p in EXAMPLES if p.name == name)
    return run_script(path.read_text(encoding="utf-8"), path=str(path))


@pytest.mark.skipif(not EXAMPLES, reason="examples/ has not landed")
def test_examples_are_exercised_by_the_stimulus() -> None:
    stats = _run("leaderstats.server.luau").effects
    # Players joined and got stats; the leaving player and shutdown saved them.
    assert stats["instancesCreated"] == {"Folder": 2, "IntValue": 4}
    assert {w["op"] for w in stats["dataStoreWrites"]} == {"UpdateAsync"}
    assert len(stats["dataStoreWrites"]) == 2
    # The kill brick was touched by a character (its handler ran).
    assert _run("kill_brick.server.luau").effects["handlerCalls"] >= 1
    # The shop's RemoteFunction was invoked by the simulated client.
    assert _run("shop.server.luau").effects["remoteFires"] == {"PurchaseItem:InvokeServer": 1}
    # The door's prompt was triggered and its swing tweened.
    assert _run("proximity_door.server.luau").effects["tweens"] >= 1
    # The client countdown waits for a RemoteEvent the server would create: it is provided.
    assert _run("countdown_ui.client.luau").effects["connections"] == {
        "RemoteEvent.OnClientEvent": 1
    }
