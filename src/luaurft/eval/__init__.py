"""Evaluation: task suites with execution checks, pass@k, confidence intervals, reports.

    from luaurft.eval import load_tasks, check_solution, evaluate, compare, write_report
    suite = load_tasks("builtin")
    report = check_solution(suite.get("leaderstats-basic"), code)
    report.passed, report.checks

See docs/eval.md for the task format, the `sim` driver and the metrics.
"""

from luaurft.eval.checks import CheckReport, CheckResult, check_solution
from luaurft.eval.harness import (
    EvalSettings,
    EvalSummary,
    eval_config,
    evaluate,
    generator_spec,
    load_summary,
    open_eval_store,
    summarize,
)
from luaurft.eval.metrics import Interval, bootstrap_ci, paired_bootstrap_delta, pass_at_k
from luaurft.eval.report import Comparison, compare, write_report
from luaurft.eval.tasks import Check, Task, TaskError, TaskSuite, builtin_suite, load_tasks
from luaurft.eval.validate import TaskValidation, validate_task, validate_tasks

__all__ = [
    "Check",
    "CheckReport",
    "CheckResult",
    "Comparison",
    "EvalSettings",
    "EvalSummary",
    "Interval",
    "Task",
    "TaskError",
    "TaskSuite",
    "TaskValidation",
    "bootstrap_ci",
    "builtin_suite",
    "check_solution",
    "compare",
    "eval_config",
    "evaluate",
    "generator_spec",
    "load_summary",
    "load_tasks",
    "open_eval_store",
    "paired_bootstrap_delta",
    "pass_at_k",
    "summarize",
    "validate_task",
    "validate_tasks",
    "write_report",
]
