"""`luaurft assist --place`: the assistant's candidates run, and are diffed, in the
user's place, and the model is shown an outline of it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from luaurft.agent.assist import task_prompt
from luaurft.agent.execution import run_answer
from luaurft.agent.files import AnswerFile, split_answer
from luaurft.cli import app
from luaurft.roblox.files import Instance, RobloxTree, save_xml
from luaurft.roblox.files.values import CFrame, ProtectedString, Vector3
from luaurft.roblox.place import load_place
from luaurft.roblox.place_outline import OUTLINE_MAX_INSTANCES, place_outline
from luaurft.roblox.project import ProjectNode, ProjectTree
from luaurft.testing.fake_llm_server import FakeLLMServer, FakeRequest

pytestmark = pytest.mark.timeout(120)
runner = CliRunner()

TASK = "Make every light in the school turn on at night"
LAMPS = 3


def _instance(class_name: str, name: str, **properties: object) -> Instance:
    instance = Instance(class_name)
    instance.properties["Name"] = name
    instance.properties.update(properties)  # type: ignore[arg-type]
    return instance


def school() -> RobloxTree:
    """A school with lamps whose PointLights are off, and a script of its own."""
    workspace = _instance("Workspace", "Workspace")
    building = workspace.add_child(_instance("Model", "School"))
    building.add_child(_instance("Part", "Floor", size=Vector3(60, 1, 40), Anchored=True))
    lights = building.add_child(_instance("Folder", "Lights"))
    for index in range(1, LAMPS + 1):
        lamp = lights.add_child(
            _instance("Part", f"Lamp{index}", CFrame=CFrame(Vector3(index * 8.0, 10, 0)))
        )
        lamp.add_child(_instance("PointLight", "Glow", Enabled=False, Range=16.0))
    server = _instance("ServerScriptService", "ServerScriptService")
    server.add_child(_instance("Script", "Bell", Source=ProtectedString("print('ring')\n")))
    return RobloxTree(roots=[workspace, server])


# The place holds no day-night cycle, so the script runs the clock itself; it finds
# the school with FindFirstChild, which the mock world never builds on a guess.
ANSWER = """```lua
-- file: ServerScriptService/SchoolLights.server.luau
local Lighting = game:GetService("Lighting")

local NIGHT_STARTS = 18
local NIGHT_ENDS = 6
local HOURS_PER_SECOND = 2

local school = workspace:FindFirstChild("School") :: Model
local lights = school:FindFirstChild("Lights") :: Folder

local function isNight(): boolean
	local hour = Lighting.ClockTime
	return hour >= NIGHT_STARTS or hour < NIGHT_ENDS
end

local function update()
	local night = isNight()
	for _, light in lights:GetDescendants() do
		if light:IsA("Light") then
			light.Enabled = night
		end
	end
end

Lighting:GetPropertyChangedSignal("ClockTime"):Connect(update)
update()

while true do
	local elapsed = task.wait(0.5)
	Lighting.ClockTime = (Lighting.ClockTime + elapsed * HOURS_PER_SECOND) % 24
end
```"""


@pytest.fixture
def school_file(tmp_path: Path) -> Path:
    return save_xml(school(), tmp_path / "school.rbxlx")


def assist_json(
    place: Path | None, *extra: str
) -> tuple[int, dict[str, object] | str, list[FakeRequest]]:
    requests: list[FakeRequest] = []

    def answer(request: FakeRequest) -> str:
        requests.append(request)
        return ANSWER

    with FakeLLMServer(answer) as server:
        args = ["assist", TASK, "--generator", f"openai:m@{server.openai_base_url}"]
        args += ["--rounds", "0", "--diff", "--format", "json", *extra]
        if place is not None:
            args += ["--place", str(place)]
        result = runner.invoke(app, args)
    if result.exit_code != 0:
        return result.exit_code, result.output, requests
    return result.exit_code, json.loads(result.stdout), requests


def test_in_the_place_the_lights_are_found_and_turned_on(school_file: Path) -> None:
    code, document, requests = assist_json(school_file)
    assert code == 0, document
    assert isinstance(document, dict)
    assert document["place"] == str(school_file)
    (best,) = document["rounds"]  # type: ignore[misc]
    (scored,) = best["files"]
    assert scored["path"] == "ServerScriptService/SchoolLights.server.luau"
    assert scored["scores"]["exec"] == 1.0, scored["findings"]
    world = document["world"]
    assert isinstance(world, dict) and world["status"] == "ok"
    changed = {c["path"]: c for c in world["diff"]["changed"]}
    glows = [f"Workspace.School.Lights.Lamp{i}.Glow" for i in range(1, LAMPS + 1)]
    for path in glows:
        assert path in changed, sorted(changed)
        assert changed[path]["properties"]["Enabled"] == {
            "old": False,
            "new": None,
            "default": True,
        }
    # Nothing of the place was lost or invented: its own script is still there, unrun.
    assert world["diff"]["added"] == [] and world["diff"]["removed"] == []
    # The model was told what the place holds, the school's lights first.
    (request,) = requests
    prompt = request.last_user_text
    assert "The code runs in an existing place" in prompt
    assert "School (Model)" in prompt and "Lights (Folder)" in prompt
    assert "Lamp1 (Part)" in prompt and "Glow (PointLight)" in prompt
    assert "Bell (Script)" in prompt


def test_without_the_place_the_same_answer_fails_its_run(school_file: Path) -> None:
    code, document, requests = assist_json(None)
    assert code == 0, document
    assert isinstance(document, dict) and document["place"] is None
    (best,) = document["rounds"]  # type: ignore[misc]
    (scored,) = best["files"]
    assert scored["scores"]["exec"] < 1.0
    errors = [f["message"] for f in scored["findings"] if f["rule"] == "exec/runtime-error"]
    assert errors and "attempt to index nil" in errors[0]
    world = document["world"]
    assert isinstance(world, dict) and world["status"] == "error"
    assert not any("School" in c["path"] for c in world["diff"]["changed"])
    assert "existing place" not in requests[0].last_user_text


def test_the_diff_is_printed_against_the_place(school_file: Path, tmp_path: Path) -> None:
    saved = tmp_path / "after.rbxmx"
    with FakeLLMServer(lambda _request: ANSWER) as server:
        args = ["assist", TASK, "--generator", f"openai:m@{server.openai_base_url}"]
        args += ["--rounds", "0", "--place", str(school_file), "--diff"]
        result = runner.invoke(app, [*args, "--save-world", str(saved)])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert "world diff of ServerScriptService/SchoolLights.server.luau (ok)" in lines
    assert "~ Workspace.School.Lights.Lamp2.Glow (PointLight)" in lines
    # The export leaves a light's default (on) out; the diff still names it.
    assert "    Enabled: false -> true" in lines
    after = load_place(saved)
    assert any(n.dotted_path == "Workspace.School.Lights.Lamp3.Glow" for n in after.nodes)


def test_an_answer_without_file_names_runs_where_studio_would_put_it(school_file: Path) -> None:
    # No marker: the one script is named from the task, with no service in its path.
    (lone,) = split_answer(ANSWER.replace("-- file: ServerScriptService/", "-- "), TASK)
    assert "/" not in lone.path
    place = load_place(school_file)
    (report,) = run_answer([lone], place=place).values()
    assert report["status"] == "ok", report["error"]
    assert report["project"]["instance"] == f"ServerScriptService.{lone.path.split('.')[0]}"
    # Outside the place the same script finds no school.
    (alone,) = run_answer([AnswerFile(lone.path, lone.source)]).values()
    assert alone["status"] == "error" and "project" not in alone


@pytest.mark.parametrize(
    ("content", "says"),
    [(None, "cannot open the file"), (b"<roblox version=", "school.rbxlx")],
)
def test_a_place_that_cannot_be_read_is_a_usage_error(
    tmp_path: Path, content: bytes | None, says: str
) -> None:
    place = tmp_path / "school.rbxlx"
    if content is not None:
        place.write_bytes(content)
    # No model is asked anything: the place is read before the generator is built.
    result = runner.invoke(
        app,
        ["assist", TASK, "--generator", "openai:m@http://127.0.0.1:9/v1", "--place", str(place)],
    )
    assert result.exit_code == 2
    assert "--place" in result.output and says in result.output


# -- the outline ------------------------------------------------------------------------


def _tree(paths: list[tuple[tuple[str, ...], str]]) -> ProjectTree:
    nodes = tuple(ProjectNode(path, cls) for path, cls in paths)
    return ProjectTree(root=Path("game.rbxl"), nodes=nodes)


def crowded() -> ProjectTree:
    """500 trees in Workspace, then a map with a school deep inside, remotes elsewhere."""
    paths: list[tuple[tuple[str, ...], str]] = [
        (("Workspace", f"Tree{i}"), "Part") for i in range(500)
    ]
    paths += [(("Workspace", "Map"), "Model"), (("Workspace", "Map", "Town"), "Folder")]
    paths += [(("Workspace", "Map", "Town", "School"), "Model")]
    paths += [(("Workspace", "Map", "Town", "School", "CeilingLights"), "Folder")]
    paths += [(("ReplicatedStorage", "Remotes"), "Folder")]
    paths += [(("ReplicatedStorage", "Remotes", f"Remote{i}"), "RemoteEvent") for i in range(20)]
    paths += [(("ServerScriptService", "Main"), "Script")]
    return _tree(paths)


def test_the_outline_is_bounded_and_says_what_it_left_out() -> None:
    outline = place_outline(crowded())
    lines = outline.splitlines()
    instance_lines = [line for line in lines if "(" in line and not line.startswith("(")]
    assert len(instance_lines) == OUTLINE_MAX_INSTANCES
    assert lines[-1] == f"({OUTLINE_MAX_INSTANCES} of 526 instances shown)"
    # One crowded folder does not hide the rest: the first child of every parent
    # comes before the second of any.
    assert "ReplicatedStorage" in lines and "  Main (Script)" in lines
    assert "    Remote0 (RemoteEvent)" in lines
    shown_trees = sum(1 for line in lines if line.startswith("  Tree"))
    assert 0 < shown_trees < 500
    # Workspace holds 500 trees and Map; the line says how many of them are not listed.
    assert f"Workspace … {501 - shown_trees} more inside" in lines


def test_the_outline_reaches_what_the_task_names_however_deep() -> None:
    without = place_outline(crowded(), max_instances=10)
    assert "School" not in without
    outline = place_outline(crowded(), "Turn the school's lights on at night", max_instances=10)
    lines = outline.splitlines()
    # The school and its lights, under their ancestors, indented by depth.
    at = lines.index("  Map (Model)")
    assert lines[at + 1 : at + 4] == [
        "    Town (Folder)",
        "      School (Model)",
        "        CeilingLights (Folder)",
    ]
    assert lines[-1] == "(10 of 526 instances shown)"


def test_the_prompt_carries_the_outline_only_with_a_place(school_file: Path) -> None:
    place = load_place(school_file)
    with_place = task_prompt(TASK, place=place)
    assert with_place.startswith(TASK)
    assert place_outline(place, TASK) in with_place
    assert task_prompt(TASK) == task_prompt(TASK, place=None)
    assert "existing place" not in task_prompt(TASK)
