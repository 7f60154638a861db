"""Where full scoring spends its time: shared stages, analyses, and each rule, by scorer.

    PYTHONPATH=src python benchmarks/score_breakdown.py [DIR] [--target-mb 1] [--top 15] [--json]

The corpus is built as in `score_throughput.py` (the `.lua`/`.luau` files under
DIR, default examples/, repeated to --target-mb). Every file gets a fresh
`LuauSource`, then each stage is timed on its own, in the order scoring runs
them: the tree-sitter parse, the Luau compile, the node index (one walk of the
tree), every rule in registry order, and every scorer's formula.

Shared analyses (`RuleContext.memo`: scope resolution, bindings, function,
comment and dead-code facts, the lexer's code view, ...) are timed apart from
the rule that happens to ask first, and only for their own work: an analysis
that builds on another one is not charged for it. The cyclic garbage collector is paused while timing, so
its pauses do not land on whichever stage triggers them.
"""

from __future__ import annotations

import argparse
import gc
import json
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from luaurft.luau.kind import detect_kind
from luaurft.luau.source import LuauSource
from luaurft.scoring import EXEC_SCORER
from luaurft.scoring.registry import all_rules
from luaurft.scoring.rule import RuleContext
from luaurft.scoring.scorer import DETERMINISTIC_SCORERS, available_scorers

sys.path.insert(0, str(Path(__file__).resolve().parent))
from score_throughput import ROOT, load_corpus


class TimedContext(RuleContext):
    """A `RuleContext` whose shared analyses record their own (exclusive) time."""

    analyses: Counter[str]
    nested: list[float]

    def memo(self, key: str, compute: Any) -> Any:
        if key in self.shared:
            return self.shared[key]
        self.nested.append(0.0)
        start = time.perf_counter()
        try:
            return super().memo(key, compute)
        finally:
            elapsed = time.perf_counter() - start
            inner = self.nested.pop()
            self.analyses[key.split(":")[0]] += elapsed - inner
            if self.nested:
                self.nested[-1] += elapsed


def _timed(nested: list[float], run: Callable[..., object], *args: Any) -> float:
    """Seconds `run(*args)` took, less what the shared analyses it started took."""
    nested.append(0.0)
    start = time.perf_counter()
    run(*args)
    elapsed = time.perf_counter() - start
    return elapsed - nested.pop()


def _check(rule: Any, ctx: RuleContext, into: list[Any]) -> None:
    into.extend(rule.check(ctx))


def breakdown(corpus: list[str]) -> dict[str, Any]:
    stages: Counter[str] = Counter()
    rules: Counter[str] = Counter()
    scorers: Counter[str] = Counter()
    analyses: Counter[str] = Counter()
    nested: list[float] = []
    # What `score_source` runs by default: no execution rules, the deterministic scorers.
    rule_list = [rule for rule in all_rules() if rule.scorer != EXEC_SCORER]
    built = {n: s for n, s in available_scorers().items() if n in DETERMINISTIC_SCORERS}
    clock = time.perf_counter
    for text in corpus:
        start = clock()
        source = LuauSource(text)
        source.tree  # noqa: B018 - the parse
        stages["parse"] += clock() - start
        start = clock()
        source.compiled  # noqa: B018
        stages["compile"] += clock() - start
        start = clock()
        source.nodes("chunk")  # builds the node index
        stages["node index"] += clock() - start
        start = clock()
        ctx = TimedContext(source=source, kind=detect_kind(source))
        stages["script kind"] += clock() - start
        ctx.analyses, ctx.nested = analyses, nested
        findings: dict[str, list[Any]] = {name: [] for name in built}
        for rule in rule_list:
            if rule.needs_clean_tree and source.tree_has_errors:
                continue
            found: list[Any] = []
            rules[rule.id] += _timed(nested, _check, rule, ctx, found)
            findings.setdefault(rule.scorer, []).extend(found)
        for name, scorer in built.items():
            scorers[name] += _timed(nested, scorer.score, ctx, findings.get(name, []))
    by_scorer: dict[str, dict[str, float]] = {}
    for rule_id, seconds in rules.items():
        scorer = rule_id.split("/")[0]
        entry = by_scorer.setdefault(scorer, {"rules": 0.0, "formula": 0.0, "rule_count": 0})
        entry["rules"] += seconds
        entry["rule_count"] += 1
    for name, seconds in scorers.items():
        by_scorer.setdefault(name, {"rules": 0.0, "formula": 0.0, "rule_count": 0})
        by_scorer[name]["formula"] = seconds
    total = sum(stages.values()) + sum(rules.values()) + sum(scorers.values())
    total += sum(analyses.values())
    return {
        "files": len(corpus),
        "total_seconds": total,
        "stages": dict(stages),
        "analyses": dict(analyses.most_common()),
        "scorers": by_scorer,
        "rules": dict(rules.most_common()),
    }


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:9.1f} ms"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("directory", nargs="?", default=str(ROOT / "examples"))
    parser.add_argument("--target-mb", type=float, default=1.0)
    parser.add_argument("--top", type=int, default=15, help="how many rules and analyses to list")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args(argv)

    corpus = load_corpus(Path(args.directory), int(args.target_mb * 1_000_000))
    breakdown(corpus[:3])  # warm up imports and the API index
    gc.collect()
    gc.disable()
    try:
        report = breakdown(corpus)
    finally:
        gc.enable()
    if args.json:
        print(json.dumps(report, indent=2))
        return 0
    total = report["total_seconds"]
    print(f"corpus: {report['files']} files; {_ms(total).strip()} in all\n")
    print("shared stages")
    for name, seconds in report["stages"].items():
        print(f"  {name:<34}{_ms(seconds)}{seconds / total:8.1%}")
    print(f"\nshared analyses (top {args.top})")
    for name, seconds in list(report["analyses"].items())[: args.top]:
        print(f"  {name:<34}{_ms(seconds)}{seconds / total:8.1%}")
    rest = sum(list(report["analyses"].values())[args.top :])
    print(f"  {'(the others)':<34}{_ms(rest)}{rest / total:8.1%}")
    print("\nper scorer: its rules' own time, and its formula")
    for name, entry in sorted(report["scorers"].items()):
        own = entry["rules"] + entry["formula"]
        print(
            f"  {name:<10}{entry['rule_count']:>3} rules{_ms(entry['rules'])}"
            f"  formula{_ms(entry['formula'])}{own / total:8.1%}"
        )
    print(f"\nrules (top {args.top}, own time)")
    for rule_id, seconds in list(report["rules"].items())[: args.top]:
        print(f"  {rule_id:<34}{_ms(seconds)}{seconds / total:8.1%}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
