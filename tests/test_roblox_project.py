"""Files of a multi-file project run in their project: siblings exist, requires load them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from luaurft.agent.assist import score_files
from luaurft.agent.execution import run_answer
from luaurft.agent.files import split_answer
from luaurft.agent.scoring import make_score_fn
from luaurft.cli import app
from luaurft.roblox.mock import run_script
from luaurft.roblox.project import InProject, ProjectLookup, ProjectTree, dotted, split_dotted
from luaurft.scoring import score_source
from luaurft.scoring.report import score_paths

MAIN = """\
local Util = require(script.Parent.Util)
local Lib = require(script.Parent.Lib)
print(Util.greet("Ana"), Lib.value)
"""
UTIL = """\
local Config = require(script.Parent.Config)
local Util = {}
function Util.greet(name: string): string
\treturn Config.prefix .. name
end
return Util
"""
CONFIG = 'return { prefix = "hello " }\n'
LIB_INIT = "local Helper = require(script.Helper)\nreturn { value = Helper.double(21) }\n"
HELPER = "return { double = function(x: number): number\n\treturn x * 2\nend }\n"
# Indexes nil while the module loads: a real bug.
BROKEN_UTIL = """\
local Config = require(script.Parent.Config)
local missing = nil
local Util = { prefix = missing.prefix }
function Util.greet(name: string): string
\treturn Config.prefix .. name
end
return Util
"""


def write_project(root: Path, util: str = UTIL) -> Path:
    src = root / "game"
    (src / "Lib").mkdir(parents=True)
    (src / "Main.server.luau").write_text(MAIN)
    (src / "Util.luau").write_text(util)
    (src / "Config.luau").write_text(CONFIG)
    (src / "Lib" / "init.luau").write_text(LIB_INIT)
    (src / "Lib" / "Helper.luau").write_text(HELPER)
    return src


def runtime_errors(card: object) -> list[str]:
    return [f.message for f in card.findings if f.rule == "exec/runtime-error"]  # type: ignore[attr-defined]


def test_tree_follows_rojo_conventions(tmp_path: Path) -> None:
    src = write_project(tmp_path)
    (src / "Boot.client.lua").write_text("print('client')\n")
    tree = ProjectTree.from_folder(src)
    classes = {n.dotted_path: n.class_name for n in tree.nodes}
    assert classes == {
        "ReplicatedStorage.game": "Folder",
        "ReplicatedStorage.game.Boot": "LocalScript",
        "ReplicatedStorage.game.Config": "ModuleScript",
        "ReplicatedStorage.game.Lib": "ModuleScript",
        "ReplicatedStorage.game.Lib.Helper": "ModuleScript",
        "ReplicatedStorage.game.Main": "Script",
        "ReplicatedStorage.game.Util": "ModuleScript",
    }
    # Parents come before their children.
    order = [n.path for n in tree.nodes]
    assert order.index(("ReplicatedStorage", "game", "Lib")) < order.index(
        ("ReplicatedStorage", "game", "Lib", "Helper")
    )


def test_dotted_paths_keep_dots_inside_names() -> None:
    path = ("ReplicatedStorage", "pkg-1.2.0", "a\\b")
    assert split_dotted(dotted(path)) == path


def test_per_file_fails_and_project_runs_clean(tmp_path: Path) -> None:
    src = write_project(tmp_path)
    tree = ProjectTree.from_folder(src)
    main = src / "Main.server.luau"
    # Alone, the modules it requires are not there: no exec score, and why.
    alone = score_source(MAIN, path=str(main), exec=True)
    assert alone.scores["exec"] is None and runtime_errors(alone) == []
    assert alone.extra["exec_not_run"].startswith("needs module Util, which is not in this code")
    for file in (main, src / "Util.luau", src / "Lib" / "init.luau", src / "Lib" / "Helper.luau"):
        located = InProject.locate(tree, file)
        assert located is not None
        card = score_source(file.read_text(), path=str(file), exec=True, project=located)
        assert runtime_errors(card) == [], file
        assert card.scores["exec"] == 1.0, file
        assert card.extra["project"]["instance"] == dotted(located.node.path)
    run = run_script(MAIN, project=tree, path_in_project=main)
    assert [o.text for o in run.output] == ["hello Ana 42"]


def test_a_real_bug_is_still_reported_in_the_project(tmp_path: Path) -> None:
    src = write_project(tmp_path, util=BROKEN_UTIL)
    tree = ProjectTree.from_folder(src)
    main, util = src / "Main.server.luau", src / "Util.luau"
    main_card = score_source(MAIN, path=str(main), exec=True, project=InProject.locate(tree, main))
    assert any(
        "Requested module experienced an error while loading" in m
        for m in runtime_errors(main_card)
    )
    assert [f.line for f in main_card.findings if f.rule == "exec/runtime-error"] == [1]
    util_card = score_source(
        BROKEN_UTIL, path=str(util), exec=True, project=InProject.locate(tree, util)
    )
    errors = [f for f in util_card.findings if f.rule == "exec/runtime-error"]
    assert [f.line for f in errors] == [3]
    assert "index nil" in errors[0].message
    assert util_card.scores["exec"] is not None and util_card.scores["exec"] <= 0.4


def test_a_project_module_that_does_not_compile_fails_its_require(tmp_path: Path) -> None:
    src = write_project(tmp_path, util="local Util = {\nreturn Util\n")
    tree = ProjectTree.from_folder(src)
    main = src / "Main.server.luau"
    run = run_script(MAIN, project=tree, path_in_project=main)
    user = [e for e in run.errors if e.chunk == "user"]
    assert [e.line for e in user] == [1]
    assert "Requested module experienced an error while loading" in user[0].message


def test_other_scripts_exist_but_do_not_run(tmp_path: Path) -> None:
    src = write_project(tmp_path)
    (src / "Noisy.server.luau").write_text('print("noisy ran")\n')
    tree = ProjectTree.from_folder(src)
    run = run_script(MAIN, project=tree, path_in_project=src / "Main.server.luau")
    assert "noisy ran" not in [o.text for o in run.output]
    probe = "print(script.Parent:FindFirstChild('Noisy').ClassName)\n"
    (src / "Probe.server.luau").write_text(probe)
    tree = ProjectTree.from_folder(src)
    run = run_script(probe, project=tree, path_in_project=src / "Probe.server.luau")
    assert [o.text for o in run.output] == ["Script"]


def test_version_names_the_project(tmp_path: Path) -> None:
    src = write_project(tmp_path)
    main = src / "Main.server.luau"
    located = InProject.locate(ProjectTree.from_folder(src), main)
    with_project = score_source(MAIN, path=str(main), exec=True, project=located)
    alone = score_source(MAIN, path=str(main), exec=True)
    assert with_project.scorer_version != alone.scorer_version
    assert with_project.scorer_version.startswith(alone.scorer_version + "+project.")
    # Changing a sibling changes the version: a cached result is never reused.
    (src / "Config.luau").write_text('return { prefix = "hi " }\n')
    changed = InProject.locate(ProjectTree.from_folder(src), main)
    assert changed is not None and located is not None
    assert changed.fingerprint != located.fingerprint


def test_default_project_json_mapping_is_honoured(tmp_path: Path) -> None:
    (tmp_path / "src" / "shared").mkdir(parents=True)
    (tmp_path / "src" / "server").mkdir(parents=True)
    (tmp_path / "src" / "shared" / "Prices.luau").write_text("return { Sword = 100 }\n")
    server = tmp_path / "src" / "server" / "Shop.server.luau"
    code = (
        'local Prices = require(game:GetService("ReplicatedStorage").Shared.Prices)\n'
        "print(Prices.Sword, script.Parent.Name, script.Parent.Parent.Name)\n"
    )
    server.write_text(code)
    (tmp_path / "default.project.json").write_text(
        json.dumps(
            {
                "name": "shop",
                "tree": {
                    "$className": "DataModel",
                    "ReplicatedStorage": {"Shared": {"$path": "src/shared"}},
                    "ServerScriptService": {"Server": {"$path": "src/server"}},
                },
            }
        )
    )
    tree = ProjectTree.from_folder(tmp_path / "src")
    assert tree.project_file == (tmp_path / "default.project.json").resolve()
    node = tree.node_for(server)
    assert node is not None and node.path == ("ServerScriptService", "Server", "Shop")
    run = run_script(code, project=tree, path_in_project=server)
    assert run.errors == []
    assert [o.text for o in run.output] == ["100 Server ServerScriptService"]


def test_bad_file_is_reported_and_the_rest_are_scored(tmp_path: Path) -> None:
    src = write_project(tmp_path)
    (src / "Broken.luau").write_bytes(b"return {\xff\xfe}\n")
    tree = ProjectTree.from_folder(src)
    assert [Path(p.path).name for p in tree.problems] == ["Broken.luau"]
    assert "UTF-8" in tree.problems[0].message
    outcomes = list(score_paths([str(src)], exec=True))
    errors = [o for o in outcomes if not hasattr(o, "card")]
    results = [o for o in outcomes if hasattr(o, "card")]
    assert [Path(e.path).name for e in errors] == ["Broken.luau"]
    assert len(results) == 5
    assert all(r.card.scores["exec"] == 1.0 for r in results)  # type: ignore[union-attr]


def test_lookup_builds_one_tree_per_folder(tmp_path: Path) -> None:
    src = write_project(tmp_path)
    lookup = ProjectLookup([str(src), str(src / "Config.luau")])
    assert len(lookup.trees) == 1
    first = lookup.find(str(src / "Util.luau"))
    second = lookup.find(str(src / "Config.luau"))
    assert first is not None and second is not None and first.tree is second.tree
    assert lookup.find(str(tmp_path / "elsewhere.luau")) is None


def test_cli_reports_project_context_and_no_project_restores_per_file(tmp_path: Path) -> None:
    src = write_project(tmp_path)
    runner = CliRunner()
    result = runner.invoke(app, ["score", str(src), "--format", "json"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    by_name = {Path(r["path"]).name: r for r in document["results"]}
    assert by_name["Main.server.luau"]["project"]["instance"] == "ReplicatedStorage.game.Main"
    assert by_name["Main.server.luau"]["scores"]["exec"] == 1.0
    assert document["projects"][0]["scripts"] == 5
    result = runner.invoke(app, ["score", str(src), "--format", "json", "--no-project"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    by_name = {Path(r["path"]).name: r for r in document["results"]}
    assert "project" not in by_name["Main.server.luau"]
    assert "projects" not in document
    # Per file, Main's modules are not there: it is not run (no exec score).
    assert by_name["Main.server.luau"]["scores"]["exec"] is None
    assert by_name["Util.luau"]["scores"]["exec"] is None


ANSWER = """\
-- file: ServerScriptService/Shop.server.luau
local ReplicatedStorage = game:GetService("ReplicatedStorage")
local ShopConfig = require(ReplicatedStorage.Shared.ShopConfig)
print("price", ShopConfig.price("Sword"))
-- file: ReplicatedStorage/Shared/ShopConfig.luau
local ShopConfig = {}
local prices = { Sword = 100 }
function ShopConfig.price(item: string): number
\treturn prices[item] or 0
end
return ShopConfig
"""


def test_agent_answer_files_run_together() -> None:
    files = split_answer(ANSWER)
    assert len(files) == 2
    reports = run_answer(files)
    shop = reports["ServerScriptService/Shop.server.luau"]
    assert shop["status"] == "ok", shop["error"]
    assert [o["text"] for o in shop["output"]] == ["price 100"]
    assert shop["project"]["instance"] == "ServerScriptService.Shop"
    scored = score_files(files, make_score_fn(exec=True))
    for file in scored:
        assert file.card.scores["exec"] == 1.0, (file.path, file.card.findings)
        assert "project" in file.card.extra


def test_agent_lone_script_still_fails_without_its_module() -> None:
    shop = split_answer(ANSWER)[0]
    (report,) = run_answer([shop]).values()
    assert report["status"] == "error"
    assert "project" not in report


def test_run_script_rejects_a_file_outside_the_project(tmp_path: Path) -> None:
    tree = ProjectTree.from_folder(write_project(tmp_path))
    with pytest.raises(ValueError, match="not a script of the project"):
        run_script(MAIN, project=tree, path_in_project=tmp_path / "nowhere.luau")


def test_a_script_that_needs_a_part_parent_keeps_its_container(tmp_path: Path) -> None:
    src = write_project(tmp_path)
    code = (
        'local part = script.Parent\nassert(part:IsA("BasePart"), "needs a part")\n'
        "local Util = require(game:GetService('ReplicatedStorage').game.Util)\n"
        "part.Touched:Connect(function() print(Util.greet('x')) end)\n"
    )
    file = src / "Brick.server.luau"
    file.write_text(code)
    run = run_script(code, project=ProjectTree.from_folder(src), path_in_project=file)
    assert run.errors == []
    assert run.placement == "Workspace.Part"


def test_a_run_builds_only_what_its_code_can_reach(tmp_path: Path) -> None:
    src = write_project(tmp_path)
    for n in range(5):
        (src / f"Unrelated{n}.luau").write_text(f"return {{ id = {n} }}\n")
    (src / "Commands").mkdir()
    (src / "Commands" / "kick.luau").write_text('return { Name = "kick" }\n')
    (src / "Commands" / "ban.luau").write_text('return { Name = "ban" }\n')
    tree = ProjectTree.from_folder(src)
    main = tree.node_for(src / "Main.server.luau")
    assert main is not None
    built = {node.name for node in tree.needed_by(main, MAIN)}
    # What Main requires, and what those modules require in turn, with their folders.
    assert {"Main", "Util", "Config", "Lib", "Helper", "game"} <= built
    assert not {f"Unrelated{n}" for n in range(5)} & built
    assert not {"Commands", "kick", "ban"} & built
    # Code that lists a folder's children gets every child of the folders it names.
    registry = "local found = {}\nfor _, m in script.Parent.Commands:GetChildren() do\n\ttable.insert(found, require(m).Name)\nend\nprint(#found)\nreturn found\n"
    (src / "Registry.luau").write_text(registry)
    tree = ProjectTree.from_folder(src)
    node = tree.node_for(src / "Registry.luau")
    assert node is not None
    assert {"Commands", "kick", "ban"} <= {n.name for n in tree.needed_by(node, registry)}
    run = run_script(registry, project=tree, path_in_project=src / "Registry.luau")
    assert not run.errors, run.errors


def test_a_link_back_up_the_tree_is_reported_not_followed(tmp_path: Path) -> None:
    src = write_project(tmp_path)
    (src / "Lib" / "up").symlink_to(src, target_is_directory=True)
    tree = ProjectTree.from_folder(src)
    assert [p.path for p in tree.problems] == [str(src / "Lib" / "up")]
    assert "links back" in tree.problems[0].message
    # Each file of the project is built once, under its real place.
    assert sum(1 for n in tree.scripts if n.name == "Helper") == 1
