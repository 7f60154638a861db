"""The execution scorer: run the code in the mock Roblox world and score how it ended.

Not part of the deterministic composite: the four scorers read the code, this
one runs it. `exec_score(source, kind)` runs the script once as its kind
(`luaurft.roblox.mock.run_script`, with the standard stimulus for
`EXEC_SECONDS` of virtual time and the CPU budget of `EXEC_LIMITS`), turns the
run into findings through the `exec/*` rules and into a score:

    blank code, code the compiler rejects, a timeout or the memory cap:  0
    otherwise:  1 - penalty(exec findings)          (see scorer.penalty)
                capped at 0.4 when the main chunk died with an error
                capped at 0.5 when the output limit stopped the run

Each `exec/*` rule reads the same run (`RuleContext.memo`), so scoring runs the
VM once per piece of code.
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

EXEC_SECONDS = 5.0
# Generated scripts need far less than this for five virtual seconds; a script
# that needs more is looping, and scoring many candidates must stay quick.
EXEC_LIMITS = Limits(cpu_seconds=1.0)
MAIN_ERROR_CEILING = 0.4
OUTPUT_LIMIT_CEILING = 0.5
_MEMO_KEY = "exec.run"


def execute(ctx: RuleContext) -> ScriptRun | None:
    """The run of `ctx`'s code in the mock world (once per context), or None when
    there is nothing to run (blank code, or code the compiler rejects)."""

    def run() -> ScriptRun | None:
        source = ctx.source
        if source.is_blank or not source.compiles:
            return None
        from luaurft.roblox.mock import run_script

        return run_script(source.text, kind=ctx.kind, seconds=EXEC_SECONDS, limits=EXEC_LIMITS)

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
    if run is None or run.status in (RunStatus.TIMEOUT, RunStatus.MEMORY):
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
    """The exec score, its findings and the run they came from (None if nothing ran)."""

    score: float
    findings: tuple[Finding, ...]
    run: ScriptRun | None
    #: `registry.exec_version()` when the result was made.
    version: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "score": self.score,
            "version": self.version,
            "findings": [f.to_dict() for f in self.findings],
            "run": None if self.run is None else self.run.to_dict(),
        }


def exec_result(ctx: RuleContext) -> ExecResult:
    from luaurft.scoring.registry import exec_version

    findings = exec_findings(ctx)
    return ExecResult(
        score=exec_score_of(ctx, findings),
        findings=tuple(findings),
        run=execute(ctx),
        version=exec_version(),
    )


def exec_score(
    source: str | LuauSource, kind: str | None = None, *, path: str | None = None
) -> ExecResult:
    """Run `source` as its kind (given, or detected) in the mock world and score it."""
    src = source if isinstance(source, LuauSource) else LuauSource.of(source, path=path)
    script_kind = detect_kind(src.text, kind=kind, path=path or src.path)
    return exec_result(RuleContext(source=src, kind=script_kind))


__all__ = [
    "EXEC_LIMITS",
    "EXEC_SECONDS",
    "ExecResult",
    "exec_findings",
    "exec_result",
    "exec_score",
    "exec_score_of",
    "execute",
    "main_chunk_failed",
]
