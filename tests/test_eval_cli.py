"""`luaurft check`, `luaurft tasks list|validate` and `luaurft eval` end to end."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from luaurft.cli import app
from luaurft.eval.tasks import builtin_suite
from luaurft.testing.fake_llm_server import FakeLLMServer, FakeRequest

RUNNER = CliRunner()
SUITE = builtin_suite()


def invoke(*args: str) -> tuple[int, str]:
    result = RUNNER.invoke(app, list(args))
    return result.exit_code, result.stdout


def test_check_reports_json_and_exit_codes(tmp_path: Path) -> None:
    task = SUITE.get("leaderstats-rank-from-points")
    good = tmp_path / "good.luau"
    good.write_text(task.solution, encoding="utf-8")
    code, out = invoke("check", task.id, str(good), "--format", "json")
    assert code == 0, out
    document = json.loads(out)
    assert document["passed"] is True and document["expected"] == task.expected
    assert [c["name"] for c in document["checks"]] == [c.name for c in task.checks]
    assert all(set(c) >= {"name", "passed", "message"} for c in document["checks"])
    bad = tmp_path / "bad.luau"
    bad.write_text('print("PASS")', encoding="utf-8")
    code, out = invoke("check", task.id, str(bad), "--format", "json")
    assert code == 1
    document = json.loads(out)
    assert document["passed"] is False and not any(c["passed"] for c in document["checks"])
    code, out = invoke("check", task.id, str(bad))
    assert code == 1 and "0/2 checks passed" in out


def test_check_on_an_unknown_task_is_a_usage_error(tmp_path: Path) -> None:
    solution = tmp_path / "s.luau"
    solution.write_text("print(1)", encoding="utf-8")
    result = RUNNER.invoke(app, ["check", "no-such-task", str(solution)])
    assert result.exit_code != 0
    assert "no task" in str(result.exception or result.output)


def test_tasks_list_and_validate() -> None:
    code, out = invoke("tasks", "list", "--format", "json")
    assert code == 0
    listing = json.loads(out)
    assert listing["count"] == len(SUITE) >= 60
    assert sum(listing["categories"].values()) == listing["count"]
    code, out = invoke(
        "tasks",
        "validate",
        "--id",
        "oop-maid-cleanup",
        "--id",
        "ui-claim-button",
        "--format",
        "json",
    )
    assert code == 0, out
    report = json.loads(out)
    assert report["valid"] is True and report["count"] == 2


def test_validate_fails_on_a_broken_task(tmp_path: Path) -> None:
    (tmp_path / "t.toml").write_text(
        'id = "broken"\nkind = "Luau"\nprompt = "p"\nexports = ["f"]\n'
        'solution = "function f() return 2 end"\n[[checks]]\nname = "c"\nbody = "assert(f() == 1)"\n',
        encoding="utf-8",
    )
    code, out = invoke("tasks", "validate", "--tasks", str(tmp_path), "--format", "json")
    assert code == 1
    assert json.loads(out)["invalid"] == 1


def test_eval_against_an_openai_compatible_server(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    chosen = SUITE.select(ids=["oop-cooldown-class", "oop-state-machine", "leaderstats-basic"])
    answers = {t.user_prompt(): t.solution for t in chosen}

    def respond(request: FakeRequest) -> str:
        solution = answers.get(request.last_user_text, "")
        # The state machine gets a broken answer: pass@1 is 2/3.
        if "StateMachine" in solution:
            solution = "return {}"
        return f"```lua\n{solution}\n```"

    monkeypatch.setenv("OPENAI_API_KEY", "test-key")
    tasks_file = _write_subset(tmp_path, chosen)
    with FakeLLMServer(respond) as server:
        args = [
            "eval", "--backend", "openai", "--model", f"tiny@{server.openai_base_url}",
            "--tasks", str(tasks_file), "--samples", "2", "--run-dir", str(tmp_path / "run"),
            "--format", "json",
        ]  # fmt: skip
        code, out = invoke(*args)
        assert code == 0, out
        summary = json.loads(out)
        assert summary["metrics"]["pass@1"]["estimate"] == pytest.approx(2 / 3)
        assert summary["samples"] == 2 and len(summary["tasks"]) == 3
        requests = server.request_count
        # Running again resumes: nothing is generated twice.
        code, out = invoke(*args)
        assert code == 0
        assert server.request_count == requests


def _write_subset(folder: Path, tasks: object) -> Path:
    """Write tasks back out as one TOML family file (round trip through the format)."""
    lines: list[str] = []
    for task in tasks:  # type: ignore[attr-defined]
        lines += [
            "[[tasks]]",
            f"id = {json.dumps(task.id)}",
            f"kind = {json.dumps(task.kind.value)}",
            f"category = {json.dumps(task.category)}",
            f"prompt = {json.dumps(task.prompt)}",
        ]
        if task.script_path:
            lines.append(f"script_path = {json.dumps(task.script_path)}")
        if task.setup:
            lines.append(f"setup = {json.dumps(task.setup)}")
        lines.append(f"solution = {json.dumps(task.solution)}")
        for check in task.checks:
            lines += [
                "[[tasks.checks]]",
                f"name = {json.dumps(check.name)}",
                f"body = {json.dumps(check.body)}",
            ]
    path = folder / "subset.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_tasks_validate_takes_the_task_file_as_an_argument(tmp_path: Path) -> None:
    # As the README writes it: `luaurft tasks validate runs/demo/tasks/eval.toml`.
    task = SUITE.get("oop-maid-cleanup")
    file = tmp_path / "one.toml"
    file.write_text(
        'id = "double"\nkind = "Luau"\nprompt = "p"\nexports = ["f"]\n'
        'solution = "function f(x) return 2 * x end"\n'
        '[[checks]]\nname = "c"\nbody = "assert(f(2) == 4)"\n',
        encoding="utf-8",
    )
    code, out = invoke("tasks", "validate", str(file), "--format", "json")
    assert code == 0, out
    report = json.loads(out)
    assert report["count"] == 1 and report["tasks"][0]["task"] == "double"
    assert task.id not in out


def test_tasks_list_never_cuts_an_id_on_a_narrow_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "60")
    code, out = invoke("tasks", "list")
    assert code == 0
    assert "…" not in out
    longest = max(SUITE, key=lambda t: len(t.id)).id
    assert longest in out
    for task in SUITE:
        assert task.id in out


def test_check_messages_say_the_line_is_the_checks(tmp_path: Path) -> None:
    wrong_type = tmp_path / "ls.luau"
    wrong_type.write_text(
        "game.Players.PlayerAdded:Connect(function(p)\n"
        '\tlocal ls = Instance.new("Folder")\n\tls.Name = "leaderstats"\n\tls.Parent = p\n'
        '\tlocal c = Instance.new("StringValue")\n\tc.Name = "Coins"\n\tc.Parent = ls\nend)\n',
        encoding="utf-8",
    )
    code, out = invoke("check", "leaderstats-basic", str(wrong_type), "--format", "json")
    assert code == 1
    failed = [c["message"] for c in json.loads(out)["checks"] if not c["passed"]]
    located = [m for m in failed if "line" in m]
    assert located and all(m.startswith("check line ") for m in located), failed
