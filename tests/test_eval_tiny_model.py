"""`luaurft eval` on a real backend: the tiny Mistral model through transformers (CPU)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from luaurft.cli import app

pytestmark = pytest.mark.slow


def test_eval_with_the_transformers_backend_and_resume(tmp_path: Path) -> None:
    pytest.importorskip("torch")
    from luaurft.llm.tiny import build_tiny_model

    model = build_tiny_model(tmp_path / "tiny", seed=0)
    args = [
        "eval", "--model", str(model), "--backend", "transformers",
        "--category", "modules-oop", "--limit", "2", "--samples", "2",
        "--max-new-tokens", "24", "--run-dir", str(tmp_path / "run"), "--format", "json",
    ]  # fmt: skip
    runner = CliRunner()
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert len(summary["tasks"]) == 2
    assert all(t["n"] == 2 for t in summary["tasks"].values())
    # An untrained model writes noise: nothing passes, and the scores say so.
    assert summary["metrics"]["pass@1"]["estimate"] == 0.0
    assert summary["metrics"]["composite"]["estimate"] < 0.5
    again = runner.invoke(app, args)
    assert again.exit_code == 0
    assert json.loads(again.stdout)["metrics"] == summary["metrics"]
