"""What a script changed in the mock world: the export of the world after a run,
the world diff, `--diff` / `--save-world` on `luaurft run` and `luaurft assist`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from agent_helpers import ScriptedGenerator
from luaurft.agent import assist
from luaurft.cli import app
from luaurft.luau.kind import ScriptKind
from luaurft.roblox.files import Instance, RobloxTree, load_roblox_file, save_xml, tree_differences
from luaurft.roblox.files.values import (
    CFrame,
    Color3uint8,
    EnumValue,
    Float32,
    Font,
    ProtectedString,
    Vector3,
)
from luaurft.roblox.mock import ScriptRun, run_script
from luaurft.roblox.place import load_place, with_script
from luaurft.roblox.world_diff import WorldChange, world_change, world_diff
from luaurft.roblox.world_export import property_default

pytestmark = pytest.mark.timeout(120)
runner = CliRunner()


def _instance(class_name: str, name: str, **properties: object) -> Instance:
    instance = Instance(class_name)
    instance.properties["Name"] = name
    instance.properties.update(properties)  # type: ignore[arg-type]
    return instance


def arena() -> RobloxTree:
    """Two spawn parts with attributes and tags, a remote, a server Script."""
    workspace = _instance("Workspace", "Workspace")
    spawns = workspace.add_child(_instance("Folder", "Spawns"))
    for index, team in ((1, "Red"), (2, "Blue")):
        part = spawns.add_child(
            _instance(
                "Part",
                f"Spawn{index}",
                CFrame=CFrame(Vector3(index * 10.0, 5, 0)),
                size=Vector3(4, 1, 4),
                Color3uint8=Color3uint8(255, 0, 0),
                Anchored=True,
            )
        )
        part.attributes["Team"] = team
        part.tags.append("SpawnPoint")
    storage = _instance("ReplicatedStorage", "ReplicatedStorage")
    storage.add_child(_instance("Folder", "Remotes")).add_child(_instance("RemoteEvent", "Damage"))
    server = _instance("ServerScriptService", "ServerScriptService")
    server.add_child(_instance("Script", "Round", Source=ProtectedString("print('round')\n")))
    return RobloxTree(roots=[workspace, storage, server])


EDIT = """
local crate = Instance.new("Part")
crate.Name = "Crate"
crate.Size = Vector3.new(2, 3, 4)
crate.Anchored = true
crate.Parent = workspace
local spawns = workspace.Spawns
spawns.Spawn1.Transparency = 0.25
spawns.Spawn2:SetAttribute("Captured", true)
game:GetService("CollectionService"):AddTag(spawns.Spawn2, "Contested")
game.ReplicatedStorage.Remotes.Damage:Destroy()
"""


@pytest.fixture
def arena_file(tmp_path: Path) -> Path:
    return save_xml(arena(), tmp_path / "arena.rbxlx")


def run_in_arena(place: Path, code: str, file: str = "Edit.server.luau") -> ScriptRun:
    project, _ = with_script(load_place(place), file, code, ScriptKind.SCRIPT)
    return run_script(
        code,
        kind=ScriptKind.SCRIPT,
        project=project,
        path_in_project=file,
        export_world=True,
        isolate=False,
    )


def change_of(run: ScriptRun) -> WorldChange:
    change = world_change(run, "Edit.server.luau")
    assert change is not None
    return change


def test_the_diff_lists_exactly_what_the_script_did(arena_file: Path) -> None:
    run = run_in_arena(arena_file, EDIT)
    assert run.status.value == "ok", run.errors
    diff = change_of(run).diff
    assert [(i.path, i.class_name) for i in diff.added] == [("Workspace.Crate", "Part")]
    assert [(i.path, i.class_name) for i in diff.removed] == [
        ("ReplicatedStorage.Remotes.Damage", "RemoteEvent")
    ]
    changed = {c.path: c for c in diff.changed}
    assert sorted(changed) == ["Workspace.Spawns.Spawn1", "Workspace.Spawns.Spawn2"]
    spawn1, spawn2 = changed["Workspace.Spawns.Spawn1"], changed["Workspace.Spawns.Spawn2"]
    assert [(p.name, p.old, p.new) for p in spawn1.properties] == [("Transparency", None, 0.25)]
    assert not spawn1.attributes and not spawn1.tags_added
    assert not spawn2.properties
    assert [(a.name, a.old, a.new) for a in spawn2.attributes] == [("Captured", None, True)]
    assert spawn2.tags_added == ("Contested",) and spawn2.tags_removed == ()
    text = diff.to_text()
    assert text.splitlines()[0] == "World changes: 1 added, 1 removed, 2 changed"
    for line in (
        "+ Workspace.Crate (Part)",
        "- ReplicatedStorage.Remotes.Damage (RemoteEvent)",
        "    Transparency: 0 -> 0.25",
        "    attribute Captured: (default) -> true",
        "    tags added: Contested",
    ):
        assert line in text.splitlines()
    document = json.loads(json.dumps(diff.to_dict()))
    assert document["added"] == [
        {"path": "Workspace.Crate", "class": "Part", "attributes": {}, "tags": []}
    ]
    assert document["changed"][0]["properties"] == {
        "Transparency": {"old": None, "new": 0.25, "default": 0}
    }


def test_a_run_that_changes_nothing_has_an_empty_diff(arena_file: Path) -> None:
    run = run_in_arena(arena_file, "local n = #workspace.Spawns:GetChildren()\nprint(n)\n")
    diff = change_of(run).diff
    assert diff.empty, diff.to_text()
    assert diff.to_text() == "World changes: 0 added, 0 removed, 0 changed"


def test_the_saved_world_loads_back_into_the_exported_tree(
    arena_file: Path, tmp_path: Path
) -> None:
    change = change_of(run_in_arena(arena_file, EDIT))
    saved = save_xml(change.after, tmp_path / "after.rbxmx")
    loaded = load_roblox_file(saved)
    assert tree_differences(change.after, loaded, rel_tol=1e-6, abs_tol=1e-6) == []
    assert len(loaded) == len(change.after)
    crate = loaded.find("Workspace.Crate")
    assert crate is not None and crate.class_name == "Part"
    assert crate.properties["size"] == Vector3(2, 3, 4) and crate.properties["Anchored"] is True
    spawn2 = loaded.find("Workspace.Spawns.Spawn2")
    assert spawn2 is not None
    assert spawn2.attributes == {"Team": "Blue", "Captured": True}
    assert sorted(spawn2.tags) == ["Contested", "SpawnPoint"]
    assert loaded.find("ReplicatedStorage.Remotes.Damage") is None
    # Scripts keep their source: the place's own and the one that ran.
    assert loaded.find("ServerScriptService.Round").properties["Source"] == "print('round')\n"  # type: ignore[union-attr]
    assert loaded.find("ServerScriptService.Edit").properties["Source"] == EDIT  # type: ignore[union-attr]
    # Nothing of the harness: no players, no characters, no stimulus part.
    assert loaded.find("Players") is None
    assert {r.name for r in loaded.find("Workspace").children} == {  # type: ignore[union-attr]
        "Camera",
        "Terrain",
        "Baseplate",
        "Spawns",
        "Crate",
    }


def test_a_script_that_errors_midway_still_gives_the_diff_of_what_it_did(
    arena_file: Path,
) -> None:
    code = """
