"""The plugin's own Luau code, headless in a Luau VM, against a fake Studio whose
HttpService:RequestAsync makes real HTTP requests to a real bridge server."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from luaurft.studio import (
    BridgeLimits,
    ScriptFile,
    StudioBridge,
    StudioOperationError,
    apply_scripts_payload,
    source_sha256,
)
from studio_harness import Call, CoreHandle, FakeStudio, drive

pytestmark = pytest.mark.timeout(60)

SERVER_SOURCE = """local ReplicatedStorage = game:GetService("ReplicatedStorage")
local Config = require(ReplicatedStorage.Shared.Config)

-- Unicode and XML-looking text survive the trip: é ✓ 🚀 <tag> ]]> "quotes" \\ back\\slash
print("tower damage", Config.damage)
"""
MODULE_SOURCE = "local Config = {}\r\nConfig.damage = 5\r\nreturn Config\n"


@pytest.fixture
def bridge() -> Iterator[StudioBridge]:
    with StudioBridge(port=0, limits=BridgeLimits(poll_timeout_s=0.3, max_tree_depth=1)) as running:
        yield running


@pytest.fixture
def studio() -> Iterator[FakeStudio]:
    fake = FakeStudio()
    yield fake
    fake.close()


def request(
    bridge: StudioBridge, core: CoreHandle, op_type: str, payload: dict[str, Any]
) -> dict[str, Any]:
    return drive(core, Call(bridge, op_type, payload))


def connected_core(
    studio: FakeStudio, bridge: StudioBridge, *, auto_approve: bool = True
) -> CoreHandle:
    return studio.core(auto_approve=auto_approve, url=bridge.url, token=bridge.token)


def two_scripts(**first: Any) -> dict[str, Any]:
    return apply_scripts_payload(
        [
            ScriptFile("Tower/TowerService.server.luau", SERVER_SOURCE, **first),
            ScriptFile("Shared/Config.luau", MODULE_SOURCE),
        ],
        title="Tower defense",
    )


# -- the round trip ------------------------------------------------------------------------------


def test_round_trip_applies_two_scripts_as_one_undo_step(
    bridge: StudioBridge, studio: FakeStudio
) -> None:
    core = connected_core(studio, bridge)
    before = set(studio.paths())

    result = request(bridge, core, "apply_scripts", two_scripts())

    assert result["status"] == "applied"
    assert result["recording"] == "committed"
    server, module = result["files"]
    assert server == server | {
        "path": "Tower/TowerService.server.luau",
        "status": "created",
        "className": "Script",
        "instancePath": "ServerScriptService/Tower/TowerService",
        "placement": "default",
        "sha256": source_sha256(SERVER_SOURCE),
        "added": SERVER_SOURCE.count("\n"),
        "removed": 0,
    }
    assert module["status"] == "created"
    assert module["className"] == "ModuleScript"
    assert module["instancePath"] == "ReplicatedStorage/Shared/Config"
    assert module["sha256"] == source_sha256(MODULE_SOURCE)

    # The fake DataModel holds exactly these scripts, byte for byte, in new folders.
    assert studio.scripts() == {
        "ServerScriptService/Tower/TowerService": {"className": "Script", "source": SERVER_SOURCE},
        "ReplicatedStorage/Shared/Config": {"className": "ModuleScript", "source": MODULE_SOURCE},
    }
    assert set(studio.paths()) - before == {
        "ServerScriptService/Tower",
        "ServerScriptService/Tower/TowerService",
        "ReplicatedStorage/Shared",
        "ReplicatedStorage/Shared/Config",
    }
    # One undo step, committed; Source only through ScriptEditorService.
    assert studio.recordings() == [
        {"event": "begin", "name": "luaurft: Tower defense", "id": "recording-1"},
        {"event": "finish", "id": "recording-1", "operation": "Commit"},
    ]
    assert [u["name"] for u in studio.source_updates()] == ["TowerService", "Config"]
    assert studio.direct_source_writes() == 0
    # The plugin registered itself with what Studio told it.
    assert bridge.plugin is not None
    assert bridge.plugin.place_name == "FakePlace" and bridge.plugin.place_id == 4242
    assert bridge.plugin.studio_version == "0.700.0.fake"


def test_hash_mismatch_refuses_the_whole_batch_and_changes_nothing(
    bridge: StudioBridge, studio: FakeStudio
) -> None:
    studio.new_instance("Folder", "Tower", "ServerScriptService")
    studio.new_script(
        "ServerScriptService/Tower/TowerService", "Script", "-- written by hand in Studio\n"
    )
    core = connected_core(studio, bridge)
    scripts_before, paths_before = studio.scripts(), studio.paths()

    stale = source_sha256("-- what the assistant read an hour ago\n")
    result = request(bridge, core, "apply_scripts", two_scripts(expect_old_sha256=stale))

    assert result["status"] == "conflict"
    assert result["recording"] == "cancelled"
    assert [f["status"] for f in result["files"]] == ["conflict", "skipped"]
    assert "edited in Studio" in result["files"][0]["message"]
    assert result["files"][0]["oldSha256"] == source_sha256("-- written by hand in Studio\n")
    assert studio.scripts() == scripts_before
    assert studio.paths() == paths_before  # not even the Shared folder
    assert studio.source_updates() == []
    assert studio.recordings() == [
        {"event": "begin", "name": "luaurft: Tower defense", "id": "recording-1"},
        {"event": "finish", "id": "recording-1", "operation": "Cancel"},
    ]


def test_read_then_write_with_the_read_hash_updates_the_script(
    bridge: StudioBridge, studio: FakeStudio
) -> None:
    studio.new_script("ReplicatedStorage/Config", "ModuleScript", "return { damage = 1 }\n")
    core = connected_core(studio, bridge)

    read = request(bridge, core, "read_script", {"path": "ReplicatedStorage/Config"})
    assert read == {
        "path": "ReplicatedStorage/Config",
        "className": "ModuleScript",
        "source": "return { damage = 1 }\n",
        "sha256": source_sha256("return { damage = 1 }\n"),
    }
    payload = apply_scripts_payload(
        [
            ScriptFile(
                "ReplicatedStorage/Config.luau",
                "return { damage = 2 }\n",
                expect_old_sha256=read["sha256"],
            )
        ]
    )
    result = request(bridge, core, "apply_scripts", payload)

    (file,) = result["files"]
    assert (result["status"], file["status"], file["placement"]) == ("applied", "updated", "path")
    assert file["oldSha256"] == read["sha256"]
    assert (file["added"], file["removed"]) == (1, 1)
    assert studio.scripts()["ReplicatedStorage/Config"]["source"] == "return { damage = 2 }\n"


def test_unsaved_edits_in_an_open_editor_count_as_edits(
    bridge: StudioBridge, studio: FakeStudio
) -> None:
    studio.new_script("ServerScriptService/Main", "Script", "print(1)\n")
    studio.open_in_editor("ServerScriptService/Main", "print(1)\nprint('typed, not saved')\n")
    core = connected_core(studio, bridge)
    payload = apply_scripts_payload(
        [
            ScriptFile(
                "ServerScriptService/Main.server.luau",
                "print(2)\n",
                expect_old_sha256=source_sha256("print(1)\n"),
            )
        ]
    )
    result = request(bridge, core, "apply_scripts", payload)
    assert result["status"] == "conflict"
    assert studio.scripts()["ServerScriptService/Main"]["source"] == "print(1)\n"


def test_a_failed_write_cancels_the_recording_and_undoes_earlier_files(
    bridge: StudioBridge, studio: FakeStudio
) -> None:
    studio.fail_update_for("Config", "ScriptEditorService: the document is locked")
    core = connected_core(studio, bridge)
    paths_before = studio.paths()

    result = request(bridge, core, "apply_scripts", two_scripts())

    assert result["status"] == "failed"
    assert result["recording"] == "cancelled"
    assert [f["status"] for f in result["files"]] == ["reverted", "failed"]
    assert "document is locked" in result["files"][1]["message"]
    assert studio.recordings()[-1] == {
        "event": "finish",
        "id": "recording-1",
        "operation": "Cancel",
    }
    # Cancel undid the first script and both new folders.
    assert studio.paths() == paths_before
    assert studio.scripts() == {}


def test_existing_instance_of_another_class_is_a_conflict(
    bridge: StudioBridge, studio: FakeStudio
) -> None:
    studio.new_script("ServerScriptService/Main", "ModuleScript", "return {}\n")
    core = connected_core(studio, bridge)
    result = request(
        bridge,
        core,
        "apply_scripts",
        apply_scripts_payload([ScriptFile("Main.server.luau", "print(1)")]),
    )
    assert result["status"] == "conflict"
    assert "already exists as a ModuleScript" in result["files"][0]["message"]
    assert studio.scripts()["ServerScriptService/Main"] == {
        "className": "ModuleScript",
        "source": "return {}\n",
    }


def test_reported_hash_is_what_studio_holds_after_normalising(
    bridge: StudioBridge, studio: FakeStudio
) -> None:
    studio.normalize_newlines()
    core = connected_core(studio, bridge)
    first = request(bridge, core, "apply_scripts", two_scripts())
    module = first["files"][1]
    stored = MODULE_SOURCE.replace("\r\n", "\n")
    assert module["normalized"] is True and first["files"][0]["normalized"] is False
    assert module["sha256"] == source_sha256(stored)
    assert studio.scripts()["ReplicatedStorage/Shared/Config"]["source"] == stored
    # The hash from the result is a valid expectation for the next write.
    follow_up = apply_scripts_payload(
        [
            ScriptFile(
                "Shared/Config.luau", "return { damage = 9 }\n", expect_old_sha256=module["sha256"]
            )
        ]
    )
    assert request(bridge, core, "apply_scripts", follow_up)["status"] == "applied"


def test_unchanged_source_is_not_rewritten(bridge: StudioBridge, studio: FakeStudio) -> None:
    studio.new_script("ReplicatedStorage/Util", "ModuleScript", "return 1\n")
    core = connected_core(studio, bridge)
    result = request(
        bridge,
        core,
        "apply_scripts",
        apply_scripts_payload([ScriptFile("Util.luau", "return 1\n")]),
    )
    assert result["files"][0]["status"] == "unchanged"
    assert studio.source_updates() == []


# -- where scripts go ------------------------------------------------------------------------------


def test_class_and_container_by_name_declaration_path_and_selection(
    bridge: StudioBridge, studio: FakeStudio
) -> None:
    core = connected_core(studio, bridge)
    first = request(
        bridge,
        core,
        "apply_scripts",
        apply_scripts_payload(
            [
                ScriptFile("Input.client.luau", "-- client"),
                ScriptFile("Hud.luau", "-- declared", class_name="LocalScript"),
                ScriptFile("ServerStorage/Data/Store.luau", "return {}"),
                ScriptFile("Lib/Signal.lua", "return {}"),
            ]
        ),
    )
    assert [(f["className"], f["instancePath"], f["placement"]) for f in first["files"]] == [
        ("LocalScript", "StarterPlayer/StarterPlayerScripts/Input", "default"),
        ("LocalScript", "StarterPlayer/StarterPlayerScripts/Hud", "default"),
        ("ModuleScript", "ServerStorage/Data/Store", "path"),
        ("ModuleScript", "ReplicatedStorage/Lib/Signal", "default"),
    ]

    studio.new_instance("Folder", "Arena", "Workspace")
    studio.select("Workspace/Arena")
    second = request(
        bridge,
        core,
        "apply_scripts",
        apply_scripts_payload(
            [
                ScriptFile("Round.server.luau", "-- round"),
                ScriptFile("ReplicatedStorage/Shared.luau", "return 1"),
            ]
        ),
    )
    assert [(f["instancePath"], f["placement"]) for f in second["files"]] == [
        ("Workspace/Arena/Round", "selection"),
        ("ReplicatedStorage/Shared", "path"),
    ]
    assert studio.scripts()["Workspace/Arena/Round"]["className"] == "Script"
    # Two batches, two undo steps.
    assert [r["operation"] for r in studio.recordings() if r["event"] == "finish"] == [
        "Commit",
        "Commit",
    ]


# -- review in Studio ------------------------------------------------------------------------------


def test_change_waits_for_review_then_reject_and_accept(
    bridge: StudioBridge, studio: FakeStudio
) -> None:
    core = connected_core(studio, bridge, auto_approve=False)
    rejected_call = Call(bridge, "apply_scripts", two_scripts())
    while core.pending_review_count() == 0:
        core.step()
    assert not rejected_call.done()  # Python keeps waiting while the user looks at the diff
    core.reject("not now")
    rejected = drive(core, rejected_call)
    assert rejected["status"] == "rejected" and rejected["message"] == "not now"
    assert studio.scripts() == {} and studio.recordings() == []

    accepted_call = Call(bridge, "apply_scripts", two_scripts())
    while core.pending_review_count() == 0:
        core.step()
    assert core.accept()["status"] == "applied"
    assert drive(core, accepted_call)["status"] == "applied"
    assert len(studio.scripts()) == 2


def test_a_script_edited_during_review_is_not_overwritten(
    bridge: StudioBridge, studio: FakeStudio
) -> None:
    studio.new_script("ServerScriptService/Main", "Script", "print('v1')\n")
    core = connected_core(studio, bridge, auto_approve=False)
    call = Call(
        bridge,
        "apply_scripts",
        apply_scripts_payload([ScriptFile("Main.server.luau", "print('v2')\n")]),
    )
    while core.pending_review_count() == 0:
        core.step()
    studio.open_in_editor("ServerScriptService/Main", "print('v1, edited by hand')\n")
    assert core.accept()["status"] == "conflict"
    result = drive(core, call)
    assert "while the change waited for review" in result["files"][0]["message"]
    assert studio.scripts()["ServerScriptService/Main"]["source"] == "print('v1')\n"


# -- at most once over a flaky connection ----------------------------------------------------------


def test_lost_result_is_resent_and_the_batch_applied_once(
    bridge: StudioBridge, studio: FakeStudio
) -> None:
    core = connected_core(studio, bridge)
    studio.drop_responses[("POST", "/api/result")] = 1
    result = request(bridge, core, "apply_scripts", two_scripts())
    assert result["status"] == "applied"
    assert core.get("outbox") != []  # the plugin never saw the acknowledgement
    core.step()  # resends, the bridge says "duplicate"
    assert core.get("outbox") == []
    assert bridge.status()["duplicateResults"] == 1
    assert [r["event"] for r in studio.recordings()] == ["begin", "finish"]


def test_lost_poll_response_is_redelivered_and_applied_once(
    bridge: StudioBridge, studio: FakeStudio
) -> None:
    core = connected_core(studio, bridge)
    studio.drop_responses[("GET", "/api/poll")] = 1
    call = Call(bridge, "apply_scripts", two_scripts())
    ok, problem = core.step()
    assert not ok and problem["kind"] == "network"
    assert core.get("cursor") == 0
    assert drive(core, call)["status"] == "applied"
    assert core.get("cursor") == 1
    assert [r["event"] for r in studio.recordings()] == ["begin", "finish"]
    assert len(studio.source_updates()) == 2


def test_plugin_reconnects_after_the_bridge_restarts(studio: FakeStudio) -> None:
    limits = BridgeLimits(poll_timeout_s=0.5)
    first = StudioBridge(port=0, limits=limits, token="shared-token-for-restart").start()
    port = first.port
    core = studio.core(auto_approve=True, url=first.url, token=first.token)
    request(first, core, "get_selection", {})
    assert core.get("cursor") == 1
    first.stop()

    with StudioBridge(port=port, limits=limits, token="shared-token-for-restart") as second:
        ok, problem = core.step()
        assert not ok and problem["kind"] == "session"
        result = request(second, core, "get_selection", {})
        assert result == {"selection": []}
        assert core.get("sessionId") == second.session_id
        assert core.get("cursor") == 1  # counted from the new session's start


# -- the other operations ------------------------------------------------------------------------------


def test_selection_tree_script_and_logs(bridge: StudioBridge, studio: FakeStudio) -> None:
    studio.new_instance("Folder", "Arena", "Workspace")
    studio.new_instance("Part", "Floor", "Workspace/Arena")
    studio.new_script("ServerScriptService/Main", "Script", "print('hi')\n")
    studio.select("Workspace/Arena", "ServerScriptService/Main")
    core = connected_core(studio, bridge)

    selection = request(bridge, core, "get_selection", {})
    assert selection == {
        "selection": [
            {"name": "Arena", "className": "Folder", "path": "Workspace/Arena"},
            {"name": "Main", "className": "Script", "path": "ServerScriptService/Main"},
        ]
    }

    # Asked for depth 50, capped by the bridge's limit (1 here).
    tree = request(bridge, core, "get_tree", {"root": "Workspace", "depth": 50})
    assert tree["depth"] == 1
    (workspace,) = tree["roots"]
    (arena,) = workspace["children"]
    assert arena["name"] == "Arena" and arena["childCount"] == 1 and "children" not in arena
    whole = request(bridge, core, "get_tree", {"depth": 0})
    assert [root["name"] for root in whole["roots"]][:3] == [
        "Workspace",
        "ServerScriptService",
        "ServerStorage",
    ]

    with pytest.raises(StudioOperationError, match="no instance at"):
        request(bridge, core, "read_script", {"path": "ServerScriptService/Missing"})
    with pytest.raises(StudioOperationError, match="not a script"):
        request(bridge, core, "read_script", {"path": "Workspace/Arena"})

    studio.emit_log("Workspace.Arena.Script:3: attempt to index nil with 'Parent'", "MessageError")
    studio.emit_log("[luaurft] connected", "MessageOutput")
    studio.emit_log("round started", "MessageOutput")
    logs = request(bridge, core, "get_logs", {"since": 0})
    assert [(e["type"], e["message"]) for e in logs["entries"]] == [
        ("error", "Workspace.Arena.Script:3: attempt to index nil with 'Parent'"),
        ("output", "round started"),
    ]
    errors_only = request(bridge, core, "get_logs", {"since": 0, "types": ["error"]})
    assert len(errors_only["entries"]) == 1
    assert request(bridge, core, "get_logs", {"since": logs["next"]})["entries"] == []


# -- the loop ----------------------------------------------------------------------------------------


def test_backs_off_while_the_bridge_is_unreachable(studio: FakeStudio) -> None:
    with StudioBridge(port=0) as gone:
        url, token = gone.url, gone.token
    core = studio.core(url=url, token=token)
    core.run(7)
    assert studio.waits() == [1, 2, 4, 8, 16, 30, 30]
    assert core.state == "retrying"
    assert all(r["url"].endswith("/api/hello") for r in studio.requests())


def test_refused_token_stops_the_loop_until_a_new_one_is_pasted(
    bridge: StudioBridge, studio: FakeStudio
) -> None:
    core = studio.core(url=bridge.url, token="not-the-token")
    core.run(5)
    assert core.state == "unpaired"
    assert studio.waits() == []
    assert len(studio.requests()) == 1
    core.call("setToken", f"  {bridge.token}\n")
    assert studio.setting("luaurft.token") == bridge.token
    assert request(bridge, core, "get_selection", {}) == {"selection": []}


def test_no_token_means_unpaired_without_any_request(studio: FakeStudio) -> None:
    core = studio.core()
    ok, problem = core.step()
    assert not ok and problem["kind"] == "auth"
    assert core.state == "unpaired"
    assert studio.requests() == []
