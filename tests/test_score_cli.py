"""`luaurft score`: file collection, the JSON/JSONL/SARIF documents, exit codes, clean stdout."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from conftest import EXAMPLES, LEADERSTATS_SCRIPT, ROOT, example_files
from luaurft.cli import app
from luaurft.cli._progress import PeriodicLines as progress_lines
from luaurft.errors import LuaurftError
from luaurft.scoring.registry import all_rules
from luaurft.scoring.report import (
    FileError,
    FileResult,
    collect_files,
    json_document,
    sarif_document,
    score_file,
    score_paths,
    worker_count,
)

runner = CliRunner()

BROKEN = "local function f()\n\tif x then\n\t\tprint(1)\nend\n"


def invoke(*args: str, input: str | bytes | None = None):
    return runner.invoke(app, ["score", *args], input=input)


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    (tmp_path / "good.luau").write_text(LEADERSTATS_SCRIPT)
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "broken.lua").write_text(BROKEN)
    (tmp_path / "sub" / "binary.luau").write_bytes(b"\x00\xff\xfe compiled chunk")
    (tmp_path / "notes.txt").write_text("not Luau")
    (tmp_path / ".hidden").mkdir()
    (tmp_path / ".hidden" / "skip.luau").write_text("print(1)\n")
    return tmp_path


# -- file collection ----------------------------------------------------------------


def test_unknown_kind_is_a_usage_error(tree: Path) -> None:
    result = invoke(str(tree / "good.luau"), "--kind", "Widget")
    assert result.exit_code == 2
    assert "--kind" in result.output


def test_collect_walks_directories_for_luau_only(tree: Path) -> None:
    files = collect_files([str(tree)])
    assert [Path(f).relative_to(tree).as_posix() for f in files] == [
        "good.luau",
        "sub/binary.luau",
        "sub/broken.lua",
    ]


def test_collect_keeps_order_stdin_and_drops_repeats(tree: Path) -> None:
    good = str(tree / "good.luau")
    assert collect_files([good, "-", good, str(tree / "notes.txt")]) == [
        good,
        "-",
        str(tree / "notes.txt"),
    ]


def test_collect_refuses_missing_paths() -> None:
    with pytest.raises(LuaurftError, match="no such file"):
        collect_files(["/no/such/place.luau"])


def test_unreadable_and_binary_files_become_errors_and_the_rest_go_on(tree: Path) -> None:
    (tree / "sub" / "dangling.luau").symlink_to(tree / "missing-target")
    outcomes = list(score_paths([str(tree)]))
    errors = {Path(o.path).name: o.message for o in outcomes if isinstance(o, FileError)}
    results = {Path(o.path).name for o in outcomes if isinstance(o, FileResult)}
    assert results == {"good.luau", "broken.lua"}
    assert set(errors) == {"binary.luau", "dangling.luau"}
    assert "UTF-8" in errors["binary.luau"] and "cannot read" in errors["dangling.luau"]


def test_hostile_files_are_refused_or_finish_and_the_rest_go_on(tmp_path: Path) -> None:
    from luaurft.luau.files import DEFAULT_MAX_BYTES
    from luaurft.scoring.report import MAX_SOURCE_LINES

    (tmp_path / "ok.luau").write_text(LEADERSTATS_SCRIPT)
    # Deep nesting is analysed: bracket matching costs what it closes, not the depth.
    depth = 20_000
    (tmp_path / "nested.luau").write_text("local x = " + "(" * depth + "1" + ")" * depth + "\n")
    (tmp_path / "lines.luau").write_text("local v = 1\n" * (MAX_SOURCE_LINES + 1))
    with (tmp_path / "huge.luau").open("w") as out:
        out.write(("-- " + "x" * 97 + "\n") * (DEFAULT_MAX_BYTES // 100 + 10))
    result = invoke(str(tmp_path), "--format", "jsonl", "--no-exec")
    entries = [json.loads(line) for line in result.output.splitlines()]
    errors = {Path(e["error"]["path"]).name: e["error"]["message"] for e in entries if "error" in e}
    scored = {Path(e["path"]).name: e for e in entries if "path" in e}
    assert set(scored) == {"ok.luau", "nested.luau"}
    assert scored["nested.luau"]["scores"]["syntax"] < 1.0  # the compiler's depth limit
    assert set(errors) == {"lines.luau", "huge.luau"}
    assert f"{MAX_SOURCE_LINES + 1:,} lines" in errors["lines.luau"]
    assert "bytes" in errors["huge.luau"] and "split it" in errors["huge.luau"]


@settings(max_examples=60, deadline=None)
@given(st.one_of(st.binary(max_size=300), st.text(max_size=300).map(str.encode)))
def test_any_file_content_gives_a_result_or_an_error(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "fuzz.luau"
        path.write_bytes(data)
        outcome = score_file(str(path))
        if isinstance(outcome, FileResult):
            document = json_document([outcome])
            json.dumps(document)
            json.dumps(sarif_document([outcome]))
        else:
            assert outcome.message


# -- JSON -------------------------------------------------------------------------


def test_json_document_over_examples(tmp_path: Path) -> None:
    result = invoke(str(EXAMPLES), "--format", "json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    # A directory's files run in its project (the folder as one tree): "projects".
    assert set(document) == {"scorer_version", "results", "errors", "projects"}
    assert document["errors"] == []
    assert len(document["results"]) == len(example_files())
    for entry in document["results"]:
        assert set(entry) == {"path", "kind", "scores", "findings", "project"}
        # The exec score rides beside the composite (examples run clean in the mock world).
        assert set(entry["scores"]) == {"syntax", "api", "bug", "quality", "composite", "exec"}
        assert entry["scores"]["syntax"] == 1.0
        assert entry["scores"]["exec"] == 1.0
        assert entry["kind"] in {"Script", "LocalScript", "ModuleScript"}
        for finding in entry["findings"]:
            assert set(finding) == {
                "rule",
                "scorer",
                "severity",
                "line",
                "column",
                "message",
                "fix",
            }


def test_json_reports_findings_errors_and_null_scorers(tree: Path) -> None:
    result = invoke(str(tree), "--format", "json")
    document = json.loads(result.stdout)
    by_name = {Path(r["path"]).name: r for r in document["results"]}
    broken = by_name["broken.lua"]
    assert broken["scores"]["syntax"] < 0.5
    unclosed = [f for f in broken["findings"] if f["rule"] == "syntax/unclosed-block"]
    assert [(f["line"], f["severity"]) for f in unclosed] == [(2, "error")]
    assert [Path(e["path"]).name for e in document["errors"]] == ["binary.luau"]
    from luaurft.scoring.scorer import available_scorers

    for name in ("api", "bug", "quality"):
        if name not in available_scorers():
            assert broken["scores"][name] is None


def test_jsonl_streams_one_line_per_file(tree: Path) -> None:
    result = invoke(str(tree), "--format", "jsonl")
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(lines) == 3
    assert [Path(line["path"]).name for line in lines if "path" in line] == [
        "good.luau",
        "broken.lua",
    ]
    assert [Path(line["error"]["path"]).name for line in lines if "error" in line] == [
        "binary.luau"
    ]


def test_stdin_is_scored_with_kind_override() -> None:
    result = invoke("-", "--format", "json", "--kind", "module", input="return {}\n")
    document = json.loads(result.stdout)
    [entry] = document["results"]
    assert entry["path"] == "<stdin>" and entry["kind"] == "ModuleScript"


# -- SARIF ------------------------------------------------------------------------


def test_sarif_is_a_2_1_0_log_with_rules_and_located_results(tree: Path, monkeypatch) -> None:
    monkeypatch.chdir(tree)
    result = invoke(".", "--format", "sarif")
    assert result.exit_code == 0, result.output
    log = json.loads(result.stdout)
    assert log["version"] == "2.1.0" and "sarif-2.1.0" in log["$schema"]
    [run] = log["runs"]
    driver = run["tool"]["driver"]
    assert driver["name"] == "luaurft"
    ids = [r["id"] for r in driver["rules"]]
    assert ids == [r.id for r in all_rules()]
    for rule in driver["rules"]:
        assert rule["shortDescription"]["text"] and rule["help"]["markdown"]
        assert rule["defaultConfiguration"]["level"] in {"error", "warning", "note"}
    assert run["results"], "the broken file has findings"
    for res in run["results"]:
        assert driver["rules"][res["ruleIndex"]]["id"] == res["ruleId"]
        assert res["level"] in {"error", "warning", "note"} and res["message"]["text"]
        [location] = res["locations"]
        physical = location["physicalLocation"]
        assert physical["artifactLocation"]["uri"] == "sub/broken.lua"
        assert physical["region"]["startLine"] >= 1 and physical["region"]["startColumn"] >= 1
    notes = run["invocations"][0]["toolExecutionNotifications"]
    assert [n["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for n in notes] == [
        "sub/binary.luau"
    ]
    files = {f["path"]: f["scores"] for f in run["properties"]["files"]}
    assert files["sub/broken.lua"]["syntax"] < 0.5


# -- exit codes ---------------------------------------------------------------------


def test_min_score_fails_below_and_passes_above(tree: Path) -> None:
    broken = str(tree / "sub" / "broken.lua")
    assert invoke(broken, "--min-score", "0.5").exit_code == 1
    assert invoke(str(tree / "good.luau"), "--min-score", "0.5").exit_code == 0
    assert invoke(str(EXAMPLES), "--min-score", "0.95", "--format", "json").exit_code == 0


@pytest.mark.parametrize(
    "args",
    [
        ["/no/such/file.luau"],
        [str(EXAMPLES), "--kind", "Widget"],
        [str(EXAMPLES), "--min-score", "1.5"],
        [str(EXAMPLES), "--format", "xml"],
        [],
    ],
)
def test_usage_errors_exit_2(args: list[str]) -> None:
    assert invoke(*args).exit_code == 2


def test_table_lists_files_and_findings(tree: Path) -> None:
    result = invoke(str(tree))
    assert result.exit_code == 0
    assert "good.luau" in result.stdout and "broken.lua" in result.stdout
    assert "syntax/unclosed-block" in result.stdout


# -- end to end: pure JSON on stdout ------------------------------------------------


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT / "src")}


def test_cli_json_pipes_into_json_tool() -> None:
    score = subprocess.run(
        [sys.executable, "-m", "luaurft", "score", "examples/", "--format", "json"],
        cwd=ROOT,
        env=_env(),
        capture_output=True,
        check=True,
    )
    subprocess.run(
        [sys.executable, "-m", "json.tool"], input=score.stdout, check=True, capture_output=True
    )


def test_native_prints_during_machine_output_go_to_stderr() -> None:
    script = (
        "import json, pluau\n"
        "from luaurft.cli._output import machine_stdout\n"
        "with machine_stdout() as out:\n"
        "    vm = pluau.Lua()\n"
        "    cycle = [vm]\n"
        "    cycle.append(cycle)\n"
        "    del vm, cycle\n"
        "    out.write(json.dumps({'ok': True}))\n"
        "print('after')\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], env=_env(), capture_output=True, text=True, check=True
    )
    assert done.stdout == '{"ok": true}after\n'
    assert "Lua VM is being closed" in done.stderr


def test_a_json_answer_is_alone_on_stdout_while_libraries_log_there() -> None:
    # DeepSpeed, imported by the trainer mid-command, logs through a handler bound
    # to sys.stdout; a JSON answer must still be the only thing on stdout.
    script = (
        "import json, logging, sys\n"
        "from luaurft.cli._output import answer_stream\n"
        "with answer_stream(True) as out:\n"
        "    log = logging.getLogger('noisy')\n"
        "    log.addHandler(logging.StreamHandler(sys.stdout))\n"
        "    log.warning('Setting accelerator to CPU')\n"
        "    print('a library print')\n"
        "    out.write(json.dumps({'ok': True}) + '\\n')\n"
        "with answer_stream(False) as out:\n"
        "    out.write('table\\n')\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], env=_env(), capture_output=True, text=True, check=True
    )
    assert done.stdout == '{"ok": true}\ntable\n'
    assert "Setting accelerator to CPU" in done.stderr and "a library print" in done.stderr


# -- parallel scoring ------------------------------------------------------------------


def test_jobs_score_in_worker_processes_with_the_same_results_in_order(tree: Path) -> None:
    # A file that needs its project, so workers must build the project too.
    (tree / "sub" / "Util.luau").write_text("return { twice = function(x) return x * 2 end }\n")
    (tree / "sub" / "Main.server.luau").write_text(
        "local Util = require(script.Parent.Util)\nprint(Util.twice(21))\n"
    )
    one = invoke(str(tree), "--format", "jsonl")
    two = invoke(str(tree), "--format", "jsonl", "--jobs", "2")
    assert one.exit_code == two.exit_code == 0
    assert one.stdout == two.stdout
    lines = [json.loads(line) for line in two.stdout.splitlines()]
    main = next(line for line in lines if line.get("path", "").endswith("Main.server.luau"))
    assert main["scores"]["exec"] == 1.0 and "project" in main
    assert any("error" in line for line in lines)  # the binary file is still reported


def test_worker_count_follows_jobs_cpus_and_files() -> None:
    assert worker_count(1, 50) == 1
    assert worker_count(4, 3) == 3
    assert worker_count(0, 10_000) == (os.cpu_count() or 1)
    with pytest.raises(LuaurftError, match="--jobs"):
        worker_count(-1, 5)


# -- hostile folders -----------------------------------------------------------------


@pytest.fixture
def hostile(tmp_path: Path) -> Path:
    (tmp_path / "good.luau").write_text(LEADERSTATS_SCRIPT)
    os.mkfifo(tmp_path / "fifo.luau")
    (tmp_path / "zero.luau").symlink_to("/dev/zero")
    (tmp_path / "loop.luau").symlink_to(tmp_path / "loop.luau")
    (tmp_path / "big.luau").write_text("print(1)\n" * 100)
    (tmp_path / "z_last.luau").write_text("print(2)\n")
    return tmp_path


@pytest.mark.timeout(120)
def test_fifo_device_loop_and_oversized_files_are_errors_and_the_rest_is_scored(
    hostile: Path,
) -> None:
    # Exec and project on (the defaults): the project walk must survive them too.
    result = invoke(str(hostile), "--format", "json", "--max-bytes", "500")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    scored = {Path(r["path"]).name for r in document["results"]}
    errors = {Path(e["path"]).name: e["message"] for e in document["errors"]}
    assert scored == {"good.luau", "z_last.luau"}
    assert set(errors) == {"fifo.luau", "zero.luau", "loop.luau", "big.luau"}
    assert "FIFO" in errors["fifo.luau"]
    assert "device" in errors["zero.luau"]
    assert "symlink loop" in errors["loop.luau"]
    assert "--max-bytes" in errors["big.luau"]


@pytest.mark.timeout(120)
def test_the_size_limit_can_be_raised(hostile: Path) -> None:
    big = str(hostile / "big.luau")
    assert invoke(big, "--format", "json", "--max-bytes", "500").exit_code == 0
    small = json.loads(invoke(big, "--format", "json", "--max-bytes", "500").stdout)
    large = json.loads(invoke(big, "--format", "json", "--max-bytes", "5000").stdout)
    assert small["results"] == [] and len(small["errors"]) == 1
    assert [Path(r["path"]).name for r in large["results"]] == ["big.luau"]


def test_a_folder_without_luau_files_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("not Luau")
    result = invoke(str(tmp_path))
    assert result.exit_code == 2
    assert "no Luau files found" in result.output


def test_min_score_names_the_files_below_it(tree: Path) -> None:
    result = invoke(str(tree / "sub" / "broken.lua"), str(tree / "good.luau"), "--min-score", "0.5")
    assert result.exit_code == 1
    assert "below --min-score 0.5" in result.stderr
    assert "broken.lua" in result.stderr
    assert "good.luau" not in result.stderr


def test_progress_lines_when_stderr_is_not_a_terminal(
    tree: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import luaurft.cli._progress as progress

    monkeypatch.setattr(progress, "PERIODIC_SECONDS", 0.0)
    result = invoke(str(tree), "--format", "json", "--no-exec")
    assert result.exit_code == 0
    assert "scoring: 1/3" in result.stderr and "scoring: 2/3" in result.stderr
    json.loads(result.stdout)  # stdout stays one JSON document


def test_periodic_lines_wait_for_the_interval() -> None:
    now = [0.0]
    written: list[str] = []
    lines = progress_lines("scoring", 5, every=10.0, clock=lambda: now[0], write=written.append)
    lines.advance()
    now[0] = 9.0
    lines.advance()
    assert written == []
    now[0] = 10.5
    lines.advance()
    assert written == ["scoring: 3/5\n"]
    now[0] = 12.0
    lines.advance()
    assert written == ["scoring: 3/5\n"]


@pytest.mark.timeout(180)
def test_worker_processes_refuse_the_same_files(hostile: Path) -> None:
    result = invoke(str(hostile), "--format", "json", "--max-bytes", "500", "--jobs", "2")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert {Path(r["path"]).name for r in document["results"]} == {"good.luau", "z_last.luau"}
    assert {Path(e["path"]).name for e in document["errors"]} == {
        "fifo.luau",
        "zero.luau",
        "loop.luau",
        "big.luau",
    }
