"""`compare`: shared tasks only, honest warnings, regressions in red, a self-contained page,
tables that agree with the pass@k plot, rendered terminal output."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from luaurft.cli import app
from luaurft.eval.harness import EvalError, EvalSummary, TaskResult
from luaurft.eval.report import MIN_TASKS, compare, comparison_html, write_report


def summary(
    label: str, tasks: dict[str, tuple[int, int, float]], ks: tuple[int, ...]
) -> EvalSummary:
    """A run from per-task (n samples, c passed, composite)."""
    results = {
        t: TaskResult(
            t,
            "leaderstats" if i % 2 else "oop",
            "easy",
            n,
            c,
            {"composite": composite, **{f"pass@{k}": (c > 0) * 1.0 for k in ks if n >= k}},
            [composite] * n,
        )
        for i, (t, (n, c, composite)) in enumerate(tasks.items())
    }
    data = {
        "label": label,
        "model": label,
        "suite": "builtin",
        "samples": max(n for n, _, _ in tasks.values()),
        "ks": list(ks),
        "tasks": {t: r.to_dict() for t, r in results.items()},
        "metrics": {},
    }
    return EvalSummary.from_dict(data)


def many(n: int, c: int, composite: float, count: int, prefix: str = "t") -> dict:
    return {f"{prefix}{i:02d}": (n, c, composite) for i in range(count)}


def test_only_shared_tasks_are_compared_and_the_reader_is_told() -> None:
    big = summary("big", many(2, 2, 0.9, 40), (1, 2))
    small = summary("small", many(2, 0, 0.3, 3), (1, 2))
    comparison = compare([big, small])
    assert comparison.shared_tasks == 3
    assert comparison.deltas[1]["composite"].tasks == 3
    # The baseline's numbers are over the same 3 tasks, not its 40.
    assert len(comparison.runs[0].tasks) == 3
    notes = " ".join(comparison.notes)
    assert "3 tasks every run has" in notes and "big 40" in notes
    assert f"fewer than {MIN_TASKS}" in notes
    payload = comparison.to_dict()
    assert payload["shared_tasks"] == 3 and payload["runs"][1]["deltas"]["composite"]["few_tasks"]


def test_enough_shared_tasks_carry_no_warning() -> None:
    a = summary("a", many(2, 1, 0.5, MIN_TASKS), (1, 2))
    b = summary("b", many(2, 2, 0.8, MIN_TASKS), (1, 2))
    assert compare([a, b]).notes == []


def test_runs_without_a_common_task_are_refused() -> None:
    a = summary("a", many(1, 1, 0.5, 3, prefix="a"), (1,))
    b = summary("b", many(1, 1, 0.5, 3, prefix="b"), (1,))
    with pytest.raises(EvalError, match="no task in common"):
        compare([a, b])


def test_regressions_are_red_and_improvements_green() -> None:
    base = summary("base", many(2, 2, 0.9, 25), (1, 2))
    worse = summary("worse", many(2, 0, 0.2, 25), (1, 2))
    page = comparison_html(compare([base, worse]))
    delta_table = page.split("Differences from", 1)[1]
    assert (
        'class="worse"' in delta_table and 'class="better"' not in delta_table.split("</p>", 1)[1]
    )
    assert compare([base, worse]).deltas[1]["composite"].direction == "worse"


def test_the_html_report_is_self_contained_with_categories(tmp_path: Path) -> None:
    base = summary("base", many(2, 1, 0.5, 25), (1, 2))
    better = summary("better", many(2, 2, 0.9, 25), (1, 2))
    files = write_report(compare([base, better]), tmp_path)
    page = files["html"].read_text()
    sources = re.findall(r'src="([^"]*)"', page)
    assert sources and all(src.startswith("data:image/png;base64,") for src in sources)
    assert "<h2>By category</h2>" in page and "leaderstats" in page


def test_tables_show_every_pass_at_k_the_plot_draws() -> None:
    # 4 samples: the harness's own ks are (1, 4), but the pass@k curve draws k = 2 and 3.
    four = summary("four", {"x": (4, 1, 0.5), "y": (4, 4, 0.9)}, (1, 4))
    two = summary("two", {"x": (2, 1, 0.5), "y": (2, 2, 0.9)}, (1, 2))
    comparison = compare([four, two])
    run = comparison.runs[0]
    curve = run.pass_curve()
    assert "pass@2" in run.metrics
    assert run.metrics["pass@2"].estimate == pytest.approx(curve[2])


def test_compare_prints_rendered_tables_not_markdown(tmp_path: Path) -> None:
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    a.write_text(json.dumps(summary("base", many(2, 1, 0.5, 5), (1, 2)).to_dict()))
    b.write_text(json.dumps(summary("tuned", many(2, 2, 0.9, 5), (1, 2)).to_dict()))
    result = CliRunner().invoke(app, ["compare", str(a), str(b)])
    assert result.exit_code == 0, result.output
    assert "|---|" not in result.stdout and "## " not in result.stdout
    assert "tuned" in result.stdout and "Differences from base" in result.stdout
    assert "fewer than 20" in result.stderr
