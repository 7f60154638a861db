"""`luaurft run`: one clean JSON document, exit 0 whatever the script did, 2 for usage errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from conftest import ROOT
from luaurft.cli import app

runner = CliRunner()


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT / "src")}


def _run_json(path: Path, *extra: str) -> dict:
    proc = subprocess.run(
        [sys.executable, "-m", "luaurft", "run", str(path), "--format", "json", *extra],
        env=_env(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    # Exactly one document, nothing else (pluau's "VM is being closed" goes elsewhere).
    return json.loads(proc.stdout)


def test_json_document_for_a_failing_script(tmp_path: Path) -> None:
    script = tmp_path / "bad.server.luau"
    script.write_text(
        'print("before")\nlocal part = Instance.new("Part")\npart.Colour = Color3.new(1, 0, 0)\n'
    )
    document = _run_json(script)
    assert document["status"] == "error"
    assert document["error"] == {
        "message": 'Colour is not a valid member of Part "Part"',
        "line": 3,
    }
    assert document["output"][0] == {"stream": "print", "text": "before"}
    assert document["effects"]["instances_created"] == {"Part": 1}
    assert list(document)[:4] == ["status", "error", "output", "effects"]


def test_json_document_for_a_runaway_script(tmp_path: Path) -> None:
    script = tmp_path / "loop.luau"
    script.write_text("local n = 0\nwhile true do\n\tn += 1\nend\n")
    document = _run_json(script, "--seconds", "1")
    assert document["status"] == "timeout"
    assert document["error"]["line"] in (2, 3, 4)


def test_effects_show_what_the_script_did() -> None:
    result = runner.invoke(app, ["run", str(ROOT / "examples" / "leaderstats.server.luau")])
    assert result.exit_code == 0
    assert "ok" in result.stdout
    assert "DataStore writes" in result.stdout and "IntValue" in result.stdout


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    assert runner.invoke(app, ["run", str(tmp_path / "missing.luau")]).exit_code == 2
    script = tmp_path / "ok.luau"
    script.write_text("print(1)\n")
    assert runner.invoke(app, ["run", str(script), "--kind", "Widget"]).exit_code == 2
    binary = tmp_path / "bin.luau"
    binary.write_bytes(b"\xff\xfe\x00")
    assert runner.invoke(app, ["run", str(binary)]).exit_code == 2


def test_score_runs_code_unless_told_not_to(tmp_path: Path) -> None:
    script = tmp_path / "bad.luau"
    script.write_text('local part = Instance.new("Part")\npart.Colour = Color3.new(1, 0, 0)\n')
    with_exec = json.loads(runner.invoke(app, ["score", str(script), "--format", "json"]).stdout)
    entry = with_exec["results"][0]
    assert entry["scores"]["exec"] <= 0.4
    assert any(f["rule"] == "exec/runtime-error" and f["line"] == 2 for f in entry["findings"])
    without = json.loads(
        runner.invoke(app, ["score", str(script), "--format", "json", "--no-exec"]).stdout
    )
    entry = without["results"][0]
    assert "exec" not in entry["scores"]
    assert not any(f["rule"].startswith("exec/") for f in entry["findings"])


def test_hostile_remotes_flag_probes_server_handlers(tmp_path: Path) -> None:
    script = tmp_path / "give.server.luau"
    script.write_text(
        'local remote = Instance.new("RemoteEvent")\nremote.Parent = workspace\n'
        "remote.OnServerEvent:Connect(function(player, amount: number)\n"
        "\tprint(amount + 1)\nend)\n"
    )
    calm = runner.invoke(app, ["run", str(script), "--format", "json"])
    assert calm.exit_code == 0 and json.loads(calm.stdout)["status"] == "ok"
    probed = runner.invoke(app, ["run", str(script), "--format", "json", "--hostile-remotes"])
    document = json.loads(probed.stdout)
    assert probed.exit_code == 0 and document["status"] == "error"
    assert document["error"]["line"] == 4
