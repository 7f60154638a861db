"""The task format, the built-in suite and its validation."""

from __future__ import annotations

from pathlib import Path

import pytest

from luaurft.data import load_eval_texts
from luaurft.eval.tasks import (
    CATEGORIES,
    TaskError,
    TaskKind,
    builtin_dir,
    builtin_suite,
    load_tasks,
    parse_task_file,
    resolve_task,
)
from luaurft.eval.validate import validate_task
from luaurft.scoring import score_source

SUITE = builtin_suite()


def test_the_builtin_suite_covers_every_category() -> None:
    assert len(SUITE) >= 60
    counts = SUITE.categories()
    assert set(counts) == set(CATEGORIES)
    assert all(n >= 5 for n in counts.values()), counts
    kinds = {t.kind for t in SUITE}
    assert {TaskKind.SCRIPT, TaskKind.LOCAL_SCRIPT, TaskKind.MODULE_SCRIPT} <= kinds


@pytest.mark.parametrize("task_id", [t.id for t in SUITE])
def test_builtin_task_validates(task_id: str) -> None:
    task = SUITE.get(task_id)
    assert task.solution.strip(), "every built-in task ships a reference solution"
    result = validate_task(task)
    assert result.ok, result.problems
    assert result.reference is not None and result.reference.passed
    assert result.empty.passed_count == 0


def test_reference_solutions_compile_and_score_well() -> None:
    # 0.85 is the score below which the assistant rewrites code: references sit above it.
    for task in SUITE:
        card = score_source(task.solution, kind=task.kind.value)
        assert card.compiles, task.id
        assert card.scores["syntax"] == 1.0, (task.id, card.findings)
        assert card.composite >= 0.85, (task.id, card.composite, card.findings)


def test_decontamination_reads_every_prompt_and_solution() -> None:
    texts = load_eval_texts(builtin_dir())
    ids = {t.id for t in texts}
    for task in SUITE:
        assert f"{task.id}:prompt" in ids
        assert f"{task.id}:solution" in ids
    by_id = {t.id: t for t in texts}
    sample = SUITE.tasks[0]
    assert by_id[f"{sample.id}:solution"].kind == "code"
    assert by_id[f"{sample.id}:solution"].text.strip() == sample.solution.strip()


ONE_TASK = """
id = "tiny-add"
kind = "Luau"
prompt = "Write add(a, b)."
exports = ["add"]
solution = "function add(a, b) return a + b end"

[[checks]]
name = "adds"
body = "assert(add(2, 3) == 5)"
"""


def test_a_single_task_file_and_a_family_file(tmp_path: Path) -> None:
    (tmp_path / "one.toml").write_text(ONE_TASK, encoding="utf-8")
    family = """
category = "modules-oop"
difficulty = "easy"
kind = "Luau"

[[tasks]]
id = "fam-a"
prompt = "a"
exports = ["f"]
[[tasks.checks]]
name = "c"
body = "assert(f() == 1)"

[[tasks]]
id = "fam-b"
prompt = "b"
difficulty = "hard"
exports = ["f"]
[[tasks.checks]]
name = "c"
body = "assert(f() == 2)"
"""
    (tmp_path / "family.toml").write_text(family, encoding="utf-8")
    suite = load_tasks(tmp_path)
    assert [t.id for t in suite] == ["fam-a", "fam-b", "tiny-add"]
    assert suite.get("fam-a").category == "modules-oop"
    assert suite.get("fam-a").difficulty.value == "easy"
    assert suite.get("fam-b").difficulty.value == "hard"
    assert resolve_task(str(tmp_path / "one.toml")).id == "tiny-add"
    assert resolve_task(f"{tmp_path / 'family.toml'}::fam-b").id == "fam-b"
    assert resolve_task("leaderstats-basic").id == "leaderstats-basic"
    assert validate_task(suite.get("tiny-add")).ok


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('id = "Bad Id"\nprompt = "x"\n[[checks]]\nname = "c"\nbody = "x()"', "lower-case"),
        ('id = "no-checks"\nprompt = "x"', "checks"),
        (
            'id = "dup"\nprompt = "x"\n[[checks]]\nname = "c"\nbody = "a()"\n[[checks]]\nname = "c"\nbody = "b()"',
            "unique",
        ),
        (
            'id = "bad-kind"\nkind = "Plugin"\nprompt = "x"\n[[checks]]\nname = "c"\nbody = "a()"',
            "kind",
        ),
        ("id = ", "not valid TOML"),
    ],
)
def test_bad_task_files_say_what_is_wrong(text: str, message: str) -> None:
    with pytest.raises(TaskError, match=message):
        parse_task_file(text, source="bad.toml")


def test_duplicate_ids_and_unknown_tasks_are_errors(tmp_path: Path) -> None:
    (tmp_path / "a.toml").write_text(ONE_TASK, encoding="utf-8")
    (tmp_path / "b.toml").write_text(ONE_TASK, encoding="utf-8")
    with pytest.raises(TaskError, match="twice"):
        load_tasks(tmp_path)
    with pytest.raises(TaskError, match="no task"):
        SUITE.get("no-such-task")


def test_a_task_whose_reference_fails_is_reported() -> None:
    task = parse_task_file(ONE_TASK.replace("a + b", "a - b"))[0]
    result = validate_task(task)
    assert not result.ok
    assert "reference solution fails" in result.problems[0]


def test_a_check_the_empty_solution_passes_is_reported() -> None:
    task = parse_task_file(
        ONE_TASK.replace('body = "assert(add(2, 3) == 5)"', 'body = "assert(true)"')
    )[0]
    result = validate_task(task)
    assert any("empty solution passes" in p for p in result.problems)


def test_training_code_that_copies_a_task_solution_is_decontaminated() -> None:
    from luaurft.data.decontam import Decontaminator
    from luaurft.data.records import CodeRecord

    decontaminator = Decontaminator(load_eval_texts(builtin_dir()))
    solution = SUITE.get("oop-inventory-class").solution
    renamed = solution.replace("Inventory", "Bag").replace("capacity", "limit")
    copied = CodeRecord(id="copy", text="-- my bag module\n" + renamed)
    hit = decontaminator.check(copied)
    assert hit is not None and hit.eval_id == "oop-inventory-class:solution"
    kill_brick = """local Players = game:GetService("Players")
local brick = script.Parent
brick.Touched:Connect(function(hit)
    local humanoid = hit.Parent and hit.Parent:FindFirstChildOfClass("Humanoid")
    if humanoid and Players:GetPlayerFromCharacter(hit.Parent) then
        humanoid.Health = 0
    end
end)
"""
    assert decontaminator.check(CodeRecord(id="other", text=kill_brick)) is None