local first = Instance.new("Folder")
first.Name = "BuiltFirst"
first.Parent = workspace
workspace.Spawns.Spawn1:SetAttribute("Team", "Green")
error("the script breaks here")
local never = Instance.new("Folder")
never.Name = "NeverBuilt"
never.Parent = workspace
"""
    run = run_in_arena(arena_file, code)
    assert run.status.value == "error"
    diff = change_of(run).diff
    assert [i.path for i in diff.added] == ["Workspace.BuiltFirst"]
    assert [(c.path, [(a.name, a.old, a.new) for a in c.attributes]) for c in diff.changed] == [
        ("Workspace.Spawns.Spawn1", [("Team", "Red", "Green")])
    ]


def test_a_hostile_script_is_cut_at_the_export_limit_and_says_so() -> None:
    code = "for i = 1, 10500 do Instance.new('Folder').Parent = workspace end\n"
    run = run_script(code, kind="Script", export_world=True, isolate=False)
    assert run.world_after is not None and run.world_after.truncated
    assert run.world_after.total > 10500
    change = change_of(run)
    diff = change.diff
    # The cut is inside Workspace: the rest of the world is neither lost nor "removed".
    assert diff.removed == ()
    assert 9000 < len(diff.added) <= run.world_after.limit
    assert len(change.after) <= run.world_after.limit + 50
    assert change.after.find("ReplicatedStorage") is not None
    text = diff.to_text()
    assert "note: the world held" in text and "export stops at 10000" in text
    assert text.splitlines()[-1].startswith("... and ")
    assert len(text.splitlines()) < 250


def test_same_named_siblings_are_numbered_and_listed_in_tree_order() -> None:
    before = RobloxTree(roots=[_instance("Workspace", "Workspace")])
    after = RobloxTree(roots=[_instance("Workspace", "Workspace")])
    for name in ("Zed", "Part", "Part", "Alpha"):
        after.roots[0].add_child(_instance("Part", name, Transparency=Float32(0.5)))
    lamp = _instance("PointLight", "Lamp")
    before.roots[0].add_child(lamp)
    lamp.tags.append("Night")
    after.roots[0].add_child(_instance("PointLight", "Lamp"))
    diff = world_diff(before, after)
    assert [i.path for i in diff.added] == [
        "Workspace.Zed",
        "Workspace.Part",
        "Workspace.Part[2]",
        "Workspace.Alpha",
    ]
    assert [(c.path, c.tags_removed) for c in diff.changed] == [("Workspace.Lamp", ("Night",))]
    assert diff == world_diff(before, after)


def test_a_property_at_its_class_default_reads_as_that_default() -> None:
    """The export leaves defaults out: the diff shows the surface's default for
    the side that lacks one, `(default)` where the surface has none it can form."""
    before = RobloxTree(roots=[_instance("Workspace", "Workspace")])
    after = RobloxTree(roots=[_instance("Workspace", "Workspace")])
    # A PointLight is on by default with Range 8, a Part is Plastic (256); the
    # surface records no default for LocalTransparencyModifier.
    before.roots[0].add_child(_instance("PointLight", "Glow", Enabled=False))
    after.roots[0].add_child(_instance("PointLight", "Glow", Range=Float32(20)))
    before.roots[0].add_child(_instance("Part", "Floor"))
    after.roots[0].add_child(
        _instance("Part", "Floor", Material=EnumValue(1088), LocalTransparencyModifier=Float32(0.5))
    )
    diff = world_diff(before, after)
    lines = diff.to_text().splitlines()
    for line in (
        "    Enabled: false -> true",
        "    Range: 8 -> 20",
        "    Material: 256 -> 1088",
        "    LocalTransparencyModifier: (default) -> 0.5",
    ):
        assert line in lines, lines
    glow = json.loads(json.dumps(diff.to_dict()))["changed"][0]["properties"]
    assert glow == {
        "Enabled": {"old": False, "new": None, "default": True},
        "Range": {"old": None, "new": 20.0, "default": 8.0},
    }
    # A Font default names its weight; the export numbers it (Regular is 400).
    assert property_default("TextLabel", "FontFace") == Font(
        "rbxasset://fonts/families/LegacyArial.json", 400, "Normal"
    )
    floor = json.loads(json.dumps(diff.to_dict()))["changed"][1]["properties"]
    assert floor == {
        "LocalTransparencyModifier": {"old": None, "new": 0.5},
        "Material": {"old": None, "new": 1088, "default": 256},
    }


def test_run_cli_prints_the_diff_and_saves_the_world(arena_file: Path, tmp_path: Path) -> None:
    script = tmp_path / "Edit.server.luau"
    script.write_text(EDIT)
    out = tmp_path / "after.rbxmx"
    result = runner.invoke(
        app,
        ["run", str(script), "--place", str(arena_file), "--diff", "--save-world", str(out)],
    )
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert "World changes: 1 added, 1 removed, 2 changed" in lines
    assert "+ Workspace.Crate (Part)" in lines
    assert f"saved the world after the run to {out}" in result.stdout.replace("\n", "")
    assert load_roblox_file(out).find("Workspace.Crate") is not None

    result = runner.invoke(
        app, ["run", str(script), "--place", str(arena_file), "--diff", "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["world"]["status"] == "ok"
    assert [i["path"] for i in document["world"]["diff"]["removed"]] == [
        "ReplicatedStorage.Remotes.Damage"
    ]
    assert document["saved_world"] is None

    plain = runner.invoke(app, ["run", str(script), "--format", "json"])
    assert plain.exit_code == 0 and "world" not in json.loads(plain.stdout)


def test_save_world_needs_an_xml_file_name(tmp_path: Path) -> None:
    script = tmp_path / "a.server.luau"
    script.write_text("print(1)\n")
    result = runner.invoke(app, ["run", str(script), "--save-world", str(tmp_path / "w.rbxl")])
    assert result.exit_code == 2
    assert not (tmp_path / "w.rbxl").exists()


ANSWER = """```lua
-- file: ReplicatedStorage/BeaconConfig.luau
return { name = "Beacon", lit = true }
-- file: ServerScriptService/Beacon.server.luau
local config = require(game.ReplicatedStorage.BeaconConfig)
local beacon = Instance.new("Part")
beacon.Name = config.name
beacon.Anchored = true
beacon:SetAttribute("Lit", config.lit)
beacon.Parent = workspace
```"""


def test_the_assistant_keeps_the_world_change_of_its_best_version() -> None:
    gen = ScriptedGenerator([ANSWER])
    result = assist("Put a lit beacon in the workspace", gen, max_rounds=0, exec=False, world=True)
    assert result.world is not None
    # The answer's Script ran, with its ModuleScript there to require.
    assert result.world.script == "ServerScriptService/Beacon.server.luau"
    assert result.world.status == "ok"
    added = result.world.diff.added
    assert [(i.path, [(a.name, a.new) for a in i.attributes]) for i in added] == [
        ("Workspace.Beacon", [("Lit", True)])
    ]
    document = result.to_dict()
    assert document["world"]["diff"]["added"][0]["path"] == "Workspace.Beacon"
    without = assist("Put a lit beacon", ScriptedGenerator([ANSWER]), max_rounds=0, exec=False)
    assert without.world is None and without.to_dict()["world"] is None


def test_assist_cli_shows_the_diff_and_saves_the_world(tmp_path: Path) -> None:
    from luaurft.testing.fake_llm_server import FakeLLMServer

    out = tmp_path / "world.rbxmx"
    with FakeLLMServer(lambda _request: ANSWER) as server:
        base = ["assist", "A lit beacon", "--generator", f"openai:m@{server.openai_base_url}"]
        base += ["--rounds", "0", "--no-exec"]
        text = runner.invoke(app, [*base, "--diff", "--save-world", str(out)])
        document = runner.invoke(app, [*base, "--diff", "--format", "json"])
    assert text.exit_code == 0, text.output
    lines = text.stdout.splitlines()
    assert "world diff of ServerScriptService/Beacon.server.luau (ok)" in lines
    assert "+ Workspace.Beacon (Part)" in lines and "    attribute Lit = true" in lines
    saved = load_roblox_file(out)
    assert saved.find("Workspace.Beacon").attributes == {"Lit": True}  # type: ignore[union-attr]
    assert document.exit_code == 0, document.output
    world = json.loads(document.stdout)["world"]
    assert [i["path"] for i in world["diff"]["added"]] == ["Workspace.Beacon"]
