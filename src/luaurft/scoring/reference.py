"""The rules reference, generated from rule and scorer metadata (never written by hand).

`rules_table()` is what `luaurft rules` lists; `rules_markdown()` is the text of
`docs/rules.md`, which a test keeps in step with the registry.
"""

from __future__ import annotations

import re
from typing import Any

from luaurft.scoring import COMPOSITE_WEIGHTS
from luaurft.scoring.registry import all_rules
from luaurft.scoring.rule import Rule
from luaurft.scoring.scorer import DETERMINISTIC_SCORERS, SEVERITY_COST, available_scorers
from luaurft.scoring.substance import FORMULA as SUBSTANCE_FORMULA

REGENERATE_COMMAND = "luaurft rules --markdown > docs/rules.md"


def effective_cost(rule: Rule) -> float:
    """What one finding of the rule costs its scorer (before repeats are discounted)."""
    return SEVERITY_COST[rule.severity] if rule.cost is None else rule.cost


def rules_table() -> list[dict[str, Any]]:
    """Every registered rule: id, scorer, severity, cost and summary, sorted by id."""
    return [
        {
            "id": rule.id,
            "scorer": rule.scorer,
            "severity": rule.severity.value,
            "cost": effective_cost(rule),
            "summary": rule.summary,
        }
        for rule in all_rules()
    ]


def _fence(code: str) -> str:
    # A fence longer than any backtick run inside, so examples that contain fences render.
    longest = max((len(run) for run in re.findall(r"`+", code)), default=0)
    ticks = "`" * max(3, longest + 1)
    return f"{ticks}lua\n" + code.rstrip("\n") + f"\n{ticks}"


def _scorer_names() -> list[str]:
    rule_scorers = {rule.scorer for rule in all_rules()}
    extra = sorted(rule_scorers - set(DETERMINISTIC_SCORERS))
    return [*DETERMINISTIC_SCORERS, *extra]


def rules_markdown() -> str:
    """The full rules reference as markdown: formulas, costs, and every rule with its examples."""
    scorers = available_scorers()
    rules = all_rules()
    out: list[str] = [
        "# Rules reference",
        "",
        f"Generated from the rule and scorer metadata; do not edit. Regenerate with `{REGENERATE_COMMAND}`.",
        "",
        "## How scores are computed",
        "",
        "Each rule reports findings; each scorer turns the findings of its rules into a score "
        "in [0, 1]. A finding costs its rule's cost (the default for its severity unless the "
        "rule sets its own); the n-th finding of one rule costs `cost * 0.5**(n-1)`, so one "
        "habit repeated counts at most twice its cost.",
        "",
        "| severity | default cost |",
        "|---|---|",
        *(f"| {severity.value} | {cost:g} |" for severity, cost in SEVERITY_COST.items()),
        "",
        "The composite is the weighted mean of the scorers that are built ("
        + ", ".join(f"{name} {weight:g}" for name, weight in COMPOSITE_WEIGHTS.items())
        + "), each gated once by the code's substance, and never more than the syntax score "
        "when the code does not compile.",
        "",
        f"Substance (`luaurft.scoring.substance`): {SUBSTANCE_FORMULA}",
        "",
        "Where tree-sitter's Luau grammar cannot read part of the code (it lags the "
        "language), analysis is partial, never a penalty: rules that need a complete tree "
        "are skipped ("
        + ", ".join(f"`{rule.id}`" for rule in rules if rule.needs_clean_tree)
        + "), and where the code compiles, the findings of rules that read the tree are "
        "dropped inside each statement the grammar misread. Rules that read only the text "
        "keep theirs: the syntax rules and "
        + ", ".join(
            f"`{rule.id}`" for rule in rules if not rule.reads_tree and rule.scorer != "syntax"
        )
        + ".",
        "",
    ]
    for name in _scorer_names():
        scorer = scorers.get(name)
        own = [rule for rule in rules if rule.scorer == name]
        out += [f"## {name}", ""]
        if scorer is None:
            out += ["Not built yet: reported as `null` and left out of the composite.", ""]
        else:
            out += [f"Formula: {scorer.formula}", ""]
        if not own:
            continue
        out += ["| rule | severity | cost | summary |", "|---|---|---|---|"]
        out += [
            f"| [`{rule.id}`](#{_anchor(rule.id)}) | {rule.severity.value} | "
            f"{effective_cost(rule):g} | {_cell(rule.summary)} |"
            for rule in own
        ]
        out.append("")
        for rule in own:
            out += [
                f"### {rule.id}",
                "",
                rule.summary,
                "",
                f"Severity: {rule.severity.value}. Cost: {effective_cost(rule):g}.",
                "",
                "Bad:",
                "",
                _fence(rule.bad),
                "",
                "Good:",
                "",
                _fence(rule.good),
                "",
            ]
    return "\n".join(out).rstrip("\n") + "\n"


def _anchor(rule_id: str) -> str:
    # GitHub's heading anchors: lower case, punctuation other than '-' dropped.
    return "".join(ch for ch in rule_id.lower() if ch.isalnum() or ch == "-")


def _cell(text: str) -> str:
    return text.replace("|", "\\|")
