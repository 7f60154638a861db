"""A place file as the world a script runs in: `luaurft run SCRIPT --place FILE`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from luaurft.cli import app
from luaurft.luau.kind import ScriptKind
from luaurft.roblox.files import Instance, RobloxTree, save_xml
from luaurft.roblox.files.values import (
    CFrame,
    Color3uint8,
    ProtectedString,
    Vector3,
)
from luaurft.roblox.mock import run_script
from luaurft.roblox.place import load_place, with_script

runner = CliRunner()

LIBRARY = "return { add = function(a, b) return a + b end }\n"
COMBAT = 'print("the place\'s own server script ran")\n'


def _instance(class_name: str, name: str, **properties: object) -> Instance:
    instance = Instance(class_name)
    instance.properties["Name"] = name
    instance.properties.update(properties)  # type: ignore[arg-type]
    return instance


def small_game() -> RobloxTree:
    """Map parts, remotes, a ModuleScript library, a server Script, a LocalScript."""
    workspace = _instance("Workspace", "Workspace")
    spawns = workspace.add_child(_instance("Model", "Map")).add_child(_instance("Folder", "Spawns"))
    for index, x in enumerate((10.0, -10.0), start=1):
        part = spawns.add_child(
            _instance(
                "Part",
                f"Spawn{index}",
                CFrame=CFrame(Vector3(x, 7, 3)),
                size=Vector3(4, 1, 4),
                Color3uint8=Color3uint8(255, 0, 0),
                Anchored=True,
            )
        )
        part.attributes["Team"] = "Red" if index == 1 else "Blue"
        part.tags.append("SpawnPoint")
    storage = _instance("ReplicatedStorage", "ReplicatedStorage")
    storage.add_child(_instance("Folder", "Remotes")).add_child(_instance("RemoteEvent", "Damage"))
    storage.add_child(_instance("ModuleScript", "Library", Source=ProtectedString(LIBRARY)))
    server = _instance("ServerScriptService", "ServerScriptService")
    server.add_child(_instance("Script", "Combat", Source=ProtectedString(COMBAT)))
    starter = _instance("StarterPlayer", "StarterPlayer")
    starter.add_child(_instance("StarterPlayerScripts", "StarterPlayerScripts")).add_child(
        _instance("LocalScript", "Hud", Source=ProtectedString("print('hud')\n"))
    )
    return RobloxTree(roots=[workspace, storage, server, starter])


@pytest.fixture
def game_file(tmp_path: Path) -> Path:
    return save_xml(small_game(), tmp_path / "game.rbxlx")


PROBE = """
local spawns = workspace.Map.Spawns
local first = spawns.Spawn1
print(first.Position.X, first.Position.Y, first.Size.X, first.Color.R)
print(first:GetAttribute("Team"), spawns.Spawn2:GetAttribute("Team"))
print(#game:GetService("CollectionService"):GetTagged("SpawnPoint"))
print(game.ReplicatedStorage.Remotes.Damage.ClassName)
print(require(game.ReplicatedStorage.Library).add(2, 3))
print(game.ServerScriptService.Combat.ClassName)
"""


def _texts(run: object) -> list[str]:
    return [line.text for line in run.output]  # type: ignore[attr-defined]


def test_a_script_finds_the_place_instances_it_indexes(game_file: Path, tmp_path: Path) -> None:
    probe = tmp_path / "probe.server.luau"
    project, _ = with_script(load_place(game_file), probe, PROBE, ScriptKind.SCRIPT)
    run = run_script(PROBE, project=project, path_in_project=probe, seconds=0.5)
    assert run.status.value == "ok", run.errors
    assert _texts(run) == ["10 7 4 1", "Red Blue", "2", "RemoteEvent", "5", "Script"]


def test_without_the_place_the_same_script_fails(tmp_path: Path) -> None:
    run = run_script(PROBE, kind="Script", seconds=0.5)
    assert run.status.value == "error"


def test_the_place_scripts_are_present_but_not_run(game_file: Path, tmp_path: Path) -> None:
    probe = tmp_path / "probe.server.luau"
    code = "print(game.ServerScriptService.Combat:IsA('Script'))\n"
    project, _ = with_script(load_place(game_file), probe, code, ScriptKind.SCRIPT)
    run = run_script(code, project=project, path_in_project=probe, seconds=0.5)
    assert _texts(run) == ["true"]


def test_a_script_run_at_a_place_path_replaces_that_instance(game_file: Path) -> None:
    edited = "print(script:GetFullName(), script.Parent.Name)\n"
    project, node = with_script(
        load_place(game_file),
        "combat.server.luau",
        edited,
        ScriptKind.SCRIPT,
        at=("ServerScriptService", "Combat"),
    )
    assert sum(1 for n in project.nodes if n.path == ("ServerScriptService", "Combat")) == 1
    run = run_script(edited, project=project, path_in_project="combat.server.luau", seconds=0.5)
    assert _texts(run) == ["ServerScriptService.Combat ServerScriptService"]
    assert node.source == edited


def test_place_scripts_have_instance_paths_and_sources(game_file: Path) -> None:
    project = load_place(game_file)
    scripts = {n.dotted_path: n for n in project.scripts}
    assert set(scripts) == {
        "ReplicatedStorage.Library",
        "ServerScriptService.Combat",
        "StarterPlayer.StarterPlayerScripts.Hud",
    }
    assert scripts["ReplicatedStorage.Library"].source == LIBRARY
    assert scripts["ServerScriptService.Combat"].kind is ScriptKind.SCRIPT
    # A script of the place can be run in it by its stand-in path.
    combat = scripts["ServerScriptService.Combat"]
    assert combat.file is not None
    run = run_script(COMBAT, project=project, path_in_project=combat.file, seconds=0.5)
    assert _texts(run) == ["the place's own server script ran"]


def test_a_model_file_goes_into_workspace(tmp_path: Path) -> None:
    model = RobloxTree(roots=[_instance("Part", "Crate", size=Vector3(2, 2, 2))])
    path = save_xml(model, tmp_path / "crate.rbxmx")
    code = "print(workspace.Crate.Size.Y)\n"
    project, _ = with_script(load_place(path), "probe.server.luau", code, ScriptKind.SCRIPT)
    run = run_script(code, project=project, path_in_project="probe.server.luau", seconds=0.5)
    assert _texts(run) == ["2"]


def test_cli_run_with_a_place(game_file: Path, tmp_path: Path) -> None:
    probe = tmp_path / "probe.server.luau"
    probe.write_text(PROBE, encoding="utf-8")
    result = runner.invoke(
        app, ["run", str(probe), "--place", str(game_file), "--format", "json", "--seconds", "0.5"]
    )
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["status"] == "ok"
    assert [line["text"] for line in document["output"]][-1] == "Script"


def test_cli_run_with_a_corrupt_place_is_a_usage_error(tmp_path: Path) -> None:
    probe = tmp_path / "probe.server.luau"
    probe.write_text("print(1)\n", encoding="utf-8")
    broken = tmp_path / "broken.rbxl"
    broken.write_bytes(b"<roblox!\x89\xff\r\n\x1a\n\x00\x00" + bytes(4))
    result = runner.invoke(app, ["run", str(probe), "--place", str(broken)])
    assert result.exit_code == 2
    assert "broken.rbxl" in result.output and "header" in result.output
    result = runner.invoke(app, ["run", str(probe), "--at", "Workspace.X"])
    assert result.exit_code == 2 and "--place" in result.output


# -- scoring a place -----------------------------------------------------------------------

SERVER = """local ReplicatedStorage = game:GetService("ReplicatedStorage")
local Library = require(ReplicatedStorage.Shared.Library)
local Players = game:GetService("Players")
local spawns = workspace.Map.Spawns:GetChildren()

ReplicatedStorage.Remotes.Damage.OnServerEvent:Connect(function(player, amount)
\tif typeof(amount) ~= "number" then
\t\treturn
\tend
\tprint(player.Name, Library.add(amount, 1))
end)

Players.PlayerAdded:Connect(function(player)
\tlocal spawn = spawns[1]
\tprint(player.Name, spawn.Name, spawn:GetAttribute("Team"), spawn.Position.Y)
end)
"""
CLIENT = """local Players = game:GetService("Players")
local player = Players.LocalPlayer
print(player.Name)
"""


def _map() -> Instance:
    spawns = _instance("Folder", "Spawns")
    for index, x in enumerate((10.0, -10.0), start=1):
        part = spawns.add_child(
            _instance("Part", f"Spawn{index}", CFrame=CFrame(Vector3(x, 7, 3)), Anchored=True)
        )
        part.attributes["Team"] = "Red" if index == 1 else "Blue"
    game_map = _instance("Model", "Map")
    game_map.add_child(spawns)
    return game_map


def full_game() -> RobloxTree:
    """Map parts, remotes, a ModuleScript library, a server Script that requires it,
    a LocalScript."""
    workspace = _instance("Workspace", "Workspace")
    workspace.add_child(_map())
    storage = _instance("ReplicatedStorage", "ReplicatedStorage")
    storage.add_child(_instance("Folder", "Remotes")).add_child(_instance("RemoteEvent", "Damage"))
    storage.add_child(_instance("Folder", "Shared")).add_child(
        _instance("ModuleScript", "Library", Source=ProtectedString(LIBRARY))
    )
    server = _instance("ServerScriptService", "ServerScriptService")
    server.add_child(_instance("Script", "Main", Source=ProtectedString(SERVER)))
    starter = _instance("StarterPlayer", "StarterPlayer")
    starter.add_child(_instance("StarterPlayerScripts", "StarterPlayerScripts")).add_child(
        _instance("LocalScript", "Hud", Source=ProtectedString(CLIENT))
    )
    return RobloxTree(roots=[workspace, storage, server, starter])


def _rojo_tree(root: Path) -> Path:
    """The same game as a Rojo project: scripts as files, the map as an .rbxmx model,
    the remotes as a .model.json."""
    files = {
        "src/shared/Library.luau": LIBRARY,
        "src/server/Main.server.luau": SERVER,
        "src/client/Hud.client.luau": CLIENT,
    }
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    (root / "models").mkdir()
    save_xml(RobloxTree(roots=[_map()]), root / "models" / "Map.rbxmx")
    remotes = {"ClassName": "Folder", "Children": [{"Name": "Damage", "ClassName": "RemoteEvent"}]}
    (root / "models" / "Remotes.model.json").write_text(json.dumps(remotes), encoding="utf-8")
    project = {
        "name": "game",
        "tree": {
            "$className": "DataModel",
            "Workspace": {"Map": {"$path": "models/Map.rbxmx"}},
            "ReplicatedStorage": {
                "Shared": {"$path": "src/shared"},
                "Remotes": {"$path": "models/Remotes.model.json"},
            },
            "ServerScriptService": {"Main": {"$path": "src/server/Main.server.luau"}},
            "StarterPlayer": {"StarterPlayerScripts": {"$path": "src/client"}},
        },
    }
    (root / "default.project.json").write_text(json.dumps(project), encoding="utf-8")
    return root


def test_scoring_a_place_gives_the_cards_of_the_same_rojo_tree(tmp_path: Path) -> None:
    from luaurft.scoring.report import FileResult, score_paths

    place = save_xml(full_game(), tmp_path / "game.rbxlx")
    rojo = _rojo_tree(tmp_path / "rojo")
    from_place = {
        o.instance: o.card
        for o in score_paths([str(place)], exec=True)
        if isinstance(o, FileResult)
    }
    from_rojo = {}
    for outcome in score_paths([str(rojo)], exec=True):
        assert isinstance(outcome, FileResult)
        project = outcome.card.extra["project"]
        from_rojo[project["instance"]] = outcome.card
    assert (
        set(from_place)
        == set(from_rojo)
        == {
            "ReplicatedStorage.Shared.Library",
            "ServerScriptService.Main",
            "StarterPlayer.StarterPlayerScripts.Hud",
        }
    )
    for instance, card in from_place.items():
        other = from_rojo[instance]
        assert card.kind == other.kind, instance
        assert card.scores == other.scores, instance
        assert [f.to_dict() for f in card.findings] == [f.to_dict() for f in other.findings]
    # The server script really ran in the place: its require reached the library,
    # and the map and remotes it indexes were there.
    assert from_place["ServerScriptService.Main"].scores["exec"] == 1.0
    assert run_script(SERVER, kind="Script", seconds=1).status.value == "error"


def test_cli_score_a_place_in_every_format(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    place = save_xml(full_game(), tmp_path / "game.rbxlx")
    monkeypatch.chdir(tmp_path)
    table = runner.invoke(app, ["score", "game.rbxlx", "--no-exec"])
    assert table.exit_code == 0, table.output
    assert "game.rbxlx:ServerScriptService.Main" in table.stdout

    document = json.loads(
        runner.invoke(app, ["score", str(place), "-f", "json", "--no-exec"]).stdout
    )
    instances = {r["instance"]: r["kind"] for r in document["results"]}
    assert instances == {
        "ReplicatedStorage.Shared.Library": "ModuleScript",
        "ServerScriptService.Main": "Script",
        "StarterPlayer.StarterPlayerScripts.Hud": "LocalScript",
    }

    lines = runner.invoke(
        app, ["score", str(place), "-f", "jsonl", "--no-exec"]
    ).stdout.splitlines()
    assert {json.loads(line)["instance"] for line in lines} == set(instances)

    # A finding's SARIF result names the place file and, logically, the instance.
    messy = full_game()
    messy.roots[2].children[0].properties["Source"] = ProtectedString("wait(1)\nprint(x)\n")
    messy_place = save_xml(messy, tmp_path / "messy.rbxlx")
    sarif = json.loads(
        runner.invoke(app, ["score", str(messy_place), "-f", "sarif", "--no-exec"]).stdout
    )
    located = [r["locations"][0] for r in sarif["runs"][0]["results"]]
    assert located
    assert all(
        loc["physicalLocation"]["artifactLocation"]["uri"].endswith("messy.rbxlx")
        for loc in located
    )
    by_instance = [
        (loc["logicalLocations"][0]["fullyQualifiedName"], r["ruleId"])
        for loc, r in zip(located, sarif["runs"][0]["results"], strict=True)
    ]
    assert {name for name, _ in by_instance} <= set(instances)
    assert ("ServerScriptService.Main", "api/deprecated-global") in by_instance


def test_cli_score_a_corrupt_place_reports_an_error(tmp_path: Path) -> None:
    broken = tmp_path / "broken.rbxm"
    broken.write_bytes(b"<roblox!\x89\xff\r\n\x1a\n\x00\x00" + bytes(20))
    result = runner.invoke(app, ["score", str(broken), "-f", "json", "--no-exec"])
    document = json.loads(result.stdout)
    assert document["results"] == []
    assert "broken.rbxm" in document["errors"][0]["message"]


# -- Rojo projects holding model files -----------------------------------------------------


def test_a_rojo_folder_builds_its_model_files(tmp_path: Path) -> None:
    from luaurft.roblox.project import ProjectTree

    root = tmp_path / "game"
    (root / "src" / "server").mkdir(parents=True)
    crate = _instance("Model", "Ignored", size=Vector3(2, 2, 2))
    crate.add_child(_instance("Part", "Lid", size=Vector3(2, 0.5, 2)))
    save_xml(RobloxTree(roots=[crate]), root / "src" / "server" / "Crate.rbxmx")
    (root / "src" / "server" / "Door.model.json").write_text(
        json.dumps(
            {
                "ClassName": "Part",
                "Properties": {"Anchored": True, "Transparency": 0.5},
                "Attributes": {"Locked": True},
                "Tags": ["Door"],
                "Children": [{"Name": "Hinge", "ClassName": "Attachment"}],
            }
        ),
        encoding="utf-8",
    )
    (root / "src" / "server" / "Broken.rbxm").write_bytes(b"<roblox!\x89\xff\r\n\x1a\n")
    (root / "src" / "server" / "Main.server.luau").write_text(PROBE_MODELS, encoding="utf-8")
    (root / "default.project.json").write_text(
        json.dumps(
            {
                "name": "game",
                "tree": {
                    "$className": "DataModel",
                    "ServerScriptService": {"$path": "src/server"},
                    "Workspace": {"Map": {"$path": "src/server/Crate.rbxmx"}},
                },
            }
        ),
        encoding="utf-8",
    )
    tree = ProjectTree.from_folder(root)
    paths = {n.dotted_path: n.class_name for n in tree.nodes}
    assert paths["ServerScriptService.Crate"] == "Model"
    assert paths["ServerScriptService.Crate.Lid"] == "Part"
    assert paths["ServerScriptService.Door"] == "Part"
    assert paths["ServerScriptService.Door.Hinge"] == "Attachment"
    assert paths["Workspace.Map.Lid"] == "Part"  # a $path to a model file
    assert [p.path for p in tree.problems] == [str(root / "src" / "server" / "Broken.rbxm")]
    main = root / "src" / "server" / "Main.server.luau"
    run = run_script(PROBE_MODELS, project=tree, path_in_project=main, seconds=0.5)
    assert _texts(run) == ["0.5 true 0.5 true Hinge"], run.errors


PROBE_MODELS = """local door = script.Parent.Door
print(script.Parent.Crate.Lid.Size.Y, door.Anchored, door.Transparency, door:GetAttribute("Locked"), door.Hinge.Name)
"""


# -- tasks on a place ------------------------------------------------------------------------

SCHOOL_TASK = '''
[[tasks]]
id = "school-lights"
kind = "Script"
place = "school.rbxlx"
prompt = "Turn on every light in the school."
solution = """
for _, light in workspace.School:GetDescendants() do
	if light:IsA("PointLight") then
		light.Enabled = true
	end
end
"""

[[tasks.checks]]
name = "every classroom light is on"
body = """
sim.advance(0.5)
local lights = 0
for _, light in workspace.School:GetDescendants() do
	if light:IsA("PointLight") then
		lights += 1
		assert(light.Enabled, light.Parent.Name .. "'s light is still off")
	end
end
assert(lights == 3, "expected the place's 3 lights, found " .. lights)
"""
'''


def school() -> RobloxTree:
    workspace = _instance("Workspace", "Workspace")
    building = workspace.add_child(_instance("Model", "School"))
    for room in ("Art", "Maths", "Hall"):
        lamp = building.add_child(_instance("Part", room, Anchored=True))
        lamp.add_child(_instance("PointLight", "Light", Enabled=False))
    return RobloxTree(roots=[workspace])


def test_a_task_names_a_place_and_is_checked_against_it(tmp_path: Path) -> None:
    from luaurft.eval.checks import check_solution
    from luaurft.eval.tasks import load_task_file

    save_xml(school(), tmp_path / "school.rbxlx")
    (tmp_path / "tasks.toml").write_text(SCHOOL_TASK)
    (task,) = load_task_file(tmp_path / "tasks.toml")
    assert task.place == str((tmp_path / "school.rbxlx").resolve())
    passed = check_solution(task, task.solution)
    assert passed.passed, passed.to_dict()
    # The place's lights start off: doing nothing fails on the first of them.
    idle = check_solution(task, "print('hello')")
    assert not idle.passed
    assert "light is still off" in idle.checks[0].message


def test_a_task_whose_place_file_is_missing_says_so(tmp_path: Path) -> None:
    from luaurft.eval.tasks import TaskError, load_task_file

    (tmp_path / "tasks.toml").write_text(SCHOOL_TASK)
    with pytest.raises(TaskError, match=r"school\.rbxlx does not exist"):
        load_task_file(tmp_path / "tasks.toml")
