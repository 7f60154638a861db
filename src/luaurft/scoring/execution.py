"""The execution scorer: run the code in the mock Roblox world and score how it ended.

Not part of the deterministic composite: the four scorers read the code, this
one runs it. `exec_score(source, kind)` runs the script once as its kind
(`luaurft.roblox.mock.run_script`, with the standard stimulus for
`EXEC_SECONDS` of virtual time and the CPU budget of `EXEC_LIMITS`), turns the
run into findings through the `exec/*` rules and into a score:

    code larger than the sandbox's source limit, or code that requires a package
    from outside it (a Wally `Packages` folder, a library a tutorial inserts):
                None (not run; the card's extra["exec_not_run"] says why)
    blank code, code the compiler rejects, a timeout, the memory cap or a
                crashed worker (`luaurft.luau.executor`):  0
    otherwise:  1 - penalty(exec findings)          (see scorer.penalty)
                capped at 0.4 when the main chunk died with an error
                capped at 0.5 when the output limit stopped the run

Each `exec/*` rule reads the same run (`RuleContext.memo`), so scoring runs the
VM once per piece of code.

A file of a multi-file project runs in its project (`RuleContext.project`):
its siblings exist and its `require`s load their real sources, so
`require(script.Parent.Util)` is not an error. The version of such a result
names the project (`result_version`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from luaurft.luau.kind import detect_kind
from luaurft.luau.sandbox import USER_CHUNK, Limits, RunStatus
from luaurft.luau.source import LuauSource
from luaurft.scoring.rule import Finding, RuleContext, iter_rule_findings, sorted_findings

if TYPE_CHECKING:
    from luaurft.roblox.mock import ScriptRun
    from luaurft.roblox.project import InProject

EXEC_SECONDS = 5.0
# Generated scripts need far less than this for five virtual seconds; a script
# that needs more is looping, and scoring many candidates must stay quick.
EXEC_LIMITS = Limits(cpu_seconds=1.0)
MAIN_ERROR_CEILING = 0.4
OUTPUT_LIMIT_CEILING = 0.5
_MEMO_KEY = "exec.run"
_NOT_RUN_KEY = "exec.not_run"


def execute(ctx: RuleContext) -> ScriptRun | None:
    """The run of `ctx`'s code in the mock world (once per context), or None when
    there is nothing to run (blank code, or code the compiler rejects)."""

    def run() -> ScriptRun | None:
        source = ctx.source
        if source.is_blank or not source.compiles or not_run(ctx) is not None:
            return None
        from luaurft.roblox.mock import run_script

        project = ctx.project
        return run_script(
            source.text,
            kind=ctx.kind,
            seconds=EXEC_SECONDS,
            limits=EXEC_LIMITS,
            project=None if project is None else project.tree,
            path_in_project=None if project is None else project.file,
        )

    result: ScriptRun | None = ctx.memo(_MEMO_KEY, run)
    return result


def main_chunk_failed(run: ScriptRun) -> bool:
    """True when the script's main chunk (or, for a ModuleScript, the module body) died."""
    return any(
        e.chunk == USER_CHUNK and (e.context == "main" or e.context.startswith("module:"))
        for e in run.errors
    )


def exec_score_of(ctx: RuleContext, findings: list[Finding] | tuple[Finding, ...]) -> float:
    """The formula of the module docstring, for `ctx` and its exec findings."""
    from luaurft.scoring.registry import rules_for
    from luaurft.scoring.scorer import penalty

    run = execute(ctx)
    if run is None or run.status in (RunStatus.TIMEOUT, RunStatus.MEMORY, RunStatus.CRASHED):
        return 0.0
    costs = {r.id: r.cost for r in rules_for("exec")}
    value = max(0.0, 1.0 - penalty(list(findings), costs))
    if main_chunk_failed(run):
        value = min(value, MAIN_ERROR_CEILING)
    if run.status is RunStatus.OUTPUT_LIMIT:
        value = min(value, OUTPUT_LIMIT_CEILING)
    return round(value, 6)


def exec_findings(ctx: RuleContext) -> list[Finding]:
    """Findings of every `exec/*` rule for `ctx` (one run shared by all)."""
    from luaurft.scoring.registry import rules_for

    found: list[Finding] = []
    for rule in rules_for("exec"):
        found.extend(iter_rule_findings(rule, ctx))
    return sorted_findings(found)


@dataclass(frozen=True)
class ExecResult:
    """The exec score, its findings and the run they came from (None if nothing ran).
    `score` is None for code that was not run (`not_run` says why)."""

    score: float | None
    findings: tuple[Finding, ...]
    run: ScriptRun | None
    #: `registry.exec_version()` when the result was made.
    version: str = ""
    not_run: NotRun | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "score": self.score,
            "version": self.version,
            "findings": [f.to_dict() for f in self.findings],
            "run": None if self.run is None else self.run.to_dict(),
        }


