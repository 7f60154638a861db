"""The quality scorer: findings lower it, substance gates it, explanations and types nudge it."""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from luaurft.scoring import substance as substance_formula
from luaurft.scoring.analysis.comments import comment_facts
from luaurft.scoring.analysis.functions import functions, innermost_function, unused_local_functions
from luaurft.scoring.analysis.lines import code_line_set
from luaurft.scoring.analysis.stubs import stub_functions
from luaurft.scoring.registry import rule_costs
from luaurft.scoring.rule import Finding, RuleContext
from luaurft.scoring.scorer import Scorer, penalty

if TYPE_CHECKING:
    import tree_sitter

BASE = 0.93
COMMENT_CREDIT_MAX = 0.035
# One informative comment per this many lines of code earns the full credit;
# denser commenting earns nothing more.
CODE_LINES_PER_COMMENT = 20
# Beyond one comment per two lines of code, commenting is padding: no credit at all.
MAX_COMMENTS_PER_CODE_LINE = 0.5
STRICT_BONUS = 0.015
ANNOTATION_BONUS_MAX = 0.02

_STRICT = re.compile(r"\A(?:\s*--[^\n]*\n)*?\s*--!strict\b")


@dataclass(frozen=True)
class QualityParts:
    """The terms of the quality formula for one piece of code."""

    substance: float
    penalty: float
    comment_credit: float
    type_bonus: float
    informative_comments: int
    code_lines: int

    @property
    def score(self) -> float:
        inner = BASE - self.penalty + self.comment_credit + self.type_bonus
        return self.substance * min(1.0, max(0.0, inner))


def comment_credit(ctx: RuleContext) -> tuple[float, int, int]:
    """(credit, distinct informative comments, lines of code)."""
    facts = [f for f in comment_facts(ctx) if f.kind != "directive"]
    informative = {f.text.strip().lower() for f in facts if f.kind == "informative"}
    code_lines = len(code_line_set(ctx))
    if len(facts) > code_lines * MAX_COMMENTS_PER_CODE_LINE:
        # Comments on most lines are padding, whatever they say.
        return 0.0, len(informative), code_lines
    wanted = max(1.0, code_lines / CODE_LINES_PER_COMMENT)
    return COMMENT_CREDIT_MAX * min(1.0, len(informative) / wanted), len(informative), code_lines


def annotated_fraction(ctx: RuleContext) -> float:
    """Share of live named functions whose parameters (bar `self`) and result are all typed."""
    skip = {(f.node.start_byte, f.node.end_byte) for f in unused_local_functions(ctx)}
    skip |= {(f.node.start_byte, f.node.end_byte) for f in stub_functions(ctx)}
    returns_value: set[int] = set()
    for statement in ctx.source.nodes("return_statement"):
        if statement.named_child_count == 0:
            continue  # a bare `return` returns no value: no need to find its function
        owner = innermost_function(ctx, statement)
        if owner is not None:
            returns_value.add(owner.node.start_byte)
    eligible = typed = 0
    for fn in functions(ctx):
        if fn.node.type != "function_declaration" or (fn.node.start_byte, fn.node.end_byte) in skip:
            continue
        # `...` takes whatever it is given: `...: any` is its idiomatic type, no claim.
        params = [
            p
            for p in fn.params
            if ctx.source.node_text(p) != "self" and not ctx.source.node_text(p).startswith("...")
        ]
        has_result = fn.node.start_byte in returns_value
        if not params and not has_result:
            continue
        eligible += 1
        params_typed = all(_annotation_says_something(ctx, p.children) for p in params)
        result_typed = not has_result or _has_return_type(ctx, fn.node)
        typed += params_typed and result_typed
    return typed / eligible if eligible else 0.0


def _annotation_says_something(ctx: RuleContext, nodes: Sequence[tree_sitter.Node]) -> bool:
    """`: T` among `nodes`, with T other than `any`: `any` is how one silences the
    type checker, so annotating with it types nothing."""
    for colon, annotation in itertools.pairwise(nodes):
        if colon.type == ":":
            return ctx.source.node_text(annotation).strip() != "any"
    return False


def _has_return_type(ctx: RuleContext, fn: tree_sitter.Node) -> bool:
    parameters = fn.child_by_field_name("parameters")
    if parameters is None:
        return False
    sibling = parameters.next_sibling
    return (
        sibling is not None
        and sibling.next_sibling is not None
        and _annotation_says_something(ctx, [sibling, sibling.next_sibling])
    )


def type_bonus(ctx: RuleContext) -> float:
    # `--!strict` checks the types the code states: on untyped (or `any`-typed)
    # functions the directive alone checks little, so it earns in proportion.
    typed = annotated_fraction(ctx)
    strict = STRICT_BONUS * typed if _STRICT.match(ctx.source.text) else 0.0
    return strict + ANNOTATION_BONUS_MAX * typed


def quality_parts(ctx: RuleContext, findings: Sequence[Finding]) -> QualityParts:
    costs = rule_costs("quality")
    credit, informative, code_lines = comment_credit(ctx)
    return QualityParts(
        substance=substance_formula.substance(ctx).factor,
        penalty=penalty(findings, costs),
        comment_credit=credit,
        type_bonus=type_bonus(ctx),
        informative_comments=informative,
        code_lines=code_lines,
    )


class QualityScorer(Scorer):
    name = "quality"
    formula: ClassVar[str] = (
        f"quality = substance × clamp({BASE} − penalty + comments + types, 0, 1). "
        "Completeness is part of quality, so the quality score carries substance (the formula "
        "is under How scores are computed) and the composite does not gate it again. "
        "penalty = Σ rule cost over quality findings, the n-th finding of one rule at "
        "0.5^(n-1) of its cost. "
        f"comments = {COMMENT_CREDIT_MAX} × min(1, distinct informative comments / "
        f"max(1, lines of code / {CODE_LINES_PER_COMMENT})), and 0 when there are more than "
        f"{MAX_COMMENTS_PER_CODE_LINE:g} comments per line of code; a comment is informative when "
        "it has 3+ words, 2+ of them not already said by its code line; restating comments, "
        "markers, directives and evaluator-addressed text earn nothing. "
        f"types = ({STRICT_BONUS} for --!strict + {ANNOTATION_BONUS_MAX}) × the share of live "
        "named functions whose parameters and result are annotated (with a type other than `any`): "
        "the directive earns only as far as there are types for it to check. Comments and types together add "
        f"at most {COMMENT_CREDIT_MAX + STRICT_BONUS + ANNOTATION_BONUS_MAX:.2f}."
    )

    def score(self, ctx: RuleContext, findings: Sequence[Finding]) -> float:
        return quality_parts(ctx, findings).score
