"""Run a solution against a task's checks: `check_solution(task, code) -> CheckReport`.

Plain-Luau tasks run here: the solution in a sealed sandbox VM, then each
check called by the host, one protected call at a time, so a result is what
the host saw happen — never something the solution printed or returned. The
solution runs in its own environment; checks see only what it exports, plus
the trusted `lu`/Jest helpers. A run stopped for time, memory or output stops
every check after it, and those fail. Roblox tasks run in the mock world
(`luaurft.eval.world`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

from luaurft.eval.tasks import Task, TaskKind
from luaurft.luau.executor import WorkerFailure, in_worker, isolated
from luaurft.luau.sandbox import Limits, failure_status

# How many characters of a check's failure message are kept.
MESSAGE_CHARS = 500


@dataclass(frozen=True, slots=True)
class CheckResult:
    name: str
    passed: bool
    message: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "passed": self.passed, "message": self.message}


@dataclass(frozen=True)
class CheckReport:
    """The outcome of one solution on one task: a result per expected check.

    `passed` is true only when every expected check ran and passed; checks
    that never ran (the run stopped first) are failures with the reason.
    `status` says how the solution's run ended (ok, error, timeout, memory,
    output-limit, crashed); `error` is the solution's own error, if it raised one.
    """

    task_id: str
    expected: int
    checks: tuple[CheckResult, ...]
    status: str = "ok"
    error: str | None = None
    output: tuple[str, ...] = field(default=(), compare=False)

    @property
    def passed(self) -> bool:
        return (
            self.expected > 0
            and len(self.checks) == self.expected
            and all(c.passed for c in self.checks)
        )

    @property
    def passed_count(self) -> int:
        return sum(c.passed for c in self.checks)

    def to_dict(self) -> dict[str, Any]:
        return {
            "task": self.task_id,
            "passed": self.passed,
            "expected": self.expected,
            "passed_checks": self.passed_count,
            "status": self.status,
            "error": self.error,
            "checks": [c.to_dict() for c in self.checks],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CheckReport:
        return cls(
            task_id=str(data.get("task", "")),
            expected=int(data["expected"]),
            checks=tuple(
                CheckResult(str(c["name"]), bool(c["passed"]), str(c.get("message") or ""))
                for c in data.get("checks", [])
            ),
            status=str(data.get("status", "ok")),
            error=data.get("error"),
        )


def clip(text: str, limit: int = MESSAGE_CHARS) -> str:
    text = text.strip()
    return text if len(text) <= limit else text[: limit - 3] + "..."


def failed_report(task: Task, reason: str, status: str = "error") -> CheckReport:
    """Every check failed for one reason (the solution did not load, or never ran)."""
    return CheckReport(
        task_id=task.id,
        expected=task.expected,
        checks=tuple(CheckResult(c.name, False, clip(reason)) for c in task.checks),
        status=status,
        error=clip(reason),
    )


def check_solution(
    task: Task, code: str, *, limits: Limits | None = None, isolate: bool = True
) -> CheckReport:
    """Run `code` as the solution of `task` and report every check. `limits` bound the
    whole run (memory, CPU time, output), checks included.

    The run happens in a worker process (`luaurft.luau.executor`) under the wall
    budget of `limits`; a worker that dies or overruns fails every check with the
    status `crashed` or `timeout`. `isolate=False` runs it in this process."""
    if isolate and not in_worker():
        outcome = isolated(
            _check_in_worker,
            task,
            code,
            limits=limits,
            isolate=False,
            wall_seconds=(limits or Limits()).wall_budget(),
        )
        if isinstance(outcome, WorkerFailure):
            return failed_report(task, outcome.message, failure_status(outcome).value)
        return outcome
    if task.kind is TaskKind.LUAU:
        return run_plain_checks(task, code, limits=limits)
    from luaurft.eval.world import run_world_checks

    return run_world_checks(task, code, limits=limits)


def check_many(
    pairs: Sequence[tuple[Task, str]], *, jobs: int = 1, ray: str | None = None
) -> Iterator[CheckReport]:
    """`check_solution` of each (task, solution), in order, as each is ready: in
    `jobs` worker processes at once (0: one per CPU), or as Ray tasks on the cluster
    at `ray`. A job whose worker dies or overruns fails its checks with that status,
    as `check_solution` reports it."""
    from luaurft.luau.executor import set_workers, shared_executor, worker_count

    workers = worker_count(jobs, len(pairs))
    if ray is None and workers <= 1:
        for task, code in pairs:
            yield check_solution(task, code)
        return
    budget = Limits().wall_budget()
    outcomes: Iterable[CheckReport | WorkerFailure]
    if ray is not None:
        from luaurft.luau.cluster import ray_map

        outcomes = ray_map(check_job, list(pairs), address=ray, wall_seconds=budget)
    else:
        set_workers(workers)
        outcomes = shared_executor().map(check_job, pairs, wall_seconds=budget)
    for (task, _), outcome in zip(pairs, outcomes, strict=True):
        if isinstance(outcome, WorkerFailure):
            yield failed_report(task, outcome.message, failure_status(outcome).value)
        else:
            yield outcome


class _TaskChecks:
    """What `luaurft.reward.HybridReward` runs tasks' checks with (`TaskChecks`): the
    reward sits below this layer, so it is handed this instead of importing it."""

    def run(self, pairs: Sequence[tuple[Task, str]], *, jobs: int) -> Iterator[CheckReport]:
        return check_many(pairs, jobs=jobs)

    def task(self, value: Any) -> Task:
        if isinstance(value, Task):
            return value
        if isinstance(value, str):
            return Task.model_validate_json(value)
        return Task.model_validate(value)


TASK_CHECKS = _TaskChecks()


def check_job(job: tuple[Task, str]) -> CheckReport:
    """One (task, solution) check as an executor job (`Executor.map`, `ray_map`): run
    inside a worker already, under the job's wall budget."""
    task, code = job
    return check_solution(task, code)


