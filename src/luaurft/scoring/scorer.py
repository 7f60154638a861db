"""The `Scorer` base class, the shared penalty formula and scorer discovery."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from collections import Counter
from collections.abc import Sequence
from functools import cache
from typing import ClassVar

from luaurft.scoring.rule import Finding, RuleContext, Severity

# What one finding costs its scorer by severity, unless its rule sets `cost`.
SEVERITY_COST: dict[Severity, float] = {
    Severity.ERROR: 0.25,
    Severity.WARNING: 0.10,
    Severity.INFO: 0.03,
}

# The four deterministic scorers of the reference system, in table order.
DETERMINISTIC_SCORERS: tuple[str, ...] = ("syntax", "api", "bug", "quality")


def finding_cost(finding: Finding, rule_costs: dict[str, float | None]) -> float:
    cost = rule_costs.get(finding.rule)
    return SEVERITY_COST[finding.severity] if cost is None else cost


def penalty(findings: Sequence[Finding], rule_costs: dict[str, float | None]) -> float:
    """Sum of finding costs, with repeats of one rule worth less each time.

    The n-th finding of a rule costs `cost * 0.5**(n-1)`, so one rule can take
    at most twice its cost: a single careless habit repeated ten times is not
    ten separate defects, and the score still tells files with many different
    problems apart.
    """
    seen: Counter[str] = Counter()
    total = 0.0
    for f in findings:
        total += finding_cost(f, rule_costs) * 0.5 ** seen[f.rule]
        seen[f.rule] += 1
    return total


class Scorer:
    """Maps the findings of the rules whose `scorer` is `name` to a score in [0, 1].

    The default formula is `max(0, 1 - penalty(findings))`; subclasses document
    and implement their own in `formula` and `score`.
    """

    name: ClassVar[str]
    formula: ClassVar[str] = "1 - penalty(findings), floored at 0"

    def score(self, ctx: RuleContext, findings: Sequence[Finding]) -> float:
        from luaurft.scoring.registry import rules_for

        costs = {r.id: r.cost for r in rules_for(self.name)}
        return max(0.0, 1.0 - penalty(findings, costs))


@cache
def available_scorers() -> dict[str, Scorer]:
    """Every built scorer by name."""
    import luaurft.scoring.scorers as pkg

    found: dict[str, Scorer] = {}
    for info in pkgutil.iter_modules(pkg.__path__, prefix=pkg.__name__ + "."):
        module = importlib.import_module(info.name)
        for _, obj in inspect.getmembers(module, inspect.isclass):
            if issubclass(obj, Scorer) and obj is not Scorer and "name" in obj.__dict__:
                found[obj.name] = obj()
    return found
