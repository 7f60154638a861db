"""Comparing two tiny "models": table, deltas, PNG plots, HTML, Markdown and a model card."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from eval_fakes import ScriptedGenerator, reference_answer
from luaurft.cli import app
from luaurft.eval.card import CardInfo, model_card, write_model_card
from luaurft.eval.harness import EvalSettings, eval_config, evaluate, load_summary, open_eval_store
from luaurft.eval.report import compare, comparison_markdown, write_report
from luaurft.eval.tasks import Task, builtin_suite

SUITE = builtin_suite().select(
    ids=[
        "leaderstats-basic",
        "leaderstats-rank-from-points",
        "oop-inventory-class",
        "oop-cooldown-class",
        "oop-maid-cleanup",
        "ui-shop-toggle",
        "remote-color-validation",
        "physics-conveyor-belt",
    ]
)
PNG = b"\x89PNG\r\n\x1a\n"


def stub_answer(task: Task, index: int) -> str:
    # The "base model": right once in a while, otherwise a stub that does nothing.
    if task.id == "oop-cooldown-class" and index == 0:
        return task.solution
    return 'local Players = game:GetService("Players")\nprint(Players)'


def evaluate_into(folder: Path, name: str, answer, adapter: str | None = None):  # type: ignore[no-untyped-def]
    settings = EvalSettings(samples=2)
    generator = ScriptedGenerator(name, SUITE, answer)
    config = eval_config(name, SUITE, settings, label=name, adapter=adapter)
    with open_eval_store(folder, config) as store:
        return evaluate(generator, SUITE, store, settings)


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    root = tmp_path_factory.mktemp("eval-runs")
    adapter = root / "adapter"
    adapter.mkdir()
    (adapter / "adapter_config.json").write_text(
        json.dumps({"peft_type": "LORA", "r": 8, "base_model_name_or_path": "org/tiny-base"})
    )
    evaluate_into(root / "base", "base", stub_answer)
    evaluate_into(root / "sft", "sft", reference_answer, adapter=str(adapter))
    return root / "base", root / "sft", adapter


def test_the_comparison_reports_significant_deltas(runs: tuple[Path, Path, Path]) -> None:
    base, sft, _ = runs
    comparison = compare([load_summary(base), load_summary(sft)])
    assert comparison.labels == ["base", "sft"]
    assert {"pass@1", "pass@2", "composite", "syntax", "checks"} <= set(comparison.metrics)
    delta = comparison.deltas[1]["pass@1"]
    assert delta.tasks == len(SUITE)
    assert delta.interval.estimate == pytest.approx(1.0 - 0.5 / len(SUITE))
    assert delta.significant
    assert comparison.deltas[1]["syntax"].interval.estimate == pytest.approx(0.0, abs=1e-9)
    assert not comparison.deltas[1]["syntax"].significant
    text = comparison_markdown(comparison)
    assert "| Model |" in text and "Differences from base" in text and "✓" in text
    assert "By category" in text


def test_report_files(runs: tuple[Path, Path, Path], tmp_path: Path) -> None:
    base, sft, _ = runs
    files = write_report(compare([load_summary(base), load_summary(sft)]), tmp_path / "report")
    for key in ("scores", "distributions", "pass_at_k"):
        data = files[key].read_bytes()
        assert data.startswith(PNG) and len(data) > 5000, key
    html = files["html"].read_text()
    assert html.startswith("<!DOCTYPE html>") and "<table>" in html
    assert 'src="data:image/png;base64,' in html and 'class="better"' in html
    assert "sft" in html and "base" in html
    markdown = files["markdown"].read_text()
    assert "![pass_at_k](pass_at_k.png)" in markdown
    data = json.loads(files["json"].read_text())
    assert data["baseline"] == "base"
    assert data["runs"][1]["deltas"]["pass@1"]["significant"] is True


def test_model_card(runs: tuple[Path, Path, Path]) -> None:
    import yaml

    base, sft, adapter = runs
    summaries = [load_summary(base), load_summary(sft)]
    path = write_model_card(
        adapter,
        CardInfo(name="luau-sft", base_model="mistralai/Mistral-7B-Instruct-v0.3"),
        summaries,
    )
    text = path.read_text()
    assert path.name == "README.md" and text.startswith("---\n")
    front, body = text[4:].split("\n---\n", 1)
    meta = yaml.safe_load(front)
    assert meta["base_model"] == "mistralai/Mistral-7B-Instruct-v0.3"
    assert meta["library_name"] == "peft"
    result = meta["model-index"][0]["results"][0]
    values = {m["type"]: m["value"] for m in result["metrics"]}
    assert values["pass@1"] == pytest.approx(summaries[1].metrics["pass@1"].estimate, abs=1e-4)
    assert "composite" in values
    assert "| sft |" in body and "| base |" in body
    assert "PeftModel.from_pretrained" in body
    # The card describes the run it is for, not the baseline.
    own = model_card(CardInfo(name="base-card"), summaries, model_run=0)
    own_meta = yaml.safe_load(own[4:].split("\n---\n", 1)[0])
    base_values = {
        m["type"]: m["value"] for m in own_meta["model-index"][0]["results"][0]["metrics"]
    }
    assert base_values["pass@1"] < values["pass@1"]


def test_compare_and_card_commands(runs: tuple[Path, Path, Path], tmp_path: Path) -> None:
    base, sft, adapter = runs
    cli = CliRunner()
    result = cli.invoke(
        app, ["compare", str(base), str(sft), "--out", str(tmp_path / "cmp"), "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["runs"][1]["deltas"]["pass@1"]["significant"] is True
    assert (tmp_path / "cmp" / "report.html").exists()
    result = cli.invoke(
        app,
        [
            "card",
            str(adapter),
            "--run",
            str(base),
            "--run",
            str(sft),
            "--out",
            str(tmp_path / "card"),
        ],
    )
    assert result.exit_code == 0, result.output
    card = (tmp_path / "card" / "README.md").read_text()
    assert "model-index" in card and "sft" in card


def test_card_reads_the_base_model_from_the_adapter_and_keeps_a_readme(
    runs: tuple[Path, Path, Path], tmp_path: Path
) -> None:
    import yaml

    base, sft, adapter = runs
    cli = CliRunner()
    out = tmp_path / "card"
    out.mkdir()
    (out / "README.md").write_text("peft's own card\n")
    args = ["card", str(adapter), "--run", str(base), "--run", str(sft), "--out", str(out)]
    refused = cli.invoke(app, args)
    assert refused.exit_code != 0
    assert "--force" in str(refused.exception)
    assert (out / "README.md").read_text() == "peft's own card\n"
    forced = cli.invoke(app, [*args, "--force"])
    assert forced.exit_code == 0, forced.output
    meta = yaml.safe_load((out / "README.md").read_text()[4:].split("\n---\n", 1)[0])
    # From adapter_config.json, not from the run's generator spec.
    assert meta["base_model"] == "org/tiny-base"


def test_card_refuses_a_folder_that_is_not_an_adapter(
    runs: tuple[Path, Path, Path], tmp_path: Path
) -> None:
    _, sft, _ = runs
    cli = CliRunner()
    missing = cli.invoke(app, ["card", str(tmp_path / "nope"), "--run", str(sft)])
    assert missing.exit_code != 0 and "no such adapter folder" in str(missing.exception)
    plain = tmp_path / "plain"
    plain.mkdir()
    result = cli.invoke(app, ["card", str(plain), "--run", str(sft)])
    assert result.exit_code != 0 and "adapter_config.json" in str(result.exception)
    assert not (plain / "README.md").exists()
