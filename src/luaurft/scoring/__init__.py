"""Deterministic scoring: rules → findings → per-scorer scores → a `ScoreCard`.

The composite is the mean of the deterministic scorers that are built (0.25
each once all four are: `COMPOSITE_WEIGHTS`), with substance applied once to
each score (`substance.gated_scores`), and never more than the syntax score
when the code does not compile:

    composite = Σ w·gated(score) / Σ w        (w = 0.25 for syntax, api, bug, quality)
    composite = min(composite, syntax)         when the compiler rejects the code

Substance (`luaurft.scoring.substance`, in [0, 1]) is 1 for any real code,
however short, and falls to 0 for empty, trivial or stub code: the syntax, API
and bug scorers measure the absence of problems, and that absence means nothing
when there is no code, so their 1.0s must not lift `return {}`. The quality
score carries substance already and is not gated again. Analysis of code the
compiler rejects is partial, so it must not be rewarded as if it were whole.
The hybrid reward (a later layer) applies its own weights to the same gated
scores.
"""

from __future__ import annotations

import gc
import inspect
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from functools import cache
from typing import TYPE_CHECKING, Any

from luaurft.luau.kind import kind_with_reason
from luaurft.luau.source import LuauSource
from luaurft.scoring.analysis.bindings import api_index_for
from luaurft.scoring.card import ScoreCard
from luaurft.scoring.registry import all_rules, card_version
from luaurft.scoring.rule import Finding, Rule, RuleContext, sorted_findings
from luaurft.scoring.scorer import DETERMINISTIC_SCORERS, available_scorers
from luaurft.scoring.substance import gated_scores
from luaurft.scoring.substance import substance as substance_of

if TYPE_CHECKING:
    from luaurft.roblox.project import InProject

COMPOSITE_WEIGHTS: dict[str, float] = {name: 0.25 for name in DETERMINISTIC_SCORERS}
SYNTAX_SCORER = "syntax"
# Past this many tree levels only the syntax rules run (`extra["not_analysed"]`
# says why): several analyses ask tree-sitter for a node's parent, which costs
# its depth, so their work grows with depth times size. No code Luau compiles
# comes near (its recursion limit stops it at about 2,000 levels; real scripts
# stay under 100), and syntax scores such code by the compiler's refusal.
MAX_ANALYSIS_DEPTH = 4_000
# Reported beside the composite, never part of it.
EXEC_SCORER = "exec"


def composite_of(
    scores: dict[str, float | None], compiles: bool = True, substance: float = 1.0
) -> float:
    """Weighted mean of the composite scorers that have a score, gated (see module docstring)."""
    present = {n: w for n, w in COMPOSITE_WEIGHTS.items() if scores.get(n) is not None}
    if not present:
        return 0.0
    gated = gated_scores(scores, substance)
    value = sum(w * float(gated[n] or 0.0) for n, w in present.items()) / sum(present.values())
    if not compiles and scores.get("syntax") is not None:
        value = min(value, float(scores["syntax"] or 0.0))
    return round(value, 6)


def run_rules(ctx: RuleContext, scorers: Iterable[str] | None = None) -> list[Finding]:
    """Every finding of the registered rules (optionally only some scorers'), in reading order.

    Execution rules (`exec/*`) run the code in a VM; they run only when `scorers`
    names "exec" (see `score_source(..., exec=True)`).
    """
    if scorers is None:
        rules = _default_rules()
    else:
        wanted = set(scorers)
        rules = tuple(rule for rule in all_rules() if rule.scorer in wanted)
    findings: list[Finding] = []
    source = ctx.source
    if source.tree_has_errors:
        rules = tuple(rule for rule in rules if not rule.needs_clean_tree)
    # `iter_rule_findings` without its generator: one layer less per rule.
    for rule in rules:
        findings.extend(rule.check(ctx))
    if source.tree_has_errors and source.compiles:
        findings = _outside_misparsed(findings, rules, source.misparsed_lines)
    return sorted_findings(findings)


def _outside_misparsed(
    findings: list[Finding], rules: Iterable[Rule], spans: tuple[tuple[int, int], ...]
) -> list[Finding]:
    """The findings, less those of tree-reading rules inside a statement the grammar
    misread (see `Rule.reads_tree`)."""
    from_tree = {rule.id for rule in rules if rule.reads_tree and rule.scorer != SYNTAX_SCORER}
    return [
        f
        for f in findings
        if f.rule not in from_tree or not any(a <= f.line <= b for a, b in spans)
    ]


@cache
def _default_rules() -> tuple[Rule, ...]:
    """The rules `run_rules` runs when no scorers are named: all but execution's."""
    return tuple(rule for rule in all_rules() if rule.scorer != EXEC_SCORER)