def result_version(ctx: RuleContext) -> str:
    """`exec_version()`, plus `+project.<fingerprint>` when the code ran in its
    project: the same text run alone, or in another tree, is another result."""
    from luaurft.scoring.registry import exec_version

    version = exec_version()
    if ctx.project is not None:
        version += f"+project.{ctx.project.fingerprint[:12]}"
    return version


def too_large_to_run(source: LuauSource) -> bool:
    """Code past the sandbox's source limit is not run at all: that is a limit of
    ours, not a fault of the code, so it gets no exec score (None), never a low one."""
    return len(source.bytes) > EXEC_LIMITS.source_bytes


def missing_packages(source: LuauSource, project: InProject | None = None) -> list[str]:
    """Packages from outside the code (and its project) that it requires: run
    without them it could only fail at the require, a fault of the setting."""
    if source.is_blank or ("require" not in source.text and "_G" not in source.text):
        return []
    from luaurft.roblox.scaffold import missing_packages as find_missing

    if project is None:
        return find_missing(source.text)
    nodes = project.tree.nodes
    return find_missing(
        source.text,
        frozenset(n.name for n in nodes),
        at=project.node.path,
        paths=frozenset(n.path for n in nodes),
        sources={
            n.path: n.source
            for n in nodes
            if n.class_name == "ModuleScript" and n.source is not None
        },
    )


def absent_modules(source: LuauSource) -> list[str]:
    """Modules that code run alone requires by instance path: the mock world could
    only build them empty, so the require would fail, a fault of the setting (the
    module is another file of the code's project, which is not here)."""
    if source.is_blank or "require" not in source.text:
        return []
    from luaurft.roblox.scaffold import missing_packages as find_missing

    return find_missing(source.text, standalone=True)


def shared_fields(source: LuauSource) -> list[str]:
    """Fields of `_G`/`shared` the code relies on that another script sets (see
    `luaurft.roblox.scaffold.shared_fields_needed`): no script of the place but
    this one runs, with or without its project."""
    if source.is_blank:
        return []
    from luaurft.roblox.scaffold import shared_fields_needed

    return shared_fields_needed(source.text)


@dataclass(frozen=True)
class NotRun:
    """Why code that compiles was not run: `cause` "size" or "package", and the
    reason as the card says it."""

    cause: str
    reason: str


def not_run(ctx: RuleContext) -> NotRun | None:
    """Why `ctx`'s code is not run (once per context), or None when it is (or has
    nothing to run): it is larger than the sandbox runs, or it needs a package
    that is not there."""

    def compute() -> NotRun | None:
        source = ctx.source
        if too_large_to_run(source):
            return NotRun(
                "size",
                f"{len(source.bytes) // 1024} KiB of code is more than the sandbox runs "
                f"({EXEC_LIMITS.source_bytes // 1024} KiB): no exec score",
            )
        missing = missing_packages(source, ctx.project)
        if missing:
            return NotRun(
                "package", f"needs package {missing[0]}, not in this project: no exec score"
            )
        absent = absent_modules(source) if ctx.project is None else []
        if absent:
            return NotRun(
                "package", f"needs module {absent[0]}, which is not in this code: no exec score"
            )
        shared = shared_fields(source)
        if shared:
            # As a package is: as a candidate for a task the code cannot run without
            # it, and the reward scores it so (`reward._needs_package`).
            return NotRun(
                "package",
                f"needs {shared[0]}, which another script of its place sets: no exec score",
            )
        return None

    result: NotRun | None = ctx.memo(_NOT_RUN_KEY, compute)
    return result


def exec_result(ctx: RuleContext) -> ExecResult:
    findings = exec_findings(ctx)
    skipped = not_run(ctx)
    return ExecResult(
        score=None if skipped is not None else exec_score_of(ctx, findings),
        findings=tuple(findings),
        run=execute(ctx),
        version=result_version(ctx),
        not_run=skipped,
    )


def exec_score(
    source: str | LuauSource,
    kind: str | None = None,
    *,
    path: str | None = None,
    project: InProject | None = None,
) -> ExecResult:
    """Run `source` as its kind (given, or detected) in the mock world and score it;
    with `project`, as that file of its project (see `luaurft.roblox.project`)."""
    src = source if isinstance(source, LuauSource) else LuauSource.of(source, path=path)
    script_kind = detect_kind(src.text, kind=kind, path=path or src.path)
    return exec_result(RuleContext(source=src, kind=script_kind, project=project))


__all__ = [
    "EXEC_LIMITS",
    "EXEC_SECONDS",
    "ExecResult",
    "NotRun",
    "absent_modules",
    "exec_findings",
    "exec_result",
    "exec_score",
    "exec_score_of",
    "execute",
    "main_chunk_failed",
    "missing_packages",
    "not_run",
    "result_version",
    "shared_fields",
]
