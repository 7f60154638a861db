"""Deterministic scoring: rules → findings → per-scorer scores → a `ScoreCard`.

The composite is the mean of the deterministic scorers that are built (0.25
each once all four are), and never more than the syntax score when the code
does not compile: analysis of code the compiler rejects is partial, so it must
not be rewarded as if it were whole.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from luaurft.luau.kind import detect_kind
from luaurft.luau.source import LuauSource
from luaurft.scoring.card import ScoreCard
from luaurft.scoring.registry import all_rules, scorer_version
from luaurft.scoring.rule import Finding, RuleContext, iter_rule_findings, sorted_findings
from luaurft.scoring.scorer import DETERMINISTIC_SCORERS, available_scorers

COMPOSITE_WEIGHTS: dict[str, float] = {name: 0.25 for name in DETERMINISTIC_SCORERS}


def composite_of(scores: dict[str, float | None], compiles: bool = True) -> float:
    """Weighted mean of the composite scorers that have a score (see module docstring)."""
    present = {n: w for n, w in COMPOSITE_WEIGHTS.items() if scores.get(n) is not None}
    if not present:
        return 0.0
    value = sum(w * float(scores[n] or 0.0) for n, w in present.items()) / sum(present.values())
    if not compiles and scores.get("syntax") is not None:
        value = min(value, float(scores["syntax"] or 0.0))
    return round(value, 6)


def run_rules(ctx: RuleContext, scorers: Iterable[str] | None = None) -> list[Finding]:
    """Every finding of the registered rules (optionally only some scorers'), in reading order."""
    wanted = set(scorers) if scorers is not None else None
    findings: list[Finding] = []
    for rule in all_rules():
        if wanted is None or rule.scorer in wanted:
            findings.extend(iter_rule_findings(rule, ctx))
    return sorted_findings(findings)


def score_source(
    code: str | LuauSource,
    *,
    kind: str | None = None,
    path: str | None = None,
) -> ScoreCard:
    """Score one piece of Luau with every built deterministic scorer."""
    source = code if isinstance(code, LuauSource) else LuauSource.of(code, path=path)
    script_kind = detect_kind(source.text, kind=kind, path=path or source.path)
    ctx = RuleContext(source=source, kind=script_kind)
    findings = run_rules(ctx)
    by_scorer: dict[str, list[Finding]] = defaultdict(list)
    for f in findings:
        by_scorer[f.scorer].append(f)
    built = available_scorers()
    scores: dict[str, float | None] = {}
    for name in DETERMINISTIC_SCORERS:
        scorer = built.get(name)
        scores[name] = None if scorer is None else round(scorer.score(ctx, by_scorer[name]), 6)
    return ScoreCard(
        scores=scores,
        composite=composite_of(scores, source.compiles),
        findings=tuple(findings),
        scorer_version=scorer_version(),
        kind=script_kind.value,
        compiles=source.compiles,
        sha256=source.sha256,
    )


__all__ = ["COMPOSITE_WEIGHTS", "ScoreCard", "composite_of", "run_rules", "score_source"]
