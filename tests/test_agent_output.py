"""`assist --out`: bad file names are refused with a reason and the answer is never lost;
the folder gets a Rojo project that places every script."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import EXAMPLES
from luaurft.agent.output import UNSAVED_DIR, path_problem, write_answer
from luaurft.cli import app
from luaurft.roblox.project import ProjectTree
from luaurft.testing.fake_llm_server import FakeLLMServer

CLEAN = (EXAMPLES / "leaderstats.server.luau").read_text()


@dataclass(frozen=True)
class F:
    path: str
    source: str


def test_unusable_names_are_refused_saved_aside_and_the_rest_written(tmp_path: Path) -> None:
    out = tmp_path / "out"
    (out / "ServerScriptService" / "Taken.server.luau").mkdir(parents=True)
    outside = tmp_path / "outside"
    outside.mkdir()
    (out / "Linked").symlink_to(outside)
    files = [
        F("ServerScriptService/Good.server.luau", "print('good')\n"),
        F("ServerScriptService/Nul\x00.server.luau", "print('nul')\n"),
        F("ReplicatedStorage/" + "L" * 300 + ".luau", "return 'long'\n"),
        F("/".join(["d"] * 3000) + "/Deep.luau", "return 'deep'\n"),
        F("ReplicatedStorage/Util.luau", "return 'file'\n"),
        F("ReplicatedStorage/Util.luau/Inner.luau", "return 'clash'\n"),
        F("ServerScriptService/Taken.server.luau", "print('folder there')\n"),
        F("Linked/Escape.server.luau", "print('through a link')\n"),
    ]
    report = write_answer(files, out)
    assert report.written == [
        out / "ServerScriptService" / "Good.server.luau",
        out / "ReplicatedStorage" / "Util.luau",
    ]
    reasons = {r.source: r.reason for r in report.rejected}
    assert "NUL" in reasons["print('nul')\n"]
    assert "305 characters" in reasons["return 'long'\n"]
    assert "nested folders" in reasons["return 'deep'\n"]
    assert "not a folder" in reasons["return 'clash'\n"]
    assert "already exists" in reasons["print('folder there')\n"]
    assert "symbolic link" in reasons["print('through a link')\n"]
    assert list(outside.iterdir()) == []  # nothing followed the link
    # Every refused file is on disk under a safe name, with its code.
    for rejected in report.rejected:
        assert rejected.saved_to is not None and rejected.saved_to.parent == out / UNSAVED_DIR
        assert rejected.saved_to.read_text() == rejected.source


def test_an_unusable_output_folder_hands_every_file_back(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    report = write_answer([F("Main.server.luau", "print(1)\n")], blocker)
    assert report.written == []
    (rejected,) = report.rejected
    assert rejected.saved_to is None and rejected.source == "print(1)\n"
    assert "output folder" in rejected.reason


def test_ordinary_names_are_fine() -> None:
    assert path_problem("ServerScriptService/Shop/Main.server.luau") is None
    assert path_problem("a/../b.luau") is not None


def test_the_project_file_places_each_script_as_studio_would(tmp_path: Path) -> None:
    files = [
        F("Lone.server.luau", "print(1)\n"),
        F("StarterPlayer/StarterPlayerScripts/Ui.client.luau", "print(2)\n"),
        F("ReplicatedStorage/Config.luau", "return {}\n"),
        F("Helper.luau", "return {}\n"),
    ]
    report = write_answer(files, tmp_path)
    assert report.project_file == tmp_path / "default.project.json"
    tree = ProjectTree.from_folder(tmp_path)
    placed = {node.file.name: ".".join(node.path) for node in tree.nodes if node.file}
    assert placed == {
        "Lone.server.luau": "ServerScriptService.Lone",
        "Ui.client.luau": "StarterPlayer.StarterPlayerScripts.Ui",
        "Config.luau": "ReplicatedStorage.Config",
        "Helper.luau": "ReplicatedStorage.Helper",
    }
    # A second answer into the same folder: our project file is rewritten to cover both.
    write_answer([F("Second.server.luau", "print(3)\n")], tmp_path)
    document = json.loads((tmp_path / "default.project.json").read_text())
    assert set(document["tree"]["ServerScriptService"]) == {"Lone", "Second"}


def test_a_users_own_project_file_is_kept(tmp_path: Path) -> None:
    mine = tmp_path / "default.project.json"
    mine.write_text('{"name": "mine", "tree": {"$path": "src"}}')
    report = write_answer([F("Lone.server.luau", "print(1)\n")], tmp_path)
    assert report.project_file is None and any("kept your" in n for n in report.notes)
    assert json.loads(mine.read_text())["name"] == "mine"


@pytest.mark.timeout(300)
def test_assist_out_keeps_an_answer_with_a_bad_name(tmp_path: Path) -> None:
    long_name = "ReplicatedStorage/" + "N" * 300 + ".luau"
    answer = (
        f"-- file: ServerScriptService/Stats.server.luau\n{CLEAN}\n"
        f"-- file: {long_name}\nreturn {{ Coins = 1 }}\n"
    )
    with FakeLLMServer(lambda _request: answer) as server:
        result = CliRunner().invoke(
            app,
            ["assist", "Leaderstats with coins", "--no-exec", "--rounds", "0",
             "--generator", f"openai:fake@{server.openai_base_url}", "--out", str(tmp_path)],
        )  # fmt: skip
    assert result.exit_code == 1, result.output
    assert (tmp_path / "ServerScriptService" / "Stats.server.luau").read_text().strip() == (
        CLEAN.strip()
    )
    assert "not written" in result.stderr and "305 characters" in result.stderr
    (saved,) = (tmp_path / UNSAVED_DIR).iterdir()
    assert "Coins = 1" in saved.read_text()
    assert (tmp_path / "default.project.json").is_file()
