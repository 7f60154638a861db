"""Validate tasks: the reference solution passes every check, an empty solution none.

A check an empty solution passes measures nothing (it would hand out partial
credit for writing nothing), so validation requires every check to fail on
the empty solution, not just one. Imported suites may come without reference
solutions; their tasks are validated against the empty solution only.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from luaurft.eval.checks import CheckReport, check_solution
from luaurft.eval.tasks import Task

EMPTY_SOLUTION = ""


@dataclass(frozen=True)
class TaskValidation:
    task_id: str
    reference: CheckReport | None
    empty: CheckReport
    seconds: float
    problems: tuple[str, ...] = field(default=())

    @property
    def ok(self) -> bool:
        return not self.problems

    def to_dict(self) -> dict[str, Any]:
        return {
            "task": self.task_id,
            "ok": self.ok,
            "problems": list(self.problems),
            "reference": None
            if self.reference is None
            else {"passed": self.reference.passed_count, "expected": self.reference.expected},
            "empty": {"passed": self.empty.passed_count, "expected": self.empty.expected},
            "seconds": round(self.seconds, 4),
        }


def validate_task(task: Task) -> TaskValidation:
    started = time.perf_counter()
    problems: list[str] = []
    reference = check_solution(task, task.program(task.solution)) if task.solution.strip() else None
    if reference is not None and not reference.passed:
        failing = [c for c in reference.checks if not c.passed]
        detail = "; ".join(f"{c.name}: {c.message}" for c in failing[:3]) or (
            reference.error or "not every check reported"
        )
        problems.append(f"the reference solution fails: {detail}")
    empty = check_solution(task, EMPTY_SOLUTION)
    passing = [c.name for c in empty.checks if c.passed]
    if passing:
        problems.append(f"an empty solution passes: {', '.join(passing)}")
    return TaskValidation(task.id, reference, empty, time.perf_counter() - started, tuple(problems))


def validate_tasks(
    tasks: Iterable[Task], *, progress: Callable[[TaskValidation], None] | None = None
) -> list[TaskValidation]:
    results: list[TaskValidation] = []
    for task in tasks:
        result = validate_task(task)
        results.append(result)
        if progress is not None:
            progress(result)
    return results


__all__ = ["TaskValidation", "validate_task", "validate_tasks"]
