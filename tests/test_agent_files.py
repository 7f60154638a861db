"""Splitting a model's answer into named scripts."""

from __future__ import annotations

import pytest

from luaurft.agent.files import (
    AnswerFile,
    default_script_name,
    kind_from_path,
    normalise_path,
    render_answer,
    split_answer,
)
from luaurft.luau.kind import ScriptKind

SERVER = 'local Players = game:GetService("Players")\nprint(#Players:GetPlayers())'
CLIENT = 'local player = game:GetService("Players").LocalPlayer\nprint(player.Name)'
MODULE = "local Config = {}\nConfig.price = 10\nreturn Config"


def paths(files: list[AnswerFile]) -> list[str]:
    return [f.path for f in files]


def test_marker_lines_split_three_kinds_of_script_with_prose_around() -> None:
    answer = (
        "Here is the shop, in three scripts:\n\n"
        f"-- file: ServerScriptService/Shop.server.luau\n{SERVER}\n\n"
        "Next, the client side:\n"
        f"-- File: StarterPlayer/StarterPlayerScripts/ShopUI.client.luau\n{CLIENT}\n\n"
        f"--- file: ReplicatedStorage/ShopConfig.luau\n{MODULE}\n\n"
        "This gives players a shop with a configurable price.\n"
    )
    files = split_answer(answer, "Build a shop")
    assert paths(files) == [
        "ServerScriptService/Shop.server.luau",
        "StarterPlayer/StarterPlayerScripts/ShopUI.client.luau",
        "ReplicatedStorage/ShopConfig.luau",
    ]
    assert [f.kind for f in files] == [
        ScriptKind.SCRIPT,
        ScriptKind.LOCAL_SCRIPT,
        ScriptKind.MODULE_SCRIPT,
    ]
    assert files[0].source == SERVER + "\n"
    # Prose between and after files is not code.
    assert "client side" not in files[0].source
    assert files[2].source == MODULE + "\n"


def test_fenced_blocks_headed_by_paths_in_markdown_forms() -> None:
    answer = (
        "Sure!\n\n**ServerScriptService/Tower.server.luau**\n```lua\n"
        f"{SERVER}\n```\n\n### `ReplicatedStorage/TowerConfig.luau`\n\n```luau\n{MODULE}\n```\n\n"
        f"```lua StarterPlayer/StarterPlayerScripts/Hud.client.luau\n{CLIENT}\n```\n\n"
        "Usage:\n```\nrequire(game.ReplicatedStorage.TowerConfig)\n```\n"
    )
    files = split_answer(answer, "tower defense")
    assert paths(files) == [
        "ServerScriptService/Tower.server.luau",
        "ReplicatedStorage/TowerConfig.luau",
        "StarterPlayer/StarterPlayerScripts/Hud.client.luau",
    ]
    # The unnamed usage snippet is not a file.
    assert all("require(game" not in f.source for f in files)


def test_markers_inside_one_fenced_block() -> None:
    answer = (
        "```lua\n-- file: ServerScriptService/A.server.luau\nprint('a')\n"
        "-- file: ReplicatedStorage/B.luau\nreturn {}\n```"
    )
    files = split_answer(answer)
    assert paths(files) == ["ServerScriptService/A.server.luau", "ReplicatedStorage/B.luau"]
    assert files[1].source == "return {}\n"


def test_a_single_unmarked_script_is_named_from_the_task_and_kind() -> None:
    files = split_answer(f"```lua\n{SERVER}\n```", "Build a tower defense system")
    assert paths(files) == ["TowerDefense.server.luau"]
    assert files[0].kind is ScriptKind.SCRIPT
    (module,) = split_answer(MODULE, "make an inventory module")
    assert module.path == "InventoryModule.luau" and module.kind is ScriptKind.MODULE_SCRIPT
    (client,) = split_answer(CLIENT, "sprint on shift")
    assert client.path.endswith(".client.luau")


def test_ordinary_comments_mentioning_files_are_not_markers() -> None:
    code = "-- file: handles the shop logic\n-- file saving happens below\nprint('x')"
    (only,) = split_answer(code, "shop")
    assert only.source.startswith("-- file: handles")


def test_a_path_given_twice_keeps_the_last_version() -> None:
    answer = "-- file: A.server.luau\nprint(1)\n-- file: B.luau\nreturn 1\n-- file: a.server.luau\nprint(2)\n"
    files = split_answer(answer)
    assert paths(files) == ["B.luau", "a.server.luau"]
    assert files[1].source == "print(2)\n"


def test_reasoning_and_empty_answers() -> None:
    assert split_answer("") == []
    assert split_answer("   \n\n") == []
    (f,) = split_answer("<think>use a loop</think>\nprint('hi')", "greet")
    assert f.source == "print('hi')\n" and "think" not in f.source


def test_code_before_the_first_marker_is_kept_as_its_own_file() -> None:
    answer = f"{SERVER}\n-- file: ReplicatedStorage/Config.luau\n{MODULE}\n"
    files = split_answer(answer, "coins")
    assert paths(files) == ["Coins.server.luau", "ReplicatedStorage/Config.luau"]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("./ServerScriptService/Shop.server.luau", "ServerScriptService/Shop.server.luau"),
        ("src\\server\\Shop.server.luau", "ServerScriptService/Shop.server.luau"),
        ("src/client/Hud.client.lua", "StarterPlayer/StarterPlayerScripts/Hud.client.lua"),
        ("src/shared/Util.luau", "ReplicatedStorage/Util.luau"),
        ("../../etc/Evil.luau", "etc/Evil.luau"),
        ("C:/Users/x/Game.server.luau", "Users/x/Game.server.luau"),
        ("notes.txt", None),
        (".server.luau", None),
    ],
)
def test_normalise_path(raw: str, expected: str | None) -> None:
    assert normalise_path(raw) == expected


def test_kind_from_path_follows_the_plugin_rules() -> None:
    assert kind_from_path("X/Main.server.luau") is ScriptKind.SCRIPT
    assert kind_from_path("Main.client.lua") is ScriptKind.LOCAL_SCRIPT
    assert kind_from_path("Main.luau") is ScriptKind.MODULE_SCRIPT


def test_default_name_and_render_round_trip() -> None:
    assert default_script_name("Please build a tower defense system for my game") == "TowerDefense"
    assert default_script_name("!!!") == "Main"
    files = [
        AnswerFile("ServerScriptService/A.server.luau", "print(1)\n"),
        AnswerFile("B.luau", "return 1\n"),
    ]
    assert split_answer(render_answer(files)) == files
    assert render_answer(files[:1]) == "print(1)\n"