@contextmanager
def collector_paused() -> Iterator[bool]:
    """The cyclic garbage collector off for the duration, as it was after; yields
    whether it was on (see `collector_as`).

    Scoring one piece of code builds tens of thousands of short-lived containers
    (tree nodes, references, facts) and frees its own cycles (`RuleContext.release`),
    so the collector's passes in between find nothing yet cost about 5% of the
    time. Another thread that pauses meanwhile sees it off and leaves it alone;
    the last one that found it on turns it back on.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield was_enabled
    finally:
        if was_enabled:
            gc.enable()


@contextmanager
def collector_as(enabled: bool) -> Iterator[None]:
    """The collector on or off for the duration, inside a `collector_paused` region:
    on where it was on before the pause (code that runs may build cycles of its own)."""
    was_enabled = gc.isenabled()
    if enabled:
        gc.enable()
    try:
        yield
    finally:
        if not was_enabled:
            gc.disable()


def score_source(
    code: str | LuauSource,
    *,
    kind: str | None = None,
    path: str | None = None,
    exec: bool = False,
    project: InProject | None = None,
) -> ScoreCard:
    """Score one piece of Luau with every built deterministic scorer.

    With `exec=True` the code also runs in the mock Roblox world: `scores["exec"]`
    and the `exec/*` findings are added (see `luaurft.scoring.execution`); the
    composite stays the deterministic one, and the card's version gains
    `+exec.<exec_version()>` so cached exec results follow the runtime.

    `project` (a file located in its `ProjectTree`) makes the run happen in the
    project: the file's siblings exist and its requires load them. The card
    then says so in `extra["project"]` and its version gains
    `+project.<fingerprint>`; without `exec` it changes nothing.
    """
    source = code if isinstance(code, LuauSource) else LuauSource.of(code, path=path)
    in_project = project if exec else None
    extra: dict[str, Any] = {}
    # One pause from the first analysis until the analyses are released: a pass of
    # the collector in between (as soon as it is back on) would walk every record
    # of them, only to find nothing it could free.
    with collector_paused() as collector_was_on:
        script_kind, kind_reason = kind_with_reason(source, kind=kind, path=path or source.path)
        ctx = RuleContext(source=source, kind=script_kind, project=in_project)
        analysed = source.tree_depth <= MAX_ANALYSIS_DEPTH
        findings = run_rules(ctx) if analysed else run_rules(ctx, (SYNTAX_SCORER,))
        by_scorer: dict[str, list[Finding]] = defaultdict(list)
        for f in findings:
            by_scorer[f.scorer].append(f)
        built = available_scorers()
        scores: dict[str, float | None] = {}
        for name in DETERMINISTIC_SCORERS:
            scorer = built.get(name)
            if scorer is None or not (analysed or name == SYNTAX_SCORER):
                scores[name] = None
            else:
                scores[name] = round(scorer.score(ctx, by_scorer[name]), 6)
        if not analysed:
            extra["not_analysed"] = (
                f"the code nests {source.tree_depth:,} levels deep; the analysis follows at "
                f"most {MAX_ANALYSIS_DEPTH:,}, so only syntax is scored (flatten the code)"
            )
        if kind_reason is not None:
            # Inferred from weak, conflicting or absent signals: say so, never guess silently.
            extra["kind_reason"] = kind_reason
        if exec:
            from luaurft.scoring.execution import exec_result

            # The collector as the caller had it while the code runs: a script
            # may build cycles of its own.
            with collector_as(collector_was_on):
                ran = exec_result(ctx)
            scores[EXEC_SCORER] = ran.score
            findings = sorted_findings([*findings, *ran.findings])
            if ran.not_run is not None:
                extra["exec_not_run"] = ran.not_run.reason
                extra["exec_not_run_cause"] = ran.not_run.cause
        # Not measured on code too deep to analyse: neutral, so the composite is the
        # syntax score alone, capped as for any code the compiler rejects.
        code_substance = substance_of(ctx).factor if analysed else 1.0
        # The index the rules read, asked for once: the card names that one.
        version = card_version(exec, api_index_for(ctx))
        ctx.release()
    extra = {"substance": round(code_substance, 6), **extra}
    if in_project is not None:
        version += f"+project.{in_project.fingerprint[:12]}"
        extra["project"] = in_project.describe()
    return ScoreCard(
        scores=scores,
        composite=composite_of(scores, source.compiles, code_substance),
        findings=tuple(findings),
        scorer_version=version,
        kind=script_kind.value,
        compiles=source.compiles,
        sha256=source.sha256,
        extra=extra,
    )


#: Reading, analysing and running one piece of code in a worker process: far more
#: than any real script needs (the run inside keeps its own, smaller budget).
SCORE_JOB_SECONDS = 120.0


def score_job(job: tuple[str, str | None, str | None, bool]) -> ScoreCard:
    """`score_source` of (code, kind, path, exec): the job a worker process runs for
    callers that score one piece of code at a time (picklable by name)."""
    code, kind, path, exec = job
    return score_source(code, kind=kind, path=path, exec=exec)


def takes_keyword(scorer: Callable[..., Any], name: str) -> bool:
    """Whether a score function (`score_source` or a user's stand-in) accepts `name=`;
    callers pass optional arguments such as `exec` or `project` only when it does."""
    try:
        parameters = inspect.signature(scorer).parameters
    except (TypeError, ValueError):
        return False
    return name in parameters or any(
        p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters.values()
    )


__all__ = [
    "COMPOSITE_WEIGHTS",
    "EXEC_SCORER",
    "MAX_ANALYSIS_DEPTH",
    "ScoreCard",
    "composite_of",
    "run_rules",
    "score_source",
    "takes_keyword",
]
