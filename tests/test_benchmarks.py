"""The benchmark scripts run and report every stage (never a timing assertion)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import ROOT, example_files, load_benchmark
from luaurft.scoring import EXEC_SCORER
from luaurft.scoring.registry import all_rules


def test_throughput_reports_every_stage_and_the_ratio(capsys: pytest.CaptureFixture[str]) -> None:
    throughput = load_benchmark("score_throughput")
    assert throughput.main([str(ROOT / "examples"), "--target-mb", "0.005", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert set(report["stages"]) == {"parse", "compile", "score", "lex"}
    assert report["ratio_score_over_parse_plus_compile"] > 0
    assert report["clock"] == "wall"


def test_throughput_on_the_cpu_clock(capsys: pytest.CaptureFixture[str]) -> None:
    throughput = load_benchmark("score_throughput")
    args = [str(ROOT / "examples"), "--target-mb", "0.005", "--clock", "cpu", "--json"]
    assert throughput.main(args) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["clock"] == "cpu"
    assert report["ratio_score_over_parse_plus_compile"] > 0


def test_sandbox_throughput_times_each_step_of_a_mock_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # A server script and a client script: between them every step happens.
    for name in ("kill_brick.server.luau", "sprint.client.luau"):
        (tmp_path / name).write_text((ROOT / "examples" / name).read_text(encoding="utf-8"))
    throughput = load_benchmark("sandbox_throughput")
    assert throughput.main([str(tmp_path), "--rounds", "1", "--stages", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    # One round each: in-process in a kept VM, in a fresh VM, isolated.
    assert report["statuses"] == {"ok": 6}
    stages = report["stages_ms_per_run"]
    assert set(stages) == {label for _, _, label in throughput.STAGES}
    assert all(ms > 0 for ms in stages.values())
    # The timers are taken off again: a run afterwards times nothing.
    assert throughput.MockWorld.drive.__name__ == "drive"
    assert not hasattr(throughput.MockWorld.drive, "__wrapped__")


def test_breakdown_times_every_rule_and_adds_up() -> None:
    breakdown = load_benchmark("score_breakdown")
    corpus = [path.read_text(encoding="utf-8") for path in example_files()[:2]]
    report = breakdown.breakdown(corpus)
    assert report["files"] == 2
    deterministic = {rule.id for rule in all_rules() if rule.scorer != EXEC_SCORER}
    assert set(report["rules"]) == deterministic
    assert {"parse", "compile", "node index", "script kind"} <= set(report["stages"])
    # Scope resolution is shared: it is timed once, as an analysis, not inside a rule.
    assert "scope" in report["analyses"]
    assert set(report["scorers"]) == {"syntax", "api", "bug", "quality"}
    assert sum(e["rule_count"] for e in report["scorers"].values()) == len(deterministic)
    parts = (
        sum(report["stages"].values())
        + sum(report["analyses"].values())
        + sum(report["rules"].values())
        + sum(e["formula"] for e in report["scorers"].values())
    )
    assert parts == pytest.approx(report["total_seconds"])
    assert all(seconds >= 0 for seconds in report["rules"].values())


def test_project_exec_reports_each_mode_side_by_side(capsys: pytest.CaptureFixture[str]) -> None:
    project = load_benchmark("project_exec")
    assert project.main(["--packages", "2", "--modules", "3", "--seconds", "0.1", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["files"] == 6
    # Two package folders plus the root folder hold the six modules.
    assert report["instances"] == 9
    assert set(report["ms_per_file"]) == {"alone", "reached", "whole"}
    assert report["reached_over_alone"] > 0 and report["whole_over_reached"] > 0


def test_score_parallel_compares_one_process_with_workers(
    capsys: pytest.CaptureFixture[str],
) -> None:
    parallel = load_benchmark("score_parallel")
    assert parallel.main(["--jobs", "2", "--copies", "1", "--no-exec", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["files"] == len(example_files())
    assert report["workers"] == 2 and set(report["seconds"]) == {"one", "workers"}
    assert report["same_results"] is True


def test_place_load_reports_both_formats_side_by_side(capsys: pytest.CaptureFixture[str]) -> None:
    place_load = load_benchmark("place_load")
    if not place_load.DEFAULT_CORPUS.is_dir():
        pytest.skip("../shared/roblox-files is absent")
    assert place_load.main(["--repeat", "1", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert len(report["files"]) >= 50
    assert report["instances_per_s"]["binary"] > 0 and report["instances_per_s"]["xml"] > 0
    assert report["binary_over_xml"] > 0
    assert {"binary_per_s", "xml_per_s", "binary_over_xml"} <= set(report["files"][0])


def test_kind_accuracy_reads_declared_kinds_from_a_manifest(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    accuracy = load_benchmark("kind_accuracy")
    blocks = tmp_path / "blocks"
    blocks.mkdir()
    (blocks / "a.luau").write_text(
        'local Players = game:GetService("Players")\nprint(Players.LocalPlayer.Name)\n'
    )
    (blocks / "b.luau").write_text("local M = {}\nreturn M\n")
    (blocks / "c.luau").write_text('print("no kind stated")\n')
    (tmp_path / "manifest.tsv").write_text(
        "file\tsource\tdeclared_kind\n"
        "blocks/a.luau\tguide.md\tLocalScript\n"
        "blocks/b.luau\tguide.md\tScript\n"
        "blocks/c.luau\tguide.md\t\n"
        "blocks/gone.luau\tguide.md\tScript\n"
    )
    assert accuracy.main(["--manifest", str(tmp_path / "manifest.tsv"), "--json"]) == 0
    captured = capsys.readouterr()
    rows = json.loads(captured.out)
    # A row whose file is missing is reported, and the others are still measured.
    assert "gone.luau: skipped, cannot be read" in captured.err
    # c.luau states no kind and is skipped; b.luau is a module its manual calls a Script.
    assert rows == {
        "Script": {"right": 0, "total": 1, "unsure": 0, "no_signal": 0,
                   "right_with_signal": 0, "with_signal": 1},
        "LocalScript": {"right": 1, "total": 1, "unsure": 0, "no_signal": 0,
                        "right_with_signal": 1, "with_signal": 1},
    }  # fmt: skip


def test_exec_truth_runs_each_file_as_its_kind_and_sorts_the_outcomes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    truth = load_benchmark("exec_truth")
    (tmp_path / "ok.luau").write_text('print("hi")\n')
    (tmp_path / "bad.luau").write_text("local x = nil\nprint(x.y)\n")
    (tmp_path / "pkg.luau").write_text(
        'local Knit = require(game:GetService("ReplicatedStorage").Packages.Knit)\nKnit.Start()\n'
    )
    (tmp_path / "manifest.tsv").write_text(
        "file\tdeclared_kind\nok.luau\tScript\nbad.luau\t\npkg.luau\tLocalScript\ngone.luau\tScript\n"
    )
    assert truth.main(["--manifest", str(tmp_path / "manifest.tsv"), "--json"]) == 0
    captured = capsys.readouterr()
    report = json.loads(captured.out)
    # A missing row is reported; the others still run.
    assert "gone.luau: skipped" in captured.err
    assert report["counts"] == {
        "clean": 1,
        "charged": 1,
        "not run (package)": 1,
        "unreadable": 1,
    }
    bad = report["files"][str(tmp_path / "bad.luau")]
    assert bad["kind"] == "Script" and bad["outcome"] == "charged"
    assert bad["findings"][0].startswith("exec/runtime-error@2")
    # A manifest that states no kinds at all (fetch_npm_corpus.py's) runs each file
    # as the kind its text says.
    (tmp_path / "npm.tsv").write_text("file\tpackage\nok.luau\tpkg\nbad.luau\tpkg\n")
    assert truth.main(["--manifest", str(tmp_path / "npm.tsv"), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["counts"] == {"clean": 1, "charged": 1}


def test_placement_scaling_reports_each_shape_at_both_sizes(
    capsys: pytest.CaptureFixture[str],
) -> None:
    scaling = load_benchmark("placement_scaling")
    args = ["--small", "20", "--large", "40", "--rounds", "1", "--json"]
    assert scaling.main(args) == 0
    report = json.loads(capsys.readouterr().out)
    assert [row["shape"] for row in report["shapes"]] == list(scaling.SHAPES)
    for row in report["shapes"]:
        assert row["large_chars"] > 0 and row["growth_over_linear"] >= 0