def _check_in_worker(task: Task, code: str, **kwargs: Any) -> CheckReport:
    # Pickled by name, so a caller that wraps `check_solution` still reaches the real one.
    return check_solution(task, code, **kwargs)


# -- plain Luau --------------------------------------------------------------------


@cache
def _shim_source() -> str:
    return resources.files("luaurft.eval").joinpath("checks_shim.luau").read_text("utf-8")


def _export_epilogue(task: Task) -> str:
    names = [n for n in task.exports if n.isidentifier()]
    if not names:
        return ""
    fields = ", ".join(f"{n} = {n}" for n in names)
    return f"\nreturn {{ {fields} }}\n"


def run_plain_checks(task: Task, code: str, *, limits: Limits | None = None) -> CheckReport:
    """Run a plain-Luau solution, then each check in a fresh environment that sees
    only the solution's exports and the trusted test helpers."""
    import pluau

    from luaurft.luau.sandbox import Sandbox, SandboxError, compile_chunk, lua_text

    program = task.program(code)
    epilogue = _export_epilogue(task)
    if epilogue:
        # Locals of the chunk reach the checks through a trailing return, when the
        # solution does not end in its own return (then its globals are used).
        try:
            compile_chunk(program + epilogue)
            program += epilogue
        except SandboxError:
            pass
    with Sandbox(limits) as sandbox:
        shim_fn = sandbox.load(_shim_source(), name="checks-shim")
        shim = shim_fn.call(sandbox.prelude)[0]
        sandbox.seal()
        env = sandbox.make_env(sandbox.default_globals())
        try:
            solution = sandbox.load(program, name="user", env=env)
        except SandboxError as exc:
            return failed_report(task, str(exc))
        ok, values, error = sandbox.call(solution)
        output = tuple(line.text for line in sandbox.output[-50:])
        if not ok:
            status = sandbox.status.value if sandbox.status is not None else "error"
            where = f" (line {error.line})" if error and error.line else ""
            reason = f"the solution {_ended(status)}: {error.message if error else status}{where}"
            return _with_output(failed_report(task, reason, status), output)

        returned = values[0] if values else None
        exports: dict[str, Any] = {}
        for name in task.exports:
            value = env.raw_get(name)
            if value is None and isinstance(returned, pluau.Table):
                # raw: a metatable on the returned table must not run host-side.
                value = returned.raw_get(name)
            if value is None and len(task.exports) == 1 and isinstance(returned, pluau.Function):
                value = returned
            if value is not None:
                exports[name] = value
        overrides = {
            **exports,
            "solution": returned,
            "lu": shim.get("lu"),
            "require": shim.get("require"),
        }
        jest = shim.get("jest")
        for name in ("describe", "it", "test", "expect", "beforeEach", "afterEach",
                     "beforeAll", "afterAll"):  # fmt: skip
            overrides[name] = jest.get(name)
        check_globals = sandbox.make_globals(overrides)
        run_check = shim.get("runCheck")
        results: list[CheckResult] = []
        missing = [n for n in task.exports if n not in exports]
        hint = f" (the solution does not define {', '.join(missing)})" if missing else ""
        for check in task.checks:
            if sandbox.status is not None:
                stop = sandbox.stop_error.message if sandbox.stop_error else ""
                message = f"run stopped ({sandbox.status.value}) before this check: {stop}"
                results.append(CheckResult(check.name, False, clip(message)))
                continue
            try:
                fn = sandbox.load(
                    check.body, name=f"check:{check.name}", env=sandbox.make_env(check_globals)
                )
            except SandboxError as exc:
                results.append(
                    CheckResult(check.name, False, clip(f"check does not compile: {exc}"))
                )
                continue
            passed, _values, check_error = sandbox.call(run_check, fn)
            if passed:
                results.append(CheckResult(check.name, True))
                continue
            if sandbox.status is not None:
                message = f"run stopped ({sandbox.status.value})"
                if check_error is not None:
                    message += f": {check_error.message}"
            else:
                message = (check_error.message if check_error else "failed") + hint
            results.append(CheckResult(check.name, False, clip(lua_text(message))))
        status = sandbox.status.value if sandbox.status is not None else "ok"
        output = tuple(line.text for line in sandbox.output[-50:])
    return CheckReport(task.id, task.expected, tuple(results), status=status, output=output)


def _ended(status: str) -> str:
    return {
        "timeout": "ran out of time",
        "memory": "ran out of memory",
        "output-limit": "wrote too much output",
        "crashed": "crashed its worker process",
    }.get(status, "raised an error")


def _with_output(report: CheckReport, output: tuple[str, ...]) -> CheckReport:
    return CheckReport(
        report.task_id, report.expected, report.checks, report.status, report.error, output
    )


__all__ = [
    "CheckReport",
    "CheckResult",
    "check_solution",
    "failed_report",
    "run_plain_checks",
]
